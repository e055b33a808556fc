"""The connect dialog (test connection off the UI thread, password to the credential store and never to the
settings file), the File menu's restore from a backup, copy to a new shared database, and the network-share
warning."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox
from sqlalchemy import select
from sqlalchemy.engine import make_url

from kawaoffice.model.partners import Organization, OrganizationKind
from kawaoffice.services import partners
from kawaoffice.settings import Settings
from kawaoffice.storage import Database, open_database
from kawaoffice.storage.backup import daily_backup
from kawaoffice.storage.credentials import KEYRING_SERVICE, store_password
from kawaoffice.ui import main_window as main_window_module
from kawaoffice.ui.main_window import MainWindow
from kawaoffice.ui.widgets import database_dialogs
from kawaoffice.ui.widgets.connect_dialog import ConnectDialog
from kawaoffice.ui.widgets.database_dialogs import NetworkShareWarning, RestoreDialog, TransferReportDialog
from tests.pgserver import PostgresServer
from tests.storage.keyring_memory import MemoryKeyring, installed_memory_keyring

pytestmark = pytest.mark.gui


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    with installed_memory_keyring() as backend:
        yield backend


@pytest.fixture
def window(qtbot, gui_db: Database, fresh_settings: Settings) -> MainWindow:  # type: ignore[no-untyped-def]
    w = MainWindow(gui_db, fresh_settings, user_name="tanaka", live_refresh=False)
    qtbot.addWidget(w)
    w.show()
    return w


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []

    def fake(parent: object, title: str, message: str, *args: object, **kwargs: object) -> object:
        seen.append((title, message))
        return QMessageBox.StandardButton.Yes

    for name in ("information", "warning", "critical", "question"):
        monkeypatch.setattr(QMessageBox, name, fake)
    return seen


def test_dialog_builds_the_url_and_never_shows_it_with_the_password(qtbot, english: None) -> None:  # type: ignore[no-untyped-def]
    dialog = ConnectDialog()
    qtbot.addWidget(dialog)
    assert not dialog.ok_button.isEnabled()  # server, database and user are needed
    dialog.host.setText("db.office.local")
    dialog.port.setValue(5433)
    dialog.user.setText("kenji")
    qtbot.keyClicks(dialog.password, "p@ss word")
    dialog.ssl.setCurrentIndex(dialog.ssl.findData("require"))
    assert dialog.ok_button.isEnabled() and dialog.test_button.isEnabled()
    url = make_url(dialog.url())
    assert (url.host, url.port, url.database, url.username, url.password) == (
        "db.office.local", 5433, "kawaoffice", "kenji", "p@ss word",
    )  # fmt: skip
    assert url.query == {"sslmode": "require"}
    assert "p@ss" not in dialog.url_without_password()
    assert dialog.remember_password()


def test_dialog_fills_in_the_stored_password(qtbot, memory_keyring: MemoryKeyring) -> None:  # type: ignore[no-untyped-def]
    url = "postgresql+psycopg://kenji@db.office.local/kawaoffice?sslmode=verify-full"
    store_password(url, "from-keyring")
    dialog = ConnectDialog(current_url=url)
    qtbot.addWidget(dialog)
    assert dialog.password.text() == "from-keyring"
    assert dialog.port.value() == 5432
    assert dialog.ssl.currentData() == "verify-full"


@pytest.mark.postgres
def test_test_connection_runs_off_the_ui_thread(qtbot, pg_server: PostgresServer, english: None) -> None:  # type: ignore[no-untyped-def]
    pg_server.create_database("kawa_connect_test")
    dialog = ConnectDialog(current_url=pg_server.url("kawa_connect_test"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    if not dialog.test_button.isEnabled():  # still running (a fast machine may already have the answer)
        assert "Testing the connection" in dialog.result_label.text()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=10_000)
    assert "Connected to" in dialog.result_label.text()
    assert "empty" in dialog.result_label.text()

    dialog.port.setValue(1)
    dialog.test_connection()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=10_000)
    assert "refused" in dialog.result_label.text()
    assert "Traceback" not in dialog.result_label.text()


@pytest.mark.postgres
def test_connecting_keeps_the_password_in_the_keyring_only(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, pg_server: PostgresServer, memory_keyring: MemoryKeyring, boxes: list
) -> None:
    url = make_url(pg_server.create_database("kawa_connect_gui")).set(password="s3cret-pw")
    assert window.open_other_database(url.render_as_string(hide_password=False))
    assert not window.database.is_local
    assert window.database.engine.url.password == "s3cret-pw"
    key = f"kawa@127.0.0.1:{pg_server.port}/kawa_connect_gui"
    assert memory_keyring.entries == {(KEYRING_SERVICE, key): "s3cret-pw"}
    text = Settings.path().read_text(encoding="utf-8")
    assert "s3cret-pw" not in text
    assert Settings.load().shared_database_url.endswith("/kawa_connect_gui")
    assert "kawa_connect_gui @ 127.0.0.1" in window.status_text()
    assert "s3cret-pw" not in window.status_text() + window.windowTitle()
    # back to the local database from the File menu
    assert window.use_local_database()
    assert window.database.is_local
    assert Settings.load().database_url == ""


def test_restore_from_backup_through_the_file_menu(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, boxes: list, tmp_path: Path
) -> None:
    backup = daily_backup(window.database, today=date(2025, 4, 1))
    assert backup is not None
    with window.database.session() as s:
        partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja="バックアップ後の団体")
    window.refresh()
    assert window.tab("partners").model.rowCount() == 5

    shown: list[list[str]] = []

    def choose(self: RestoreDialog) -> int:
        shown.append([self.list.topLevelItem(i).text(3) for i in range(self.list.topLevelItemCount())])
        self.select_path(backup)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(database_dialogs.RestoreDialog, "exec", choose)
    assert window.restore_from_backup()
    assert backup.name in shown[0]
    assert "Replace the current database" in boxes[0][1] or "バックアップ" in boxes[0][1]  # asked first
    assert window.tab("partners").model.rowCount() == 4
    assert "saved to" in boxes[-1][1] or "保存" in boxes[-1][1]
    with window.database.session() as s:
        names = s.scalars(select(Organization.name_ja)).all()
    assert "バックアップ後の団体" not in names


def test_restore_dialog_lists_backups(qtbot, tmp_path: Path, english: None) -> None:  # type: ignore[no-untyped-def]
    from kawaoffice.storage.backup import list_backups

    for name in ("office-daily-20250301.sqlite3", "kawaoffice-20250304-080000.sqlite3"):
        (tmp_path / name).write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)
    dialog = RestoreDialog(list_backups(tmp_path), tmp_path / "office.sqlite3")
    qtbot.addWidget(dialog)
    assert dialog.list.topLevelItemCount() == 2
    assert dialog.list.topLevelItem(0).text(3) == "kawaoffice-20250304-080000.sqlite3"
    assert dialog.list.topLevelItem(0).text(1) == "Made by hand"
    assert dialog.chosen() is not None and dialog.ok_button.isEnabled()
    empty = RestoreDialog([], None)
    qtbot.addWidget(empty)
    assert not empty.ok_button.isEnabled()


def test_network_share_warning_once_per_file(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(main_window_module, "network_share_of", lambda path: "//fileserver/office (cifs)")
    texts: list[str] = []

    def answer(self: NetworkShareWarning) -> int:
        texts.append(self.text())
        self.dont_warn.setChecked(True)
        return 0

    monkeypatch.setattr(NetworkShareWarning, "exec", answer)
    assert window.check_network_share()
    assert "//fileserver/office (cifs)" in texts[0]
    assert str(window.database.sqlite_path) in Settings.load().ignored_share_warnings
    assert not window.check_network_share()  # not again for this file
    assert len(texts) == 1


@pytest.mark.postgres
def test_copy_local_data_to_a_new_shared_database(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, pg_server: PostgresServer, monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring, boxes: list,
) -> None:  # fmt: skip
    target = pg_server.create_database("kawa_copy_gui")

    def fill(self: ConnectDialog) -> int:
        self.set_url(target)
        self.password.setText("copy-pw")
        return QDialog.DialogCode.Accepted

    counts: list[dict[str, tuple[int, int]]] = []

    def report(self: TransferReportDialog) -> int:
        counts.append(
            {
                self.table.topLevelItem(i).text(0): (
                    self.table.topLevelItem(i).text(1),
                    self.table.topLevelItem(i).text(2),
                )
                for i in range(self.table.topLevelItemCount())
            }
        )
        return QDialog.DialogCode.Accepted  # "use the shared database from now on"

    monkeypatch.setattr(ConnectDialog, "exec", fill)
    monkeypatch.setattr(TransferReportDialog, "exec", report)
    assert window.copy_to_server()
    assert counts[0]["organizations"] == ("4", "4")
    assert not window.database.is_local
    assert window.tab("partners").model.rowCount() == 4
    shared = open_database(target, "tanaka")
    try:
        with shared.session() as s:
            assert len(s.scalars(select(Organization.id)).all()) == 4
    finally:
        shared.dispose()
    assert "copy-pw" not in Settings.path().read_text(encoding="utf-8")
