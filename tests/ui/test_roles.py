"""Roles in the GUI: the users dialog (admins change roles, the last admin stays), actions greyed by role in the
tabs (and kept greyed when the tab re-enables them), and a viewer's save refused by the services with the reason."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit, QMessageBox
from sqlalchemy import select
from sqlalchemy.orm import Session

from kawaoffice.model.partners import Organization
from kawaoffice.model.users import Role
from kawaoffice.services import users
from kawaoffice.storage import Database
from kawaoffice.storage.database import make_session_factory, session_scope
from kawaoffice.ui.dispatch.tab import DispatchesTab
from kawaoffice.ui.partners.dialogs import OrganizationDialog
from kawaoffice.ui.partners.tab import PartnersTab
from kawaoffice.ui.tours.tab import VisitsTab
from kawaoffice.ui.users.dialog import UsersDialog

Provider = Callable[[], AbstractContextManager[Session]]


def _provider(db: Database, login: str) -> Provider:
    factory = make_session_factory(db.engine, user=login)
    return lambda: session_scope(factory)


@pytest.fixture
def office(gui_db: Database) -> Iterator[dict[str, Provider]]:
    """aiko opened the database first (admin); ken (editor) and mika (viewer) were added by her."""
    with _provider(gui_db, "aiko")() as s:
        users.ensure_user(s, "aiko", "佐藤 愛子")
        users.add_user(s, "ken", Role.EDITOR, "田中 健")
        users.add_user(s, "mika", Role.VIEWER, "鈴木 美香")
    yield {name: _provider(gui_db, name) for name in ("aiko", "ken", "mika")}


def _roles(provider: Provider) -> dict[str, tuple[Role, bool]]:
    with provider() as s:
        return {u.login: (u.role, u.active) for u in users.list_users(s)}


def test_admin_changes_roles_deactivates_and_adds_users(
    qtbot, office: dict[str, Provider], english: None
) -> None:  # type: ignore[no-untyped-def]
    dialog = UsersDialog(office["aiko"])
    qtbot.addWidget(dialog)
    dialog.show()
    assert [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())] == ["aiko", "ken", "mika"]  # type: ignore[union-attr]
    assert dialog.role_box("ken").currentText() == "Editor"
    # raise mika to editor, deactivate ken
    box = dialog.role_box("mika")
    box.setCurrentIndex(box.findData("editor"))
    qtbot.mouseClick(dialog.active_box("ken"), Qt.MouseButton.LeftButton)
    assert _roles(office["aiko"]) == {
        "aiko": (Role.ADMIN, True),
        "ken": (Role.EDITOR, False),
        "mika": (Role.EDITOR, True),
    }
    assert not dialog.active_box("ken").isChecked()
    # the only admin cannot step down: refused with the reason, the combo shows the stored role again
    box = dialog.role_box("aiko")
    box.setCurrentIndex(box.findData("viewer"))
    assert dialog.error_label.isVisible()
    assert (
        dialog.error_label.text()
        == "佐藤 愛子 is the only administrator: make someone else an administrator first."
    )
    assert dialog.role_box("aiko").currentData() == "admin"
    assert _roles(office["aiko"])["aiko"] == (Role.ADMIN, True)
    # register a colleague in advance
    qtbot.keyClicks(dialog.new_login, "zoe")
    dialog.new_role.setCurrentIndex(dialog.new_role.findData("admin"))
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert not dialog.error_label.isVisible()
    assert dialog.role_box("zoe").currentText() == "Administrator"
    qtbot.keyClicks(dialog.new_login, "zoe")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.error_label.text() == "This value is already used by another record."


def test_non_admins_see_the_list_read_only(qtbot, office: dict[str, Provider], english: None) -> None:  # type: ignore[no-untyped-def]
    dialog = UsersDialog(office["ken"])
    qtbot.addWidget(dialog)
    assert dialog.note.text() == "Only an administrator can change roles; you can see the list."
    assert not dialog.role_box("mika").isEnabled()
    assert not dialog.active_box("mika").isEnabled()
    assert not dialog.add_button.isEnabled()


def test_actions_are_greyed_by_role_and_stay_greyed(qtbot, gui_db: Database, english: None) -> None:  # type: ignore[no-untyped-def]
    tab = PartnersTab(gui_db.session)
    qtbot.addWidget(tab)
    tab.show()
    tab.load()
    actions = tab.actions_by_name
    tab.view.selectRow(0)
    assert actions["delete"].isEnabled() and actions["new"].isEnabled()
    tab.apply_role("viewer")
    enabled = {name for name, action in actions.items() if action.isEnabled()}
    assert enabled == {"export", "mailing", "print", "find"}
    # the tab enables Edit/Delete when another row is selected: the role keeps them grey
    tab.view.selectRow(1)
    assert not actions["edit"].isEnabled() and not actions["delete"].isEnabled()
    tab.apply_role("editor")
    assert actions["new"].isEnabled() and actions["edit"].isEnabled() and actions["import"].isEnabled()
    assert not actions["delete"].isEnabled()
    tab.apply_role("admin")
    assert actions["delete"].isEnabled()
    assert {a.property("kawa_requires") for a in tab.role_actions()} == {"editor", "admin"}


def test_dispatch_and_tours_tabs_tag_their_write_actions(qtbot, gui_db: Database, english: None) -> None:  # type: ignore[no-untyped-def]
    dispatch_tab = DispatchesTab(gui_db.session)
    tours_tab = VisitsTab(gui_db.session)
    for tab in (dispatch_tab, tours_tab):
        qtbot.addWidget(tab)
        tab.apply_role("editor")
    assert dispatch_tab.act_new.isEnabled() and not dispatch_tab.act_delete.isEnabled()
    assert dispatch_tab.act_ics.isEnabled()
    assert tours_tab.actions_by_name["new"].isEnabled()
    assert not tours_tab.actions_by_name["facilities"].isEnabled()
    tours_tab.apply_role("viewer")
    assert not tours_tab.actions_by_name["new"].isEnabled()
    assert tours_tab.actions_by_name["pdf"].isEnabled()


def test_a_viewer_saving_anyway_is_refused_with_the_reason(
    qtbot, gui_db: Database, office: dict[str, Provider], english: None, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with gui_db.session() as s:
        aqua = int(s.scalar(select(Organization.id).where(Organization.name_ja == "アクア技研")) or 0)
    dialog = OrganizationDialog(office["mika"], aqua)
    qtbot.addWidget(dialog)
    dialog.show()
    city = dialog.fields["city"]
    assert isinstance(city, QLineEdit)
    city.setText("Kawasaki")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.error_label.text() == "You are a viewer: you cannot change data."
    with gui_db.session() as s:
        assert s.get(Organization, aqua).city == ""  # type: ignore[union-attr]
