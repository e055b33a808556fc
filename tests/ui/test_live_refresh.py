"""Two app instances on one database: a record saved in one shows up in the other within 2 seconds (GUI test), on
PostgreSQL (LISTEN/NOTIFY) and on one SQLite file (polling); the other window's edit dialogs are told."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QVBoxLayout

from kawaoffice.model.partners import OrganizationKind
from kawaoffice.services import partners
from kawaoffice.settings import Settings
from kawaoffice.storage import open_database
from kawaoffice.ui.main_window import MainWindow
from kawaoffice.ui.widgets.live_refresh import change_hub, watch_record
from tests.pgserver import PostgresServer
from tests.services.test_overview import populate

pytestmark = pytest.mark.gui

DEADLINE_MS = 2000
_numbers = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'office.sqlite3'}"
    else:
        request.applymarker(pytest.mark.postgres)
        server: PostgresServer = request.getfixturevalue("pg_server")
        url = server.create_database(f"kawa_live_gui_{next(_numbers)}")
    db = open_database(url, "tester")
    with db.session() as s:
        populate(s)
    db.dispose()
    return url


@pytest.fixture
def two_windows(qtbot, shared_url: str, fresh_settings: Settings) -> Iterator[tuple[MainWindow, MainWindow]]:  # type: ignore[no-untyped-def]
    dbs = [open_database(shared_url, "aiko"), open_database(shared_url, "kenji")]
    windows = []
    for db, user in zip(dbs, ("aiko", "kenji"), strict=True):
        window = MainWindow(db, Settings(), user_name=user, poll_interval=0.25)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
    qtbot.waitUntil(lambda: all(w.live_mode for w in windows))
    # the watchers are up when they have read where the database stands
    qtbot.waitUntil(
        lambda: all(
            w._live is not None
            and w._live.watcher is not None
            and (w._live.watcher._last_id is not None or w._live.watcher._conn is not None)
            for w in windows
        ),
        timeout=5000,
    )
    yield windows[0], windows[1]
    for window in windows:
        window.close()
    for db in dbs:
        db.dispose()


def partner_names(window: MainWindow) -> list[str]:
    model = window.tab("partners").model
    return [str(model.data(model.index(r, 0), Qt.ItemDataRole.DisplayRole)) for r in range(model.rowCount())]


def test_a_partner_saved_in_one_window_appears_in_the_other(qtbot, two_windows) -> None:  # type: ignore[no-untyped-def]
    first, second = two_windows
    second.show_tab("partners")
    table = second.tab("partners")
    table.view.setCurrentIndex(table.model.index(1, 0))
    selected = table.current_id()
    assert "北九州ウォーター" not in partner_names(second)
    seen: list[tuple[str, int]] = []
    second.record_changed.connect(lambda t, i: seen.append((t, i)))
    own: list[tuple[str, int]] = []
    first.record_changed.connect(lambda t, i: own.append((t, i)))

    with first.database.session() as s:
        org = partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja="北九州ウォーター")
        org_id = org.id
    qtbot.waitUntil(lambda: "北九州ウォーター" in partner_names(second), timeout=DEADLINE_MS)
    assert ("organizations", org_id) in seen
    assert table.current_id() == selected  # the selection stayed on the same record
    assert "5" in second.status_text()  # the counts were refreshed too
    qtbot.wait(300)
    assert ("organizations", org_id) not in own  # the window that saved it is not told about its own save


def test_an_open_edit_dialog_is_told_its_record_changed(qtbot, two_windows, english) -> None:  # type: ignore[no-untyped-def]
    first, second = two_windows  # aiko (the first user) is admin; kenji may only read a shared database
    with first.database.session() as s:
        org = partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja="編集中の団体")
        org_id, version = org.id, org.version
    dialog = QDialog(second)
    QVBoxLayout(dialog)
    qtbot.addWidget(dialog)
    watch = watch_record(dialog, "organizations", org_id)
    other = watch_record(QDialog(second), "organizations", org_id + 1000)
    dialog.show()
    assert not watch.notice.isVisible()
    with first.database.session() as s:
        partners.update_organization(s, org_id, version, city="北九州市")
    qtbot.waitUntil(lambda: watch.notice.isVisible(), timeout=DEADLINE_MS)
    assert watch.changed and not other.changed
    assert "changed by someone else" in watch.notice.text()


def test_hub_announces_tables_too(qtbot, two_windows) -> None:  # type: ignore[no-untyped-def]
    first, _second = two_windows
    tables: list[frozenset[str]] = []
    change_hub().tables_changed.connect(tables.append)
    try:
        with first.database.session() as s:
            partners.create_organization(s, kind=OrganizationKind.COOPERATING, name_ja="ハブ確認")
        qtbot.waitUntil(lambda: any("organizations" in t for t in tables), timeout=DEADLINE_MS)
    finally:
        change_hub().tables_changed.disconnect(tables.append)
