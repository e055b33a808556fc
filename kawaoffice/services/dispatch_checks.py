"""The conflict checks of a dispatch, shown while editing and on the timeline.

Each check gives ``Issue`` objects with a translated message and a severity:

- ``CONFLICT``: a rule is broken; saving needs a reason, which is recorded (``ConflictOverride`` + audit log):
  one person on two overlapping dispatches (``dispatch_overlap``), a passport that expires less than six months
  after the return date (``passport_expiry``), a person who guides or interprets for a visit at home during the
  dispatch (``guide_during_dispatch``).
- ``ERROR``: impossible data that no reason can make right; the database refuses it too: the return date
  before the departure date (``return_before_departure``).
- ``INFO``: worth knowing, nothing to override: public holidays at the destination during the stay
  (``destination_holiday``, from the ``holidays`` package by the destination's country code).

The overlap rule counts both ends (a dispatch returning on the 20th and one leaving on the 20th overlap) and
ignores cancelled dispatches. Visits at home are taken in Japan time (Asia/Tokyo): a dispatch from the 10th to
the 20th covers the 10th 00:00 to the 21st 00:00 JST.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, Select, String, cast, literal, null, select, union_all
from sqlalchemy.orm import Session

from kawaoffice.i18n import _, country_name, format_date, format_datetime, format_list, ngettext
from kawaoffice.model.audit import ConflictOverride
from kawaoffice.model.dispatch import Dispatch, DispatchMember, DispatchStatus, Staff
from kawaoffice.model.tours import Booking, BookingSegment, BookingStatus, SegmentStaff

DISPATCH_OVERLAP = "dispatch_overlap"
PASSPORT_EXPIRY = "passport_expiry"
GUIDE_DURING_DISPATCH = "guide_during_dispatch"
RETURN_BEFORE_DEPARTURE = "return_before_departure"
DESTINATION_HOLIDAY = "destination_holiday"

HOME_ZONE = ZoneInfo("Asia/Tokyo")
PASSPORT_MONTHS = 6
HOLIDAYS_LISTED = 6  # in the message; the details keep them all


class Severity(enum.StrEnum):
    ERROR = "error"  # cannot be saved
    CONFLICT = "conflict"  # can be saved with a recorded reason
    INFO = "info"  # information only


@dataclass(frozen=True)
class Issue:
    """One finding of a check. ``key`` identifies it across runs (to match a recorded override)."""

    kind: str
    severity: Severity
    message: str
    staff_id: int | None = None
    other_table: str | None = None
    other_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.staff_id or ''}:{self.other_table or ''}:{self.other_id or ''}"

    @property
    def overridable(self) -> bool:
        return self.severity == Severity.CONFLICT

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "severity": self.severity.value,
            "message": self.message,
            "key": self.key,
            "staff_id": self.staff_id,
            **self.details,
        }


# --- the overlap rule (kept with its historical names; services.dispatch re-exports them) ------------------------


def dates_overlap(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    """Whether two inclusive date ranges share at least one day."""
    return a_start <= b_end and b_start <= a_end


@dataclass(frozen=True)
class DispatchCandidate:
    """A dispatch as it would be after an edit: its dates, its staff, and its id when it already exists.

    ``country`` is only needed for the holiday information."""

    departure_on: date
    return_on: date
    staff_ids: tuple[int, ...]
    dispatch_id: int | None = None
    status: DispatchStatus = DispatchStatus.PLANNED
    country: str = ""


@dataclass(frozen=True)
class MemberConflict:
    staff_id: int
    staff_name: str
    dispatch_id: int | None
    other_dispatch_id: int
    other_code: str
    overlap_from: date
    overlap_to: date

    def details(self) -> dict[str, Any]:
        return {
            "staff_id": self.staff_id,
            "staff_name": self.staff_name,
            "dispatch_id": self.dispatch_id,
            "other_dispatch_id": self.other_dispatch_id,
            "other_code": self.other_code,
            "overlap_from": self.overlap_from.isoformat(),
            "overlap_to": self.overlap_to.isoformat(),
        }

    def message(self) -> str:
        return _("{name} is already on dispatch {code} from {start} to {end}.").format(
            name=self.staff_name,
            code=self.other_code,
            start=format_date(self.overlap_from),
            end=format_date(self.overlap_to),
        )

    def issue(self) -> Issue:
        return Issue(
            DISPATCH_OVERLAP,
            Severity.CONFLICT,
            self.message(),
            self.staff_id,
            Dispatch.__tablename__,
            self.other_dispatch_id,
            {**self.details(), "message": self.message()},
        )


def candidate_of(dispatch: Dispatch) -> DispatchCandidate:
    return DispatchCandidate(
        departure_on=dispatch.departure_on,
        return_on=dispatch.return_on,
        staff_ids=tuple(m.staff_id for m in dispatch.members if m.staff_id is not None),
        dispatch_id=dispatch.id,
        status=dispatch.status,
        country=dispatch.country,
    )


def staff_name(family: str, given: str) -> str:
    return f"{family} {given}".strip()


def find_member_conflicts(session: Session, subject: int | DispatchCandidate) -> list[MemberConflict]:
    """Staff of ``subject`` (a dispatch id, or a candidate) who are on another, overlapping, not cancelled dispatch."""
    if isinstance(subject, int):
        dispatch = session.get(Dispatch, subject)
        if dispatch is None:
            return []
        candidate = candidate_of(dispatch)
    else:
        candidate = subject
    if candidate.status == DispatchStatus.CANCELLED or not candidate.staff_ids:
        return []
    if candidate.return_on < candidate.departure_on:
        return []
    return _member_conflicts(candidate, session.execute(_member_select(candidate).order_by(
        Dispatch.departure_on, Dispatch.id, DispatchMember.staff_id)))  # fmt: skip


def _member_select(candidate: DispatchCandidate) -> Select[*tuple[Any, ...]]:
    """Other, overlapping, not cancelled dispatches of the candidate's staff (columns as in ``_CHECK_COLUMNS``)."""
    stmt = (
        select(
            literal("member").label("kind"),
            DispatchMember.staff_id.label("staff_id"),
            Staff.family_name.label("family"),
            Staff.given_name.label("given"),
            Dispatch.id.label("other_id"),
            Dispatch.code.label("code"),
            cast(null(), String).label("group_name"),
            Dispatch.departure_on.label("day1"),
            Dispatch.return_on.label("day2"),
            cast(null(), BookingSegment.starts_at.type).label("at"),
            cast(null(), String).label("note"),
        )
        .join(Dispatch, DispatchMember.dispatch_id == Dispatch.id)
        .join(Staff, DispatchMember.staff_id == Staff.id)
        .where(DispatchMember.staff_id.in_(set(candidate.staff_ids)))
        .where(Dispatch.status != DispatchStatus.CANCELLED)
        .where(Dispatch.departure_on <= candidate.return_on)
        .where(Dispatch.return_on >= candidate.departure_on)
    )
    if candidate.dispatch_id is not None:
        stmt = stmt.where(Dispatch.id != candidate.dispatch_id)
    return stmt


def _member_conflicts(candidate: DispatchCandidate, rows: Iterable[Any]) -> list[MemberConflict]:
    return [
        MemberConflict(
            staff_id=r.staff_id or 0,
            staff_name=staff_name(r.family, r.given),
            dispatch_id=candidate.dispatch_id,
            other_dispatch_id=r.other_id,
            other_code=r.code,
            overlap_from=max(r.day1, candidate.departure_on),
            overlap_to=min(r.day2, candidate.return_on),
        )
        for r in rows
    ]


# --- the other checks --------------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, the day clamped to the month's end (Aug 31 + 6 = Feb 28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def passport_deadline(return_on: date) -> date:
    """The earliest passport expiry date that is acceptable for a dispatch returning on ``return_on``."""
    return add_months(return_on, PASSPORT_MONTHS)


def passport_issues(session: Session, candidate: DispatchCandidate) -> list[Issue]:
    """Members whose passport expires less than six months after the return date (unknown expiry: no issue)."""
    if not candidate.staff_ids or candidate.status == DispatchStatus.CANCELLED:
        return []
    rows = session.execute(_passport_select(candidate).order_by(Staff.id)).all()
    return _passport_issues(candidate, rows)


def _passport_select(candidate: DispatchCandidate) -> Select[*tuple[Any, ...]]:
    return (
        select(
            literal("passport").label("kind"),
            Staff.id.label("staff_id"),
            Staff.family_name.label("family"),
            Staff.given_name.label("given"),
            cast(null(), Integer).label("other_id"),
            cast(null(), String).label("code"),
            cast(null(), String).label("group_name"),
            Staff.passport_expiry.label("day1"),
            cast(null(), Date).label("day2"),
            cast(null(), BookingSegment.starts_at.type).label("at"),
            cast(null(), String).label("note"),
        )
        .where(Staff.id.in_(set(candidate.staff_ids)))
        .where(Staff.passport_expiry.is_not(None))
        .where(Staff.passport_expiry < passport_deadline(candidate.return_on))
    )


def _passport_issues(candidate: DispatchCandidate, rows: Iterable[Any]) -> list[Issue]:
    deadline = passport_deadline(candidate.return_on)
    issues = []
    for r in rows:
        sid, expiry = r.staff_id, r.day1
        assert expiry is not None
        name = staff_name(r.family, r.given)
        message = _(
            "The passport of {name} expires on {expiry}, less than six months after the return on {ret}."
        ).format(name=name, expiry=format_date(expiry), ret=format_date(candidate.return_on))
        issues.append(
            Issue(
                PASSPORT_EXPIRY,
                Severity.CONFLICT,
                message,
                sid,
                Staff.__tablename__,
                sid,
                {
                    "staff_name": name,
                    "passport_expiry": expiry.isoformat(),
                    "required_until": deadline.isoformat(),
                },
            )
        )
    return issues


def home_window(departure_on: date, return_on: date) -> tuple[datetime, datetime]:
    """The dispatch as an interval of Japan time: departure day 00:00 to the day after the return, 00:00."""
    start = datetime.combine(departure_on, time(0), HOME_ZONE)
    end = datetime.combine(return_on + timedelta(days=1), time(0), HOME_ZONE)
    return start, end


def guide_issues(session: Session, candidate: DispatchCandidate) -> list[Issue]:
    """Members who guide or interpret for a visit at home (not cancelled) while they would be abroad."""
    if not candidate.staff_ids or candidate.status == DispatchStatus.CANCELLED:
        return []
    if candidate.return_on < candidate.departure_on:
        return []
    rows = session.execute(_guide_select(candidate).order_by(BookingSegment.starts_at, SegmentStaff.staff_id))
    return _guide_issues(rows)


def _guide_select(candidate: DispatchCandidate) -> Select[*tuple[Any, ...]]:
    start, end = home_window(candidate.departure_on, candidate.return_on)
    return (
        select(
            literal("guide").label("kind"),
            SegmentStaff.staff_id.label("staff_id"),
            Staff.family_name.label("family"),
            Staff.given_name.label("given"),
            Booking.id.label("other_id"),
            Booking.code.label("code"),
            Booking.group_name.label("group_name"),
            cast(null(), Date).label("day1"),
            cast(null(), Date).label("day2"),
            BookingSegment.starts_at.label("at"),
            cast(null(), String).label("note"),
        )
        .join(BookingSegment, SegmentStaff.segment_id == BookingSegment.id)
        .join(Booking, BookingSegment.booking_id == Booking.id)
        .join(Staff, SegmentStaff.staff_id == Staff.id)
        .where(SegmentStaff.staff_id.in_(set(candidate.staff_ids)))
        .where(Booking.status != BookingStatus.CANCELLED)
        .where(BookingSegment.starts_at < end)
        .where(BookingSegment.ends_at > start)
    )


def _guide_issues(rows: Iterable[Any]) -> list[Issue]:
    issues = []
    seen: set[tuple[int, int]] = set()
    for r in rows:
        sid, booking_id, code, group, starts_at = r.staff_id, r.other_id, r.code, r.group_name, r.at
        if (sid, booking_id) in seen:  # one issue per person and visit, however many segments
            continue
        seen.add((sid, booking_id))
        name = staff_name(r.family, r.given)
        message = _("{name} is assigned to the visit {code} ({group}) at home on {when}.").format(
            name=name, code=code, group=group, when=format_datetime(starts_at, "Asia/Tokyo")
        )
        issues.append(
            Issue(
                GUIDE_DURING_DISPATCH,
                Severity.CONFLICT,
                message,
                sid,
                Booking.__tablename__,
                booking_id,
                {"staff_name": name, "booking_code": code, "starts_at": starts_at.isoformat()},
            )
        )
    return issues


def date_issues(candidate: DispatchCandidate) -> list[Issue]:
    if candidate.return_on >= candidate.departure_on:
        return []
    message = _("The return date {ret} is before the departure date {dep}.").format(
        ret=format_date(candidate.return_on), dep=format_date(candidate.departure_on)
    )
    return [Issue(RETURN_BEFORE_DEPARTURE, Severity.ERROR, message)]


def destination_holidays(country: str, start: date, end: date) -> list[tuple[date, str]]:
    """Public holidays of ``country`` (ISO code) from ``start`` to ``end`` inclusive; [] if the package lacks it."""
    if not country or end < start:
        return []
    import holidays  # ~0.3 s to import: only when a dispatch's holidays are looked up

    try:
        probe = holidays.country_holidays(country)
    except NotImplementedError:
        return []
    languages = getattr(probe, "supported_languages", ()) or ()
    language = "ja" if "ja" in languages else ("en_US" if "en_US" in languages else None)
    table = holidays.country_holidays(country, years=range(start.year, end.year + 1), language=language)
    return sorted((day, str(name)) for day, name in table.items() if start <= day <= end)


def holiday_issues(candidate: DispatchCandidate) -> list[Issue]:
    if candidate.status == DispatchStatus.CANCELLED:
        return []
    found = destination_holidays(candidate.country, candidate.departure_on, candidate.return_on)
    if not found:
        return []
    shown = format_list(f"{format_date(day)} {name}" for day, name in found[:HOLIDAYS_LISTED])
    more = len(found) - HOLIDAYS_LISTED
    message = ngettext(
        "{count} public holiday in {country} during the stay: {days}",
        "{count} public holidays in {country} during the stay: {days}",
        len(found),
    ).format(count=len(found), country=country_name(candidate.country), days=shown)
    if more > 0:
        message += " " + _("(and {count} more)").format(count=more)
    return [
        Issue(
            DESTINATION_HOLIDAY,
            Severity.INFO,
            message,
            details={"holidays": [[day.isoformat(), name] for day, name in found]},
        )
    ]


def check_dispatch(session: Session, candidate: DispatchCandidate) -> list[Issue]:
    """Every check on a dispatch as it would be saved: errors first, then conflicts, then information."""
    return check_dispatch_reading_overrides(session, candidate, overrides=False)[0]


def check_dispatch_reading_overrides(
    session: Session, candidate: DispatchCandidate, *, overrides: bool = True
) -> tuple[list[Issue], list[OverrideRecord] | None]:
    """``check_dispatch``, and the overrides recorded on the candidate's dispatch (``overrides_of``) read in the
    same statement when the checks send one (``overrides`` and the dispatch is stored); None when not read."""
    errors = date_issues(candidate)
    if errors:
        return errors + holiday_issues(candidate), None
    if not candidate.staff_ids or candidate.status == DispatchStatus.CANCELLED:
        return holiday_issues(candidate), None
    # the three checks on the members in one statement (a round trip each on a shared server), each part then
    # in the order its own check gives
    branches = [_member_select(candidate), _passport_select(candidate), _guide_select(candidate)]
    read = overrides and candidate.dispatch_id is not None
    if read:
        assert candidate.dispatch_id is not None
        branches.append(_override_select(candidate.dispatch_id))
    rows = session.execute(union_all(*branches)).all()
    members = sorted((r for r in rows if r.kind == "member"), key=lambda r: (r.day1, r.other_id, r.staff_id))
    passports = sorted((r for r in rows if r.kind == "passport"), key=lambda r: r.staff_id)
    guides = sorted((r for r in rows if r.kind == "guide"), key=lambda r: (r.at, r.staff_id))
    conflicts = [m.issue() for m in _member_conflicts(candidate, members)]
    conflicts += _passport_issues(candidate, passports)
    conflicts += _guide_issues(guides)
    records = None
    if read:
        recorded = sorted(
            (r for r in rows if r.kind == "override"), key=lambda r: (r.at, r.other_id), reverse=True
        )
        records = [
            OverrideRecord(kind=r.code, key=r.family or "", reason=r.given or "", user=r.group_name or "", at=r.at,
                           message=r.note or "")
            for r in recorded
        ]  # fmt: skip
    return conflicts + holiday_issues(candidate), records


def _override_select(dispatch_id: int) -> Select[*tuple[Any, ...]]:
    """The overrides recorded on a dispatch (columns as the checks'; see ``overrides_of``)."""
    return (
        select(
            literal("override").label("kind"),
            cast(null(), Integer).label("staff_id"),
            ConflictOverride.details["key"].as_string().label("family"),
            ConflictOverride.reason.label("given"),
            ConflictOverride.id.label("other_id"),
            ConflictOverride.kind.label("code"),
            ConflictOverride.user.label("group_name"),
            cast(null(), Date).label("day1"),
            cast(null(), Date).label("day2"),
            ConflictOverride.at.label("at"),
            ConflictOverride.details["message"].as_string().label("note"),
        )
        .where(ConflictOverride.subject_table == Dispatch.__tablename__)
        .where(ConflictOverride.subject_id == dispatch_id)
    )


def blocking(issues: Iterable[Issue]) -> list[Issue]:
    """The issues that stop a save (errors and conflicts without a reason)."""
    return [i for i in issues if i.severity != Severity.INFO]


# --- recorded overrides ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverrideRecord:
    kind: str
    key: str
    reason: str
    user: str
    at: datetime
    message: str


def overrides_of(session: Session, dispatch_id: int) -> list[OverrideRecord]:
    """The overrides recorded on a dispatch, newest first."""
    rows = session.scalars(
        select(ConflictOverride)
        .where(ConflictOverride.subject_table == Dispatch.__tablename__)
        .where(ConflictOverride.subject_id == dispatch_id)
        .order_by(ConflictOverride.at.desc(), ConflictOverride.id.desc())
    ).all()
    return [
        OverrideRecord(
            kind=r.kind,
            key=str((r.details or {}).get("key", "")),
            reason=r.reason,
            user=r.user,
            at=r.at,
            message=str((r.details or {}).get("message", "")),
        )
        for r in rows
    ]


def overridden_keys(records: Sequence[OverrideRecord]) -> dict[str, OverrideRecord]:
    """The newest override per issue key."""
    keys: dict[str, OverrideRecord] = {}
    for record in records:
        keys.setdefault(record.key, record)
    return keys
