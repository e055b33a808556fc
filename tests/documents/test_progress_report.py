"""The fiscal-year progress report read back: PDF text (pypdf) and the XLSX (openpyxl)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.orm import Session

from kawaoffice.documents.progress_report import build_progress_report_pdf, build_progress_report_xlsx
from kawaoffice.i18n import current_language, set_language
from kawaoffice.services.demo import load_demo
from kawaoffice.services.project_report import progress_report


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


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _section(text: str, heading: str, following: str) -> str:
    start = text.index(heading)
    return text[start : text.index(following, start)]


def test_pdf_lists_the_demo_projects_under_their_stage_and_fiscal_year(
    session: Session, japanese: None
) -> None:
    load_demo(session)
    session.commit()
    out = io.BytesIO()
    build_progress_report_pdf(out, progress_report(session, 2019), era=True)
    text = _text(out.getvalue())
    assert "令和元年度" in text and "平成31年4月1日" in text
    jica = _section(text, "JICA技術協力プロジェクト", "JICA中小企業")
    assert "プロジェクト実施" in jica and "MaWaSU2" in jica
    assert jica.index("プロジェクト実施") < jica.index("MaWaSU2")
    mlit = _section(text, "下水道技術海外実証事業(国土交通省)", "年度中のステージ移動")
    assert "成果報告・普及" in mlit and "ID-2019-BANDUNG" in mlit and "完了" in mlit
    assert "MaWaSU2" not in mlit and "Bandung" not in jica.replace("バンドン", "")
    assert "令和2年3月31日" in mlit  # Bandung's completion, in the year's changes
    assert "バンドン市 下水汚泥の減容化" in text  # the need learnt in FY2019

    out = io.BytesIO()
    build_progress_report_pdf(out, progress_report(session, 2016))
    old = _text(out.getvalue())
    assert "2016年度" in old and "MaWaSU2" not in old and "ID-2019-BANDUNG" not in old


def test_english_pdf_and_xlsx(session: Session, english: None) -> None:
    load_demo(session)
    session.commit()
    report = progress_report(session, 2019)
    out = io.BytesIO()
    build_progress_report_pdf(out, report)
    text = _text(out.getvalue())
    assert "FY2019" in text and "MaWaSU2" in text and "Bandung City" in text
    assert "Implementation" in text and "Report and dissemination" in text
    book = io.BytesIO()
    build_progress_report_xlsx(book, report)
    wb = load_workbook(io.BytesIO(book.getvalue()))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    by_code = {r[3]: r for r in rows[1:]}
    assert by_code["LA-2018-MAWASU2"][1] == "Implementation"
    assert by_code["ID-2019-BANDUNG"][1:3] == ("Report and dissemination", "Completed")
    assert by_code["ID-2019-BANDUNG"][9] == 48_000_000
    changes = list(wb.worksheets[1].iter_rows(values_only=True))[1:]
    assert [r[1] for r in changes].count("ID-2019-BANDUNG") == 4
