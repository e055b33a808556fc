"""The statistics window for managers (View > Statistics...): a fiscal year (April-March) or every year since the
first record; summary figures with the Kitakyushu-style headline, charts, the world view of the cooperation, project
progress, member companies and needs, the year's visits and dispatches; PDF and Excel exports of the same numbers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QFont, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError

from kawaoffice import i18n
from kawaoffice.documents.annual_report import (
    PIE_COLORS,
    SERIES_COLORS,
    build_annual_report_pdf,
    counting_note,
    country_headers,
    country_label,
    day,
    headline,
    member_headers,
    move_text,
    period_label,
    scheme_state_counts,
    summary_figures,
    visit_country_text,
)
from kawaoffice.documents.stats_export import build_stats_xlsx
from kawaoffice.i18n import _, pgettext
from kawaoffice.model.dispatch import DISPATCH_PURPOSE_LABELS
from kawaoffice.model.projects import PROJECT_STATE_LABELS, ProjectState
from kawaoffice.model.tours import VISITOR_TYPE_LABELS
from kawaoffice.services.errors import ServiceError
from kawaoffice.services.reports import AnnualReport, annual_report, report_years
from kawaoffice.settings import Settings
from kawaoffice.ui.reports import charts
from kawaoffice.ui.reports.tables import Cell, RowsModel, number, table_view, text
from kawaoffice.ui.widgets.busy import run_busy
from kawaoffice.ui.widgets.format import localized
from kawaoffice.ui.widgets.paged_model import SessionProvider

log = logging.getLogger(__name__)

STATE_KEY = "reports"
ALL_YEARS = -1  # the period combo's data for "since the beginning"
WORLD_LIMIT = 20


class ReportsWindow(QMainWindow):
    """``ReportsWindow(sessions, settings, parent)``; call ``load()`` after constructing (or let ``showEvent``)."""

    def __init__(
        self, sessions: SessionProvider, settings: Settings | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setObjectName("reports_window")
        self.setWindowTitle(_("Statistics"))
        self.sessions = sessions
        self.settings = settings
        self.report: AnnualReport | None = None
        self._loaded = False
        self.resize(1180, 820)

        # --- toolbar ------------------------------------------------------------------------------------------
        bar = QToolBar(_("Statistics"), self)
        bar.setObjectName("reports_toolbar")
        bar.setMovable(False)
        self.addToolBar(bar)
        bar.addWidget(QLabel(_("Period") + " ", self))
        self.period = QComboBox(self)
        self.period.setObjectName("report_period")
        self.period.setMinimumContentsLength(14)
        self.period.setToolTip(_("Fiscal year (April to March), or every year since the first record"))
        bar.addWidget(self.period)
        self.era = QCheckBox(_("Japanese era"), self)
        self.era.setObjectName("report_era")
        self.era.setToolTip(_("Dates and fiscal years in the Japanese era (令和7年度) in the PDF"))
        bar.addWidget(self.era)
        bar.addSeparator()
        self.refresh_action = self._action(bar, _("Refresh"), QKeySequence.StandardKey.Refresh, self.refresh)
        self.pdf_action = self._action(
            bar, _("Export PDF..."), QKeySequence.StandardKey.Print, self.export_pdf
        )
        self.excel_action = self._action(bar, _("Export Excel..."), QKeySequence("Ctrl+E"), self.export_excel)
        close = QAction(_("Close"), self)
        close.setShortcut(QKeySequence.StandardKey.Close)
        close.triggered.connect(self.close)
        self.addAction(close)
        self.period.currentIndexChanged.connect(lambda _i: self.refresh() if self._loaded else None)
        self.era.toggled.connect(lambda _on: self._show_report() if self.report is not None else None)

        # --- pages --------------------------------------------------------------------------------------------
        central = QWidget(self)
        layout = QVBoxLayout(central)
        self.headline = QLabel(central)
        self.headline.setObjectName("report_headline")
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.45)
        self.headline.setFont(font)
        layout.addWidget(self.headline)
        self.tabs = QTabWidget(central)
        self.tabs.setObjectName("report_tabs")
        self.tabs.setDocumentMode(True)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self._build_summary_page()
        self._build_world_page()
        self._build_projects_page()
        self._build_members_page()
        self._build_lists_page()
        self.statusBar().setObjectName("reports_status")
        self._restore_state()

    # --- construction helpers -------------------------------------------------------------------------------

    def _action(
        self, bar: QToolBar, label: str, key: QKeySequence | QKeySequence.StandardKey, slot: Callable[[], Any]
    ) -> QAction:
        action = QAction(label, self)
        action.setShortcut(key)
        action.setToolTip(f"{label} ({QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)})")
        action.triggered.connect(lambda _checked=False: slot())
        bar.addAction(action)
        return action

    def _page(self, title: str, name: str) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget(self.tabs)
        page.setObjectName(name)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(4, 6, 4, 4)
        self.tabs.addTab(page, title)
        return page, layout

    def _build_summary_page(self) -> None:
        page, layout = self._page(_("Summary"), "page_summary")
        self.cards = QGridLayout()
        self.cards.setHorizontalSpacing(8)
        self.cards.setVerticalSpacing(8)
        self.figure_values: dict[str, QLabel] = {}
        layout.addLayout(self.cards)
        self.note = QLabel(page)
        self.note.setObjectName("report_note")
        self.note.setWordWrap(True)
        small = self.note.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.note.setFont(small)
        layout.addWidget(self.note)
        self.summary_charts = QHBoxLayout()
        layout.addLayout(self.summary_charts, 1)

    def _build_world_page(self) -> None:
        page, layout = self._page(_("World view"), "page_world")
        split = QSplitter(Qt.Orientation.Vertical, page)
        scroll = QScrollArea(split)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        holder = QWidget(scroll)
        self.world_charts = QHBoxLayout(holder)
        self.world_charts.setContentsMargins(0, 0, 0, 0)
        scroll.setWidget(holder)
        self.country_model = RowsModel(country_headers(), self)
        self.country_table = table_view(self.country_model, split, "report_countries", stretch=False)
        split.addWidget(scroll)
        split.addWidget(self.country_table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([520, 260])
        layout.addWidget(split)

    def _build_projects_page(self) -> None:
        page, layout = self._page(pgettext("report", "Projects"), "page_projects")
        split = QSplitter(Qt.Orientation.Vertical, page)
        top = QWidget(split)
        self.project_charts = QVBoxLayout(top)
        self.project_charts.setContentsMargins(0, 0, 0, 0)
        bottom = QSplitter(Qt.Orientation.Horizontal, split)
        self.stage_model = RowsModel(
            [
                _("Scheme"),
                _("Stage at the end of the period"),
                pgettext("report", "Projects"),
                _("of them active"),
            ],
            self,
        )
        self.stage_table = table_view(self.stage_model, bottom, "report_stages", stretch=False)
        self.change_model = RowsModel([_("Date"), _("Code"), _("Project"), _("Move")], self)
        self.change_table = table_view(self.change_model, bottom, "report_changes")
        split.addWidget(top)
        split.addWidget(bottom)
        layout.addWidget(split)

    def _build_members_page(self) -> None:
        page, layout = self._page(_("Members and needs"), "page_members")
        split = QSplitter(Qt.Orientation.Vertical, page)
        self.member_model = RowsModel(member_headers(), self)
        self.member_table = table_view(self.member_model, split, "report_members", stretch=False)
        needs = QWidget(split)
        needs_layout = QVBoxLayout(needs)
        needs_layout.setContentsMargins(0, 4, 0, 0)
        self.needs_label = QLabel(needs)
        self.needs_label.setObjectName("report_needs_summary")
        self.needs_label.setWordWrap(True)
        needs_layout.addWidget(self.needs_label)
        self.need_model = RowsModel([_("Learnt on"), _("Country"), _("Need"), _("Passed on")], self)
        self.need_table = table_view(self.need_model, needs, "report_needs")
        needs_layout.addWidget(self.need_table)
        split.addWidget(self.member_table)
        split.addWidget(needs)
        layout.addWidget(split)

    def _build_lists_page(self) -> None:
        page, layout = self._page(_("Visits and dispatches"), "page_lists")
        self.lists_note = QLabel(page)
        self.lists_note.setObjectName("report_lists_note")
        self.lists_note.setWordWrap(True)
        layout.addWidget(self.lists_note)
        split = QSplitter(Qt.Orientation.Vertical, page)
        self.visit_model = RowsModel(
            [_("Date"), _("Code"), _("Group"), _("Country"), _("Visitor type"), _("People")], self
        )
        self.visit_table = table_view(self.visit_model, split, "report_visits")
        self.dispatch_model = RowsModel(
            [
                pgettext("period", "From"),
                pgettext("period", "To"),
                _("Code"),
                pgettext("report", "Dispatch"),
                _("Country"),
                _("Purpose"),
                _("Members"),
            ],
            self,
        )
        self.dispatch_table = table_view(self.dispatch_model, split, "report_dispatches")
        split.addWidget(self.visit_table)
        split.addWidget(self.dispatch_table)
        layout.addWidget(split, 1)

    # --- state ----------------------------------------------------------------------------------------------

    def _state(self) -> dict[str, Any]:
        if self.settings is None:
            return {}
        state = self.settings.tab_states.get(STATE_KEY, {})
        return state if isinstance(state, dict) else {}

    def _restore_state(self) -> None:
        state = self._state()
        self.era.setChecked(bool(state.get("era", False)))
        self.tabs.setCurrentIndex(int(state.get("page", 0)) if str(state.get("page", 0)).isdigit() else 0)

    def save_state(self) -> None:
        if self.settings is None:
            return
        self.settings.tab_states[STATE_KEY] = {
            "period": self.period.currentData(),
            "era": self.era.isChecked(),
            "page": self.tabs.currentIndex(),
        }

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        super().closeEvent(event)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._loaded:
            self.load()

    # --- loading --------------------------------------------------------------------------------------------

    def load(self) -> None:
        """Fill the period picker (the last choice, else the current fiscal year) and compute the figures."""
        try:
            with self.sessions() as s:
                years = report_years(s)
        except SQLAlchemyError as exc:
            log.exception("reports: cannot read the fiscal years")
            self._error(
                _("The database could not be read: {error}").format(
                    error=str(getattr(exc, "orig", None) or exc)
                )
            )
            years = [i18n.fiscal_year(date.today())]
        current = i18n.fiscal_year(date.today())
        wanted = self._state().get("period", current if current in years else (years[0] if years else None))
        self.period.blockSignals(True)
        self.period.clear()
        self.period.addItem(_("Since the beginning"), ALL_YEARS)
        for fy in years:
            self.period.addItem(i18n.fiscal_year_label(fy), fy)
        index = self.period.findData(wanted)
        self.period.setCurrentIndex(
            index if index >= 0 else min(1, self.period.count() - 1)
        )  # else the newest
        self.period.blockSignals(False)
        self._loaded = True
        self.refresh()

    def selected_year(self) -> int | None:
        data = self.period.currentData()
        return None if data in (None, ALL_YEARS) else int(data)

    def refresh(self) -> None:
        """Recompute the figures of the chosen period (F5) off the UI thread."""
        year = self.selected_year()

        def work() -> AnnualReport:
            with self.sessions() as s:
                return annual_report(s, year)

        try:
            self.report = run_busy(self, _("Computing the figures..."), work)
        except (SQLAlchemyError, ServiceError) as exc:
            log.exception("reports: computing the figures failed")
            message = exc.message if isinstance(exc, ServiceError) else str(getattr(exc, "orig", None) or exc)
            self._error(_("The figures could not be computed: {error}").format(error=message))
            return
        self._show_report()

    def _show_report(self) -> None:
        report = self.report
        if report is None:
            return
        era = self.era.isChecked()
        self.setWindowTitle(_("Statistics — {period}").format(period=period_label(report, era)))
        self.headline.setText(headline(report))
        self._show_summary(report, era)
        self._show_world(report)
        self._show_projects(report)
        self._show_members(report)
        self._show_lists(report)

    def _show_summary(self, report: AnnualReport, era: bool) -> None:
        _clear(self.cards)
        self.figure_values = {}
        for i, (label, value) in enumerate(summary_figures(report)):
            card = QFrame(self)
            card.setFrameShape(QFrame.Shape.StyledPanel)
            card.setObjectName(f"figure_{i}")
            box = QVBoxLayout(card)
            box.setContentsMargins(8, 4, 8, 4)
            number_label = QLabel(value, card)
            font = QFont(number_label.font())
            font.setPointSizeF(font.pointSizeF() * 1.6)
            font.setBold(True)
            number_label.setFont(font)
            number_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            caption = QLabel(label, card)
            caption.setWordWrap(True)
            box.addWidget(number_label)
            box.addWidget(caption)
            self.cards.addWidget(card, i // 7, i % 7)
            self.figure_values[label] = number_label
        self.note.setText(counting_note(report))
        _clear(self.summary_charts)
        types = [t for t in report.visitor_types if t.visitors]
        self.types_chart = charts.pie_chart(
            _("Visitors by visitor type"),
            [
                (_(VISITOR_TYPE_LABELS[t.visitor_type]), t.visitors, PIE_COLORS[i % len(PIE_COLORS)])
                for i, t in enumerate(types)
            ],
            self,
            "chart_visitor_types",
        )
        self.years_chart = charts.bars_and_line(
            _("Visitors and experts by fiscal year"),
            [i18n.fiscal_year_label(y.fiscal_year, era=era) for y in report.years],
            (_("Visitors"), SERIES_COLORS["visitors"], [y.visitors for y in report.years]),
            (_("Experts (person-trips)"), SERIES_COLORS["experts"], [y.person_trips for y in report.years]),
            self,
            "chart_years",
        )
        self.summary_charts.addWidget(self.types_chart, 2)
        self.summary_charts.addWidget(self.years_chart, 3)

    def _show_world(self, report: AnnualReport) -> None:
        _clear(self.world_charts)
        rows = report.world(WORLD_LIMIT)
        labels = [country_label(c.country) for c in rows]
        self.world_visitors = charts.ranking_chart(
            _("Visitors"),
            labels,
            [c.visitors for c in rows],
            SERIES_COLORS["visitors"],
            self,
            "chart_world_visitors",
        )
        self.world_experts = charts.ranking_chart(
            _("Experts (person-trips)"),
            labels,
            [c.person_trips for c in rows],
            SERIES_COLORS["experts"],
            self,
            "chart_world_experts",
        )
        self.world_charts.addWidget(self.world_visitors)
        self.world_charts.addWidget(self.world_experts)
        self.country_model.set_rows(
            [
                [
                    text(country_label(c.country)),
                    number(c.visitors),
                    number(c.groups),
                    number(c.dispatches),
                    number(c.person_trips),
                    number(c.experts),
                    number(c.person_days),
                ]
                for c in report.countries
            ]
        )
        _fit_columns(self.country_table)

    def _show_projects(self, report: AnnualReport) -> None:
        _clear(self.project_charts)
        counts = scheme_state_counts(report)
        self.projects_chart = charts.stacked_bars(
            _("Projects by scheme"),
            [name for name, *_rest in counts],
            [
                (
                    _(PROJECT_STATE_LABELS[ProjectState.ACTIVE]),
                    SERIES_COLORS["active"],
                    [c[1] for c in counts],
                ),
                (
                    _(PROJECT_STATE_LABELS[ProjectState.SUSPENDED]),
                    SERIES_COLORS["suspended"],
                    [c[2] for c in counts],
                ),
                (_("Completed or cancelled"), SERIES_COLORS["ended"], [c[3] for c in counts]),
            ],
            self,
            "chart_projects",
        )
        self.project_charts.addWidget(self.projects_chart)
        rows: list[list[Cell]] = []
        for order, s in enumerate(report.schemes):
            for st in s.stages:
                rows.append(
                    [
                        text(localized(s.name_ja, s.name_en), (order, st.position)),
                        text(localized(st.name_ja, st.name_en) or _("(no stage)"), (order, st.position)),
                        number(st.projects),
                        number(st.active),
                    ]
                )
        self.stage_model.set_rows(rows)
        self.change_model.set_rows(
            [
                [
                    Cell(day(e.occurred_on), e.occurred_on),
                    text(e.project_code),
                    text(localized(e.project_title_ja, e.project_title_en)),
                    text(move_text(e)),
                ]
                for e in report.stage_changes
            ]
        )
        _fit_columns(self.stage_table)
        _fit_columns(self.change_table)

    def _show_members(self, report: AnnualReport) -> None:
        self.member_model.set_rows(
            [
                [
                    text(localized(m.name_ja, m.name_en)),
                    number(m.projects),
                    number(m.missions),
                    number(m.presentations),
                    number(m.total),
                ]
                for m in report.members
            ]
        )
        _fit_columns(self.member_table)
        needs = report.needs
        self.needs_label.setText(
            _(
                "Needs recorded: {recorded} (passed on to the members so far: {passed}). "
                "Passed on during the period: {passed_in_period}."
            ).format(
                recorded=i18n.format_number(needs.recorded),
                passed=i18n.format_number(needs.recorded_passed_on),
                passed_in_period=i18n.format_number(needs.passed_on),
            )
        )
        self.need_model.set_rows(
            [
                [
                    Cell(day(n.learned_on), n.learned_on),
                    text(country_label(n.country)),
                    text(n.topic),
                    Cell(
                        day(n.passed_on) if n.passed_on else "—",
                        n.passed_on.isoformat() if n.passed_on else "",
                    ),
                ]
                for n in needs.needs
            ]
        )
        _fit_columns(self.need_table)

    def _show_lists(self, report: AnnualReport) -> None:
        if report.fiscal_year is None:
            self.lists_note.setText(_("The lists of visits and dispatches are shown for one fiscal year."))
        else:
            self.lists_note.setText(
                _("Confirmed and completed visits of the year, and dispatches abroad during the year.")
            )
        self.visit_model.set_rows(
            [
                [
                    Cell(day(v.visit_date), v.visit_date),
                    text(v.code),
                    text(localized(v.group_name, v.group_name_en)),
                    text(visit_country_text(report, v)),
                    text(_(VISITOR_TYPE_LABELS[v.visitor_type])),
                    number(v.headcount),
                ]
                for v in report.visits
            ]
        )
        english = i18n.current_language() != "ja"
        self.dispatch_model.set_rows(
            [
                [
                    Cell(day(d.departure_on), d.departure_on),
                    Cell(day(d.return_on), d.return_on),
                    text(d.code),
                    text(localized(d.title, d.title_en)),
                    text(country_label(d.country)),
                    text(_(DISPATCH_PURPOSE_LABELS[d.purpose])),
                    text(
                        _members_text(tuple(d.members_en if english else d.members), i18n.current_language())
                    ),
                ]
                for d in report.dispatch_list
            ]
        )
        _fit_columns(self.visit_table)
        _fit_columns(self.dispatch_table)

    # --- exports --------------------------------------------------------------------------------------------

    def _file_name(self, suffix: str) -> str:
        year = self.selected_year()
        stem = _("annual-report") if suffix == ".pdf" else _("statistics")
        return f"{stem}-{year if year is not None else 'all'}{suffix}"

    def _ask_path(self, title: str, suffix: str, pattern: str) -> Path | None:
        start = str(Path.home() / self._file_name(suffix))
        chosen, _filter = QFileDialog.getSaveFileName(self, title, start, pattern)
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() == suffix else path.with_suffix(suffix)

    def export_pdf(self, path: Path | None = None) -> Path | None:
        """Write the annual report PDF of the shown period (asks for the file when ``path`` is None)."""
        report = self.report
        if report is None:
            return None
        target = path or self._ask_path(_("Export the annual report"), ".pdf", _("PDF files (*.pdf)"))
        if target is None:
            return None
        era = self.era.isChecked()
        return self._export(
            target,
            _("Writing the annual report..."),
            lambda: build_annual_report_pdf(target, report, era=era),
        )

    def export_excel(self, path: Path | None = None) -> Path | None:
        """Write the statistics workbook (one sheet per table) of the shown period."""
        report = self.report
        if report is None:
            return None
        target = path or self._ask_path(_("Export the statistics"), ".xlsx", _("Excel workbooks (*.xlsx)"))
        if target is None:
            return None
        era = self.era.isChecked()
        return self._export(
            target, _("Writing the workbook..."), lambda: build_stats_xlsx(target, report, era=era)
        )

    def _export(self, target: Path, label: str, work: Callable[[], None]) -> Path | None:
        try:
            run_busy(self, label, work)
        except OSError as exc:
            log.warning("reports: export to %s failed: %s", target, exc)
            self._error(
                _("Could not write {file}: {reason}").format(
                    file=str(target), reason=exc.strerror or str(exc)
                )
            )
            return None
        self.statusBar().showMessage(_("Saved {file}").format(file=str(target)), 10000)
        return target

    def _error(self, message: str) -> None:
        QMessageBox.warning(self, _("Statistics"), message)


def _clear(layout: Any) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is not None:
            widget.setParent(None)
            widget.deleteLater()


@lru_cache(maxsize=4096)
def _members_text(members: tuple[str, ...], language: str) -> str:
    return i18n.format_list(members, language=language)


def _fit_columns(view: Any) -> None:
    view.resizeColumnsToContents()
    for section in range(view.model().columnCount()):
        view.setColumnWidth(section, min(max(view.columnWidth(section), 60), 360))
