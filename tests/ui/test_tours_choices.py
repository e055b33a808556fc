"""The booking dialog's facilities, courses and guides kept for the process: a second dialog reads none of them
again and its guide pickers share one list; a facility, course or staff member saved here, someone else's change
announced by the main window, or F5 make the next dialog read them again; the chosen facility and guide are
saved; a guide who is no longer active stays on the visits they guided."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QDate, QTime
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from kawaoffice.services import dispatch, tours
from kawaoffice.storage import Database
from kawaoffice.ui.tours import choices
from kawaoffice.ui.tours.dialog import BookingDialog
from kawaoffice.ui.widgets.live_refresh import change_hub

pytestmark = pytest.mark.gui
JST = ZoneInfo("Asia/Tokyo")
DAY = date(2026, 5, 13)  # a Wednesday


@pytest.fixture
def db(empty_gui_db: Database) -> Iterator[Database]:
    choices.invalidate()
    with empty_gui_db.session() as s:
        f = tours.create_facility(s, code="NAGASAWA", name_ja="長沢浄水場", capacity=40)
        for weekday in range(5):
            tours.set_weekday(s, f.id, weekday, opens=time(9), closes=time(16, 30))
        tours.create_course(
            s, facility_id=f.id, code="STD", name_ja="標準コース", duration_min=90, max_group=30
        )
        for no, family in (("G1", "案内"), ("G2", "通訳")):
            dispatch.create_staff(s, staff_no=no, family_name=family, given_name="花子")
        s.commit()
    yield empty_gui_db
    choices.invalidate()


def _statements(db: Database) -> list[str]:
    sent: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    return sent


def _reads_choices(sent: list[str]) -> bool:
    return any("FROM facilities" in sql or "FROM courses" in sql or "FROM staff " in sql for sql in sent)


def _ids(db: Database) -> dict[str, int]:
    from sqlalchemy import select

    from kawaoffice.model.dispatch import Staff
    from kawaoffice.model.tours import Facility

    with db.session() as s:
        found = {f.code: f.id for f in s.scalars(select(Facility))}
        found.update({st.staff_no: st.id for st in s.scalars(select(Staff))})
    return found


def test_second_dialog_reads_no_choices_and_pickers_share_one_list(
    qtbot: QtBot, db: Database, english: None
) -> None:
    first = BookingDialog(db.session)
    qtbot.addWidget(first)
    sent = _statements(db)
    second = BookingDialog(db.session)
    qtbot.addWidget(second)
    second.add_row()
    assert not _reads_choices(sent)
    guides = [combo for row in (*first.rows, *second.rows) for combo in row.guides]
    assert len({id(combo.model()) for combo in guides}) == 1
    assert [guides[0].itemText(i) for i in range(guides[0].count())] == [
        "(no guide)",
        "案内 花子",
        "通訳 花子",
    ]
    assert [second.rows[0].course.itemText(i) for i in range(second.rows[0].course.count())] == [
        "(no course)",
        "標準コース",
    ]


def test_changes_here_elsewhere_and_f5_read_the_choices_again(
    qtbot: QtBot, db: Database, english: None
) -> None:
    BookingDialog(db.session).deleteLater()
    with db.session() as s:  # saved in this process: seen at the flush
        tours.create_facility(s, code="KASUO", name_ja="加瀬水処理センター", capacity=30)
        s.commit()
    dialog = BookingDialog(db.session)
    qtbot.addWidget(dialog)
    facilities = dialog.rows[0].facility
    assert [facilities.itemText(i) for i in range(facilities.count())] == ["長沢浄水場", "加瀬水処理センター"]

    sent = _statements(db)
    change_hub().tables_changed.emit(frozenset({"bookings"}))  # someone else's booking: the lists stay
    BookingDialog(db.session).deleteLater()
    assert not _reads_choices(sent)
    change_hub().tables_changed.emit(frozenset({"staff"}))  # someone else changed staff: read again
    BookingDialog(db.session).deleteLater()
    assert _reads_choices(sent)

    from kawaoffice.ui.tours.tab import VisitsTab

    tab = VisitsTab(db.session)
    qtbot.addWidget(tab)
    tab.load()
    sent.clear()
    tab.reload()  # F5
    BookingDialog(db.session).deleteLater()
    assert _reads_choices(sent)


def test_chosen_facility_and_guide_saved_and_inactive_guide_kept(
    qtbot: QtBot, db: Database, english: None
) -> None:
    known = _ids(db)
    dialog = BookingDialog(db.session)
    qtbot.addWidget(dialog)
    dialog.code.setText("V-1")
    dialog.group_name.setText("JICA")
    dialog.headcount.setValue(10)
    row = dialog.rows[0]
    row.facility.setCurrentIndex(row.facility.findData(known["NAGASAWA"]))
    row.course.setCurrentIndex(1)
    row.day.setDate(QDate(DAY.year, DAY.month, DAY.day))
    row.start.setTime(QTime(10, 0))
    row.end.setTime(QTime(11, 30))
    row.guides[0].setCurrentIndex(row.guides[0].findData(known["G2"]))
    assert dialog.save(), dialog.issues.text()
    booking_id = dialog.saved_id
    assert booking_id is not None
    with db.session() as s:
        b = tours.booking_for_edit(s, booking_id)
        seg = b.segments[0]
        assert (seg.facility_id, seg.starts_at) == (known["NAGASAWA"], datetime.combine(DAY, time(10), JST))
        assert [a.staff_id for a in seg.staff] == [known["G2"]]
        g2 = dispatch.get_staff(s, known["G2"])
        dispatch.update_staff(s, g2.id, g2.version, active=False)  # 通訳 花子 leaves the office
        s.commit()

    again = BookingDialog(db.session, booking_id)
    qtbot.addWidget(again)
    guide = again.rows[0].guides[0]
    assert guide.currentText() == "通訳 花子 (inactive)" and guide.currentData() == known["G2"]
    fresh = BookingDialog(db.session)  # other dialogs do not offer them
    qtbot.addWidget(fresh)
    combo = fresh.rows[0].guides[0]
    assert "通訳 花子" not in [combo.itemText(i) for i in range(combo.count())]
    again.headcount.setValue(11)
    assert again.save(), again.issues.text()
    with db.session() as s:
        b = tours.booking_for_edit(s, booking_id)
        assert b.headcount == 11 and [a.staff_id for a in b.segments[0].staff] == [known["G2"]]


@pytest.mark.parametrize("retired", ["course", "facility"])
def test_a_part_at_a_retired_facility_or_course_keeps_it(qtbot: QtBot, db: Database, english: None,
                                                          retired: str) -> None:  # fmt: skip
    known = _ids(db)
    with db.session() as s:
        facility = tours.get_facility(s, known["NAGASAWA"])
        course = facility.courses[0]
        b = tours.create_booking(s, code="V-OLD", group_name="視察団", visitor_type=tours.VisitorType.DELEGATION,
                                 headcount=10)  # fmt: skip
        tours.add_segment(s, booking_id=b.id, facility_id=facility.id, course_id=course.id,
                          starts_at=datetime.combine(DAY, time(10), JST),
                          ends_at=datetime.combine(DAY, time(11, 30), JST))  # fmt: skip
        if retired == "course":
            tours.update_course(s, course.id, course.version, active=False)
        else:
            tours.update_facility(s, facility.id, facility.version, active=False)
        s.commit()
        booking_id, facility_id, course_id = b.id, facility.id, course.id
    dialog = BookingDialog(db.session, booking_id)
    qtbot.addWidget(dialog)
    row = dialog.rows[0]
    assert (row.facility.currentData(), row.course.currentData()) == (facility_id, course_id)
    assert row.course.currentText() == "標準コース (inactive)"
    if retired == "facility":
        assert row.facility.currentText() == "長沢浄水場 (inactive)"
    assert row.plan().facility_id == facility_id and row.plan().course_id == course_id
    assert (row.start.time(), row.end.time()) == (QTime(10, 0), QTime(11, 30))
    fresh = BookingDialog(db.session)  # a new booking is not offered them
    qtbot.addWidget(fresh)
    offered = [fresh.rows[0].facility.itemText(i) for i in range(fresh.rows[0].facility.count())]
    assert all("(inactive)" not in text for text in offered)
    if retired == "course":
        fresh.rows[0].facility.setCurrentIndex(fresh.rows[0].facility.findData(facility_id))
        assert fresh.rows[0].course.findData(course_id) < 0
