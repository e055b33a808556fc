"""The main window's office tools: the Tools menu (statistics, audit log, the selected record's history, users and
roles) and the acting user's registration and role, applied to the tabs. Kept apart from main_window.py so the window
only wires them in. The windows behind the menu (statistics with its charts and report builders, audit log, users)
are imported when first opened, not at start-up."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox, QWidget

from kawaoffice.i18n import _
from kawaoffice.model.users import ROLE_LABELS, Role
from kawaoffice.services import users
from kawaoffice.services.audit import current_user
from kawaoffice.services.errors import ServiceError
from kawaoffice.settings import Settings
from kawaoffice.ui.widgets.paged_model import SessionProvider
from kawaoffice.ui.widgets.record_tab import RecordTab

if TYPE_CHECKING:
    from kawaoffice.ui.audit.viewer import AuditLogDialog
    from kawaoffice.ui.reports.window import ReportsWindow

log = logging.getLogger(__name__)

# The table whose history "History..." shows for each tab's selected row.
HISTORY_TABLES: Mapping[str, str] = {
    "partners": "organizations",
    "projects": "projects",
    "dispatches": "dispatches",
    "visits": "bookings",
}


def register_user(sessions: SessionProvider, login: str) -> Role:
    """Register ``login`` in the open database (the first user of a new database becomes its admin) and return
    the role the tabs should offer. A database that cannot say (an error) is treated as read-only for safety."""
    try:
        with sessions() as session:
            # the services check the session's acting user: register that one (the login when it has none)
            login = current_user(session) or login
            user = users.ensure_user(session, login)
            role = users.current_role(session)
            active = user.active
    except ServiceError:
        log.exception("could not register the user %s", login)
        return Role.VIEWER
    log.info("user %s has the role %s%s", login, role.value, "" if active else " (deactivated)")
    return role


def role_text(role: Role) -> str:
    return _(ROLE_LABELS[role])


def apply_role(tabs: Mapping[str, RecordTab], role: Role) -> None:
    for tab in tabs.values():
        tab.apply_role(role)


class OfficeTools:
    """The Tools menu of a main window. ``sessions`` and ``current_tab`` are read when an action runs, so a switch
    of database or tab needs no rebuild."""

    def __init__(
        self,
        window: QMainWindow,
        sessions: SessionProvider,
        settings: Settings | None,
        current_tab: Callable[[], RecordTab],
    ) -> None:
        self.window = window
        self.sessions = sessions
        self.settings = settings
        self.current_tab = current_tab
        self.reports: ReportsWindow | None = None
        self.actions: dict[str, QAction] = {}

    def build_menu(self, menu: QMenu) -> QMenu:
        for name, text, shortcut, slot in (
            ("statistics", _("&Statistics and annual report..."), "Ctrl+Shift+S", self.show_statistics),
            ("history", _("&History of the selected record..."), "Ctrl+H", self.show_history),
            ("audit", _("&Audit log..."), "Ctrl+Shift+L", self.show_audit_log),
            ("users", _("&Users and roles..."), "", self.show_users),
        ):
            action = QAction(text, self.window)
            action.setObjectName(f"action_{name}")
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(lambda _checked=False, slot=slot: slot())
            menu.addAction(action)
            self.window.addAction(action)  # the shortcut works whether or not the menu bar is shown
            self.actions[name] = action
        return menu

    def show_statistics(self) -> ReportsWindow:
        from kawaoffice.ui.reports.window import ReportsWindow

        if self.reports is None:
            self.reports = ReportsWindow(self.sessions, self.settings, self.window)
        self.reports.show()
        self.reports.raise_()
        self.reports.activateWindow()
        return self.reports

    def show_history(self) -> QWidget | None:
        from kawaoffice.ui.audit.viewer import open_history

        tab = self.current_tab()
        table = HISTORY_TABLES.get(tab.key)
        row_id = tab.current_id()
        if table is None or row_id is None:
            QMessageBox.information(self.window, _("History"), _("Select a record first."))
            return None
        return open_history(self.sessions, self.window, table, row_id)

    def show_audit_log(self) -> AuditLogDialog:
        from kawaoffice.ui.audit.viewer import AuditLogDialog

        dialog = AuditLogDialog(self.sessions, self.window)
        dialog.show()
        return dialog

    def show_users(self) -> None:
        from kawaoffice.ui.users.dialog import UsersDialog

        UsersDialog(self.sessions, self.window).exec()

    def forget_windows(self) -> None:
        """After a switch of database: the statistics window showed the old one."""
        if self.reports is not None:
            self.reports.close()
            self.reports.deleteLater()
            self.reports = None
