"""Errors the storage layer raises, each with a translated message the UI can show as it is."""

from __future__ import annotations

import re
import sqlite3

from kawaoffice.i18n import N_, _


class StorageError(Exception):
    """A database problem the user can act on. ``message`` is translated and ready to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotAKawaOfficeDatabaseError(StorageError):
    """The file or database exists but belongs to something else (or is not a database at all)."""

    def __init__(self, location: str, reason: str = "") -> None:
        self.location = location
        self.reason = reason
        if reason:
            message = _("{location} is not a KawaOffice database ({reason}). It was left unchanged.").format(
                location=location, reason=reason
            )
        else:
            message = _("{location} is not a KawaOffice database. It was left unchanged.").format(
                location=location
            )
        super().__init__(message)


class DamagedDatabaseError(StorageError):
    """The SQLite file failed its integrity check; restore it from a backup."""

    def __init__(self, location: str, detail: str = "") -> None:
        self.location = location
        self.detail = detail
        message = _(
            "The database file {location} is damaged and cannot be opened. It was left unchanged; "
            "restore it from a backup. Details: {detail}"
        ).format(location=location, detail=detail or "-")
        super().__init__(message)


class NewerSchemaError(StorageError):
    """The database was written by a newer KawaOffice; this version must not touch it."""

    def __init__(self, location: str, current: str, head: str) -> None:
        self.location = location
        self.current = current
        self.head = head
        message = _(
            "The database {location} was created by a newer version of KawaOffice (database revision {current}, "
            "this version knows up to {head}). Please update KawaOffice. The database was left unchanged."
        ).format(location=location, current=current, head=head)
        super().__init__(message)


class DatabaseUnavailableError(StorageError):
    """The database server cannot be reached, refused the login, or the file cannot be opened."""

    def __init__(self, location: str, detail: str = "") -> None:
        self.location = location
        self.detail = detail
        message = _("Cannot connect to the database {location}: {detail}").format(
            location=location, detail=detail or "-"
        )
        super().__init__(message)


class ConnectionLostError(DatabaseUnavailableError):
    """The connection broke while working (server stopped or restarted, network gone).

    ``during_commit`` is ``True`` when it broke while the commit was on its way: the server may or may not have
    written the transaction, so the work must not simply be repeated. Otherwise nothing was written (every save
    is one transaction) and the work may be repeated once the server answers again."""

    def __init__(self, location: str, detail: str = "", *, during_commit: bool = False) -> None:
        super().__init__(location, detail)
        self.during_commit = during_commit
        self.message = _(
            "The connection to the database {location} was lost ({detail}). Nothing was saved; "
            "your unsaved changes are kept. KawaOffice tries again."
        ).format(location=location, detail=detail or "-")
        self.args = (self.message,)


# Connection-level SQLSTATEs: class 08 (connection exception) and the server shutting down / starting up.
_LOST_SQLSTATES = ("57P01", "57P02", "57P03")
_SQLITE_UNAVAILABLE = ("unable to open database file", "disk i/o error")


def is_connection_error(exc: BaseException) -> bool:
    """Whether ``exc`` means the database cannot be reached (rather than a problem with the data or the SQL).

    True for an invalidated SQLAlchemy connection, psycopg's client-side connection failures (no SQLSTATE), class 08
    and the server's shutdown/start-up states; for SQLite a file that can no longer be opened or read (a network
    share gone). Lock timeouts, deadlocks and cancelled queries are not connection errors."""
    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, ConnectionLostError):
        return True
    orig: BaseException | None = exc
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        orig = exc.orig
    if orig is None:
        return False
    if isinstance(orig, sqlite3.OperationalError):
        text = str(orig).lower()
        return any(marker in text for marker in _SQLITE_UNAVAILABLE)
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return False
    if isinstance(orig, psycopg.InterfaceError):
        return True
    if isinstance(orig, psycopg.OperationalError):
        sqlstate = getattr(orig, "sqlstate", None)
        return sqlstate is None or sqlstate.startswith("08") or sqlstate in _LOST_SQLSTATES
    return False


# Known libpq/psycopg messages (lower case) -> translated explanation.
_EXPLANATIONS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("password authentication failed", "authentication failed"), N_("The user name or password is wrong.")),
    (("no password supplied",), N_("The server needs a password.")),
    (
        (
            "could not translate host name",
            "name or service not known",
            "nodename nor servname",
            "failed to resolve host",
            "no such host is known",
            "temporary failure in name resolution",
        ),
        N_("The server name could not be found. Check the host name."),
    ),
    (
        ("connection refused",),
        N_("The server refused the connection. Is PostgreSQL running on that host and port?"),
    ),
    (("timeout expired", "timed out", "connection timeout"), N_("The server did not answer in time.")),
    (
        (
            "server closed the connection unexpectedly",
            "connection is closed",
            "consuming input failed",
            "connection reset",
            "broken pipe",
            "ssl syscall error",
        ),
        N_("The connection was broken."),
    ),
    (("server does not support ssl",), N_("The server does not support SSL; choose another SSL mode.")),
    (("ssl", "certificate"), N_("The SSL connection failed; check the SSL mode.")),
    (
        ("pg_hba.conf",),
        N_("The server does not accept connections from this PC with this user (pg_hba.conf)."),
    ),
    (
        ("the database system is shutting down", "terminating connection due to administrator command"),
        N_(
            "The server closed the connection (it is shutting down or restarting, or an administrator ended the session)."
        ),
    ),
    (
        ("the database system is starting up", "the database system is in recovery mode"),
        N_("The server is starting up."),
    ),
    (("too many connections", "remaining connection slots"), N_("The server has no free connections.")),
    (("network is unreachable", "no route to host"), N_("The network cannot reach the server.")),
)
_DB_MISSING = re.compile(r'database "(?P<name>[^"]+)" does not exist')
_ROLE_MISSING = re.compile(r'role "(?P<name>[^"]+)" does not exist')


def explain_connection_error(exc: BaseException) -> str:
    """A short translated explanation of why a connection failed, for dialogs (the driver's first line is logged).

    Unknown messages come back as the driver's first line."""
    from sqlalchemy.exc import DBAPIError

    orig = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = str(orig).strip()
    lower = text.lower()
    if match := _DB_MISSING.search(text):
        return _("The database {name} does not exist on the server.").format(name=match["name"])
    if match := _ROLE_MISSING.search(text):
        return _("The user {name} does not exist on the server.").format(name=match["name"])
    for markers, msgid in _EXPLANATIONS:
        if any(marker in lower for marker in markers):
            return _(msgid)
    first = text.splitlines()[0] if text else type(orig).__name__
    return first


__all__ = [
    "ConnectionLostError",
    "DamagedDatabaseError",
    "DatabaseUnavailableError",
    "NewerSchemaError",
    "NotAKawaOfficeDatabaseError",
    "StorageError",
    "explain_connection_error",
    "is_connection_error",
]
