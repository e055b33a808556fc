"""Facilities dialog (add a facility, weekly hours, courses with ordered stops) and the presenters of a booking,
driven through the real widgets on the demo data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from kawaoffice.model.tours import Booking, Facility
from kawaoffice.services import tours
from kawaoffice.services.demo import load_demo
from kawaoffice.storage import Database, open_database
from kawaoffice.ui.tours.dialog import BookingDialog
from kawaoffice.ui.tours.manage import HOURS_CLOSED, HOURS_OPEN, FacilitiesDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def demo_db(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'tours.sqlite3'}", "tester")
    with db.session() as s:
        load_demo(s)
    yield db
    db.dispose()


@pytest.fixture
def facilities(qtbot, demo_db: Database, english: None) -> FacilitiesDialog:
    dialog = FacilitiesDialog(demo_db.session)
    qtbot.addWidget(dialog)
    return dialog


def test_add_facility_with_hours_course_and_stops(facilities: FacilitiesDialog, demo_db: Database) -> None:
    editor = facilities.facility_editor(None)
    editor.edits["code"].setText("TESTPLANT")
    editor.edits["name_ja"].setText("テスト浄水場")
    editor.edits["name_en"].setText("Test Water Purification Plant")
    editor.edits["meeting_point_ja"].setText("管理本館1階ロビー")
    editor.capacity.setValue(30)
    # a refusal keeps the edits and names the problem
    editor.edits["timezone"].setText("Mars/Olympus")
    assert not editor.save()
    assert editor.error.text() and editor.edits["name_ja"].text() == "テスト浄水場"
    editor.edits["timezone"].setText("Asia/Tokyo")
    assert editor.save(), editor.error.text()
    facilities.reload(editor.saved_id)
    assert "テスト浄水場" in facilities.facility_names()
    assert facilities.list.currentItem().text() == "テスト浄水場"

    # weekly hours: Monday 9:00-16:30, Sunday closed; closing before opening is refused with a message
    facilities.hour_state[0].setCurrentIndex(facilities.hour_state[0].findData(HOURS_OPEN))
    facilities.hour_opens[0].setTime(QTime(9, 0))
    facilities.hour_closes[0].setTime(QTime(16, 30))
    facilities.hour_state[6].setCurrentIndex(facilities.hour_state[6].findData(HOURS_CLOSED))
    assert not facilities.hour_opens[6].isEnabled()
    assert facilities.save_hours()

    # a course with two stops, the second added first and moved up
    course = facilities.course_editor(None)
    assert course is not None
    course.edits["code"].setText("STD")
    course.edits["name_ja"].setText("標準コース")
    course.edits["name_en"].setText("Standard course")
    course.edits["languages"].setText("ja, en")
    course.duration.setValue(60)
    course.min_group.setValue(2)
    course.max_group.setValue(25)
    course.add_stop("ろ過池", "Filter beds", 20)
    course.add_stop("中央監視室", "Control room", 15)
    course.move_stop(-1)
    assert [r[0] for r in course.stop_rows()] == ["中央監視室", "ろ過池"]
    assert course.save(), course.error.text()
    facilities.show_facility()
    texts = [facilities.courses.item(r).text() for r in range(facilities.courses.count())]
    assert texts == ["標準コース: 60 min, groups of 2–25 — 中央監視室 → ろ過池"]

    with demo_db.session() as s:
        f = s.scalars(select(Facility).where(Facility.code == "TESTPLANT")).one()
        assert (f.capacity, f.meeting_point_ja) == (30, "管理本館1階ロビー")
        assert [(w.weekday, w.closed, w.opens and f"{w.opens:%H:%M}") for w in f.weekdays] == [
            (0, False, "09:00"), (6, True, None),
        ]  # fmt: skip
        [c] = f.courses
        assert (c.duration_min, c.min_group, c.max_group, c.languages) == (60, 2, 25, ["ja", "en"])
        assert [(st.position, st.name_ja, st.minutes) for st in c.stops] == [
            (1, "中央監視室", 15),
            (2, "ろ過池", 20),
        ]
        course_id = c.id

    # edit: remove the first stop; the hours survive a reload of the dialog
    again = facilities.course_editor(course_id)
    assert again is not None and again.stops.rowCount() == 2
    again.stops.setCurrentCell(0, 0)
    again.remove_stop()
    assert again.save(), again.error.text()
    with demo_db.session() as s:
        assert [st.name_ja for st in tours.get_course(s, course_id).stops] == ["ろ過池"]
    assert facilities.hour_state[6].currentData() == HOURS_CLOSED

    # delete after confirming
    facilities.show_facility()
    facilities.courses.setCurrentRow(0)
    facilities.confirm = lambda _text: True  # type: ignore[method-assign]
    facilities.delete_course()
    assert facilities.courses.count() == 0


def test_invalid_hours_are_refused_with_the_message(
    facilities: FacilitiesDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: shown.append(text))
    facilities.hour_state[1].setCurrentIndex(facilities.hour_state[1].findData(HOURS_OPEN))
    facilities.hour_opens[1].setTime(QTime(17, 0))
    facilities.hour_closes[1].setTime(QTime(9, 0))
    assert not facilities.save_hours()
    assert shown == ["The closing time must be after the opening time."]


def test_presenters_are_added_saved_and_removed(qtbot, demo_db: Database, english: None) -> None:
    with demo_db.session() as s:
        booking = s.scalars(select(Booking).where(Booking.interests == "汚泥処理、管路維持管理")).one()
        booking_id, before = booking.id, {p.organization_id for p in booking.presenters}
    dialog = BookingDialog(demo_db.session, booking_id)
    qtbot.addWidget(dialog)
    assert dialog.presenter_choice.count() > 0
    assert "Member companies that could present" in dialog.presenters.text()
    for org_id in before:  # start from no presenters
        dialog.presenter_list.setCurrentRow(dialog.presenter_ids().index(org_id))
        dialog.remove_presenter()
    assert dialog.presenter_ids() == [] and not dialog.remove_presenter_button.isEnabled()
    dialog.presenter_choice.setCurrentIndex(0)
    chosen_id, chosen_name, _topic = dialog.presenter_choice.currentData()
    qtbot.mouseClick(dialog.add_presenter_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.add_presenter_button, Qt.MouseButton.LeftButton)  # twice: listed once
    assert dialog.presenter_ids() == [chosen_id]
    assert dialog.presenter_names()[0].startswith(chosen_name)
    dialog.reason.setText("テスト")
    assert dialog.save(), dialog.issues.text()
    with demo_db.session() as s:
        saved = [(p.organization_id, p.topic) for p in s.get(Booking, booking_id).presenters]  # type: ignore[union-attr]
    assert [org for org, _t in saved] == [chosen_id] and saved[0][1]

    # the edit dialog shows it again; removing it and saving deletes it
    again = BookingDialog(demo_db.session, booking_id)
    qtbot.addWidget(again)
    assert again.presenter_ids() == [chosen_id]
    again.presenter_list.setCurrentRow(0)
    qtbot.mouseClick(again.remove_presenter_button, Qt.MouseButton.LeftButton)
    again.reason.setText("テスト")
    assert again.save(), again.issues.text()
    with demo_db.session() as s:
        assert s.get(Booking, booking_id).presenters == []  # type: ignore[union-attr]


def test_deleting_a_facility_with_bookings_is_refused(
    facilities: FacilitiesDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: shown.append(text))
    asked: list[str] = []
    facilities.confirm = lambda text: asked.append(text) or True  # type: ignore[method-assign]
    facilities.list.setCurrentRow(0)
    name = facilities.list.currentItem().text()
    facilities.delete_facility()
    assert asked and name in asked[0]
    assert len(shown) == 1 and "still used elsewhere" in shown[0]
    assert name in facilities.facility_names()
