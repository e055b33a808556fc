"""The GUI entry point: start-up steps, --screenshot, --version, a refused database, the uncaught-error dialog."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import create_engine, text

from kawaoffice import app
from kawaoffice.i18n import current_language, set_language
from kawaoffice.settings import Settings
from kawaoffice.storage import open_database
from tests.services.test_overview import populate

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def gui_db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    db = open_database(url, "tester")
    with db.session() as session:
        populate(session)
    db.dispose()
    return url


@pytest.fixture(autouse=True)
def _keep_language():
    before = current_language()
    yield
    set_language(before)


@pytest.fixture
def recorded_boxes(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, str]]:
    """QMessageBox.exec records what the box says instead of blocking (no button clicked = Quit)."""
    seen: list[dict[str, str]] = []

    def fake_exec(self: QMessageBox) -> int:
        seen.append({"title": self.windowTitle(), "text": self.text(), "info": self.informativeText()})
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return seen


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert app.main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("KawaOffice ")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_screenshot_writes_a_png_of_the_chosen_tab(qapp, gui_db_url: str, tmp_path: Path, lang: str) -> None:
    settings_before = Settings.load()
    shot = tmp_path / f"shot-{lang}.png"
    rc = app.main(["--database", gui_db_url, "--lang", lang, "--screenshot", str(shot), "--tab", "visits"])
    assert rc == 0
    data = shot.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 5000
    assert current_language() == lang
    assert Settings.load().last_tab == settings_before.last_tab  # a screenshot changes no remembered state


def test_startup_registers_the_bundled_fonts_and_logs_each_step(
    qapp, gui_db_url: str, tmp_path: Path
) -> None:
    assert app.main(["--database", gui_db_url, "--screenshot", str(tmp_path / "s.png")]) == 0
    assert "IPAexGothic" in QFontDatabase.families()
    assert "IPAexGothic" in QApplication.font().families()
    log_file = app.configure_logging()
    assert log_file is not None
    log_text = log_file.read_text(encoding="utf-8")
    for step in ("logging", "settings", "language", "database and migrations", "main window"):
        assert f": {step}" in log_text


def test_japanese_loads_qt_translations(qapp, gui_db_url: str, tmp_path: Path) -> None:
    assert app.main(["--database", gui_db_url, "--lang", "ja", "--screenshot", str(tmp_path / "s.png")]) == 0
    assert app._qt_translators, "qtbase_ja was not installed"
    assert QApplication.translate("QPlatformTheme", "Cancel") == "キャンセル"


def test_foreign_database_shows_the_message_without_traceback(
    qapp, tmp_path: Path, recorded_boxes: list[dict[str, str]]
) -> None:
    foreign = tmp_path / "recipes.sqlite3"
    engine = create_engine(f"sqlite:///{foreign}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)"))
    engine.dispose()
    before = foreign.read_bytes()

    rc = app.main(["--database", str(foreign), "--lang", "en", "--screenshot", str(tmp_path / "s.png")])

    assert rc == 1  # the user chose nothing, i.e. Quit
    assert not (tmp_path / "s.png").exists()
    assert len(recorded_boxes) == 1
    box = recorded_boxes[0]
    assert box["text"] and "Traceback" not in box["text"] and "Traceback" not in box["info"]
    assert str(foreign) in box["text"] or foreign.name in box["text"]
    assert "local database" in box["info"]
    assert foreign.read_bytes() == before


def test_excepthook_logs_the_traceback_and_names_the_log_file(
    qapp, tmp_path: Path, recorded_boxes: list[dict[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    log_file = tmp_path / "kawaoffice.log"
    hook = app.make_excepthook(log_file)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        exc_type, exc, tb = sys.exc_info()
    with caplog.at_level(logging.CRITICAL):
        assert exc_type is not None and exc is not None
        hook(exc_type, exc, tb)
    assert "boom" in caplog.text
    assert any(r.exc_info for r in caplog.records)
    assert str(log_file) in recorded_boxes[-1]["info"]
    assert "Traceback" not in recorded_boxes[-1]["text"]
