"""Engine and session factory for the local SQLite file or the office's shared PostgreSQL server."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from kawaoffice.paths import default_database_path
from kawaoffice.storage import notify
from kawaoffice.storage.credentials import install_log_masking, without_password
from kawaoffice.storage.errors import (
    ConnectionLostError,
    DatabaseUnavailableError,
    explain_connection_error,
    is_connection_error,
)

ENV_VAR = "KAWAOFFICE_DATABASE_URL"
log = logging.getLogger(__name__)
SQLITE_BUSY_TIMEOUT_MS = 10_000
PG_CONNECT_TIMEOUT_S = 5
# TCP keepalives: a server that vanished from the network (cable, VPN) is noticed within about a minute.
PG_CONNECT_ARGS: dict[str, Any] = {
    "connect_timeout": PG_CONNECT_TIMEOUT_S,
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
    "application_name": "KawaOffice",
    # No JIT compilation: the office's statements are short, but a UNION ALL of several lookups can be estimated
    # above jit_above_cost and then spend a second compiling a query that runs in a millisecond (seen in issue 10).
    # Sent in the start-up packet: no round trip.
    "options": "-c jit=off",
}
T = TypeVar("T")
# A pooled PostgreSQL connection idle for longer than this is checked with one round trip before it is used again
# (pgbouncer's server_check_delay, default 30 s, is the same idea): a connection just used is trusted, so a screen
# opening several sessions over a slow link does not pay a ping for each.
PG_IDLE_CHECK_S = 10.0
# Statements that may run outside a transaction: plain reads. Anything else (DML, DDL, SET, locking reads,
# notifications, sequences, advisory locks) starts the transaction first; see _begin_before_writes.
_TX_MARKERS = (
    "FOR UPDATE",
    "FOR SHARE",
    "FOR NO KEY",
    "FOR KEY SHARE",
    "PG_NOTIFY",
    "NEXTVAL",
    "SETVAL",
    "ADVISORY",
)


def default_sqlite_url() -> str:
    return f"sqlite:///{default_database_path()}"


def resolve_database_url(cli_url: str | None = None, stored_url: str | None = None) -> str:
    """``--database URL``, else ``KAWAOFFICE_DATABASE_URL``, else the stored setting, else the local default."""
    for candidate in (cli_url, os.environ.get(ENV_VAR), stored_url):
        if candidate:
            return normalize_url(candidate)
    return default_sqlite_url()


def normalize_url(url: str) -> str:
    """Accept a bare file path for SQLite and plain ``postgresql://`` URLs (use the psycopg 3 driver)."""
    if "://" not in url:
        path = os.path.abspath(os.path.expanduser(url))
        return URL.create("sqlite", database=path).render_as_string(hide_password=False)
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def enable_wal(dbapi_connection: sqlite3.Connection) -> None:
    """Switch the file to WAL (persistent once set). Switching needs a moment without other connections'
    locks and SQLite may answer "database is locked" at once instead of waiting, e.g. while another PC creates the
    schema: retry briefly, then go on in the current mode (the other connection sets WAL)."""
    for attempt in range(20):
        try:
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            time.sleep(0.05 * (attempt + 1))
    log.info("journal mode left as it is: the database stayed locked")


SQLITE_CACHE_KB = 65_536


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        enable_wal(dbapi_connection)
        cursor.execute("PRAGMA synchronous=NORMAL")
        # 64 MB of page cache at most (the default 2 MB made an import of 10,000 partners spill its changed pages
        # to the WAL before the commit: its write took ~25 % longer)
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KB}")
    finally:
        cursor.close()


def create_db_engine(url: str | URL, **kwargs: Any) -> Engine:
    """An engine with the settings KawaOffice relies on (foreign keys, WAL and busy timeout on SQLite; on
    PostgreSQL reads without transaction round trips and a check of connections that were idle)."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    connect_args = dict(PG_CONNECT_ARGS)
    connect_args.update(kwargs.pop("connect_args", {}))
    engine = create_engine(parsed, connect_args=connect_args, **kwargs)
    install_lazy_transactions(engine)
    return engine


def _needs_transaction(statement: str) -> bool:
    head = statement.lstrip()[:7].split(None, 1)[0].upper() if statement.strip() else ""
    if head not in ("SELECT", "WITH"):
        return True
    upper = statement.upper()
    return any(marker in upper for marker in _TX_MARKERS) or (
        head == "WITH" and any(verb in upper for verb in ("INSERT", "UPDATE", "DELETE"))
    )


def install_lazy_transactions(engine: Engine, idle_check_s: float = PG_IDLE_CHECK_S) -> None:
    """PostgreSQL over a slow link: each round trip counts (60 ms behind a 30 ms-per-direction line).

    A transaction costs two round trips of its own (``BEGIN`` before the first statement, ``COMMIT`` or
    ``ROLLBACK`` at the end) and SQLAlchemy's ``pool_pre_ping`` one more per checkout, so a screen that reads with
    three queries would wait six round trips. Here a connection is handed out in autocommit mode: plain reads run
    at once, each with its own snapshot, which is what READ COMMITTED gives inside a transaction too. The first
    statement that is not a plain read (INSERT/UPDATE/DELETE, DDL, SET, ``SELECT ... FOR UPDATE``,
    ``pg_notify``, ``nextval``, advisory locks) switches the connection out of autocommit just before it is sent,
    so the driver opens a transaction and everything from there on commits or rolls back as one unit of work, as
    before. ``commit()``/``rollback()`` of a connection with no transaction open send nothing.

    A connection idle in the pool for more than ``idle_check_s`` seconds is pinged before use; a dead one is
    replaced (``DisconnectionError`` makes the pool connect anew). A connection that dies between two uses a few
    seconds apart fails on its first statement: that is a ``ConnectionLostError`` like any lost connection, the
    pool is invalidated and the next attempt reconnects.
    """

    @event.listens_for(engine, "checkin")
    def _idle_since(_dbapi_connection: Any, record: Any) -> None:
        record.info["kawaoffice_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("kawaoffice_idle_since", None)
        try:
            idle = idle_since is not None and time.monotonic() - idle_since > idle_check_s
            if idle and not engine.dialect.do_ping(dbapi_connection):
                raise DisconnectionError("the connection did not answer")
            if not dbapi_connection.autocommit:
                dbapi_connection.autocommit = True  # no I/O: the connection is idle, outside any transaction
        except DisconnectionError:
            raise
        except Exception as exc:  # the driver's error for a broken connection: the pool connects anew
            raise DisconnectionError(str(exc)) from exc

    @event.listens_for(engine, "before_cursor_execute")
    def _begin_before_writes(
        conn: Any, _cursor: Any, statement: str, _parameters: Any, _context: Any, _executemany: bool
    ) -> None:
        dbapi_connection = conn.connection.dbapi_connection
        if dbapi_connection is not None and dbapi_connection.autocommit and _needs_transaction(statement):
            if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
                return  # asked for autocommit explicitly (VACUUM, CREATE DATABASE): leave it
            dbapi_connection.autocommit = False


def make_session_factory(engine: Engine, user: str = "", origin: str = "") -> sessionmaker[Session]:
    """Sessions carry the acting user in ``session.info['user']`` for audit columns and the audit log, and the
    writing instance's ``origin`` (sent with change notifications so an instance can skip its own saves)."""
    return sessionmaker(
        bind=engine, expire_on_commit=False, info={"user": user, "origin": origin or uuid.uuid4().hex}
    )


def _location(session: Session) -> str:
    bind = session.get_bind()
    return display_name_of(bind.engine.url) if bind is not None else "?"


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work: commit on success, roll back on any error.

    A lost connection (server stopped or restarted, network gone) comes out as ``ConnectionLostError`` (a
    ``DatabaseUnavailableError`` with a translated message; ``during_commit`` says whether the commit itself
    failed, when the outcome is not known). The transaction is then rolled back by the server: nothing half
    written."""
    session = factory()
    committing = False
    try:
        yield session
        committing = True
        session.commit()
    except BaseException as exc:
        try:
            session.rollback()
        except DBAPIError:  # the connection is gone: the server has rolled back already
            log.debug("rollback after a lost connection failed", exc_info=True)
        if isinstance(exc, DBAPIError) and is_connection_error(exc):
            raise ConnectionLostError(
                _location(session), explain_connection_error(exc), during_commit=committing
            ) from exc
        raise
    finally:
        session.close()


def sqlite_path_of(url: str | URL) -> Path | None:
    """The file of a SQLite URL (``None`` for an in-memory database or another backend)."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file::memory:"):
        return None
    return Path(database)


def display_name_of(url: str | URL) -> str:
    """A name to show the user: the SQLite file's path or ``user@host:port/dbname`` (never a password)."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path_of(parsed)
        return str(path) if path is not None else ":memory:"
    user = f"{parsed.username}@" if parsed.username else ""
    host = parsed.host or "localhost"
    port = f":{parsed.port}" if parsed.port else ""
    return f"{user}{host}{port}/{parsed.database or ''}"


class Database:
    """One database the app works with: its URL, engine and session factory.

    ``Database.open`` only builds the engine; ``kawaoffice.storage.open_database`` also checks and migrates the schema.
    """

    def __init__(self, url: str, engine: Engine, session_factory: sessionmaker[Session]) -> None:
        self.url = without_password(url)  # never holds the password (the engine has it)
        self.engine = engine
        self.session_factory = session_factory
        info = session_factory.kw.get("info") or {}
        self.origin = str(info.get("origin") or "")
        self.user = str(info.get("user") or "")

    @classmethod
    def open(cls, url: str, user: str = "") -> Database:
        install_log_masking()
        url = normalize_url(url)
        engine = create_db_engine(url)
        return cls(url, engine, make_session_factory(engine, user))

    @property
    def user_name(self) -> str:
        """The database login (server) or ``""`` (SQLite)."""
        return str(self.engine.url.username or "")

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @property
    def is_local(self) -> bool:
        return self.backend == "sqlite"

    @property
    def display_name(self) -> str:
        return display_name_of(self.engine.url)

    @property
    def sqlite_path(self) -> Path | None:
        return sqlite_path_of(self.engine.url)

    def session(self) -> AbstractContextManager[Session]:
        """A unit of work: commits when the block ends normally, rolls back on an error."""
        return session_scope(self.session_factory)

    def run(self, work: Callable[[Session], T], *, attempts: int = 5, wait: float = 1.0) -> T:
        """Run ``work`` in one unit of work; when the connection is lost before the commit was sent, wait
        (``wait`` seconds, doubling, at most 10) and run it again, up to ``attempts`` times in all.

        A connection lost during the commit is not retried (the server may have committed): the
        ``ConnectionLostError`` with ``during_commit=True`` goes to the caller, who checks what is there."""
        delay = wait
        for attempt in range(1, attempts + 1):
            try:
                with self.session() as session:
                    return work(session)
            except ConnectionLostError as exc:
                if exc.during_commit or attempt == attempts:
                    raise
                log.info("connection lost (attempt %d of %d), retrying in %.1f s", attempt, attempts, delay)
                time.sleep(delay)
                delay = min(delay * 2, 10.0)
        raise AssertionError("unreachable")  # pragma: no cover

    def ping(self) -> None:
        """Check that the database answers (``SELECT 1``); ``DatabaseUnavailableError`` when it does not.
        On PostgreSQL this takes at most the connect timeout (5 s) when the server is gone."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except DBAPIError as exc:
            raise DatabaseUnavailableError(self.display_name, explain_connection_error(exc)) from exc

    def wait_until_available(self, timeout: float, interval: float = 0.5) -> bool:
        """Ping until the database answers or ``timeout`` seconds have passed; ``True`` when it answers."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.ping()
                return True
            except DatabaseUnavailableError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(interval)

    def watch_changes(
        self,
        on_change: Callable[[notify.Change], None],
        *,
        on_status: Callable[[bool, str], None] | None = None,
        interval: float = 1.0,
        mode: str = "auto",
        include_own: bool = False,
    ) -> notify.ChangeWatcher:
        """Start a :class:`~kawaoffice.storage.notify.ChangeWatcher` for what other instances commit
        (PostgreSQL: LISTEN/NOTIFY; SQLite: polling every ``interval`` s). Stop it with ``.stop()``."""
        return notify.ChangeWatcher(
            self.engine,
            on_change,
            on_status=on_status,
            interval=interval,
            mode=mode,
            filter_change=None if include_own else notify.own_change_filter(self.origin),
        ).start()

    def dispose(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"<Database {self.backend} {self.display_name}>"
