"""The dispatch dialog's choosers that do not list every record: the project found by typing (active projects
first) and picked in the popup, a completed project of an existing dispatch kept, text that is no choice put
back; the staff chooser narrowed by typing with a note when more staff match than are shown; a partner's person
found by typing; the staff languages read when the filter is opened. Each choice is saved."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import event, select

from kawaoffice.model.dispatch import Dispatch, DispatchPurpose, LanguageLevel
from kawaoffice.model.partners import OrganizationKind
from kawaoffice.model.projects import ProjectState
from kawaoffice.services import dispatch as svc
from kawaoffice.services import partners, projects
from kawaoffice.storage import Database
from kawaoffice.ui.dispatch import dialog as dialog_module
from kawaoffice.ui.dispatch.dialog import DispatchDialog

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("does not support grabbing the keyboard"),
]  # offscreen popups


@pytest.fixture
def db(empty_gui_db: Database) -> Database:
    with empty_gui_db.session() as s:
        scheme = projects.create_scheme(s, code="TC", name_ja="技術協力プロジェクト")
        for code, title, state in (
            ("LA-2010-MAWASU1", "ラオス水道事業管理能力向上", ProjectState.COMPLETED),
            ("LA-2018-MAWASU2", "ラオス水道公社事業管理能力向上", ProjectState.ACTIVE),
            ("VN-2019-BRVT", "バリア・ブンタウ省上水道調査", ProjectState.ACTIVE),
        ):
            projects.create_project(s, code=code, title_ja=title, scheme_id=scheme.id, state=state)
        for no, family, kana in (
            ("K1", "川崎", "カワサキ"),
            ("K2", "多摩", "タマ"),
            ("K3", "麻生", "アソウ"),
        ):
            staff = svc.create_staff(s, staff_no=no, family_name=family, given_name="花子", family_kana=kana)
            if no == "K1":
                svc.set_staff_language(s, staff.id, "lo", LanguageLevel.BUSINESS)
        org = partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja="水道機工")
        person = partners.create_contact(s, family_name="Tanaka", given_name="Ichiro", family_kana="タナカ")
        partners.create_employment(s, contact_id=person.id, organization_id=org.id)
        s.commit()
    return empty_gui_db


def _project_id(db: Database, code: str) -> int:
    with db.session() as s:
        from kawaoffice.model.projects import Project

        return int(s.scalar(select(Project.id).where(Project.code == code)) or 0)


def _fill(qtbot: QtBot, dialog: DispatchDialog, code: str) -> None:
    qtbot.keyClicks(dialog.code, code)
    dialog.title_edit.setText(f"ラオス派遣 {code}")
    dialog.departure.setDate(QDate(2026, 5, 10))
    dialog.returning.setDate(QDate(2026, 5, 20))


def _add_staff(qtbot: QtBot, dialog: DispatchDialog, name: str) -> None:
    items = dialog.staff_list.findItems(name, Qt.MatchFlag.MatchStartsWith)
    assert items, f"{name} not in the chooser"
    dialog.staff_list.setCurrentItem(items[0])
    qtbot.mouseClick(dialog.findChild(QPushButton, "add_staff"), Qt.MouseButton.LeftButton)


def _save(qtbot: QtBot, dialog: DispatchDialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)


def _saved(db: Database, code: str) -> Dispatch:
    with db.session() as s:
        d = s.scalars(select(Dispatch).where(Dispatch.code == code)).one()
        s.expunge(d)
        return d


def test_project_typed_picked_in_the_popup_and_saved(qtbot: QtBot, db: Database, japanese: None) -> None:
    dialog = DispatchDialog(db.session)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.project.count() == 1  # only "—": nothing read until the user looks for a project
    _fill(qtbot, dialog, "D-1")
    dialog.project.setFocus()
    qtbot.keyClicks(dialog.project.lineEdit(), "mawasu")
    popup = dialog.project.completer_.popup()
    qtbot.waitUntil(lambda: popup.isVisible())  # after the typing pause
    texts = dialog.project.result_texts()
    assert texts[0] == "LA-2018-MAWASU2 ラオス水道公社事業管理能力向上"  # the active one first
    assert len(texts) == 2 and texts[1].startswith("LA-2010-MAWASU1 ラオス水道事業管理能力向上")
    index = popup.model().index(0, 0)  # the completer shows its own (proxy) model
    qtbot.mouseClick(popup.viewport(), Qt.MouseButton.LeftButton, pos=popup.visualRect(index).center())
    qtbot.waitUntil(lambda: not popup.isVisible())
    assert dialog.project.currentText() == "LA-2018-MAWASU2 ラオス水道公社事業管理能力向上"
    _add_staff(qtbot, dialog, "川崎")
    _save(qtbot, dialog)
    assert dialog.saved_id is not None, dialog.field_error.text()
    assert _saved(db, "D-1").project_id == _project_id(db, "LA-2018-MAWASU2")


def test_keyboard_only_and_text_that_is_no_choice(qtbot: QtBot, db: Database, english: None) -> None:
    dialog = DispatchDialog(db.session)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    _fill(qtbot, dialog, "D-2")
    dialog.project.setFocus()
    qtbot.keyClicks(dialog.project.lineEdit(), "BRVT")
    popup = dialog.project.completer_.popup()
    qtbot.waitUntil(lambda: popup.isVisible())
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert dialog.project.currentData() == _project_id(db, "VN-2019-BRVT")
    # typing something that is no project, then leaving the field: the chosen project's text comes back
    dialog.project.lineEdit().selectAll()
    qtbot.keyClicks(dialog.project.lineEdit(), "nothing like this")
    dialog.code.setFocus()
    qtbot.waitUntil(lambda: dialog.project.currentText().startswith("VN-2019-BRVT"))
    assert dialog.project.currentData() == _project_id(db, "VN-2019-BRVT")
    # one match typed and Enter pressed before the popup came: that project is chosen
    dialog.project.setFocus()
    dialog.project.lineEdit().selectAll()
    qtbot.keyClicks(dialog.project.lineEdit(), "MAWASU1")
    qtbot.keyClick(dialog.project.lineEdit(), Qt.Key.Key_Return)
    assert dialog.project.currentData() == _project_id(db, "LA-2010-MAWASU1")
    assert dialog.project.currentText() == "LA-2010-MAWASU1 ラオス水道事業管理能力向上 (Completed)"
    # cleared: no project
    dialog.project.lineEdit().selectAll()
    qtbot.keyClick(dialog.project.lineEdit(), Qt.Key.Key_Backspace)
    qtbot.keyClick(dialog.project.lineEdit(), Qt.Key.Key_Return)
    assert dialog.project.currentData() is None
    assert dialog.saved_id is None and dialog.isVisible()  # Enter in the field chose; it did not save
    _add_staff(qtbot, dialog, "川崎")
    _save(qtbot, dialog)
    assert dialog.saved_id is not None, dialog.field_error.text()
    assert _saved(db, "D-2").project_id is None


def test_a_completed_project_and_the_list_of_the_combo(qtbot: QtBot, db: Database, english: None) -> None:
    old = _project_id(db, "LA-2010-MAWASU1")
    with db.session() as s:
        staff = s.scalars(select(svc.Staff).where(svc.Staff.staff_no == "K2")).one()
        d = svc.save_dispatch(
            s, None, None,
            {"code": "D-OLD", "title": "昔の派遣", "purpose": DispatchPurpose.SHORT_TERM_EXPERT, "country": "LA",
             "timezone": "Asia/Vientiane", "departure_on": date(2012, 5, 1), "return_on": date(2012, 5, 9),
             "project_id": old},
            [svc.MemberSpec(staff_id=staff.id)],
        )  # fmt: skip
        svc.update_staff(s, staff.id, staff.version, active=False)  # 多摩 left the office since
        s.commit()
        dispatch_id = d.id
    dialog = DispatchDialog(db.session, dispatch_id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.project.currentText() == "LA-2010-MAWASU1 ラオス水道事業管理能力向上"
    assert dialog.member_table.item(0, 0).text() == "多摩 花子"  # an inactive member stays
    # the arrow opens the first projects, active ones first, the completed one still chosen
    dialog.project.showPopup()
    texts = [dialog.project.itemText(i) for i in range(dialog.project.count())]
    assert texts[0] == "" and texts.index("LA-2018-MAWASU2 ラオス水道公社事業管理能力向上") > 0
    assert dialog.project.currentData() == old
    dialog.project.hidePopup()
    dialog.city.setText("Vientiane")
    _save(qtbot, dialog)
    assert dialog.saved_id == dispatch_id, dialog.field_error.text()
    saved = _saved(db, "D-OLD")
    assert (saved.project_id, saved.city) == (old, "Vientiane")


def test_staff_typed_note_languages_and_partner(
    qtbot: QtBot, db: Database, english: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dialog_module, "STAFF_LIMIT", 2)
    sent: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    dialog = DispatchDialog(db.session)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not any("DISTINCT staff_languages" in sql for sql in sent)  # the language filter is read when used
    assert dialog.staff_list.count() == 2
    assert dialog.staff_note.isVisible()
    assert dialog.staff_note.text() == "2 of 3 staff shown: type a name to find the others."
    qtbot.keyClicks(dialog.staff_search, "k2")  # a staff number (QTest types ASCII only)
    qtbot.waitUntil(lambda: dialog.staff_list.count() == 1)
    assert dialog.staff_list.item(0).text().startswith("多摩")
    assert not dialog.staff_note.isVisible()
    _add_staff(qtbot, dialog, "多摩")
    dialog.staff_search.clear()
    dialog.refresh_staff()
    # the language filter reads the languages when opened
    dialog.language_filter.showPopup()
    assert dialog.language_filter.itemText(1) == "Lao"
    dialog.language_filter.hidePopup()
    dialog.language_filter.setCurrentIndex(1)
    assert [dialog.staff_list.item(i).text() for i in range(dialog.staff_list.count())] == ["川崎 花子"]
    _add_staff(qtbot, dialog, "川崎")
    # a partner's person: typed, picked
    dialog.contact_box.setFocus()
    qtbot.keyClicks(dialog.contact_box.lineEdit(), "tanaka")
    qtbot.waitUntil(lambda: dialog.contact_box.result_texts() == ["Tanaka Ichiro (水道機工)"])
    dialog.contact_box.pick_result(0)
    qtbot.mouseClick(
        next(b for b in dialog.findChildren(QPushButton) if b.text() == "Add partner's person"),
        Qt.MouseButton.LeftButton,
    )
    names = [dialog.member_table.item(r, 0).text() for r in range(dialog.member_table.rowCount())]
    assert names == ["多摩 花子", "川崎 花子", "Tanaka Ichiro (水道機工) (partner)"]
    _fill(qtbot, dialog, "D-3")
    _save(qtbot, dialog)
    assert dialog.saved_id is not None, dialog.field_error.text()
    with db.session() as s:
        members = svc.dispatch_for_edit(s, dialog.saved_id).members
        assert sorted((m.staff.family_name if m.staff else m.contact.family_name) for m in members) == [  # type: ignore[union-attr]
            "Tanaka",
            "多摩",
            "川崎",
        ]


def test_reopened_dispatch_shows_the_recorded_override(qtbot: QtBot, db: Database, english: None) -> None:
    with db.session() as s:
        staff = s.scalars(select(svc.Staff).where(svc.Staff.staff_no == "K1")).one()
        values = {"purpose": DispatchPurpose.SURVEY, "country": "LA", "timezone": "Asia/Vientiane",
                  "departure_on": date(2026, 9, 1), "return_on": date(2026, 9, 9)}  # fmt: skip
        svc.save_dispatch(s, None, None, {"code": "D-A", "title": "A", **values}, [svc.MemberSpec(staff.id)])
        second = svc.save_dispatch(s, None, None, {"code": "D-B", "title": "B", **values},
                                   [svc.MemberSpec(staff.id)], override_reason="JICA asked for both")  # fmt: skip
        s.commit()
        second_id = second.id
    dialog = DispatchDialog(db.session, second_id)
    qtbot.addWidget(dialog)
    texts = dialog.issue_texts()
    assert any(t.startswith("Conflict:") and "D-A" in t and "Overridden by tester: JICA asked for both" in t
               for t in texts), texts  # fmt: skip
