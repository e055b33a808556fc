"""The entry point (kawaoffice.launch): a shared database's start-up preview reader is started before the app's
modules are imported, only when the window will show the preview; the app hands it its request or stops it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from kawaoffice import app, launch
from kawaoffice.settings import SETTINGS_ENV
from kawaoffice.storage import database
from kawaoffice.storage import first_page as fp
from tests.pgserver import free_port

SERVER = f"postgresql://u:pw@127.0.0.1:{free_port()}/db"  # (nothing listens: the reader is never asked here)


@pytest.fixture
def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "settings.json"
    monkeypatch.setenv(SETTINGS_ENV, str(path))
    monkeypatch.delenv(launch.ENV_VAR, raising=False)
    return path


def _started(argv: list[str]) -> bool:
    reader = launch.early_reader(argv)
    if reader is None:
        return False
    assert reader.poll() is None  # waiting for its request
    fp.stop_reader(reader)
    return True


def test_the_names_are_the_apps() -> None:
    assert launch.ENV_VAR == database.ENV_VAR
    assert launch.SETTINGS_ENV == SETTINGS_ENV
    assert launch.SERVER_SCHEMES == fp.SERVER_SCHEMES
    assert app.TAB_KEYS[0] == launch.FIRST_TAB


def test_options_are_read_as_argparse_reads_them() -> None:
    assert launch._option(["--database", "a", "--lang", "ja"], "--database") == "a"
    assert launch._option(["--database=a", "--database", "b"], "--database") == "b"
    assert launch._option(["--tab=visits"], "--tab") == "visits"
    assert launch._option(["--database"], "--database") is None
    assert launch._option(["--databases", "x"], "--database") is None


def test_a_reader_is_started_for_a_shared_database_the_window_will_preview(
    settings_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert _started(["--database", SERVER])
    assert _started(["--database", SERVER, "--tab", "partners"])
    monkeypatch.setenv(launch.ENV_VAR, SERVER)  # the environment's URL
    assert _started([])
    monkeypatch.delenv(launch.ENV_VAR)
    settings_file.write_text(json.dumps({"database_url": SERVER}), encoding="utf-8")  # the settings' URL
    assert _started([])


def test_no_reader_when_the_window_will_not_preview_a_server(settings_file: Path, tmp_path: Path) -> None:
    assert not _started([])  # the local default
    assert not _started(["--database", str(tmp_path / "x.sqlite3")])
    assert not _started(["--database", f"sqlite:///{tmp_path / 'x.sqlite3'}"])
    assert not _started(["--database", SERVER, "--tab", "visits"])
    assert not _started(["--database", SERVER, "--screenshot", str(tmp_path / "x.png")])
    assert not _started(["--database", SERVER, "--version"])
    assert not _started(["--database", "mysql://u@h/db"])
    settings_file.write_text(json.dumps({"database_url": SERVER, "last_tab": "projects"}), encoding="utf-8")
    assert not _started([])  # the window opens on the tab last shown
    settings_file.write_text("{broken", encoding="utf-8")
    assert not _started([])  # (the app's own steps say what is wrong with the file)


def test_a_reader_the_app_does_not_need_is_stopped(settings_file: Path, tmp_path: Path) -> None:
    """E.g. the settings changed between the entry point's look and the app's: the app decides, and stops it."""
    reader = launch.early_reader(["--database", SERVER])
    assert reader is not None
    startup = app.Startup(app.parse_args(["--database", SERVER, "--tab", "visits"]), reader=reader)
    startup.read_first_page()
    assert startup.reader is None and startup._first_page is None
    assert reader.poll() is not None  # stopped, not left behind


def test_python_m_kawaoffice_goes_through_the_entry_point() -> None:
    main = Path(sys.modules["kawaoffice"].__file__ or "").parent / "__main__.py"
    assert "from kawaoffice.launch import main" in main.read_text(encoding="utf-8")


def test_the_app_gives_the_early_reader_its_request(settings_file: Path) -> None:
    reader = launch.early_reader(["--database", SERVER])
    assert reader is not None
    startup = app.Startup(app.parse_args(["--database", SERVER, "--lang", "ja"]), reader=reader)
    startup.load_settings()
    startup.choose_language()
    startup.read_first_page()
    pending = startup._first_page
    assert pending is not None and pending._process is reader and startup.reader is None
    assert pending.result() is None  # (nothing listens there: the normal path, at once)
    assert reader.poll() is not None
