"""Opening a database at start-up: new files get the schema, and a foreign, damaged or non-database file, an
unreachable server or an unknown login each raise their own error without anything being written."""

from __future__ import annotations

import sqlite3
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url

from kawaoffice import paths
from kawaoffice.model.partners import Organization, OrganizationKind
from kawaoffice.storage import (
    DamagedDatabaseError,
    Database,
    DatabaseUnavailableError,
    NotAKawaOfficeDatabaseError,
    StorageError,
    default_sqlite_url,
    open_database,
    resolve_database_url,
    schema_status,
)
from kawaoffice.storage.sqlite_file import sqlite_uri
from tests.pgserver import PostgresServer
from tests.storage.conftest import FileSnapshot, damage_sqlite_file


def _real_db_with_rows(path: Path, rows: int = 400) -> None:
    db = open_database(f"sqlite:///{path}")
    with db.session() as s:
        s.add_all(
            Organization(kind=OrganizationKind.MEMBER, name_ja=f"会社{i}", notes="メモ" * 200)
            for i in range(rows)
        )
    db.dispose()


def test_default_database_lives_in_the_user_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("KAWAOFFICE_DATABASE_URL", raising=False)
    url = resolve_database_url()
    assert url == default_sqlite_url()
    expected = paths.user_data_dir() / "kawaoffice.sqlite3"
    assert str(tmp_path / "xdg") in str(expected)
    assert not expected.parent.exists()
    db = open_database(url)
    try:
        assert db.sqlite_path == expected
        assert expected.exists()
        assert db.is_local and db.backend == "sqlite"
        assert db.display_name == str(expected)
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -65_536  # 64 MB at most
    finally:
        db.dispose()


@pytest.mark.parametrize("name", ["事務所.sqlite3", "a?b#c%20d.sqlite3"])
def test_a_bare_path_is_accepted(tmp_path: Path, name: str) -> None:
    path = tmp_path / "folder with space" / name
    db = open_database(str(path))
    try:
        assert db.sqlite_path == path
        assert schema_status(db).state == "current"
    finally:
        db.dispose()
    open_database(str(path)).dispose()  # the read-only checks find it again
    assert path.exists()


def test_sqlite_uris_for_windows_paths() -> None:
    assert sqlite_uri(PureWindowsPath(r"C:\Users\山田\kawa office.sqlite3"), "mode=ro") == (
        "file:///C:/Users/%E5%B1%B1%E7%94%B0/kawa%20office.sqlite3?mode=ro"
    )
    assert (
        sqlite_uri(PureWindowsPath(r"\\fileserver\kokusai\kawa.sqlite3"))
        == "file:////fileserver/kokusai/kawa.sqlite3"
    )
    assert sqlite_uri(PurePosixPath("/tmp/a?b#c%.db")) == "file:///tmp/a%3Fb%23c%25.db"


def test_session_commits_on_success_and_rolls_back_on_error(db_url: str) -> None:
    db = Database.open(db_url, user="yamada")
    try:
        with db.session() as s:
            assert s.info["user"] == "yamada"
            s.add(Organization(kind=OrganizationKind.MEMBER, name_ja="残る会社"))
        with pytest.raises(RuntimeError), db.session() as s:
            s.add(Organization(kind=OrganizationKind.MEMBER, name_ja="消える会社"))
            s.flush()
            raise RuntimeError("boom")
        with db.session() as s:
            assert s.scalars(select(Organization.name_ja)).all() == ["残る会社"]
    finally:
        db.dispose()


def test_server_display_name_never_shows_the_password() -> None:
    db = Database.open("postgresql://kawa:s3cret@db.example.org:5433/office")
    try:
        assert db.backend == "postgresql"
        assert not db.is_local
        assert db.sqlite_path is None
        assert db.display_name == "kawa@db.example.org:5433/office"
        assert "s3cret" not in repr(db)
        assert db.engine.url.drivername == "postgresql+psycopg"
    finally:
        db.dispose()


def test_upgrade_false_leaves_an_empty_database_empty(empty_db_url: str) -> None:
    db = open_database(empty_db_url, upgrade=False)
    try:
        assert schema_status(db).state == "empty"
        assert inspect(db.engine).get_table_names() == []
    finally:
        db.dispose()


def test_plain_text_file_is_not_a_database_and_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "memo.sqlite3"
    path.write_text("会議メモ: 4月の人事異動\n" * 50, encoding="utf-8")
    before = FileSnapshot.of(path)
    with pytest.raises(NotAKawaOfficeDatabaseError) as info:
        open_database(str(path))
    assert str(path) in info.value.message
    assert FileSnapshot.of(path) == before


@pytest.mark.parametrize("journal_mode", ["delete", "wal"])
def test_another_applications_sqlite_file_is_refused_and_left_alone(
    tmp_path: Path, journal_mode: str
) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA journal_mode={journal_mode}")
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('hello')")
    conn.commit()
    conn.close()
    before = FileSnapshot.of(path)
    with pytest.raises(NotAKawaOfficeDatabaseError):
        open_database(f"sqlite:///{path}")
    assert FileSnapshot.of(path) == before


def test_another_application_using_alembic_too_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other-alembic.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
    conn.execute("INSERT INTO alembic_version VALUES ('ae1027a6acf')")
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    before = FileSnapshot.of(path)
    with pytest.raises(NotAKawaOfficeDatabaseError):
        open_database(f"sqlite:///{path}")
    assert FileSnapshot.of(path) == before


def test_damaged_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "damaged.sqlite3"
    _real_db_with_rows(path)
    damage_sqlite_file(path)
    before = FileSnapshot.of(path)
    with pytest.raises(DamagedDatabaseError) as info:
        open_database(f"sqlite:///{path}")
    assert str(path) in info.value.message
    assert FileSnapshot.of(path) == before


def test_truncated_database_is_damaged(tmp_path: Path) -> None:
    path = tmp_path / "truncated.sqlite3"
    _real_db_with_rows(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    before = FileSnapshot.of(path)
    with pytest.raises(DamagedDatabaseError):
        open_database(f"sqlite:///{path}")
    assert FileSnapshot.of(path) == before


def test_a_folder_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(NotAKawaOfficeDatabaseError):
        open_database(str(tmp_path))


def test_every_storage_error_has_a_message() -> None:
    for error in (
        NotAKawaOfficeDatabaseError("x.db"),
        DamagedDatabaseError("x.db", "page 3"),
        DatabaseUnavailableError("x.db", "refused"),
    ):
        assert isinstance(error, StorageError)
        assert "x.db" in error.message
        assert str(error) == error.message


@pytest.mark.postgres
def test_postgres_database_with_foreign_tables_is_refused_and_left_alone(pg_server: PostgresServer) -> None:
    url = pg_server.create_database("kawa_foreign")
    db = Database.open(url)
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id serial PRIMARY KEY, total numeric)"))
    try:
        with pytest.raises(NotAKawaOfficeDatabaseError) as info:
            open_database(url)
        assert "s3cret" not in info.value.message
        assert set(inspect(db.engine).get_table_names()) == {"invoices"}
    finally:
        db.dispose()


@pytest.mark.postgres
def test_unreachable_server_is_unavailable(pg_server: PostgresServer) -> None:
    closed_port = make_url(pg_server.url("kawa")).set(port=1)
    with pytest.raises(DatabaseUnavailableError) as info:
        open_database(closed_port.render_as_string(hide_password=False))
    assert "127.0.0.1:1/kawa" in info.value.message


@pytest.mark.postgres
def test_unknown_login_and_missing_database_are_unavailable(pg_server: PostgresServer) -> None:
    wrong_user = make_url(pg_server.url("postgres")).set(username="nobody", password="s3cret")
    with pytest.raises(DatabaseUnavailableError) as info:
        open_database(wrong_user.render_as_string(hide_password=False))
    assert "nobody" in info.value.message
    assert "s3cret" not in info.value.message
    with pytest.raises(DatabaseUnavailableError, match="does_not_exist"):
        open_database(pg_server.url("does_not_exist"))


def test_in_memory_database_gets_the_schema() -> None:
    db = open_database("sqlite://")
    try:
        assert db.sqlite_path is None
        assert schema_status(db).state == "current"
        with db.session() as s:
            s.add(Organization(kind=OrganizationKind.MEMBER, name_ja="メモリ"))
        with db.session() as s:
            assert s.scalars(select(Organization.name_ja)).all() == ["メモリ"]
    finally:
        db.dispose()
