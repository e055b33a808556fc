"""The Tools menu driven like a user: the first user of a new database is its admin and the tabs offer what the
role allows; Ctrl+H shows the selected record's history; the statistics window opens once and is reused."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMainWindow, QMenu
from sqlalchemy import select

from kawaoffice.model.partners import Organization
from kawaoffice.model.users import Role
from kawaoffice.services import partners, users
from kawaoffice.storage import Database
from kawaoffice.storage.database import make_session_factory, session_scope
from kawaoffice.ui.audit.viewer import AuditLogDialog
from kawaoffice.ui.office_tools import OfficeTools, apply_role, register_user
from kawaoffice.ui.partners.tab import PartnersTab

pytestmark = pytest.mark.gui


def test_the_first_user_is_admin_a_later_one_gets_the_default_role(gui_db: Database) -> None:
    assert register_user(gui_db.session, "tester") is Role.ADMIN
    ken = make_session_factory(gui_db.engine, user="ken")
    later = register_user(lambda: session_scope(ken), "ken")
    assert later is Role.EDITOR  # a local SQLite file: colleagues who open it may edit
    with gui_db.session() as s:
        assert {u.login: u.role for u in users.list_users(s)} == {"tester": Role.ADMIN, "ken": Role.EDITOR}


def test_tools_menu_history_and_statistics(qtbot, gui_db: Database, english: None) -> None:  # type: ignore[no-untyped-def]
    window = QMainWindow()
    qtbot.addWidget(window)
    tab = PartnersTab(gui_db.session, window)
    window.setCentralWidget(tab)
    tools = OfficeTools(window, gui_db.session, None, lambda: tab)
    menu = tools.build_menu(QMenu("Tools", window))
    window.menuBar().addMenu(menu)
    window.show()
    tab.load()
    role = register_user(gui_db.session, "tester")
    apply_role({"partners": tab}, role)
    assert role is Role.ADMIN

    with gui_db.session() as s:
        org_id = int(s.scalar(select(Organization.id).where(Organization.name_ja == "アクア技研")) or 0)
        org = partners.get_organization(s, org_id)
        partners.update_organization(s, org_id, org.version, city="川崎市幸区")
    tab.reload()
    row = next(r for r in range(tab.model.rowCount()) if tab.model.id_at(r) == org_id)
    tab.view.setCurrentIndex(tab.model.index(row, 0))
    assert tools.actions["history"].shortcut().toString() == "Ctrl+H"
    tools.actions[
        "history"
    ].trigger()  # (offscreen windows are not activated, so keys are not routed to them)
    dialogs = window.findChildren(AuditLogDialog)
    assert len(dialogs) == 1
    dialog = dialogs[0]
    qtbot.waitUntil(lambda: dialog.model.rowCount() >= 1)
    texts = {
        dialog.model.index(r, c).data()
        for r in range(dialog.model.rowCount())
        for c in range(dialog.model.columnCount())
    }
    assert any("アクア技研" in str(t) for t in texts)
    assert dialog.windowTitle() == "Audit log"

    first = tools.show_statistics()
    assert tools.show_statistics() is first and first.isVisible()
    assert tools.actions["statistics"].shortcut().toString() == "Ctrl+Shift+S"
    first.close()
