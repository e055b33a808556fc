"""The project commands of kawaoffice-cli on a demo database: files written and read back."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from openpyxl import load_workbook
from pypdf import PdfReader

from kawaoffice.cli import main

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "iati" / "iati-activities-schema.xsd"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'demo.sqlite3'}"
    assert main(["demo", "--database", url]) == 0
    return url


def test_progress_report_pdf_and_xlsx(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "fy2019.pdf"
    assert (
        main(
            [
                "print",
                "progress-report",
                "--fiscal-year",
                "2019",
                "-o",
                str(pdf),
                "--database",
                demo_db,
                "--lang",
                "ja",
                "--era",
            ]
        )
        == 0
    )
    text = "\n".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert "令和元年度" in text and "MaWaSU2" in text and "ID-2019-BANDUNG" in text
    assert str(pdf) in capsys.readouterr().out
    xlsx = tmp_path / "fy2019.xlsx"
    assert (
        main(
            [
                "print",
                "progress-report",
                "--fiscal-year",
                "2019",
                "-o",
                str(xlsx),
                "--database",
                demo_db,
                "--lang",
                "en",
            ]
        )
        == 0
    )
    codes = [r[3] for r in load_workbook(xlsx).worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert "LA-2018-MAWASU2" in codes and "ID-2019-BANDUNG" in codes


def test_export_projects_and_iati(demo_db: str, tmp_path: Path) -> None:
    xlsx = tmp_path / "projects.xlsx"
    assert main(["export", "projects", str(xlsx), "--database", demo_db]) == 0
    assert load_workbook(xlsx).worksheets[0].max_row == 12  # header + 11 demo projects
    xml = tmp_path / "iati.xml"
    assert main(["export", "iati", str(xml), "--org-ref", "JP-TEST", "--database", demo_db]) == 0
    doc = etree.parse(str(xml))
    etree.XMLSchema(etree.parse(str(SCHEMA))).assertValid(doc)
    assert "JP-TEST-LA-2018-MAWASU2" in [e.text for e in doc.iter("iati-identifier")]


def test_needs_bulletin_and_bad_input(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf, mail = tmp_path / "needs.pdf", tmp_path / "needs.txt"
    args = ["print", "needs-bulletin", "--since", "2025-11-01", "--until", "2026-10-31", "-o", str(pdf)]
    assert main([*args, "--mail", str(mail), "--database", demo_db, "--lang", "ja"]) == 0
    assert "工業団地排水の水質監視" in "".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert "地方水道公社の水質検査体制" in mail.read_text(encoding="utf-8")
    capsys.readouterr()
    missing = tmp_path / "no" / "such" / "folder" / "x.pdf"
    assert (
        main(["print", "needs-bulletin", "--since", "2025-11-01", "-o", str(missing), "--database", demo_db])
        == 1
    )
    assert "Traceback" not in capsys.readouterr().err
    code = main(
        [
            "print",
            "progress-report",
            "--fiscal-year",
            "soon",
            "-o",
            str(pdf),
            "--database",
            demo_db,
            "--lang",
            "en",
        ]
    )
    assert code == 2  # a usage error, reported by argparse
    assert "a fiscal year such as 2025" in capsys.readouterr().err
