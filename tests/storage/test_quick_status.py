"""Opening a server database reads its schema status in one statement when it is at head; every other case is
classified exactly as the full check does (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Connection, create_engine, event, text

from kawaoffice.storage.migrate import head_revision, read_status, read_status_quick


def _both(url: str) -> tuple[object, object, int]:
    engine = create_engine(url)
    statements: list[str] = []

    def seen(conn: Connection, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    try:
        with engine.connect() as conn:
            full = read_status(conn)
        event.listen(engine, "before_cursor_execute", seen)
        with engine.connect() as conn:
            quick = read_status_quick(conn)
        return full, quick, len(statements)
    finally:
        engine.dispose()


def test_a_database_at_head_in_one_statement(db_url: str, backend: str) -> None:
    full, quick, count = _both(db_url)
    assert full == quick and quick.state == "current" and quick.current == head_revision()  # type: ignore[attr-defined]
    if backend == "postgresql":
        assert count == 1


def test_empty_older_and_foreign_databases_as_the_full_check_says(empty_db_url: str) -> None:
    full, quick, _count = _both(empty_db_url)
    assert full == quick and quick.state == "empty"  # type: ignore[attr-defined]

    engine = create_engine(empty_db_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE recipes (id INTEGER PRIMARY KEY)"))
    full, quick, _count = _both(empty_db_url)
    assert full == quick and quick.state == "foreign"  # type: ignore[attr-defined]

    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        conn.execute(text("INSERT INTO alembic_version VALUES ('0001_initial')"))
    engine.dispose()
    full, quick, _count = _both(empty_db_url)
    assert full == quick and quick.current == "0001_initial"  # type: ignore[attr-defined]
