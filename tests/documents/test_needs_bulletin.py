"""The needs bulletin (PDF and mail text) and the projects workbook, read back."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.orm import Session

from kawaoffice.documents.needs_bulletin import build_needs_bulletin_pdf, needs_mail_text
from kawaoffice.documents.project_export import build_projects_xlsx
from kawaoffice.i18n import current_language, set_language
from kawaoffice.services import needs, projects
from kawaoffice.services.demo import load_demo


@pytest.fixture
def japanese() -> Iterator[None]:
    before = current_language()
    set_language("ja")
    yield
    set_language(before)


def test_bulletin_lists_needs_since_the_date_with_matching_members(session: Session, japanese: None) -> None:
    load_demo(session)
    session.commit()
    bulletin = needs.bulletin(session, since=date(2025, 11, 1), until=date(2026, 11, 1))
    assert [i.need.topic for i in bulletin.items] == ["工業団地排水の水質監視", "地方水道公社の水質検査体制"]
    assert all(i.members for i in bulletin.items)  # demo members offer water-quality monitoring
    out = io.BytesIO()
    build_needs_bulletin_pdf(out, bulletin)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(out.getvalue())).pages)
    assert "工業団地排水の水質監視" in text and "地方水道公社の水質検査体制" in text
    assert "ヴィエンチャン都の配水管からの漏水" not in text  # learnt in 2023, before the date
    member = bulletin.items[0].members[0].name_ja
    assert member in text
    mail = needs_mail_text(bulletin)
    assert "■ 1. 工業団地排水の水質監視" in mail and member not in mail.splitlines()[0]
    assert "ベトナム" in mail and "ラオス" in mail


def test_projects_workbook(session: Session, japanese: None) -> None:
    load_demo(session)
    session.commit()
    out = io.BytesIO()
    build_projects_xlsx(out, projects.projects_for_export(session))
    wb = load_workbook(io.BytesIO(out.getvalue()))
    rows = {r[0]: r for r in wb.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert rows["LA-2018-MAWASU2"][4] == "プロジェクト実施" and rows["LA-2018-MAWASU2"][6] == 2
    assert rows["ID-2019-BANDUNG"][13] == 48_000_000 and rows["ID-2019-BANDUNG"][6] == 4
    roles = [
        r[2] for r in wb.worksheets[1].iter_rows(min_row=2, values_only=True) if r[0] == "ID-2019-BANDUNG"
    ]
    assert roles == [1, 4, 4, 4, 4]
    history = [
        r for r in wb.worksheets[2].iter_rows(min_row=2, values_only=True) if r[0] == "ID-2019-BANDUNG"
    ]
    assert len(history) == 4
