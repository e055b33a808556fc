"""The start-up preview (issue 10): the main window's frame with the Partners tab's first page, read with the light
reader before SQLAlchemy is imported, shows what the real tab shows; the real window replaces it with what the user
did meanwhile; it is skipped where it could not show what the real window will."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kawaoffice import app
from kawaoffice.model.partners import MEMBERSHIP_STATUS_LABELS, ORGANIZATION_KIND_LABELS, OrganizationKind
from kawaoffice.services import partners
from kawaoffice.settings import Settings
from kawaoffice.storage import Database
from kawaoffice.storage import first_page as fp
from kawaoffice.ui.main_window import TAB_SPECS, MainWindow
from kawaoffice.ui.partners.model import PartnersModel
from kawaoffice.ui.partners.tab import PartnersTab
from kawaoffice.ui.widgets import first_page as preview_module
from kawaoffice.ui.widgets.first_page import PreviewWindow
from tests.app_startup import close_started


def _more_organizations(db: Database, n: int = 90) -> None:
    with db.session() as session:
        for i in range(n):
            partners.create_organization(
                session,
                kind=list(OrganizationKind)[i % 6],
                name_ja=f"テスト工業{i:03d}",
                name_kana=f"テストコウギョウ{i:03d}",
                name_en=f"Test Works {i:03d}" if i % 2 else "",
                country=["JP", "LA", "VN"][i % 3],
            )
        session.commit()


def _page(db: Database, language: str) -> fp.FirstPage:
    assert db.sqlite_path is not None
    return fp.read_first_page(str(db.sqlite_path), language, app.PREVIEW_ROWS)


def test_the_names_match_the_real_windows() -> None:
    assert [(s.key, s.title) for s in TAB_SPECS] == list(preview_module.TABS)
    assert tuple(c.header for c in PartnersModel.columns) == preview_module.COLUMNS
    assert {k.value: v for k, v in ORGANIZATION_KIND_LABELS.items()} == preview_module.KIND_LABELS
    assert {k.value: v for k, v in MEMBERSHIP_STATUS_LABELS.items()} == preview_module.STATUS_LABELS
    assert min(PartnersModel.FIRST_PAGE_SIZE, PartnersModel.PAGE_SIZE) == app.PREVIEW_ROWS
    assert app.TAB_KEYS[0] == "partners"


def test_the_preview_shows_the_partners_tabs_first_page(
    qtbot, gui_db: Database, fresh_settings: Settings, language: str
) -> None:
    _more_organizations(gui_db)
    tab = PartnersTab(gui_db.session)
    qtbot.addWidget(tab)
    tab.load()
    preview = PreviewWindow(_page(gui_db, language), fresh_settings, "here")
    qtbot.addWidget(preview)
    shown, real = preview.model, tab.model
    assert shown.rowCount() == app.PREVIEW_ROWS <= real.rowCount()
    assert [r.id for r in preview.rows] == [real.id_at(i) for i in range(shown.rowCount())]
    for row in range(shown.rowCount()):
        for column in range(real.columnCount()):
            assert shown.data(shown.index(row, column)) == real.data(real.index(row, column)), (row, column)
    for column in range(real.columnCount()):
        assert shown.headerData(column, Qt.Orientation.Horizontal) == real.headerData(
            column, Qt.Orientation.Horizontal
        )
        assert preview.view.isColumnHidden(column) == tab.view.isColumnHidden(column)
    assert preview.count_label.text() == tab.count_label.text()
    assert preview.shows_natural_order
    header, real_header = preview.view.horizontalHeader(), tab.view.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        real_header.sortIndicatorSection(),
        real_header.sortIndicatorOrder(),
    )
    assert preview.selected_id() == tab.current_id()
    assert preview.tabs.count() == 4


def test_the_real_window_takes_over_what_the_user_did(
    qtbot, gui_db: Database, fresh_settings: Settings
) -> None:
    _more_organizations(gui_db)
    preview = PreviewWindow(_page(gui_db, "ja"), fresh_settings, "here")
    qtbot.addWidget(preview)
    preview.show()
    qtbot.waitExposed(preview)
    preview.resize(1100, 700)
    preview.view.selectRow(30)
    preview.view.scrollTo(preview.model.index(20, 0), preview.view.ScrollHint.PositionAtTop)
    preview.view.setColumnWidth(0, 333)
    chosen, top = preview.selected_id(), preview.top_id()
    assert chosen == preview.rows[30].id and top is not None and preview.header_changed
    window = MainWindow(gui_db, fresh_settings, live_refresh=False)
    qtbot.addWidget(window)
    preview.hand_over(window)
    tab = window.tab("partners")
    assert window.isVisible() and not preview.isVisible()
    assert window.size() == preview.size()
    assert tab.current_id() == chosen
    assert tab.model.id_at(tab.view.rowAt(0)) == top
    assert tab.view.columnWidth(0) == 333


def test_a_tab_chosen_in_the_preview_is_shown(qtbot, gui_db: Database, fresh_settings: Settings) -> None:
    preview = PreviewWindow(_page(gui_db, "en"), fresh_settings, "here")
    qtbot.addWidget(preview)
    preview.show()
    preview.tabs.setCurrentIndex(2)
    window = MainWindow(gui_db, fresh_settings, live_refresh=False)
    qtbot.addWidget(window)
    preview.hand_over(window)
    assert window.current_tab_key() == "dispatches"


def test_a_list_last_sorted_by_another_column_is_not_previewed(
    qtbot, gui_db: Database, fresh_settings: Settings
) -> None:
    tab = PartnersTab(gui_db.session)
    qtbot.addWidget(tab)
    tab.load()
    tab.sort_by(3)  # by country: the real tab sorts every organization, not the first page
    fresh_settings.table_states = {"partners": tab.header_state()}
    preview = PreviewWindow(_page(gui_db, "ja"), fresh_settings, "here")
    qtbot.addWidget(preview)
    assert not preview.shows_natural_order


def _startup(*args: str) -> app.Startup:
    return app.Startup(app.parse_args(list(args)))


def _preview_url(startup: app.Startup) -> str | None:
    source = startup.preview_source()
    return source.url if source is not None else None


def test_when_the_preview_is_skipped(gui_db_url: str, fresh_settings: Settings, tmp_path: Path) -> None:
    assert _preview_url(_startup("--database", gui_db_url)) == gui_db_url
    assert _preview_url(_startup("--database", gui_db_url, "--tab", "partners")) == gui_db_url
    assert _preview_url(_startup("--database", gui_db_url, "--tab", "visits")) is None
    assert _preview_url(_startup("--database", gui_db_url, "--screenshot", str(tmp_path / "x.png"))) is None
    # the shared database is previewed too (storage.first_page, session 6); a database it cannot read is not
    assert (
        _preview_url(_startup("--database", "postgresql://u@localhost/db")) == "postgresql://u@localhost/db"
    )
    assert _preview_url(_startup("--database", "sqlite:///:memory:")) is None
    startup = _startup("--database", gui_db_url)
    startup.settings.last_tab = "projects"
    assert _preview_url(startup) is None
    startup.settings.last_tab = "no such tab"  # the window opens on the first tab
    assert _preview_url(startup) == gui_db_url


def test_the_app_shows_the_preview_then_the_real_window(
    qapp, qtbot, gui_db_url: str, fresh_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[PreviewWindow, bool, int]] = []
    real_show_preview = app.show_preview

    def recording(preview: PreviewWindow) -> None:
        real_show_preview(preview)
        seen.append((preview, preview.isVisible(), preview.model.rowCount()))

    monkeypatch.setattr(app, "show_preview", recording)
    startup = _startup("--database", gui_db_url, "--lang", "en")
    startup.run()
    try:
        assert [(visible, rows) for _p, visible, rows in seen] == [(True, 4)]
        assert startup.preview is None and startup.splash is None
        assert startup.window is not None and startup.window.isVisible()
        assert not any(isinstance(w, PreviewWindow) and w.isVisible() for w in QApplication.topLevelWidgets())
        assert startup.window.tab("partners").model.rowCount() == 4
        # the icon and Qt's catalog come once the preview is painted, before the real window
        assert startup._window_icon_set and not QApplication.windowIcon().isNull()
        assert startup._qt_translations_installed
    finally:
        close_started(startup)


@pytest.mark.parametrize("fails", [False, True])
def test_the_database_is_opened_behind_the_preview(
    qapp, gui_db_url: str, fresh_settings: Settings, monkeypatch: pytest.MonkeyPatch, fails: bool
) -> None:
    """The loading thread opens the database (and sends the tab's opening statement once); when that fails the
    usual step opens it on the UI thread."""
    import threading

    from kawaoffice import storage

    real_open = storage.open_database
    threads: list[str] = []

    def recording_open(*args: object, **kwargs: object) -> Database:
        threads.append(threading.current_thread().name)
        if fails and len(threads) == 1:
            raise storage.DatabaseUnavailableError("here", "not now")
        return real_open(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(storage, "open_database", recording_open)
    startup = _startup("--database", gui_db_url, "--lang", "en")
    startup.run()
    try:
        main = threading.main_thread().name
        assert threads == (["kawaoffice-load", main] if fails else ["kawaoffice-load"])
        assert startup.window is not None and startup.window.tab("partners").model.rowCount() == 4
        assert startup.integrity_deferred and startup.url == gui_db_url
    finally:
        close_started(startup)


def test_closing_the_preview_while_loading_quits_quietly(
    qapp, gui_db_url: str, fresh_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_wait = app.wait_for_thread

    def user_closes(thread: object) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, PreviewWindow) and widget.isVisible():
                widget.close()
        real_wait(thread)  # type: ignore[arg-type]

    monkeypatch.setattr(app, "wait_for_thread", user_closes)
    assert app.main(["--database", gui_db_url, "--lang", "en"]) == 0
    assert not any(isinstance(w, MainWindow) and w.isVisible() for w in QApplication.topLevelWidgets())


def test_the_preview_is_shown_before_sqlalchemy_is_imported(gui_db_url: str, tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "from kawaoffice import app\n"
        "real = app.show_preview\n"
        "def show(preview):\n"
        "    real(preview)\n"
        "    print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic')"
        " or m.startswith(('kawaoffice.model', 'kawaoffice.services', 'kawaoffice.ui.main_window')))), flush=True)\n"
        "app.show_preview = show\n"
        f"startup = app.Startup(app.parse_args(['--database', {gui_db_url!r}, '--lang', 'ja']))\n"
        "startup.run()\n"
        "print('LOADED', startup.window.isVisible(), flush=True)\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KAWAOFFICE_SETTINGS=str(tmp_path / "settings.json"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.strip().splitlines()
    assert json.loads(lines[0]) == []
    assert lines[-1] == "LOADED True"


def test_the_preview_restores_the_remembered_layout(
    qtbot, gui_db: Database, fresh_settings: Settings
) -> None:
    first = PreviewWindow(_page(gui_db, "ja"), fresh_settings, "here")
    qtbot.addWidget(first)
    first.view.setColumnWidth(2, 222)
    first.resize(700, 500)  # (within the offscreen screen: restoring keeps a window on its screen)
    fresh_settings.table_states = {"partners": first.header_state()}
    fresh_settings.window_geometry = bytes(first.saveGeometry().toBase64().data()).decode("ascii")
    second = PreviewWindow(_page(gui_db, "ja"), fresh_settings, "here")
    qtbot.addWidget(second)
    assert second.view.columnWidth(2) == 222 and second.size() == first.size()
    assert second.shows_natural_order and not second.header_changed


def test_the_frame_matches_the_partners_tab(qtbot, gui_db: Database, fresh_settings: Settings) -> None:
    """The disabled toolbar, filter boxes and detail tabs keep the list where the real tab's will be."""
    tab = PartnersTab(gui_db.session)
    qtbot.addWidget(tab)
    preview = PreviewWindow(_page(gui_db, "ja"), fresh_settings, "here")
    qtbot.addWidget(preview)

    def toolbar_texts(actions: list) -> list[str | None]:
        return [None if a.isSeparator() else a.text() for a in actions]

    assert toolbar_texts(preview.toolbar.actions()) == toolbar_texts(tab.toolbar.actions())
    assert not any(a.isEnabled() for a in preview.toolbar.actions() if not a.isSeparator())
    real_filters = (tab.kind_filter, tab.country_filter, tab.status_filter, tab.technology_filter)
    assert [c.itemText(0) for c in preview.filters] == [c.itemText(0) for c in real_filters]
    assert [preview.detail.tabText(i) for i in range(3)] == [tab.detail.tabText(i) for i in range(3)]
    assert preview.search.placeholderText() == tab.search.placeholderText()


def test_the_columns_are_as_wide_as_the_real_tabs(qtbot, gui_db: Database, fresh_settings: Settings) -> None:
    from kawaoffice.ui.widgets import record_tab

    assert (preview_module.MIN_WIDTH, preview_module.MAX_WIDTH, preview_module.FIT_ROWS) == (
        record_tab.MIN_AUTO_WIDTH,
        record_tab.MAX_AUTO_WIDTH,
        record_tab.FIT_ROWS,
    )
    _more_organizations(gui_db)
    tab = PartnersTab(gui_db.session)
    qtbot.addWidget(tab)
    tab.load()
    preview = PreviewWindow(_page(gui_db, "ja"), fresh_settings, "here")
    qtbot.addWidget(preview)
    widths = [preview.view.columnWidth(c) for c in range(5)]  # (the last one stretches)
    assert widths == [tab.view.columnWidth(c) for c in range(5)]


def test_the_sort_indicator_is_read_and_set_in_the_saved_state(qtbot) -> None:
    """The preview sets and reads the header's sort indicator in its saved state (``setSortIndicator`` takes a
    ``Qt.SortOrder``, which makes PySide build all its Qt enums before the window shows): the same bytes as Qt's."""
    from PySide6.QtWidgets import QTableView

    view = QTableView()
    qtbot.addWidget(view)
    from PySide6.QtGui import QStandardItemModel

    view.setModel(QStandardItemModel(2, 6, view))
    header = view.horizontalHeader()
    before = bytes(header.saveState().data())
    for section, order in ((1, Qt.SortOrder.AscendingOrder), (3, Qt.SortOrder.DescendingOrder)):
        header.setSortIndicator(section, order)
        state = bytes(header.saveState().data())
        assert preview_module.sort_indicator_of(state) == (section, order.value)
        assert preview_module.with_sort_indicator(before, section, order.value) == state
    assert preview_module.sort_indicator_of(b"\x00") is None


def test_showing_the_preview_builds_no_qt_enums(gui_db_url: str, tmp_path: Path) -> None:
    """PySide builds its ``Qt`` namespace (50-100 ms) on first use: the preview is shown without it."""
    code = (
        "import sys, time\n"
        "from kawaoffice import app\n"
        "real = app.show_preview\n"
        "def show(preview):\n"
        "    real(preview)\n"
        "    import PySide6.QtCore as core, PySide6.QtGui as gui, PySide6.QtWidgets as widgets\n"
        "    print('built' if 'Qt' in core.__dict__ else 'not built', flush=True)\n"
        "    print(sorted(n for n in ('QStyle', 'QMessageBox', 'QPainter', 'QEvent') if n in {**widgets.__dict__,"
        " **gui.__dict__, **core.__dict__}), flush=True)\n"
        "app.show_preview = show\n"
        f"startup = app.Startup(app.parse_args(['--database', {gui_db_url!r}, '--lang', 'ja']))\n"
        "startup.run()\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KAWAOFFICE_SETTINGS=str(tmp_path / "settings.json"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "not built"
    # nor the classes whose enums PySide builds when they are first named (QStyle's alone: ~15 ms)
    assert lines[1] == "[]"


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_measured_cell_margin_is_the_styles(
    qtbot, gui_db: Database, fresh_settings: Settings, language: str
) -> None:
    """The preview measures the delegate's margins instead of asking the style (as RecordTab does): the same."""
    from PySide6.QtGui import QFontMetricsF
    from PySide6.QtWidgets import QStyle

    _more_organizations(gui_db)
    preview = PreviewWindow(_page(gui_db, language), fresh_settings, "here")
    qtbot.addWidget(preview)
    view = preview.view
    expected = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1)
    assert preview.item_margin(QFontMetricsF(view.font())) == expected


def test_the_empty_detail_pane_looks_like_the_real_tabs(
    qtbot, gui_db: Database, fresh_settings: Settings
) -> None:
    """The preview's detail pages are bare scroll areas (no QTextBrowser class to set up before the window shows):
    pixel for pixel what the Partners tab's empty detail browsers look like."""
    from PySide6.QtWidgets import QTabWidget, QTextBrowser

    preview = PreviewWindow(_page(gui_db, "ja"), fresh_settings, "here")
    qtbot.addWidget(preview)
    real = QTabWidget()
    qtbot.addWidget(real)
    real.setDocumentMode(preview.detail.documentMode())
    for i in range(preview.detail.count()):
        real.addTab(QTextBrowser(real), preview.detail.tabText(i))
    for widget in (preview.detail, real):
        widget.setParent(None)
        widget.resize(420, 300)
        widget.show()
    qtbot.waitExposed(real)
    assert preview.detail.grab().toImage() == real.grab().toImage()
