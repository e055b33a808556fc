"""The tours checks (capacity, hours, closed days, holidays, guides, dispatches, group size), moving a booking,
free slots and the visit statistics, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kawaoffice.i18n import set_language
from kawaoffice.model.audit import ConflictOverride
from kawaoffice.model.dispatch import DispatchPurpose, DispatchStatus
from kawaoffice.model.tours import Booking, BookingStatus, Course, Facility, VisitorType
from kawaoffice.services import dispatch, tour_checks, tour_stats, tours
from kawaoffice.services.errors import ConflictError
from tests.statements import recorded_statements

JST = ZoneInfo("Asia/Tokyo")
DAY = date(2026, 5, 13)  # a Wednesday, no holiday


@pytest.fixture(autouse=True)
def _english() -> None:
    set_language("en")


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hour, minute), JST)


def facility(session: Session, capacity: int = 40) -> tuple[Facility, Course]:
    f = tours.create_facility(
        session, code="NAGASAWA", name_ja="長沢浄水場", name_en="Nagasawa", capacity=capacity
    )
    for weekday in range(5):
        tours.set_weekday(session, f.id, weekday, opens=time(9), closes=time(16, 30))
    tours.set_weekday(session, f.id, 5, closed=True)
    tours.add_closed_date(session, f.id, date(2026, 12, 29), "年末年始")
    course = tours.create_course(
        session, facility_id=f.id, code="STD", name_ja="標準", duration_min=90, max_group=30
    )
    return f, course


def booking(session: Session, code: str, headcount: int = 10) -> Booking:
    return tours.create_booking(
        session, code=code, group_name=code, visitor_type=VisitorType.DELEGATION, headcount=headcount
    )


def kinds(error: pytest.ExceptionInfo[ConflictError]) -> set[str]:
    return {i["kind"] for i in error.value.details["issues"]}


def test_each_check_refuses_with_its_message_and_override_is_recorded(session: Session) -> None:
    f, course = facility(session)
    b = booking(session, "A", 12)
    with pytest.raises(ConflictError) as info:  # Saturday
        tours.add_segment(session, booking_id=b.id, facility_id=f.id, starts_at=at(10, day=date(2026, 5, 16)),
                          ends_at=at(11, day=date(2026, 5, 16)))  # fmt: skip
    assert kinds(info) == {"weekly_closed"} and "closed on this day of the week" in info.value.message
    with pytest.raises(ConflictError) as info:  # 年末年始 (a Tuesday)
        tours.add_segment(session, booking_id=b.id, facility_id=f.id, starts_at=at(10, day=date(2026, 12, 29)),
                          ends_at=at(11, day=date(2026, 12, 29)))  # fmt: skip
    assert kinds(info) == {"closed_date"} and "年末年始" in info.value.message
    with pytest.raises(ConflictError) as info:  # Children's Day
        tours.add_segment(session, booking_id=b.id, facility_id=f.id, starts_at=at(10, day=date(2026, 5, 5)),
                          ends_at=at(11, day=date(2026, 5, 5)))  # fmt: skip
    assert kinds(info) == {"public_holiday"} and "Children's Day" in info.value.message
    with pytest.raises(ConflictError) as info:
        tours.add_segment(session, booking_id=b.id, facility_id=f.id, starts_at=at(16), ends_at=at(17))
    assert kinds(info) == {"outside_hours"} and "9:00\u202fAM–4:30\u202fPM" in info.value.message
    big = booking(session, "BIG", 35)
    with pytest.raises(ConflictError) as info:
        tours.add_segment(
            session,
            booking_id=big.id,
            facility_id=f.id,
            course_id=course.id,
            starts_at=at(10),
            ends_at=at(11, 30),
        )
    assert kinds(info) == {"group_size"} and "groups of 1 to 30" in info.value.message
    # capacity: 12 + 30 > 40 only where they overlap
    tours.add_segment(session, booking_id=b.id, facility_id=f.id, starts_at=at(10), ends_at=at(12))
    c = booking(session, "C", 30)
    tours.add_segment(session, booking_id=c.id, facility_id=f.id, starts_at=at(12), ends_at=at(13))
    with pytest.raises(ConflictError) as info:
        tours.add_segment(session, booking_id=c.id, facility_id=f.id, starts_at=at(11), ends_at=at(12))
    assert kinds(info) == {"over_capacity"}
    assert "42 visitors" in info.value.message and "capacity of 40" in info.value.message
    seg = tours.add_segment(
        session,
        booking_id=c.id,
        facility_id=f.id,
        starts_at=at(11),
        ends_at=at(12),
        override_reason="Hall split",
    )
    session.commit()
    override = session.scalars(select(ConflictOverride)).one()
    assert (override.kind, override.subject_id, override.reason) == ("over_capacity", seg.id, "Hall split")
    # confirming again does not ask a second time for the recorded issue
    tours.confirm_booking(session, c.id, c.version)
    # but growing the group is a new issue
    with pytest.raises(ConflictError):
        tours.update_booking(session, b.id, b.version, headcount=20)


def test_guides_double_booked_and_away_on_dispatch(session: Session) -> None:
    f, _course = facility(session, capacity=100)
    guide = dispatch.create_staff(session, staff_no="G1", family_name="案内", given_name="花子")
    first, second = booking(session, "A"), booking(session, "B")
    tours.add_segment(session, booking_id=first.id, facility_id=f.id, starts_at=at(10), ends_at=at(12),
                      staff_ids=[guide.id])  # fmt: skip
    with pytest.raises(ConflictError) as info:
        tours.add_segment(session, booking_id=second.id, facility_id=f.id, starts_at=at(11), ends_at=at(13),
                          staff_ids=[guide.id])  # fmt: skip
    assert info.value.kind == "guide_double_booked"
    assert info.value.message == "案内 花子 is already guiding booking A at that time."
    trip = dispatch.create_dispatch(
        session, code="D-1", title="ラオス出張", purpose=DispatchPurpose.SURVEY, country="LA",
        timezone="Asia/Vientiane", departure_on=date(2026, 6, 1), return_on=date(2026, 6, 5),
    )  # fmt: skip
    dispatch.add_dispatch_member(session, dispatch_id=trip.id, staff_id=guide.id)
    june = date(2026, 6, 3)
    with pytest.raises(ConflictError) as info:
        tours.add_segment(session, booking_id=second.id, facility_id=f.id, starts_at=at(10, day=june),
                          ends_at=at(11, day=june), staff_ids=[guide.id])  # fmt: skip
    assert kinds(info) == {"guide_on_dispatch"} and "D-1" in info.value.message
    dispatch.update_dispatch(session, trip.id, trip.version, status=DispatchStatus.CANCELLED)
    tours.add_segment(session, booking_id=second.id, facility_id=f.id, starts_at=at(10, day=june),
                      ends_at=at(11, day=june), staff_ids=[guide.id])  # fmt: skip


def test_move_booking_keeps_local_times_and_is_checked(session: Session) -> None:
    f, _course = facility(session)
    other_facility = tours.create_facility(session, code="IRIEZAKI", name_ja="入江崎", capacity=60)
    b = booking(session, "A", 30)
    tours.add_segment(session, booking_id=b.id, facility_id=f.id, starts_at=at(9, 30), ends_at=at(11, 30))
    tours.add_segment(
        session, booking_id=b.id, facility_id=other_facility.id, starts_at=at(14), ends_at=at(15, 45)
    )
    tours.move_booking(session, b.id, b.version, to_date=date(2026, 5, 20))
    assert [(s.starts_at, s.ends_at) for s in b.segments] == [
        (at(9, 30, date(2026, 5, 20)), at(11, 30, date(2026, 5, 20))),
        (at(14, day=date(2026, 5, 20)), at(15, 45, date(2026, 5, 20))),
    ]
    with pytest.raises(ConflictError) as info:
        tours.move_booking(session, b.id, b.version, to_date=date(2026, 5, 23))  # Saturday
    assert "weekly_closed" in kinds(info)
    assert b.segments[0].starts_at == at(9, 30, date(2026, 5, 20))  # unchanged
    tours.move_booking(session, b.id, b.version, shift=timedelta(hours=1))
    assert b.segments[0].starts_at == at(10, 30, date(2026, 5, 20))


def test_free_slots(session: Session) -> None:
    f, course = facility(session)
    assert tours.suggest_free_slots(session, course.id, date(2026, 5, 16), 10) == []  # Saturday
    slots = tours.suggest_free_slots(session, course.id, DAY, 10)
    assert slots[0].starts_at == at(9) and slots[-1].ends_at == at(16, 30)
    b = booking(session, "A", 35)
    tours.add_segment(session, booking_id=b.id, facility_id=f.id, starts_at=at(10), ends_at=at(12))
    starts = [s.starts_at for s in tours.suggest_free_slots(session, course.id, DAY, 10)]
    assert at(9) not in starts and at(10, 30) not in starts and at(12) in starts
    assert all(s.free_places >= 0 for s in tours.suggest_free_slots(session, course.id, DAY, 5))


def test_free_slots_agree_with_checking_each_start_alone_in_one_statement(session: Session) -> None:
    f, course = facility(session)
    for code, count, start, end in (("A", 20, at(9, 30), at(11)), ("B", 15, at(10, 30), at(12)),
                                    ("C", 8, at(13), at(16))):  # fmt: skip
        b = booking(session, code, count)
        tours.add_segment(session, booking_id=b.id, facility_id=f.id, starts_at=start, ends_at=end)
    session.flush()
    with recorded_statements(session) as statements:
        slots = tours.suggest_free_slots(session, course.id, DAY, 6, step_minutes=15)
    assert len(statements) <= 2  # the course (with its facility) and one read for every start time of the day
    expected = []
    start = at(9)
    while start + timedelta(minutes=course.duration_min) <= at(17):
        end = start + timedelta(minutes=course.duration_min)
        plan = tour_checks.SegmentPlan(f.id, start, end, course.id)
        issues = [i for i in tour_checks.check_plan(session, [plan], headcount=6) if i.kind != "group_size"]
        if not issues:
            peak, _codes = tour_checks.facility_load(session, f.id, start, end)
            expected.append((start, end, f.capacity - peak - 6))
        start += timedelta(minutes=15)
    assert [(s.starts_at, s.ends_at, s.free_places) for s in slots] == expected
    assert {s.free_places for s in slots} != {f.capacity - 6}  # the other groups counted somewhere


def test_visit_stats_by_country_type_and_fiscal_year(session: Session) -> None:
    f, _course = facility(session, capacity=200)
    specs = [
        ("A", VisitorType.JICA_TRAINEES, {"LA": 3, "VN": 2}, "", date(2025, 11, 12), BookingStatus.COMPLETED),
        ("B", VisitorType.DELEGATION, {}, "ID", date(2026, 1, 21), BookingStatus.COMPLETED),
        ("C", VisitorType.DELEGATION, {}, "LA", date(2026, 5, 13), BookingStatus.CONFIRMED),
        ("D", VisitorType.STUDENTS, {}, "JP", date(2026, 5, 14), BookingStatus.CANCELLED),
    ]
    for code, vtype, countries, country, day, status in specs:
        b = tours.create_booking(
            session, code=code, group_name=code, visitor_type=vtype, headcount=sum(countries.values()) or 8,
            countries=countries, country=country, status=status,
        )  # fmt: skip
        tours.add_segment(
            session, booking_id=b.id, facility_id=f.id, starts_at=at(10, day=day), ends_at=at(11, day=day)
        )
    fy2025 = tour_stats.visit_stats(session, 2025)
    assert (fy2025.visitors, fy2025.groups) == (13, 2)
    assert [(c.key, c.visitors, c.groups) for c in fy2025.by_country] == [
        ("ID", 8, 1),
        ("LA", 3, 1),
        ("VN", 2, 1),
    ]
    assert [(c.key, c.groups) for c in fy2025.by_visitor_type] == [("delegation", 1), ("jica_trainees", 1)]
    everything = tour_stats.visit_stats(session)
    assert [(c.key, c.visitors) for c in everything.by_fiscal_year] == [("2025", 13), ("2026", 8)]
    assert (everything.cumulative_visitors, everything.cumulative_countries, everything.first_fiscal_year) == (
        21, 3, 2025,
    )  # fmt: skip
    assert tour_checks.public_holiday(date(2026, 5, 5)) == "Children's Day"
