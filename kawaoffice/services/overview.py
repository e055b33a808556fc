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

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, aliased

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


def list_visits(session: Session, *, offset: int = 0, limit: int | None = None) -> list[VisitRow]:
    """Bookings, latest visit first (bookings with no segment yet come last), with the facilities visited."""
    first_start = (
        select(BookingSegment.booking_id, func.min(BookingSegment.starts_at).label("first_start"))
        .group_by(BookingSegment.booking_id)
        .subquery()
    )
    stmt = (
        select(
            Booking.id,
            Booking.code,
            Booking.group_name,
            Booking.group_name_en,
            Booking.visitor_type,
            Booking.country,
            Booking.headcount,
            Booking.status,
        )
        .outerjoin(first_start, first_start.c.booking_id == Booking.id)
        .order_by(first_start.c.first_start.desc().nulls_last(), Booking.id.desc())
    )
    rows = session.execute(_page(stmt, offset, limit)).all()
    ids = [r.id for r in rows]
    if not ids:
        return []

    seg_rows = session.execute(
        select(
            BookingSegment.booking_id,
            BookingSegment.starts_at,
            Facility.name_ja,
            Facility.name_en,
            Facility.timezone,
        )
        .join(Facility, BookingSegment.facility_id == Facility.id)
        .where(BookingSegment.booking_id.in_(ids))
        .order_by(BookingSegment.booking_id, BookingSegment.starts_at, BookingSegment.id)
    ).all()
    first_date: dict[int, date] = {}
    fac_ja: dict[int, list[str]] = defaultdict(list)
    fac_en: dict[int, list[str]] = defaultdict(list)
    for s in seg_rows:
        if s.booking_id not in first_date:
            first_date[s.booking_id] = _local_date(s.starts_at, s.timezone)
        if s.name_ja not in fac_ja[s.booking_id]:
            fac_ja[s.booking_id].append(s.name_ja)
            fac_en[s.booking_id].append(s.name_en or s.name_ja)

    return [
        VisitRow(
            id=r.id,
            code=r.code,
            group_name=r.group_name,
            group_name_en=r.group_name_en,
            visitor_type=r.visitor_type,
            country=r.country,
            headcount=r.headcount,
            status=r.status,
            visit_date=first_date.get(r.id),
            facilities_ja=tuple(fac_ja.get(r.id, ())),
            facilities_en=tuple(fac_en.get(r.id, ())),
        )
        for r in rows
    ]


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
