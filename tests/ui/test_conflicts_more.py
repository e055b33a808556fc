"""Edit conflicts in the remaining edit dialogs (booking, facility, course, staff, project, local need): a save that
hits StaleEditError opens the conflict dialog with the user's and the current values field by field; nothing is
written before the user chose, the saved row holds the chosen merge, and "Back to editing" keeps the user's edits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QRadioButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session

from kawaoffice import i18n
from kawaoffice.model.dispatch import LanguageLevel, Skill, Staff
from kawaoffice.model.partners import Technology
from kawaoffice.model.projects import Project
from kawaoffice.model.tours import Booking, Facility
from kawaoffice.model.users import Role
from kawaoffice.services import dispatch as dsvc
from kawaoffice.services import projects as psvc
from kawaoffice.services import tours, users
from kawaoffice.storage import Database
from kawaoffice.storage.database import make_session_factory
from kawaoffice.ui.dispatch.staff import StaffDialog
from kawaoffice.ui.projects.dialogs import ProjectDialog
from kawaoffice.ui.projects.needs_dialog import NeedDialog
from kawaoffice.ui.tours.dialog import BookingDialog
from kawaoffice.ui.tours.manage import CourseEditor, FacilityEditor
from kawaoffice.ui.widgets.conflict_dialog import ConflictDialog, Outcome, Side

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


def _conflict(qtbot: QtBot, dialog: Any) -> ConflictDialog:
    conflict = dialog.conflict
    assert isinstance(conflict, ConflictDialog)
    qtbot.waitUntil(conflict.isVisible)
    assert "ken" in conflict.findChild(QLabel, "conflict_intro").text()
    return conflict


def _click(qtbot: QtBot, conflict: ConflictDialog, key: str, side: Side) -> None:
    button = conflict.findChild(QRadioButton, f"{key}_{side.value}")
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert conflict.choice(key) is side


# --- facilities and courses ------------------------------------------------------------------------------------


def test_facility_editor_merges_per_field(
    qtbot: QtBot, gui_db: Database, colleague: Session, english: None
) -> None:
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
    qtbot: QtBot, gui_db: Database, colleague: Session, english: None
) -> None:
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
    qtbot: QtBot, gui_db: Database, colleague: Session, english: None
) -> None:
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


# --- bookings --------------------------------------------------------------------------------------------------


def _span(start: tuple[int, int], end: tuple[int, int]) -> str:
    """How the conflict dialog shows a part's local times on 12 May 2026."""
    first, last = (datetime(2026, 5, 12, h, m, tzinfo=JST) for h, m in (start, end))
    return f"{i18n.format_time(first)}–{i18n.format_time(last)}"


def _booking(qtbot: QtBot, gui_db: Database, code: str) -> BookingDialog:
    booking_id = _id(gui_db, select(Booking.id).where(Booking.code == code))
    dialog = BookingDialog(gui_db.session, booking_id)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _save_booking(qtbot: QtBot, dialog: BookingDialog) -> None:
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    qtbot.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)


def test_booking_dialog_merges_fields_and_parts(
    qtbot: QtBot, gui_db: Database, colleague: Session, english: None
) -> None:
    dialog = _booking(qtbot, gui_db, "B-1")
    booking_id = dialog.booking_id
    assert booking_id is not None
    dialog.group_name.setText("JICA研修員（上水道・浄水）")
    dialog.headcount.setValue(15)
    dialog.transport.setText("市の送迎バス")
    dialog.reason.setText("研修日程のため")
    # meanwhile ken renames the group and moves the Iriezaki part an hour later
    b = tours.get_booking(colleague, booking_id)
    tours.update_booking(colleague, booking_id, b.version, group_name="JICA研修員（上水道）2026年度")
    iriezaki = next(seg for seg in b.segments if seg.starts_at.astimezone(JST).hour == 13)
    tours.update_segment(
        colleague, iriezaki.id, iriezaki.version, override_reason="先方都合",
        starts_at=datetime(2026, 5, 12, 14, 0, tzinfo=JST), ends_at=datetime(2026, 5, 12, 16, 0, tzinfo=JST),
    )  # fmt: skip
    colleague.commit()

    _save_booking(qtbot, dialog)
    conflict = _conflict(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.issues.text() == "Someone else changed this record: choose which values to keep."
    assert sorted(conflict.differing_keys()) == ["group_name", "headcount", "segments", "transport_notes"]
    assert conflict.row_texts("group_name") == (
        "JICA研修員（上水道）",
        "JICA研修員（上水道・浄水）",
        "JICA研修員（上水道）2026年度",
    )
    assert conflict.row_texts("headcount") == ("12", "15", "12")
    original, mine, theirs = conflict.row_texts("segments")
    assert original == mine and "入江崎水処理センター" in mine and _span((13, 0), (15, 0)) in mine
    assert _span((14, 0), (16, 0)) in theirs and _span((13, 0), (15, 0)) not in theirs
    assert [conflict.choice(k) for k in ("group_name", "headcount", "segments", "transport_notes")] == [
        Side.MINE,  # both changed it: mine unless the user says otherwise
        Side.MINE,
        Side.THEIRS,  # only ken moved the part
        Side.MINE,
    ]
    with gui_db.session() as s:
        assert tours.get_booking(s, booking_id).headcount == 12  # nothing written while the user chooses
    _click(qtbot, conflict, "group_name", Side.THEIRS)
    qtbot.mouseClick(conflict.merge_button, Qt.MouseButton.LeftButton)
    assert conflict.outcome is Outcome.MERGE
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.result() == BookingDialog.DialogCode.Accepted
    with gui_db.session() as s:
        saved = tours.get_booking(s, booking_id)
        assert (saved.group_name, saved.headcount, saved.transport_notes) == (
            "JICA研修員（上水道）2026年度",
            15,
            "市の送迎バス",
        )
        assert sorted(
            (seg.starts_at.astimezone(JST).hour, seg.ends_at.astimezone(JST).hour) for seg in saved.segments
        ) == [
            (0, 11),
            (14, 16),
        ]
        assert saved.updated_by == "tester"


def test_booking_back_to_editing_keeps_the_edits_and_keep_all_mine_brings_a_deleted_part_back(
    qtbot: QtBot, gui_db: Database, colleague: Session, english: None
) -> None:
    dialog = _booking(qtbot, gui_db, "B-1")
    booking_id = dialog.booking_id
    assert booking_id is not None
    iriezaki_row = next(r for r in dialog.rows if r.start.time().hour() == 13)
    iriezaki_row.end.setTime(iriezaki_row.end.time().addSecs(30 * 60))  # 13:00–15:30
    dialog.interests.setText("浄水処理")
    dialog.reason.setText("研修日程のため")
    # ken deletes the Iriezaki part the user is changing
    b = tours.get_booking(colleague, booking_id)
    iriezaki = next(seg for seg in b.segments if seg.starts_at.astimezone(JST).hour == 13)
    tours.delete_segment(colleague, iriezaki.id, iriezaki.version)
    colleague.commit()

    _save_booking(qtbot, dialog)
    first = _conflict(qtbot, dialog)
    assert first.differing_keys() == ["interests", "segments"]
    assert (
        _span((13, 0), (15, 30)) in first.row_texts("segments")[1]
        and "入江崎" not in first.row_texts("segments")[2]
    )
    qtbot.mouseClick(first.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert not first.isVisible() and dialog.isVisible()
    assert dialog.interests.text() == "浄水処理" and len(dialog.rows) == 2
    assert iriezaki_row.end.time().toString("HH:mm") == "15:30"
    with gui_db.session() as s:
        assert len(tours.get_booking(s, booking_id).segments) == 1

    _save_booking(qtbot, dialog)
    second = _conflict(qtbot, dialog)
    assert second is not first
    qtbot.mouseClick(second.keep_mine_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    with gui_db.session() as s:
        saved = tours.get_booking(s, booking_id)
        assert saved.interests == "浄水処理"
        assert sorted(
            (seg.starts_at.astimezone(JST).strftime("%H:%M"), seg.ends_at.astimezone(JST).strftime("%H:%M"))
            for seg in saved.segments
        ) == [
            ("00:30", "11:00"),
            ("13:00", "15:30"),
        ]


# --- projects and local needs ----------------------------------------------------------------------------------

PROJECT_FIELDS = (
    "id", "version", "code", "title_ja", "title_en", "scheme_id", "country", "region", "counterpart_id",
    "lead_staff_id", "start_on", "end_on", "budget_yen", "description", "next_action", "next_action_on",
)  # fmt: skip


def _project_dialog(qtbot: QtBot, gui_db: Database, code: str) -> tuple[ProjectDialog, int]:
    """The project dialog as the Projects tab opens it for editing, with the session provider for conflicts."""
    project_id = _id(gui_db, select(Project.id).where(Project.code == code))
    with gui_db.session() as s:
        p = psvc.get_project(s, project_id)
        initial: dict[str, Any] = {name: getattr(p, name) for name in PROJECT_FIELDS}
        initial["sdg_targets"] = [t.target for t in p.sdg_targets]
        initial["sectors"] = {sector.dac_code: sector.percentage for sector in p.sectors}
        staff, orgs = psvc.staff_choices(s), psvc.organization_choices(s)

    def save(values: dict[str, Any]) -> None:
        targets, sectors = values.pop("sdg_targets"), values.pop("sectors")
        with gui_db.session() as session:
            psvc.update_project(session, project_id, initial["version"], **values)
            psvc.set_sdg_targets(session, project_id, targets)
            psvc.set_sectors(session, project_id, sectors)

    dialog = ProjectDialog(
        schemes=[], staff=staff, organizations=orgs, initial=initial, save=save, sessions=gui_db.session
    )
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog, project_id


def _ok(qtbot: QtBot, dialog: Any) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def test_project_dialog_merges_per_field(
    qtbot: QtBot, gui_db: Database, colleague: Session, english: None
) -> None:
    dialog, project_id = _project_dialog(qtbot, gui_db, "P-001")
    dialog.title_en.setText("Laos MaWaSU phase 2")
    dialog.budget.setValue(30_000_000)
    dialog.sdg["6.1"].setChecked(True)
    # meanwhile ken renames it too and fills in the region and the next action
    p = psvc.get_project(colleague, project_id)
    psvc.update_project(
        colleague,
        project_id,
        p.version,
        title_en="Laos MaWaSU 2",
        region="ビエンチャン",
        next_action="報告書提出",
    )
    colleague.commit()

    _ok(qtbot, dialog)
    conflict = _conflict(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.error.text() == "Someone else changed this record: choose which values to keep."
    assert sorted(conflict.differing_keys()) == [
        "budget_yen",
        "next_action",
        "region",
        "sdg_targets",
        "title_en",
    ]
    assert conflict.row_texts("title_en") == ("Laos MaWaSU2", "Laos MaWaSU phase 2", "Laos MaWaSU 2")
    assert conflict.row_texts("budget_yen") == ("", i18n.format_yen(30_000_000), "")
    assert conflict.row_texts("sdg_targets") == ("", "6.1", "")
    assert [conflict.choice(k) for k in ("title_en", "budget_yen", "region", "next_action")] == [
        Side.MINE,
        Side.MINE,
        Side.THEIRS,
        Side.THEIRS,
    ]
    with gui_db.session() as s:
        assert psvc.get_project(s, project_id).budget_yen is None  # nothing written while the user chooses
    _click(qtbot, conflict, "title_en", Side.THEIRS)
    _click(qtbot, conflict, "next_action", Side.MINE)  # the user keeps the empty next action
    qtbot.mouseClick(conflict.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.result() == ProjectDialog.DialogCode.Accepted
    with gui_db.session() as s:
        saved = psvc.get_project(s, project_id)
        assert (saved.title_en, saved.budget_yen, saved.region, saved.next_action) == (
            "Laos MaWaSU 2",
            30_000_000,
            "ビエンチャン",
            "",
        )
        assert [t.target for t in saved.sdg_targets] == ["6.1"]
        assert saved.updated_by == "tester"


def test_project_back_to_editing_keeps_the_edits_then_take_all_theirs(
    qtbot: QtBot, gui_db: Database, colleague: Session, english: None
) -> None:
    dialog, project_id = _project_dialog(qtbot, gui_db, "P-001")
    dialog.region.setText("ルアンパバーン")
    dialog.description.setPlainText("水道公社の能力強化")
    p = psvc.get_project(colleague, project_id)
    psvc.update_project(colleague, project_id, p.version, region="ビエンチャン")
    colleague.commit()

    _ok(qtbot, dialog)
    first = _conflict(qtbot, dialog)
    assert first.row_texts("region") == ("", "ルアンパバーン", "ビエンチャン")
    qtbot.mouseClick(first.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert (dialog.region.text(), dialog.description.toPlainText()) == (
        "ルアンパバーン",
        "水道公社の能力強化",
    )
    with gui_db.session() as s:
        assert psvc.get_project(s, project_id).description == ""
    _ok(qtbot, dialog)
    second = _conflict(qtbot, dialog)
    assert second is not first
    qtbot.mouseClick(second.take_theirs_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    with gui_db.session() as s:
        saved = psvc.get_project(s, project_id)
        # "take all theirs" takes theirs where the two differ; the description only the user changed is theirs too
        assert (saved.region, saved.description) == ("ビエンチャン", "")


def test_project_dialog_without_sessions_still_refuses_a_stale_save(
    qtbot: QtBot, gui_db: Database, colleague: Session, english: None
) -> None:
    dialog, project_id = _project_dialog(qtbot, gui_db, "P-001")
    dialog.sessions = None  # a caller that does not offer conflict resolution
    dialog.region.setText("ルアンパバーン")
    p = psvc.get_project(colleague, project_id)
    psvc.update_project(colleague, project_id, p.version, region="ビエンチャン")
    colleague.commit()
    _ok(qtbot, dialog)
    assert dialog.conflict is None and dialog.isVisible()
    assert "Someone else changed this record" in dialog.error.text()
    with gui_db.session() as s:
        assert psvc.get_project(s, project_id).region == "ビエンチャン"


def test_need_dialog_merges_fields_and_technologies(
    qtbot: QtBot, gui_db: Database, colleague: Session, english: None
) -> None:
    with gui_db.session() as s:
        membrane = int(s.scalar(select(Technology.id).where(Technology.code == "membrane")) or 0)
        leak = int(s.scalar(select(Technology.id).where(Technology.code == "leak")) or 0)
        need = psvc.create_local_need(
            s, country="LA", topic="無収水対策", learned_on=date(2026, 4, 10), technology_ids=[leak]
        )
        initial: dict[str, Any] = {
            "id": need.id, "version": need.version, "country": "LA", "counterpart_id": None, "project_id": None,
            "topic": need.topic, "dac_code": None, "source": need.source.value, "learned_on": need.learned_on,
            "passed_on": None, "technology_ids": [leak], "description": "",
        }  # fmt: skip
        need_id = need.id
        orgs = psvc.organization_choices(s)
    techs = [
        psvc.Choice(leak, "漏水探知", "Leak detection"),
        psvc.Choice(membrane, "膜ろ過", "Membrane filtration"),
    ]

    def save(values: dict[str, Any]) -> None:  # as the needs view saves it
        technology_ids = values.pop("technology_ids")
        with gui_db.session() as session:
            psvc.update_local_need(session, need_id, initial["version"], **values)
            psvc.set_need_technologies(session, need_id, technology_ids)

    dialog = NeedDialog(
        organizations=orgs,
        projects=[],
        technologies=techs,
        initial=initial,
        save=save,
        sessions=gui_db.session,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.description.setPlainText("配水管の漏水が多い")
    dialog.set_technology(membrane)
    current = psvc.get_local_need(colleague, need_id)
    psvc.update_local_need(
        colleague, need_id, current.version, topic="無収水削減", passed_on=date(2026, 5, 1)
    )
    colleague.commit()

    _ok(qtbot, dialog)
    conflict = _conflict(qtbot, dialog)
    assert sorted(conflict.differing_keys()) == ["description", "passed_on", "technology_ids", "topic"]
    assert conflict.row_texts("technology_ids")[1:] == (
        i18n.format_list(["Leak detection", "Membrane filtration"]),
        "Leak detection",
    )
    assert [conflict.choice(k) for k in ("description", "passed_on", "technology_ids", "topic")] == [
        Side.MINE,
        Side.THEIRS,
        Side.MINE,
        Side.THEIRS,
    ]
    qtbot.mouseClick(conflict.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    with gui_db.session() as s:
        saved = psvc.get_local_need(s, need_id)
        assert (saved.topic, saved.description, saved.passed_on) == (
            "無収水削減",
            "配水管の漏水が多い",
            date(2026, 5, 1),
        )
        assert sorted(t.technology_id for t in saved.technologies) == sorted([leak, membrane])
