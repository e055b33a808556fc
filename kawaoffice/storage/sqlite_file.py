"""Looking at a SQLite file without changing it, and copying one with SQLite's online backup API."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path, PurePath
from urllib.parse import quote

from kawaoffice.i18n import _
from kawaoffice.storage.errors import (
    DamagedDatabaseError,
    DatabaseUnavailableError,
    NotAKawaOfficeDatabaseError,
)
from kawaoffice.storage.migrate import SchemaStatus, read_sqlite_status

SQLITE_HEADER = b"SQLite format 3\x00"
SQLITE_HEADER_SIZE = 100


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection: no pragma, no journal change, nothing written to the file.

    A WAL-mode file that nobody has open (no ``-wal``/``-shm`` beside it) is opened ``immutable``: a plain
    read-only connection would create those two files and, unable to checkpoint, leave them behind.
    """
    resolved = path.resolve()
    params = "mode=ro"
    if _is_wal_file(resolved) and not any(
        resolved.with_name(resolved.name + side).exists() for side in ("-wal", "-shm")
    ):
        params += "&immutable=1"
    return sqlite3.connect(sqlite_uri(resolved, params), uri=True)


def sqlite_uri(path: PurePath, params: str = "") -> str:
    """A SQLite ``file:`` URI for an absolute path, also for Windows drive letters and UNC shares.

    ``Path.as_uri()`` turns ``\\\\server\\share`` into ``file://server/share``, whose authority SQLite refuses;
    ``file:////server/share/...`` (empty authority) is what SQLite hands to Windows as ``//server/share/...``.
    """
    text = str(path).replace("\\", "/")
    if not text.startswith("/"):
        text = "/" + text  # C:/Users/... -> /C:/Users/...
    uri = "file://" + quote(text, safe="/:")
    return f"{uri}?{params}" if params else uri


def _is_wal_file(path: Path) -> bool:
    """Bytes 18 and 19 of the SQLite header are 2 for a database in WAL mode."""
    try:
        with path.open("rb") as f:
            header = f.read(20)
    except OSError:
        return False
    return len(header) == 20 and header.startswith(SQLITE_HEADER) and header[18] == 2 and header[19] == 2


def inspect_sqlite_file(path: Path, *, check_integrity: bool = True) -> SchemaStatus | None:
    """The schema status of an existing SQLite file, read only; ``None`` when there is no file or it is empty.

    Raises ``NotAKawaOfficeDatabaseError`` for a file that is not SQLite, ``DamagedDatabaseError`` when
    ``PRAGMA quick_check`` finds damage and ``DatabaseUnavailableError`` when the file cannot be read. Whether the
    schema is ours (``foreign``/``newer``...) is left to the caller, which reads ``SchemaStatus.state``.

    ``check_integrity=False`` leaves out the ``quick_check`` (it reads the whole file: ~0.6 s for 170 MB); the
    caller then runs :func:`check_integrity` later (the app: in the background once its window is shown).
    """
    location = str(path)
    try:
        if not path.exists():
            return None
        if path.is_dir():
            raise NotAKawaOfficeDatabaseError(location, _("it is a folder"))
        size = path.stat().st_size
        if size == 0:
            return None
        with path.open("rb") as f:
            header = f.read(SQLITE_HEADER_SIZE)
    except OSError as exc:
        raise DatabaseUnavailableError(location, exc.strerror or str(exc)) from exc
    if not header.startswith(SQLITE_HEADER):
        raise NotAKawaOfficeDatabaseError(location, _("it is not a SQLite database file"))
    if len(header) < SQLITE_HEADER_SIZE:
        raise DamagedDatabaseError(location, _("the file is truncated"))
    try:
        conn = connect_read_only(path)
    except sqlite3.Error as exc:
        raise DatabaseUnavailableError(location, str(exc)) from exc
    try:
        if check_integrity:
            _quick_check(conn, location)
        try:
            return read_sqlite_status(conn)
        except sqlite3.DatabaseError as exc:
            raise DamagedDatabaseError(location, str(exc)) from exc
    finally:
        conn.close()


def check_integrity(path: Path) -> None:
    """``PRAGMA quick_check`` of an existing SQLite file through a read-only connection (safe while the app uses
    the file). ``DamagedDatabaseError`` when it finds damage, ``DatabaseUnavailableError`` when the file cannot
    be read. Python's sqlite3 releases the GIL while SQLite works, so a worker thread leaves the UI responsive."""
    location = str(path)
    try:
        conn = connect_read_only(path)
    except sqlite3.Error as exc:
        raise DatabaseUnavailableError(location, str(exc)) from exc
    try:
        _quick_check(conn, location)
    finally:
        conn.close()


def _quick_check(conn: sqlite3.Connection, location: str) -> None:
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.OperationalError as exc:
        if _is_busy_or_io(exc):
            raise DatabaseUnavailableError(location, str(exc)) from exc
        raise DamagedDatabaseError(location, str(exc)) from exc
    except sqlite3.DatabaseError as exc:
        raise DamagedDatabaseError(location, str(exc)) from exc
    if [r[0] for r in rows] != ["ok"]:
        raise DamagedDatabaseError(location, "; ".join(str(r[0]) for r in rows[:3]))


def _is_busy_or_io(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text or "unable to open" in text


def timestamped_name(prefix: str, suffix: str, folder: Path) -> Path:
    """``folder/prefix-YYYYmmdd-HHMMSS.suffix``, with ``-2``, ``-3``... when that name is taken."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = folder / f"{prefix}-{stamp}{suffix}"
    n = 2
    while candidate.exists():
        candidate = folder / f"{prefix}-{stamp}-{n}{suffix}"
        n += 1
    return candidate


def online_backup(source: Path, dest: Path) -> Path:
    """Copy ``source`` to ``dest`` with SQLite's online backup API (consistent even while others write).

    Writes to a temporary name next to ``dest`` and renames it, so ``dest`` is never half written.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    tmp.unlink(missing_ok=True)
    src_conn = connect_read_only(source)
    try:
        dst_conn = sqlite3.connect(tmp)
        try:
            src_conn.backup(dst_conn)
        finally:
            dst_conn.close()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        src_conn.close()
    os.replace(tmp, dest)
    return dest
