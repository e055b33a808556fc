"""Opening each tab and each detail view, timed with the real widgets (offscreen), with the SQL statements counted.

- tab:<key>: a new tab widget's ``load()`` (what MainWindow calls the first time the tab is shown: filter choices,
  the first page of the table, the detail of the first row where the tab shows one) plus one round of events;
- detail:partner: selecting another organization in the Partners tab (detail pane: summary, contacts, timeline);
- detail:project: the Projects tab's detail pane for another project;
- detail:dispatch / detail:booking: opening the edit dialog of a dispatch / a visit booking.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import select

from benchmarks.common import QueryCounter, Result
from kawaoffice.model.dispatch import Dispatch
from kawaoffice.model.partners import Employment
from kawaoffice.model.projects import Project
from kawaoffice.model.tours import Booking
from kawaoffice.storage import Database
from kawaoffice.ui.widgets.record_tab import RecordTab

TAB_TARGET_MS = 100.0
REMOTE_TARGET_MS = 250.0


@dataclass
class Screen:
    name: str
    run: Callable[[int], object]  # run number -> work; timed
    setup: Callable[[int], object] | None = None  # not timed


def _process_events() -> None:
    app = QApplication.instance()
    if app is not None:
        app.processEvents()


def _wait_background(tab: QWidget) -> None:
    wait = getattr(getattr(tab, "model", None), "wait_for_index", None)
    if callable(wait):
        wait()


def _tab_classes() -> dict[str, type[RecordTab]]:
    from kawaoffice.ui.dispatch.tab import DispatchesTab
    from kawaoffice.ui.partners.tab import PartnersTab
    from kawaoffice.ui.projects.tab import ProjectsTab
    from kawaoffice.ui.tours.tab import VisitsTab

    return {cls.key: cls for cls in (PartnersTab, ProjectsTab, DispatchesTab, VisitsTab)}


def sample_ids(db: Database, runs: int) -> dict[str, list[int]]:
    """Records to open in the detail views: spread over the table (old and new, real and generated)."""
    with db.session() as s:

        def spread(ids: list[int]) -> list[int]:
            if not ids:
                return []
            step = max(1, len(ids) // runs)
            return [ids[(i * step) % len(ids)] for i in range(runs)]

        orgs = list(
            s.scalars(select(Employment.organization_id).distinct().order_by(Employment.organization_id))
        )
        return {
            "partner": spread(orgs),
            "project": spread(list(s.scalars(select(Project.id).order_by(Project.id)))),
            "dispatch": spread(list(s.scalars(select(Dispatch.id).order_by(Dispatch.id)))),
            "booking": spread(list(s.scalars(select(Booking.id).order_by(Booking.id)))),
        }


def screens(db: Database, parent: QWidget, runs: int) -> list[Screen]:
    from kawaoffice.ui.dispatch.dialog import DispatchDialog
    from kawaoffice.ui.partners.tab import PartnersTab
    from kawaoffice.ui.projects.tab import ProjectsTab
    from kawaoffice.ui.tours.dialog import BookingDialog

    sessions = db.session
    out: list[Screen] = []
    made: list[QWidget] = []

    for key, cls in _tab_classes().items():
        holder: dict[str, RecordTab] = {}

        def make(_run: int, cls: type[RecordTab] = cls, holder: dict[str, RecordTab] = holder) -> None:
            old = holder.pop("tab", None)
            if old is not None:
                _wait_background(old)  # the previous run's background work is not this run's
                old.deleteLater()
                _process_events()
            tab = cls(sessions, parent)
            tab.resize(1200, 700)
            tab.show()
            holder["tab"] = tab

        def load(_run: int, holder: dict[str, RecordTab] = holder) -> None:
            holder["tab"].load()
            _process_events()

        out.append(Screen(f"tab:{key}", load, make))

    ids = sample_ids(db, runs)
    partners_tab = PartnersTab(sessions, parent)
    partners_tab.load()
    _wait_background(partners_tab)
    made.append(partners_tab)

    def partner_detail(run: int) -> None:
        # the user clicks another organization among the rows on screen (the first page)
        rows = min(partners_tab.model.rowCount(), 40)
        partners_tab.view.selectRow((run * 7 + 3) % max(rows, 1))
        _process_events()

    def partner_setup(run: int) -> None:
        partners_tab.view.clearSelection()

    projects_tab = ProjectsTab(sessions, parent)
    projects_tab.load()
    made.append(projects_tab)

    def project_detail(run: int) -> None:
        projects_tab._show_detail(ids["project"][run % len(ids["project"])])
        _process_events()

    dialogs: list[QWidget] = []

    def close_dialogs(_run: int) -> None:
        while dialogs:
            dialogs.pop().deleteLater()
        _process_events()

    def dispatch_detail(run: int) -> None:
        dialogs.append(DispatchDialog(sessions, ids["dispatch"][run % len(ids["dispatch"])], parent))

    def booking_detail(run: int) -> None:
        dialogs.append(BookingDialog(sessions, ids["booking"][run % len(ids["booking"])], parent))

    out += [
        Screen("detail:partner", partner_detail, partner_setup),
        Screen("detail:project", project_detail),
        Screen("detail:dispatch", dispatch_detail, close_dialogs),
        Screen("detail:booking", booking_detail, close_dialogs),
    ]
    return out


def measure_screens(
    db: Database, backend: str, runs: int = 9, *, target: float = TAB_TARGET_MS, only: str | None = None
) -> list[Result]:
    """Time every screen ``runs`` times on ``db`` (after one warm-up run that is not counted)."""
    import time

    parent = QWidget()
    parent.resize(1280, 800)
    parent.show()  # offscreen: a hidden table would fetch its second page at once (its scroll bar sits at the end)
    results = []
    counter = QueryCounter(db.engine)
    with counter:
        for screen in screens(db, parent, runs + 1):
            if only and only not in screen.name:
                continue
            values: list[float] = []
            queries: list[int] = []
            for run in range(runs + 1):
                if screen.setup is not None:
                    screen.setup(run)
                with counter.measure():
                    start = time.perf_counter()
                    screen.run(run)
                    elapsed = (time.perf_counter() - start) * 1000
                if run:  # run 0 warms caches (Qt styles, fonts, compiled SQL): not what a user sees twice
                    values.append(elapsed)
                    queries.append(counter.last)
            results.append(
                Result(screen.name, backend, values, target, queries=max(queries) if queries else None)
            )
    parent.deleteLater()
    _process_events()
    return results
