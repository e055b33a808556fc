"""Engine and session factory for the local SQLite file or the office's shared PostgreSQL server."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from kawaoffice.paths import default_database_path

ENV_VAR = "KAWAOFFICE_DATABASE_URL"
log = logging.getLogger(__name__)
SQLITE_BUSY_TIMEOUT_MS = 10_000


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


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        enable_wal(dbapi_connection)
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def create_db_engine(url: str | URL, **kwargs: Any) -> Engine:
    """An engine with the settings KawaOffice relies on (foreign keys, WAL and busy timeout on SQLite)."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(parsed, **kwargs)


def make_session_factory(engine: Engine, user: str = "") -> sessionmaker[Session]:
    """Sessions carry the acting user in ``session.info['user']`` for audit columns and the audit log."""
    return sessionmaker(bind=engine, expire_on_commit=False, info={"user": user})


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
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
        self.url = url
        self.engine = engine
        self.session_factory = session_factory

    @classmethod
    def open(cls, url: str, user: str = "") -> Database:
        url = normalize_url(url)
        engine = create_db_engine(url)
        return cls(url, engine, make_session_factory(engine, user))

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

    def dispose(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"<Database {self.backend} {self.display_name}>"
