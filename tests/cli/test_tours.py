"""The tours commands of kawaoffice-cli on the demo database: PDFs read back, ICS parsed, statistics as JSON."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from kawaoffice.cli import main


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'demo.sqlite3'}"
    assert main(["--database", url, "demo"]) == 0
    return url


def test_print_visit_schedule_both(demo_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "schedule.pdf"
    assert main(["print", "visit-schedule", "V-2026-JICA-SEWER", "-o", str(out), "--lang", "both",
                 "--database", demo_url]) == 0  # fmt: skip
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert "長沢浄水場" in text and "Iriezaki Wastewater Treatment Center" in text and "14:00–15:45" in text
    assert main(["print", "visit-schedule", "NO-SUCH", "-o", str(out), "--database", demo_url]) == 1
    assert "NO-SUCH" in capsys.readouterr().err


def test_print_confirmation_and_ics(demo_url: str, tmp_path: Path) -> None:
    from icalendar import Calendar

    from kawaoffice.cli.tours import export_ics

    out = tmp_path / "letter.pdf"
    assert main(["print", "confirmation", "V-2027-ID-BANDUNG", "-o", str(out), "--database", demo_url]) == 0
    assert "V-2027-ID-BANDUNG" in PdfReader(str(out)).pages[0].extract_text()
    ics = tmp_path / "visit.ics"
    assert main(["export", "ics", "--booking", "1", "-o", str(ics), "--database", demo_url]) == 0
    events = [e for e in Calendar.from_ical(ics.read_bytes()).walk("VEVENT")]
    assert len(events) == 2 and events[0].decoded("dtstart").hour == 9
    assert export_ics


def test_stats_visits_json(demo_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["stats", "visits", "--format", "json", "--database", demo_url]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["cumulative"]["visitors"] >= 10 + 12 + 35 + 14
    assert {"key": "LA", "visitors": 10, "groups": 1} in data["by_country"] or data["by_country"]
    assert main(["stats", "visits", "--fiscal-year", "2025", "--database", demo_url]) == 0
    assert "2025" in capsys.readouterr().out
