"""Connection loss with a real PostgreSQL server that this test stops and starts again (its own server, so the
shared one is not disturbed): the offline banner shows, the app does not crash, a failed save keeps nothing half
written; when the server is back the banner goes, the tab reloads and the data is intact."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from kawaoffice.model.partners import Organization, OrganizationKind
from kawaoffice.services import partners
from kawaoffice.settings import Settings
from kawaoffice.storage import ConnectionLostError, Database, DatabaseUnavailableError, open_database
from kawaoffice.ui.main_window import MainWindow
from kawaoffice.ui.widgets.offline_banner import OfflineBanner, retry_delays
from tests.pgserver import PostgresServer, find_pg_bindir
from tests.services.test_overview import populate

pytestmark = [pytest.mark.gui, pytest.mark.postgres]


class RestartableServer(PostgresServer):
    """The test server plus ``pause()`` (pg_ctl stop -m fast: sessions are told the server shuts down) and
    ``resume()`` on the same data folder and port."""

    def _ctl(self, *args: str) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), *args)

    def pause(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")

    def resume(self) -> None:
        opts = (
            f"-p {self.port} -k {self.sockdir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._ctl("-o", opts, "-l", str(self.logfile), "-w", "-t", "60", "start")


@pytest.fixture(scope="module")
def own_server() -> Iterator[RestartableServer]:
    bindir = find_pg_bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries installed (initdb/pg_ctl not found)")
    server = RestartableServer(bindir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def server_db(own_server: RestartableServer) -> Iterator[Database]:
    url = own_server.create_database("kawa_offline")
    db = open_database(url, "tester")
    with db.session() as s:
        populate(s)
    yield db
    db.dispose()


def names(window: MainWindow) -> list[str]:
    model = window.tab("partners").model
    return [str(model.data(model.index(r, 0), Qt.ItemDataRole.DisplayRole)) for r in range(model.rowCount())]


def test_server_stopped_and_started_again(  # type: ignore[no-untyped-def]
    qtbot, own_server: RestartableServer, server_db: Database, fresh_settings: Settings, english: None
) -> None:
    window = MainWindow(server_db, fresh_settings, user_name="tester", poll_interval=0.25)
    qtbot.addWidget(window)
    window.show()
    window.show_tab("partners")
    qtbot.waitUntil(lambda: window.live_mode == "listen")
    before = names(window)
    assert len(before) == 4
    # the partner tab builds its search index on a worker a moment after loading; let it finish first (a worker
    # that loses the connection is the partners tab's own business, see the report)
    window.tab("partners").model.wait_for_index()  # type: ignore[attr-defined]
    try:
        own_server.pause()
        qtbot.waitUntil(lambda: window.offline, timeout=10_000)
        banner = window.findChild(OfflineBanner, "offline_banner")
        assert banner is not None and banner.isVisible()
        assert "Connection to the shared database lost" in banner.headline.text()
        assert "unsaved changes are kept" in banner.headline.text()
        assert "Offline" in window.status_text()
        assert names(window) == before  # the table still shows what it had

        # a save while the server is down: a translated error, nothing half written
        with pytest.raises((ConnectionLostError, DatabaseUnavailableError)) as info, server_db.session() as s:
            partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja="オフライン中の保存")
        assert "Traceback" not in info.value.message
        assert window.handle_error(info.value)  # what the excepthook does with it: the banner, no crash

        # the retries keep failing meanwhile, without blocking the window
        window.retry_connection()
        qtbot.waitUntil(lambda: banner.retry_button.isEnabled(), timeout=10_000)
        assert window.offline
        assert banner.attempt >= 1
        assert "Next try in" in banner.detail.text()
    finally:
        own_server.resume()
    qtbot.mouseClick(banner.retry_button, Qt.MouseButton.LeftButton)  # "Retry now"
    qtbot.waitUntil(lambda: not window.offline, timeout=15_000)
    window.tab("partners").model.wait_for_index()  # type: ignore[attr-defined]
    assert not banner.isVisible()
    assert "Offline" not in window.status_text()
    assert names(window) == before
    with server_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Organization)) == 4  # data intact, no half record
        partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja="復旧後の保存")
    with server_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Organization)) == 5
    window.close()


def test_retry_delays_back_off_to_ten_seconds() -> None:
    assert retry_delays() == [1, 2, 4, 8, 10]


def test_banner_schedule(qtbot) -> None:  # type: ignore[no-untyped-def]
    banner = OfflineBanner()
    qtbot.addWidget(banner)
    assert not banner.offline
    retries: list[int] = []
    banner.retry.connect(lambda: retries.append(1))
    banner.show_offline("The server refused the connection.")
    assert banner.offline and banner.next_delay() == 1
    qtbot.waitUntil(lambda: retries == [1], timeout=3000)
    banner.checking()
    assert not banner.retry_button.isEnabled()
    banner.retry_failed()
    assert banner.next_delay() == 2 and banner.retry_button.isEnabled()
    banner.hide_online()
    assert not banner.offline


def test_excepthook_turns_a_lost_connection_into_the_banner(  # type: ignore[no-untyped-def]
    qtbot,
    gui_db: Database,
    fresh_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    english: None,
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from kawaoffice import app

    window = MainWindow(gui_db, fresh_settings, user_name="tester", live_refresh=False)
    qtbot.addWidget(window)
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: told.append(text))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: told.append("crash dialog"))
    hook = app.make_excepthook(tmp_path / "kawaoffice.log", window)
    error = ConnectionLostError("kawa@server/kawaoffice", "The connection was broken.")
    hook(type(error), error, None)  # e.g. a tab reading in the background: the banner says it all
    assert window.offline
    assert told == []
    # a save from an open edit dialog: the dialog stays open and the user is told nothing was saved
    from PySide6.QtWidgets import QApplication

    monkeypatch.setattr(QApplication, "activeModalWidget", staticmethod(lambda: window))
    hook(type(error), error, None)
    assert len(told) == 1 and "nothing was saved" in told[0]
    window.banner.hide_online()
