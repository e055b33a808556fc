"""The booking checks of the tours area, run while a booking is edited and before it is confirmed.

Each check gives a ``CheckIssue`` with a translated message. Every issue is overridable, but only with a reason,
which is recorded (``ConflictOverride`` + audit entry) against the segment. An issue whose override was already
recorded (same kind, segment and ``key``) is not raised again, e.g. when the booking is confirmed later.

Kinds: ``over_capacity`` (all groups in the facility at that time vs its capacity), ``outside_hours``,
``weekly_closed``, ``closed_date`` (年末年始, maintenance), ``public_holiday`` (Japan, ``holidays``),
``guide_double_booked``, ``guide_on_dispatch``, ``group_size`` (the course's limits).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import Boolean, Date, Integer, String, Time, and_, literal, or_, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from kawaoffice.i18n import _, current_language, format_date, format_time
from kawaoffice.model.audit import ConflictOverride
from kawaoffice.model.base import UTCDateTime
from kawaoffice.model.dispatch import Dispatch, DispatchMember, DispatchStatus, Staff
from kawaoffice.model.tours import (
    Booking,
    BookingSegment,
    BookingStatus,
    ClosedDate,
    Course,
    Facility,
    FacilityWeekday,
    SegmentStaff,
)
from kawaoffice.services.audit import record_override
from kawaoffice.services.common import union_columns
from kawaoffice.services.errors import ConflictError

OVER_CAPACITY = "over_capacity"
OUTSIDE_HOURS = "outside_hours"
WEEKLY_CLOSED = "weekly_closed"
CLOSED_DATE = "closed_date"
PUBLIC_HOLIDAY = "public_holiday"
GUIDE_DOUBLE_BOOKED = "guide_double_booked"
GUIDE_ON_DISPATCH = "guide_on_dispatch"
GROUP_SIZE = "group_size"

CHECK_KINDS = (
    OVER_CAPACITY, OUTSIDE_HOURS, WEEKLY_CLOSED, CLOSED_DATE, PUBLIC_HOLIDAY,
    GUIDE_DOUBLE_BOOKED, GUIDE_ON_DISPATCH, GROUP_SIZE,
)  # fmt: skip


@dataclass(frozen=True)
class SegmentPlan:
    """A segment as it would be after an edit (``segment_id`` None for a new one)."""

    facility_id: int
    starts_at: datetime
    ends_at: datetime
    course_id: int | None = None
    staff_ids: tuple[int, ...] = ()
    segment_id: int | None = None


@dataclass(frozen=True)
class CheckIssue:
    kind: str
    message: str
    index: int  # which segment of the plan
    key: str  # identifies the issue for recorded overrides
    other_table: str | None = None
    other_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "message": self.message,
            "index": self.index,
            "key": self.key,
            **self.details,
        }


@cache
def _jp_holidays(year: int, language: str) -> dict[date, str]:
    lang = "ja" if language == "ja" else "en_US"
    return dict(holidays.country_holidays("JP", years=year, language=lang).items())


def public_holiday(day: date) -> str | None:
    """The name of the Japanese public holiday on ``day`` (in the current language), or None."""
    return _jp_holidays(day.year, current_language()).get(day)


def _zone(facility: Facility | Place) -> ZoneInfo:
    return ZoneInfo(facility.timezone or "Asia/Tokyo")


def _staff_name(staff: Staff | None) -> str:
    if staff is None:
        return "?"
    return f"{staff.family_name} {staff.given_name}".strip()


@dataclass
class Place:
    """What the checks need of a facility (read with the checks' other rows in one statement): its capacity,
    names, time zone, opening days (by weekday) and the closed dates near the checked days (by date)."""

    id: int
    name_ja: str
    name_en: str
    timezone: str
    capacity: int
    observes_public_holidays: bool
    weekdays: list[OpeningDay] = field(default_factory=list)
    closed_dates: list[Closure] = field(default_factory=list)


@dataclass(frozen=True)
class OpeningDay:
    weekday: int
    closed: bool
    opens: time | None
    closes: time | None


@dataclass(frozen=True)
class Closure:
    id: int
    closed_on: date
    reason: str


@dataclass(frozen=True)
class CourseLimits:
    id: int
    name_ja: str
    name_en: str
    min_group: int
    max_group: int


def _span(starts: datetime, ends: datetime, zone: ZoneInfo) -> str:
    return f"{format_time(starts, zone)}–{format_time(ends, zone)}"


# The longest a part of a visit may last (``tours`` refuses longer ones; the booking dialog's parts are within a
# day). The checks' overlap search bounds a part's start by it: an index range instead of every earlier part, and
# PostgreSQL then estimates a handful of rows (not a third of the table, which made it scan every booking).
MAX_PART = timedelta(hours=24)

Window = tuple[int, datetime, datetime]  # facility id, start, end
LoadRow = tuple[
    int, datetime, datetime, int, int, str
]  # facility id, start, end, headcount, booking id, code


def _load_rows(session: Session, windows: Sequence[Window], exclude_booking_id: int | None) -> list[LoadRow]:
    """Segments of not cancelled bookings overlapping any of ``windows`` at its facility, in one statement."""
    if not windows:
        return []
    stmt = (
        select(BookingSegment.facility_id, BookingSegment.starts_at, BookingSegment.ends_at, Booking.headcount,
               Booking.id, Booking.code)
        .join(Booking, BookingSegment.booking_id == Booking.id)
        .where(
            or_(*(and_(BookingSegment.facility_id == fid, BookingSegment.starts_at < ends,
                       BookingSegment.starts_at > starts - MAX_PART, BookingSegment.ends_at > starts)
                  for fid, starts, ends in dict.fromkeys(windows)))
        )
        .where(Booking.status != BookingStatus.CANCELLED)
        .order_by(BookingSegment.starts_at, BookingSegment.id)
    )  # fmt: skip
    if exclude_booking_id is not None:
        stmt = stmt.where(Booking.id != exclude_booking_id)
    return [(fid, s, e, count, bid, code) for fid, s, e, count, bid, code in session.execute(stmt)]


def _peak(
    rows: Sequence[LoadRow],
    facility_id: int,
    starts_at: datetime,
    ends_at: datetime,
    extra: Sequence[tuple[datetime, datetime, int, int]],
) -> tuple[int, list[str]]:
    ranges: list[tuple[datetime, datetime, int, int]] = []
    codes: list[str] = []
    for fid, s, e, count, bid, code in rows:
        if fid != facility_id or not (s < ends_at and e > starts_at):
            continue
        ranges.append((max(s, starts_at), min(e, ends_at), count, bid))
        if code not in codes:
            codes.append(code)
    for s, e, count, key in extra:
        if s < ends_at and starts_at < e:
            ranges.append((max(s, starts_at), min(e, ends_at), count, key))
    peak = 0
    for moment in sorted({r[0] for r in ranges}):
        present: dict[int, int] = {}
        for s, e, count, key in ranges:
            if s <= moment < e:
                present[key] = max(present.get(key, 0), count)
        peak = max(peak, sum(present.values()))
    return peak, codes


def facility_load(
    session: Session,
    facility_id: int,
    starts_at: datetime,
    ends_at: datetime,
    *,
    exclude_booking_id: int | None = None,
    extra: Sequence[tuple[datetime, datetime, int, int]] = (),
) -> tuple[int, list[str]]:
    """The largest number of visitors in the facility at any moment of [starts_at, ends_at) and the codes of the
    bookings there. Cancelled bookings do not count; each booking counts once at a moment. ``extra``: more
    (start, end, headcount, booking key) ranges to count (e.g. other segments of the plan being checked)."""
    rows = _load_rows(session, [(facility_id, starts_at, ends_at)], exclude_booking_id)
    return _peak(rows, facility_id, starts_at, ends_at, extra)


def _hours_issues(facility: Place, plan: SegmentPlan, index: int) -> list[CheckIssue]:
    zone = _zone(facility)
    start, end = plan.starts_at.astimezone(zone), plan.ends_at.astimezone(zone)
    day = start.date()
    issues: list[CheckIssue] = []
    name = facility.name_ja if current_language() == "ja" else (facility.name_en or facility.name_ja)
    for closed in facility.closed_dates:
        if closed.closed_on == day:
            message = _("{facility} is closed on {date} ({reason}).").format(
                facility=name, date=format_date(day), reason=closed.reason or _("closed")
            )
            issues.append(CheckIssue(CLOSED_DATE, message, index, f"closed:{day}", "closed_dates", closed.id))
    holiday = public_holiday(day) if facility.observes_public_holidays else None
    if holiday:
        message = _("{date} is a public holiday ({holiday}); {facility} is closed.").format(
            date=format_date(day), holiday=holiday, facility=name
        )
        issues.append(
            CheckIssue(PUBLIC_HOLIDAY, message, index, f"holiday:{day}", details={"holiday": holiday})
        )
    if not facility.weekdays:
        return issues
    row = next((w for w in facility.weekdays if w.weekday == day.weekday()), None)
    if row is None or row.closed or row.opens is None or row.closes is None:
        message = _("{facility} is closed on this day of the week ({date}).").format(
            facility=name, date=format_date(day, "full")
        )
        issues.append(CheckIssue(WEEKLY_CLOSED, message, index, f"weekday:{day}"))
        return issues
    opens = datetime.combine(day, row.opens, zone)
    closes = datetime.combine(day, row.closes, zone)
    if start < opens or end > closes:
        message = _("The visit {span} is outside the opening hours of {facility} ({hours}).").format(
            span=_span(plan.starts_at, plan.ends_at, zone),
            facility=name,
            hours=_span(opens, closes, zone),
        )
        issues.append(
            CheckIssue(
                OUTSIDE_HOURS,
                message,
                index,
                f"hours:{plan.starts_at.isoformat()}/{plan.ends_at.isoformat()}",
            )
        )
    return issues


def _day_span(plan: SegmentPlan, zone: ZoneInfo) -> tuple[date, date]:
    return plan.starts_at.astimezone(zone).date(), (plan.ends_at - timedelta(microseconds=1)).astimezone(
        zone
    ).date()


def _dispatch_issues(
    names: dict[int, str], rows: Sequence[AwayRow], plan: SegmentPlan, zone: ZoneInfo, index: int
) -> list[CheckIssue]:
    """Guides of ``plan`` who are away on a (not cancelled) dispatch that day, in the order of the guides."""
    first, last = _day_span(plan, zone)
    issues = []
    for staff_id in plan.staff_ids:
        for sid, dispatch_id, code, departure_on, return_on in rows:
            if sid != staff_id or departure_on > last or return_on < first:
                continue
            message = _("{name} is away on dispatch {code} ({start} – {end}).").format(
                name=names.get(staff_id, "?"),
                code=code,
                start=format_date(departure_on),
                end=format_date(return_on),
            )
            issues.append(
                CheckIssue(
                    GUIDE_ON_DISPATCH, message, index, f"dispatch:{staff_id}:{dispatch_id}", "dispatches",
                    dispatch_id, {"staff_id": staff_id, "dispatch_code": code},
                )
            )  # fmt: skip
    return issues


GuideRow = tuple[int, int, str, datetime, datetime]  # staff id, segment id, booking code, start, end


def _guide_issues(
    names: dict[int, str],
    rows: Sequence[GuideRow],
    plans: Sequence[SegmentPlan],
    index: int,
    booking_id: int | None,
) -> list[CheckIssue]:
    """Guides of ``plans[index]`` who guide another booking at that time, or who are on two overlapping parts of
    this visit; in the order of the guides."""
    plan = plans[index]
    issues: list[CheckIssue] = []
    for staff_id in plan.staff_ids:
        name = names.get(staff_id, "?")
        for sid, seg_id, code, starts, ends in rows:
            if sid != staff_id or not (starts < plan.ends_at and ends > plan.starts_at):
                continue
            if booking_id is None and plan.segment_id is not None and seg_id == plan.segment_id:
                continue
            message = _("{name} is already guiding booking {code} at that time.").format(name=name, code=code)
            details = {
                "staff_id": staff_id, "staff_name": name, "segment_id": plan.segment_id,
                "other_segment_id": seg_id, "other_booking_code": code,
                "other_starts_at": starts.isoformat(), "other_ends_at": ends.isoformat(),
            }  # fmt: skip
            issues.append(
                CheckIssue(
                    GUIDE_DOUBLE_BOOKED, message, index, f"guide:{staff_id}:{seg_id}:{plan.starts_at.isoformat()}",
                    "booking_segments", seg_id, details,
                )
            )  # fmt: skip
        for j, other in enumerate(plans):
            if (
                j < index
                and staff_id in other.staff_ids
                and other.starts_at < plan.ends_at
                and plan.starts_at < other.ends_at
            ):
                message = _("{name} is on two parts of this visit at the same time.").format(name=name)
                issues.append(
                    CheckIssue(
                        GUIDE_DOUBLE_BOOKED, message, index, f"guide-self:{staff_id}:{j}:{plan.starts_at.isoformat()}",
                        details={"staff_id": staff_id, "staff_name": name},
                    )
                )  # fmt: skip
    return issues


def check_plan(
    session: Session,
    plans: Sequence[SegmentPlan],
    *,
    headcount: int,
    booking_id: int | None = None,
    status: BookingStatus = BookingStatus.REQUESTED,
    skip_recorded: bool = True,
) -> list[CheckIssue]:
    """Every issue of a booking with ``headcount`` visitors whose segments would be ``plans``. ``booking_id``
    (when editing) makes the booking's stored segments not count against the plan. A cancelled booking has no
    issues. Issues already overridden with a recorded reason are left out unless ``skip_recorded`` is False.
    Everything the checks read, for every part at once, comes in one statement (``read_check_rows``)."""
    if status == BookingStatus.CANCELLED:
        return []
    rows = read_check_rows(session, plans, booking_id, recorded=skip_recorded)
    return _plan_issues(rows, plans, headcount, booking_id, skip_recorded)


def check_each_plan(
    session: Session,
    plans: Sequence[SegmentPlan],
    *,
    headcount: int,
    booking_id: int | None = None,
    skip_recorded: bool = True,
) -> list[PlanCheck]:
    """``check_plan`` of each of ``plans`` on its own (as a one-part booking: the other plans do not count against
    it), e.g. the candidate start times of a day, with the facility's peak; one statement for all of them."""
    rows = read_check_rows(session, plans, booking_id, recorded=skip_recorded)
    key = -1 if booking_id is None else booking_id
    checks: list[PlanCheck] = []
    for plan in plans:
        group = [(plan.starts_at, plan.ends_at, headcount, key)]
        peak, _codes = _peak(rows.load, plan.facility_id, plan.starts_at, plan.ends_at, group)
        checks.append(PlanCheck(_plan_issues(rows, [plan], headcount, booking_id, skip_recorded), peak))
    return checks


@dataclass(frozen=True)
class PlanCheck:
    issues: list[CheckIssue]
    peak: int  # the most visitors at the part's facility at any moment of it, this group included


def _plan_issues(
    rows: CheckRows,
    plans: Sequence[SegmentPlan],
    headcount: int,
    booking_id: int | None,
    skip_recorded: bool,
) -> list[CheckIssue]:
    issues: list[CheckIssue] = []
    key = -1 if booking_id is None else booking_id
    checked = [
        (index, plan, rows.places[plan.facility_id], _zone(rows.places[plan.facility_id]))
        for index, plan in enumerate(plans)
        if plan.facility_id in rows.places
    ]
    for index, plan, facility, zone in checked:
        name = facility.name_ja if current_language() == "ja" else (facility.name_en or facility.name_ja)
        issues.extend(_hours_issues(facility, plan, index))
        extra = [
            (p.starts_at, p.ends_at, headcount, key)
            for j, p in enumerate(plans)
            if j != index and p.facility_id == plan.facility_id
        ]
        extra.append((plan.starts_at, plan.ends_at, headcount, key))
        peak, codes = _peak(rows.load, plan.facility_id, plan.starts_at, plan.ends_at, extra)
        if peak > facility.capacity:
            message = _(
                "{facility} would have {count} visitors at {span}, more than its capacity of {capacity}."
            ).format(
                facility=name,
                count=peak,
                span=_span(plan.starts_at, plan.ends_at, zone),
                capacity=facility.capacity,
            )
            issues.append(
                CheckIssue(
                    OVER_CAPACITY, message, index,
                    f"capacity:{plan.facility_id}:{plan.starts_at.isoformat()}/{plan.ends_at.isoformat()}:{peak}",
                    "facilities", facility.id, {"peak": peak, "capacity": facility.capacity, "bookings": codes},
                )
            )  # fmt: skip
        course = rows.courses.get(plan.course_id) if plan.course_id is not None else None
        if course is not None and not course.min_group <= headcount <= course.max_group:
            course_name = course.name_ja if current_language() == "ja" else (course.name_en or course.name_ja)
            message = _(
                "The course {course} takes groups of {low} to {high}; this group has {count}."
            ).format(course=course_name, low=course.min_group, high=course.max_group, count=headcount)
            issues.append(
                CheckIssue(GROUP_SIZE, message, index, f"size:{course.id}:{headcount}", "courses", course.id)
            )
        issues.extend(_guide_issues(rows.names, rows.guiding, plans, index, booking_id))
        issues.extend(_dispatch_issues(rows.names, rows.away, plan, zone, index))
    if skip_recorded and issues:
        issues = [i for i in issues if (plans[i.index].segment_id, i.kind, i.key) not in rows.recorded]
    return issues


@dataclass
class CheckRows:
    """What the checks of a plan read: the facilities (with opening days and nearby closed dates) and courses of
    its parts, its guides' names, the other visits at its facilities and of its guides at those times, its
    guides' dispatches around those days, and the recorded overrides of its stored parts."""

    places: dict[int, Place] = field(default_factory=dict)
    courses: dict[int, CourseLimits] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)  # staff id -> name
    load: list[LoadRow] = field(default_factory=list)
    guiding: list[GuideRow] = field(default_factory=list)
    away: list[AwayRow] = field(default_factory=list)
    recorded: set[tuple[int | None, str, str]] = field(default_factory=set)


AwayRow = tuple[int, int, str, date, date]  # staff id, dispatch id, dispatch code, departure, return

# the columns of every branch of the checks' UNION ALL (see read_check_rows)
_SLOTS: dict[str, TypeEngine[Any]] = {
    "kind": String(16), "a": Integer(), "b": Integer(), "c": Integer(), "n": Integer(), "t1": String(300), "t2": String(300),
    "t3": String(64), "s": UTCDateTime(), "e": UTCDateTime(), "d1": Date(), "d2": Date(), "o": Time(),
    "cl": Time(), "f": Boolean(),
}  # fmt: skip


def read_check_rows(
    session: Session, plans: Sequence[SegmentPlan], booking_id: int | None, *, recorded: bool = True
) -> CheckRows:
    """Everything ``check_plan`` reads for ``plans``, in one statement (a UNION ALL; each statement is a round
    trip to a shared server). Closed dates and dispatches are read for the days around the parts' UTC days
    (a local day is at most one day off) and matched exactly by the checks."""
    out = CheckRows()
    if not plans:
        return out
    facility_ids = sorted({p.facility_id for p in plans})
    course_ids = sorted({p.course_id for p in plans if p.course_id is not None})
    staff_ids = sorted({sid for p in plans for sid in p.staff_ids})
    segment_ids = sorted({p.segment_id for p in plans if p.segment_id is not None})
    first = min(p.starts_at.astimezone(UTC).date() for p in plans) - timedelta(days=1)
    last = max(p.ends_at.astimezone(UTC).date() for p in plans) + timedelta(days=1)

    def cols(kind: str, **values: Any) -> list[Any]:
        return union_columns(_SLOTS, kind=literal(kind), **values)

    f = Facility
    branches: list[Any] = [
        select(*cols("facility", a=f.id, b=f.capacity, t1=f.name_ja, t2=f.name_en, t3=f.timezone,
                     f=f.observes_public_holidays)).where(f.id.in_(facility_ids)),
        select(*cols("weekday", a=FacilityWeekday.facility_id, b=FacilityWeekday.weekday, c=FacilityWeekday.id,
                     f=FacilityWeekday.closed, o=FacilityWeekday.opens, cl=FacilityWeekday.closes))
        .where(FacilityWeekday.facility_id.in_(facility_ids)),
        select(*cols("closed", a=ClosedDate.facility_id, b=ClosedDate.id, d1=ClosedDate.closed_on,
                     t1=ClosedDate.reason))
        .where(ClosedDate.facility_id.in_(facility_ids), ClosedDate.closed_on.between(first, last)),
    ]  # fmt: skip
    windows = dict.fromkeys((p.facility_id, p.starts_at, p.ends_at) for p in plans)
    load_stmt = (
        select(*cols("load", a=BookingSegment.facility_id, b=Booking.id, c=BookingSegment.id, n=Booking.headcount,
                     t1=Booking.code, s=BookingSegment.starts_at, e=BookingSegment.ends_at))
        .join_from(BookingSegment, Booking, BookingSegment.booking_id == Booking.id)
        .where(or_(*(and_(BookingSegment.facility_id == fid, BookingSegment.starts_at < ends,
                          BookingSegment.starts_at > starts - MAX_PART, BookingSegment.ends_at > starts)
                     for fid, starts, ends in windows)))
        .where(Booking.status != BookingStatus.CANCELLED)
    )  # fmt: skip
    if booking_id is not None:
        load_stmt = load_stmt.where(Booking.id != booking_id)
    branches.append(load_stmt)
    if course_ids:
        branches.append(
            select(*cols("course", a=Course.id, b=Course.min_group, c=Course.max_group, t1=Course.name_ja,
                         t2=Course.name_en)).where(Course.id.in_(course_ids))
        )  # fmt: skip
    if staff_ids:
        guided = [p for p in plans if p.staff_ids]
        guide_stmt = (
            select(*cols("guide", a=SegmentStaff.staff_id, b=BookingSegment.id, t1=Booking.code,
                         s=BookingSegment.starts_at, e=BookingSegment.ends_at))
            .join_from(SegmentStaff, BookingSegment, SegmentStaff.segment_id == BookingSegment.id)
            .join(Booking, BookingSegment.booking_id == Booking.id)
            .where(SegmentStaff.staff_id.in_(staff_ids))
            .where(Booking.status != BookingStatus.CANCELLED)
            .where(or_(*(and_(BookingSegment.starts_at < p.ends_at, BookingSegment.ends_at > p.starts_at)
                         for p in guided)))
        )  # fmt: skip
        if booking_id is not None:
            guide_stmt = guide_stmt.where(Booking.id != booking_id)
        branches += [
            select(*cols("staff", a=Staff.id, t1=Staff.family_name, t2=Staff.given_name))
            .where(Staff.id.in_(staff_ids)),
            guide_stmt,
            select(*cols("away", a=DispatchMember.staff_id, b=Dispatch.id, t1=Dispatch.code,
                         d1=Dispatch.departure_on, d2=Dispatch.return_on))
            .join_from(DispatchMember, Dispatch, DispatchMember.dispatch_id == Dispatch.id)
            .where(DispatchMember.staff_id.in_(staff_ids))
            .where(Dispatch.status != DispatchStatus.CANCELLED)
            .where(Dispatch.departure_on <= last, Dispatch.return_on >= first),
        ]  # fmt: skip
    if recorded and segment_ids:
        branches.append(
            select(*cols("recorded", a=ConflictOverride.subject_id, t1=ConflictOverride.kind,
                         t2=ConflictOverride.details["key"].as_string()))
            .where(ConflictOverride.subject_table == BookingSegment.__tablename__)
            .where(ConflictOverride.subject_id.in_(segment_ids))
        )  # fmt: skip
    load_rows: list[tuple[datetime, int, LoadRow]] = []
    guide_rows: list[tuple[datetime, int, GuideRow]] = []
    away_rows: list[tuple[date, int, AwayRow]] = []
    days: list[tuple[int, int, int, OpeningDay]] = []
    closures: list[tuple[int, date, int, Closure]] = []
    for r in session.execute(union_all(*branches)):
        kind = r.kind
        if kind == "facility":
            out.places[r.a] = Place(r.a, r.t1, r.t2 or "", r.t3 or "", r.b, bool(r.f))
        elif kind == "weekday":
            days.append((r.a, r.b, r.c, OpeningDay(r.b, bool(r.f), r.o, r.cl)))
        elif kind == "closed":
            closures.append((r.a, r.d1, r.b, Closure(r.b, r.d1, r.t1 or "")))
        elif kind == "load":
            load_rows.append((r.s, r.c, (r.a, r.s, r.e, r.n, r.b, r.t1)))
        elif kind == "course":
            out.courses[r.a] = CourseLimits(r.a, r.t1, r.t2 or "", r.b, r.c)
        elif kind == "staff":
            out.names[r.a] = f"{r.t1} {r.t2 or ''}".strip()
        elif kind == "guide":
            guide_rows.append((r.s, r.b, (r.a, r.b, r.t1, r.s, r.e)))
        elif kind == "away":
            away_rows.append((r.d1, r.b, (r.a, r.b, r.t1, r.d1, r.d2)))
        elif kind == "recorded":
            out.recorded.add((r.a, r.t1, r.t2 or ""))
    for fid, _weekday, _id, day in sorted(days, key=lambda d: (d[0], d[1], d[2])):
        if fid in out.places:
            out.places[fid].weekdays.append(day)
    for fid, _on, _id, closure in sorted(closures, key=lambda c: (c[0], c[1], c[2])):
        if fid in out.places:
            out.places[fid].closed_dates.append(closure)
    out.load = [row for _s, _i, row in sorted(load_rows, key=lambda x: (x[0], x[1]))]
    out.guiding = [row for _s, _i, row in sorted(guide_rows, key=lambda x: (x[0], x[1], x[2][0]))]
    out.away = [row for _d, _i, row in sorted(away_rows, key=lambda x: (x[0], x[1], x[2][0]))]
    return out


def conflict_error(issues: Sequence[CheckIssue]) -> ConflictError:
    """One error carrying every issue: ``kind`` of the first, the messages one per line, ``details["issues"]``
    and, for guide conflicts, ``details["conflicts"]``."""
    messages = list(dict.fromkeys(i.message for i in issues))
    return ConflictError(
        issues[0].kind,
        "\n".join(messages),
        {
            "issues": [i.as_dict() for i in issues],
            "conflicts": [
                i.details for i in issues if i.kind == GUIDE_DOUBLE_BOOKED and i.other_id is not None
            ],
        },
    )


def raise_or_record(
    session: Session,
    issues: Sequence[CheckIssue],
    segments: Sequence[BookingSegment | None],
    override_reason: str | None,
) -> None:
    """Raise a ``ConflictError`` for ``issues`` unless a reason is given; then record one override per issue
    against its segment (``segments[i.index]``, which must exist by then)."""
    if not issues:
        return
    reason = (override_reason or "").strip()
    if not reason:
        raise conflict_error(issues)
    for issue in issues:
        subject = segments[issue.index]
        if subject is None:
            continue
        other = None
        if issue.other_table == "booking_segments" and issue.other_id is not None:
            other = session.get(BookingSegment, issue.other_id)
        details = {"key": issue.key, "message": issue.message, **issue.details}
        override = record_override(session, issue.kind, subject, other, reason, details)
        if other is None and issue.other_table is not None:
            override.other_table, override.other_id = issue.other_table, issue.other_id


def plan_of(segment: BookingSegment) -> SegmentPlan:
    return SegmentPlan(
        segment.facility_id,
        segment.starts_at,
        segment.ends_at,
        segment.course_id,
        tuple(a.staff_id for a in segment.staff),
        segment.id,
    )
