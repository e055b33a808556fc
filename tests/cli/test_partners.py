"""``kawaoffice-cli import partners``, ``export partners`` and ``print directory``."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from kawaoffice.cli import main
from kawaoffice.services import partners
from kawaoffice.storage import open_database

DATA = Path(__file__).parent.parent / "data" / "partners"


def test_import_export_print(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    database = open_database(db, "tester")  # technologies are a controlled list: the files name two of them
    with database.session() as s:
        partners.create_technology(s, code="LEAK", name_ja="漏水探知")
        partners.create_technology(s, code="MEMBRANE", name_ja="膜ろ過")
    database.dispose()
    assert (
        main(["import", "partners", str(DATA / "partners_bad_cp932.csv"), "--database", db, "--lang", "en"])
        == 1
    )
    captured = capsys.readouterr()
    assert "row 4" in captured.out + captured.err and "nothing was imported" in captured.err
    assert (
        main(["import", "partners", str(DATA / "partners_fixed_cp932.csv"), "--dry-run", "--database", db])
        == 0
    )
    capsys.readouterr()
    assert main(["export", "partners", str(tmp_path / "empty.csv"), "--database", db]) == 0
    assert (tmp_path / "empty.csv").read_bytes().count(b"\r\n") == 1  # header only: the dry run wrote nothing
    assert (
        main(["import", "partners", str(DATA / "partners_fixed_cp932.csv"), "--database", db, "--lang", "en"])
        == 0
    )
    assert "Imported 4 organizations" in capsys.readouterr().out
    assert main(["import", "partners", str(DATA / "partners_custom_headers.csv"), "--database", db]) == 1
    assert (
        main(
            [
                "import",
                "partners",
                str(DATA / "partners_custom_headers.csv"),
                "--mapping",
                str(DATA / "mapping.json"),
                "--database",
                db,
            ]
        )
        == 0
    )
    out = tmp_path / "list.xlsx"
    assert main(["export", "partners", str(out), "--database", db]) == 0
    names = [row[1].value for row in openpyxl.load_workbook(out).worksheets[0].iter_rows(min_row=2)]
    assert "ナムパパ・ラオ" in names and "Berliner Wasserbetriebe" in names and len(names) == 5
    pdf = tmp_path / "dir.pdf"
    assert main(["print", "directory", "-o", str(pdf), "--lang", "en", "--database", db]) == 0
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Nam Papa Lao" in text and "アクア技研株式会社" in text
    assert main(["export", "partners", str(tmp_path / "x.txt"), "--database", db]) == 1
