"""``print annual-report`` and ``export stats`` on a demo database: files written and read back, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from kawaoffice.cli import main


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'demo.sqlite3'}"
    assert main(["demo", "--database", url]) == 0
    return url


def test_annual_report_pdf_in_japanese_with_era(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "fy2025.pdf"
    args = ["print", "annual-report", "--fiscal-year", "2025", "-o", str(pdf), "--database", demo_db]
    assert main([*args, "--lang", "ja", "--era"]) == 0
    text = "\n".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert "令和7年度" in text and "ラオス" in text and "V-2025-JICA-WS" in text
    out = capsys.readouterr().out
    assert str(pdf) in out


def test_annual_report_in_english_since_the_beginning(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "all.pdf"
    assert (
        main(["print", "annual-report", "--all", "-o", str(pdf), "--database", demo_db, "--lang", "en"]) == 0
    )
    text = "\n".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert "Laos" in text and "Since the beginning" in text
    out = capsys.readouterr().out
    assert "experts dispatched to" in out and str(pdf) in out


def test_export_stats_xlsx(demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    xlsx = tmp_path / "stats.xlsx"
    assert (
        main(["export", "stats", "--fiscal-year", "2025", str(xlsx), "--database", demo_db, "--lang", "en"])
        == 0
    )
    book = load_workbook(xlsx)
    assert book.sheetnames[:2] == ["Summary", "Countries and regions"]
    countries = {r[1]: r for r in book["Countries and regions"].iter_rows(min_row=2, values_only=True)}
    assert countries["LA"][0] == "Laos" and countries["LA"][2] >= 1
    assert str(xlsx) in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["print", "annual-report", "--fiscal-year", "2025", "-o", "{tmp}/x.txt"], ".pdf"),
        (["print", "annual-report", "--fiscal-year", "2025", "-o", "{tmp}/missing/x.pdf"], "missing"),
        (["export", "stats", "--fiscal-year", "2025", "{tmp}/x.csv"], ".xlsx"),
    ],
)
def test_bad_output_is_one_line(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main([*argv, "--database", demo_db, "--lang", "en"]) == 1
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and "Traceback" not in err


def test_fiscal_year_or_all_is_required(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["print", "annual-report", "-o", str(tmp_path / "x.pdf"), "--database", demo_db]) == 2
    assert "--fiscal-year" in capsys.readouterr().err
    bad = ["export", "stats", "--fiscal-year", "twenty", str(tmp_path / "x.xlsx"), "--database", demo_db]
    assert main([*bad, "--lang", "en"]) == 2
    assert "a fiscal year such as 2025" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "x.xlsx").exists()
