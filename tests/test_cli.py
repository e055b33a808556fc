"""kawaoffice-cli: run ``main`` in-process (and once as the installed entry point) against real databases."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kawaoffice.cli import display_width, format_table, main
from kawaoffice.services.demo import ORGANIZATIONS, PROJECTS, UNIT
from kawaoffice.storage import head_revision
from tests.pgserver import PostgresServer

DATA = Path(__file__).parent / "data" / "partners"


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _json(capsys: pytest.CaptureFixture[str], url: str, kind: str) -> list[dict[str, object]]:
    code, out, err = run(capsys, "--database", url, "list", kind, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert isinstance(data, list)
    return data


def _cell_at(line: str, column: int) -> str:
    """The text of ``line`` from display column ``column`` on."""
    width = 0
    for i, ch in enumerate(line):
        if width == column:
            return line[i:]
        width += display_width(ch)
    return ""


def test_demo_then_list_table_and_json(capsys: pytest.CaptureFixture[str], url: str) -> None:
    code, out, err = run(capsys, "--database", url, "--lang", "en", "demo")
    assert code == 0, err
    assert "demo records" in out
    assert "10/10" in err  # progress on stderr

    projects = _json(capsys, url, "projects")
    assert len(projects) == len(PROJECTS)
    mawasu2 = next(p for p in projects if p["code"] == "LA-2018-MAWASU2")
    assert mawasu2["start_on"] == "2018-05-01" and mawasu2["state"] == "active"
    assert isinstance(mawasu2["id"], int)
    partners = _json(capsys, url, "partners")
    assert len(partners) == len(ORGANIZATIONS)
    assert any(p["name_ja"] == "ナムパパ・ラオ" for p in partners)
    visits = _json(capsys, url, "visits")
    assert any(v["facilities_ja"] == ["長沢浄水場", "入江崎水処理センター"] for v in visits)
    dispatches = _json(capsys, url, "dispatches")
    assert dispatches[0]["departure_on"] >= dispatches[-1]["departure_on"]  # newest first

    # the Japanese table: columns line up although titles mix wide and narrow characters
    code, out, err = run(capsys, "list", "projects", "--lang", "ja", "--database", url)
    assert code == 0, err
    lines = out.rstrip("\n").split("\n")
    assert len(lines) == 2 + len(PROJECTS)
    starts, col = [], 0
    for dashes in lines[1].split("  "):
        starts.append(col)
        col += display_width(dashes) + 2
    by_code = {p["code"]: p for p in projects}
    for line in lines[2:]:
        code_cell = _cell_at(line, starts[1]).split("  ")[0]
        assert code_cell in by_code
        assert _cell_at(line, starts[-2]).startswith(str(by_code[code_cell]["start_on"] or ""))
        assert _cell_at(line, starts[-3]).startswith(str(by_code[code_cell]["country"]))
    assert any("水道事業運営管理能力向上プロジェクト" in line for line in lines)

    # a second demo run adds nothing
    code, out, _err = run(capsys, "--database", url, "--lang", "en", "demo")
    assert code == 0 and "nothing was added" in out
    assert len(_json(capsys, url, "projects")) == len(PROJECTS)


def test_demo_scale_and_paging(capsys: pytest.CaptureFixture[str], url: str) -> None:
    code, _out, err = run(capsys, "--database", url, "demo", "--scale", "1")
    assert code == 0, err
    assert len(_json(capsys, url, "projects")) == len(PROJECTS) + UNIT["projects"]
    code, out, _err = run(capsys, "--database", url, "list", "visits", "--format", "json", "--limit", "5")
    assert code == 0 and len(json.loads(out)) == 5


def test_db_info(capsys: pytest.CaptureFixture[str], url: str) -> None:
    assert run(capsys, "--database", url, "db", "upgrade")[0] == 0
    code, out, err = run(capsys, "--lang", "en", "--database", url, "db", "info")
    assert code == 0, err
    assert "cli.sqlite3" in out and "sqlite" in out and head_revision() in out
    assert "organizations" in out


def test_backup_and_restore_round_trip(capsys: pytest.CaptureFixture[str], url: str, tmp_path: Path) -> None:
    assert run(capsys, "--database", url, "demo")[0] == 0
    backup = tmp_path / "saved.sqlite3"
    code, out, err = run(capsys, "--lang", "en", "--database", url, "db", "backup", str(backup))
    assert code == 0, err
    assert backup.is_file() and str(backup) in out
    assert run(capsys, "--database", url, "demo", "--scale", "1")[0] == 0
    assert len(_json(capsys, url, "partners")) == len(ORGANIZATIONS) + UNIT["organizations"]

    code, out, err = run(capsys, "--lang", "en", "--database", url, "db", "restore", str(backup))
    assert code == 0, err
    assert "saved to" in out  # the replaced database is kept
    assert len(_json(capsys, url, "partners")) == len(ORGANIZATIONS)


@pytest.mark.parametrize(
    "target",
    ["foreign", "unreachable", "nonsense"],
)
def test_bad_database_is_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, target: str
) -> None:
    if target == "foreign":
        path = tmp_path / "notes.txt"
        path.write_text("not a database\n" * 100, encoding="utf-8")
        database = str(path)
    elif target == "unreachable":
        database = "postgresql://someone:secret@127.0.0.1:1/nothing"
    else:
        database = "nosuchdriver://host/db"
    for args in (["list", "partners"], ["db", "info"], ["demo"]):
        code, out, err = run(capsys, "--lang", "en", "--database", database, *args)
        assert code == 1
        assert out == ""
        assert len(err.strip().splitlines()) == 1, err
        assert "Traceback" not in err and "secret" not in err
    if target == "foreign":
        assert path.read_text(encoding="utf-8").startswith("not a database")  # left unchanged


def test_restore_of_a_missing_file_is_an_error(
    capsys: pytest.CaptureFixture[str], url: str, tmp_path: Path
) -> None:
    code, _out, err = run(capsys, "--database", url, "db", "restore", str(tmp_path / "missing.sqlite3"))
    assert code == 1 and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["lst"],
        ["list"],
        ["list", "nothing"],
        ["demo", "--scale", "-1"],
        ["db"],
        ["--lang", "fr", "db", "info"],
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, _out, err = run(capsys, *args)
    assert code == 2
    assert "usage:" in err and "Traceback" not in err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "--help")
    assert code == 0 and "kawaoffice-cli" in out


def test_table_alignment_helpers() -> None:
    assert display_width("長沢浄水場") == 10 and display_width("ｶﾜｻｷ") == 4 and display_width("abc") == 3
    table = format_table(["名前", "国"], [["長沢浄水場", "JP"], ["Nam Papa Lao", "LA"]])
    lines = table.splitlines()
    assert display_width(lines[1]) == 12 + 2 + 2  # dashes: widest cell of each column
    assert [_cell_at(line, 14)[:2] for line in lines[2:]] == ["JP", "LA"]


def test_installed_entry_point(tmp_path: Path) -> None:
    exe = shutil.which("kawaoffice-cli", path=str(Path(sys.executable).parent)) or shutil.which(
        "kawaoffice-cli"
    )
    assert exe, "the kawaoffice-cli entry point is not installed"
    database = str(tmp_path / "entry.sqlite3")
    env = {**os.environ, "KAWAOFFICE_DATABASE_URL": database}
    done = subprocess.run([exe, "--lang", "en", "demo"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [exe, "list", "projects", "--format", "json"], capture_output=True, text=True, env=env, timeout=120,
        encoding="utf-8",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "LA-2018-MAWASU2" in {p["code"] for p in json.loads(done.stdout)}
    done = subprocess.run([exe, "list", "bogus"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2


@pytest.mark.postgres
def test_cli_on_postgresql(capsys: pytest.CaptureFixture[str], pg_server: PostgresServer) -> None:
    url = pg_server.create_database("kawa_cli")
    code, _out, err = run(capsys, "--database", url, "list", "projects", "--format", "json")
    assert code == 0, err  # an empty server database gets its schema
    assert json.loads(_out) == []
    code, _out, err = run(capsys, "--database", url, "demo")
    assert code == 0, err
    assert len(_json(capsys, url, "projects")) == len(PROJECTS)
    code, out, err = run(capsys, "--lang", "en", "--database", url, "db", "info")
    assert code == 0, err
    assert "postgresql" in out and head_revision() in out
    assert "kawa_cli" in out


def test_the_cli_acts_as_the_login_with_its_role(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kawaoffice.cli import core
    from kawaoffice.model.users import Role
    from kawaoffice.services import users
    from kawaoffice.storage import open_database

    url = f"sqlite:///{tmp_path / 'roles.sqlite3'}"
    monkeypatch.setattr(core, "login_name", lambda: "aiko")
    code, _out, err = run(capsys, "--database", url, "demo")
    assert code == 0, err
    db = open_database(url, "aiko")
    with db.session() as s:
        assert {u.login: u.role for u in users.list_users(s)} == {"aiko": Role.ADMIN}
        users.add_user(s, "mika", Role.VIEWER)
    db.dispose()

    monkeypatch.setattr(core, "login_name", lambda: "mika")
    code, out, err = run(
        capsys, "--database", url, "import", "partners", str(DATA / "partners_utf8_bom.csv"), "--lang", "en"
    )
    assert code == 1, out
    assert err.strip().splitlines()[-1] == "You are a viewer: you cannot change data."
    code, out, err = run(capsys, "--database", url, "list", "partners")
    assert code == 0, err  # a viewer reads
    assert "アクア" not in out  # the refused import wrote nothing
