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
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from kawaoffice.i18n import _, current_language, format_date, format_time
from kawaoffice.model.audit import ConflictOverride
from kawaoffice.model.dispatch import Dispatch, DispatchMember, DispatchStatus, Staff
from kawaoffice.model.tours import Booking, BookingSegment, BookingStatus, Course, Facility, SegmentStaff
from kawaoffice.services.audit import record_override
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


def _zone(facility: Facility) -> ZoneInfo:
    return ZoneInfo(facility.timezone or "Asia/Tokyo")


def _staff_name(staff: Staff | None) -> str:
    if staff is None:
        return "?"
    return f"{staff.family_name} {staff.given_name}".strip()


def _span(starts: datetime, ends: datetime, zone: ZoneInfo) -> str:
    return f"{format_time(starts, zone)}–{format_time(ends, zone)}"


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
                       BookingSegment.ends_at > starts)
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


def _hours_issues(facility: Facility, plan: SegmentPlan, index: int) -> list[CheckIssue]:
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


def _dispatch_rows(
    session: Session, plans: Sequence[tuple[SegmentPlan, ZoneInfo]]
) -> list[tuple[int, Dispatch]]:
    """(staff id, dispatch) for the guides of all ``plans`` away on a not cancelled dispatch during any of the
    plans' days: one statement for every guide of every part."""
    staff = sorted({sid for plan, _z in plans for sid in plan.staff_ids})
    if not staff:
        return []
    spans = [_day_span(plan, zone) for plan, zone in plans if plan.staff_ids]
    stmt = (
        select(DispatchMember.staff_id, Dispatch)
        .join(DispatchMember, DispatchMember.dispatch_id == Dispatch.id)
        .where(DispatchMember.staff_id.in_(staff))
        .where(Dispatch.status != DispatchStatus.CANCELLED)
        .where(Dispatch.departure_on <= max(last for _f, last in spans))
        .where(Dispatch.return_on >= min(first for first, _l in spans))
        .order_by(Dispatch.departure_on, Dispatch.id)
    )
    return [(sid, d) for sid, d in session.execute(stmt) if sid is not None]


def _dispatch_issues(
    session: Session, rows: Sequence[tuple[int, Dispatch]], plan: SegmentPlan, zone: ZoneInfo, index: int
) -> list[CheckIssue]:
    """Guides of ``plan`` who are away on a (not cancelled) dispatch that day, in the order of the guides."""
    first, last = _day_span(plan, zone)
    issues = []
    for staff_id in plan.staff_ids:
        for sid, dispatch in rows:
            if sid != staff_id or dispatch.departure_on > last or dispatch.return_on < first:
                continue
            message = _("{name} is away on dispatch {code} ({start} – {end}).").format(
                name=_staff_name(session.get(Staff, staff_id)),
                code=dispatch.code,
                start=format_date(dispatch.departure_on),
                end=format_date(dispatch.return_on),
            )
            issues.append(
                CheckIssue(
                    GUIDE_ON_DISPATCH, message, index, f"dispatch:{staff_id}:{dispatch.id}", "dispatches",
                    dispatch.id, {"staff_id": staff_id, "dispatch_code": dispatch.code},
                )
            )  # fmt: skip
    return issues


GuideRow = tuple[int, int, str, datetime, datetime]  # staff id, segment id, booking code, start, end


def _guide_rows(session: Session, plans: Sequence[SegmentPlan], booking_id: int | None) -> list[GuideRow]:
    """Other visits' parts that a guide of any of ``plans`` guides at that part's time: one statement, from the
    guides' assignments (an index on the staff member, not a scan of every earlier part)."""
    windows = [plan for plan in plans if plan.staff_ids]
    if not windows:
        return []
    stmt = (
        select(SegmentStaff.staff_id, BookingSegment.id, Booking.code, BookingSegment.starts_at,
               BookingSegment.ends_at)
        .join(BookingSegment, SegmentStaff.segment_id == BookingSegment.id)
        .join(Booking, BookingSegment.booking_id == Booking.id)
        .where(SegmentStaff.staff_id.in_(sorted({sid for plan in windows for sid in plan.staff_ids})))
        .where(Booking.status != BookingStatus.CANCELLED)
        .where(or_(*(and_(BookingSegment.starts_at < plan.ends_at, BookingSegment.ends_at > plan.starts_at)
                     for plan in windows)))
        .order_by(BookingSegment.starts_at, BookingSegment.id)
    )  # fmt: skip
    if booking_id is not None:
        stmt = stmt.where(Booking.id != booking_id)
    return [(sid, seg_id, code, starts, ends) for sid, seg_id, code, starts, ends in session.execute(stmt)]


def _guide_issues(
    session: Session,
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
        name = _staff_name(session.get(Staff, staff_id))
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
    issues. Issues already overridden with a recorded reason are left out unless ``skip_recorded`` is False."""
    if status == BookingStatus.CANCELLED:
        return []
    issues: list[CheckIssue] = []
    key = -1 if booking_id is None else booking_id
    # what the checks read, for every part at once: three statements however many parts and guides
    known = [(index, plan, session.get(Facility, plan.facility_id)) for index, plan in enumerate(plans)]
    checked = [
        (index, plan, facility, _zone(facility)) for index, plan, facility in known if facility is not None
    ]
    load = _load_rows(session, [(plan.facility_id, plan.starts_at, plan.ends_at) for _i, plan, _f, _z in checked],
                      booking_id)  # fmt: skip
    guiding = _guide_rows(session, [plan for _i, plan, _f, _z in checked], booking_id)
    away = _dispatch_rows(session, [(plan, zone) for _i, plan, _f, zone in checked])
    for index, plan, facility, zone in checked:
        name = facility.name_ja if current_language() == "ja" else (facility.name_en or facility.name_ja)
        issues.extend(_hours_issues(facility, plan, index))
        extra = [
            (p.starts_at, p.ends_at, headcount, key)
            for j, p in enumerate(plans)
            if j != index and p.facility_id == plan.facility_id
        ]
        extra.append((plan.starts_at, plan.ends_at, headcount, key))
        peak, codes = _peak(load, plan.facility_id, plan.starts_at, plan.ends_at, extra)
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
        if plan.course_id is not None:
            course = session.get(Course, plan.course_id)
            if course is not None and not course.min_group <= headcount <= course.max_group:
                course_name = (
                    course.name_ja if current_language() == "ja" else (course.name_en or course.name_ja)
                )
                message = _(
                    "The course {course} takes groups of {low} to {high}; this group has {count}."
                ).format(course=course_name, low=course.min_group, high=course.max_group, count=headcount)
                issues.append(
                    CheckIssue(
                        GROUP_SIZE, message, index, f"size:{course.id}:{headcount}", "courses", course.id
                    )
                )
        issues.extend(_guide_issues(session, guiding, plans, index, booking_id))
        issues.extend(_dispatch_issues(session, away, plan, zone, index))
    if skip_recorded and issues:  # (no issue: no recorded override to look up)
        recorded = _recorded_keys(session, [p.segment_id for p in plans if p.segment_id is not None])
        issues = [i for i in issues if (plans[i.index].segment_id, i.kind, i.key) not in recorded]
    return issues


def _recorded_keys(session: Session, segment_ids: list[int]) -> set[tuple[int | None, str, str]]:
    if not segment_ids:
        return set()
    rows = session.scalars(
        select(ConflictOverride)
        .where(ConflictOverride.subject_table == BookingSegment.__tablename__)
        .where(ConflictOverride.subject_id.in_(segment_ids))
    )
    return {(o.subject_id, o.kind, str((o.details or {}).get("key", ""))) for o in rows}


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
