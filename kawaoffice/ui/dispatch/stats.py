"""The statistics view: experts dispatched by country and fiscal year, with the running total since the first
record."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QTableView, QVBoxLayout, QWidget

from kawaoffice import i18n
from kawaoffice.i18n import _
from kawaoffice.services import dispatch as svc
from kawaoffice.services import dispatch_stats
from kawaoffice.ui.dispatch.model import StatsModel
from kawaoffice.ui.widgets.paged_model import SessionProvider


def cumulative_text(stats: dispatch_stats.DispatchStatistics) -> str:
    cum = stats.cumulative
    if cum.first_year is None or cum.last_year is None:
        return _("No dispatches recorded yet.")
    return _(
        "{first} to {last}: {experts} experts, {trips} person-trips, {days} person-days, to {countries} countries."
    ).format(
        first=i18n.fiscal_year_label(cum.first_year),
        last=i18n.fiscal_year_label(cum.last_year),
        experts=i18n.format_number(cum.experts),
        trips=i18n.format_number(cum.person_trips),
        days=i18n.format_number(cum.person_days),
        countries=i18n.format_number(len(cum.countries)),
    )


class StatsView(QWidget):
    def __init__(self, sessions: SessionProvider, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dispatch_stats")
        self.sessions = sessions
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.year = QComboBox(self)
        self.year.setObjectName("stats_year")
        self.year.addItem(_("All fiscal years"), None)
        row.addWidget(QLabel(_("Fiscal year"), self))
        row.addWidget(self.year)
        row.addStretch(1)
        layout.addLayout(row)
        self.summary = QLabel(self)
        self.summary.setObjectName("stats_summary")
        self.summary.setWordWrap(True)
        font = self.summary.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.summary.setFont(font)
        layout.addWidget(self.summary)
        self.note = QLabel(
            _(
                "Counted: confirmed and completed dispatches. Person-trips count in the fiscal year of departure; "
                "person-days are split over the fiscal years they fall in."
            ),
            self,
        )
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.model = StatsModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("stats_table")
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAlternatingRowColors(True)
        layout.addWidget(self.table, 1)
        self.year.currentIndexChanged.connect(lambda _i: self.reload())

    def reload(self) -> None:
        with self.sessions() as s:
            if self.year.count() == 1:
                self.year.blockSignals(True)
                for fy in svc.dispatch_fiscal_years(s):
                    self.year.addItem(i18n.fiscal_year_label(fy), fy)
                self.year.blockSignals(False)
            stats = dispatch_stats.dispatch_statistics(s, fiscal_year=self.year.currentData())
        self.model.set_rows(list(stats.rows))
        self.summary.setText(cumulative_text(stats))
        self.table.resizeColumnsToContents()
