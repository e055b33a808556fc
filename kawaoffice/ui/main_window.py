"""The main window: the four area tabs, the File/View/Help menus and a status bar saying which database is open.

The window is given its :class:`~kawaoffice.storage.Database` by ``app.py`` (tests pass a test database); the tabs read
through :mod:`kawaoffice.services` with sessions from it.
"""

from __future__ import annotations

import getpass
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import QByteArray, QUrl
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMessageBox, QTabWidget, QWidget
from sqlalchemy.orm import Session

from kawaoffice import APP_NAME, __version__, paths
from kawaoffice.i18n import _
from kawaoffice.services import overview
from kawaoffice.settings import Settings
from kawaoffice.storage import (
    Database,
    StorageError,
    backup_database,
    database_info,
    default_sqlite_url,
    normalize_url,
    open_database,
)
from kawaoffice.ui.dispatch.tab import DispatchesTab
from kawaoffice.ui.office_tools import OfficeTools, apply_role, register_user, role_text
from kawaoffice.ui.partners.tab import PartnersTab
from kawaoffice.ui.projects.tab import ProjectsTab
from kawaoffice.ui.tours.tab import VisitsTab
from kawaoffice.ui.widgets.busy import run_busy
from kawaoffice.ui.widgets.credentials import remember_password, split_password
from kawaoffice.ui.widgets.database_dialogs import DatabaseInfoDialog, SwitchDatabaseDialog, database_kind
from kawaoffice.ui.widgets.format import format_number
from kawaoffice.ui.widgets.record_tab import RecordTab

log = logging.getLogger(__name__)

TAB_CLASSES: tuple[type[RecordTab], ...] = (PartnersTab, ProjectsTab, DispatchesTab, VisitsTab)
TAB_KEYS: tuple[str, ...] = tuple(cls.key for cls in TAB_CLASSES)
DEFAULT_SIZE = (1280, 780)

# Language names are shown in their own language, as language menus do.
LANGUAGE_CHOICES = (("ja", "日本語"), ("en", "English"))


def _to_base64(data: QByteArray) -> str:
    return bytes(data.toBase64().data()).decode("ascii")


def _from_base64(text: str) -> QByteArray:
    return QByteArray.fromBase64(text.encode("ascii"))


class MainWindow(QMainWindow):
    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        user_name: str = "",
        open_database_func: Callable[[str, str], Database] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.database = database
        self.settings = settings
        self.user_name = user_name or settings.user_name or getpass.getuser()
        self._open_database = open_database_func or (lambda url, user: open_database(url, user))

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("tabs")
        self.tabs.setDocumentMode(True)
        self._tabs: dict[str, RecordTab] = {}
        self._loaded: set[str] = set()
        for cls in TAB_CLASSES:
            tab = cls(self._session, self.tabs)
            self._tabs[cls.key] = tab
            self.tabs.addTab(tab, _(cls.title))
        self.setCentralWidget(self.tabs)
        self.tools = OfficeTools(self, self._session, settings, lambda: self._tabs[self.current_tab_key()])
        self.role = register_user(self._session, self.user_name)
        apply_role(self._tabs, self.role)

        self._build_menus()
        self._build_status_bar()
        self._restore_state()
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self._on_tab_changed(self.tabs.currentIndex())
        self._update_status()

    # --- database -----------------------------------------------------------------------------------------------

    def _session(self) -> AbstractContextManager[Session]:
        return self.database.session()

    def tab(self, key: str) -> RecordTab:
        return self._tabs[key]

    def current_tab_key(self) -> str:
        widget = self.tabs.currentWidget()
        return widget.key if isinstance(widget, RecordTab) else TAB_KEYS[0]

    def show_tab(self, key: str) -> None:
        self.tabs.setCurrentWidget(self._tabs[key])

    def _on_tab_changed(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if isinstance(widget, RecordTab) and widget.key not in self._loaded:
            self._loaded.add(widget.key)
            widget.load()

    def refresh(self) -> None:
        """Reload the tabs already shown and the status bar counts (F5)."""
        for key in list(self._loaded):
            self._tabs[key].reload()
        self._update_status()

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
        file_menu.addAction(self._action(_("&Switch database..."), self.switch_database))
        file_menu.addAction(self._action(_("&Back up database..."), self.back_up))
        file_menu.addSeparator()
        quit_action = self._action(_("&Quit"), self.close, "Ctrl+Q")
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu.addAction(quit_action)

        view_menu = bar.addMenu(_("&View"))
        view_menu.addAction(self._action(_("&Refresh"), self.refresh, "F5"))
        view_menu.addSeparator()
        for number, cls in enumerate(TAB_CLASSES, start=1):
            view_menu.addAction(self._action(_(cls.title), partial(self.show_tab, cls.key), f"Ctrl+{number}"))
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
        for label in (self._db_label, self._user_label, self._counts_label):
            label.setContentsMargins(6, 0, 6, 0)
        status = self.statusBar()
        status.addWidget(self._db_label)
        status.addWidget(self._user_label)
        status.addPermanentWidget(self._counts_label)

    def _update_status(self) -> None:
        self._db_label.setText(database_kind(self.database))
        self._db_label.setToolTip(self.database.display_name)
        self._user_label.setText(
            _("User: {name} ({role})").format(name=self.user_name, role=role_text(self.role))
        )
        try:
            with self._session() as session:
                counts = overview.record_counts(session)
        except Exception:  # the status bar must never stop the window; the error is in the log
            log.exception("could not count records")
            self._counts_label.setText("")
        else:
            self._counts_label.setText(
                _(
                    "Partners {partners} · Projects {projects} · Dispatches {dispatches} · Visits {visits}"
                ).format(**{k: format_number(v) for k, v in counts.items()})
            )
        self.setWindowTitle(
            _("{app} — {kind}: {location}").format(
                app=APP_NAME, kind=database_kind(self.database), location=self.database.display_name
            )
        )

    def status_text(self) -> str:
        """What the status bar shows, for tests and the log."""
        return " | ".join(lbl.text() for lbl in (self._db_label, self._user_label, self._counts_label))

    # --- File menu ----------------------------------------------------------------------------------------------

    def show_database_info(self) -> None:
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

    def switch_database(self) -> None:
        shared = self.settings.shared_database_url
        if not shared and not self.database.is_local:
            shared = split_password(self.database.url)[0]
        dialog = SwitchDatabaseDialog(self.database, shared, self)
        if dialog.exec() == SwitchDatabaseDialog.DialogCode.Accepted:
            self.open_other_database(dialog.chosen_url())

    def open_other_database(self, url: str) -> bool:
        """Open ``url`` (``""`` = the local default), remember the choice in the settings and show its data."""
        target = normalize_url(url) if url else default_sqlite_url()
        try:
            new_db = run_busy(
                self, _("Opening the database..."), lambda: self._open_database(target, self.user_name)
            )
        except StorageError as exc:
            QMessageBox.warning(self, _("Switch database"), exc.message)
            return False
        stored, password = split_password(target) if url else ("", None)
        if password:
            remember_password(stored, password)
        self.settings.database_url = stored
        if stored:
            self.settings.shared_database_url = stored
        self.settings.save()
        old, self.database = self.database, new_db
        old.dispose()
        log.info("switched to database %s", new_db.display_name)
        self.tools.forget_windows()
        self.role = register_user(self._session, self.user_name)
        apply_role(self._tabs, self.role)
        self.refresh()
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

    def _restore_state(self) -> None:
        restored = False
        if self.settings.window_geometry:
            restored = self.restoreGeometry(_from_base64(self.settings.window_geometry))
        if not restored:
            self.resize(*DEFAULT_SIZE)
        if self.settings.window_state:
            self.restoreState(_from_base64(self.settings.window_state))
        for key, tab in self._tabs.items():
            tab.restore_header_state(self.settings.table_states.get(key, ""))
            state = self.settings.tab_states.get(key)
            if isinstance(state, dict):
                try:
                    tab.restore_state(state)
                except (KeyError, TypeError, ValueError):  # a state from another version: start fresh
                    log.warning("could not restore the %s tab's state", key, exc_info=True)
        if self.settings.last_tab in self._tabs:
            self.tabs.setCurrentWidget(self._tabs[self.settings.last_tab])

    def save_state(self) -> None:
        self.settings.window_geometry = _to_base64(self.saveGeometry())
        self.settings.window_state = _to_base64(self.saveState())
        self.settings.last_tab = self.current_tab_key()
        self.settings.table_states = {key: tab.header_state() for key, tab in self._tabs.items()}
        self.settings.tab_states = {key: tab.save_state() for key, tab in self._tabs.items()}
        self.settings.save()

    def closeEvent(self, event: QCloseEvent) -> None:
        try:
            self.save_state()
        except OSError:
            log.exception("could not save the window state")
        super().closeEvent(event)
