"""The organization dialog's membership and technologies, the contact dialog's "New post...", driven like a user."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox
from sqlalchemy import select

from kawaoffice.i18n import _, format_date
from kawaoffice.model.partners import Employment, MembershipStatus, Organization, Technology
from kawaoffice.services import partners
from kawaoffice.storage import Database
from kawaoffice.ui.partners.dialogs import NewPostDialog
from kawaoffice.ui.partners.tab import PartnersTab


@pytest.fixture
def tab(qtbot, gui_db: Database, japanese: None) -> PartnersTab:  # type: ignore[no-untyped-def]
    t = PartnersTab(gui_db.session)
    qtbot.addWidget(t)
    t.resize(1200, 700)
    t.show()
    t.load()
    return t


@pytest.fixture(autouse=True)
def answer_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)


def save(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)


def org_id(db: Database, name_ja: str) -> int:
    with db.session() as s:
        return int(s.scalar(select(Organization.id).where(Organization.name_ja == name_ja)) or 0)


def tech_ids(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {t.code: t.id for t in s.scalars(select(Technology))}


def row_of(tab: PartnersTab, name: str) -> int:
    for r in range(tab.model.rowCount()):
        if tab.model.data(tab.model.index(r, 0)) == name:
            return r
    raise AssertionError(name)


def test_make_an_organization_a_current_member_with_two_technologies(
    qtbot, tab: PartnersTab, gui_db: Database
) -> None:  # type: ignore[no-untyped-def]
    aqua = org_id(gui_db, "アクア技研")
    assert tab.select_id(aqua)
    dialog = tab.edit_organization()
    assert dialog is not None
    # the latest period is shown: left the network
    assert dialog.membership_status.currentText() == _("Left")
    assert dialog.ticked_technologies() == {}
    dialog.membership_status.setCurrentIndex(dialog.membership_status.findData(MembershipStatus.ACTIVE.value))
    dialog.joined_on.setDate(QDate(2024, 4, 1))
    assert dialog.has_left.isEnabled()
    techs = tech_ids(gui_db)
    # a broken period (left before joining) is refused, the edits stay
    qtbot.mouseClick(dialog.has_left, Qt.MouseButton.LeftButton)
    dialog.left_on.setDate(QDate(2020, 1, 1))
    dialog.set_technology(techs["membrane"], True, "セラミック膜 TM-1", "浄水場向け")
    save(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.error_label.isVisible() and dialog.error_label.text()
    assert dialog.left_on.toolTip()
    assert dialog.ticked_technologies() == {techs["membrane"]: ("セラミック膜 TM-1", "浄水場向け")}
    # the user fixes it: still a member, two technologies; typing a product name ticks the row
    qtbot.mouseClick(dialog.has_left, Qt.MouseButton.LeftButton)
    assert not dialog.left_on.isEnabled()
    leak_row = dialog.technology_row(techs["leak"])
    product = dialog.technologies.item(leak_row, 1)
    assert product is not None
    product.setText("音聴棒 AQ-2")
    assert set(dialog.ticked_technologies()) == {techs["membrane"], techs["leak"]}
    save(qtbot, dialog)
    assert not dialog.isVisible()

    with gui_db.session() as s:
        org = s.get(Organization, aqua)
        assert org is not None
        latest = max(org.memberships, key=lambda m: m.joined_on)
        assert (latest.status, latest.joined_on, latest.left_on) == (
            MembershipStatus.ACTIVE,
            date(2024, 4, 1),
            None,
        )
        assert sorted((t.technology.code, t.product_name, t.description) for t in org.technologies) == [
            ("leak", "音聴棒 AQ-2", ""),
            ("membrane", "セラミック膜 TM-1", "浄水場向け"),
        ]
    # the list and the detail pane show it
    r = row_of(tab, "アクア技研")
    assert tab.model.data(tab.model.index(r, 4)) == _("Current member")
    assert "漏水探知" in tab.model.data(tab.model.index(r, 5))
    assert "膜ろ過" in tab.model.data(tab.model.index(r, 5))
    detail = tab.summary.toPlainText()
    assert _("Current member") in detail and "セラミック膜 TM-1" in detail and "音聴棒 AQ-2" in detail

    # untick one technology: it is removed
    dialog = tab.edit_organization()
    assert dialog is not None
    assert dialog.membership_status.currentText() == _("Current member")
    dialog.set_technology(techs["leak"], False)
    save(qtbot, dialog)
    assert not dialog.isVisible()
    with gui_db.session() as s:
        org = s.get(Organization, aqua)
        assert org is not None
        assert [t.technology.code for t in org.technologies] == ["membrane"]
    assert "音聴棒" not in tab.summary.toPlainText()


def test_move_a_contact_to_a_new_post(qtbot, tab: PartnersTab, gui_db: Database) -> None:  # type: ignore[no-untyped-def]
    sanki, jica = org_id(gui_db, "三機工業"), org_id(gui_db, "国際協力機構")
    assert tab.select_id(sanki)
    dialog = tab.new_contact()
    assert dialog is not None
    assert not dialog.new_post_button.isVisibleTo(dialog)  # nothing to move before the person is saved
    for field, value in {
        "family_name": "高橋",
        "given_name": "健",
        "department": "海外事業部",
        "title": "課長",
    }.items():
        dialog.fields[field].setText(value)  # type: ignore[attr-defined]
    save(qtbot, dialog)
    assert not dialog.isVisible()
    row = [r[0] for r in tab.contact_rows()].index("高橋 健")
    edit = tab.edit_contact(row)
    assert edit is not None
    assert len(edit.history_rows()) == 1

    qtbot.mouseClick(edit.new_post_button, Qt.MouseButton.LeftButton)
    move = edit.findChild(NewPostDialog, "new_post_dialog")  # the dialog the button opened
    assert move is not None and move.isVisible()
    assert move.organization.currentData() == sanki  # starts at the person's organization
    # a name not in the list is refused, the edits stay
    move.organization.setEditText("どこでもない会社")
    move.fields["title"].setText("専門家")  # type: ignore[attr-defined]
    save(qtbot, move)
    assert move.isVisible() and move.error_label.isVisible()
    assert move.fields["title"].text() == "専門家"  # type: ignore[attr-defined]
    move.organization.setCurrentIndex(move.organization.findData(jica))
    move.fields["department"].setText("地球環境部")  # type: ignore[attr-defined]
    move.started_on.setDate(QDate(2025, 4, 1))
    save(qtbot, move)
    assert not move.isVisible()

    history = edit.history_rows()
    assert len(history) == 2
    assert (
        history[0][0] == "三機工業"
        and history[0][1] == "課長"
        and history[0][3] == format_date(date(2025, 3, 31))
    )
    assert history[1][0] == "国際協力機構" and history[1][1] == "専門家"
    assert history[1][2] == format_date(date(2025, 4, 1)) and history[1][3] == ""
    assert edit.left.isChecked()  # the post at this organization has ended

    # a second move cannot start before the current post does
    again = edit.new_post()
    assert again is not None
    again.started_on.setDate(QDate(2025, 3, 1))
    save(qtbot, again)
    assert again.isVisible() and again.started_on.toolTip()
    again.reject()

    edit.reject()  # cancelling the contact dialog still refreshes the list: the person left 三機工業
    takahashi = next(r for r in tab.contact_rows() if r[0] == "高橋 健")
    assert format_date(date(2025, 3, 31)) in takahashi[4]
    with gui_db.session() as s:
        posts = list(s.scalars(select(Employment).order_by(Employment.id)))
        assert [(p.organization_id, p.title, p.started_on, p.ended_on) for p in posts] == [
            (sanki, "課長", None, date(2025, 3, 31)),
            (jica, "専門家", date(2025, 4, 1), None),
        ]


def _post_dialog(qtbot, gui_db: Database, at: int) -> NewPostDialog:  # type: ignore[no-untyped-def]
    """The "New post" dialog of a person working at ``at``."""
    with gui_db.session() as s:
        person = partners.create_contact(s, family_name="高橋", given_name="健")
        partners.create_employment(s, contact_id=person.id, organization_id=at, started_on=date(2020, 4, 1))
        s.commit()
        contact_id = person.id
    dialog = NewPostDialog(gui_db.session, contact_id, at)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_enter_in_the_organization_box_takes_the_completion_and_does_not_save(
    qtbot, gui_db: Database, japanese: None
) -> None:  # type: ignore[no-untyped-def]
    sanki, jica = org_id(gui_db, "三機工業"), org_id(gui_db, "国際協力機構")
    dialog = _post_dialog(qtbot, gui_db, sanki)
    saved: list[int] = []
    dialog.accepted.connect(lambda: saved.append(1))
    box = dialog.organization
    box.setFocus()
    box.lineEdit().selectAll()
    commit = QInputMethodEvent()
    commit.setCommitString("国際協力")  # what the Japanese input method types: the completer's list opens
    QApplication.sendEvent(box.lineEdit(), commit)
    popup = box.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    popup.setCurrentIndex(popup.model().index(0, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert dialog.isVisible() and not saved  # Enter chose the organization, it did not press Save
    assert box.currentData() == jica and box.currentText() == "国際協力機構"
    assert not dialog.error_label.isVisible()


def test_enter_on_typed_text_chooses_it_first_then_saves(qtbot, gui_db: Database, japanese: None) -> None:  # type: ignore[no-untyped-def]
    sanki, jica = org_id(gui_db, "三機工業"), org_id(gui_db, "国際協力機構")
    dialog = _post_dialog(qtbot, gui_db, sanki)
    saved: list[int] = []
    dialog.accepted.connect(lambda: saved.append(1))
    box = dialog.organization
    box.setFocus()
    box.setEditText("国際協力")  # typed (or pasted) without choosing from the list
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)
    assert dialog.isVisible() and not saved and not dialog.error_label.isVisible()
    assert box.currentData() == jica and box.currentText() == "国際協力機構"  # its first completion
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)  # the text is the chosen item: Enter saves, as usual
    assert saved and not dialog.isVisible()


def test_enter_on_text_that_matches_nothing_goes_to_save_which_says_why(
    qtbot, gui_db: Database, japanese: None
) -> None:  # type: ignore[no-untyped-def]
    dialog = _post_dialog(qtbot, gui_db, org_id(gui_db, "三機工業"))
    box = dialog.organization
    box.setFocus()
    box.setEditText("どこでもない会社")
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.error_label.isVisible()  # "Choose an organization from the list."
    assert box.currentText() == "どこでもない会社"  # the typed text is kept
