"""A year with thousands of visits (issue 10): the annual report's lists are laid out by a fast grid flowable that
must still print every row once, in order, over as many pages as it takes, with the header on each page, long
names wrapped (never cut) and the text extractable (pypdf)."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from kawaoffice.documents.annual_report import build_annual_report_pdf
from kawaoffice.i18n import current_language, set_language
from kawaoffice.model.tours import BookingStatus, VisitorType
from kawaoffice.services.overview import VisitRow
from kawaoffice.services.reports import annual_report
from kawaoffice.storage import open_database

ROWS = 700
LONG_NAME = "ラオス人民民主共和国 首都ビエンチャン 上下水道公社 漏水対策及び無収水削減 技術研修員団 第二陣"


@pytest.fixture
def japanese() -> Iterator[None]:
    before = current_language()
    set_language("ja")
    yield
    set_language(before)


@pytest.fixture
def empty_session(tmp_path: Path) -> Iterator[Session]:
    db = open_database(f"sqlite:///{tmp_path / 'long.sqlite3'}", "tester")
    with db.session() as s:
        yield s
    db.dispose()


def test_a_long_list_prints_every_row_once_in_order(empty_session: Session, japanese: None) -> None:
    start = date(2025, 4, 1)
    visits = tuple(
        VisitRow(
            id=i + 1,
            code=f"LV-{i:05d}",
            group_name=LONG_NAME if i % 100 == 7 else f"視察団{i}",
            group_name_en="",
            visitor_type=VisitorType.JICA_TRAINEES if i % 2 else VisitorType.DELEGATION,
            country="LA",
            headcount=i % 30 + 1,
            status=BookingStatus.CONFIRMED,
            visit_date=start + timedelta(days=i // 2),
            facilities_ja=("長沢浄水場",),
            facilities_en=("Nagasawa",),
        )
        for i in range(ROWS)
    )
    report = dataclasses.replace(
        annual_report(empty_session, 2025, today=date(2026, 5, 1)),
        visits=visits,
        visit_countries={v.id: ("LA",) for v in visits},
    )
    out = io.BytesIO()
    build_annual_report_pdf(out, report, printed_on=date(2026, 5, 1))
    reader = PdfReader(io.BytesIO(out.getvalue()))
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    assert re.findall(r"LV-\d{5}", text) == [v.code for v in visits]  # every row once, in order
    list_pages = [p for p in pages if "LV-" in p]
    assert len(list_pages) >= ROWS // 50  # over many pages...
    assert all("団体名" in p and "来訪者区分" in p for p in list_pages)  # ...each with the header
    # the long group name wraps inside its cell: every part of it is printed
    flat = text.replace("\n", "").replace(" ", "")
    assert flat.count(LONG_NAME.replace(" ", "")) == ROWS // 100
    assert "JICA研修員" in text and "ラオス" in text

    # the grid's shading and rules, written as PDF operators: one shaded band for every other row of the whole
    # list (continuing over page breaks), one horizontal rule above and below every row and the header
    for page, page_text in zip(reader.pages, pages, strict=True):
        codes = re.findall(r"LV-(\d{5})", page_text)
        if not codes:
            continue
        ops = page.get_contents().get_data().decode("latin-1")
        bands = re.findall(r"^0 -?[\d.]+ [\d.]+ [\d.]+ re f$", ops, flags=re.M)
        assert len(bands) == sum(1 for code in codes if int(code) % 2 == 1)
        rules = re.findall(r"^0 (-?[\d.]+) m [\d.]+ (-?[\d.]+) l$", ops, flags=re.M)
        assert all(a == b for a, b in rules) and len(rules) == len(codes) + 2
