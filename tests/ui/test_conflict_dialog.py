"""Edit conflicts: a save that hits StaleEditError opens the conflict dialog with the user's and the current
values field by field; the user keeps theirs, takes the other's, or merges per field, and only then is it saved."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QMessageBox, QRadioButton
from sqlalchemy import select
from sqlalchemy.orm import Session

from kawaoffice.model.partners import Contact, Organization
from kawaoffice.services import partners
from kawaoffice.storage import Database
from kawaoffice.storage.database import make_session_factory
from kawaoffice.ui.partners.dialogs import ContactDialog, OrganizationDialog
from kawaoffice.ui.widgets.conflict_dialog import (
    CHANGED_COLOR,
    CHOSEN_COLOR,
    CONFLICT_COLOR,
    ConflictDialog,
    FieldConflict,
    Outcome,
    Side,
)


@pytest.fixture(autouse=True)
def answer_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)


@pytest.fixture
def aqua(gui_db: Database) -> int:
    with gui_db.session() as s:
        return int(s.scalar(select(Organization.id).where(Organization.name_ja == "アクア技研")) or 0)


@pytest.fixture
def colleague(gui_db: Database) -> Iterator[Session]:
    """A session of another user, ken, on the same database."""
    with make_session_factory(gui_db.engine, user="ken")() as s:
        yield s


def _type(dialog: OrganizationDialog | ContactDialog, name: str, text: str) -> None:
    edit = dialog.fields[name]
    assert isinstance(edit, QLineEdit)
    edit.setText(text)


def _save(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)


def _open(qtbot, gui_db: Database, aqua: int) -> OrganizationDialog:  # type: ignore[no-untyped-def]
    dialog = OrganizationDialog(gui_db.session, aqua)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_conflicting_save_shows_both_values_and_saves_the_per_field_merge(
    qtbot, gui_db: Database, aqua: int, colleague: Session, english: None
) -> None:  # type: ignore[no-untyped-def]
    dialog = _open(qtbot, gui_db, aqua)
    _type(dialog, "city", "Kawasaki-ku")
    _type(dialog, "address", "1-1 Miyamoto-cho")
    _type(dialog, "name_en", "Aqua Giken Co., Ltd.")
    # meanwhile ken saves the same organization: another city, a phone number, the same English name
    org = partners.get_organization(colleague, aqua)
    partners.update_organization(
        colleague, aqua, org.version, city="Saiwai-ku", phone="044-200-2111", name_en="Aqua Giken Co., Ltd."
    )
    colleague.commit()

    _save(qtbot, dialog)
    conflict = dialog.conflict
    assert conflict is not None
    qtbot.waitUntil(conflict.isVisible)
    assert dialog.isVisible()  # nothing saved yet, the edit dialog stays open with the user's edits
    assert "ken" in conflict.findChild(QLabel, "conflict_intro").text()
    assert sorted(conflict.differing_keys()) == ["address", "city", "phone"]
    assert conflict.row_texts("city") == ("", "Kawasaki-ku", "Saiwai-ku")
    assert conflict.row_texts("phone") == ("", "", "+81 44-200-2111")
    assert conflict.row_texts("address") == ("", "1-1 Miyamoto-cho", "")
    # both changed the city: red and mine by default; only ken changed the phone: his by default
    assert conflict.choice("city") is Side.MINE
    assert conflict.choice("phone") is Side.THEIRS
    assert conflict.choice("address") is Side.MINE
    assert conflict.row_color("city", Side.THEIRS) == CONFLICT_COLOR
    assert conflict.row_color("city", Side.MINE) == CHOSEN_COLOR
    assert conflict.row_color("address", Side.THEIRS) == CHANGED_COLOR
    # the user takes ken's city with a click on its radio button and merges
    city_theirs = conflict.findChild(QRadioButton, "city_theirs")
    assert city_theirs is not None
    qtbot.mouseClick(city_theirs, Qt.MouseButton.LeftButton)
    assert conflict.choice("city") is Side.THEIRS
    assert conflict.row_color("city", Side.THEIRS) == CHOSEN_COLOR
    qtbot.mouseClick(conflict.merge_button, Qt.MouseButton.LeftButton)

    assert conflict.outcome is Outcome.MERGE
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.result() == OrganizationDialog.DialogCode.Accepted
    with gui_db.session() as s:
        saved = partners.get_organization(s, aqua)
        assert (saved.city, saved.address, saved.phone, saved.name_en) == (
            "Saiwai-ku",
            "1-1 Miyamoto-cho",
            "+81442002111",
            "Aqua Giken Co., Ltd.",
        )
        assert saved.updated_by == "tester"


def test_keep_all_mine_overwrites_only_after_the_user_chose(
    qtbot, gui_db: Database, aqua: int, colleague: Session, english: None
) -> None:  # type: ignore[no-untyped-def]
    dialog = _open(qtbot, gui_db, aqua)
    _type(dialog, "city", "Kawasaki-ku")
    org = partners.get_organization(colleague, aqua)
    partners.update_organization(
        colleague, aqua, org.version, city="Saiwai-ku", website="https://aqua.example"
    )
    colleague.commit()
    _save(qtbot, dialog)
    conflict = dialog.conflict
    assert conflict is not None
    with gui_db.session() as s:
        assert partners.get_organization(s, aqua).city == "Saiwai-ku"  # not overwritten while choosing
    qtbot.mouseClick(conflict.keep_mine_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    with gui_db.session() as s:
        saved = partners.get_organization(s, aqua)
        assert (saved.city, saved.website) == ("Kawasaki-ku", "")


def test_take_all_theirs_keeps_the_other_save_and_back_to_editing_saves_nothing(
    qtbot, gui_db: Database, aqua: int, colleague: Session, english: None
) -> None:  # type: ignore[no-untyped-def]
    dialog = _open(qtbot, gui_db, aqua)
    _type(dialog, "city", "Kawasaki-ku")
    org = partners.get_organization(colleague, aqua)
    partners.update_organization(colleague, aqua, org.version, city="Saiwai-ku")
    colleague.commit()
    _save(qtbot, dialog)
    first = dialog.conflict
    assert first is not None
    first.reject()  # "Back to editing"
    assert dialog.isVisible()
    assert dialog.error_label.text() == "Someone else changed this record: choose which values to keep."
    assert dialog.fields["city"].text() == "Kawasaki-ku"  # type: ignore[attr-defined]
    _save(qtbot, dialog)
    second = dialog.conflict
    assert second is not None and second is not first
    qtbot.mouseClick(second.take_theirs_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    with gui_db.session() as s:
        assert partners.get_organization(s, aqua).city == "Saiwai-ku"


def test_contact_dialog_merges_the_person_fields(
    qtbot, gui_db: Database, aqua: int, colleague: Session, english: None
) -> None:  # type: ignore[no-untyped-def]
    with gui_db.session() as s:
        contact = partners.create_contact(s, family_name="山田", given_name="花子")
        partners.create_employment(s, contact_id=contact.id, organization_id=aqua, title="課長")
        contact_id = contact.id
    dialog = ContactDialog(gui_db.session, aqua, contact_id)
    qtbot.addWidget(dialog)
    dialog.show()
    _type(dialog, "email", "hanako@aqua.example")
    person = colleague.get(Contact, contact_id)
    assert person is not None
    partners.update_contact(colleague, contact_id, person.version, name_en="Hanako Yamada")
    colleague.commit()
    _save(qtbot, dialog)
    conflict = dialog.conflict
    assert conflict is not None
    assert sorted(conflict.differing_keys()) == ["email", "name_en"]
    assert conflict.choice("email") is Side.MINE and conflict.choice("name_en") is Side.THEIRS
    qtbot.mouseClick(conflict.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    with gui_db.session() as s:
        saved = partners.get_contact(s, contact_id)
        assert (saved.email, saved.name_en) == ("hanako@aqua.example", "Hanako Yamada")


def test_a_record_deleted_meanwhile_is_reported(
    qtbot, gui_db: Database, aqua: int, colleague: Session, english: None
) -> None:  # type: ignore[no-untyped-def]
    with gui_db.session() as s:
        org = partners.create_organization(s, kind="member", name_ja="消える会社")
        gone = org.id
    dialog = _open(qtbot, gui_db, gone)
    _type(dialog, "city", "Kawasaki-ku")
    partners.delete_organization(colleague, gone)
    colleague.commit()
    _save(qtbot, dialog)
    assert dialog.conflict is None
    assert dialog.isVisible()
    assert "deleted" in dialog.error_label.text()


def test_conflict_dialog_alone(qtbot, english: None) -> None:  # type: ignore[no-untyped-def]
    fields = [
        FieldConflict("city", "City", "", "Kawasaki-ku", "Saiwai-ku"),
        FieldConflict("capacity", "Capacity", 40, 60, 40, show=lambda v: f"{v} people"),
        FieldConflict("active", "Active", True, True, True),
    ]
    dialog = ConflictDialog(fields, record="長沢浄水場", changed_by="ken")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.differing_keys() == ["city", "capacity"]
    assert dialog.row_texts("capacity") == ("40 people", "60 people", "40 people")
    assert dialog.row_texts("active") == ("Yes", "Yes", "Yes")
    assert dialog.table.item(2, 4).text() == "Same"  # type: ignore[union-attr]
    dialog.choose("city", Side.THEIRS)
    assert dialog.merged_values() == {"city": "Saiwai-ku", "capacity": 60, "active": True}
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.take_theirs_button, Qt.MouseButton.LeftButton)
    assert dialog.outcome is Outcome.TAKE_THEIRS
    assert dialog.merged_values() == {"city": "Saiwai-ku", "capacity": 40, "active": True}


def test_dispatch_dialog_merges_fields_and_members(
    qtbot, gui_db: Database, colleague: Session, english: None
) -> None:  # type: ignore[no-untyped-def]
    from kawaoffice.model.dispatch import Dispatch
    from kawaoffice.services import dispatch as dsvc
    from kawaoffice.services.dispatch import MemberSpec
    from kawaoffice.ui.dispatch.dialog import DispatchDialog

    with gui_db.session() as s:
        d2 = int(s.scalar(select(Dispatch.id).where(Dispatch.code == "D-2")) or 0)
    dialog = DispatchDialog(gui_db.session, d2)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.city.setText("Da Nang")
    # ken drops the partner from the team and renames the dispatch
    theirs = dsvc.get_dispatch(colleague, d2)
    members = [MemberSpec(m.staff_id, m.contact_id, m.role) for m in theirs.members if m.staff_id is not None]
    dsvc.save_dispatch(colleague, d2, theirs.version, {"title": "ベトナム水道調査"}, members)
    colleague.commit()

    assert dialog.save() is False
    conflict = dialog.conflict
    assert conflict is not None
    assert sorted(conflict.differing_keys()) == ["city", "members", "title"]
    assert conflict.row_texts("city") == ("Hanoi", "Da Nang", "Hanoi")
    assert "田中 一郎 (partner)" in conflict.row_texts("members")[1]
    assert "田中" not in conflict.row_texts("members")[2]
    assert [conflict.choice(k) for k in ("city", "members", "title")] == [Side.MINE, Side.THEIRS, Side.THEIRS]
    qtbot.mouseClick(conflict.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    with gui_db.session() as s:
        saved = dsvc.get_dispatch(s, d2)
        assert (saved.city, saved.title) == ("Da Nang", "ベトナム水道調査")
        assert sorted(m.staff_id for m in saved.members) == sorted(m.staff_id for m in members)
