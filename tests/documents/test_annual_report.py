"""The annual report PDF and the statistics workbook read back (pypdf, openpyxl): Japanese country names in the
text, the report's numbers in both, only the embedded IPAex fonts, A4 pages, the Japanese era."""

from __future__ import annotations

import gc
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.orm import Session

from kawaoffice import i18n
from kawaoffice.documents.annual_report import (
    build_annual_report_pdf,
    country_label,
    headline,
    summary_figures,
)
from kawaoffice.documents.stats_export import build_stats_xlsx
from kawaoffice.i18n import current_language, set_language
from kawaoffice.services.reports import AnnualReport, annual_report
from kawaoffice.storage import open_database
from tests.services.test_reports import build


@pytest.fixture
def japanese() -> Iterator[None]:
    before = current_language()
    set_language("ja")
    yield
    set_language(before)


@pytest.fixture
def english() -> Iterator[None]:
    before = current_language()
    set_language("en")
    yield
    set_language(before)


@pytest.fixture
def sample_session(tmp_path: Path) -> Iterator[Session]:
    """The boundary sample of tests/services/test_reports.py in a SQLite file (documents need one backend)."""
    db = open_database(f"sqlite:///{tmp_path / 'reports.sqlite3'}", "tester")
    with db.session() as s:
        build(s)
        yield s
    db.dispose()


def _pdf(report: AnnualReport, **kwargs: object) -> PdfReader:
    out = io.BytesIO()
    build_annual_report_pdf(out, report, printed_on=date(2026, 5, 1), **kwargs)  # type: ignore[arg-type]
    return PdfReader(io.BytesIO(out.getvalue()))


def _text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def _fonts(reader: PdfReader) -> set[tuple[str, bool]]:
    """(base font name, embedded) of every font the pages use."""
    found = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descriptors = [font]
            if "/DescendantFonts" in font:
                descriptors = [d.get_object() for d in font["/DescendantFonts"]]
            for d in descriptors:
                desc = d.get("/FontDescriptor")
                embedded = desc is not None and any(
                    k in desc.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
                )
                found.add((str(font["/BaseFont"]), embedded))
    return found


def test_japanese_pdf_has_the_countries_numbers_and_era(sample_session: Session, japanese: None) -> None:
    report = annual_report(sample_session, 2025, today=date(2026, 5, 1))
    reader = _pdf(report, era=True)
    text = _text(reader)
    for code in ("ID", "LA"):
        assert i18n.country_name(code, language="ja") in text
    assert "インドネシア" in text and "ラオス" in text
    assert "令和7年度" in text and "令和7年4月1日" in text and "令和8年3月31日" in text
    assert headline(report).replace(" ", "") in text.replace(" ", "").replace("\n", "")
    # the summary numbers as printed
    assert i18n.format_number(report.visitors) in text
    for _label, value in summary_figures(report):
        assert value in text
    # visits and dispatches of the year are listed; the cancelled and requested ones are not
    for code in ("V2", "V3", "V6", "D1", "D2", "D3", "D5"):
        assert code in text
    for code in ("V1", "V4", "V5", "V7", "D4"):
        assert code not in text.split()
    # A4 portrait, IPAex only and embedded
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    fonts = _fonts(reader)
    assert fonts and all("IPAex" in name and embedded for name, embedded in fonts), fonts
    assert len(reader.pages) >= 4  # cover, summary, charts, lists


def test_english_pdf_since_the_beginning(sample_session: Session, english: None) -> None:
    report = annual_report(sample_session, None, today=date(2026, 5, 1))
    text = _text(_pdf(report))
    assert "Laos" in text and "Indonesia" in text and "Cambodia" in text
    assert "FY2024" in text and "FY2026" in text  # the by-year table
    assert "Since the beginning" in text
    assert "experts dispatched to" in headline(report)
    assert headline(report) == (
        "7 experts dispatched to 2 countries; 23 visitors received from 4 countries and regions."
    )


def test_headline_uses_singular_and_plural(sample_session: Session, english: None) -> None:
    report = annual_report(sample_session, 2024, today=date(2026, 5, 1))
    # the multi-country course lists its trainees' countries in the list of visits
    assert "Laos, Vietnam" in _text(_pdf(report)).replace("\n", " ")
    assert (
        headline(report)
        == "2 experts dispatched to 1 country; 5 visitors received from 2 countries and regions."
    )


def test_empty_period_renders(tmp_path: Path, english: None) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'empty.sqlite3'}", "tester")
    try:
        with db.session() as s:
            report = annual_report(s, 2025, today=date(2025, 5, 1))
    finally:
        db.dispose()
    text = _text(_pdf(report))
    assert "No visits or dispatches in this period." in text
    assert "No projects in this period." in text


def test_workbook_has_one_sheet_per_table_with_the_same_numbers(
    sample_session: Session, japanese: None
) -> None:
    report = annual_report(sample_session, 2025, today=date(2026, 5, 1))
    out = io.BytesIO()
    build_stats_xlsx(out, report)
    book = load_workbook(io.BytesIO(out.getvalue()))
    assert len(book.sheetnames) == 10
    summary, countries = book.worksheets[0], book.worksheets[1]
    values = {row[0]: row[1] for row in summary.iter_rows(min_row=2, values_only=True)}
    for (label, _shown), number in zip(
        summary_figures(report), [report.visitors, report.groups, report.trainees], strict=False
    ):
        assert values[label] == number
    rows = list(countries.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1]) for r in rows] == [(country_label(c.country), c.country) for c in report.countries]
    la = next(r for r in rows if r[1] == "LA")
    figures = next(c for c in report.countries if c.country == "LA")
    assert la[2:] == (
        figures.visitors,
        figures.groups,
        figures.dispatches,
        figures.person_trips,
        figures.experts,
        figures.person_days,
    )
    assert la[0] == "ラオス"
    visits = book.worksheets[8]
    assert [r[1] for r in visits.iter_rows(min_row=2, values_only=True)] == ["V2", "V6", "V3"]
    assert visits.cell(row=2, column=1).value.date() == date(2025, 4, 1)
    dispatches = book.worksheets[9]
    assert [r[2] for r in dispatches.iter_rows(min_row=2, values_only=True)] == ["D1", "D2", "D5", "D3"]


def test_workbook_since_the_beginning_has_no_year_lists(sample_session: Session, english: None) -> None:
    report = annual_report(sample_session, None, today=date(2026, 5, 1))
    out = io.BytesIO()
    build_stats_xlsx(out, report)
    book = load_workbook(io.BytesIO(out.getvalue()))
    assert len(book.sheetnames) == 8
    years = book["By fiscal year"]
    assert [r[0] for r in years.iter_rows(min_row=2, values_only=True)] == ["FY2024", "FY2025", "FY2026"]


def test_page_streams_are_flate_only_and_read_back(sample_session: Session, japanese: None) -> None:
    """reportlab's pure-Python ASCII85 encoding is switched off (documents.pdf): the page content streams carry
    only /FlateDecode and still decode to the report's text."""
    report = annual_report(sample_session, 2025, today=date(2026, 5, 1))
    reader = _pdf(report)
    for page in reader.pages:
        contents = page["/Contents"].get_object()
        streams = contents if isinstance(contents, list) else [contents]
        for ref in streams:
            stream = ref.get_object()
            filters = stream.get("/Filter")
            names = [str(f) for f in filters] if isinstance(filters, list) else [str(filters)]
            assert names == ["/FlateDecode"], names
    assert "インドネシア" in _text(reader)


@pytest.mark.parametrize("builder", ["pdf", "xlsx"])
def test_no_garbage_collection_while_the_documents_are_built(
    sample_session: Session, japanese: None, builder: str
) -> None:
    report = annual_report(sample_session, 2025, today=date(2026, 5, 1))
    runs: list[str] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            runs.append(phase)

    threshold = gc.get_threshold()
    gc.callbacks.append(seen)
    try:
        gc.set_threshold(5)
        out = io.BytesIO()
        if builder == "pdf":
            build_annual_report_pdf(out, report, printed_on=date(2026, 5, 1))
        else:
            build_stats_xlsx(out, report)
        during = len(runs)
        [].append([])
        assert gc.isenabled() and runs  # running again after it
    finally:
        gc.callbacks.remove(seen)
        gc.set_threshold(*threshold)
    # without the pause: thousands at this threshold; with it, at most one or two on entering or leaving the call
    assert during <= 3, during
    if builder == "pdf":
        assert "インドネシア" in _text(PdfReader(io.BytesIO(out.getvalue())))
    else:
        assert load_workbook(io.BytesIO(out.getvalue())).sheetnames
