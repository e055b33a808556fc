"""Alembic migrations run from code: where the scripts are, which revision a database is at, upgrading to head.

No ``alembic.ini`` is needed at run time; the ``Config`` is built here with an absolute ``script_location`` next
to this module, so it works the same from a source checkout, an installed wheel or a PyInstaller bundle (which
must ship ``kawaoffice/storage/migrations`` as data files).

Alembic itself is imported only when a migration runs (or a developer asks for its script directory): the
head revision and the known revisions are read from the revision files' ``revision = ...`` and
``down_revision = ...`` lines, so opening a database that is already at head costs no Alembic import at start-up
(tested against Alembic's own answer).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.pool import NullPool

from kawaoffice.i18n import _
from kawaoffice.storage.database import SQLITE_BUSY_TIMEOUT_MS, enable_wal, sqlite_path_of
from kawaoffice.storage.errors import StorageError
from kawaoffice.storage.revisions import MIGRATIONS_DIR, light_revision_graph

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

VERSION_TABLE = "alembic_version"
# Tables every KawaOffice revision has; an unknown revision with these is "newer", without them "foreign".
MARKER_TABLES = frozenset({"organizations", "audit_log"})
# Key of the PostgreSQL advisory lock that serialises upgrades started by several PCs at once.
PG_MIGRATION_LOCK_KEY = 0x4B415741  # "KAWA"

SchemaState = Literal["empty", "current", "older", "newer", "foreign"]


@dataclass(frozen=True)
class SchemaStatus:
    current: str | None
    head: str
    state: SchemaState


_script_location: Path = MIGRATIONS_DIR


def script_location() -> Path:
    return _script_location


def set_script_location(path: Path | None) -> None:
    """Point the migrations at another script folder (tests use a copy with an extra revision). ``None`` resets."""
    global _script_location
    _script_location = path if path is not None else MIGRATIONS_DIR
    _script_directory.cache_clear()
    _revision_graph.cache_clear()
    light_revision_graph.cache_clear()


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """An Alembic ``Config`` built in code; pass an open ``connection`` (preferred) or a ``url``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(script_location()).replace("%", "%%"))
    cfg.set_main_option("path_separator", "os")
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@lru_cache(maxsize=4)
def _script_directory(location: Path) -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def script_directory() -> ScriptDirectory:
    return _script_directory(script_location())


@lru_cache(maxsize=4)
def _revision_graph(location: Path) -> tuple[str, frozenset[str]]:
    """The head and every revision of the scripts at ``location``, read from the files' text (fast: no Alembic
    import, see ``kawaoffice.storage.revisions``). Anything unusual (a file it cannot read as literals, several
    heads, a cycle) is left to Alembic."""
    light = light_revision_graph(location)
    return light if light is not None else _alembic_graph()


def _alembic_graph() -> tuple[str, frozenset[str]]:
    scripts = script_directory()
    head = scripts.get_current_head()
    if head is None:  # pragma: no cover - the package always ships revisions
        raise RuntimeError("KawaOffice migrations have no head revision")
    return head, frozenset(rev.revision for rev in scripts.walk_revisions())


def head_revision() -> str:
    return _revision_graph(script_location())[0]


def known_revisions() -> frozenset[str]:
    return _revision_graph(script_location())[1]


def classify(tables: Iterable[str], versions: Iterable[str]) -> SchemaStatus:
    """Decide what a database is from its table names and the rows of ``alembic_version``."""
    head = head_revision()
    names = {t for t in tables if not t.startswith("sqlite_")}
    user_tables = names - {VERSION_TABLE}
    rows = [v for v in versions if v]
    if VERSION_TABLE not in names or not rows:
        return SchemaStatus(None, head, "empty" if not user_tables else "foreign")
    current = rows[0] if len(rows) == 1 else ",".join(sorted(rows))
    if len(rows) == 1 and current == head:
        return SchemaStatus(current, head, "current")
    known = known_revisions()
    if all(r in known for r in rows):
        return SchemaStatus(current, head, "older")
    if user_tables >= MARKER_TABLES:
        return SchemaStatus(current, head, "newer")
    return SchemaStatus(current, head, "foreign")


def read_sqlite_status(conn: sqlite3.Connection) -> SchemaStatus:
    """The schema status read through a plain (read-only) sqlite3 connection."""
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    versions: list[str] = []
    if VERSION_TABLE in tables:
        versions = [str(r[0]) for r in conn.execute(f"SELECT version_num FROM {VERSION_TABLE}")]
    return classify(tables, versions)


def read_status(conn: Connection) -> SchemaStatus:
    """The schema status read through a SQLAlchemy connection (any backend)."""
    tables = inspect(conn).get_table_names()
    versions: list[str] = []
    if VERSION_TABLE in tables:
        versions = [str(v) for v in conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()]
    return classify(tables, versions)


def read_status_quick(conn: Connection) -> SchemaStatus:
    """Like :func:`read_status`, in one statement when the database is at head (the usual start-up): its
    ``alembic_version`` row alone. Anything else (no such table, another revision) is classified by
    :func:`read_status` (a server database: every statement is a round trip on a slow link)."""
    if conn.dialect.name != "postgresql":  # SQLite files are read through sqlite3 (sqlite_file.py)
        return read_status(conn)
    head = head_revision()
    try:
        rows = [str(v) for v in conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()]
    except ProgrammingError:  # no version table (an empty or foreign database): the transaction is aborted
        conn.rollback()
        return read_status(conn)
    if rows == [head]:
        return SchemaStatus(head, head, "current")
    return read_status(conn)


def _sqlite_migration_engine(url: str) -> Engine:
    """A SQLite engine for migrations: foreign keys OFF (batch table rebuilds) and real transactional DDL."""
    engine = create_engine(make_url(url), poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, so DDL is inside the transaction
        dbapi_connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        enable_wal(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def upgrade_to_head(engine: Engine) -> SchemaStatus:
    """Upgrade the database behind ``engine`` to head in one transaction; returns the status before.

    SQLite: foreign keys are off during the upgrade and checked before the commit. PostgreSQL: an advisory lock
    makes a second PC that starts at the same time wait, then find the schema current.
    """
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "sqlite" and sqlite_path_of(engine.url) is not None:
        mig_engine = _sqlite_migration_engine(url)
        try:
            with mig_engine.connect() as conn, conn.begin():
                before = read_status(conn)
                if before.state in ("empty", "older"):
                    from alembic import command

                    command.upgrade(alembic_config(connection=conn), "head")
                    problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if problems:
                        raise StorageError(
                            _("The database upgrade was undone: {count} rows break foreign keys.").format(
                                count=len(problems)
                            )
                        )
                return before
        finally:
            mig_engine.dispose()
    with engine.connect() as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK_KEY})
        before = read_status(conn)
        if before.state in ("empty", "older"):
            from alembic import command

            command.upgrade(alembic_config(connection=conn), "head")
        return before


def stamp_head(engine: Engine) -> None:
    """Mark a schema made by ``Base.metadata.create_all`` as being at head (test fixtures use this fast path).

    Writes the same ``alembic_version`` table and row as ``alembic stamp head``, without loading ``env.py``.
    """
    table = Table(
        VERSION_TABLE,
        MetaData(),
        Column("version_num", String(32), nullable=False),
        PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
    )
    with engine.begin() as conn:
        table.create(conn, checkfirst=True)
        conn.execute(table.delete())
        conn.execute(table.insert().values(version_num=head_revision()))


def autogenerate_revision(rev_id: str, message: str) -> None:
    """For developers: write a new revision file from the difference between head and the models.

    Run ``python -c "from kawaoffice.storage.migrate import autogenerate_revision as a; a('0002_x', 'what')"``,
    then review the file by hand before committing it.
    """
    import tempfile

    from alembic import command

    with tempfile.TemporaryDirectory() as folder:
        engine = _sqlite_migration_engine(f"sqlite:///{Path(folder) / 'autogenerate.sqlite3'}")
        try:
            upgrade_to_head(engine)
            with engine.connect() as conn, conn.begin():
                command.revision(alembic_config(connection=conn), message, autogenerate=True, rev_id=rev_id)
        finally:
            engine.dispose()
