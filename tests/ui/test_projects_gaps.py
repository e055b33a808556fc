"""The Projects tab's editing gaps driven like a user: local needs (new / edit / delete / passed on), a
project's participants with their IATI roles, and the scheme template editor."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from kawaoffice.model.partners import OrganizationKind
from kawaoffice.model.projects import NeedSource
from kawaoffice.services import needs, partners, projects
from kawaoffice.storage import Database
from kawaoffice.ui.projects.needs_dialog import NeedDialog
from kawaoffice.ui.projects.participants import ParticipantsDialog
from kawaoffice.ui.projects.tab import ProjectsTab

pytestmark = pytest.mark.gui

TODAY = date(2027, 3, 1)


@pytest.fixture
def db(empty_gui_db: Database) -> Iterator[Database]:
    with empty_gui_db.session() as session:
        projects.ensure_standard_schemes(session)
        partners.create_organization(
            session,
            kind=OrganizationKind.COUNTERPART,
            name_ja="ビエンチャン水道公社",
            name_en="Nam Papa Vientiane",
        )
        partners.create_organization(
            session, kind=OrganizationKind.COOPERATING, name_ja="国際協力機構", name_en="JICA"
        )
        partners.create_technology(session, code="LEAK", name_ja="漏水探知", name_en="Leak detection")
        partners.create_technology(session, code="METER", name_ja="水道メーター", name_en="Water meters")
    yield empty_gui_db


@pytest.fixture
def tab(qtbot, db: Database, english: None) -> ProjectsTab:
    t = ProjectsTab(db.session)
    qtbot.addWidget(t)
    t.resize(1400, 800)
    t.show()
    t.today = lambda: TODAY
    t.load()
    return t


def ids(db: Database) -> dict[str, int]:
    with db.session() as session:
        out = {c.name_en: c.id for c in projects.organization_choices(session)}
        out.update({t.name_en: t.id for t in partners.list_technologies(session)})
        return out


def press_ok(qtbot, dialog: QDialog) -> None:  # type: ignore[no-untyped-def]
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)  # type: ignore[attr-defined]
    qtbot.keyClick(ok, Qt.Key.Key_Space)


# --- local needs ------------------------------------------------------------------------------------------------


def test_a_need_is_created_edited_passed_on_and_deleted_from_the_needs_view(
    qtbot, tab: ProjectsTab, db: Database
) -> None:
    known = ids(db)
    view = tab.needs
    tab.show_view("needs")
    assert view.table.rowCount() == 0
    assert not view.actions_["edit_need"].isEnabled() and not view.actions_["delete_need"].isEnabled()
    seen: list[QDialog] = []

    def fill_new(dialog: QDialog) -> int:
        assert isinstance(dialog, NeedDialog)
        seen.append(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        # OK without a topic or country is refused, the dialog stays open with a message
        press_ok(qtbot, dialog)
        assert dialog.isVisible() and dialog.error.isVisible()
        dialog.country.setCurrentIndex(dialog.country.findData("LA"))
        dialog.counterpart.setCurrentIndex(dialog.counterpart.findData(known["Nam Papa Vientiane"]))
        qtbot.keyClicks(dialog.topic, "Non-revenue water in Vientiane")
        dialog.dac.setCurrentIndex(dialog.dac.findData("14030"))
        dialog.source.setCurrentIndex(dialog.source.findData(NeedSource.VISIT.value))
        dialog.set_technology(known["Leak detection"])
        qtbot.keyClicks(dialog.description, "Losses above 30 percent")
        press_ok(qtbot, dialog)
        assert not dialog.isVisible()
        return dialog.result()

    view.run_dialog = fill_new
    view.actions_["new_need"].trigger()
    assert seen[0].windowTitle() == "New local need"
    assert view.table.rowCount() == 1
    cells = [view.table.item(0, c).text() for c in range(view.table.columnCount())]
    assert cells[1] == "Laos" and cells[2] == "Non-revenue water in Vientiane"
    assert cells[3] == "Visit" and cells[4] == "Leak detection" and cells[6] == ""
    assert "Nam Papa Vientiane" not in cells  # the counterpart is kept on the record, not a column
    with db.session() as session:
        need = projects.get_local_need(session, view.rows[0].id)
        assert need.counterpart_id == known["Nam Papa Vientiane"] and need.dac_code == "14030"
        assert need.learned_on == TODAY and need.description == "Losses above 30 percent"

    def fill_edit(dialog: QDialog) -> int:
        assert isinstance(dialog, NeedDialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert dialog.windowTitle() == "Edit local need"
        assert dialog.topic.text() == "Non-revenue water in Vientiane"
        assert dialog.chosen_technologies() == [known["Leak detection"]]
        dialog.topic.selectAll()
        qtbot.keyClicks(dialog.topic, "Metering in Vientiane")
        dialog.set_technology(known["Leak detection"], False)
        dialog.set_technology(known["Water meters"])
        press_ok(qtbot, dialog)
        return dialog.result()

    view.run_dialog = fill_edit
    qtbot.keyClick(view.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert view.table.item(0, 2).text() == "Metering in Vientiane"
    assert view.table.item(0, 4).text() == "Water meters"

    assert view.actions_["pass_on"].isEnabled()
    view.actions_["pass_on"].trigger()
    assert view.table.item(0, 6).text() == "2027-03-01" or "2027" in view.table.item(0, 6).text()
    assert view.rows[0].passed_on == TODAY
    assert not view.actions_["pass_on"].isEnabled()

    asked: list[str] = []

    def refuse(_parent: QWidget, _title: str, question: str) -> bool:
        asked.append(question)
        return False

    view.confirm = refuse
    view.actions_["delete_need"].trigger()
    assert asked == ["Delete the local need Metering in Vientiane?"]
    assert view.table.rowCount() == 1  # said no: kept
    view.confirm = lambda *_a: True
    view.actions_["delete_need"].trigger()
    assert view.table.rowCount() == 0
    with db.session() as session:
        assert needs.list_needs(session) == []


# --- participants -----------------------------------------------------------------------------------------------


def test_participants_are_added_with_their_iati_role_and_removed(
    qtbot, tab: ProjectsTab, db: Database
) -> None:
    known = ids(db)
    with db.session() as session:
        scheme = projects.list_schemes(session)[0]
        project = projects.create_project(session, code="LA-1", title_ja="ビエンチャン", scheme_id=scheme.id)
        project_id = project.id
    tab.reload()
    tab.view.setCurrentIndex(tab.model.index(0, 0))
    dialogs: list[ParticipantsDialog] = []

    def drive(dialog: QDialog) -> int:
        assert isinstance(dialog, ParticipantsDialog)
        dialogs.append(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert dialog.texts() == []
        dialog.organization.setCurrentIndex(dialog.organization.findData(known["JICA"]))
        dialog.role.setCurrentIndex(dialog.role.findData(1))
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
        dialog.organization.setCurrentIndex(dialog.organization.findData(known["Nam Papa Vientiane"]))
        dialog.role.setCurrentIndex(dialog.role.findData(4))
        qtbot.keyClicks(dialog.note, "water utility")
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
        assert dialog.texts() == ["JICA: Funding", "Nam Papa Vientiane: Implementing (water utility)"]
        # the same organization in the same role twice is refused with a message
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
        assert dialog.error.isVisible() and dialog.error.text()
        assert len(dialog.texts()) == 2
        # the same organization may also hold another role
        dialog.role.setCurrentIndex(dialog.role.findData(2))
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
        assert not dialog.error.isVisible()
        assert "Nam Papa Vientiane: Accountable" in dialog.texts()
        # remove it again, after confirming
        dialog.confirm = lambda *_a: True
        dialog.list.setCurrentRow(dialog.texts().index("Nam Papa Vientiane: Accountable"))
        qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
        assert dialog.texts() == ["JICA: Funding", "Nam Papa Vientiane: Implementing (water utility)"]
        qtbot.mouseClick(
            dialog.buttons.button(QDialogButtonBox.StandardButton.Close), Qt.MouseButton.LeftButton
        )
        return dialog.result()

    tab.run_dialog = drive
    tab.actions_["participants"].trigger()
    assert dialogs and dialogs[0].changed
    with db.session() as session:
        roles = sorted(
            (p.organization.name_en, p.role) for p in projects.get_project(session, project_id).participants
        )
    assert roles == [("JICA", 1), ("Nam Papa Vientiane", 4)]
    detail = tab.detail.toPlainText()
    assert "JICA: Funding" in detail and "Nam Papa Vientiane: Implementing (water utility)" in detail


def test_delete_in_the_needs_view_deletes_the_need_never_the_project_behind_it(
    qtbot, tab: ProjectsTab, db: Database
) -> None:
    with db.session() as session:
        scheme = projects.list_schemes(session)[0]
        projects.create_project(session, code="LA-2", title_ja="ビエンチャン配水", scheme_id=scheme.id)
        projects.create_local_need(session, country="LA", topic="Leak detection survey", learned_on=TODAY)
    tab.reload()
    tab.view.setCurrentIndex(tab.model.index(0, 0))
    asked: list[str] = []

    def answer_no(_parent: QWidget, _title: str, question: str) -> bool:
        asked.append(question)
        return False

    tab.confirm = answer_no
    tab.needs.confirm = answer_no
    qtbot.keyClick(tab, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert tab.current_view() == "needs"
    tab.needs.table.selectRow(0)
    tab.needs.table.setFocus()
    qtbot.keyClick(tab.needs.table, Qt.Key.Key_Delete)
    assert asked == ["Delete the local need Leak detection survey?"]

    qtbot.keyClick(tab, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert tab.current_view() == "table"
    qtbot.keyClick(tab.view, Qt.Key.Key_Delete)
    assert asked[1] == "Delete the project LA-2 ビエンチャン配水 and its stage history?"
    tab.confirm = lambda *_a: True
    qtbot.keyClick(tab.view, Qt.Key.Key_Delete)
    with db.session() as session:
        assert [p.code for p in projects.list_projects(session)] == []
        assert len(needs.list_needs(session)) == 1


def test_roles_grey_the_actions_they_may_not_use(tab: ProjectsTab) -> None:
    tab.apply_role("viewer")
    for name in ("new", "edit", "move", "delete", "participants", "templates"):
        assert not tab.actions_[name].isEnabled(), name
    assert not tab.needs.actions_["new_need"].isEnabled()
    assert tab.actions_["report"].isEnabled() and tab.actions_["export"].isEnabled()
    tab.apply_role("editor")
    assert tab.actions_["new"].isEnabled() and tab.needs.actions_["new_need"].isEnabled()
    assert not tab.actions_["delete"].isEnabled() and not tab.actions_["templates"].isEnabled()
    tab.apply_role("admin")
    assert tab.actions_["delete"].isEnabled() and tab.actions_["templates"].isEnabled()
