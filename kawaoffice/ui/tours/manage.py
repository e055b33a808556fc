"""Facilities (capacity, closed dates) and visit statistics dialogs of the Visits tab."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kawaoffice.i18n import N_, _, country_name, fiscal_year, fiscal_year_label, format_date, format_number
from kawaoffice.model.tours import VISITOR_TYPE_LABELS, VisitorType
from kawaoffice.services import ServiceError, tour_stats, tours
from kawaoffice.ui.widgets.paged_model import SessionProvider

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


class FacilitiesDialog(QDialog):
    """Pick a facility; change its capacity; add and remove closed dates (年末年始, maintenance)."""

    def __init__(self, sessions: SessionProvider, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("facilities_dialog")
        self.setWindowTitle(_("Facilities"))
        self.sessions = sessions
        layout = QHBoxLayout(self)
        self.list = QListWidget(self)
        layout.addWidget(self.list, 1)
        right = QVBoxLayout()
        form = QFormLayout()
        self.capacity = QSpinBox(self)
        self.capacity.setRange(1, 10000)
        self.hours = QLabel(self)
        self.courses = QLabel(self)
        self.courses.setWordWrap(True)
        save = QPushButton(_("Save capacity"), self)
        save.clicked.connect(self.save_capacity)
        form.addRow(_("Capacity (visitors at once)"), self.capacity)
        form.addRow("", save)
        form.addRow(_("Opening hours"), self.hours)
        form.addRow(_("Courses"), self.courses)
        right.addLayout(form)
        right.addWidget(QLabel(_("Closed dates")))
        self.closed = QListWidget(self)
        right.addWidget(self.closed)
        add_row = QHBoxLayout()
        self.closed_on = QDateEdit(QDate.currentDate(), self)
        self.closed_on.setCalendarPopup(True)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText(_("Reason (年末年始, maintenance…)"))
        add = QPushButton(_("Add closed date"), self)
        add.clicked.connect(self.add_closed)
        remove = QPushButton(_("Remove"), self)
        remove.clicked.connect(self.remove_closed)
        for w in (self.closed_on, self.reason, add, remove):
            add_row.addWidget(w)
        right.addLayout(add_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        right.addWidget(buttons)
        layout.addLayout(right, 2)
        self.list.currentRowChanged.connect(lambda _r: self.show_facility())
        with sessions() as s:
            for f in tours.facilities(s, active_only=False):
                item = QListWidgetItem(f.name_ja)
                item.setData(256, f.id)
                self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.resize(820, 460)

    def facility_id(self) -> int | None:
        item = self.list.currentItem()
        return int(item.data(256)) if item is not None else None

    def show_facility(self) -> None:
        fid = self.facility_id()
        if fid is None:
            return
        with self.sessions() as s:
            f = tours.get_facility(s, fid)
            self.version = f.version
            self.capacity.setValue(f.capacity)
            hours = [
                f"{_(WEEKDAYS[w.weekday])} "
                + (_("closed") if w.closed else f"{w.opens:%H:%M}–{w.closes:%H:%M}")
                for w in f.weekdays
            ]
            self.hours.setText(", ".join(hours) or _("not set (always open)"))
            self.courses.setText(
                "\n".join(
                    _("{name}: {minutes} min, groups of {low}–{high}").format(
                        name=c.name_ja, minutes=c.duration_min, low=c.min_group, high=c.max_group
                    )
                    for c in f.courses
                )
            )
            self.closed.clear()
            for row in f.closed_dates:
                item = QListWidgetItem(f"{format_date(row.closed_on)}  {row.reason}")
                item.setData(256, row.id)
                self.closed.addItem(item)

    def _run(self, work: object) -> None:
        try:
            with self.sessions() as s:
                work(s)  # type: ignore[operator]
        except ServiceError as exc:
            QMessageBox.warning(self, _("Facilities"), exc.message)
        self.show_facility()

    def save_capacity(self) -> None:
        fid = self.facility_id()
        if fid is not None:
            self._run(lambda s: tours.update_facility(s, fid, self.version, capacity=self.capacity.value()))

    def add_closed(self) -> None:
        fid = self.facility_id()
        d = self.closed_on.date()
        if fid is not None:
            self._run(
                lambda s: tours.add_closed_date(
                    s, fid, date(d.year(), d.month(), d.day()), self.reason.text()
                )
            )

    def remove_closed(self) -> None:
        item = self.closed.currentItem()
        if item is None:
            return
        answer = QMessageBox.question(
            self, _("Facilities"), _("Remove the closed date {date}?").format(date=item.text())
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._run(lambda s: tours.remove_closed_date(s, int(item.data(256))))


class StatsDialog(QDialog):
    """Visitors and groups by country/region, visitor type and fiscal year, and the cumulative headline."""

    def __init__(self, sessions: SessionProvider, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stats_dialog")
        self.setWindowTitle(_("Visit statistics"))
        self.sessions = sessions
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.year = QSpinBox(self)
        self.year.setRange(0, 2100)
        self.year.setSpecialValueText(_("All years"))
        self.year.setValue(fiscal_year(date.today()))
        top.addWidget(QLabel(_("Fiscal year")))
        top.addWidget(self.year)
        top.addStretch(1)
        layout.addLayout(top)
        self.headline = QLabel(self)
        self.headline.setObjectName("stats_headline")
        self.headline.setWordWrap(True)
        layout.addWidget(self.headline)
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels([_("Country/region or type"), _("Visitors"), _("Groups")])
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.year.valueChanged.connect(lambda _v: self.refresh())
        self.refresh()
        self.resize(560, 520)

    def refresh(self) -> None:
        fy = self.year.value() or None
        with self.sessions() as s:
            stats = tour_stats.visit_stats(s, fy)
        period = fiscal_year_label(fy, era=True) if fy else _("All years")
        text = _("{period}: {visitors} visitors in {groups} groups.").format(
            period=period, visitors=format_number(stats.visitors), groups=format_number(stats.groups)
        )
        if stats.first_fiscal_year is not None:
            text += " " + _("Since {year}: {visitors} visitors from {countries} countries and regions.").format(
                year=fiscal_year_label(stats.first_fiscal_year), visitors=format_number(stats.cumulative_visitors),
                countries=format_number(stats.cumulative_countries),
            )  # fmt: skip
        self.headline.setText(text)
        rows = [(country_name(c.key) if c.key else _("Unknown"), c) for c in stats.by_country]
        rows += [(_(VISITOR_TYPE_LABELS[VisitorType(c.key)]), c) for c in stats.by_visitor_type]
        self.table.setRowCount(len(rows))
        for r, (name, c) in enumerate(rows):
            for col, value in enumerate((name, format_number(c.visitors), format_number(c.groups))):
                self.table.setItem(r, col, QTableWidgetItem(value))
