"""Opening the database at start-up: check what it is, create or upgrade the schema, refuse what is not ours.

A foreign, damaged or newer database is never modified: SQLite files are inspected through a read-only
connection before any engine (which would switch on WAL) touches them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.pool import NullPool

from kawaoffice import paths
from kawaoffice.i18n import _
from kawaoffice.storage.credentials import with_stored_password
from kawaoffice.storage.database import (
    PG_CONNECT_TIMEOUT_S,
    Database,
    create_db_engine,
    display_name_of,
    normalize_url,
    sqlite_path_of,
)
from kawaoffice.storage.errors import (
    DatabaseUnavailableError,
    NewerSchemaError,
    NotAKawaOfficeDatabaseError,
    explain_connection_error,
)
from kawaoffice.storage.migrate import (
    SchemaStatus,
    head_revision,
    read_status,
    read_status_quick,
    upgrade_to_head,
)
from kawaoffice.storage.sqlite_file import inspect_sqlite_file, online_backup, timestamped_name

log = logging.getLogger(__name__)


def _driver_reason(exc: DBAPIError) -> str:
    """A translated explanation for the known connection failures, else the driver's first line."""
    return explain_connection_error(exc)


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
    url: str,
    user: str = "",
    *,
    upgrade: bool = True,
    backup_dir: Path | None = None,
    defer_integrity_check: bool = False,
) -> Database:
    """Open the database at ``url`` ready for use.

    - no database yet / no tables: the schema is created by migrating to head;
    - an older revision: upgraded to head (SQLite: a backup copy is written to ``backup_dir`` or the user's backup
      folder first);
    - a newer revision: ``NewerSchemaError``; another application's tables or a non-database file:
      ``NotAKawaOfficeDatabaseError``; a damaged SQLite file: ``DamagedDatabaseError``; server unreachable or login
      refused: ``DatabaseUnavailableError``. In these cases nothing is written.

    With ``upgrade=False`` an empty or older database is returned as it is (see ``schema_status``).

    ``defer_integrity_check=True`` (the app's start-up): a SQLite file already at head is opened without its
    ``PRAGMA quick_check``, which reads the whole file; the caller runs ``sqlite_file.check_integrity`` later.
    A file that is to be upgraded (or refused) is still checked first, as without the flag.
    """
    url = normalize_url(url)
    path = sqlite_path_of(url)
    if path is not None:
        return _open_sqlite(
            url, path, user, upgrade=upgrade, backup_dir=backup_dir, defer_check=defer_integrity_check
        )
    return _open_server(with_stored_password(url), user, upgrade=upgrade)


def _open_sqlite(
    url: str, path: Path, user: str, *, upgrade: bool, backup_dir: Path | None, defer_check: bool = False
) -> Database:
    location = str(path)
    status = inspect_sqlite_file(path, check_integrity=not defer_check)
    if defer_check and status is not None and status.state != "current":
        status = inspect_sqlite_file(path)  # about to be migrated or refused: damage is said first
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
            status = read_status_quick(conn)
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


@dataclass(frozen=True)
class ConnectionCheck:
    """What "Test connection" found: the server answers, its version and what the database holds."""

    location: str
    server_version: str
    state: str  # SchemaStatus.state: "empty", "current", "older", "newer", "foreign"
    revision: str | None

    def summary(self) -> str:
        states = {
            "empty": _("The database is empty; KawaOffice will create its tables."),
            "current": _("The database holds KawaOffice data of this version."),
            "older": _("The database holds KawaOffice data of an older version; it will be upgraded."),
            "newer": _("The database was written by a newer KawaOffice; please update KawaOffice."),
            "foreign": _("The database holds other tables; KawaOffice will not use it."),
        }
        return _("Connected to {location} ({version}). {state}").format(
            location=self.location, version=self.server_version, state=states.get(self.state, self.state)
        )


def check_connection(url: str, timeout: int = PG_CONNECT_TIMEOUT_S) -> ConnectionCheck:
    """Connect once to the server of ``url`` (at most ``timeout`` seconds) and read what the database holds;
    nothing is written. ``DatabaseUnavailableError`` with a translated reason when it fails. Meant to run off the
    UI thread ("Test connection")."""
    url = with_stored_password(normalize_url(url))
    location = display_name_of(url)
    if sqlite_path_of(url) is not None:
        db = Database.open(url)
        try:
            status = schema_status(db)
        finally:
            db.dispose()
        return ConnectionCheck(location, "SQLite", status.state, status.current)
    engine = create_db_engine(url, connect_args={"connect_timeout": max(1, int(timeout))}, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            version = str(conn.execute(text("SHOW server_version")).scalar() or "")
            status = read_status(conn)
    except DBAPIError as exc:
        log.info("connection test of %s failed: %s", location, exc.orig)
        raise DatabaseUnavailableError(location, explain_connection_error(exc)) from exc
    finally:
        engine.dispose()
    return ConnectionCheck(
        location, f"PostgreSQL {version.split()[0] if version else ''}".strip(), status.state, status.current
    )


__all__ = ["ConnectionCheck", "check_connection", "open_database", "schema_status"]
