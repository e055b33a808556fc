"""Opening the database at start-up: check what it is, create or upgrade the schema, refuse what is not ours.

A foreign, damaged or newer database is never modified: SQLite files are inspected through a read-only
connection before any engine (which would switch on WAL) touches them.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from kawaoffice import paths
from kawaoffice.i18n import _
from kawaoffice.storage.database import Database, normalize_url, sqlite_path_of
from kawaoffice.storage.errors import (
    DatabaseUnavailableError,
    NewerSchemaError,
    NotAKawaOfficeDatabaseError,
)
from kawaoffice.storage.migrate import SchemaStatus, head_revision, read_status, upgrade_to_head
from kawaoffice.storage.sqlite_file import inspect_sqlite_file, online_backup, timestamped_name

log = logging.getLogger(__name__)


def _driver_reason(exc: DBAPIError) -> str:
    """The driver's own explanation, first line only (psycopg adds hints on further lines)."""
    text = str(exc.orig) if exc.orig is not None else str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def _refuse(status: SchemaStatus, location: str) -> None:
    if status.state == "newer":
        raise NewerSchemaError(location, status.current or "?", status.head)
    if status.state == "foreign":
        raise NotAKawaOfficeDatabaseError(
            location, _("it holds other tables and no KawaOffice schema version")
        )


def schema_status(db: Database) -> SchemaStatus:
    """Where the database stands relative to this version's migrations (reads only)."""
    path = db.sqlite_path
    if path is not None:
        status = inspect_sqlite_file(path)
        return status if status is not None else SchemaStatus(None, head_revision(), "empty")
    try:
        with db.engine.connect() as conn:
            return read_status(conn)
    except (OperationalError, InterfaceError) as exc:
        raise DatabaseUnavailableError(db.display_name, _driver_reason(exc)) from exc


def open_database(
    url: str, user: str = "", *, upgrade: bool = True, backup_dir: Path | None = None
) -> Database:
    """Open the database at ``url`` ready for use.

    - no database yet / no tables: the schema is created by migrating to head;
    - an older revision: upgraded to head (SQLite: a backup copy is written to ``backup_dir`` or the user's backup
      folder first);
    - a newer revision: ``NewerSchemaError``; another application's tables or a non-database file:
      ``NotAKawaOfficeDatabaseError``; a damaged SQLite file: ``DamagedDatabaseError``; server unreachable or login
      refused: ``DatabaseUnavailableError``. In these cases nothing is written.

    With ``upgrade=False`` an empty or older database is returned as it is (see ``schema_status``).
    """
    url = normalize_url(url)
    path = sqlite_path_of(url)
    if path is not None:
        return _open_sqlite(url, path, user, upgrade=upgrade, backup_dir=backup_dir)
    return _open_server(url, user, upgrade=upgrade)


def _open_sqlite(url: str, path: Path, user: str, *, upgrade: bool, backup_dir: Path | None) -> Database:
    location = str(path)
    status = inspect_sqlite_file(path)
    if status is not None:
        _refuse(status, location)
        log.info(
            "SQLite database %s: %s (revision %s, head %s)",
            location,
            status.state,
            status.current,
            status.head,
        )
    else:
        log.info("SQLite database %s does not exist yet or is empty; creating it", location)
    if not upgrade:
        return Database.open(url, user)
    if status is None or status.state == "empty":
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseUnavailableError(location, exc.strerror or str(exc)) from exc
    elif status.state == "older":
        folder = backup_dir if backup_dir is not None else paths.backups_dir()
        stem = path.stem or "kawaoffice"
        dest = timestamped_name(f"{stem}-before-{status.head}", path.suffix or ".sqlite3", folder)
        online_backup(path, dest)
        log.info(
            "Backed up %s to %s before upgrading from %s to %s", location, dest, status.current, status.head
        )
    db = Database.open(url, user)
    if status is None or status.state in ("empty", "older"):
        try:
            before = upgrade_to_head(db.engine)
        except OperationalError as exc:
            db.dispose()
            raise DatabaseUnavailableError(location, _driver_reason(exc)) from exc
        except BaseException:
            db.dispose()
            raise
        _refuse(before, location)
    return db


def _open_server(url: str, user: str, *, upgrade: bool) -> Database:
    db = Database.open(url, user)
    location = db.display_name
    try:
        with db.engine.connect() as conn:
            status = read_status(conn)
        _refuse(status, location)
        log.info(
            "Database %s: %s (revision %s, head %s)", location, status.state, status.current, status.head
        )
        if upgrade and status.state in ("empty", "older"):
            before = upgrade_to_head(db.engine)
            _refuse(before, location)
    except (OperationalError, InterfaceError) as exc:
        db.dispose()
        raise DatabaseUnavailableError(location, _driver_reason(exc)) from exc
    except BaseException:
        db.dispose()
        raise
    return db


__all__ = ["open_database", "schema_status"]
