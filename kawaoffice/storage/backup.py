"""Backups and restores of the KawaOffice database, and a summary of what it holds."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from kawaoffice import model, paths
from kawaoffice.i18n import _
from kawaoffice.storage.database import Database, display_name_of, normalize_url, sqlite_path_of
from kawaoffice.storage.errors import (
    DatabaseUnavailableError,
    NewerSchemaError,
    NotAKawaOfficeDatabaseError,
    StorageError,
)
from kawaoffice.storage.migrate import VERSION_TABLE, head_revision
from kawaoffice.storage.sqlite_file import inspect_sqlite_file, online_backup, timestamped_name

log = logging.getLogger(__name__)

BACKUP_PREFIX = "kawaoffice"
PG_DUMP_TIMEOUT_S = 3600


def backup_database(db: Database, dest: Path | None = None) -> Path:
    """Write a backup of ``db`` and return its path.

    SQLite: a consistent copy made with the online backup API (safe while the app is running).
    PostgreSQL: ``pg_dump --format=custom`` when ``pg_dump`` is installed (restore it with ``pg_restore``).
    ``dest`` may be a file or an existing folder; by default a timestamped file in the user's backup folder.
    """
    path = db.sqlite_path
    if path is not None:
        target = _backup_target(dest, ".sqlite3")
        try:
            online_backup(path, target)
        except sqlite3.Error as exc:
            raise StorageError(
                _("The backup of {location} failed: {detail}").format(location=str(path), detail=str(exc))
            ) from exc
        except OSError as exc:
            raise StorageError(
                _("The backup could not be written to {dest}: {detail}").format(
                    dest=str(target), detail=exc.strerror or str(exc)
                )
            ) from exc
        log.info("Backed up %s to %s", path, target)
        return target
    if db.backend == "postgresql":
        return _pg_dump(db, _backup_target(dest, ".dump"))
    raise StorageError(
        _("Backups of {location} are not supported.").format(location=db.display_name)
    )  # pragma: no cover - only SQLite and PostgreSQL are supported


def _backup_target(dest: Path | None, suffix: str) -> Path:
    if dest is None:
        return timestamped_name(BACKUP_PREFIX, suffix, paths.backups_dir())
    if dest.is_dir():
        return timestamped_name(BACKUP_PREFIX, suffix, dest)
    return dest


def _pg_dump(db: Database, target: Path) -> Path:
    exe = shutil.which("pg_dump")
    if exe is None:
        raise StorageError(
            _(
                "pg_dump was not found, so KawaOffice cannot back up the shared database {location}. "
                "Install the PostgreSQL client tools or ask the server's administrator for a backup."
            ).format(location=db.display_name)
        )
    url = db.engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    cmd = [exe, "--format=custom", "--no-owner", "--file", str(target), "--dbname", str(url.database or "")]
    if url.host:
        cmd += ["--host", url.host]
    if url.port:
        cmd += ["--port", str(url.port)]
    if url.username:
        cmd += ["--username", url.username]
    cmd.append("--no-password")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=PG_DUMP_TIMEOUT_S)
    except (OSError, subprocess.SubprocessError) as exc:
        raise StorageError(
            _("The backup of {location} failed: {detail}").format(location=db.display_name, detail=str(exc))
        ) from exc
    if result.returncode != 0:
        target.unlink(missing_ok=True)
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise StorageError(
            _("The backup of {location} failed: {detail}").format(
                location=db.display_name, detail=detail[0] if detail else str(result.returncode)
            )
        )
    log.info("Backed up %s to %s with pg_dump", db.display_name, target)
    return target


def restore_database(url: str, src: Path) -> Path | None:
    """Replace the SQLite database at ``url`` with the backup ``src``.

    ``src`` must be a KawaOffice database no newer than this version (an older one is upgraded the next time it is
    opened). The current file is first saved to the user's backup folder; the path of that safety copy is returned
    (``None`` when there was no database to save). Close every connection to the database before calling this.
    PostgreSQL databases are restored with ``pg_restore``, not from the app.
    """
    url = normalize_url(url)
    target = sqlite_path_of(url)
    if target is None:
        if make_url(url).get_backend_name() == "postgresql":
            raise StorageError(
                _(
                    "Restoring the shared PostgreSQL database {location} is not supported from KawaOffice. "
                    "Ask the server's administrator to restore the backup with pg_restore."
                ).format(location=display_name_of(url))
            )
        raise StorageError(_("Only a database file can be restored."))
    status = inspect_sqlite_file(src)
    if status is None or status.state in ("empty", "foreign"):
        raise NotAKawaOfficeDatabaseError(str(src), _("it is not a KawaOffice backup"))
    if status.state == "newer":
        raise NewerSchemaError(str(src), status.current or "?", status.head)
    if target.exists() and src.resolve() == target.resolve():
        raise StorageError(_("The backup to restore is the database itself."))
    safety = _save_current(target)
    tmp = target.with_name(target.name + ".restoring")
    try:
        online_backup(src, tmp)
        for side in ("-wal", "-shm", "-journal"):
            target.with_name(target.name + side).unlink(missing_ok=True)
        os.replace(tmp, target)
    except (OSError, sqlite3.Error) as exc:
        tmp.unlink(missing_ok=True)
        raise StorageError(
            _("Restoring {src} to {location} failed: {detail}").format(
                src=str(src), location=str(target), detail=str(exc)
            )
        ) from exc
    log.info("Restored %s from %s (previous file saved to %s)", target, src, safety)
    return safety


def _save_current(target: Path) -> Path | None:
    """Save the file about to be replaced: with the backup API when it is sound, byte for byte when it is not."""
    if not target.exists() or target.stat().st_size == 0:
        return None
    dest = timestamped_name(
        f"{target.stem or BACKUP_PREFIX}-before-restore", target.suffix or ".sqlite3", paths.backups_dir()
    )
    try:
        inspect_sqlite_file(target)
        return online_backup(target, dest)
    except (StorageError, sqlite3.Error):
        pass  # damaged or not a database: keep exactly what was there
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(target, dest)
    wal = target.with_name(target.name + "-wal")
    if wal.exists():
        shutil.copy2(wal, dest.with_name(dest.name + "-wal"))
    return dest


@dataclass(frozen=True)
class DatabaseInfo:
    display_name: str
    backend: str
    revision: str | None
    head: str
    counts: dict[str, int] = field(default_factory=dict)
    size_bytes: int | None = None


def database_info(db: Database) -> DatabaseInfo:
    """What the database is and holds: its name, schema revision, rows per table and size on disk."""
    counts: dict[str, int] = {}
    revision: str | None = None
    size: int | None = None
    try:
        with db.engine.connect() as conn:
            existing = set(inspect(conn).get_table_names())
            if VERSION_TABLE in existing:
                revision = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
            for table in model.Base.metadata.sorted_tables:
                if table.name in existing:
                    counts[table.name] = int(
                        conn.execute(select(func.count()).select_from(table)).scalar_one()
                    )
            if db.backend == "postgresql":
                size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
    except OperationalError as exc:
        raise DatabaseUnavailableError(db.display_name, str(exc.orig).strip().splitlines()[0]) from exc
    path = db.sqlite_path
    if path is not None and path.exists():
        size = path.stat().st_size
        wal = path.with_name(path.name + "-wal")
        if wal.exists():
            size += wal.stat().st_size
    return DatabaseInfo(
        display_name=db.display_name,
        backend=db.backend,
        revision=revision,
        head=head_revision(),
        counts=dict(sorted(counts.items())),
        size_bytes=int(size) if size is not None else None,
    )
