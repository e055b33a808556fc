from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kawaoffice.model.audit import AuditAction, AuditEntry, ConflictOverride
from kawaoffice.model.tours import Booking, BookingStatus, Facility, VisitorType
from kawaoffice.services import dispatch, partners, tours
from kawaoffice.services.errors import ConflictError, ValidationError

JST = ZoneInfo("Asia/Tokyo")


def _at(hour: int, day: int = 12) -> datetime:
    return datetime(2026, 5, day, hour, 0, tzinfo=JST)


def _facility(session: Session) -> Facility:
    return tours.create_facility(
        session, code="NAGASAWA", name_ja="長沢浄水場", capacity=60, hall_name_ja="水とかがやく未来館"
    )


def _booking(session: Session, code: str, headcount: int = 12, **values: object) -> Booking:
    return tours.create_booking(
        session,
        code=code,
        group_name="JICA研修員",
        visitor_type=VisitorType.JICA_TRAINEES,
        headcount=headcount,
        **values,  # type: ignore[arg-type]
    )


def test_facility_course_and_booking_round_trip(session: Session) -> None:
    facility = _facility(session)
    tours.set_weekday(session, facility.id, 0, closed=True)
    tours.set_weekday(session, facility.id, 1, opens=time(9), closes=time(16, 30))
    with pytest.raises(ValidationError) as info:
        tours.set_weekday(session, facility.id, 2, opens=time(17), closes=time(9))
    assert info.value.field == "closes"
    tours.add_closed_date(session, facility.id, date(2026, 12, 29), "年末年始")
    course = tours.create_course(
        session, facility_id=facility.id, code="STD", name_ja="標準コース", duration_min=90, max_group=40,
        languages=["ja", "en"],
    )  # fmt: skip
    tours.add_course_stop(session, course_id=course.id, position=1, name_ja="着水井", minutes=15)
    tours.add_course_stop(session, course_id=course.id, position=0, name_ja="展示館", minutes=30)
    with pytest.raises(ValidationError) as info:
        tours.update_course(session, course.id, course.version, min_group=50)
    assert info.value.field == "max_group"
    org = partners.create_organization(session, kind="member", name_ja="水処理株式会社")
    booking = _booking(
        session, "V-001", country="la", countries={"LA": 8, "VN": 4}, contact_phone="03-1234-5678"
    )
    segment = tours.add_segment(
        session,
        booking_id=booking.id,
        facility_id=facility.id,
        course_id=course.id,
        starts_at=_at(10),
        ends_at=_at(12),
    )
    tours.add_presenter(session, booking_id=booking.id, organization_id=org.id, topic="膜ろ過")
    session.commit()
    session.expire_all()
    loaded = tours.get_booking(session, booking.id)
    assert loaded.country == "LA" and loaded.countries == {"LA": 8, "VN": 4}
    assert loaded.segments[0].starts_at == _at(10)
    assert [p.topic for p in loaded.presenters] == ["膜ろ過"]
    f = tours.get_facility(session, facility.id)
    assert [(w.weekday, w.closed) for w in f.weekdays] == [(0, True), (1, False)]
    assert [s.name_ja for s in tours.get_course(session, course.id).stops] == ["展示館", "着水井"]
    with pytest.raises(ValidationError) as info:
        tours.update_segment(session, segment.id, loaded.segments[0].version, ends_at=_at(9))
    assert info.value.field == "ends_at"
    with pytest.raises(ValidationError) as info:
        _booking(session, "V-002", headcount=0)
    assert info.value.field == "headcount"
    tours.delete_booking(session, booking.id, loaded.version)
    session.commit()
    assert session.scalars(select(Booking)).all() == []


def test_guide_double_booking_and_override(session: Session) -> None:
    facility = _facility(session)
    guide = dispatch.create_staff(session, staff_no="G1", family_name="案内")
    first, second, third = (_booking(session, f"V-{i}") for i in range(3))
    seg1 = tours.add_segment(
        session, booking_id=first.id, facility_id=facility.id, starts_at=_at(10), ends_at=_at(12)
    )
    seg2 = tours.add_segment(
        session, booking_id=second.id, facility_id=facility.id, starts_at=_at(11), ends_at=_at(13)
    )
    seg3 = tours.add_segment(
        session, booking_id=third.id, facility_id=facility.id, starts_at=_at(12), ends_at=_at(14)
    )
    tours.assign_segment_staff(session, segment_id=seg1.id, staff_id=guide.id)
    tours.assign_segment_staff(
        session, segment_id=seg3.id, staff_id=guide.id
    )  # 12:00 end / 12:00 start: fine
    with pytest.raises(ConflictError) as info:
        tours.assign_segment_staff(session, segment_id=seg2.id, staff_id=guide.id)
    assert info.value.kind == "guide_double_booked"
    assert {x["other_booking_code"] for x in info.value.details["conflicts"]} == {"V-0", "V-2"}
    with pytest.raises(ConflictError):
        tours.update_segment(session, seg3.id, seg3.version, starts_at=_at(11))
    # a cancelled booking does not count; taking it up again is checked
    tours.update_booking(session, first.id, first.version, status=BookingStatus.CANCELLED)
    tours.update_segment(session, seg3.id, seg3.version, starts_at=_at(11))
    with pytest.raises(ConflictError):
        tours.update_booking(session, first.id, first.version, status=BookingStatus.CONFIRMED)
    tours.update_booking(
        session, first.id, first.version, status=BookingStatus.CONFIRMED, override_reason="二人で案内を分担"
    )
    session.commit()
    override = session.scalars(select(ConflictOverride)).one()
    assert (
        override.kind == "guide_double_booked"
        and override.subject_id == seg1.id
        and override.other_id == seg3.id
    )
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.OVERRIDE)).one()
    assert entry.reason == "二人で案内を分担" and entry.user == "tester"
    assignment = seg3.staff[0]
    assert [x.other_segment_id for x in tours.find_guide_conflicts(session, assignment.id)] == [seg1.id]


def test_times_overlap_is_half_open() -> None:
    assert tours.times_overlap(_at(10), _at(12), _at(11), _at(13))
    assert not tours.times_overlap(_at(10), _at(12), _at(12), _at(13))
