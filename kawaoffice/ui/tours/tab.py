"""The Visits tab: bookings as a filtered list, a day calendar (facilities side by side), a week calendar per
facility and a printable "today" view; booking dialog, move, confirm, print preview / print / PDF, statistics and
facility management."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QAction, QKeySequence, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTextBrowser,
    QToolBar,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from kawaoffice.i18n import N_, _, format_date, format_time
from kawaoffice.model.tours import BOOKING_STATUS_LABELS, BookingStatus
from kawaoffice.services import ServiceError, tours
from kawaoffice.services.errors import ConflictError
from kawaoffice.ui.tours import choices
from kawaoffice.ui.tours.calendar import ZONE, CalendarView, day_range
from kawaoffice.ui.tours.dialog import BookingDialog
from kawaoffice.ui.tours.manage import FacilitiesDialog, StatsDialog
from kawaoffice.ui.tours.model import VisitsModel
from kawaoffice.ui.tours.printing import paint_pdf
from kawaoffice.ui.widgets.paged_model import SessionProvider
from kawaoffice.ui.widgets.record_tab import RecordTab, require_role

LIST, DAY, WEEK, TODAY = range(4)


class VisitsTab(RecordTab):
    key = "visits"
    title = N_("Visits")
    model_class = VisitsModel

    def __init__(self, sessions: SessionProvider, parent: QWidget | None = None) -> None:
        super().__init__(sessions, parent)
        self.sessions = sessions
        self.schedule_lang = "both"
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.removeWidget(self.view)
        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("tours_toolbar")
        self.actions_by_name: dict[str, QAction] = {}
        for name, text, shortcut, slot in (
            ("new", _("New booking"), QKeySequence.StandardKey.New, self.new_booking),
            ("edit", _("Edit"), "F2", self.edit_booking),
            ("move", _("Move…"), "Ctrl+M", self.move_booking),
            ("confirm", _("Confirm"), "Ctrl+K", self.confirm_booking),
            ("preview", _("Print preview…"), QKeySequence.StandardKey.Print, self.print_preview),
            ("print", _("Print…"), "Ctrl+Shift+P", self.print_direct),
            ("pdf", _("Save as PDF…"), "Ctrl+Shift+S", self.save_pdf),
            ("facilities", _("Facilities…"), None, self.manage_facilities),
            ("stats", _("Statistics…"), None, self.show_stats),
        ):
            action = QAction(text, self)
            if shortcut is not None:
                action.setShortcut(QKeySequence(shortcut))
                action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.toolbar.addAction(action)
            self.addAction(action)
            self.actions_by_name[name] = action
        for name in ("new", "edit", "move", "confirm"):
            require_role(self.actions_by_name[name], "editor")
        require_role(self.actions_by_name["facilities"], "admin")
        self.lang = QComboBox(self)
        for code, text in (("both", _("Japanese and English")), ("ja", _("Japanese")), ("en", _("English"))):
            self.lang.addItem(text, code)
        self.lang.setToolTip(_("Language of the visit schedule"))
        self.toolbar.addWidget(self.lang)

        bar = QHBoxLayout()
        self.mode = QComboBox(self)
        self.mode.setObjectName("tours_mode")
        for text in (_("List"), _("Day"), _("Week"), _("Today")):
            self.mode.addItem(text)
        self.status_filter = QComboBox(self)
        self.status_filter.addItem(_("All statuses"), "")
        for value, text in BOOKING_STATUS_LABELS.items():
            self.status_filter.addItem(_(text), value.value)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(_("Search group, code, country…"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(260)  # the whole placeholder is readable
        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(lambda: self.search.setFocus())
        self.addAction(find)
        self.day = QDateEdit(QDate.currentDate(), self)
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.facility = QComboBox(self)
        prev_day, next_day = QPushButton("◀", self), QPushButton("▶", self)
        self.day_buttons = (prev_day, next_day)
        for button in self.day_buttons:
            button.setMaximumWidth(32)
        prev_day.clicked.connect(
            lambda: self.day.setDate(self.day.date().addDays(-7 if self.mode.currentIndex() == WEEK else -1))
        )
        next_day.clicked.connect(
            lambda: self.day.setDate(self.day.date().addDays(7 if self.mode.currentIndex() == WEEK else 1))
        )
        for w in (QLabel(_("View:")), self.mode, self.status_filter, self.search, prev_day, self.day, next_day,
                  self.facility):  # fmt: skip
            bar.addWidget(w)
        bar.addStretch(1)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.calendar = CalendarView(self)
        self.stack.addWidget(self.calendar)
        self.today = QTextBrowser(self)
        self.today.setObjectName("tours_today")
        self.stack.addWidget(self.today)
        layout.addWidget(self.toolbar)
        layout.addLayout(bar)
        layout.addWidget(self.stack)

        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.status_filter.currentIndexChanged.connect(self._filter_changed)
        self.search.textChanged.connect(self._filter_changed)
        self.day.dateChanged.connect(lambda _d: self.refresh_views())
        self.facility.currentIndexChanged.connect(lambda _i: self.refresh_views())
        self.view.doubleClicked.connect(lambda _i: self.edit_booking())
        self.calendar.block_activated.connect(self._edit_id)
        self._mode_changed(LIST)

    # --- state ------------------------------------------------------------------------------------------------
    def restore_state(self, state: dict[str, Any]) -> None:
        self.mode.setCurrentIndex(int(state.get("mode", LIST)))
        index = self.lang.findData(state.get("lang", "both"))
        self.lang.setCurrentIndex(max(0, index))

    def save_state(self) -> dict[str, Any]:
        return {"mode": self.mode.currentIndex(), "lang": self.lang.currentData()}

    def load(self) -> None:
        """The list's first page (one statement); the facilities only for the calendars and the today view,
        when one of them is shown (the list does not need them: one round trip less on a shared server)."""
        self._loaded = True
        super().load()
        self.refresh_views()

    def reload(self) -> None:
        """Reload the list (keeping the selected booking selected) and the calendar or today view."""
        choices.invalidate()  # the booking dialog's facilities, courses and guides are read again
        keep = self.current_id()
        self.model.reload()
        if keep is not None:
            self.select_booking(keep)
        self.refresh_views()

    def select_booking(self, booking_id: int) -> bool:
        for row in range(self.model.rowCount()):
            if self.model.id_at(row) == booking_id:
                self.view.selectRow(row)
                return True
        return False

    def _fill_facilities(self) -> None:
        with self.sessions() as s:
            self._facilities = [(f.id, f.name_ja) for f in tours.facilities(s)]
        current = self.facility.currentData()
        self.facility.blockSignals(True)
        self.facility.clear()
        for fid, name in self._facilities:
            self.facility.addItem(name, fid)
        self.facility.setCurrentIndex(max(0, self.facility.findData(current)))
        self.facility.blockSignals(False)

    # --- views ------------------------------------------------------------------------------------------------
    def selected_day(self) -> date:
        d = self.day.date()
        return date(d.year(), d.month(), d.day())

    def _mode_changed(self, mode: int) -> None:
        self.stack.setCurrentIndex({LIST: 0, DAY: 1, WEEK: 1, TODAY: 2}[mode])
        self.status_filter.setVisible(mode == LIST)
        self.search.setVisible(mode == LIST)
        self.facility.setVisible(mode == WEEK)
        self.day.setVisible(mode in (DAY, WEEK))
        for button in self.day_buttons:
            button.setVisible(mode in (DAY, WEEK))
        self.refresh_views()

    def _filter_changed(self) -> None:
        model = self.model
        assert isinstance(model, VisitsModel)
        model.set_filter(self.status_filter.currentData() or None, self.search.text())

    def refresh_views(self) -> None:
        mode = self.mode.currentIndex()
        if mode == LIST or not getattr(self, "_loaded", False):
            return
        if getattr(self, "_facilities", None) is None:
            self._fill_facilities()
        if not self._facilities:
            return
        if mode == DAY:
            start, end = day_range(self.selected_day())
            with self.sessions() as s:
                blocks = tours.calendar_blocks(s, start, end)
            self.calendar.set_day(self.selected_day(), self._facilities, blocks)
        elif mode == WEEK:
            monday = self.selected_day() - timedelta(days=self.selected_day().weekday())
            start, _e = day_range(monday)
            with self.sessions() as s:
                blocks = tours.calendar_blocks(s, start, start + timedelta(days=7),
                                               facility_id=self.facility.currentData())  # fmt: skip
            self.calendar.set_week(monday, blocks)
        elif mode == TODAY:
            self.today.setHtml(self.today_html(date.today()))

    def today_html(self, day: date) -> str:
        start, end = day_range(day)
        with self.sessions() as s:
            blocks = [b for b in tours.calendar_blocks(s, start, end) if b.status != BookingStatus.CANCELLED]
        names = dict(self._facilities)
        rows = "".join(
            "<tr><td>{}–{}</td><td>{}</td><td>{}<br/>{}</td><td align='right'>{}</td><td>{}</td><td>{}</td></tr>".format(
                format_time(b.starts_at, ZONE), format_time(b.ends_at, ZONE), escape(names.get(b.facility_id, "")),
                escape(b.booking_code), escape(b.group_name), b.headcount, escape(", ".join(b.staff_names)),
                escape(_(BOOKING_STATUS_LABELS[b.status])),
            )
            for b in blocks
        )  # fmt: skip
        heads = "".join(f"<th>{escape(h)}</th>" for h in (_("Time"), _("Facility"), _("Group"), _("Visitors"),
                                                         _("Guides"), _("Status")))  # fmt: skip
        title = _("Visits on {date}").format(date=format_date(day, "full"))
        none_text = _("No visits today.")
        empty = "" if blocks else f"<p>{escape(none_text)}</p>"
        return (
            f"<h2>{escape(title)}</h2>"
            f"<table border='1' cellspacing='0' cellpadding='4' width='100%'><tr>{heads}</tr>{rows}</table>{empty}"
        )

    # --- actions ------------------------------------------------------------------------------------------------
    def _error(self, message: str) -> None:
        QMessageBox.warning(self, _("Visits"), message)

    def open_dialog(self, booking_id: int | None = None) -> BookingDialog:
        return BookingDialog(self.sessions, booking_id, self)

    def new_booking(self) -> None:
        dialog = self.open_dialog()
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.reload()

    def _edit_id(self, booking_id: int) -> None:
        dialog = self.open_dialog(booking_id)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.reload()

    def edit_booking(self) -> None:
        booking_id = self.current_id()
        if booking_id is not None:
            self._edit_id(booking_id)

    def _ask_reason(self, error: ConflictError) -> str | None:
        text, ok = QInputDialog.getText(
            self, _("Problems found"),
            error.message + "\n\n" + _("Give a reason to go ahead anyway (it is recorded):"),
        )  # fmt: skip
        return text.strip() if ok and text.strip() else None

    def _run_with_override(self, work: Any) -> bool:
        reason: str | None = None
        while True:
            try:
                with self.sessions() as s:
                    work(s, reason)
                return True
            except ConflictError as exc:
                reason = self._ask_reason(exc)
                if reason is None:
                    return False
            except ServiceError as exc:
                self._error(exc.message)
                return False

    def confirm_booking(self) -> None:
        booking_id = self.current_id()
        if booking_id is None:
            return

        def work(s: Session, reason: str | None) -> None:
            b = tours.get_booking(s, booking_id)
            tours.confirm_booking(s, booking_id, b.version, override_reason=reason)

        if self._run_with_override(work):
            self.reload()

    def move_booking(self) -> None:
        booking_id = self.current_id()
        if booking_id is None:
            return
        text, ok = QInputDialog.getText(self, _("Move booking"), _("New date (YYYY-MM-DD):"))
        if not ok:
            return
        try:
            to_date = date.fromisoformat(text.strip())
        except ValueError:
            self._error(_("Enter the date as YYYY-MM-DD."))
            return

        def work(s: Session, reason: str | None) -> None:
            b = tours.get_booking(s, booking_id)
            tours.move_booking(s, booking_id, b.version, to_date=to_date, override_reason=reason)

        if self._run_with_override(work):
            self.reload()

    # --- printing -------------------------------------------------------------------------------------------
    def schedule_pdf(self, booking_id: int, lang: str | None = None) -> bytes:
        from kawaoffice.documents.visit_schedule import build_visit_schedule  # reportlab: when printing

        out = io.BytesIO()
        with self.sessions() as s:
            build_visit_schedule(s, booking_id, out, lang=lang or self.lang.currentData(), era=True)  # type: ignore[arg-type]
        return out.getvalue()

    def print_to(self, printer: QPrinter) -> int:
        """Print the current booking's visit schedule (or the today view) on ``printer``."""
        if self.mode.currentIndex() == TODAY:
            document = QTextDocument()
            document.setHtml(self.today.toHtml())
            document.print_(printer)
            return 1
        booking_id = self.current_id()
        if booking_id is None:
            return 0
        return paint_pdf(self.schedule_pdf(booking_id), printer)

    def _needs_booking(self) -> bool:
        if self.mode.currentIndex() != TODAY and self.current_id() is None:
            self._error(_("Select a booking in the list first."))
            return True
        return False

    def print_preview(self) -> None:
        if self._needs_booking():
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        preview = QPrintPreviewDialog(printer, self)
        preview.paintRequested.connect(self.print_to)
        preview.exec()

    def print_direct(self) -> None:
        if self._needs_booking():
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def save_pdf(self, path: Path | None = None) -> Path | None:
        booking_id = self.current_id()
        if booking_id is None:
            self._error(_("Select a booking in the list first."))
            return None
        if path is None:
            name, _f = QFileDialog.getSaveFileName(
                self, _("Save as PDF"), f"visit-{booking_id}.pdf", "PDF (*.pdf)"
            )
            if not name:
                return None
            path = Path(name)
        try:
            path.write_bytes(self.schedule_pdf(booking_id))
        except OSError as exc:
            self._error(_("Could not write {path}: {error}").format(path=path, error=exc.strerror))
            return None
        return path

    def manage_facilities(self) -> None:
        FacilitiesDialog(self.sessions, self).exec()
        self._fill_facilities()
        self.refresh_views()

    def show_stats(self) -> None:
        StatsDialog(self.sessions, self).exec()


def local_datetime(day: date, at: time) -> datetime:
    return datetime.combine(day, at, ZONE)
