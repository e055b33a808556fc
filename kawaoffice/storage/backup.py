"""Backups and restores of the KawaOffice database, and a summary of what it holds."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
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


# --- daily backups with rotation ------------------------------------------------------------------------------

DAILY_TAG = "daily"


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken: datetime  # from the name when it has a date, else the file's modification time
    size_bytes: int
    kind: str  # "daily", "before-upgrade", "before-restore", "manual"


def _daily_name(db_path: Path, day: date) -> str:
    return f"{db_path.stem or BACKUP_PREFIX}-{DAILY_TAG}-{day:%Y%m%d}{db_path.suffix or '.sqlite3'}"


_DAILY_RE = re.compile(r"^(?P<stem>.+)-" + DAILY_TAG + r"-(?P<day>\d{8})(?P<suffix>\.[^.]+)$")
_STAMP_RE = re.compile(r"-(?P<stamp>\d{8}-\d{6})(?:-\d+)?\.[^.]+$")


def daily_backup(
    db: Database,
    folder: Path | None = None,
    *,
    keep_daily: int = 7,
    keep_weekly: int = 4,
    today: date | None = None,
) -> Path | None:
    """Once a day: back the SQLite database up (online backup API) to ``folder`` (default: the user's backup
    folder) as ``<name>-daily-YYYYmmdd.sqlite3``, then rotate. Returns the new backup's path, ``None`` when today's
    already exists or the database is not a local file. Failures raise ``StorageError`` (the app logs them and
    goes on: a missing backup must not stop the office's work)."""
    path = db.sqlite_path
    if path is None or not path.exists():
        return None
    folder = folder if folder is not None else paths.backups_dir()
    day = today or date.today()
    dest = folder / _daily_name(path, day)
    if dest.exists():
        return None
    result = backup_database(db, dest)
    removed = rotate_daily_backups(folder, path, keep_daily=keep_daily, keep_weekly=keep_weekly)
    log.info("daily backup %s written; %d old daily backups removed", result, len(removed))
    return result


def rotate_daily_backups(
    folder: Path, db_path: Path, *, keep_daily: int = 7, keep_weekly: int = 4
) -> list[Path]:
    """Keep the newest ``keep_daily`` daily backups of ``db_path``, plus the newest backup of each of the
    ``keep_weekly`` most recent ISO weeks before those; delete the other daily ones. Other backups (before an
    upgrade or a restore, made by hand) are never deleted. Returns the deleted paths."""
    stem = db_path.stem or BACKUP_PREFIX
    dailies: list[tuple[date, Path]] = []
    for candidate in folder.glob(f"{stem}-{DAILY_TAG}-*"):
        match = _DAILY_RE.match(candidate.name)
        if match is None or match["stem"] != stem:
            continue
        try:
            day = datetime.strptime(match["day"], "%Y%m%d").date()
        except ValueError:
            continue
        dailies.append((day, candidate))
    dailies.sort(reverse=True)
    keep = {p for _d, p in dailies[: max(keep_daily, 1)]}
    weeks: set[tuple[int, int]] = set()
    for day, candidate in dailies[max(keep_daily, 1) :]:
        week = day.isocalendar()[:2]
        if week not in weeks and len(weeks) < keep_weekly:
            weeks.add(week)
            keep.add(candidate)
    removed = []
    for _day, candidate in dailies:
        if candidate not in keep:
            try:
                candidate.unlink()
                removed.append(candidate)
            except OSError as exc:
                log.warning("could not delete the old backup %s: %s", candidate, exc)
    return removed


def list_backups(folder: Path | None = None) -> list[BackupFile]:
    """The SQLite backups in ``folder`` (default: the user's backup folder), newest first."""
    folder = folder if folder is not None else paths.backups_dir()
    if not folder.is_dir():
        return []
    found: list[BackupFile] = []
    for candidate in folder.iterdir():
        if not candidate.is_file() or candidate.suffix.lower() not in (".sqlite3", ".sqlite", ".db"):
            continue
        try:
            stat = candidate.stat()
        except OSError:
            continue
        taken = datetime.fromtimestamp(stat.st_mtime)
        name = candidate.name
        if (daily := _DAILY_RE.match(name)) is not None:
            kind = DAILY_TAG
        elif "-before-restore" in name:
            kind = "before-restore"
        elif "-before-" in name:
            kind = "before-upgrade"
        else:
            kind = "manual"
        if (stamp := _STAMP_RE.search(name)) is not None:
            with contextlib.suppress(ValueError):
                taken = datetime.strptime(stamp["stamp"], "%Y%m%d-%H%M%S")
        elif daily is not None and kind == DAILY_TAG:
            with contextlib.suppress(ValueError):
                day = datetime.strptime(daily["day"], "%Y%m%d")
                mtime = datetime.fromtimestamp(stat.st_mtime)
                taken = mtime if mtime.date() == day.date() else day
        found.append(BackupFile(candidate, taken, stat.st_size, kind))
    found.sort(key=lambda b: (b.taken, b.path.name), reverse=True)
    return found


# --- database files on a network share ------------------------------------------------------------------------

NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "afs", "ncpfs", "9p", "ceph", "glusterfs",
        "fuse.sshfs", "sshfs", "fuse.gvfsd-fuse", "fuse.rclone", "davfs", "fuse.davfs2", "lustre", "gpfs",
    }
)  # fmt: skip
DRIVE_REMOTE = 4  # GetDriveTypeW


def _decode_mount_field(text: str) -> str:
    """/proc/mounts escapes spaces, tabs, newlines and backslashes as octal (``\\040``)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), text)


def network_share_of(
    path: Path | str,
    *,
    platform: str | None = None,
    mounts: str | None = None,
    drive_type: Callable[[str], int] | None = None,
) -> str | None:
    """Why ``path`` looks like a file on a network share (the share or file system), else ``None``.

    SQLite's own documentation advises against databases on network file systems (locking is unreliable there);
    the app then recommends the shared PostgreSQL server.
    - Windows: a UNC path (``\\\\server\\share\\...``) or a drive letter whose type is DRIVE_REMOTE (a mapped
      network drive; ``drive_type`` defaults to ``GetDriveTypeW``).
    - Linux: the mount holding the path (longest mount point in ``/proc/mounts``) has a network file system.
    ``platform`` and ``mounts`` (the text of /proc/mounts) let tests feed in other machines."""
    platform = platform or sys.platform
    text_path = str(path)
    if platform.startswith("win"):
        normalized = text_path.replace("/", "\\")
        if normalized.startswith("\\\\?\\UNC\\"):
            normalized = "\\\\" + normalized[8:]
        if (
            normalized.startswith("\\\\")
            and not normalized.startswith("\\\\?\\")
            and not normalized.startswith("\\\\.\\")
        ):
            parts = [p for p in normalized[2:].split("\\") if p]
            return "\\\\" + "\\".join(parts[:2]) if parts else normalized
        if len(normalized) >= 2 and normalized[1] == ":":
            root = normalized[:2].upper() + "\\"
            probe = drive_type or _windows_drive_type
            try:
                if probe(root) == DRIVE_REMOTE:
                    return root
            except OSError:
                return None
        return None
    if platform.startswith("linux"):
        if mounts is None:
            try:
                mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
            except OSError:
                return None
            target = _resolved(text_path)  # a symlink into a share counts as the share
        else:
            target = os.path.abspath(text_path)
        best: tuple[int, str, str] | None = None
        for line in mounts.splitlines():
            fields = line.split()
            if len(fields) < 3:
                continue
            source, mount_point, fstype = (
                _decode_mount_field(fields[0]),
                _decode_mount_field(fields[1]),
                fields[2],
            )
            prefix = mount_point.rstrip("/") + "/"
            if (target == mount_point or target.startswith(prefix) or mount_point == "/") and (
                best is None or len(mount_point) > best[0]
            ):
                best = (len(mount_point), fstype, source)
        if best is not None and best[1].lower() in NETWORK_FILESYSTEMS:
            return f"{best[2]} ({best[1]})"
        return None
    return None


def _resolved(text_path: str) -> str:
    try:
        return str(Path(text_path).resolve())
    except OSError:
        return text_path


def _windows_drive_type(root: str) -> int:  # pragma: no cover - Windows only
    import ctypes

    windll = getattr(ctypes, "windll", None)
    if windll is None:
        return 0
    return int(windll.kernel32.GetDriveTypeW(root))
