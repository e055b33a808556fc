"""GUI test fixtures: a SQLite database opened the way the app opens it, with a few known records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kawaoffice.i18n import current_language, set_language
from kawaoffice.settings import Settings
from kawaoffice.storage import Database, open_database
from tests.services.test_overview import populate


@pytest.fixture
def gui_db_url(tmp_path: Path) -> str:
    """A SQLite URL (GUI tests need not run on PostgreSQL) holding the known sample records."""
    url = f"sqlite:///{tmp_path / 'gui.sqlite3'}"
    db = open_database(url, "tester")
    with db.session() as session:
        populate(session)
    db.dispose()
    return url


@pytest.fixture
def gui_db(gui_db_url: str) -> Iterator[Database]:
    db = open_database(gui_db_url, "tester")
    yield db
    db.dispose()


@pytest.fixture
def empty_gui_db(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'empty.sqlite3'}", "tester")
    yield db
    db.dispose()


@pytest.fixture
def fresh_settings() -> Settings:
    path = Settings.path()
    if path.exists():
        path.unlink()
    return Settings()


@pytest.fixture(params=["ja", "en"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    before = current_language()
    set_language(request.param)
    yield str(request.param)
    set_language(before)


@pytest.fixture
def japanese() -> Iterator[None]:
    before = current_language()
    set_language("ja")
    yield
    set_language(before)


@pytest.fixture
def english() -> Iterator[None]:
    before = current_language()
    set_language("en")
    yield
    set_language(before)
