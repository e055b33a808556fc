"""The Dispatches tab: a toolbar, filters, and four views in a stack — the dispatch table, the timeline by person,
the staff registry and the statistics."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from kawaoffice import i18n
from kawaoffice.i18n import N_, _
from kawaoffice.model.dispatch import (
    DISPATCH_PURPOSE_LABELS,
    DISPATCH_STATUS_LABELS,
    DispatchPurpose,
    DispatchStatus,
)
from kawaoffice.services import dispatch as svc
from kawaoffice.services.errors import ServiceError
from kawaoffice.ui.dispatch.dialog import DispatchDialog
from kawaoffice.ui.dispatch.model import DispatchesModel
from kawaoffice.ui.dispatch.staff import StaffView
from kawaoffice.ui.dispatch.stats import StatsView
from kawaoffice.ui.dispatch.timeline import TimelineView
from kawaoffice.ui.widgets.busy import run_busy
from kawaoffice.ui.widgets.paged_model import SessionProvider
from kawaoffice.ui.widgets.record_tab import RecordTab, require_role

VIEWS = ("table", "timeline", "staff", "stats")


class DispatchesTab(RecordTab):
    key = "dispatches"
    title = N_("Dispatches")
    model_class = DispatchesModel
    timeline: TimelineView

    def __init__(self, sessions: SessionProvider, parent: QWidget | None = None) -> None:
        super().__init__(sessions, parent)
        self.sessions = sessions
        self.model: DispatchesModel
        old = self.layout()
        assert old is not None
        old.removeWidget(self.view)
        QWidget().setLayout(old)  # detach the base class's layout
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)

        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("dispatch_toolbar")
        layout.addWidget(self.toolbar)
        self.act_new = self._action(_("New dispatch"), self.new_dispatch, "Ctrl+N")
        self.act_edit = self._action(_("Edit"), self.edit_current, "F2")
        self.act_delete = self._action(_("Delete"), self.delete_current, QKeySequence.StandardKey.Delete)
        self.toolbar.addSeparator()
        self.act_print = self._action(_("Print itinerary..."), self.print_itinerary, "Ctrl+P")
        self.act_ics = self._action(_("Export to Outlook (ICS)..."), self.export_ics, "Ctrl+E")
        require_role(self.act_new, "editor")
        require_role(self.act_edit, "editor")
        require_role(self.act_delete, "admin")
        self.toolbar.addSeparator()
        group = QActionGroup(self)
        self.view_actions: dict[str, QAction] = {}
        for i, (name, text) in enumerate(
            zip(VIEWS, (_("Table"), _("Timeline"), _("Staff"), _("Statistics")), strict=True)
        ):
            act = self._action(text, lambda checked=False, n=name: self.show_view(n), f"Alt+{i + 1}")
            act.setCheckable(True)
            group.addAction(act)
            self.view_actions[name] = act
        self.toolbar.addSeparator()
        self.act_zoom_in = self._action(
            _("Zoom in"), lambda: self.timeline.zoom_in(), QKeySequence.StandardKey.ZoomIn
        )
        self.act_zoom_out = self._action(
            _("Zoom out"), lambda: self.timeline.zoom_out(), QKeySequence.StandardKey.ZoomOut
        )
        self.act_today = self._action(_("Today"), lambda: self.timeline.scroll_to_today(), "Ctrl+T")

        filters = QHBoxLayout()
        self.fy_filter = QComboBox(self)
        self.fy_filter.setObjectName("filter_fiscal_year")
        self.fy_filter.addItem(_("All fiscal years"), None)
        self.country_filter = QComboBox(self)
        self.country_filter.setObjectName("filter_country")
        self.country_filter.addItem(_("All countries"), None)
        self.purpose_filter = QComboBox(self)
        self.purpose_filter.setObjectName("filter_purpose")
        self.purpose_filter.addItem(_("All purposes"), None)
        for p in DispatchPurpose:
            self.purpose_filter.addItem(_(DISPATCH_PURPOSE_LABELS[p]), p)
        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("filter_status")
        self.status_filter.addItem(_("All statuses"), None)
        for s in DispatchStatus:
            self.status_filter.addItem(_(DISPATCH_STATUS_LABELS[s]), s)
        self.search = QLineEdit(self)
        self.search.setObjectName("filter_text")
        self.search.setPlaceholderText(_("Search code, title, city (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        for w in (self.fy_filter, self.country_filter, self.purpose_filter, self.status_filter):
            filters.addWidget(w)
            w.currentIndexChanged.connect(lambda _i: self.apply_filter())
        filters.addWidget(self.search, 1)
        self.search.textChanged.connect(lambda _t: self.apply_filter())
        self._action(_("Find"), lambda: self.search.setFocus(), QKeySequence.StandardKey.Find, toolbar=False)
        self._action(_("Open"), self.edit_current, "Return", toolbar=False)
        layout.addLayout(filters)

        self.stack = QStackedWidget(self)
        self.timeline = TimelineView(self)
        self.staff = StaffView(sessions, self)
        self.stats = StatsView(sessions, self)
        for page in (self.view, self.timeline, self.staff, self.stats):
            self.stack.addWidget(page)
        layout.addWidget(self.stack, 1)
        self.view.doubleClicked.connect(lambda _i: self.edit_current())
        self.timeline.canvas.dispatchActivated.connect(self.edit_dispatch)
        self._filter_choices_loaded = False
        for combo in self.findChildren(QComboBox):  # long labels must not force a wide window
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)
        self.show_view("table")

    def _action(self, text: str, slot: Any, shortcut: Any = None, *, toolbar: bool = True) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(slot)
        self.addAction(act)
        if toolbar:
            self.toolbar.addAction(act)
        return act

    # --- views ------------------------------------------------------------------------------------------------

    def current_view(self) -> str:
        return VIEWS[self.stack.currentIndex()]

    def show_view(self, name: str) -> None:
        self.stack.setCurrentIndex(VIEWS.index(name))
        self.view_actions[name].setChecked(True)
        for act in (self.act_zoom_in, self.act_zoom_out, self.act_today):
            act.setEnabled(name == "timeline")
        for w in (self.fy_filter, self.country_filter, self.purpose_filter, self.status_filter, self.search):
            w.setEnabled(name in ("table", "timeline"))
        if name == "timeline":
            self.reload_timeline()
        elif name == "staff":
            self.staff.reload()
        elif name == "stats":
            self.stats.reload()

    def load(self) -> None:
        """The first page with the filter choices the first time (one statement)."""
        if not self._filter_choices_loaded:
            self.model.want_choices = True
        super().load()
        self._load_filter_choices()

    def reload(self) -> None:
        self.model.reload()
        view = self.current_view()
        if view == "timeline":
            self.reload_timeline()
        elif view == "staff":
            self.staff.reload()
        elif view == "stats":
            self.stats.reload()

    def _load_filter_choices(self) -> None:
        if self._filter_choices_loaded:
            return
        self._filter_choices_loaded = True
        if self.model.choices is not None:  # read with the first page
            years, countries = self.model.choices
            self.model.choices = None
        else:
            with self.sessions() as s:
                years, countries = svc.dispatch_filter_choices(s)  # one statement
        kept = (self.fy_filter.currentData(), self.country_filter.currentData())
        for w in (self.fy_filter, self.country_filter):
            w.blockSignals(True)
            while w.count() > 1:  # read again after a save: "All ..." stays, the rest is replaced
                w.removeItem(w.count() - 1)
        for fy in years:
            self.fy_filter.addItem(i18n.fiscal_year_label(fy), fy)
        for code in sorted(countries, key=lambda c: i18n.kana_sort_key(i18n.country_name(c))):
            self.country_filter.addItem(i18n.country_name(code), code)
        for w, value in zip((self.fy_filter, self.country_filter), kept, strict=True):
            w.setCurrentIndex(max(0, w.findData(value)))
            w.blockSignals(False)

    def apply_filter(self) -> None:
        f = self.model.filter
        f.fiscal_year = self.fy_filter.currentData()
        f.country = self.country_filter.currentData()
        f.purpose = self.purpose_filter.currentData()
        f.status = self.status_filter.currentData()
        f.text = self.search.text()
        self.model.reload()
        if self.current_view() == "timeline":
            self.reload_timeline()

    def timeline_range(self) -> tuple[date, date]:
        fy = self.fy_filter.currentData()
        if fy is not None:
            return date(fy, 4, 1), date(fy + 1, 3, 31)
        today = date.today()
        return date(today.year - 1, 4, 1), date(today.year + 2, 3, 31)

    def reload_timeline(self) -> None:
        start, end = self.timeline_range()
        f = self.model.filter
        with self.sessions() as s:
            lanes = svc.timeline(s, start, end)
            if self._filtered():
                rows = svc.list_dispatches(
                    s, country=f.country, purpose=f.purpose, status=f.status, text=f.text
                )
                allowed = {r.id for r in rows}
            else:
                allowed = None
        if allowed is not None:
            lanes = [
                type(lane)(
                    lane.key,
                    lane.name,
                    lane.name_en,
                    lane.is_staff,
                    tuple(b for b in lane.bars if b.dispatch_id in allowed),
                )
                for lane in lanes
            ]
            lanes = [lane for lane in lanes if lane.bars]
        self.timeline.canvas.set_data(lanes, start, end)
        self.timeline.scroll_to_today()

    def _filtered(self) -> bool:
        f = self.model.filter
        return any((f.country, f.purpose, f.status, f.text.strip()))

    # --- state ------------------------------------------------------------------------------------------------

    def save_state(self) -> dict[str, Any]:
        return {
            "view": self.current_view(),
            "zoom": self.timeline.canvas.zoom_index,
            "filter": self.model.filter.as_dict(),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        zoom = state.get("zoom")
        if isinstance(zoom, int):
            self.timeline.canvas.set_zoom(zoom)
        flt = state.get("filter") or {}
        for box, value in (
            (self.purpose_filter, flt.get("purpose")),
            (self.status_filter, flt.get("status")),
        ):
            if value:
                index = box.findData(value)
                if index >= 0:
                    box.setCurrentIndex(index)
        if flt.get("text"):
            self.search.setText(str(flt["text"]))
        view = state.get("view")
        if view in VIEWS and view != "table":
            self.stack.setCurrentIndex(VIEWS.index(view))
            self.view_actions[view].setChecked(True)

    # --- actions ----------------------------------------------------------------------------------------------

    def selected_dispatch(self) -> int | None:
        if self.current_view() == "staff":
            return None
        return self.current_id()

    def new_dispatch(self) -> None:
        if self.current_view() == "staff":
            self.staff.new_staff()
            return
        dialog = DispatchDialog(self.sessions, None, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.after_save()

    def edit_current(self) -> None:
        if self.current_view() == "staff":
            self.staff.edit_current()
            return
        dispatch_id = self.selected_dispatch()
        if dispatch_id is not None:
            self.edit_dispatch(dispatch_id)

    def edit_dispatch(self, dispatch_id: int) -> None:
        try:
            dialog = DispatchDialog(self.sessions, dispatch_id, self)
        except ServiceError as exc:
            QMessageBox.warning(self, _("Dispatch"), exc.message)
            self.reload()
            return
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.after_save()

    def after_save(self) -> None:
        self._filter_choices_loaded = False
        self.reload()

    def delete_current(self) -> None:
        dispatch_id = self.selected_dispatch()
        if dispatch_id is None:
            return
        row = self.model.row_at(self.view.currentIndex().row())
        answer = QMessageBox.question(
            self,
            _("Delete dispatch"),
            _("Delete the dispatch {code} with its members and itinerary?").format(code=row.code),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            with self.sessions() as s:
                svc.delete_dispatch(s, dispatch_id)
                s.commit()
        except ServiceError as exc:
            QMessageBox.warning(self, _("Not deleted"), exc.message)
        self.reload()

    def print_itinerary(self) -> None:
        dispatch_id = self.selected_dispatch()
        if dispatch_id is None:
            QMessageBox.information(self, _("Print itinerary"), _("Choose a dispatch first."))
            return
        code = self.model.row_at(self.view.currentIndex().row()).code
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Print itinerary"), f"{code}.pdf", _("PDF files (*.pdf)")
        )
        if path:
            self.write_itinerary(dispatch_id, Path(path))

    def write_itinerary(self, dispatch_id: int, path: Path) -> None:
        from kawaoffice.documents.itinerary import build_itinerary

        def work() -> None:
            with self.sessions() as s:
                build_itinerary(s, dispatch_id, path)

        try:
            run_busy(self, _("Writing the itinerary..."), work)
        except (ServiceError, OSError) as exc:
            QMessageBox.warning(self, _("Print itinerary"), str(exc))

    def export_ics(self) -> None:
        dispatch_id = self.selected_dispatch()
        if dispatch_id is None:
            QMessageBox.information(self, _("Export to Outlook"), _("Choose a dispatch first."))
            return
        code = self.model.row_at(self.view.currentIndex().row()).code
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Export to Outlook"), f"{code}.ics", _("Calendar files (*.ics)")
        )
        if not path:
            return
        from kawaoffice.documents.dispatch_ics import write_dispatch_ics

        def work() -> int:
            with self.sessions() as s:
                return write_dispatch_ics(s, dispatch_id, Path(path))

        try:
            run_busy(self, _("Exporting..."), work)
        except (ServiceError, OSError) as exc:
            QMessageBox.warning(self, _("Export to Outlook"), str(exc))
