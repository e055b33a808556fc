"""The Dispatches tab opens with one statement: the first page, its members' names and the filter choices; the
filter choices are filled from it (and read again with a later load after a save, keeping the chosen filter)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from kawaoffice.i18n import set_language
from kawaoffice.qtfix import guard_none_refcount
from kawaoffice.services import dispatch as svc
from kawaoffice.services.demo import load_demo
from kawaoffice.storage import Database, open_database
from kawaoffice.ui.dispatch.tab import DispatchesTab
from tests.perf.statements import sent_statements

guard_none_refcount()


@pytest.fixture(autouse=True)
def _english() -> None:
    set_language("en")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = open_database(f"sqlite:///{tmp_path_factory.mktemp('dispatches') / 'd.sqlite3'}", "tester")
    with database.session() as s:
        load_demo(s)
    yield database
    database.dispose()


def _sent(db: Database, work: Callable[[], object]) -> list[str]:
    return sent_statements(db.engine, work)


def _items(combo: object) -> list[object]:
    return [combo.itemData(i) for i in range(combo.count())]  # type: ignore[attr-defined]


def test_tab_opens_with_one_statement(qtbot, db: Database) -> None:
    tab = DispatchesTab(db.session)
    qtbot.addWidget(tab)
    tab.resize(1200, 700)
    tab.show()
    sent = _sent(db, tab.load)
    assert len(sent) == 1, sent
    with db.session() as s:
        years, countries = svc.dispatch_filter_choices(s)
        first = svc.list_dispatches(s, limit=1)[0]
    assert _items(tab.fy_filter) == [None, *years]
    assert sorted(_items(tab.country_filter)[1:]) == sorted(countries)
    assert tab.model.row_at(0) == first and first.members
    # the user filters by a country; after a save the next load reads the choices again, without duplicates
    tab.country_filter.setCurrentIndex(tab.country_filter.findData("LA"))
    tab.after_save()
    sent = _sent(db, tab.load)
    assert len(sent) == 1
    assert sorted(_items(tab.country_filter)[1:]) == sorted(countries)
    assert tab.country_filter.currentData() == "LA"
    assert all(tab.model.row_at(r).country == "LA" for r in range(tab.model.rowCount()))
    assert tab.model.rowCount() > 0
