"""The main window on a database with a few records: what the user sees in each tab, in Japanese and English."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import create_engine, text

from kawaoffice.settings import Settings
from kawaoffice.storage import Database, open_database
from kawaoffice.ui.main_window import TAB_KEYS, MainWindow
from kawaoffice.ui.widgets.paged_model import PagedTableModel

pytestmark = pytest.mark.gui


def rows(window: MainWindow, key: str) -> list[list[str]]:
    window.show_tab(key)
    model: PagedTableModel = window.tab(key).model
    return [
        [str(model.data(model.index(r, c), Qt.ItemDataRole.DisplayRole)) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def headers(window: MainWindow, key: str) -> list[str]:
    model = window.tab(key).model
    return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]


@pytest.fixture
def window(qtbot, gui_db: Database, fresh_settings: Settings) -> MainWindow:
    w = MainWindow(gui_db, fresh_settings, user_name="tanaka")
    qtbot.addWidget(w)
    w.show()
    return w


@pytest.fixture
def recorded_boxes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """QMessageBox's static helpers record (title, text) instead of blocking."""
    seen: list[tuple[str, str]] = []

    def fake(
        parent: object, title: str, message: str, *args: object, **kwargs: object
    ) -> QMessageBox.StandardButton:
        seen.append((title, message))
        return QMessageBox.StandardButton.Ok

    for name in ("information", "warning", "critical"):
        monkeypatch.setattr(QMessageBox, name, fake)
    return seen


def test_japanese_tabs_show_japanese_names_and_labels(japanese: None, window: MainWindow) -> None:
    assert [window.tabs.tabText(i) for i in range(4)] == [
        "パートナー名簿",
        "案件ステージ",
        "職員派遣",
        "視察受入れ",
    ]
    partners = rows(window, "partners")
    assert [r[0] for r in partners] == ["アクア技研", "国際協力機構", "三機工業", "ナムパパ・ラオ"]
    nampapa = partners[3]
    assert nampapa[1] == "ナムパパラオ"
    assert nampapa[3] == "ラオス"
    assert nampapa[2] == "海外カウンターパート"
    assert partners[2][5] in ("膜ろ過、漏水探知", "漏水探知、膜ろ過")

    projects = rows(window, "projects")
    assert [r[0] for r in projects] == ["P-001", "P-002"]
    assert projects[0][1:4] == ["ラオス MaWaSU2", "技術協力プロジェクト", "事業実施"]
    assert projects[0][5] == "ラオス" and projects[0][6] == "2018/04/01"
    assert projects[1][5] == "インドネシア"

    dispatches = rows(window, "dispatches")
    assert [r[2] for r in dispatches] == ["D-2", "D-1"]
    assert dispatches[0][3] == "ベトナム調査"
    assert dispatches[0][8] == "山田 太郎、佐藤 花子、田中 一郎"
    assert dispatches[0][6] == "ベトナム"

    visits = rows(window, "visits")
    assert [r[1] for r in visits] == ["B-1", "B-2", "B-3"]
    assert visits[0][0] == "2026/05/12"
    assert visits[0][2] == "JICA研修員（上水道）"
    assert visits[0][5] == "12"
    assert visits[0][7] == "長沢浄水場、入江崎水処理センター"
    assert "ローカル" in window.status_text() and "tanaka" in window.status_text()


def test_english_tabs_show_english_names_and_labels(qtbot, english: None, window: MainWindow) -> None:
    assert [window.tabs.tabText(i) for i in range(4)] == ["Partners", "Projects", "Dispatches", "Visits"]
    assert headers(window, "partners")[:4] == ["Name", "Reading", "Kind", "Country"]
    partners = rows(window, "partners")
    assert [r[0] for r in partners] == [
        "Aqua Giken",
        "JICA",
        "Nam Papa Lao",
        "Sanki Engineering",
    ]  # English names in alphabetical order in the English UI
    assert partners[2][2:5] == ["Overseas counterpart", "Laos", ""]
    assert partners[0][4] == "Left" and partners[3][4] == "Current member"

    projects = rows(window, "projects")
    assert projects[0][1:5] == [
        "Laos MaWaSU2",
        "JICA technical cooperation project",
        "Implementation",
        "Active",
    ]
    assert projects[1][4] == "Completed" and projects[1][5] == "Indonesia"
    assert projects[0][6] == "Apr 1, 2018" and projects[0][7] == ""

    dispatches = rows(window, "dispatches")
    assert dispatches[0][:7] == [
        "Feb 1, 2026",
        "Feb 5, 2026",
        "D-2",
        "Viet Nam survey",
        "Mission team",
        "Planned",
        "Vietnam",
    ]

    visits = rows(window, "visits")
    assert visits[0][:8] == [
        "May 12, 2026",
        "B-1",
        "JICA trainees (water supply)",
        "JICA trainees",
        "Laos",
        "12",
        "Confirmed",
        "Nagasawa Water Purification Plant, Iriezaki Wastewater Treatment Center",
    ]
    assert visits[2][0] == "" and visits[2][2] == "学生"  # no English group name: the Japanese one
    status = window.status_text()
    assert "Local database" in status and "User: tanaka (Administrator)" in status  # first user of the file
    assert window.tools.actions["statistics"].isEnabled() and window.tab("partners").role.value == "admin"
    # the start-up counts come from a worker thread once the window is shown
    qtbot.waitUntil(lambda: "Partners 4 · Projects 2 · Dispatches 2 · Visits 3" in window.status_text())


def test_tabs_load_only_when_first_shown(window: MainWindow) -> None:
    assert window.current_tab_key() == "partners"
    assert window.tab("partners").model.rowCount() == 4
    assert window.tab("visits").model.rowCount() == 0
    window.show_tab("visits")
    assert window.tab("visits").model.rowCount() == 3


def test_view_menu_shortcuts_switch_tabs(qtbot, window: MainWindow) -> None:
    window.activateWindow()
    shortcuts = {
        a.shortcut().toString(): a
        for m in window.menuBar().findChildren(type(window.menuBar().addMenu("x")))
        for a in m.actions()
    }
    for number, key in enumerate(TAB_KEYS, start=1):
        shortcuts[f"Ctrl+{number}"].trigger()
        assert window.current_tab_key() == key
    assert "F5" in shortcuts and "Ctrl+Q" in shortcuts


def test_refresh_shows_records_added_meanwhile(window: MainWindow, gui_db: Database) -> None:
    from kawaoffice.model.partners import Organization, OrganizationKind

    with gui_db.session() as session:
        session.add(
            Organization(kind=OrganizationKind.OTHER, name_ja="ワクワク協会", name_kana="ワクワクキョウカイ")
        )
    window.refresh()
    assert window.tab("partners").model.rowCount() == 5
    assert "5" in window.status_text()


def test_geometry_and_last_tab_round_trip(qtbot, gui_db: Database, fresh_settings: Settings) -> None:
    first = MainWindow(gui_db, fresh_settings)
    qtbot.addWidget(first)
    first.show()
    first.resize(700, 500)
    first.show_tab("dispatches")
    first.tab("dispatches").view.setColumnWidth(3, 333)
    first.close()

    stored = Settings.load()
    assert stored.last_tab == "dispatches"
    assert stored.window_geometry and stored.window_state and stored.table_states["dispatches"]

    second = MainWindow(gui_db, stored)
    qtbot.addWidget(second)
    second.show()
    assert second.current_tab_key() == "dispatches"
    assert (second.width(), second.height()) == (700, 500)
    assert second.tab("dispatches").view.columnWidth(3) == 333
    assert second.tab("dispatches").model.rowCount() == 2


def test_back_up_writes_a_copy(
    window: MainWindow, tmp_path: Path, recorded_boxes: list[tuple[str, str]]
) -> None:
    dest = tmp_path / "backup.sqlite3"
    result = window.back_up_to(dest)
    assert result is not None and result.exists() and result.stat().st_size > 0
    assert Settings.load().last_backup_date == date.today().isoformat()
    assert str(result) in recorded_boxes[-1][1]
    copy = open_database(f"sqlite:///{result}", "tester")
    try:
        with copy.session() as session:
            from kawaoffice.services.overview import record_counts

            assert record_counts(session)["partners"] == 4
    finally:
        copy.dispose()


def test_switch_database_reconnects_and_remembers(
    window: MainWindow, tmp_path: Path, recorded_boxes: list[tuple[str, str]]
) -> None:
    other = tmp_path / "other.sqlite3"
    assert window.open_other_database(str(other))
    assert window.database.sqlite_path == other
    assert window.tab("partners").model.rowCount() == 0
    assert Settings.load().database_url == f"sqlite:///{other}"


def test_switch_to_a_foreign_file_is_refused(
    window: MainWindow, tmp_path: Path, recorded_boxes: list[tuple[str, str]]
) -> None:
    foreign = tmp_path / "foreign.sqlite3"
    engine = create_engine(f"sqlite:///{foreign}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)"))
    engine.dispose()
    before = window.database
    assert not window.open_other_database(str(foreign))
    assert window.database is before
    assert recorded_boxes and "Traceback" not in recorded_boxes[-1][1]
    assert window.tab("partners").model.rowCount() == 4


def test_database_info_dialog(
    qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, english: None
) -> None:
    from kawaoffice.ui.widgets import database_dialogs

    shown: list[str] = []

    def fake_exec(self: database_dialogs.DatabaseInfoDialog) -> int:
        from PySide6.QtWidgets import QLabel

        shown.extend(label.text() for label in self.findChildren(QLabel))
        return 0

    monkeypatch.setattr(database_dialogs.DatabaseInfoDialog, "exec", fake_exec)
    window.show_database_info()
    assert "Local database" in shown
    assert str(window.database.sqlite_path) in shown
    assert "4" in shown  # partners


def test_demo_data_fills_every_tab(qtbot, tmp_path: Path, fresh_settings: Settings, japanese: None) -> None:
    from kawaoffice.services.demo import load_demo
    from kawaoffice.services.overview import record_counts

    db = open_database(f"sqlite:///{tmp_path / 'demo.sqlite3'}", "tester")
    try:
        with db.session() as session:
            load_demo(session)
        with db.session() as session:
            counts = record_counts(session)
        window = MainWindow(db, fresh_settings)
        qtbot.addWidget(window)
        window.show()
        for key in TAB_KEYS:
            shown = rows(window, key)
            assert len(shown) == counts[key] > 0
            assert all(row[0] or row[1] for row in shown)
        partners = [r[0] for r in rows(window, "partners")]
        assert "川崎市上下水道局" in partners
    finally:
        db.dispose()


def test_language_menu_stores_the_choice(window: MainWindow, recorded_boxes: list[tuple[str, str]]) -> None:
    window.choose_language("en")
    assert Settings.load().language == "en"
    assert recorded_boxes  # says it applies after a restart


def test_only_the_shown_tab_is_built_at_start_and_the_others_when_shown(
    qtbot, gui_db: Database, fresh_settings: Settings, english: None
) -> None:
    fresh_settings.last_tab = "visits"
    window = MainWindow(gui_db, fresh_settings, user_name="tanaka")
    qtbot.addWidget(window)
    window.show()
    assert window.current_tab_key() == "visits"
    assert set(window.built_tabs) == {"visits"}  # the remembered tab only
    assert window.tab("visits").model.rowCount() == 3 and window.tab("visits").isVisible()
    assert [window.tabs.tabText(i) for i in range(4)] == ["Partners", "Projects", "Dispatches", "Visits"]
    view_projects = next(
        a for m in window.menuBar().actions() if m.menu() for a in m.menu().actions()
        if a.shortcut().toString() == "Ctrl+2"
    )  # fmt: skip
    view_projects.trigger()  # View > Projects
    assert window.current_tab_key() == "projects"
    projects = window.tab("projects")
    assert set(window.built_tabs) == {"visits", "projects"}
    assert projects.isVisible() and projects.model.rowCount() == 2
    assert projects.role == window.role  # the user's role reached the tab built later


def test_a_tab_never_shown_keeps_its_saved_state(qtbot, gui_db: Database, fresh_settings: Settings) -> None:
    fresh_settings.tab_states = {"dispatches": {"kept": 1}}
    fresh_settings.table_states = {"dispatches": "kept-header"}
    window = MainWindow(gui_db, fresh_settings)
    qtbot.addWidget(window)
    window.show()
    window.close()
    stored = Settings.load()
    assert "dispatches" not in window.built_tabs
    assert stored.tab_states["dispatches"] == {"kept": 1}
    assert stored.table_states["dispatches"] == "kept-header"
    assert stored.table_states["partners"]  # the shown tab saved its own


def test_status_counts_are_read_after_the_window_is_shown(
    qtbot, gui_db: Database, fresh_settings: Settings, english: None
) -> None:
    window = MainWindow(gui_db, fresh_settings, user_name="tanaka")
    qtbot.addWidget(window)
    # the window is built without waiting for the counts: they arrive through the event loop
    assert "Partners 4" not in window.status_text() and "User: tanaka" in window.status_text()
    window.show()
    window.wait_for_counts()
    qtbot.waitUntil(lambda: "Partners 4 · Projects 2 · Dispatches 2 · Visits 3" in window.status_text())


def test_an_initial_tab_opens_instead_of_the_remembered_one(
    qtbot, gui_db: Database, fresh_settings: Settings
) -> None:
    fresh_settings.last_tab = "projects"
    window = MainWindow(gui_db, fresh_settings, initial_tab="dispatches")  # --tab dispatches
    qtbot.addWidget(window)
    window.show()
    assert window.current_tab_key() == "dispatches"
    assert set(window.built_tabs) == {"dispatches"}  # the remembered tab is not read for nothing
    assert window.tab("dispatches").model.rowCount() == 2
