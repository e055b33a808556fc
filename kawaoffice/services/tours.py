"""Visitor tour bookings: facilities with opening hours and closed dates, courses with stops, bookings made of
segments with their guides, and member companies presenting to a group.

Conflict rule: one staff member (guide or interpreter) on two segments whose times overlap, cancelled bookings
ignored: ``ConflictError(kind="guide_double_booked")`` unless an ``override_reason`` is given, which is recorded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, String, func, literal, select, union_all
from sqlalchemy.orm import Session, joinedload, selectinload

from kawaoffice.i18n import _
from kawaoffice.model.dispatch import Staff
from kawaoffice.model.partners import Contact, Organization
from kawaoffice.model.projects import Project
from kawaoffice.model.tours import (
    Booking,
    BookingPresenter,
    BookingSegment,
    BookingStatus,
    ClosedDate,
    Course,
    CourseStop,
    Facility,
    FacilityWeekday,
    SegmentRole,
    SegmentStaff,
    VisitorType,
)
from kawaoffice.services import common as c
from kawaoffice.services import tour_checks as tc
from kawaoffice.services.dispatch import language_code
from kawaoffice.services.errors import NotFoundError, ValidationError

GUIDE_DOUBLE_BOOKED = "guide_double_booked"

# --- facilities ------------------------------------------------------------------------------------------------

_facility_code_unique = c.unique_validator("code")


def _validate_facility(session: Session, values: dict[str, Any], obj: Facility | None) -> dict[str, Any]:
    c.require_present(values, obj, "code", "name_ja", "capacity")
    c.texts(
        Facility,
        values,
        required=("code", "name_ja"),
        optional=(
            "name_en", "hall_name_ja", "hall_name_en", "address", "address_en",
            "meeting_point_ja", "meeting_point_en", "map_note",
        ),
    )  # fmt: skip
    if "capacity" in values:
        c.int_range("capacity", values["capacity"], 1)
    if "timezone" in values:
        values["timezone"] = c.timezone_name("timezone", values["timezone"])
    _facility_code_unique(session, values, obj, Facility)
    return values


def create_facility(session: Session, *, code: str, name_ja: str, capacity: int, **values: Any) -> Facility:
    """Optional: name_en, hall names, addresses, timezone (default Asia/Tokyo), meeting points, map_note,
    observes_public_holidays, active."""
    data = {"code": code, "name_ja": name_ja, "capacity": capacity, **values}
    return c.create_entity(session, Facility, data, _validate_facility)


def get_facility(session: Session, facility_id: int) -> Facility:
    return c.get_entity(session, Facility, facility_id)


def update_facility(session: Session, facility_id: int, expected_version: int, **changes: Any) -> Facility:
    return c.update_entity(session, Facility, facility_id, expected_version, changes, _validate_facility)


def delete_facility(session: Session, facility_id: int, expected_version: int | None = None) -> None:
    c.delete_entity(session, Facility, facility_id, expected_version)


def set_weekday(
    session: Session,
    facility_id: int,
    weekday: int,
    *,
    closed: bool = False,
    opens: time | None = None,
    closes: time | None = None,
) -> FacilityWeekday:
    """Opening hours of a weekday (0 = Monday), or a weekly closed day."""
    facility = get_facility(session, facility_id)
    c.int_range("weekday", weekday, 0, 6)
    if not closed:
        if opens is None:
            raise ValidationError("opens", _("This field is required."))
        if closes is None:
            raise ValidationError("closes", _("This field is required."))
        if closes <= opens:
            raise ValidationError("closes", _("The closing time must be after the opening time."))
    else:
        opens = closes = None
    for row in facility.weekdays:
        if row.weekday == weekday:
            row.closed, row.opens, row.closes = closed, opens, closes
            c.flush(session)
            return row
    row = FacilityWeekday(weekday=weekday, closed=closed, opens=opens, closes=closes)
    facility.weekdays.append(row)
    c.flush(session)
    return row


def remove_weekday(session: Session, facility_id: int, weekday: int) -> None:
    facility = get_facility(session, facility_id)
    for row in list(facility.weekdays):
        if row.weekday == weekday:
            facility.weekdays.remove(row)
    c.flush(session)


def add_closed_date(session: Session, facility_id: int, closed_on: date, reason: str = "") -> ClosedDate:
    facility = get_facility(session, facility_id)
    c.date_value("closed_on", closed_on)
    if any(row.closed_on == closed_on for row in facility.closed_dates):
        raise ValidationError("closed_on", _("This date is already a closed date."))
    row = ClosedDate(closed_on=closed_on, reason=c.optional_text("reason", reason, 200))
    facility.closed_dates.append(row)
    c.flush(session)
    return row


def remove_closed_date(session: Session, closed_date_id: int, expected_version: int | None = None) -> None:
    c.delete_entity(session, ClosedDate, closed_date_id, expected_version)


# --- courses ---------------------------------------------------------------------------------------------------

_course_code_unique = c.unique_validator("code", "facility_id")


def _validate_course(session: Session, values: dict[str, Any], obj: Course | None) -> dict[str, Any]:
    c.require_present(values, obj, "facility_id", "code", "name_ja", "duration_min", "max_group")
    if "facility_id" in values:
        c.reference(session, Facility, "facility_id", values["facility_id"])
    c.texts(Course, values, required=("code", "name_ja"), optional=("name_en", "description"))
    if "duration_min" in values:
        c.int_range("duration_min", values["duration_min"], 1)
    if "min_group" in values:
        c.int_range("min_group", values["min_group"], 1)
    if "max_group" in values:
        c.int_range("max_group", values["max_group"], 1)
    if c.current(values, obj, "max_group", 1) < c.current(values, obj, "min_group", 1):
        raise ValidationError("max_group", _("The largest group size is below the smallest."))
    if "languages" in values:
        values["languages"] = [language_code("languages", code) for code in values["languages"]]
    _course_code_unique(session, values, obj, Course)
    return values


def create_course(
    session: Session,
    *,
    facility_id: int,
    code: str,
    name_ja: str,
    duration_min: int,
    max_group: int,
    **values: Any,
) -> Course:
    """Optional: name_en, min_group (default 1), languages (BCP 47 codes), description, active."""
    data = {
        "facility_id": facility_id,
        "code": code,
        "name_ja": name_ja,
        "duration_min": duration_min,
        "max_group": max_group,
        **values,
    }
    course = c.create_entity(session, Course, data, _validate_course)
    session.refresh(course.facility, ["courses"])
    return course


def get_course(session: Session, course_id: int) -> Course:
    return c.get_entity(session, Course, course_id)


def update_course(session: Session, course_id: int, expected_version: int, **changes: Any) -> Course:
    return c.update_entity(session, Course, course_id, expected_version, changes, _validate_course)


def delete_course(session: Session, course_id: int, expected_version: int | None = None) -> None:
    c.delete_entity(session, Course, course_id, expected_version)


def _validate_stop(session: Session, values: dict[str, Any], obj: CourseStop | None) -> dict[str, Any]:
    c.require_present(values, obj, "course_id", "position", "name_ja", "minutes")
    if "course_id" in values:
        c.reference(session, Course, "course_id", values["course_id"])
    c.texts(CourseStop, values, required=("name_ja",), optional=("name_en",))
    if "position" in values:
        c.int_range("position", values["position"], 0)
    if "minutes" in values:
        c.int_range("minutes", values["minutes"], 1)
    return values


def add_course_stop(
    session: Session, *, course_id: int, position: int, name_ja: str, minutes: int, name_en: str = ""
) -> CourseStop:
    values = {
        "course_id": course_id,
        "position": position,
        "name_ja": name_ja,
        "name_en": name_en,
        "minutes": minutes,
    }
    stop = c.create_entity(session, CourseStop, values, _validate_stop)
    session.refresh(stop.course, ["stops"])
    return stop


def update_course_stop(session: Session, stop_id: int, expected_version: int, **changes: Any) -> CourseStop:
    return c.update_entity(session, CourseStop, stop_id, expected_version, changes, _validate_stop)


def delete_course_stop(session: Session, stop_id: int, expected_version: int | None = None) -> None:
    c.delete_entity(session, CourseStop, stop_id, expected_version)


# --- bookings --------------------------------------------------------------------------------------------------

_booking_code_unique = c.unique_validator("code")


def _validate_booking(session: Session, values: dict[str, Any], obj: Booking | None) -> dict[str, Any]:
    c.require_present(values, obj, "code", "group_name", "visitor_type", "headcount")
    c.texts(
        Booking,
        values,
        required=("code", "group_name"),
        optional=(
            "group_name_en",
            "training_course",
            "interests",
            "contact_name",
            "transport_notes",
            "notes",
        ),
    )
    if "visitor_type" in values:
        values["visitor_type"] = c.enum_value("visitor_type", VisitorType, values["visitor_type"])
    if "status" in values:
        values["status"] = c.enum_value("status", BookingStatus, values["status"])
    if "country" in values:
        values["country"] = c.country("country", values["country"], required=False)
    if "countries" in values:
        countries = {}
        for code, count in dict(values["countries"]).items():
            countries[c.country("countries", code)] = c.int_range("countries", count, 1)
        values["countries"] = countries
    if "headcount" in values:
        c.int_range("headcount", values["headcount"], 1)
    if "languages" in values:
        values["languages"] = [language_code("languages", code) for code in values["languages"]]
    if "contact_email" in values:
        values["contact_email"] = c.email("contact_email", values["contact_email"])
    if "contact_phone" in values:
        region = c.current(values, obj, "country", "") or "JP"
        values["contact_phone"] = c.phone("contact_phone", values["contact_phone"], region)
    for field, cls in (("organization_id", Organization), ("contact_id", Contact), ("project_id", Project)):
        if values.get(field) is not None:
            c.reference(session, cls, field, values[field])
    _booking_code_unique(session, values, obj, Booking)
    return values


def create_booking(
    session: Session, *, code: str, group_name: str, visitor_type: VisitorType, headcount: int, **values: Any
) -> Booking:
    """Optional: group_name_en, training_course, organization_id, country, countries ({"LA": 3}), languages,
    interpreter_needed, interests, contact_id / contact_name / contact_email / contact_phone, status, project_id,
    transport_notes, notes. Segments are added with ``add_segment``."""
    data = {
        "code": code,
        "group_name": group_name,
        "visitor_type": visitor_type,
        "headcount": headcount,
        **values,
    }
    return c.create_entity(session, Booking, data, _validate_booking)


def get_booking(session: Session, booking_id: int) -> Booking:
    return c.get_entity(session, Booking, booking_id)


def update_booking(
    session: Session,
    booking_id: int,
    expected_version: int,
    *,
    override_reason: str | None = None,
    **changes: Any,
) -> Booking:
    """Change a booking. A change of headcount or status (taking up a cancelled booking, confirming) runs the
    checks on all its segments (``tour_checks``); issues raise ``ConflictError`` unless ``override_reason``."""
    booking = get_booking(session, booking_id)
    c.check_version(booking, expected_version)
    data = _validate_booking(session, dict(changes), booking)
    new_status = data.get("status", booking.status)
    rechecks = (
        data.get("headcount", booking.headcount) != booking.headcount
        or (new_status != booking.status and new_status in (BookingStatus.CONFIRMED, BookingStatus.TENTATIVE))
        or (booking.status == BookingStatus.CANCELLED and new_status != BookingStatus.CANCELLED)
    )
    issues: list[tc.CheckIssue] = []
    if rechecks:
        segments = list(booking.segments)
        issues = tc.check_plan(
            session,
            [tc.plan_of(s) for s in segments],
            headcount=data.get("headcount", booking.headcount),
            booking_id=booking.id,
            status=new_status,
        )
        if issues and not (override_reason or "").strip():
            raise tc.conflict_error(issues)
    c.apply_changes(booking, expected_version, data)
    c.flush(session)
    if issues:
        tc.raise_or_record(session, issues, list(booking.segments), override_reason)
        c.flush(session)
    return booking


def confirm_booking(
    session: Session, booking_id: int, expected_version: int, *, override_reason: str | None = None
) -> Booking:
    """Set the booking to confirmed after running every check again (``ConflictError`` unless overridden)."""
    return update_booking(
        session, booking_id, expected_version, status=BookingStatus.CONFIRMED, override_reason=override_reason
    )


def booking_issues(
    session: Session, booking_id: int, *, include_overridden: bool = False
) -> list[tc.CheckIssue]:
    """The issues of a stored booking as it is now (for marking conflicts in lists and calendars)."""
    booking = get_booking(session, booking_id)
    return tc.check_plan(
        session,
        [tc.plan_of(s) for s in booking.segments],
        headcount=booking.headcount,
        booking_id=booking.id,
        status=booking.status,
        skip_recorded=not include_overridden,
    )


def delete_booking(session: Session, booking_id: int, expected_version: int | None = None) -> None:
    c.delete_entity(session, Booking, booking_id, expected_version)


# --- the double-booking rule ------------------------------------------------------------------------------------


def times_overlap(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Whether two half-open time ranges [start, end) overlap (a tour ending at 12:00 and one at 12:00 do not)."""
    return a_start < b_end and b_start < a_end


@dataclass(frozen=True)
class GuideCandidate:
    """A staff member on a segment's time range, as it would be after an edit."""

    staff_id: int
    starts_at: datetime
    ends_at: datetime
    segment_id: int | None = None
    assignment_id: int | None = None


@dataclass(frozen=True)
class GuideConflict:
    staff_id: int
    staff_name: str
    segment_id: int | None
    other_segment_id: int
    other_booking_code: str
    other_starts_at: datetime
    other_ends_at: datetime

    def details(self) -> dict[str, Any]:
        return {
            "staff_id": self.staff_id,
            "staff_name": self.staff_name,
            "segment_id": self.segment_id,
            "other_segment_id": self.other_segment_id,
            "other_booking_code": self.other_booking_code,
            "other_starts_at": self.other_starts_at.isoformat(),
            "other_ends_at": self.other_ends_at.isoformat(),
        }

    def message(self) -> str:
        return _("{name} is already guiding booking {code} at that time.").format(
            name=self.staff_name, code=self.other_booking_code
        )


def find_guide_conflicts(session: Session, subject: int | GuideCandidate) -> list[GuideConflict]:
    """Other segments (of bookings not cancelled) that the staff member is on at an overlapping time.

    ``subject`` is a ``SegmentStaff`` id (an existing assignment) or a candidate."""
    if isinstance(subject, int):
        assignment = c.get_entity(session, SegmentStaff, subject)
        segment = assignment.segment
        if segment.booking.status == BookingStatus.CANCELLED:
            return []
        subject = GuideCandidate(
            assignment.staff_id, segment.starts_at, segment.ends_at, segment.id, assignment.id
        )
    stmt = (
        select(SegmentStaff.staff_id, Staff.family_name, Staff.given_name, BookingSegment.id, Booking.code,
               BookingSegment.starts_at, BookingSegment.ends_at)
        .join(BookingSegment, SegmentStaff.segment_id == BookingSegment.id)
        .join(Booking, BookingSegment.booking_id == Booking.id)
        .join(Staff, SegmentStaff.staff_id == Staff.id)
        .where(SegmentStaff.staff_id == subject.staff_id)
        .where(Booking.status != BookingStatus.CANCELLED)
        .where(BookingSegment.starts_at < subject.ends_at)
        .where(BookingSegment.ends_at > subject.starts_at)
        .order_by(BookingSegment.starts_at, BookingSegment.id)
    )  # fmt: skip
    if subject.segment_id is not None:
        stmt = stmt.where(BookingSegment.id != subject.segment_id)
    return [
        GuideConflict(
            staff_id=staff_id,
            staff_name=f"{family} {given}".strip(),
            segment_id=subject.segment_id,
            other_segment_id=seg_id,
            other_booking_code=code,
            other_starts_at=starts,
            other_ends_at=ends,
        )
        for staff_id, family, given, seg_id, code, starts, ends in session.execute(stmt)
    ]


# --- segments ----------------------------------------------------------------------------------------------------


def _validate_segment(session: Session, values: dict[str, Any], obj: BookingSegment | None) -> dict[str, Any]:
    c.require_present(values, obj, "booking_id", "facility_id", "starts_at", "ends_at")
    if "booking_id" in values:
        c.reference(session, Booking, "booking_id", values["booking_id"])
    if "facility_id" in values:
        c.reference(session, Facility, "facility_id", values["facility_id"])
    if values.get("course_id") is not None:
        c.reference(session, Course, "course_id", values["course_id"])
        course = session.get(Course, values["course_id"])
        if course is not None and course.facility_id != c.current(values, obj, "facility_id"):
            raise ValidationError("course_id", _("This course belongs to another facility."))
    for field in ("starts_at", "ends_at"):
        if field in values:
            c.aware(field, values[field])
    if c.current(values, obj, "ends_at") <= c.current(values, obj, "starts_at"):
        raise ValidationError("ends_at", _("The visit ends before it starts."))
    if c.current(values, obj, "ends_at") - c.current(values, obj, "starts_at") > tc.MAX_PART:
        raise ValidationError("ends_at", _("A part of a visit lasts at most 24 hours."))
    c.texts(BookingSegment, values, optional=("meeting_point", "notes"))
    return values


def add_segment(
    session: Session,
    *,
    booking_id: int,
    facility_id: int,
    starts_at: datetime,
    ends_at: datetime,
    **values: Any,
) -> BookingSegment:
    """Part of a visit at one facility (aware times). Optional: course_id, meeting_point, notes, staff_ids
    (guides). Runs the checks for the new segment: ``ConflictError`` unless ``override_reason`` (recorded)."""
    override_reason = values.pop("override_reason", None)
    staff_ids = tuple(values.pop("staff_ids", ()))
    data = {
        "booking_id": booking_id,
        "facility_id": facility_id,
        "starts_at": starts_at,
        "ends_at": ends_at,
        **values,
    }
    data = _validate_segment(session, data, None)
    booking = get_booking(session, booking_id)
    for staff_id in staff_ids:
        c.reference(session, Staff, "staff_id", staff_id)
    new_plan = tc.SegmentPlan(
        facility_id, data["starts_at"], data["ends_at"], data.get("course_id"), staff_ids
    )
    plans = [tc.plan_of(s) for s in booking.segments] + [new_plan]
    issues = [
        i
        for i in tc.check_plan(
            session, plans, headcount=booking.headcount, booking_id=booking.id, status=booking.status
        )
        if i.index == len(plans) - 1
    ]
    if issues and not (override_reason or "").strip():
        raise tc.conflict_error(issues)
    segment = c.create_entity(session, BookingSegment, data)
    for staff_id in staff_ids:
        segment.staff.append(SegmentStaff(staff_id=staff_id, role=SegmentRole.GUIDE))
    c.flush(session)
    session.refresh(segment.booking, ["segments"])
    tc.raise_or_record(session, issues, [None] * (len(plans) - 1) + [segment], override_reason)
    c.flush(session)
    return segment


def get_segment(session: Session, segment_id: int) -> BookingSegment:
    return c.get_entity(session, BookingSegment, segment_id)


def update_segment(
    session: Session,
    segment_id: int,
    expected_version: int,
    *,
    override_reason: str | None = None,
    **changes: Any,
) -> BookingSegment:
    """Change a segment (times, facility, course): the checks run for it (``ConflictError`` unless
    ``override_reason``, which is recorded)."""
    segment = get_segment(session, segment_id)
    c.check_version(segment, expected_version)
    data = _validate_segment(session, dict(changes), segment)
    issues: list[tc.CheckIssue] = []
    if {"starts_at", "ends_at", "facility_id", "course_id"} & set(data):
        booking = segment.booking
        segments = list(booking.segments)
        plans = []
        for s in segments:
            plan = tc.plan_of(s)
            if s.id == segment.id:
                plan = tc.SegmentPlan(
                    c.current(data, s, "facility_id"),
                    c.current(data, s, "starts_at"),
                    c.current(data, s, "ends_at"),
                    c.current(data, s, "course_id"),
                    plan.staff_ids,
                    None,  # changed: earlier overrides do not apply
                )
            plans.append(plan)
        index = segments.index(segment)
        issues = [
            i
            for i in tc.check_plan(
                session, plans, headcount=booking.headcount, booking_id=booking.id, status=booking.status
            )
            if i.index == index
        ]
        if issues and not (override_reason or "").strip():
            raise tc.conflict_error(issues)
        c.apply_changes(segment, expected_version, data)
        c.flush(session)
        tc.raise_or_record(session, issues, segments, override_reason)
    else:
        c.apply_changes(segment, expected_version, data)
    c.flush(session)
    return segment


def delete_segment(session: Session, segment_id: int, expected_version: int | None = None) -> None:
    c.delete_entity(session, BookingSegment, segment_id, expected_version)


def assign_segment_staff(
    session: Session,
    *,
    segment_id: int,
    staff_id: int,
    role: SegmentRole = SegmentRole.GUIDE,
    override_reason: str | None = None,
) -> SegmentStaff:
    """Put a staff member on a segment. Already on another overlapping segment: ``ConflictError
    ("guide_double_booked")`` unless ``override_reason`` is given (then recorded)."""
    segment = get_segment(session, segment_id)
    c.reference(session, Staff, "staff_id", staff_id)
    role = c.enum_value("role", SegmentRole, role)
    if any(a.staff_id == staff_id for a in segment.staff):
        raise ValidationError("staff_id", _("This person is already assigned to this part of the visit."))
    booking = segment.booking
    segments = list(booking.segments)
    index = segments.index(segment)
    plans = [tc.plan_of(s) for s in segments]
    plans[index] = tc.SegmentPlan(
        segment.facility_id, segment.starts_at, segment.ends_at, segment.course_id, (staff_id,), None
    )
    issues = [
        i
        for i in tc.check_plan(
            session, plans, headcount=booking.headcount, booking_id=booking.id, status=booking.status
        )
        if i.index == index and i.kind in (tc.GUIDE_DOUBLE_BOOKED, tc.GUIDE_ON_DISPATCH)
    ]
    if issues and not (override_reason or "").strip():
        raise tc.conflict_error(issues)
    assignment = SegmentStaff(staff_id=staff_id, role=role)
    segment.staff.append(assignment)
    c.flush(session)
    tc.raise_or_record(session, issues, segments, override_reason)
    c.flush(session)
    return assignment


def update_segment_staff(
    session: Session, assignment_id: int, expected_version: int, *, role: SegmentRole
) -> SegmentStaff:
    changes = {"role": c.enum_value("role", SegmentRole, role)}
    return c.update_entity(session, SegmentStaff, assignment_id, expected_version, changes)


def remove_segment_staff(session: Session, assignment_id: int, expected_version: int | None = None) -> None:
    c.delete_entity(session, SegmentStaff, assignment_id, expected_version)


# --- presenters -----------------------------------------------------------------------------------------------


def add_presenter(
    session: Session, *, booking_id: int, organization_id: int, topic: str = ""
) -> BookingPresenter:
    """A member company presenting its technology to the group."""
    booking = get_booking(session, booking_id)
    c.reference(session, Organization, "organization_id", organization_id)
    if any(p.organization_id == organization_id for p in booking.presenters):
        raise ValidationError("organization_id", _("This company is already presenting to the group."))
    presenter = BookingPresenter(organization_id=organization_id, topic=c.optional_text("topic", topic, 300))
    booking.presenters.append(presenter)
    c.flush(session)
    return presenter


def update_presenter(
    session: Session, presenter_id: int, expected_version: int, *, topic: str
) -> BookingPresenter:
    changes = {"topic": c.optional_text("topic", topic, 300)}
    return c.update_entity(session, BookingPresenter, presenter_id, expected_version, changes)


def remove_presenter(session: Session, presenter_id: int, expected_version: int | None = None) -> None:
    c.delete_entity(session, BookingPresenter, presenter_id, expected_version)


# --- moving a booking, free slots, presenters -------------------------------------------------------------------


def _local_zone(segment: BookingSegment) -> ZoneInfo:
    return ZoneInfo(segment.facility.timezone or "Asia/Tokyo")


def move_booking(
    session: Session,
    booking_id: int,
    expected_version: int,
    *,
    to_date: date | None = None,
    shift: timedelta | None = None,
    override_reason: str | None = None,
) -> Booking:
    """Move a booking with all its segments: to ``to_date`` (same local times, days counted from the first
    segment's local date) or by ``shift``. Every segment is checked again (``ConflictError`` unless
    ``override_reason``, which is recorded)."""
    booking = get_booking(session, booking_id)
    c.check_version(booking, expected_version)
    segments = list(booking.segments)
    if not segments:
        raise ValidationError("segments", _("This booking has no visit times to move."))
    if (to_date is None) == (shift is None):
        raise ValidationError("to_date", _("Give either a new date or a time shift."))
    moved: list[tuple[datetime, datetime]] = []
    if to_date is not None:
        first_day = segments[0].starts_at.astimezone(_local_zone(segments[0])).date()
        days = timedelta(days=(to_date - first_day).days)
        for s in segments:
            zone = _local_zone(s)
            start, end = s.starts_at.astimezone(zone), s.ends_at.astimezone(zone)
            new_start = datetime.combine(start.date() + days, start.time(), zone)
            new_end = datetime.combine(end.date() + days, end.time(), zone)
            moved.append((new_start, new_end))
    else:
        assert shift is not None
        moved = [(s.starts_at + shift, s.ends_at + shift) for s in segments]
    plans = [
        tc.SegmentPlan(s.facility_id, start, end, s.course_id, tuple(a.staff_id for a in s.staff), None)
        for s, (start, end) in zip(segments, moved, strict=True)
    ]
    issues = tc.check_plan(
        session, plans, headcount=booking.headcount, booking_id=booking.id, status=booking.status
    )
    if issues and not (override_reason or "").strip():
        raise tc.conflict_error(issues)
    for s, (start, end) in zip(segments, moved, strict=True):
        s.starts_at, s.ends_at = start, end
    c.flush(session)
    tc.raise_or_record(session, issues, segments, override_reason)
    c.flush(session)
    return booking


@dataclass(frozen=True)
class FreeSlot:
    starts_at: datetime
    ends_at: datetime
    free_places: int  # capacity left for the whole slot after this group


def suggest_free_slots(
    session: Session,
    course_id: int,
    day: date,
    headcount: int,
    *,
    step_minutes: int = 30,
    exclude_booking_id: int | None = None,
    limit: int | None = None,
) -> list[FreeSlot]:
    """Start times on ``day`` (local) for ``course_id`` with a group of ``headcount`` that pass the facility's
    rules: opening hours, closed days and holidays, and capacity for the course's whole duration."""
    course = get_course(session, course_id)
    facility = course.facility
    zone = ZoneInfo(facility.timezone or "Asia/Tokyo")
    duration = timedelta(minutes=course.duration_min)
    if facility.weekdays:
        row = next((w for w in facility.weekdays if w.weekday == day.weekday()), None)
        if row is None or row.closed or row.opens is None or row.closes is None:
            return []
        opens, closes = datetime.combine(day, row.opens, zone), datetime.combine(day, row.closes, zone)
    else:
        opens, closes = datetime.combine(day, time(9), zone), datetime.combine(day, time(17), zone)
    plans: list[tc.SegmentPlan] = []
    start = opens
    while start + duration <= closes:
        plans.append(tc.SegmentPlan(facility.id, start, start + duration, course.id))
        start += timedelta(minutes=step_minutes)
    slots: list[FreeSlot] = []
    # every candidate checked as a one-part booking (one statement for the day): hours, closed days, capacity
    checks = tc.check_each_plan(session, plans, headcount=headcount, booking_id=exclude_booking_id)
    for plan, check in zip(plans, checks, strict=True):
        blocking = [i for i in check.issues if i.kind != tc.GROUP_SIZE]
        if any(i.kind in (tc.CLOSED_DATE, tc.PUBLIC_HOLIDAY, tc.WEEKLY_CLOSED) for i in blocking):
            return []
        if blocking:
            continue
        slots.append(FreeSlot(plan.starts_at, plan.ends_at, facility.capacity - check.peak))
        if limit is not None and len(slots) >= limit:
            break
    return slots


@dataclass(frozen=True)
class PresenterSuggestion:
    organization_id: int
    name_ja: str
    name_en: str
    technologies: tuple[str, ...]  # matched technology names (Japanese)
    score: int


# organization id, its names (ja, en), the technology's Japanese name, and (lower case, for matching) the
# technology's names with the product and its description, and the technology's Japanese name
PresenterRow = tuple[int, str, str, str, str, str]


def presenter_catalog(session: Session) -> list[PresenterRow]:
    """Every member company's technologies (one statement), what ``rank_presenters`` matches interests against;
    the booking dialog keeps it for the process (``ui/tours/choices.presenter_catalog``)."""
    from kawaoffice.model.partners import OrganizationKind, OrganizationTechnology, Technology

    rows = session.execute(
        select(Organization.id, Organization.name_ja, Organization.name_en, Technology.name_ja,
               Technology.name_en, OrganizationTechnology.product_name, OrganizationTechnology.description)
        .join(OrganizationTechnology, OrganizationTechnology.organization_id == Organization.id)
        .join(Technology, OrganizationTechnology.technology_id == Technology.id)
        .where(Organization.kind == OrganizationKind.MEMBER)
        .order_by(Organization.id, OrganizationTechnology.id)
    ).all()  # fmt: skip
    return [
        (oid, oja, oen, tja, " ".join((tja, ten, product, text)).lower(), (tja or "").lower())
        for oid, oja, oen, tja, ten, product, text in rows
    ]


def interest_words(interests: str) -> list[str]:
    """The words of a group's interests that presenters are matched on (two characters or more)."""
    return [w for w in re.split(r"[\s、,，・/／]+", interests.lower()) if len(w) >= 2]


def rank_presenters(
    rows: Sequence[PresenterRow], interests: str, *, limit: int = 10
) -> list[PresenterSuggestion]:
    """The member companies among ``rows`` (``presenter_catalog``) whose technologies match the group's interests
    (technology names or product descriptions sharing words with ``interests``), best match first."""
    words = interest_words(interests)
    if not words:
        return []
    found: dict[int, tuple[str, str, list[str], int]] = {}
    for oid, org_ja, org_en, tech_ja, text, tech_low in rows:  # (the lower-case texts made once per catalog)
        score = sum(1 for w in words if w in text or (len(w) >= 2 and tech_low and tech_low in w))
        if score:
            entry = found.setdefault(oid, (org_ja, org_en, [], 0))
            if tech_ja not in entry[2]:
                entry[2].append(tech_ja)
            found[oid] = (org_ja, org_en, entry[2], entry[3] + score)
    ranked = sorted(found.items(), key=lambda kv: (-kv[1][3], kv[1][0]))
    return [
        PresenterSuggestion(oid, ja, en, tuple(techs), score)
        for oid, (ja, en, techs, score) in ranked[:limit]
    ]


def suggest_presenters(session: Session, interests: str, *, limit: int = 10) -> list[PresenterSuggestion]:
    """Member companies whose technologies match the group's interests (technology names or product
    descriptions sharing words with ``interests``), best match first."""
    if not interest_words(interests):
        return []
    return rank_presenters(presenter_catalog(session), interests, limit=limit)


# --- calendar and lists ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarBlock:
    segment_id: int
    booking_id: int
    booking_code: str
    group_name: str
    group_name_en: str
    status: BookingStatus
    headcount: int
    facility_id: int
    starts_at: datetime
    ends_at: datetime
    course_name: str
    staff_names: tuple[str, ...]
    issues: tuple[str, ...]  # messages of checks not passed and not overridden


def facilities(session: Session, *, active_only: bool = True) -> list[Facility]:
    stmt = select(Facility).order_by(Facility.id)
    if active_only:
        stmt = stmt.where(Facility.active.is_(True))
    return list(session.scalars(stmt))


def calendar_blocks(
    session: Session,
    starts: datetime,
    ends: datetime,
    *,
    facility_id: int | None = None,
    with_issues: bool = True,
) -> list[CalendarBlock]:
    """Segments overlapping [starts, ends) with their booking, for the day and week views. Cancelled bookings
    are included (shown greyed); ``issues`` marks conflicts."""
    stmt = (
        select(BookingSegment)
        .where(BookingSegment.starts_at < ends)
        .where(BookingSegment.ends_at > starts)
        .order_by(BookingSegment.starts_at, BookingSegment.id)
        .options(
            joinedload(BookingSegment.booking),
            joinedload(BookingSegment.course),
            selectinload(BookingSegment.staff).joinedload(SegmentStaff.staff),
        )
    )
    if facility_id is not None:
        stmt = stmt.where(BookingSegment.facility_id == facility_id)
    segments = list(session.scalars(stmt))
    issues: dict[int, list[str]] = {}
    if with_issues:
        for booking_id in dict.fromkeys(s.booking_id for s in segments):
            booking = session.get(Booking, booking_id)
            if booking is None:
                continue
            ordered = list(booking.segments)
            for issue in booking_issues(session, booking_id):
                issues.setdefault(ordered[issue.index].id, []).append(issue.message)
    return [
        CalendarBlock(
            s.id, s.booking_id, s.booking.code, s.booking.group_name, s.booking.group_name_en, s.booking.status,
            s.booking.headcount, s.facility_id, s.starts_at, s.ends_at,
            s.course.name_ja if s.course is not None else "",
            tuple(f"{a.staff.family_name} {a.staff.given_name}".strip() for a in s.staff),
            tuple(issues.get(s.id, ())),
        )
        for s in segments
    ]  # fmt: skip


def staff_choices(session: Session) -> list[tuple[int, str]]:
    """Active staff as (id, name) for the guide pickers."""
    rows = session.execute(
        select(Staff.id, Staff.family_name, Staff.given_name)
        .where(Staff.active.is_(True))
        .order_by(Staff.family_kana, Staff.staff_no)
    )
    return [(sid, f"{family} {given}".strip()) for sid, family, given in rows]


@dataclass(frozen=True)
class FacilityPick:
    """An active facility as the booking dialog's pickers show it, with its active courses (id, name, minutes)."""

    id: int
    name_ja: str
    timezone: str
    courses: tuple[tuple[int, str, int], ...]


_CHOICE_SLOTS: dict[str, Any] = {
    "kind": String(8), "id": Integer(), "owner": Integer(), "pos": Integer(), "t1": String(200),
    "t2": String(100), "t3": String(64),
}  # fmt: skip


def booking_choice_rows(session: Session) -> tuple[list[FacilityPick], list[tuple[int, str]]]:
    """The booking dialog's choice lists in one statement (a UNION ALL; each statement is a round trip to a shared
    server): the active facilities by id with their active courses (``facility_choices``) and the active staff for
    the guide pickers (``staff_choices``, in the database's order of their readings)."""

    def cols(kind: str, **values: Any) -> list[Any]:
        return c.union_columns(_CHOICE_SLOTS, kind=literal(kind), **values)

    order = func.row_number().over(order_by=(Staff.family_kana, Staff.staff_no))
    rows = session.execute(
        union_all(
            select(*cols("facility", id=Facility.id, t1=Facility.name_ja, t3=Facility.timezone))
            .where(Facility.active.is_(True)),
            select(*cols("course", id=Course.id, owner=Course.facility_id, pos=Course.duration_min,
                         t1=Course.name_ja))
            .join(Facility, Course.facility_id == Facility.id)
            .where(Facility.active.is_(True), Course.active.is_(True)),
            select(*cols("staff", id=Staff.id, pos=order, t1=Staff.family_name, t2=Staff.given_name))
            .where(Staff.active.is_(True)),
        )
    ).all()  # fmt: skip
    courses: dict[int, list[tuple[int, str, int]]] = {}
    for r in sorted((r for r in rows if r.kind == "course"), key=lambda r: r.id):
        courses.setdefault(r.owner, []).append((r.id, r.t1, r.pos))
    facilities = [
        FacilityPick(r.id, r.t1, r.t3 or "Asia/Tokyo", tuple(courses.get(r.id, ())))
        for r in sorted((r for r in rows if r.kind == "facility"), key=lambda r: r.id)
    ]
    staff = [
        (r.id, f"{r.t1} {r.t2 or ''}".strip())
        for r in sorted((r for r in rows if r.kind == "staff"), key=lambda r: r.pos)
    ]
    return facilities, staff


def booking_for_edit(session: Session, booking_id: int) -> Booking:
    """The booking with everything its edit dialog shows, in one statement whatever its size (each statement is a
    round trip to a shared server): its parts with their facility, course and guides (the staff rows), and the
    presenters with their organization, all joined (a visit has a few parts, guides and presenters). The checks
    read their own rows in one more statement (``tour_checks.read_check_rows``). ``NotFoundError`` when gone."""
    stmt = (
        select(Booking)
        .where(Booking.id == booking_id)
        .options(
            joinedload(Booking.segments).options(
                joinedload(BookingSegment.facility),
                joinedload(BookingSegment.course),
                joinedload(BookingSegment.staff).joinedload(SegmentStaff.staff),
            ),
            joinedload(Booking.presenters).joinedload(BookingPresenter.organization),
        )
        .execution_options(populate_existing=True)
    )
    booking = session.execute(stmt).unique().scalar_one_or_none()
    if booking is None:
        raise NotFoundError()
    return booking


def facility_choices(session: Session) -> list[Facility]:
    """Active facilities by id with their courses (two statements), for the booking dialog's pickers."""
    stmt = (
        select(Facility)
        .where(Facility.active.is_(True))
        .order_by(Facility.id)
        .options(selectinload(Facility.courses))
    )
    return list(session.scalars(stmt))
