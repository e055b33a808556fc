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
from kawaoffice.i18n import current_language
from kawaoffice.settings import Settings
from kawaoffice.storage import open_database
from kawaoffice.storage.credentials import install_log_masking
from kawaoffice.ui.widgets.splash import SplashScreen
from tests.app_startup import close_started
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


def _damaged_copy(tmp_path: Path, *, pages: str) -> Path:
    """A database with damage as a disk failure would leave it: ``pages="few"``: three pages in the middle
    overwritten; ``"partners"``: the root pages of the organizations table and its indexes (the schema and the
    other tables are readable, so the file opens, but the Partners tab cannot read its list)."""
    import sqlite3

    from kawaoffice.model.partners import Organization, OrganizationKind
    from tests.storage.conftest import damage_sqlite_file

    path = tmp_path / f"damaged-{pages}.sqlite3"
    db = open_database(f"sqlite:///{path}", "tester")
    with db.session() as session:
        session.add_all(
            Organization(kind=OrganizationKind.MEMBER, name_ja=f"会社{i}", notes="メモ" * 200)
            for i in range(400)
        )
    db.dispose()
    if pages == "few":
        damage_sqlite_file(path)
        return path
    conn = sqlite3.connect(path)
    roots = [
        r[0] for r in conn.execute("SELECT rootpage FROM sqlite_master WHERE tbl_name = 'organizations'")
    ]
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    data = bytearray(path.read_bytes())
    size = int.from_bytes(data[16:18], "big")
    for root in roots:
        start = (root - 1) * size
        data[start : start + size] = bytes((i * 37 + 11) % 256 for i in range(size))
    path.write_bytes(bytes(data))
    return path


def test_the_integrity_check_runs_after_the_window_is_shown_and_reports_damage(
    qapp, qtbot, tmp_path: Path, recorded_boxes: list[dict[str, str]]
) -> None:
    path = _damaged_copy(tmp_path, pages="few")
    before = path.read_bytes()
    startup = app.Startup(app.parse_args(["--database", str(path), "--lang", "en"]))
    startup.run()  # opens without reading the whole file: the window is shown first
    assert startup.window is not None and startup.integrity_deferred
    assert startup.background is not None
    startup.background.join(30)
    qtbot.waitUntil(lambda: bool(recorded_boxes))
    box = recorded_boxes[0]
    assert box["title"] == "The database is damaged"
    assert str(path) in box["text"] and "found damage" in box["text"] and "Traceback" not in box["text"]
    assert "Restore it from a backup" in box["info"]
    assert not startup.window.isVisible()  # no button chosen = quit: the damaged file is no longer used
    assert path.read_bytes() == before
    from kawaoffice import paths

    assert not list(paths.backups_dir().glob(f"{path.stem}-daily-*"))  # no backup of a damaged file
    startup.database.dispose()


def test_damage_met_while_the_first_tab_reads_is_reported_in_words(
    qapp, tmp_path: Path, recorded_boxes: list[dict[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    path = _damaged_copy(tmp_path, pages="partners")
    with caplog.at_level(logging.INFO, logger="kawaoffice.app"):
        # on the Partners tab whatever tab an earlier test's window remembered (the light preview cannot read
        # the damaged list either and leaves it to the normal path)
        rc = app.main(["--database", str(path), "--lang", "en", "--tab", "partners"])
    assert "checking its integrity now" in caplog.text  # opened unchecked; the first tab's read failed
    assert rc == 1  # refused before the window is shown; no button chosen = quit
    assert len(recorded_boxes) == 1
    assert "damaged" in recorded_boxes[0]["text"] and "Traceback" not in recorded_boxes[0]["text"]


def test_a_sound_database_passes_the_check_and_is_backed_up_once_a_day(
    qapp, qtbot, gui_db_url: str, recorded_boxes: list[dict[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    from kawaoffice import paths

    startup = app.Startup(app.parse_args(["--database", gui_db_url, "--lang", "en"]))
    with caplog.at_level(logging.INFO, logger="kawaoffice.app"):
        startup.run()
        assert startup.background is not None
        startup.background.join(30)
        qtbot.wait(50)
    assert "integrity check of" in caplog.text and ": ok" in caplog.text
    assert not recorded_boxes
    assert startup.window is not None and startup.window.isVisible()
    assert list(paths.backups_dir().glob("app-daily-*.sqlite3"))
    startup.window.hide()
    startup.window.deleteLater()
    assert startup.database is not None
    startup.database.dispose()


def test_start_up_imports_only_the_first_tab_and_no_document_builders(
    gui_db_url: str, tmp_path: Path
) -> None:
    """What a start-up loads: the remembered tab's module only; Alembic, the report builders, the statistics
    window and the other tabs when they are used."""
    import json
    import os
    import subprocess

    code = (
        "import json, sys\n"
        "from kawaoffice import app\n"
        f"startup = app.Startup(app.parse_args(['--database', {gui_db_url!r}, '--lang', 'ja']))\n"
        "startup.run()\n"
        "startup.app.processEvents()\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KAWAOFFICE_SETTINGS=str(tmp_path / "settings.json"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    modules = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert "kawaoffice.ui.partners.tab" in modules
    for absent in (
        "alembic",
        "kawaoffice.ui.projects.tab",
        "kawaoffice.ui.dispatch.tab",
        "kawaoffice.ui.tours.tab",
        "kawaoffice.ui.reports.window",
        "kawaoffice.documents.annual_report",
        "kawaoffice.ui.audit.viewer",
    ):
        assert absent not in modules, absent


def test_the_command_line_knows_the_main_windows_tabs() -> None:
    from kawaoffice.ui.main_window import TAB_KEYS

    assert app.TAB_KEYS == TAB_KEYS


def test_a_splash_screen_says_what_happens_until_the_window_is_shown(
    qapp, gui_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[SplashScreen] = []
    messages: list[tuple[str, bool]] = []
    real_show_splash = app.show_splash

    def recording_splash(message: str) -> SplashScreen:
        splash = real_show_splash(message)
        assert splash.isVisible() and splash.message() == "Starting KawaOffice..."
        shown.append(splash)
        splash.message_changed.connect(lambda text: messages.append((text, splash.isVisible())))
        return splash

    monkeypatch.setattr(app, "show_splash", recording_splash)
    # on another tab than Partners: no first-page preview (tests/ui/test_first_page_preview.py), the splash stays
    startup = app.Startup(app.parse_args(["--database", gui_db_url, "--lang", "en", "--tab", "projects"]))
    startup.run()
    try:
        assert startup.preview is None
        assert len(shown) == 1
        assert ("Opening the database...", True) in messages  # visible while the database was opened
        assert startup.splash is None and not any(
            isinstance(w, SplashScreen) and w.isVisible() for w in QApplication.topLevelWidgets()
        )
        assert startup.window is not None and startup.window.isVisible()
    finally:
        close_started(startup)


def test_importing_the_app_loads_no_database_code() -> None:
    """The splash screen can show before SQLAlchemy, the models and the main window are imported."""
    import subprocess

    code = (
        "import sys, kawaoffice.app; print(sorted(m for m in sys.modules if m.split('.')[0] == 'sqlalchemy'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_the_log_file_rotates_by_size_and_keeps_a_few_backups(tmp_path: Path) -> None:
    """The start-up's plain log handler, once ``rotate_log_by_size`` has replaced it (after the window shows:
    ``logging.handlers`` costs ~10 ms of every start): before a record would take the file past its size it becomes
    ``.1``, ``.1`` becomes ``.2``..., and the oldest beyond the count is dropped; format and filters are kept."""
    log_file = tmp_path / "kawaoffice.log"
    plain = logging.FileHandler(log_file, encoding="utf-8")
    plain.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("kawaoffice.test_rotation")
    logger.propagate = False
    logger.addHandler(plain)
    install_log_masking(logger)
    app.rotate_log_by_size(logger, max_bytes=200, backups=2)
    [handler] = logger.handlers
    assert handler is not plain and handler.formatter is plain.formatter and handler.filters == plain.filters
    try:
        for number in range(40):
            logger.warning("record %02d: %s", number, "x" * 30)  # 41 bytes a line with its newline
    finally:
        logger.removeHandler(handler)
        handler.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["kawaoffice.log", "kawaoffice.log.1", "kawaoffice.log.2"]
    texts = [
        (tmp_path / name).read_text(encoding="utf-8") for name in ("kawaoffice.log.2", "kawaoffice.log.1")
    ]
    texts.append(log_file.read_text(encoding="utf-8"))
    assert all(0 < len(t.encode()) < 200 for t in texts)
    lines = "".join(texts).splitlines()
    assert lines[-1].startswith("record 39") and len(lines) == 12  # the newest records, in order, 4 a file
    assert [int(line[7:9]) for line in lines] == list(range(28, 40))


def test_importing_the_app_pauses_the_collector_only_while_it_imports() -> None:
    """``kawaoffice._startup_gc``: no collection while start-up imports (~35 of them, ~8 ms, before the window),
    and afterwards the collector runs again as before, with what was loaded frozen."""
    import subprocess

    code = (
        "import gc, json, sys\n"
        "runs = []\n"
        "gc.callbacks.append(lambda phase, info: runs.append(phase) if phase == 'start' else None)\n"
        "enabled_before = gc.isenabled()\n"
        "import kawaoffice._startup_gc\n"  # (what kawaoffice.app imports first)
        "paused = not gc.isenabled()\n"
        "runs.clear()\n"
        "import kawaoffice.app\n"
        "print(json.dumps([enabled_before, paused, len(runs), gc.isenabled(), gc.get_freeze_count() > 10000]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[true, true, 0, true, true]"


def test_start_up_runs_its_steps_with_the_collector_paused() -> None:
    """No collection during the steps (the preview sooner, a shorter stall behind it); afterwards it runs again,
    also when a step fails, with what start-up loaded frozen."""
    import gc

    seen: list[bool] = []

    class Probe(app.Startup):
        def steps(self):  # type: ignore[no-untyped-def]
            return [("one", lambda: seen.append(gc.isenabled())), ("two", self.fail)]

        def fail(self) -> None:
            seen.append(gc.isenabled())
            raise app.StartupAborted

    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    with pytest.raises(app.StartupAborted):
        Probe(app.parse_args([])).run()
    assert seen == [False, False]
    assert gc.isenabled() and gc.get_freeze_count() >= frozen
