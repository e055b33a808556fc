"""Edit conflicts in the remaining edit dialogs (booking, facility, course, staff, project, local need): a save that
hits StaleEditError opens the conflict dialog with the user's and the current values field by field; nothing is
written before the user chose, the saved row holds the chosen merge, and "Back to editing" keeps the user's edits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QRadioButton
from sqlalchemy import select
from sqlalchemy.orm import Session

from kawaoffice.model.dispatch import LanguageLevel, Skill, Staff
from kawaoffice.model.tours import Facility
from kawaoffice.model.users import Role
from kawaoffice.services import dispatch as dsvc
from kawaoffice.services import tours, users
from kawaoffice.storage import Database
from kawaoffice.storage.database import make_session_factory
from kawaoffice.ui.dispatch.staff import StaffDialog
from kawaoffice.ui.tours.manage import CourseEditor, FacilityEditor
from kawaoffice.ui.widgets.conflict_dialog import ConflictDialog, Side

JST = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def colleague(gui_db: Database) -> Iterator[Session]:
    """A session of another user, ken (an administrator, so he may change facilities too), on the same database."""
    with gui_db.session() as s:
        users.ensure_user(s, "tester")
        users.add_user(s, "ken", Role.ADMIN)
    with make_session_factory(gui_db.engine, user="ken")() as s:
        yield s


def _id(gui_db: Database, statement: Any) -> int:
    with gui_db.session() as s:
        return int(s.scalar(statement) or 0)


def _conflict(qtbot, dialog: Any) -> ConflictDialog:  # type: ignore[no-untyped-def]
    conflict = dialog.conflict
    assert conflict is not None
    qtbot.waitUntil(conflict.isVisible)
    assert "ken" in conflict.findChild(QLabel, "conflict_intro").text()
    return conflict


def _click(qtbot, conflict: ConflictDialog, key: str, side: Side) -> None:  # type: ignore[no-untyped-def]
    button = conflict.findChild(QRadioButton, f"{key}_{side.value}")
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert conflict.choice(key) is side


# --- facilities and courses ------------------------------------------------------------------------------------


def test_facility_editor_merges_per_field(qtbot, gui_db: Database, colleague: Session, english: None) -> None:  # type: ignore[no-untyped-def]
    nagasawa = _id(gui_db, select(Facility.id).where(Facility.code == "nagasawa"))
    editor = FacilityEditor(gui_db.session, nagasawa)
    qtbot.addWidget(editor)
    editor.show()
    editor.capacity.setValue(100)
    editor.edits["hall_name_ja"].setText("管理本館")
    f = tours.get_facility(colleague, nagasawa)
    tours.update_facility(colleague, nagasawa, f.version, capacity=90, map_note="正門から入る")
    colleague.commit()

    editor._on_save()
    conflict = _conflict(qtbot, editor)
    assert editor.isVisible()
    assert sorted(conflict.differing_keys()) == ["capacity", "hall_name_ja", "map_note"]
    assert conflict.row_texts("capacity") == ("80", "100", "90")
    assert [conflict.choice(k) for k in ("capacity", "hall_name_ja", "map_note")] == [
        Side.MINE,
        Side.MINE,
        Side.THEIRS,
    ]
    with gui_db.session() as s:
        assert tours.get_facility(s, nagasawa).capacity == 90  # nothing written while the user chooses
    _click(qtbot, conflict, "capacity", Side.THEIRS)
    qtbot.mouseClick(conflict.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.isVisible())
    with gui_db.session() as s:
        saved = tours.get_facility(s, nagasawa)
        assert (saved.capacity, saved.hall_name_ja, saved.map_note) == (90, "管理本館", "正門から入る")


def test_course_editor_merges_fields_and_stops(
    qtbot, gui_db: Database, colleague: Session, english: None
) -> None:  # type: ignore[no-untyped-def]
    nagasawa = _id(gui_db, select(Facility.id).where(Facility.code == "nagasawa"))
    with gui_db.session() as s:
        course = tours.create_course(
            s,
            facility_id=nagasawa,
            code="std",
            name_ja="標準コース",
            duration_min=90,
            min_group=1,
            max_group=40,
        )
        for position, name in enumerate(("着水井", "沈殿池", "ろ過池"), start=1):
            tours.add_course_stop(s, course_id=course.id, position=position, name_ja=name, minutes=20)
        course_id = course.id
    editor = CourseEditor(gui_db.session, nagasawa, course_id)
    qtbot.addWidget(editor)
    editor.show()
    editor.duration.setValue(120)
    # ken renames the course and drops the second stop
    theirs = tours.get_course(colleague, course_id)
    tours.update_course(colleague, course_id, theirs.version, name_en="Standard course")
    middle = theirs.stops[1]
    tours.delete_course_stop(colleague, middle.id, middle.version)
    colleague.commit()

    editor._on_save()
    conflict = _conflict(qtbot, editor)
    assert sorted(conflict.differing_keys()) == ["duration_min", "name_en", "stops"]
    assert conflict.row_texts("duration_min") == ("90 min", "120 min", "90 min")
    assert "沈殿池" in conflict.row_texts("stops")[1] and "沈殿池" not in conflict.row_texts("stops")[2]
    assert [conflict.choice(k) for k in ("duration_min", "name_en", "stops")] == [
        Side.MINE,
        Side.THEIRS,
        Side.THEIRS,
    ]
    _click(qtbot, conflict, "stops", Side.MINE)  # keep my three stops: the dropped one comes back
    qtbot.mouseClick(conflict.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.isVisible())
    with gui_db.session() as s:
        saved = tours.get_course(s, course_id)
        assert (saved.duration_min, saved.name_en) == (120, "Standard course")
        assert [t.name_ja for t in saved.stops] == ["着水井", "沈殿池", "ろ過池"]


# --- staff -----------------------------------------------------------------------------------------------------


def test_staff_dialog_merges_fields_languages_and_skills(
    qtbot, gui_db: Database, colleague: Session, english: None
) -> None:  # type: ignore[no-untyped-def]
    yamada = _id(gui_db, select(Staff.id).where(Staff.staff_no == "1001"))
    dialog = StaffDialog(gui_db.session, yamada)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.phone.setText("044-200-3000")
    dialog.skill_boxes[Skill.WATER_QUALITY].setChecked(True)
    st = dsvc.get_staff(colleague, yamada)
    dsvc.update_staff(colleague, yamada, st.version, department="上下水道局", phone="044-200-9999")
    dsvc.set_staff_language(colleague, yamada, "vi", LanguageLevel.CONVERSATIONAL)
    colleague.commit()

    dialog.save()
    conflict = _conflict(qtbot, dialog)
    assert dialog.isVisible()
    assert sorted(conflict.differing_keys()) == ["department", "languages", "phone", "skills"]
    assert conflict.row_texts("phone") == ("", "044-200-3000", "+81442009999")
    assert "Vietnamese" in conflict.row_texts("languages")[2]
    assert conflict.choice("phone") is Side.MINE and conflict.choice("languages") is Side.THEIRS
    # back to editing: nothing saved, the edits are still there; saving again asks again
    conflict.reject()
    assert dialog.isVisible() and dialog.phone.text() == "044-200-3000"
    assert dialog.error.text() == "Someone else changed this record: choose which values to keep."
    dialog.save()
    again = _conflict(qtbot, dialog)
    assert again is not conflict
    qtbot.mouseClick(again.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    with gui_db.session() as s:
        saved = dsvc.get_staff(s, yamada)
        assert (saved.phone, saved.department) == ("+81442003000", "上下水道局")
        assert [lang.language for lang in saved.languages] == ["vi"]
        assert [sk.skill for sk in saved.skills] == [Skill.WATER_QUALITY]
