"""The main window: the four area tabs, the File/View/Tools/Help menus and a status bar saying which database is open.

The window is given its :class:`~kawaoffice.storage.Database` by ``app.py`` (tests pass a test database); the tabs read
through :mod:`kawaoffice.services` with sessions from it.

Shared database (issue 7):
- File menu: connect to the shared PostgreSQL database, use the local one, copy local data to a new shared
  database, back up, restore from a backup.
- Live refresh: what other users save appears within 2 s: the visible tab reloads (keeping the selection), the
  other tabs reload when shown. ``record_changed(table, id)`` and ``tables_changed(frozenset)`` are emitted for
  other users' changes (also on ``live_refresh.change_hub()``); edit dialogs connect to them, e.g. with
  ``kawaoffice.ui.widgets.live_refresh.watch_record(dialog, "organizations", org_id)``.
- Connection loss: an offline banner with retries (1, 2, 4, 8, then every 10 s) and "Retry now"; when the server
  answers again the banner goes and the tab reloads. ``connection_changed(online)`` tells others.

Start-up (issue 10): a tab's module is imported and its widget built only when the tab is first shown (or asked
for with ``tab(key)``); until then the tab widget holds an empty page. The window opens on the remembered tab, so
only that tab's code is loaded at start. The status bar's record counts are read in a worker thread after the
window is shown at start (refreshes count at once, as before).
"""

from __future__ import annotations

import contextlib
import getpass
import importlib
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QObject, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from kawaoffice import APP_NAME, __version__, paths
from kawaoffice.i18n import N_, _
from kawaoffice.services import overview
from kawaoffice.settings import Settings
from kawaoffice.storage import (
    Database,
    DatabaseUnavailableError,
    StorageError,
    backup_database,
    database_info,
    default_sqlite_url,
    explain_connection_error,
    is_connection_error,
    normalize_url,
    open_database,
    restore_database,
)
from kawaoffice.storage.backup import list_backups, network_share_of
from kawaoffice.storage.credentials import password_of, store_password, without_password
from kawaoffice.ui.office_tools import OfficeTools, apply_role, register_user, role_text
from kawaoffice.ui.widgets.busy import run_busy
from kawaoffice.ui.widgets.database_dialogs import connection_text, database_kind
from kawaoffice.ui.widgets.format import format_number
from kawaoffice.ui.widgets.live_refresh import LiveRefresh, change_hub
from kawaoffice.ui.widgets.offline_banner import OfflineBanner
from kawaoffice.ui.widgets.record_tab import RecordTab

if TYPE_CHECKING:
    from kawaoffice.storage.notify import Change

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TabSpec:
    """A main-window tab, named without importing its module (imported when the tab is first shown)."""

    key: str
    title: str  # English msgid, the same as the tab class's ``title``
    module: str
    class_name: str

    def load_class(self) -> type[RecordTab]:
        cls = getattr(importlib.import_module(self.module), self.class_name)
        if not (isinstance(cls, type) and issubclass(cls, RecordTab)) or cls.key != self.key:
            raise TypeError(f"{self.module}.{self.class_name} is not the {self.key!r} tab")
        return cls


TAB_SPECS: tuple[TabSpec, ...] = (
    TabSpec("partners", N_("Partners"), "kawaoffice.ui.partners.tab", "PartnersTab"),
    TabSpec("projects", N_("Projects"), "kawaoffice.ui.projects.tab", "ProjectsTab"),
    TabSpec("dispatches", N_("Dispatches"), "kawaoffice.ui.dispatch.tab", "DispatchesTab"),
    TabSpec("visits", N_("Visits"), "kawaoffice.ui.tours.tab", "VisitsTab"),
)
TAB_KEYS: tuple[str, ...] = tuple(spec.key for spec in TAB_SPECS)
DEFAULT_SIZE = (1280, 780)

# Language names are shown in their own language, as language menus do.
LANGUAGE_CHOICES = (("ja", "日本語"), ("en", "English"))


def _to_base64(data: QByteArray) -> str:
    return bytes(data.toBase64().data()).decode("ascii")


def _from_base64(text: str) -> QByteArray:
    return QByteArray.fromBase64(text.encode("ascii"))


class _PingResult(QObject):
    done = Signal(bool, str)  # answered, translated reason


class _CountsResult(QObject):
    done = Signal(object, object)  # the database counted, its counts (dict) or the exception


class MainWindow(QMainWindow):
    record_changed = Signal(str, int)  # a record another user saved: table name, id
    tables_changed = Signal(object)  # frozenset of the tables another user changed
    connection_changed = Signal(bool)  # False: the database cannot be reached (banner shown); True: back

    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        user_name: str = "",
        open_database_func: Callable[[str, str], Database] | None = None,
        live_refresh: bool = True,
        poll_interval: float = 1.0,
        initial_tab: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``initial_tab``: the tab to open on (``--tab``) instead of the remembered one; only that tab is built
        and loaded at start."""
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.database = database
        self.settings = settings
        self.user_name = user_name or settings.user_name or getpass.getuser()
        self._open_database = open_database_func or (lambda url, user: open_database(url, user))
        self._live_enabled = live_refresh
        self._poll_interval = poll_interval
        self._live: LiveRefresh | None = None
        self._stale: set[str] = set()
        self._ping_thread: threading.Thread | None = None
        self._ping_result = _PingResult(self)
        self._ping_result.done.connect(self._on_ping)
        self._counts_result = _CountsResult(self)
        self._counts_result.done.connect(self._on_counts)
        self._counts_thread: threading.Thread | None = None

        self.banner = OfflineBanner(self)
        self.banner.retry.connect(self.retry_connection)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("tabs")
        self.tabs.setDocumentMode(True)
        self._tabs: dict[str, RecordTab] = {}  # the tabs built so far (see tab())
        self._pages: dict[str, QWidget] = {}  # key -> the tab widget's page, which holds the tab once built
        self._loaded: set[str] = set()
        for spec in TAB_SPECS:
            page = QWidget(self.tabs)
            page.setObjectName(f"page_{spec.key}")
            page_layout = QVBoxLayout(page)
            page_layout.setContentsMargins(0, 0, 0, 0)
            self._pages[spec.key] = page
            self.tabs.addTab(page, _(spec.title))
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.tools = OfficeTools(self, self._session, settings, lambda: self.tab(self.current_tab_key()))
        self.role = register_user(self._session, self.user_name)

        self._build_menus()
        self._build_status_bar()
        self._restore_state(initial_tab)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self._on_tab_changed(self.tabs.currentIndex())
        self._update_status(count=False)
        self._count_in_background()
        self.start_live_refresh()

    # --- database -----------------------------------------------------------------------------------------------

    def _session(self) -> AbstractContextManager[Session]:
        return self.database.session()

    def tab(self, key: str) -> RecordTab:
        """The tab ``key``, built now (its module imported, its saved state and the user's role applied) when it
        was not yet; it is loaded when it is first shown."""
        tab = self._tabs.get(key)
        if tab is None:
            tab = self._build_tab(key)
        return tab

    @property
    def built_tabs(self) -> Mapping[str, RecordTab]:
        """The tabs built so far (the others have not been shown or asked for)."""
        return dict(self._tabs)

    def _build_tab(self, key: str) -> RecordTab:
        spec = next(s for s in TAB_SPECS if s.key == key)
        page = self._pages[key]
        tab = spec.load_class()(self._session, page)
        layout = page.layout()
        assert layout is not None
        layout.addWidget(tab)
        tab.show()  # shown with its page (a child added to a visible page would wait for the event loop)
        self._tabs[key] = tab
        self._restore_tab_state(key, tab)
        tab.apply_role(self.role)
        return tab

    def current_tab_key(self) -> str:
        page = self.tabs.currentWidget()
        for key, candidate in self._pages.items():
            if candidate is page:
                return key
        return TAB_KEYS[0]

    def show_tab(self, key: str) -> None:
        self.tabs.setCurrentWidget(self._pages[key])

    def _on_tab_changed(self, index: int) -> None:
        page = self.tabs.widget(index)
        key = next((k for k, p in self._pages.items() if p is page), None)
        if key is None:
            return
        widget = self.tab(key)
        if widget.key not in self._loaded:
            self._loaded.add(widget.key)
            self._stale.discard(widget.key)
            with self._guard():
                widget.load()
        elif widget.key in self._stale and not self.offline:
            self.reload_tab(widget.key)

    def refresh(self) -> None:
        """Reload the tabs already shown and the status bar counts (F5)."""
        with self._guard():
            for key in list(self._loaded):
                self.reload_tab(key)
        self._update_status()

    def reload_tab(self, key: str) -> None:
        """Reload one tab, keeping the selected record selected (when it is still there)."""
        tab = self._tabs[key]
        selected = tab.current_id()
        tab.reload()
        self._stale.discard(key)
        if selected is None or tab.current_id() == selected:
            return
        model = tab.model
        for row in range(model.rowCount()):
            if model.id_at(row) == selected:
                tab.view.setCurrentIndex(model.index(row, max(tab.view.currentIndex().column(), 0)))
                break

    # --- live refresh and connection loss -------------------------------------------------------------------------

    def start_live_refresh(self) -> None:
        if not self._live_enabled or self._live is not None:
            return
        self._live = LiveRefresh(self.database, self, interval=self._poll_interval)
        self._live.changed.connect(self._on_database_changed)
        self._live.status_changed.connect(self._on_watch_status)
        self._live.start()

    def stop_live_refresh(self) -> None:
        live, self._live = self._live, None
        if live is not None:
            live.stop()
            live.deleteLater()

    @property
    def live_mode(self) -> str:
        """``"listen"`` (PostgreSQL NOTIFY), ``"poll"`` or ``""`` (off)."""
        return self._live.mode if self._live is not None else ""

    def _on_database_changed(self, change: Change) -> None:
        """Someone else committed: reload the visible tab now, the others when they are shown."""
        if self.offline:
            return
        if change.tables or change.resync:
            self._stale.update(self._loaded)
            current = self.current_tab_key()
            with self._guard():
                if current in self._loaded:
                    self.reload_tab(current)
            self._update_status()
        if change.tables:
            self.tables_changed.emit(frozenset(change.tables))
        for table, row_id in sorted(change.records):
            self.record_changed.emit(table, row_id)
        change_hub().announce(change)

    def _on_watch_status(self, online: bool, reason: str) -> None:
        if online:
            if self.offline:
                self._back_online()
        else:
            self.connection_lost(reason)

    @property
    def offline(self) -> bool:
        return self.banner.offline

    def connection_lost(self, reason: str = "") -> None:
        """Show the offline banner (the retries start); unsaved edits in open dialogs stay where they are."""
        was_offline = self.offline
        self.banner.show_offline(reason)
        if not was_offline:
            log.warning("database %s unreachable: %s", self.database.display_name, reason)
            self._update_status()
            self.connection_changed.emit(False)

    def handle_error(self, exc: BaseException) -> bool:
        """``True`` when ``exc`` means the database cannot be reached (the banner is then shown)."""
        if isinstance(exc, DatabaseUnavailableError) or (
            isinstance(exc, DBAPIError) and is_connection_error(exc)
        ):
            reason = (
                exc.detail if isinstance(exc, DatabaseUnavailableError) else explain_connection_error(exc)
            )
            self.connection_lost(reason)
            return True
        return False

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Run a read of the window's own (loading tabs, counting) so that a lost connection shows the banner
        instead of an error."""
        try:
            yield
        except (DatabaseUnavailableError, DBAPIError) as exc:
            if not self.handle_error(exc):
                raise

    def retry_connection(self) -> None:
        """Check (off the UI thread) whether the database answers again."""
        if self._ping_thread is not None and self._ping_thread.is_alive():
            return
        self.banner.checking()
        if self._live is not None:
            self._live.retry_now()
        db, result = self.database, self._ping_result

        def ping() -> None:
            try:
                db.ping()
            except DatabaseUnavailableError as exc:
                outcome = (False, exc.detail)
            except Exception as exc:  # anything else: still not usable
                outcome = (False, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            else:
                outcome = (True, "")
            with contextlib.suppress(RuntimeError):  # the window is gone
                result.done.emit(*outcome)

        self._ping_thread = threading.Thread(target=ping, name="kawaoffice-retry", daemon=True)
        self._ping_thread.start()

    def _on_ping(self, answered: bool, reason: str) -> None:
        self._ping_thread = None
        if not self.offline:
            return
        if answered:
            self._back_online()
        else:
            self.banner.retry_failed(reason)

    def _back_online(self) -> None:
        log.info("database %s answers again", self.database.display_name)
        self.banner.hide_online()
        self._stale.update(self._loaded)
        with self._guard():
            current = self.current_tab_key()
            if current in self._loaded:
                self.reload_tab(current)
        self._update_status()
        if not self.offline:
            self.connection_changed.emit(True)

    # --- menus --------------------------------------------------------------------------------------------------

    def _action(self, text: str, slot: Callable[[], object], shortcut: str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(_("&File"))
        file_menu.addAction(self._action(_("Database &information..."), self.show_database_info))
        file_menu.addSeparator()
        self.connect_action = self._action(_("&Connect to shared database..."), self.connect_to_server)
        self.local_action = self._action(_("Use &local database"), self.use_local_database)
        self.copy_action = self._action(
            _("Co&py local data to a new shared database..."), self.copy_to_server
        )
        for action in (self.connect_action, self.local_action, self.copy_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self._action(_("&Back up database..."), self.back_up))
        self.restore_action = self._action(_("&Restore from backup..."), self.restore_from_backup)
        file_menu.addAction(self.restore_action)
        file_menu.addSeparator()
        quit_action = self._action(_("&Quit"), self.close, "Ctrl+Q")
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu.addAction(quit_action)

        view_menu = bar.addMenu(_("&View"))
        view_menu.addAction(self._action(_("&Refresh"), self.refresh, "F5"))
        view_menu.addSeparator()
        for number, spec in enumerate(TAB_SPECS, start=1):
            view_menu.addAction(
                self._action(_(spec.title), partial(self.show_tab, spec.key), f"Ctrl+{number}")
            )
        view_menu.addSeparator()
        language_menu = view_menu.addMenu(_("&Language"))
        group = QActionGroup(self)
        group.setExclusive(True)
        choices = [("", _("System default")), *LANGUAGE_CHOICES]
        for code, name in choices:
            action = QAction(name, self)
            action.setCheckable(True)
            action.setChecked(self.settings.language == code)
            action.setData(code)
            action.triggered.connect(lambda _checked=False, c=code: self.choose_language(c))
            group.addAction(action)
            language_menu.addAction(action)

        self.tools.build_menu(bar.addMenu(_("&Tools")))

        help_menu = bar.addMenu(_("&Help"))
        help_menu.addAction(self._action(_("Open &log folder"), self.open_log_folder))
        about = self._action(_("&About KawaOffice"), self.show_about)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        help_menu.addAction(about)

    def _build_status_bar(self) -> None:
        self._db_label = QLabel(self)
        self._db_label.setObjectName("status_database")
        self._user_label = QLabel(self)
        self._user_label.setObjectName("status_user")
        self._counts_label = QLabel(self)
        self._counts_label.setObjectName("status_counts")
        self._offline_label = QLabel(self)
        self._offline_label.setObjectName("status_offline")
        self._offline_label.setStyleSheet("QLabel { color: #a4000f; font-weight: bold; }")
        for label in (self._db_label, self._user_label, self._counts_label, self._offline_label):
            label.setContentsMargins(6, 0, 6, 0)
        status = self.statusBar()
        status.addWidget(self._db_label)
        status.addWidget(self._user_label)
        status.addWidget(self._offline_label)
        status.addPermanentWidget(self._counts_label)

    def _update_status(self, *, count: bool = True) -> None:
        self._db_label.setText(connection_text(self.database))
        self._db_label.setToolTip(self.database.display_name)
        user = _("User: {name} ({role})").format(name=self.user_name, role=role_text(self.role))
        login = self.database.user_name
        if login and login != self.user_name:
            user = _("{user}, database login {login}").format(user=user, login=login)
        self._user_label.setText(user)
        self._offline_label.setText(_("Offline") if self.offline else "")
        self._offline_label.setVisible(self.offline)
        self.setWindowTitle(
            _("{app} — {kind}: {location}").format(
                app=APP_NAME, kind=database_kind(self.database), location=self.database.display_name
            )
        )
        if self.offline:
            self._counts_label.setText("")
            return
        if not count:
            return
        try:
            with self._session() as session:
                counts = overview.record_counts(session)
        except Exception as exc:
            self._show_counts(exc)
        else:
            self._show_counts(counts)

    def _show_counts(self, counts: dict[str, int] | BaseException) -> None:
        if isinstance(counts, BaseException):
            self._counts_label.setText("")
            if not isinstance(counts, (DatabaseUnavailableError, DBAPIError)) or not self.handle_error(
                counts
            ):
                # the status bar must never stop the window; the error is in the log
                log.error("could not count records", exc_info=counts)
            return
        self._counts_label.setText(
            _("Partners {partners} · Projects {projects} · Dispatches {dispatches} · Visits {visits}").format(
                **{k: format_number(v) for k, v in counts.items()}
            )
        )

    def _count_in_background(self) -> None:
        """The status bar's counts at start, read in a worker thread with its own session: the window is shown
        and usable meanwhile (on a large shared database the counts take a while)."""
        if self.offline or (self._counts_thread is not None and self._counts_thread.is_alive()):
            return
        db, result = self.database, self._counts_result

        def count() -> None:
            outcome: dict[str, int] | BaseException
            try:
                with db.session() as session:
                    outcome = overview.record_counts(session)
            except Exception as exc:
                outcome = exc
            with contextlib.suppress(RuntimeError):  # the window is gone
                result.done.emit(db, outcome)

        self._counts_thread = threading.Thread(target=count, name="kawaoffice-counts", daemon=True)
        self._counts_thread.start()

    def _on_counts(self, database: object, counts: object) -> None:
        self._counts_thread = None
        if database is not self.database or self.offline:
            return  # counted the database the window showed before a switch
        assert isinstance(counts, (dict, BaseException))
        self._show_counts(counts)

    def wait_for_counts(self, timeout: float = 10.0) -> None:
        """For tests and benchmarks: wait until the start-up counts are read (their signal is still queued)."""
        thread = self._counts_thread
        if thread is not None:
            thread.join(timeout)

    def status_text(self) -> str:
        """What the status bar shows, for tests and the log."""
        labels = (self._db_label, self._user_label, self._offline_label, self._counts_label)
        return " | ".join(lbl.text() for lbl in labels if lbl.text())

    # --- File menu ----------------------------------------------------------------------------------------------

    def show_database_info(self) -> None:
        from kawaoffice.ui.widgets.database_dialogs import DatabaseInfoDialog

        with self._session() as session:
            counts = overview.record_counts(session)
        revision: str | None = None
        size: int | None = None
        try:
            info = database_info(self.database)
            revision, size = info.revision, info.size_bytes
        except Exception:
            log.exception("could not read the database information")
        DatabaseInfoDialog(self.database, counts, revision, size, self).exec()

    def connect_to_server(self) -> bool:
        """File > Connect to shared database...: the connect dialog, then open the server's database."""
        from kawaoffice.ui.widgets.connect_dialog import ConnectDialog

        current = self.settings.shared_database_url
        if not current and not self.database.is_local:
            current = self.database.url
        dialog = ConnectDialog(self, current_url=current)
        if dialog.exec() != ConnectDialog.DialogCode.Accepted:
            return False
        return self.open_other_database(dialog.url(), remember=dialog.remember_password())

    def use_local_database(self) -> bool:
        """File > Use local database: the local SQLite file on this PC."""
        if self.database.is_local and self.database.url == normalize_url(default_sqlite_url()):
            QMessageBox.information(self, _("Use local database"), _("The local database is already open."))
            return False
        return self.open_other_database("")

    def open_other_database(self, url: str, *, remember: bool = True) -> bool:
        """Open ``url`` (``""`` = the local default), remember the choice in the settings (never the password: that
        goes to the credential store when ``remember``) and show its data."""
        target = normalize_url(url) if url else default_sqlite_url()
        try:
            new_db = run_busy(
                self, _("Opening the database..."), lambda: self._open_database(target, self.user_name)
            )
        except StorageError as exc:
            QMessageBox.warning(self, _("Switch database"), exc.message)
            return False
        password = password_of(target)
        if password and remember:
            store_password(target, password)
        stored = without_password(target) if url else ""
        self.settings.database_url = stored
        if stored and not new_db.is_local:
            self.settings.shared_database_url = stored
        self.settings.save()
        self._use_database(new_db)
        log.info("switched to database %s", new_db.display_name)
        self.check_network_share()
        return True

    def _use_database(self, new_db: Database) -> None:
        self.stop_live_refresh()
        self.wait_for_counts()  # the start-up count must not hold a connection of the database disposed here
        old, self.database = self.database, new_db
        if old is not new_db:
            old.dispose()
        self.banner.hide_online()
        self.tools.forget_windows()
        self.role = register_user(self._session, self.user_name)
        apply_role(self.built_tabs, self.role)
        self.refresh()
        self.start_live_refresh()

    def check_network_share(self) -> bool:
        """Warn when the local database file is on a network share; ``True`` when the warning was shown."""
        path = self.database.sqlite_path
        if path is None or str(path) in self.settings.ignored_share_warnings:
            return False
        share = network_share_of(path)
        if share is None:
            return False
        log.warning("database file %s is on a network share (%s)", path, share)
        from kawaoffice.ui.widgets.database_dialogs import NetworkShareWarning

        box = NetworkShareWarning(path, share, self)
        box.exec()
        if box.dont_warn.isChecked():
            self.settings.ignored_share_warnings = [*self.settings.ignored_share_warnings, str(path)]
            self.settings.save()
        if box.wants_server():
            self.connect_to_server()
        return True

    def copy_to_server(self) -> bool:
        """File > Copy local data to a new shared database...: name the new, empty server database, copy, show
        the counts and offer to switch to it."""
        from kawaoffice.storage.transfer import copy_to_new_database
        from kawaoffice.ui.widgets.connect_dialog import ConnectDialog
        from kawaoffice.ui.widgets.database_dialogs import TransferReportDialog

        if not self.database.is_local:
            QMessageBox.information(
                self,
                _("Copy local data to a new shared database"),
                _("The shared database is already open. Open the local database first to copy its data."),
            )
            return False
        dialog = ConnectDialog(
            self,
            current_url=self.settings.shared_database_url,
            title=_("Copy local data to a new shared database"),
            accept_text=_("&Copy"),
            intro=_(
                "All records of the local database are copied into a new, empty database on the PostgreSQL "
                "server (ask its administrator to create it). The local database stays as it is."
            ),
        )
        if dialog.exec() != ConnectDialog.DialogCode.Accepted:
            return False
        url, source = dialog.url(), self.database
        try:
            report = run_busy(
                self,
                _("Copying the local data to the shared database..."),
                lambda: copy_to_new_database(source, url),
            )
        except StorageError as exc:
            QMessageBox.warning(self, _("Copy local data to a new shared database"), exc.message)
            return False
        if dialog.remember_password():
            store_password(url, dialog.password.text())
        self.settings.shared_database_url = dialog.url_without_password()
        self.settings.save()
        if TransferReportDialog(report, self).exec() == TransferReportDialog.DialogCode.Accepted:
            self.open_other_database(url, remember=dialog.remember_password())
        return True

    def restore_from_backup(self) -> bool:
        """File > Restore from backup...: choose a backup, confirm, save the current file, restore, reopen."""
        if not self.database.is_local:
            QMessageBox.information(
                self,
                _("Restore from backup"),
                _(
                    "The shared database is restored on the server by its administrator (pg_restore). "
                    "Restoring from the File menu is for the local database."
                ),
            )
            return False
        from kawaoffice.ui.widgets.database_dialogs import RestoreDialog

        dialog = RestoreDialog(list_backups(), self.database.sqlite_path, self)
        if dialog.exec() != RestoreDialog.DialogCode.Accepted or dialog.chosen() is None:
            return False
        chosen = dialog.chosen()
        assert chosen is not None
        return self.restore_backup(chosen.path)

    def restore_backup(self, src: Path, *, confirm: bool = True) -> bool:
        if confirm:
            answer = QMessageBox.question(
                self,
                _("Restore from backup"),
                _(
                    "Replace the current database with the backup {name}? Changes made since that backup are "
                    "replaced; the current database is saved to the backup folder first."
                ).format(name=src.name),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        url = self.database.url
        self.stop_live_refresh()
        self.wait_for_counts()
        self.database.dispose()
        try:
            safety = run_busy(self, _("Restoring the backup..."), lambda: restore_database(url, src))
            new_db = run_busy(
                self, _("Opening the database..."), lambda: self._open_database(url, self.user_name)
            )
        except StorageError as exc:
            QMessageBox.warning(self, _("Restore from backup"), exc.message)
            self.refresh()
            self.start_live_refresh()
            return False
        self._use_database(new_db)
        log.info("restored %s from %s (previous file saved to %s)", url, src, safety)
        message = _("The database was restored from {name}.").format(name=src.name)
        if safety is not None:
            message += "\n" + _("The replaced database was saved to {path}.").format(path=str(safety))
        QMessageBox.information(self, _("Restore from backup"), message)
        return True

    def default_backup_path(self) -> Path:
        suffix = ".sqlite3" if self.database.is_local else ".sql"
        return paths.backups_dir() / f"kawaoffice-{datetime.now():%Y%m%d-%H%M%S}{suffix}"

    def back_up(self) -> None:
        default = self.default_backup_path()
        default.parent.mkdir(parents=True, exist_ok=True)
        chosen, _filter = QFileDialog.getSaveFileName(self, _("Back up database"), str(default))
        if chosen:
            self.back_up_to(Path(chosen))

    def back_up_to(self, dest: Path) -> Path | None:
        """Back the database up to ``dest`` off the UI thread; tell the user where it went or why it failed."""
        db = self.database
        try:
            result = run_busy(self, _("Backing up the database..."), lambda: backup_database(db, dest))
        except StorageError as exc:
            QMessageBox.warning(self, _("Back up database"), exc.message)
            return None
        except OSError as exc:
            QMessageBox.warning(
                self, _("Back up database"), _("The backup could not be written: {error}").format(error=exc)
            )
            return None
        self.settings.last_backup_date = date.today().isoformat()
        self.settings.save()
        log.info("database backed up to %s", result)
        QMessageBox.information(
            self, _("Back up database"), _("The database was backed up to {path}.").format(path=result)
        )
        return result

    # --- View and Help menus ------------------------------------------------------------------------------------

    def choose_language(self, code: str) -> None:
        self.settings.language = code
        self.settings.save()
        QMessageBox.information(
            self, _("Language"), _("The new language will be used when KawaOffice is started again.")
        )

    def open_log_folder(self) -> None:
        folder = paths.user_log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            _("About KawaOffice"),
            _(
                "KawaOffice {version}\n\nPartners, projects, staff dispatches and visitor tours of the "
                "international program office.\n\nFonts: IPAex Gothic and IPAex Mincho (IPA Font License v1.0)."
            ).format(version=__version__),
        )

    # --- remembered geometry ------------------------------------------------------------------------------------

    def _restore_state(self, initial_tab: str | None = None) -> None:
        restored = False
        if self.settings.window_geometry:
            restored = self.restoreGeometry(_from_base64(self.settings.window_geometry))
        if not restored:
            self.resize(*DEFAULT_SIZE)
        if self.settings.window_state:
            self.restoreState(_from_base64(self.settings.window_state))
        first = initial_tab if initial_tab in self._pages else self.settings.last_tab
        if first in self._pages:
            self.tabs.setCurrentWidget(self._pages[first])

    def _restore_tab_state(self, key: str, tab: RecordTab) -> None:
        """Apply the tab's saved column layout and its own state (when it is built)."""
        tab.restore_header_state(self.settings.table_states.get(key, ""))
        state = self.settings.tab_states.get(key)
        if isinstance(state, dict):
            try:
                tab.restore_state(state)
            except (KeyError, TypeError, ValueError):  # a state from another version: start fresh
                log.warning("could not restore the %s tab's state", key, exc_info=True)

    def save_state(self) -> None:
        self.settings.window_geometry = _to_base64(self.saveGeometry())
        self.settings.window_state = _to_base64(self.saveState())
        self.settings.last_tab = self.current_tab_key()
        # a tab never built this time keeps what it saved last time
        table_states = dict(self.settings.table_states)
        tab_states = dict(self.settings.tab_states)
        for key, tab in self._tabs.items():
            table_states[key] = tab.header_state()
            tab_states[key] = tab.save_state()
        self.settings.table_states = table_states
        self.settings.tab_states = tab_states
        self.settings.save()

    def closeEvent(self, event: QCloseEvent) -> None:
        try:
            self.save_state()
        except OSError:
            log.exception("could not save the window state")
        self.stop_live_refresh()
        self.wait_for_counts()  # the caller may dispose of the database next
        super().closeEvent(event)
