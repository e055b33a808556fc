"""The dispatch commands of kawaoffice-cli on a real SQLite file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from kawaoffice.cli import main
from kawaoffice.model.dispatch import DispatchPurpose, DispatchStatus
from kawaoffice.services import dispatch as svc
from kawaoffice.storage import open_database
from tests.documents.test_itinerary import make_dispatch


@pytest.fixture
def db_file(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    db = open_database(url, "tester")
    with db.session() as s:
        make_dispatch(s)
        staff = svc.create_staff(s, staff_no="K9", family_name="統計")
        d = svc.create_dispatch(
            s, code="D-ID", title="バンドン", purpose=DispatchPurpose.SURVEY, country="ID", timezone="Asia/Jakarta",
            departure_on=date(2019, 9, 9), return_on=date(2019, 9, 13), status=DispatchStatus.COMPLETED,
        )  # fmt: skip
        svc.add_dispatch_member(s, dispatch_id=d.id, staff_id=staff.id)
        s.commit()
    db.dispose()
    return url


def test_print_itinerary(db_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "it.pdf"
    assert main(["print", "itinerary", "D-LA-1", "-o", str(out), "--database", db_file, "--lang", "en"]) == 0
    text = " ".join(p.extract_text() for p in PdfReader(out).pages)
    assert "Itinerary" in text and "D-LA-1" in text
    assert main(["print", "itinerary", "NOPE", "-o", str(out), "--database", db_file]) == 1
    assert "NOPE" in capsys.readouterr().err


def test_stats_dispatches(db_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "dispatches", "--format", "json", "--database", db_file]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rows"] == [
        {
            "fiscal_year": 2019,
            "country": "ID",
            "dispatches": 1,
            "person_trips": 1,
            "experts": 1,
            "person_days": 5,
        }
    ]  # the Laos dispatch is planned: not counted
    assert data["cumulative"]["countries"] == ["ID"]
    assert main(["stats", "dispatches", "--database", db_file, "--lang", "en", "--fiscal-year", "2019"]) == 0
    out = capsys.readouterr().out
    assert "Indonesia" in out and "FY2019" in out and "1 experts" in out


def test_export_ics(db_file: str, tmp_path: Path) -> None:
    out = tmp_path / "d.ics"
    assert main(["export", "ics", "--dispatch", "1", "-o", str(out), "--database", db_file]) == 0
    assert out.read_bytes().startswith(b"BEGIN:VCALENDAR")
