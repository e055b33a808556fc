"""The Visits tab opens in its list with one statement (the first page with the walk's bounds: one more when the
page reaches the bookings without a part); the facilities are
read when a calendar or the today view is first shown, and a tab restored in a calendar view reads them on load."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QDate

from kawaoffice.i18n import set_language
from kawaoffice.qtfix import guard_none_refcount
from kawaoffice.services import tours
from kawaoffice.services.demo import load_demo
from kawaoffice.storage import Database, open_database
from kawaoffice.ui.tours.tab import DAY, LIST, WEEK, VisitsTab
from tests.perf.statements import sent_statements

guard_none_refcount()


@pytest.fixture(autouse=True)
def _english() -> None:
    set_language("en")


def _facility_names(db: Database) -> list[str]:
    with db.session() as s:
        return [f.name_ja for f in tours.facilities(s)]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = open_database(f"sqlite:///{tmp_path_factory.mktemp('visits') / 'v.sqlite3'}", "tester")
    with database.session() as s:
        load_demo(s)
    yield database
    database.dispose()


def _sent(db: Database, work: Callable[[], object]) -> list[str]:
    return sent_statements(db.engine, work)


def test_list_opens_with_one_statement_and_calendars_read_the_facilities(qtbot, db: Database) -> None:
    tab = VisitsTab(db.session)
    qtbot.addWidget(tab)
    tab.show()
    sent = _sent(db, tab.load)
    # the first page with the walk's bounds in one statement; on this small database the page also reaches the
    # bookings without a part (a second statement, as on a late page of a large database)
    assert len(sent) == 2 and "walk_n" in sent[0] and "NOT (EXISTS" in sent[1], sent
    assert tab.model.rowCount() > 0
    assert not any("FROM facilities\n" in s and "booking_segments" not in s for s in sent)
    first = tab.model.row_at(0)
    tab.day.setDate(QDate(first.visit_date.year, first.visit_date.month, first.visit_date.day))
    sent = _sent(db, lambda: tab.mode.setCurrentIndex(DAY))
    assert any("FROM facilities" in s and "bookings" not in s for s in sent)  # read now, once
    names = _facility_names(db)
    assert len(names) >= 2 and [name for name, _blocks in tab.calendar.columns] == names
    assert any(first.code in text for text in tab.calendar.block_texts())
    tab.mode.setCurrentIndex(WEEK)
    assert [tab.facility.itemText(i) for i in range(tab.facility.count())] == names
    sent = _sent(db, lambda: tab.mode.setCurrentIndex(DAY))
    assert not any("FROM facilities" in s and "bookings" not in s for s in sent)  # kept


def test_a_tab_restored_in_a_calendar_reads_the_facilities_when_loaded(qtbot, db: Database) -> None:
    tab = VisitsTab(db.session)
    qtbot.addWidget(tab)
    assert _sent(db, lambda: tab.restore_state({"mode": WEEK})) == []  # not loaded yet: nothing read
    tab.show()
    tab.load()
    assert tab.facility.isVisibleTo(tab)
    assert [tab.facility.itemText(i) for i in range(tab.facility.count())] == _facility_names(db)
    tab.mode.setCurrentIndex(LIST)
    assert tab.model.rowCount() > 0
