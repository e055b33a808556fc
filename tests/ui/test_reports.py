"""The statistics window driven like a manager would: pick a period, read the figures, tables and charts, export
the PDF and the workbook. What it shows is compared with the report computed straight from the service."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QTableView
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kawaoffice import i18n
from kawaoffice.documents.annual_report import country_label, headline, summary_figures
from kawaoffice.model.tours import BookingStatus, Facility, VisitorType
from kawaoffice.services import tours
from kawaoffice.services.reports import AnnualReport, annual_report
from kawaoffice.settings import Settings
from kawaoffice.storage import Database, open_database
from kawaoffice.ui.reports import charts
from kawaoffice.ui.reports.window import ALL_YEARS, ReportsWindow
from tests.services.test_reports import build


@pytest.fixture
def sample_db(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'reports.sqlite3'}", "tester")
    with db.session() as s:
        build(s)
    yield db
    db.dispose()


def _report(db: Database, year: int | None) -> AnnualReport:
    with db.session() as s:
        return annual_report(s, year)


def _window(
    qtbot: QtBot, db: Database, settings: Settings | None = None, year: int | None = 2025
) -> ReportsWindow:
    window = ReportsWindow(db.session, settings)
    qtbot.addWidget(window)
    window.load()
    choose(window, year)
    return window


def choose(window: ReportsWindow, year: int | None) -> None:
    index = window.period.findData(ALL_YEARS if year is None else year)
    assert index >= 0, year
    window.period.setCurrentIndex(index)


def _column(window: ReportsWindow, view_name: str, column: int) -> list[str]:
    view = window.findChild(QTableView, view_name)
    assert view is not None
    model = view.model()
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_fiscal_year_figures_match_the_service(qtbot: QtBot, sample_db: Database, language: str) -> None:
    window = _window(qtbot, sample_db, year=2025)
    report = _report(sample_db, 2025)
    assert window.headline.text() == headline(report)
    assert i18n.fiscal_year_label(2025) in window.windowTitle()
    shown = {label: card.text() for label, card in window.figure_values.items()}
    assert shown == dict(summary_figures(report))
    assert shown[summary_figures(report)[0][0]] == i18n.format_number(42)
    # the country table: every country in the report's order with its numbers
    assert _column(window, "report_countries", 0) == [country_label(c.country) for c in report.countries]
    assert _column(window, "report_countries", 1) == [
        i18n.format_number(c.visitors) for c in report.countries
    ]
    assert _column(window, "report_countries", 4) == [
        i18n.format_number(c.person_trips) for c in report.countries
    ]
    # the world view charts: countries abroad, most people first, the same numbers
    world = report.world()
    assert charts.bar_categories(window.world_visitors) == [country_label(c.country) for c in world]
    assert charts.bar_values(window.world_visitors)[0][1] == [float(c.visitors) for c in world]
    assert charts.bar_values(window.world_experts)[0][1] == [float(c.person_trips) for c in world]
    assert i18n.country_name("JP") not in charts.bar_categories(window.world_visitors)
    # the trend: visitors as bars, experts as a line, one point per fiscal year
    assert charts.bar_values(window.years_chart)[0][1] == [float(y.visitors) for y in report.years]
    assert charts.line_values(window.years_chart)[0][1] == [float(y.person_trips) for y in report.years]
    # the lists of the year
    assert _column(window, "report_visits", 1) == ["V2", "V6", "V3"]
    assert _column(window, "report_dispatches", 2) == ["D1", "D2", "D5", "D3"]
    assert _column(window, "report_changes", 1) == ["P1"]


def test_since_the_beginning_and_back(qtbot: QtBot, sample_db: Database, english: None) -> None:
    window = _window(qtbot, sample_db, year=None)
    report = _report(sample_db, None)
    assert window.selected_year() is None
    assert window.headline.text() == headline(report)
    assert "Since the beginning" in window.windowTitle()
    assert _column(window, "report_visits", 1) == []
    assert "one fiscal year" in window.lists_note.text()
    assert charts.bar_categories(window.years_chart) == ["FY2024", "FY2025", "FY2026"]
    choose(window, 2024)
    assert window.headline.text() == (
        "2 experts dispatched to 1 country; 5 visitors received from 2 countries and regions."
    )
    assert _column(window, "report_visits", 1) == ["V1"]


def test_era_changes_the_fiscal_year_labels(qtbot: QtBot, sample_db: Database, japanese: None) -> None:
    window = _window(qtbot, sample_db, year=2025)
    assert "2025年度" in charts.bar_categories(window.years_chart)
    window.era.setChecked(True)
    assert "令和7年度" in charts.bar_categories(window.years_chart)
    assert "令和7年度" in window.windowTitle()


def test_tables_sort_by_number_and_pass_the_model_tester(
    qtbot: QtBot, qtmodeltester: Any, sample_db: Database, english: None
) -> None:
    window = _window(qtbot, sample_db, year=2025)
    qtmodeltester.check(window.country_model)
    qtmodeltester.check(window.visit_model)
    window.country_table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    visitors = _column(window, "report_countries", 1)
    assert [int(v.replace(",", "")) for v in visitors] == sorted(int(v.replace(",", "")) for v in visitors)
    window.visit_table.sortByColumn(5, Qt.SortOrder.DescendingOrder)
    assert _column(window, "report_visits", 5) == ["30", "8", "4"]  # numbers, not text ("8" > "30")


def test_export_pdf_and_excel(qtbot: QtBot, sample_db: Database, tmp_path: Path, japanese: None) -> None:
    window = _window(qtbot, sample_db, year=2025)
    pdf = window.export_pdf(tmp_path / "report.pdf")
    assert pdf == tmp_path / "report.pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert "インドネシア" in text and "ラオス" in text and "V2" in text
    assert str(pdf) in window.statusBar().currentMessage()
    xlsx = window.export_excel(tmp_path / "stats.xlsx")
    assert xlsx is not None
    book = load_workbook(xlsx)
    countries = {r[1]: r for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert countries["ID"][2] == 8 and countries["LA"][5] == 4


def test_export_asks_for_the_file_and_adds_the_suffix(
    qtbot: QtBot, sample_db: Database, tmp_path: Path, english: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = _window(qtbot, sample_db, year=2025)
    asked: list[str] = []

    def fake_dialog(parent: Any, title: str, start: str, pattern: str) -> tuple[str, str]:
        asked.append(start)
        return str(tmp_path / "chosen"), pattern

    monkeypatch.setattr("kawaoffice.ui.reports.window.QFileDialog.getSaveFileName", fake_dialog)
    window.pdf_action.trigger()
    assert asked and asked[0].endswith("annual-report-2025.pdf")
    assert (tmp_path / "chosen.pdf").exists()
    window.excel_action.trigger()
    assert asked[1].endswith("statistics-2025.xlsx")
    assert (tmp_path / "chosen.xlsx").exists()
    assert window.pdf_action.shortcut().toString() == "Ctrl+P"
    assert window.excel_action.shortcut().toString() == "Ctrl+E"
    assert window.refresh_action.shortcut().toString() == "F5"


def test_export_error_is_a_message_not_a_traceback(
    qtbot: QtBot, sample_db: Database, tmp_path: Path, english: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = _window(qtbot, sample_db, year=2025)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, message: shown.append(message))
    assert window.export_pdf(tmp_path / "missing" / "report.pdf") is None
    assert len(shown) == 1 and "Could not write" in shown[0] and "report.pdf" in shown[0]


def test_refresh_shows_new_records(qtbot: QtBot, sample_db: Database, english: None) -> None:
    window = _window(qtbot, sample_db, year=2025)
    before = window.report
    assert before is not None
    with sample_db.session() as s:
        b = tours.create_booking(
            s,
            code="V9",
            group_name="V9",
            visitor_type=VisitorType.DELEGATION,
            headcount=3,
            status=BookingStatus.CONFIRMED,
            country="TH",
        )
        start = datetime(2025, 10, 1, 10, tzinfo=ZoneInfo("Asia/Tokyo"))
        tours.add_segment(
            s,
            booking_id=b.id,
            facility_id=s.scalars(select(Facility.id)).one(),
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            override_reason="test",
        )
        s.commit()
    window.refresh_action.trigger()
    assert window.report is not None and window.report.visitors == before.visitors + 3
    assert "Thailand" in _column(window, "report_countries", 0)


def test_state_is_remembered(qtbot: QtBot, sample_db: Database, english: None) -> None:
    settings = Settings()
    window = _window(qtbot, sample_db, settings, year=2024)
    window.era.setChecked(True)
    window.tabs.setCurrentIndex(1)
    window.close()
    assert settings.tab_states["reports"] == {"period": 2024, "era": True, "page": 1}
    again = ReportsWindow(sample_db.session, settings)
    qtbot.addWidget(again)
    again.load()
    assert again.selected_year() == 2024 and again.era.isChecked() and again.tabs.currentIndex() == 1
    assert again.report is not None and again.report.fiscal_year == 2024


def test_empty_database(qtbot: QtBot, empty_gui_db: Database, english: None) -> None:
    window = ReportsWindow(empty_gui_db.session, None)
    qtbot.addWidget(window)
    window.load()
    assert window.report is not None
    assert window.selected_year() == i18n.fiscal_year(date.today())
    assert window.headline.text().startswith("0 experts dispatched to 0 countries")
    assert _column(window, "report_countries", 0) == []


def test_many_fiscal_years_are_slanted_not_elided(qtbot: QtBot) -> None:
    """ "Since the beginning" spans decades: the year labels are drawn at 45 degrees instead of "2018..."."""
    from PySide6.QtCharts import QBarCategoryAxis

    def angle(years: int) -> int:
        labels = [f"{1990 + i}年度" for i in range(years)]
        view = charts.bars_and_line("t", labels, ("v", "#336699", [1] * years), ("e", "#dd7722", [1] * years))
        qtbot.addWidget(view)
        (axis,) = [a for a in view.chart().axes() if isinstance(a, QBarCategoryAxis)]
        assert charts.bar_categories(view) == labels
        return axis.labelsAngle()

    assert angle(3) == 0
    assert angle(charts.SLANT_AFTER) == 0
    assert angle(37) == -45
