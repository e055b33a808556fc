"""The few libpq calls the start-up preview's reader needs (log in, one statement, text results), made through
``ctypes`` on the libpq that psycopg itself uses (the one bundled with ``psycopg_binary``), without importing
psycopg (issue 10).

Importing psycopg costs ~0.18 s (its C module, ``psycopg.errors``, ``asyncio``, ``importlib.metadata``, the type
adapters, ``typing_extensions``...): most of what the reader process spent before the page could be asked for. The
login is libpq's own in both cases (the same library file: scram, md5, TLS, ``.pgpass``, ``PGPASSWORD``, service
files and timeouts behave as for psycopg), so nothing about authentication is implemented here.

``connect`` raises ``LibpqUnavailable`` when psycopg's bundled libpq is not found or cannot be loaded (psycopg
installed with its C extension against a system libpq, or its pure-Python one): the caller then uses psycopg.

Nothing here is imported by the app's own database code (SQLAlchemy + psycopg); error texts of the server are
never put in an exception (they may name the user or the database): only their kind.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # (typing's own costs a few ms of the reader's start; mypy reads this name as True)
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

CONNECTION_OK = 0
PGRES_TUPLES_OK = 2

# Where a psycopg_binary wheel (and the frozen app, which keeps the wheel's layout) has its libpq: next to the
# package in ``psycopg_binary.libs`` (Linux: auditwheel; Windows: delvewheel), or in ``psycopg_binary/.dylibs``
# (macOS: delocate).
_LIB_FOLDERS = ("psycopg_binary.libs", os.path.join("psycopg_binary", ".dylibs"))
_LIB_PREFIXES = ("libpq-", "libpq.")


class LibpqUnavailable(Exception):
    """psycopg's bundled libpq was not found or could not be loaded (use psycopg instead)."""


class ConnectionFailed(Exception):
    """The server could not be reached, refused the login, or the connection broke."""


class StatementFailed(Exception):
    """The server answered the statement with an error (no such table, no permission...)."""


def library_path(search_path: Sequence[str] | None = None) -> str | None:
    """The libpq file of the installed ``psycopg_binary`` (found on ``sys.path`` without importing the package),
    or ``None``."""
    for entry in search_path if search_path is not None else sys.path:
        for folder in _LIB_FOLDERS:
            where = os.path.join(entry or os.curdir, folder)
            try:
                names = sorted(os.listdir(where))
            except OSError:
                continue
            for name in names:
                if name.startswith(_LIB_PREFIXES) and (".so" in name or name.endswith((".dll", ".dylib"))):
                    return os.path.join(where, name)
    return None


_lib: Any = None


def load() -> None:
    """Load libpq now (``LibpqUnavailable`` when it is not there); ``connect`` loads it otherwise."""
    _library()


def _library() -> Any:
    global _lib
    if _lib is not None:
        return _lib
    path = library_path()
    if path is None:
        raise LibpqUnavailable("psycopg_binary's libpq not found")
    import ctypes

    try:
        lib = ctypes.CDLL(path)
    except OSError as exc:
        raise LibpqUnavailable(type(exc).__name__) from exc
    p, c_int, c_char_p = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p
    lib.PQconnectdbParams.argtypes = [ctypes.POINTER(c_char_p), ctypes.POINTER(c_char_p), c_int]
    lib.PQconnectdbParams.restype = p
    lib.PQstatus.argtypes = [p]
    lib.PQstatus.restype = c_int
    lib.PQfinish.argtypes = [p]
    lib.PQfinish.restype = None
    lib.PQexecParams.argtypes = [p, c_char_p, c_int, p, ctypes.POINTER(c_char_p), p, p, c_int]
    lib.PQexecParams.restype = p
    lib.PQresultStatus.argtypes = [p]
    lib.PQresultStatus.restype = c_int
    lib.PQntuples.argtypes = [p]
    lib.PQntuples.restype = c_int
    lib.PQnfields.argtypes = [p]
    lib.PQnfields.restype = c_int
    lib.PQgetvalue.argtypes = [p, c_int, c_int]
    lib.PQgetvalue.restype = c_char_p
    lib.PQgetisnull.argtypes = [p, c_int, c_int]
    lib.PQgetisnull.restype = c_int
    lib.PQclear.argtypes = [p]
    lib.PQclear.restype = None
    _lib = lib
    return lib


def _strings(values: Sequence[str | None]) -> Any:
    import ctypes

    array = (ctypes.c_char_p * len(values))()
    for i, value in enumerate(values):
        array[i] = value.encode() if value is not None else None
    return array


class Connection:
    """A libpq connection (``connect``); ``close()`` ends it."""

    def __init__(self, lib: Any, handle: int) -> None:
        self._lib = lib
        self._handle: int | None = handle

    def fetch_all(self, sql: str, params: Sequence[object] = ()) -> list[tuple[str | None, ...]]:
        """The rows of one statement (``$1``... placeholders, parameters sent as text), each value the server's
        text of it (``None`` for NULL)."""
        lib, handle = self._lib, self._handle
        if handle is None:
            raise ConnectionFailed("closed")
        values = _strings([str(v) if v is not None else None for v in params])
        result = lib.PQexecParams(handle, sql.encode(), len(params), None, values, None, None, 0)
        if not result:
            raise ConnectionFailed("no result")
        try:
            if lib.PQresultStatus(result) != PGRES_TUPLES_OK:
                if lib.PQstatus(handle) != CONNECTION_OK:
                    raise ConnectionFailed("connection lost")
                raise StatementFailed("the server did not run the statement")
            get, isnull = lib.PQgetvalue, lib.PQgetisnull
            columns = range(lib.PQnfields(result))
            rows: list[tuple[str | None, ...]] = []
            for r in range(lib.PQntuples(result)):
                row: list[str | None] = []
                for c in columns:
                    value = get(result, r, c)
                    # (libpq gives "" for NULL too: only an empty text needs the second call)
                    row.append(value.decode() if value or not isnull(result, r, c) else None)
                rows.append(tuple(row))
            return rows
        finally:
            lib.PQclear(result)

    def close(self) -> None:
        if self._handle is not None:
            self._lib.PQfinish(self._handle)
            self._handle = None


def connect(params: Mapping[str, str | int | None]) -> Connection:
    """Log in with libpq's connection keywords (``host``, ``port``, ``user``, ``password``, ``dbname``,
    ``connect_timeout``, ``application_name``, ``options``...; ``None`` and ``""`` left out, so libpq's own
    defaults and environment apply as for psycopg). ``dbname`` is never read as a connection string."""
    lib = _library()
    given = {k: str(v) for k, v in params.items() if v is not None and v != ""}
    # (the texts are decoded as UTF-8, whatever the server's default)
    given.setdefault("client_encoding", "UTF8")
    keywords = _strings([*given, None])
    values = _strings([*given.values(), None])
    handle = lib.PQconnectdbParams(keywords, values, 0)
    if not handle:
        raise ConnectionFailed("out of memory")
    if lib.PQstatus(handle) != CONNECTION_OK:
        lib.PQfinish(handle)
        raise ConnectionFailed("the server could not be reached or refused the login")
    return Connection(lib, handle)
