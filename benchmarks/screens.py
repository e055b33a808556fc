"""Opening each tab and each detail view, timed with the real widgets (offscreen), with the SQL statements counted.

- tab:<key>: a new tab widget's ``load()`` (what MainWindow calls the first time the tab is shown: filter choices,
  the first page of the table, the detail of the first row where the tab shows one) plus one round of events;
- detail:partner: selecting another organization in the Partners tab (detail pane: summary, contacts, timeline);
- detail:project: the Projects tab's detail pane for another project;
- detail:dispatch / detail:booking: opening the edit dialog of a dispatch / a visit booking.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QEvent
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
    cleanup: Callable[[], object] | None = None  # after the last run: close the screen's windows


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

    def window(tab: RecordTab) -> RecordTab:
        """Each screen in its own shown top-level window (offscreen), alone: what the user sees."""
        tab.resize(1200, 700)
        tab.show()
        return tab

    def closer(holder: dict[str, RecordTab]) -> Callable[[], None]:
        def close() -> None:
            tab = holder.pop("tab", None)
            if tab is not None:
                _wait_background(tab)
                tab.close()
                tab.deleteLater()
                _process_events()
                # processEvents() does not run deferred deletions: without this every run left its tab (and its
                # partner search index) behind, and the collector walked them in later runs
                QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

        return close

    for key, cls in _tab_classes().items():
        holder: dict[str, RecordTab] = {}

        def make(_run: int, cls: type[RecordTab] = cls, holder: dict[str, RecordTab] = holder) -> None:
            closer(holder)()  # the previous run's window and background work are not this run's
            holder["tab"] = window(cls(sessions))

        def load(_run: int, holder: dict[str, RecordTab] = holder) -> None:
            holder["tab"].load()
            _process_events()

        out.append(Screen(f"tab:{key}", load, make, closer(holder)))

    ids = sample_ids(db, runs)
    partners: dict[str, RecordTab] = {}
    projects: dict[str, RecordTab] = {}

    def partner_setup(run: int) -> None:
        if "tab" not in partners:
            tab = window(PartnersTab(sessions))
            tab.load()
            _wait_background(tab)
            _process_events()
            partners["tab"] = tab
        partners["tab"].view.clearSelection()

    def partner_detail(run: int) -> None:
        # the user clicks another organization among the rows on screen (the first page)
        tab = partners["tab"]
        rows = min(tab.model.rowCount(), 40)
        tab.view.selectRow((run * 7 + 3) % max(rows, 1))
        _process_events()

    def project_setup(run: int) -> None:
        if "tab" not in projects:
            tab = window(ProjectsTab(sessions))
            tab.load()
            _process_events()
            projects["tab"] = tab

    def project_detail(run: int) -> None:
        tab = projects["tab"]
        assert isinstance(tab, ProjectsTab)
        tab._show_detail(ids["project"][run % len(ids["project"])])
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
        Screen("detail:partner", partner_detail, partner_setup, closer(partners)),
        Screen("detail:project", project_detail, project_setup, closer(projects)),
        Screen("detail:dispatch", dispatch_detail, close_dialogs, lambda: close_dialogs(0)),
        Screen("detail:booking", booking_detail, close_dialogs, lambda: close_dialogs(0)),
    ]
    return out


def measure_screens(
    db: Database, backend: str, runs: int = 9, *, target: float = TAB_TARGET_MS, only: str | None = None
) -> list[Result]:
    """Time every screen ``runs`` times on ``db`` (after one warm-up run that is not counted)."""
    import time

    parent = QWidget()  # the dialogs' parent (dialogs are built, as when they open, not shown)
    results = []
    # What is loaded so far lives as long as the process: frozen out of the cyclic collector's scans, as the app
    # does once start-up has loaded SQLAlchemy and the models (kawaoffice.app).
    gc.collect()
    gc.freeze()
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
            if screen.cleanup is not None:
                screen.cleanup()
            results.append(
                Result(screen.name, backend, values, target, queries=max(queries) if queries else None)
            )
    parent.deleteLater()
    _process_events()
    return results
