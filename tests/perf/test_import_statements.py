"""A partner import sends the same SQL statements whatever the number of rows: its preview reads the directory
once, its write is one bulk statement per table (one COPY each on PostgreSQL). A statement per row (a lookup, a
flush) would make the larger count grow and fails here; timings are measured by ``python -m benchmarks``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from kawaoffice.model.partners import Organization, Technology
from kawaoffice.services import partner_import as pi


def _csv(start: int, count: int) -> bytes:
    lines = ["会社名,英語名,区分,国,電話,メール,担当者,担当者メール,技術,入会日"]
    lines += [
        f"数え水道{i:04d}株式会社,Count Water {i:04d},会員,日本,044-201-{i:04d},info{i:04d}@count.example.jp,"
        f"川崎　花子{i:04d},hanako{i:04d}@count.example.jp,{'WT' if i % 2 else ''},2024/4/1"
        for i in range(start, start + count)
    ]
    return "\r\n".join(lines).encode()


@contextmanager
def _statements(session: Session) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = session.get_bind()

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement.split(None, 1)[0].upper())

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _import(session: Session, start: int, count: int) -> tuple[list[str], list[str]]:
    table = pi.read_table(_csv(start, count))
    mapping = pi.guess_mapping(table.headers)
    with _statements(session) as read:
        rows = pi.preview(session, table, mapping)
    assert all(r.ok and not r.duplicates for r in rows), [r.errors for r in rows if r.errors]
    with _statements(session) as written:
        result = pi.import_rows(session, rows)
    assert result.organizations == count
    return read, written


def test_an_imports_statements_do_not_grow_with_its_rows(session: Session) -> None:
    session.add(Technology(code="WT", name_ja="水処理", name_en="Water treatment"))
    session.flush()
    small = _import(session, 0, 4)
    large = _import(session, 100, 60)
    session.commit()
    assert small == large
    read, written = large
    assert len(read) <= 4 and set(read) == {"SELECT"}
    # SQLite: per table the largest id, one INSERT, the new ids; and the audit entries' INSERT. PostgreSQL: per
    # table one SELECT of new ids from its sequence (the COPYs go to psycopg directly)
    assert len(written) <= 16
    assert session.scalar(select(func.count()).select_from(Organization)) == 64
