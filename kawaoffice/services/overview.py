"""Read-only listings for the four main tabs and the CLI ``list`` command.

Each ``list_*`` function loads one page (``offset``/``limit``) with a constant number of queries: one for the page
itself and one per to-many detail (technologies, members, segments), never one query per row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, Select, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from kawaoffice.i18n import country_choices
from kawaoffice.model.dispatch import (
    Dispatch,
    DispatchMember,
    DispatchPurpose,
    DispatchStatus,
    MemberRole,
    Staff,
)
from kawaoffice.model.partners import (
    Contact,
    Membership,
    MembershipStatus,
    Organization,
    OrganizationKind,
    OrganizationTechnology,
    Technology,
)
from kawaoffice.model.projects import Project, ProjectState, Scheme, SchemeStage
from kawaoffice.model.tours import Booking, BookingSegment, BookingStatus, Facility, VisitorType

__all__ = [
    "DispatchRow",
    "PartnerRow",
    "ProjectRow",
    "VisitRow",
    "list_dispatches",
    "list_partners",
    "list_projects",
    "list_visits",
    "record_counts",
]

DEFAULT_TIMEZONE = "Asia/Tokyo"
_S = TypeVar("_S", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True)
class PartnerRow:
    id: int
    kind: OrganizationKind
    name_ja: str
    name_kana: str
    name_en: str
    country: str
    member_status: MembershipStatus | None
    technologies: tuple[str, ...]  # technology names (Japanese)
    technologies_en: tuple[str, ...] = ()  # the same in English (Japanese where no English name is recorded)


@dataclass(frozen=True)
class ProjectRow:
    id: int
    code: str
    title_ja: str
    title_en: str
    scheme_ja: str
    scheme_en: str
    stage_ja: str | None
    stage_en: str | None
    state: ProjectState
    country: str
    start_on: date | None
    end_on: date | None


@dataclass(frozen=True)
class DispatchRow:
    id: int
    code: str
    title: str
    title_en: str
    purpose: DispatchPurpose
    status: DispatchStatus
    country: str
    city: str
    departure_on: date
    return_on: date
    members: tuple[str, ...]  # display names, leader first
    members_en: tuple[str, ...] = ()  # the same in English (romaji), Japanese where none is recorded


@dataclass(frozen=True)
class VisitRow:
    id: int
    code: str
    group_name: str
    group_name_en: str
    visitor_type: VisitorType
    country: str
    headcount: int
    status: BookingStatus
    visit_date: date | None  # local date of the first segment, None while no segment is planned
    facilities_ja: tuple[str, ...]
    facilities_en: tuple[str, ...]


def _page(stmt: _S, offset: int, limit: int | None) -> _S:
    if offset:
        stmt = stmt.offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return stmt


def _person_name(family: str, given: str) -> str:
    return f"{family} {given}".strip()


def list_partners(session: Session, *, offset: int = 0, limit: int | None = None) -> list[PartnerRow]:
    """Organizations sorted by their kana reading (the Japanese name where no reading is recorded)."""
    reading = case((Organization.name_kana == "", Organization.name_ja), else_=Organization.name_kana)
    stmt = select(
        Organization.id,
        Organization.kind,
        Organization.name_ja,
        Organization.name_kana,
        Organization.name_en,
        Organization.country,
    ).order_by(reading, Organization.name_ja, Organization.id)
    orgs = session.execute(_page(stmt, offset, limit)).all()
    ids = [row.id for row in orgs]
    if not ids:
        return []

    status: dict[int, MembershipStatus] = {}
    memberships = session.execute(
        select(Membership.organization_id, Membership.status)
        .where(Membership.organization_id.in_(ids))
        .order_by(Membership.organization_id, Membership.joined_on, Membership.id)
    ).all()
    for m in memberships:  # the latest period wins
        status[m.organization_id] = m.status

    techs: dict[int, list[str]] = defaultdict(list)
    techs_en: dict[int, list[str]] = defaultdict(list)
    tech_rows = session.execute(
        select(OrganizationTechnology.organization_id, Technology.name_ja, Technology.name_en)
        .join(Technology, OrganizationTechnology.technology_id == Technology.id)
        .where(OrganizationTechnology.organization_id.in_(ids))
        .order_by(OrganizationTechnology.organization_id, Technology.code, Technology.id)
    ).all()
    for t in tech_rows:
        techs[t.organization_id].append(t.name_ja)
        techs_en[t.organization_id].append(t.name_en or t.name_ja)

    return [
        PartnerRow(
            id=o.id,
            kind=o.kind,
            name_ja=o.name_ja,
            name_kana=o.name_kana,
            name_en=o.name_en,
            country=o.country,
            member_status=status.get(o.id),
            technologies=tuple(techs.get(o.id, ())),
            technologies_en=tuple(techs_en.get(o.id, ())),
        )
        for o in orgs
    ]


def list_projects(session: Session, *, offset: int = 0, limit: int | None = None) -> list[ProjectRow]:
    """Projects by code, with their scheme and current stage names."""
    stmt = (
        select(
            Project.id,
            Project.code,
            Project.title_ja,
            Project.title_en,
            Scheme.name_ja.label("scheme_ja"),
            Scheme.name_en.label("scheme_en"),
            SchemeStage.name_ja.label("stage_ja"),
            SchemeStage.name_en.label("stage_en"),
            Project.state,
            Project.country,
            Project.start_on,
            Project.end_on,
        )
        .join(Scheme, Project.scheme_id == Scheme.id)
        .outerjoin(SchemeStage, Project.stage_id == SchemeStage.id)
        .order_by(Project.code, Project.id)
    )
    return [
        ProjectRow(
            id=r.id,
            code=r.code,
            title_ja=r.title_ja,
            title_en=r.title_en,
            scheme_ja=r.scheme_ja,
            scheme_en=r.scheme_en,
            stage_ja=r.stage_ja,
            stage_en=r.stage_en,
            state=r.state,
            country=r.country,
            start_on=r.start_on,
            end_on=r.end_on,
        )
        for r in session.execute(_page(stmt, offset, limit)).all()
    ]


_ROLE_ORDER = {MemberRole.LEADER: 0, MemberRole.MEMBER: 1, MemberRole.INTERPRETER: 2}


def list_dispatches(session: Session, *, offset: int = 0, limit: int | None = None) -> list[DispatchRow]:
    """Dispatches, latest departure first, with their members' names (leader first)."""
    stmt = select(
        Dispatch.id,
        Dispatch.code,
        Dispatch.title,
        Dispatch.title_en,
        Dispatch.purpose,
        Dispatch.status,
        Dispatch.country,
        Dispatch.city,
        Dispatch.departure_on,
        Dispatch.return_on,
    ).order_by(Dispatch.departure_on.desc(), Dispatch.id.desc())
    rows = session.execute(_page(stmt, offset, limit)).all()
    ids = [r.id for r in rows]
    if not ids:
        return []

    staff = aliased(Staff)
    contact = aliased(Contact)
    member_rows = session.execute(
        select(
            DispatchMember.dispatch_id,
            DispatchMember.role,
            DispatchMember.id,
            staff.family_name.label("s_family"),
            staff.given_name.label("s_given"),
            staff.name_en.label("s_en"),
            contact.family_name.label("c_family"),
            contact.given_name.label("c_given"),
            contact.name_en.label("c_en"),
        )
        .outerjoin(staff, DispatchMember.staff_id == staff.id)
        .outerjoin(contact, DispatchMember.contact_id == contact.id)
        .where(DispatchMember.dispatch_id.in_(ids))
    ).all()
    members: dict[int, list[tuple[int, int, str, str]]] = defaultdict(list)
    for m in member_rows:
        if m.s_family is not None:
            name, name_en = _person_name(m.s_family, m.s_given or ""), m.s_en
        else:
            name, name_en = _person_name(m.c_family or "", m.c_given or ""), m.c_en
        members[m.dispatch_id].append((_ROLE_ORDER.get(m.role, 9), m.id, name, name_en or name))

    return [
        DispatchRow(
            id=r.id,
            code=r.code,
            title=r.title,
            title_en=r.title_en,
            purpose=r.purpose,
            status=r.status,
            country=r.country,
            city=r.city,
            departure_on=r.departure_on,
            return_on=r.return_on,
            members=tuple(name for _, _, name, _en in sorted(members.get(r.id, []))),
            members_en=tuple(name_en for _, _, _ja, name_en in sorted(members.get(r.id, []))),
        )
        for r in rows
    ]


def _local_date(instant: datetime, zone: str) -> date:
    try:
        tz = ZoneInfo(zone or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo(DEFAULT_TIMEZONE)
    return instant.astimezone(tz).date()


def _visit_conditions(status: BookingStatus | str | None, text: str) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if status:
        conds.append(Booking.status == BookingStatus(status))
    words = text.split()
    for word in words:
        folded = word.casefold()
        countries = [code for code, name in country_choices() if folded in name.casefold()]
        if len(folded) == 2 and folded.isalpha():
            countries.append(folded.upper())
        like = f"%{word}%"
        options: list[ColumnElement[bool]] = [
            Booking.code.ilike(like),
            Booking.group_name.ilike(like),
            Booking.group_name_en.ilike(like),
        ]
        if countries:
            options.append(Booking.country.in_(sorted(set(countries))))
        conds.append(or_(*options))
    return conds


# A page walks at most this many of the latest segments (fewer with a text search, which keeps few of them);
# beyond that it reads every matching booking once, like the whole list.
_MAX_CANDIDATES = 200_000
_MAX_CANDIDATES_TEXT = 3200

_VISIT_COLUMNS = (
    Booking.id,
    Booking.code,
    Booking.group_name,
    Booking.group_name_en,
    Booking.visitor_type,
    Booking.country,
    Booking.headcount,
    Booking.status,
)
_SEGMENT_COLUMNS = (
    BookingSegment.starts_at.label("seg_start"),
    Facility.name_ja.label("fac_ja"),
    Facility.name_en.label("fac_en"),
    Facility.timezone.label("fac_tz"),
)


@dataclass
class _Visit:
    row: Any
    first: datetime | None = None
    segments: list[Any] | None = None


def _collect(rows: Any, visits: dict[int, _Visit]) -> None:
    """Group rows of booking columns (+ one segment's columns, or none) by booking, keeping the first start."""
    for r in rows:
        visit = visits.get(r.id)
        if visit is None:
            visit = visits[r.id] = _Visit(r, segments=[])
        if getattr(r, "seg_start", None) is not None:
            assert visit.segments is not None
            visit.segments.append(r)
            if visit.first is None or r.seg_start < visit.first:
                visit.first = r.seg_start


def _order(visits: dict[int, _Visit]) -> list[_Visit]:
    """Latest first start first (ties: higher id first); bookings without a segment last, higher id first."""
    with_start = sorted((v for v in visits.values() if v.first is not None),
                        key=lambda v: (v.first, v.row.id), reverse=True)  # fmt: skip
    without = sorted((v for v in visits.values() if v.first is None), key=lambda v: v.row.id, reverse=True)
    return with_start + without


def _with_segments(conds: list[ColumnElement[bool]], *, outer: bool = False) -> Any:
    """Booking columns with one segment's columns per row; ``outer``: also the bookings without a segment (one
    row with empty segment columns)."""
    return (
        select(*_VISIT_COLUMNS, *_SEGMENT_COLUMNS)
        .join(BookingSegment, BookingSegment.booking_id == Booking.id, isouter=outer)
        .join(Facility, BookingSegment.facility_id == Facility.id, isouter=outer)
        .where(*conds)
        .order_by(Booking.id, BookingSegment.starts_at, BookingSegment.id)
    )


def _all_visits(session: Session, conds: list[ColumnElement[bool]]) -> list[_Visit]:
    """Every booking passing ``conds`` in the list's order: one query, sorted here."""
    visits: dict[int, _Visit] = {}
    _collect(session.execute(_with_segments(conds, outer=True)).all(), visits)
    return _order(visits)


def _visit_page(
    session: Session, conds: list[ColumnElement[bool]], offset: int, limit: int, max_k: int
) -> list[_Visit] | None:
    """Bookings ``offset .. offset+limit`` in the list's order without reading every booking (one query, a second
    once the page reaches the bookings without segments); ``None`` if more than ``max_k`` segments would be read.

    Walks the segments from the latest start down (index on ``starts_at``) to a start ``t`` where enough bookings
    have their *first* start after ``t``: those are exactly the bookings that come first, in order, because every
    other booking has all its segments at or before ``t``.
    """
    wanted = offset + limit
    k = max(2 * wanted, 200)
    while k <= max_k:
        scan = (
            select(BookingSegment.booking_id, BookingSegment.starts_at)
            .join(Booking, Booking.id == BookingSegment.booking_id)
            .where(*conds)
            .order_by(BookingSegment.starts_at.desc())
            .limit(k)
        )
        # the candidates' rows with, in the same statement, how many segments the walk read and where it stopped
        walked = scan.subquery()
        rows = session.execute(
            _with_segments([Booking.id.in_(select(walked.c.booking_id))]).add_columns(
                select(func.count()).select_from(walked).scalar_subquery().label("walk_n"),
                select(func.min(walked.c.starts_at)).scalar_subquery().label("walk_min"),
            )
        ).all()
        # no row: the walk read no segment (every candidate booking has the segment that made it one)
        exhausted = not rows or rows[0].walk_n < k
        cutoff = rows[0].walk_min if rows else None
        visits: dict[int, _Visit] = {}
        _collect(rows, visits)
        exact = [v for v in visits.values() if exhausted or (v.first is not None and cutoff is not None
                                                             and v.first > cutoff)]  # fmt: skip
        if len(exact) >= wanted or exhausted:
            ordered = _order({v.row.id: v for v in exact})
            if len(ordered) < wanted:  # every booking with a segment is in: then those without one
                tail = session.execute(
                    select(*_VISIT_COLUMNS)
                    .where(*conds, ~exists().where(BookingSegment.booking_id == Booking.id))
                    .order_by(Booking.id.desc())
                    .limit(wanted - len(ordered))
                ).all()
                ordered += [_Visit(r, segments=[]) for r in tail]
            return ordered[offset:wanted]
        k *= 4
    return None


def list_visits(
    session: Session,
    *,
    offset: int = 0,
    limit: int | None = None,
    status: BookingStatus | str | None = None,
    text: str = "",
    first_from: datetime | None = None,
    first_until: datetime | None = None,
) -> list[VisitRow]:
    """Bookings, latest visit first (bookings with no segment yet come last), with the facilities visited.

    ``status`` keeps one status; every word of ``text`` must occur in the code, the group's name (either language)
    or the country's name or code. ``first_from``/``first_until`` (aware instants, half-open) keep the bookings
    whose first segment starts in that window (e.g. a fiscal year for the annual report, instead of reading every
    booking). One query (two for the page that reaches bookings without segments), however many bookings
    there are; a page reads only the latest segments, not every booking.
    """
    conds = _visit_conditions(status, text)
    if first_from is not None or first_until is not None:
        first = func.min(BookingSegment.starts_at)
        having = [c for c in ((first >= first_from) if first_from else None,
                              (first < first_until) if first_until else None) if c is not None]  # fmt: skip
        conds.append(
            Booking.id.in_(
                select(BookingSegment.booking_id).group_by(BookingSegment.booking_id).having(*having)
            )
        )
    page = None
    if limit is not None:
        max_k = _MAX_CANDIDATES_TEXT if text.strip() else _MAX_CANDIDATES
        page = _visit_page(session, conds, offset, limit, max_k)
    if page is None:
        everything = _all_visits(session, conds)
        page = everything[offset : None if limit is None else offset + limit]
    out = []
    for v in page:
        r = v.row
        facilities_ja: list[str] = []
        facilities_en: list[str] = []
        visit_date: date | None = None
        for seg in v.segments or ():
            if visit_date is None:
                visit_date = _local_date(seg.seg_start, seg.fac_tz)
            if seg.fac_ja not in facilities_ja:
                facilities_ja.append(seg.fac_ja)
                facilities_en.append(seg.fac_en or seg.fac_ja)
        out.append(
            VisitRow(
                id=r.id,
                code=r.code,
                group_name=r.group_name,
                group_name_en=r.group_name_en,
                visitor_type=r.visitor_type,
                country=r.country,
                headcount=r.headcount,
                status=r.status,
                visit_date=visit_date,
                facilities_ja=tuple(facilities_ja),
                facilities_en=tuple(facilities_en),
            )
        )
    return out


def record_counts(session: Session) -> dict[str, int]:
    """How many partners, contacts, projects, dispatches, visits and staff the database holds (one query)."""
    entities = {
        "partners": Organization,
        "contacts": Contact,
        "projects": Project,
        "dispatches": Dispatch,
        "visits": Booking,
        "staff": Staff,
    }
    stmt = select(
        *(select(func.count()).select_from(e).scalar_subquery().label(key) for key, e in entities.items())
    )
    row = session.execute(stmt).one()
    return {key: int(row._mapping[key]) for key in entities}
