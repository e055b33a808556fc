"""Copy local data to a new shared database: the one-time move of an office's SQLite data into PostgreSQL.

1. The target must be a new, empty database (no tables, or only an empty KawaOffice schema); anything else is
   refused and left untouched.
2. Its schema is created by the migrations (as the app does for a new database).
3. Every table is copied in dependency order (parents before children) in ONE transaction: if anything fails,
   the target is left as empty as before.
4. PostgreSQL's id sequences are set past the copied ids (new records get fresh numbers).
5. The rows of every table are counted in the source and the target; a difference is an error.

A SQLite source is read from a copy made with the online backup API: a consistent snapshot even while the app\nis writing to it.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Integer, Table, func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from kawaoffice import model
from kawaoffice.i18n import _
from kawaoffice.storage.credentials import with_stored_password
from kawaoffice.storage.database import Database, display_name_of, normalize_url
from kawaoffice.storage.errors import StorageError
from kawaoffice.storage.migrate import VERSION_TABLE, read_status
from kawaoffice.storage.opening import open_database
from kawaoffice.storage.sqlite_file import online_backup

log = logging.getLogger(__name__)

BATCH = 1000
Progress = Callable[[int, int, str], None]  # (tables done, tables in all, table being copied)


class TargetNotEmptyError(StorageError):
    def __init__(self, location: str, detail: str) -> None:
        self.location = location
        self.detail = detail
        super().__init__(
            _(
                "The database {location} is not empty ({detail}). Local data can only be copied into a new, "
                "empty database. Nothing was changed."
            ).format(location=location, detail=detail)
        )


class CountMismatchError(StorageError):
    def __init__(self, mismatches: dict[str, tuple[int, int]]) -> None:
        self.mismatches = mismatches
        listing = ", ".join(f"{t}: {a} → {b}" for t, (a, b) in sorted(mismatches.items()))
        super().__init__(
            _("After copying, the row counts differ: {listing}. Do not use the new database.").format(
                listing=listing
            )
        )


@dataclass(frozen=True)
class TransferReport:
    source: str
    target: str
    counts: dict[str, tuple[int, int]]  # table -> (rows in the source, rows in the target)

    @property
    def total(self) -> int:
        return sum(a for a, _b in self.counts.values())

    @property
    def ok(self) -> bool:
        return all(a == b for a, b in self.counts.values())

    def lines(self) -> list[str]:
        return [f"{table}: {a} / {b}" for table, (a, b) in self.counts.items()]


def copy_tables() -> list[Table]:
    """The tables to copy, parents before children (the migrations' version table is the target's own)."""
    return [t for t in model.Base.metadata.sorted_tables if t.name != VERSION_TABLE]


def _check_empty(conn: Connection, location: str) -> None:
    status = read_status(conn)
    if status.state == "foreign":
        raise TargetNotEmptyError(location, _("it holds other tables"))
    if status.state == "newer":
        raise TargetNotEmptyError(location, _("it was written by a newer KawaOffice"))
    existing = set(inspect(conn).get_table_names())
    filled = [
        t.name
        for t in copy_tables()
        if t.name in existing and conn.execute(select(func.count()).select_from(t)).scalar_one()
    ]
    if filled:
        raise TargetNotEmptyError(location, _("records in: {tables}").format(tables=", ".join(filled)))


def count_rows(conn: Connection, tables: list[Table]) -> dict[str, int]:
    return {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one()) for t in tables}


def _fix_sequences(conn: Connection, tables: list[Table]) -> None:
    """Set each serial/identity sequence past the largest copied id (PostgreSQL)."""
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        column = pk[0].name
        sequence = conn.execute(
            text("SELECT pg_get_serial_sequence(:table, :column)"), {"table": table.name, "column": column}
        ).scalar()
        if not sequence:
            continue
        conn.execute(
            text(
                f'SELECT setval(:seq, COALESCE((SELECT MAX("{column}") FROM "{table.name}"), 1), '
                f'(SELECT MAX("{column}") FROM "{table.name}") IS NOT NULL)'
            ),
            {"seq": sequence},
        )


@contextmanager
def _snapshot(source: Database) -> Iterator[Database]:
    """A consistent view of the source: for a SQLite file, a copy made with the online backup API (the app may
    keep writing to the original meanwhile); otherwise the source itself."""
    path = source.sqlite_path
    if path is None:
        yield source
        return
    with tempfile.TemporaryDirectory(prefix="kawaoffice-copy-") as folder:
        copy = online_backup(path, Path(folder) / "snapshot.sqlite3")
        snapshot = Database.open(str(copy))
        try:
            yield snapshot
        finally:
            snapshot.dispose()


def copy_to_new_database(
    source: Database, target_url: str, progress: Progress | None = None
) -> TransferReport:
    """Copy everything in ``source`` into the new, empty database at ``target_url`` (see the module's doc).

    Raises ``TargetNotEmptyError`` (nothing changed), ``DatabaseUnavailableError`` / other ``StorageError``s,
    or ``CountMismatchError`` after the copy if the counts differ (should never happen; the report says where).
    """
    target_url = with_stored_password(normalize_url(target_url))
    location = display_name_of(target_url)
    if display_name_of(source.url) == location:
        raise StorageError(_("The source and the target are the same database."))
    tables = copy_tables()
    probe = Database.open(target_url, source.user)
    try:
        with probe.engine.connect() as conn:
            _check_empty(conn, location)
    except DBAPIError:
        pass  # unreachable server, wrong login...: open_database below raises its translated error
    finally:
        probe.dispose()
    target = open_database(target_url, source.user)  # creates the schema by the migrations
    try:
        with target.engine.connect() as conn:
            _check_empty(conn, location)  # again: someone may have opened it with the app meanwhile
        with _snapshot(source) as snapshot, snapshot.engine.connect() as src, target.engine.begin() as dst:
            for done, table in enumerate(tables):
                if progress is not None:
                    progress(done, len(tables), table.name)
                pk = list(table.primary_key.columns)
                result = src.execute(select(table).order_by(*pk))
                copied = 0
                for part in result.mappings().partitions(BATCH):
                    dst.execute(table.insert(), [dict(row) for row in part])
                    copied += len(part)
                log.info("copied %d rows of %s", copied, table.name)
            if target.backend == "postgresql":
                _fix_sequences(dst, tables)
            source_counts = count_rows(src, tables)
        if progress is not None:
            progress(len(tables), len(tables), "")
        with target.engine.connect() as conn:
            target_counts = count_rows(conn, tables)
    finally:
        target.dispose()
    counts = {t.name: (source_counts[t.name], target_counts[t.name]) for t in tables}
    report = TransferReport(source.display_name, location, counts)
    mismatches = {name: pair for name, pair in counts.items() if pair[0] != pair[1]}
    if mismatches:
        raise CountMismatchError(mismatches)
    log.info("copied %d rows from %s to %s; counts checked", report.total, source.display_name, location)
    return report


__all__ = [
    "CountMismatchError",
    "TargetNotEmptyError",
    "TransferReport",
    "copy_tables",
    "copy_to_new_database",
]
