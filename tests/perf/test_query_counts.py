"""Opening a tab or a detail view sends the same number of SQL statements on a small and on a larger database.

The small database holds the demo's real records; the larger one the same records plus one generated unit (100
organizations, 1,000 contacts, 50 projects, 200 dispatches, 1,000 bookings). A query per row (N+1) makes the
larger count grow and fails here. The detail views open the same real record in both databases. Timings are
measured by ``python -m benchmarks`` (never asserted here).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import select

from kawaoffice.model.dispatch import Dispatch
from kawaoffice.model.partners import Organization
from kawaoffice.model.projects import Project
from kawaoffice.model.tours import Booking
from kawaoffice.qtfix import guard_none_refcount
from kawaoffice.services.demo import NPL, load_demo
from kawaoffice.storage import Database, open_database
from tests.perf.statements import sent_statements

guard_none_refcount()  # PySide6 6.12.0 on Python 3.11 drops a reference to None on every void call

# The most statements each screen sends today (on the small database): more means a new query crept in. Over a slow
# link each statement is a round trip, so these are kept low on purpose (the tab and detail readers combine their
# lookups in one UNION ALL statement; see services/partner_search.open_list, projects.projects_tab_start).
CEILINGS = {
    "tab:partners": 1,  # count, first page, filter choices and the first organization's detail in one statement
    "tab:projects": 1,  # filter choices, first page and the first project's detail
    "tab:dispatch": 3,
    "tab:tours": 4,
    "detail:partner": 1,
    "detail:project": 1,
    "detail:dispatch": 3,
    "detail:booking": 12,  # 3 of them fill the facility, course and guide lists the first time in a process
}
# The visits list needs one more query only for the page that reaches the bookings without any segment: on the
# small database that is the first page, on the larger one a later page. Fewer statements are fine, more are not.
MAY_SHRINK = {"tab:tours"}


def _build(path: Path, scale: int) -> str:
    url = f"sqlite:///{path}"
    db = open_database(url, "tester")
    with db.session() as s:
        load_demo(s, scale=scale)
    db.dispose()
    return url


@pytest.fixture(scope="module")
def databases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("query-counts")
    return {"small": _build(folder / "small.sqlite3", 0), "larger": _build(folder / "larger.sqlite3", 1)}


def _screens(db: Database, parent: QWidget) -> Iterator[tuple[str, Callable[[], object]]]:
    from kawaoffice.ui.dispatch.dialog import DispatchDialog
    from kawaoffice.ui.dispatch.tab import DispatchesTab
    from kawaoffice.ui.partners.tab import PartnersTab
    from kawaoffice.ui.projects.tab import ProjectsTab
    from kawaoffice.ui.tours.dialog import BookingDialog
    from kawaoffice.ui.tours.tab import VisitsTab

    with db.session() as s:
        org = s.scalar(select(Organization.id).where(Organization.name_ja == NPL))
        project = s.scalar(select(Project.id).where(Project.code == "LA-2018-MAWASU2"))
        dispatch = s.scalar(select(Dispatch.id).where(Dispatch.code == "D-2018-LA-LT01"))
        booking = s.scalar(select(Booking.id).where(Booking.code == "V-2025-JICA-WS"))
    assert org is not None and project is not None and dispatch is not None and booking is not None

    for key, cls in (("partners", PartnersTab), ("projects", ProjectsTab), ("dispatch", DispatchesTab),
                     ("tours", VisitsTab)):  # fmt: skip
        tab = cls(db.session, parent)
        tab.resize(1200, 700)
        tab.show()
        yield f"tab:{key}", tab.load
        wait = getattr(tab.model, "wait_for_index", None)
        if wait is not None:
            wait()  # the search index is built in a worker thread: not part of opening the tab
        if key == "partners":
            assert isinstance(tab, PartnersTab)
            tab.search.setText(NPL)  # the user finds the organization first (not counted), then clicks it
            tab.apply_filter()
            tab.view.clearSelection()
            yield "detail:partner", partial(tab.select_id, org)
        if key == "projects":
            assert isinstance(tab, ProjectsTab)
            yield "detail:project", partial(tab._show_detail, project)
    yield "detail:dispatch", lambda: DispatchDialog(db.session, dispatch, parent)
    yield "detail:booking", lambda: BookingDialog(db.session, booking, parent)


def _counts(url: str) -> dict[str, list[str]]:
    db = open_database(url, "tester")
    parent = QWidget()
    parent.resize(1280, 800)
    parent.show()  # a hidden table asks for its next page at once (its scroll bar is at the end)
    try:
        return {name: sent_statements(db.engine, work) for name, work in _screens(db, parent)}
    finally:
        parent.deleteLater()
        QApplication.processEvents()
        db.dispose()


def test_screens_send_as_many_queries_on_a_larger_database(
    qapp: QApplication, databases: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kawaoffice.ui.partners.model import PartnersModel

    # the search index's worker starts only when waited for: its queries are not the tab's
    monkeypatch.setattr(PartnersModel, "START_DELAY_MS", 3_600_000)
    small = _counts(databases["small"])
    larger = _counts(databases["larger"])
    assert set(small) == set(CEILINGS)
    for name, statements in small.items():
        grown = len(larger[name]) - len(statements)
        if name in MAY_SHRINK:
            grown = max(grown, 0)
        assert grown == 0, (
            f"{name}: {len(statements)} statements on the small database, {len(larger[name])} on the larger one:\n"
            + "\n".join(sorted(set(larger[name]) - set(statements)) or larger[name])
        )
    for name, statements in small.items():
        assert 0 < len(statements) <= CEILINGS[name], f"{name}: {len(statements)} statements"
