"""Test fixtures shared by the whole suite.

- Qt runs offscreen; settings and data folders point into a temporary folder so no test touches a user's files.
- ``db_url`` / ``engine`` / ``session`` are parametrized over SQLite and a real PostgreSQL server that this test
  session starts itself (skipped, with the reason, only where no server binaries are installed).
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

# Before anything imports Qt or platformdirs-based paths.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_SANDBOX = Path(tempfile.mkdtemp(prefix="kawaoffice-tests-"))
os.environ["KAWAOFFICE_SETTINGS"] = str(_SANDBOX / "settings.json")
os.environ["XDG_DATA_HOME"] = str(_SANDBOX / "data")
os.environ["XDG_STATE_HOME"] = str(_SANDBOX / "state")
os.environ["XDG_CONFIG_HOME"] = str(_SANDBOX / "config")
os.environ["XDG_CACHE_HOME"] = str(_SANDBOX / "cache")
os.environ.pop("KAWAOFFICE_DATABASE_URL", None)

from kawaoffice import qtfix  # noqa: E402

qtfix.guard_none_refcount()  # as the app does: PySide6 6.12 on Python 3.11 would abort a long Qt session

from kawaoffice import i18n as _i18n  # noqa: E402

_INITIAL_LANGUAGE = (_i18n._language, _i18n._translations)

import pytest  # noqa: E402
from sqlalchemy import Engine, text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from kawaoffice import model  # noqa: E402
from kawaoffice.storage.database import create_db_engine, make_session_factory  # noqa: E402
from kawaoffice.storage.migrate import stamp_head  # noqa: E402
from tests.pgserver import PostgresServer, find_pg_bindir  # noqa: E402

BACKENDS = ["sqlite", "postgresql"]
_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    bindir = find_pg_bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries installed (initdb/pg_ctl not found)")
    server = PostgresServer(bindir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def _pg_schema_url(pg_server: PostgresServer) -> str:
    """One PostgreSQL database with the models' schema, emptied between tests (faster than a database each)."""
    url = pg_server.create_database("kawaoffice_test")
    _create_schema(url)
    return url


def _create_schema(url: str) -> None:
    """The models' schema by ``create_all``, stamped at the head revision so ``open_database`` accepts it.

    Faster than running the migrations; tests/storage/test_migrations.py proves both give the same schema.
    """
    engine = create_db_engine(url)
    try:
        model.Base.metadata.create_all(engine)
        stamp_head(engine)
    finally:
        engine.dispose()


def _truncate_all(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in model.Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        request.applymarker(pytest.mark.postgres)
    return str(request.param)


@pytest.fixture
def empty_db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of a database with no tables at all (for migration and storage tests)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("pg_server")
    return server.create_database(f"kawa_empty_{next(_counter)}")


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database that has the current schema."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
        _create_schema(url)
        yield url
        return
    url = request.getfixturevalue("_pg_schema_url")
    yield url
    engine = create_db_engine(url)
    _truncate_all(engine)
    engine.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = create_db_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine, user="tester")


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as s:
        yield s


@pytest.fixture(autouse=True)
def _initial_language() -> Iterator[None]:
    """Every test starts, and leaves the process, in the interface language state the session started with (the
    language code and the loaded catalog: "ja" with no catalog loaded is not the same as "ja" with its catalog).
    A test or window that switches the language, or a module fixture that puts back only the code, cannot change
    what later tests read."""
    from kawaoffice import i18n

    i18n._language, i18n._translations = _INITIAL_LANGUAGE
    yield
    i18n._language, i18n._translations = _INITIAL_LANGUAGE
