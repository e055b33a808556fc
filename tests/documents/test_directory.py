"""The printed partner directory and the list exports, read back."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from kawaoffice.documents.directory import write_directory
from kawaoffice.documents.partner_export import mailing_list_text, write_list_csv, write_list_xlsx
from kawaoffice.i18n import _, current_language, set_language
from kawaoffice.services import partner_search as ps
from tests.services.test_partners_search import _directory


@pytest.fixture
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    before = current_language()
    set_language(request.param)
    yield str(request.param)
    set_language(before)


def _records(session: Session, language: str) -> list[ps.DirectoryRecord]:
    ids = _directory(session)
    from kawaoffice.services import partners

    partners.update_organization(session, ids["gas"], 1, notes="x", address='=HYPERLINK("http://evil")')
    session.commit()
    return ps.directory_records(session, ps.matching_ids(session, ps.PartnerFilter(), language))


@pytest.mark.parametrize("lang", ["ja", "en"], indirect=True)
def test_directory_pdf_has_the_names_and_embeds_the_font(session: Session, lang: str, tmp_path: Path) -> None:
    records = _records(session, lang)
    path = tmp_path / "directory.pdf"
    write_directory(path, records)
    text = "".join(page.extract_text() for page in PdfReader(path).pages)
    for name in ("川崎水道株式会社", "国際協力機構", "ナムパパ・ラオ", "田中 一郎"):
        assert name in text, name
    assert _("Partner directory") in text
    if lang == "ja":
        assert "カワサキスイドウ" in text and "ラオス" in text
    else:
        assert "Kawasaki Water" in text and "Laos" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    ipa = [line for line in fonts.splitlines() if "IPAex" in line]
    assert ipa and all(" yes " in line for line in ipa), fonts


@pytest.mark.parametrize("lang", ["ja"], indirect=True)
def test_list_exports_read_back(session: Session, lang: str, tmp_path: Path) -> None:
    records = _records(session, lang)
    xlsx = tmp_path / "list.xlsx"
    write_list_xlsx(xlsx, records)
    sheet = openpyxl.load_workbook(xlsx).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == [_("Kind"), _("Name"), _("Reading")]
    names = [row[1] for row in values[1:]]
    assert names == ["ガス技研", "川崎水道株式会社", "国際協力機構", "ナムパパ・ラオ"]
    kawa = values[2]
    assert "田中 一郎" in kawa[-1] and "'+81442002111" in kawa  # the shared writer neutralises a leading +
    assert values[1][8].startswith("'=")  # formula injection neutralised
    buf = io.BytesIO()
    write_list_csv(buf, records)
    data = buf.getvalue()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    text = data.decode("utf-8-sig")
    assert "川崎水道株式会社" in text and "'=HYPERLINK" in text


def test_mailing_list_text() -> None:
    assert mailing_list_text(["a@x.jp", "b@y.jp"]) == "a@x.jp; b@y.jp"
    assert mailing_list_text([]) == ""
