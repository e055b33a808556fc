"""The partner directory's list: search as you type, filters, the order of the list, the rows of one page, an
organization's detail (contacts, timeline), duplicates and the April rotation check.

Search runs in SQL over the folded ``search_text`` columns (width, kana and case folded by ``services.text``):
every word of the query must occur in the organization's own text or in the text of one of its people. The
order of the list is Japanese dictionary order of the reading (``i18n.kana_sort_key``) in Japanese, the English
name in English; sort keys are cached per name, so a keystroke costs one query plus an in-memory sort.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Text,
    and_,
    bindparam,
    cast,
    exists,
    func,
    literal_column,
    null,
    or_,
    select,
    union,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from kawaoffice.i18n import kana_sort_key
from kawaoffice.model.base import UTCDateTime
from kawaoffice.model.dispatch import Dispatch, DispatchMember
from kawaoffice.model.partners import (
    Contact,
    Employment,
    Membership,
    MembershipStatus,
    Organization,
    OrganizationKind,
    OrganizationTechnology,
    Technology,
)
from kawaoffice.model.projects import LocalNeed, Project, ProjectParticipant
from kawaoffice.model.tours import Booking, BookingPresenter, BookingSegment
from kawaoffice.services.common import collections_paused, union_columns
from kawaoffice.services.overview import PartnerRow
from kawaoffice.services.text import duplicate_key, fold, fold_all, name_keys_of

__all__ = [
    "ContactLine",
    "PartnerFilter",
    "TimelineEntry",
    "contact_lines",
    "duplicate_contacts",
    "duplicate_organizations",
    "filter_choices",
    "first_page",
    "last_april_first",
    "mailing_list",
    "matching_ids",
    "name_key",
    "open_list",
    "organization_detail",
    "partner_rows",
    "rotation_due",
    "timeline",
]


@dataclass(frozen=True)
class PartnerFilter:
    """What the list shows: a search text and optional filters (empty = no restriction)."""

    text: str = ""
    kinds: frozenset[OrganizationKind] = frozenset()
    countries: frozenset[str] = frozenset()
    statuses: frozenset[MembershipStatus] = frozenset()
    technology_ids: frozenset[int] = frozenset()
    words: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", tuple(fold(self.text).split()))


@lru_cache(maxsize=65536)
def _ja_key(kana: str, name_ja: str) -> tuple[tuple[str, str], str]:
    return kana_sort_key(kana or name_ja), name_ja


@lru_cache(maxsize=65536)
def _en_key(name_en: str, name_ja: str) -> tuple[str, str]:
    return (name_en or name_ja).casefold(), name_ja


def name_key(language: str, name_kana: str, name_ja: str, name_en: str) -> tuple[Any, ...]:
    """The sort key of an organization in the list: by reading in Japanese, by English name in English."""
    if language == "ja":
        return _ja_key(name_kana, name_ja)
    return _en_key(name_en, name_ja)


def _conditions(flt: PartnerFilter) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if flt.kinds:
        conds.append(Organization.kind.in_(sorted(flt.kinds)))
    if flt.countries:
        conds.append(Organization.country.in_(sorted(flt.countries)))
    if flt.statuses:
        conds.append(
            exists().where(
                Membership.organization_id == Organization.id,
                Membership.status.in_(sorted(flt.statuses)),
                or_(Membership.left_on.is_(None), Membership.status == MembershipStatus.LEFT),
            )
        )
    for tech_id in sorted(flt.technology_ids):
        conds.append(
            exists().where(
                OrganizationTechnology.organization_id == Organization.id,
                OrganizationTechnology.technology_id == tech_id,
            )
        )
    for word in flt.words:
        people = (
            select(Employment.organization_id)
            .join(Contact, Contact.id == Employment.contact_id)
            .where(Contact.search_text.contains(word, autoescape=True))
        )
        conds.append(
            or_(Organization.search_text.contains(word, autoescape=True), Organization.id.in_(people))
        )
    return conds


def sort_column(language: str) -> Any:
    """The stored column that holds the list's order for ``language`` (see ``organization_sort_key``)."""
    return Organization.sort_ja if language == "ja" else Organization.sort_en


def matching_ids(session: Session, flt: PartnerFilter, language: str) -> list[int]:
    """Ids of the organizations that pass ``flt``, in the list's order for ``language`` (sorted by the database
    on the stored, indexed key)."""
    stmt = select(Organization.id)
    conds = _conditions(flt)
    if conds:
        stmt = stmt.where(and_(*conds))
    stmt = stmt.order_by(sort_column(language), Organization.id)
    return list(session.connection().execute(stmt).scalars())


def _read_rows(session: Session, orgs: Any, *, count: bool = False) -> tuple[int, dict[int, PartnerRow]]:
    """The rows of the organizations selected by the subquery ``orgs`` (columns id, kind, names, country) with
    their membership status and technologies, in one statement; with ``count``, also the number of organizations
    in the directory: (total, rows by id). The status and the technologies are looked up for these rows only."""
    status = (
        select(Membership.status)
        .where(Membership.organization_id == orgs.c.id)
        .order_by(Membership.joined_on.desc(), Membership.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    total = select(func.count(Organization.id)).scalar_subquery() if count else literal_column("0")
    stmt = (
        select(
            orgs,
            status.label("status"),
            total.label("total"),
            Technology.name_ja.label("tech_ja"),
            Technology.name_en.label("tech_en"),
        )
        .outerjoin(OrganizationTechnology, OrganizationTechnology.organization_id == orgs.c.id)
        .outerjoin(Technology, Technology.id == OrganizationTechnology.technology_id)
        .order_by(orgs.c.id, Technology.code, Technology.id)
    )
    counted = 0
    found: dict[int, tuple[Any, list[tuple[str, str]]]] = {}
    for r in session.execute(stmt):
        counted = r.total
        entry = found.setdefault(r.id, (r, []))
        if r.tech_ja is not None:
            entry[1].append((r.tech_ja, r.tech_en or r.tech_ja))
    rows = {
        oid: PartnerRow(
            id=o.id,
            kind=o.kind,
            name_ja=o.name_ja,
            name_kana=o.name_kana,
            name_en=o.name_en,
            country=o.country,
            member_status=MembershipStatus(o.status) if o.status is not None else None,
            technologies=tuple(t[0] for t in techs),
            technologies_en=tuple(t[1] for t in techs),
        )
        for oid, (o, techs) in found.items()
    }
    if count and not found:  # an empty page (no organization at all, or the count alone)
        counted = int(session.scalar(select(func.count(Organization.id))) or 0)
    return counted, rows


_ROW_COLUMNS = (
    Organization.id,
    Organization.kind,
    Organization.name_ja,
    Organization.name_kana,
    Organization.name_en,
    Organization.country,
)


@dataclass(frozen=True)
class FilterChoices:
    """What the filter boxes offer: the technologies (id, code, Japanese and English name, by code) and the
    countries of the organizations in the directory (codes, sorted)."""

    technologies: list[tuple[int, str, str, str]]
    countries: list[str]


def first_page(session: Session, language: str, limit: int) -> tuple[int, list[PartnerRow]]:
    """The number of organizations and the first ``limit`` rows of the unfiltered list, in one statement (an
    ``ORDER BY`` on the stored, indexed sort key with ``LIMIT``, and the count)."""
    opening = open_list(session, language, limit, choices=False)
    return opening.total, opening.rows


def _list_parts(language: str, choices: bool) -> list[Any]:
    """open_list's branches, in the columns of the detail statement (``_DETAIL_SLOTS``) so that both can be one
    UNION ALL: ``R`` rows of the first page (i1 id; t1 kind, t2-t4 names, t5 country, t6 sort key, t7 membership
    status, t8-t10 a technology's names and code), ``N`` the count (i1), ``T`` the technologies (i1 id, t8-t10),
    ``C`` the countries (t5)."""
    sort = sort_column(language)
    page = (
        select(*_ROW_COLUMNS, sort.label("sort"))
        .order_by(sort, Organization.id)
        .limit(bindparam("page_limit", type_=Integer))
        .subquery()
    )
    status = (
        select(Membership.status)
        .where(Membership.organization_id == page.c.id)
        .order_by(Membership.joined_on.desc(), Membership.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    technology = [Technology.name_ja, Technology.name_en, Technology.code]
    rows_part: Any = (
        select(
            *_detail_row(
                "R",
                ints=[page.c.id],
                texts=[
                    page.c.kind,
                    page.c.name_ja,
                    page.c.name_kana,
                    page.c.name_en,
                    page.c.country,
                    page.c.sort,
                    status,
                    *technology,
                ],
            )
        )
        .select_from(page)
        .outerjoin(OrganizationTechnology, OrganizationTechnology.organization_id == page.c.id)
        .outerjoin(Technology, Technology.id == OrganizationTechnology.technology_id)
    )
    parts = [rows_part, select(*_detail_row("N", ints=[func.count(Organization.id)]))]
    if choices:
        parts.append(select(*_detail_row("T", ints=[Technology.id], texts=[None] * 7 + technology)))
        # the distinct countries first, then widened to the statement's columns (a DISTINCT over the whole wide row
        # hashed 10,000 rows of 21 columns: 8-10 ms on PostgreSQL)
        countries = select(Organization.country).distinct().subquery()
        parts.append(select(*_detail_row("C", texts=[None] * 4 + [countries.c.country])))
    return parts


@lru_cache(maxsize=16)
def _open_list_statement(language: str, choices: bool, first_detail: bool) -> Any:
    """open_list's statement, built once per process and kind with the page's size as a bound parameter
    (building and keying this UNION ALL took about as long as running it)."""
    parts = _list_parts(language, choices)
    if first_detail:  # the first organization of the list, found by the database with the same order
        sort = sort_column(language)
        parts += _detail_parts(
            select(Organization.id).order_by(sort, Organization.id).limit(1).scalar_subquery()
        )
    return union_all(*parts)


@dataclass(frozen=True)
class ListOpening:
    """What opening the directory shows: the number of organizations, the first page, the filter choices and,
    when asked for, the detail pane of the first organization."""

    total: int
    rows: list[PartnerRow]
    choices: FilterChoices
    first_detail: OrganizationDetail | None = None


def warm_up(session: Session, language: str) -> None:
    """Send the Partners tab's opening statement (``open_list`` as ``ui/partners/model`` calls it) once for no
    rows, so that its compiled form is cached before the tab's first load (the start-up's loading thread)."""
    open_list(session, language, 0, first_detail=True)


def open_list(
    session: Session, language: str, limit: int, *, choices: bool = True, first_detail: bool = False
) -> ListOpening:
    """The count, the first ``limit`` rows of the unfiltered list (an ``ORDER BY`` on the stored, indexed sort key
    with ``LIMIT``; each row's membership status and technologies), the filter boxes' choices and (with
    ``first_detail``) what the detail pane shows of the first organization, in one statement: over a slow link to
    a shared server each statement is a round trip."""
    found: dict[str, list[Any]] = defaultdict(list)
    for r in session.execute(_open_list_statement(language, choices, first_detail), {"page_limit": limit}):
        found[r.part].append(r)
    listed: dict[int, tuple[Any, list[tuple[str, str, str]]]] = {}
    for r in found["R"]:
        entry = listed.setdefault(r.i1, (r, []))
        if r.t8 is not None:
            entry[1].append((r.t10, r.t8, r.t9 or r.t8))
    total = int(found["N"][0].i1) if found["N"] else 0
    rows = []
    for o, techs in sorted(listed.values(), key=lambda f: (f[0].t6, f[0].i1)):
        techs.sort()
        rows.append(
            PartnerRow(
                id=o.i1,
                kind=OrganizationKind(o.t1),
                name_ja=o.t2,
                name_kana=o.t3,
                name_en=o.t4,
                country=o.t5,
                member_status=MembershipStatus(o.t7) if o.t7 is not None else None,
                technologies=tuple(t[1] for t in techs),
                technologies_en=tuple(t[2] for t in techs),
            )
        )
    technologies = sorted(
        ((int(t.i1), t.t10, t.t8, t.t9 or "") for t in found["T"]), key=lambda t: (t[1], t[0])
    )
    countries = sorted({c.t5 for c in found["C"] if c.t5})
    detail = _detail_from(found) if first_detail else None
    return ListOpening(total, rows, FilterChoices(technologies, countries), detail)


def partner_rows(session: Session, ids: Sequence[int]) -> list[PartnerRow]:
    """The list rows of ``ids`` (in that order), with one statement whatever the number of rows."""
    if not ids:
        return []
    chosen = select(*_ROW_COLUMNS).where(Organization.id.in_(list(ids))).subquery()
    _total, rows = _read_rows(session, chosen)
    return [rows[i] for i in ids if i in rows]  # (an id deleted meanwhile is left out)


def filter_choices(session: Session) -> FilterChoices:
    """The filter boxes' choices in one statement (one round trip to a shared server)."""
    techs: Any = select(
        literal_column("'t'").label("part"),
        Technology.id.label("id"),
        Technology.code.label("code"),
        Technology.name_ja.label("name_ja"),
        Technology.name_en.label("name_en"),
    )
    countries: Any = select(
        literal_column("'c'"),
        cast(null(), Integer),
        Organization.country,
        literal_column("''"),
        literal_column("''"),
    ).distinct()
    technologies: list[tuple[int, str, str, str]] = []
    used: list[str] = []
    for r in session.execute(union_all(techs, countries)):
        if r.part == "t":
            technologies.append((r.id, r.code, r.name_ja, r.name_en or ""))
        elif r.code:
            used.append(r.code)
    technologies.sort(key=lambda t: (t[1], t[0]))
    return FilterChoices(technologies, sorted(set(used)))


# --- the detail pane ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactLine:
    """A person at an organization, as the detail pane shows them."""

    contact_id: int
    employment_id: int
    name: str
    name_kana: str
    name_en: str
    department: str
    title: str
    email: str
    phone: str
    started_on: date | None
    ended_on: date | None
    confirmed_on: date | None
    successor_name: str
    version: int

    @property
    def current(self) -> bool:
        return self.ended_on is None


def _person(family: str, given: str) -> str:
    return f"{family} {given}".strip()


def contact_lines(session: Session, organization_id: int) -> list[ContactLine]:
    """The organization's people, current posts first (by reading), then those who left (latest first)."""
    successor = aliased(Contact)
    found = session.execute(
        select(Contact, Employment, successor.family_name, successor.given_name)
        .join(Employment, Employment.contact_id == Contact.id)
        .outerjoin(successor, successor.id == Contact.successor_id)
        .where(Employment.organization_id == organization_id)
    ).all()  # one statement, with each person's successor's name
    rows = [(r[0], r[1]) for r in found]
    successors: dict[int, str] = {
        r[0].successor_id: _person(r[2], r[3] or "") for r in found if r[0].successor_id is not None and r[2]
    }
    lines = [
        ContactLine(
            contact_id=c.id,
            employment_id=e.id,
            name=_person(c.family_name, c.given_name),
            name_kana=_person(c.family_kana, c.given_kana),
            name_en=c.name_en,
            department=e.department,
            title=e.title,
            email=c.email,
            phone=c.phone or c.mobile,
            started_on=e.started_on,
            ended_on=e.ended_on,
            confirmed_on=c.confirmed_on,
            successor_name=successors.get(c.successor_id or 0, ""),
            version=c.version,
        )
        for c, e in rows
    ]
    return _ordered_lines(lines)


def _ordered_lines(lines: list[ContactLine]) -> list[ContactLine]:
    """Current posts first (by reading), then those who left (latest first)."""
    current = sorted(
        (ln for ln in lines if ln.current), key=lambda ln: kana_sort_key(ln.name_kana or ln.name)
    )
    past = sorted(
        (ln for ln in lines if not ln.current), key=lambda ln: ln.ended_on or date.min, reverse=True
    )
    return current + past


@dataclass(frozen=True)
class TimelineEntry:
    """One event in an organization's history: ``kind`` is project, dispatch, visit or need."""

    on: date | None
    kind: str
    title: str
    title_en: str
    detail: str = ""


def timeline(session: Session, organization_id: int) -> list[TimelineEntry]:
    """The organization's projects, dispatches (of its people), visits and needs, newest first (read-only).

    One statement (a UNION ALL of the four kinds of entry) for every organization, whatever it took part in: over
    a slow link each query is a round trip."""
    rows: Any = session.execute(union_all(*_timeline_selects(organization_id)))
    return _timeline_entries(rows)


def _timeline_entries(rows: Iterable[Any]) -> list[TimelineEntry]:
    """Timeline entries from rows with kind, on, at (a visit's first start), title, title_en and detail, newest
    first."""
    entries: list[TimelineEntry] = []
    for e in rows:
        on = e.on
        if e.kind == "visit":
            on = e.at.date() if e.at is not None else None
        entries.append(TimelineEntry(on, e.kind, e.title, e.title_en or e.title, e.detail or ""))
    entries.sort(key=lambda e: (e.on is not None, e.on or date.min), reverse=True)
    return entries


def _timeline_selects(organization_id: Any) -> list[Any]:
    """The four kinds of timeline entry as selects of the same six columns (kind, on, at, title, title_en,
    detail), for a UNION ALL."""
    participant = select(ProjectParticipant.project_id).where(
        ProjectParticipant.organization_id == organization_id
    )
    projects: Any = select(
        literal_column("'project'").label("kind"),
        Project.start_on.label("on"),
        cast(null(), UTCDateTime()).label("at"),
        Project.title_ja.label("title"),
        Project.title_en.label("title_en"),
        Project.code.label("detail"),
    ).where(
        Project.id.in_(
            union(select(Project.id).where(Project.counterpart_id == organization_id), participant)
        )
    )
    people = select(Employment.contact_id).where(Employment.organization_id == organization_id)
    dispatches: Any = select(
        literal_column("'dispatch'"),
        Dispatch.departure_on,
        cast(null(), UTCDateTime()),
        Dispatch.title,
        Dispatch.title_en,
        Dispatch.code,
    ).where(Dispatch.id.in_(select(DispatchMember.dispatch_id).where(DispatchMember.contact_id.in_(people))))
    presenter = select(BookingPresenter.booking_id).where(BookingPresenter.organization_id == organization_id)
    first_start = (
        select(func.min(BookingSegment.starts_at))
        .where(BookingSegment.booking_id == Booking.id)
        .correlate(Booking)
        .scalar_subquery()
    )
    visits: Any = select(
        literal_column("'visit'"),
        cast(null(), Date),
        first_start,
        Booking.group_name,
        Booking.group_name_en,
        Booking.code,
    ).where(
        # a UNION of two indexed lookups: PostgreSQL scans every booking for an OR of the two
        Booking.id.in_(union(select(Booking.id).where(Booking.organization_id == organization_id), presenter))
    )
    needs: Any = select(
        literal_column("'need'"),
        LocalNeed.learned_on,
        cast(null(), UTCDateTime()),
        LocalNeed.topic,
        LocalNeed.topic,
        LocalNeed.country,
    ).where(LocalNeed.counterpart_id == organization_id)
    return [projects, dispatches, visits, needs]


@dataclass(frozen=True)
class OrganizationDetail:
    """What the detail pane shows of an organization: its fields, membership periods, technologies (name,
    English name, product), people (as ``contact_lines``) and timeline (as ``timeline``)."""

    id: int
    version: int
    kind: OrganizationKind
    name_ja: str
    name_kana: str
    name_en: str
    name_local: str
    country: str
    city: str
    address: str
    phone: str
    email: str
    website: str
    notes: str
    memberships: list[tuple[MembershipStatus, date, date | None]]
    technologies: list[tuple[str, str, str]]
    contacts: list[ContactLine]
    timeline: list[TimelineEntry]


# The columns of the detail statement's branches: a part tag, three integers, three dates, a timestamp and twelve
# texts (see organization_detail).
_DETAIL_SLOTS: dict[str, Any] = {
    "part": Text(),
    **{f"i{k}": Integer() for k in range(1, 4)},
    **{f"d{k}": Date() for k in range(1, 4)},
    "at": UTCDateTime(),
    **{f"t{k}": Text() for k in range(1, 13)},
}


def _detail_row(part: str, ints: Sequence[Any] = (), dates: Sequence[Any] = (), at: Any = None,
                texts: Sequence[Any] = ()) -> list[Any]:  # fmt: skip
    """One branch's columns: ``ints`` fill i1.., ``dates`` d1.., ``texts`` t1.. (unused slots are NULL)."""
    values: dict[str, Any] = {"part": literal_column(f"'{part}'"), "at": at}
    values.update({f"i{k}": v for k, v in enumerate(ints, 1)})
    values.update({f"d{k}": v for k, v in enumerate(dates, 1)})
    values.update({f"t{k}": v for k, v in enumerate(texts, 1)})
    return union_columns(_DETAIL_SLOTS, **values)


def _detail_parts(oid: Any) -> list[Any]:
    """The detail statement's branches for the organization ``oid`` (a bound parameter or a scalar subquery):
    ``o`` the organization (i1 version, i2 id), ``m`` memberships, ``t`` technologies, ``p`` people, ``e`` the
    timeline."""
    org = select(
        *_detail_row(
            "o",
            ints=[Organization.version, Organization.id],
            texts=[
                Organization.kind,
                Organization.name_ja,
                Organization.name_kana,
                Organization.name_en,
                Organization.name_local,
                Organization.country,
                Organization.city,
                Organization.address,
                Organization.phone,
                Organization.email,
                Organization.website,
                Organization.notes,
            ],
        )
    ).where(Organization.id == oid)
    members = select(
        *_detail_row(
            "m",
            ints=[Membership.id],
            dates=[Membership.joined_on, Membership.left_on],
            texts=[Membership.status],
        )
    ).where(Membership.organization_id == oid)
    techs = (
        select(
            *_detail_row(
                "t",
                ints=[OrganizationTechnology.id],
                texts=[Technology.name_ja, Technology.name_en, OrganizationTechnology.product_name],
            )
        )
        .select_from(OrganizationTechnology)
        .join(Technology, Technology.id == OrganizationTechnology.technology_id)
        .where(OrganizationTechnology.organization_id == oid)
    )
    successor = aliased(Contact)
    people = (
        select(
            *_detail_row(
                "p",
                ints=[Contact.id, Employment.id, Contact.version],
                dates=[Employment.started_on, Employment.ended_on, Contact.confirmed_on],
                texts=[
                    Contact.family_name,
                    Contact.given_name,
                    Contact.family_kana,
                    Contact.given_kana,
                    Contact.name_en,
                    Employment.department,
                    Employment.title,
                    Contact.email,
                    Contact.phone,
                    Contact.mobile,
                    successor.family_name,
                    successor.given_name,
                ],
            )
        )
        .select_from(Contact)
        .join(Employment, Employment.contact_id == Contact.id)
        .outerjoin(successor, successor.id == Contact.successor_id)
        .where(Employment.organization_id == oid)
    )
    events = [
        sel.with_only_columns(
            *_detail_row("e", dates=[on], at=at, texts=[kind, title, title_en, detail]),
            maintain_column_froms=True,
        )
        for sel in _timeline_selects(oid)
        for kind, on, at, title, title_en, detail in [tuple(sel.selected_columns)]
    ]
    return [org, members, techs, people, *events]


@lru_cache(maxsize=1)
def _detail_statement() -> Any:
    """organization_detail's statement, built once per process with the organization id as a bound parameter:
    building and keying this UNION ALL of nine branches took longer (5-7 ms) than running it."""
    return union_all(*_detail_parts(bindparam("organization_id", type_=Integer)))


def organization_detail(session: Session, organization_id: int) -> OrganizationDetail | None:
    """The organization with its memberships, technologies, people and timeline in one statement (a UNION ALL;
    over a slow link to a shared server each statement is a round trip): None when it does not exist."""
    found: dict[str, list[Any]] = defaultdict(list)
    for r in session.execute(_detail_statement(), {"organization_id": organization_id}):
        found[r.part].append(r)
    return _detail_from(found)


def _detail_from(found: Mapping[str, list[Any]]) -> OrganizationDetail | None:
    """The detail from the rows of the ``_detail_parts`` branches, by part (None: no such organization)."""
    if not found.get("o"):
        return None
    o = found["o"][0]
    memberships = [
        (MembershipStatus(m.t1), m.d1, m.d2) for m in sorted(found.get("m", []), key=lambda m: (m.d1, m.i1))
    ]
    technologies = [(t.t1, t.t2 or "", t.t3 or "") for t in sorted(found.get("t", []), key=lambda t: t.i1)]
    lines = [
        ContactLine(
            contact_id=p.i1,
            employment_id=p.i2,
            name=_person(p.t1, p.t2 or ""),
            name_kana=_person(p.t3 or "", p.t4 or ""),
            name_en=p.t5 or "",
            department=p.t6 or "",
            title=p.t7 or "",
            email=p.t8 or "",
            phone=p.t9 or p.t10 or "",
            started_on=p.d1,
            ended_on=p.d2,
            confirmed_on=p.d3,
            successor_name=_person(p.t11, p.t12 or "") if p.t11 else "",
            version=p.i3,
        )
        for p in found.get("p", [])
    ]
    timeline_rows = [
        SimpleNamespace(kind=e.t1, on=e.d1, at=e.at, title=e.t2, title_en=e.t3, detail=e.t4)
        for e in found.get("e", [])
    ]
    return OrganizationDetail(
        id=o.i2,
        version=o.i1,
        kind=OrganizationKind(o.t1),
        name_ja=o.t2,
        name_kana=o.t3 or "",
        name_en=o.t4 or "",
        name_local=o.t5 or "",
        country=o.t6 or "",
        city=o.t7 or "",
        address=o.t8 or "",
        phone=o.t9 or "",
        email=o.t10 or "",
        website=o.t11 or "",
        notes=o.t12 or "",
        memberships=memberships,
        technologies=technologies,
        contacts=_ordered_lines(lines),
        timeline=_timeline_entries(timeline_rows),
    )


# --- duplicates ------------------------------------------------------------------------------------------------


def duplicate_organizations(
    session: Session, *, name_ja: str = "", name_en: str = "", email: str = "", exclude_id: int | None = None
) -> list[Organization]:
    """Organizations with the same normalized Japanese or English name, or the same e-mail address."""
    wanted = {n for n in (duplicate_key(name_ja), duplicate_key(name_en)) if n}
    mail = email.strip().casefold()
    if not wanted and not mail:
        return []
    found = []
    for row in session.execute(
        select(
            Organization.id,
            Organization.name_ja,
            Organization.name_en,
            Organization.email,
            Organization.name_keys,
        )
    ):
        if row.id == exclude_id:
            continue
        names = set(name_keys_of(row.name_keys, row.name_ja, row.name_en)) - {""}
        if names & wanted or (mail and row.email.casefold() == mail):
            found.append(row.id)
    return [o for o in (session.get(Organization, i) for i in found) if o is not None]


def duplicate_contacts(
    session: Session,
    *,
    family_name: str,
    given_name: str = "",
    email: str = "",
    exclude_id: int | None = None,
) -> list[Contact]:
    """People with the same e-mail address, or the same folded full name."""
    conds: list[ColumnElement[bool]] = []
    if email.strip():
        conds.append(Contact.email == email.strip())
    full = fold(family_name + given_name).replace(" ", "")
    candidates = list(
        session.scalars(select(Contact).where(or_(*conds, Contact.family_name == family_name.strip())))
    )
    return [
        c
        for c in candidates
        if c.id != exclude_id
        and (
            (email.strip() and c.email.casefold() == email.strip().casefold())
            or (full and fold(c.family_name + c.given_name).replace(" ", "") == full)
        )
    ]


# --- the April rotation check and the mailing list ---------------------------------------------------------------


def last_april_first(today: date) -> date:
    """The most recent April 1 on or before ``today`` (the start of the fiscal year)."""
    return date(today.year if today.month >= 4 else today.year - 1, 4, 1)


ROTATION_KINDS = (OrganizationKind.COOPERATING, OrganizationKind.COUNTERPART)


def rotation_due(session: Session, today: date) -> list[tuple[Contact, Organization]]:
    """People in a current post at a cooperating body or counterpart, not confirmed since the last April 1 and with
    no successor recorded: the list to check after the April personnel changes (人事異動)."""
    since = last_april_first(today)
    rows = session.execute(
        select(Contact, Organization)
        .join(Employment, Employment.contact_id == Contact.id)
        .join(Organization, Organization.id == Employment.organization_id)
        .where(Employment.ended_on.is_(None))
        .where(Organization.kind.in_(ROTATION_KINDS))
        .where(or_(Contact.confirmed_on.is_(None), Contact.confirmed_on < since))
        .where(Contact.successor_id.is_(None))
    ).all()
    result = [(c, o) for c, o in rows]
    result.sort(
        key=lambda p: (kana_sort_key(p[1].name_kana or p[1].name_ja), kana_sort_key(p[0].family_kana))
    )
    return result


def mark_confirmed(session: Session, contact_ids: Iterable[int], on: date) -> int:
    """Record that the people still hold their posts (``confirmed_on = on``). Returns how many changed."""
    count = 0
    for contact in session.scalars(select(Contact).where(Contact.id.in_(list(contact_ids)))):
        contact.confirmed_on = on
        count += 1
    session.flush()
    return count


def mailing_list(session: Session) -> list[str]:
    """E-mail addresses of the people in current posts at current member companies, sorted, without repeats."""
    members = select(Membership.organization_id).where(
        Membership.status == MembershipStatus.ACTIVE, Membership.left_on.is_(None)
    )
    emails = session.scalars(
        select(Contact.email)
        .join(Employment, Employment.contact_id == Contact.id)
        .join(Organization, Organization.id == Employment.organization_id)
        .where(Employment.ended_on.is_(None))
        .where(Organization.kind == OrganizationKind.MEMBER)
        .where(Organization.id.in_(members))
        .where(Contact.email != "")
    )
    seen: dict[str, str] = {}
    for e in emails:
        seen.setdefault(e.casefold(), e)
    return sorted(seen.values(), key=str.casefold)


# --- the in-memory index the tab searches as the user types ----------------------------------------------------------


_NOT_ASCII = re.compile("[^\x00-\x7f]+")


# One organization in the search index: an exact tuple of plain strings and numbers, which Python's cyclic garbage
# collector stops tracking after its first collection (10,000 dataclasses with two frozensets each were 30,000
# more objects for every full collection of the application to walk; a tuple subclass stays tracked). Its items:
_ID: Final = 0
# The organization's folded text and its people's, in two forms. A query word has no space, so it occurs inside
# one word of the text, and an ASCII query word (romaji, e-mail, phone digits) inside one run of ASCII characters:
# ``ascii`` is the text with every other character replaced by a space, searched for ASCII query words (an
# ASCII-only string is searched several times faster than one holding kana); ``other`` holds the words with kana,
# kanji or other non-ASCII characters, searched for the other query words.
_ASCII: Final = 1
_OTHER: Final = 2
_KIND: Final = 3  # an OrganizationKind's value (StrEnum members compare and hash as their values)
_COUNTRY: Final = 4
_STATUSES: Final = 5  # MembershipStatus values
_TECHNOLOGY_IDS: Final = 6
_Entry = tuple[int, str, str, str, str, tuple[str, ...], tuple[int, ...]]


class PartnerIndex:
    """A snapshot of the folded search texts, in the list's order, for search as you type.

    A ``LIKE '%word%'`` over 100,000 people takes 100-300 ms in SQLite: too slow for every keystroke. The index is
    built with four queries (``build``) when the tab loads and after each change, and answers a keystroke in
    memory; a query that extends the previous one only looks at the previous matches.
    """

    def __init__(self, entries: list[_Entry], language: str) -> None:
        self.language = language
        self._entries = entries
        self._last: tuple[PartnerFilter, list[_Entry]] | None = None

    def __len__(self) -> int:
        return len(self._entries)

    @classmethod
    def build(cls, session: Session, language: str) -> PartnerIndex:
        """Read the texts with four queries. Rows are read on the connection (no ORM row processing): with
        100,000 people this halves the time. Safe to call in a worker thread with the thread's own session.

        The cyclic garbage collector is paused meanwhile (reference counting frees the build's temporaries, which
        form no cycles): the rows, lists and sets alive during the build (tens of thousands) were promoted by the
        collections they lived through and set off a full collection after nearly every build, which holds the
        interpreter lock, and so the user interface, for 50-170 ms."""
        with collections_paused():
            return cls._build(session, language)

    @classmethod
    def _build(cls, session: Session, language: str) -> PartnerIndex:
        conn = session.connection()
        orgs = conn.execute(
            select(
                Organization.id,
                Organization.name_kana,
                Organization.name_ja,
                Organization.name_en,
                Organization.kind,
                Organization.country,
                Organization.search_text,
            ).order_by(sort_column(language), Organization.id)
        ).all()
        people: dict[int, list[str]] = defaultdict(list)
        for org_id, text in conn.execute(
            select(Employment.organization_id, Contact.search_text).join(
                Contact, Contact.id == Employment.contact_id
            )
        ):
            people[org_id].append(text)
        statuses: dict[int, set[MembershipStatus]] = defaultdict(set)
        for org_id, status, left_on in conn.execute(
            select(Membership.organization_id, Membership.status, Membership.left_on)
        ):
            if left_on is None or status == MembershipStatus.LEFT:
                statuses[org_id].add(status)
        techs: dict[int, set[int]] = defaultdict(set)
        for org_id, tech_id in conn.execute(
            select(OrganizationTechnology.organization_id, OrganizationTechnology.technology_id)
        ):
            techs[org_id].add(tech_id)
        ordered = orgs  # in the list's order already (the stored sort key)
        no_people: list[str] = []
        entries = []
        for o in ordered:
            # rows written around the services (bulk loads) may lack the folded text: fold the names here
            own = o.search_text or fold_all(o.name_ja, o.name_kana, o.name_en)
            text = " ".join((own, *people.get(o.id, no_people)))
            entries.append(
                (
                    o.id,
                    _NOT_ASCII.sub(" ", text),
                    " ".join(word for word in text.split() if not word.isascii()),
                    str(o.kind),  # (str() of a StrEnum member is its value)
                    o.country,
                    tuple(sorted(str(s) for s in statuses.get(o.id, ()))),
                    tuple(sorted(techs.get(o.id, ()))),
                )
            )
        return cls(entries, language)

    def ids(self) -> list[int]:
        """Every organization, in the list's order."""
        return [e[_ID] for e in self._entries]

    def search(self, flt: PartnerFilter) -> list[int]:
        """Ids of the organizations that pass ``flt``, in the list's order (the same answer as ``matching_ids``)."""
        pool = self._entries
        last = self._last
        if (
            last is not None
            and (last[0].kinds, last[0].countries, last[0].statuses, last[0].technology_ids)
            == (flt.kinds, flt.countries, flt.statuses, flt.technology_ids)
            and all(any(old in new for new in flt.words) for old in last[0].words)
        ):
            pool = last[1]  # every match of the new query also matched the previous one
        else:
            if flt.kinds:
                pool = [e for e in pool if e[_KIND] in flt.kinds]
            if flt.countries:
                pool = [e for e in pool if e[_COUNTRY] in flt.countries]
            if flt.statuses:
                pool = [e for e in pool if not flt.statuses.isdisjoint(e[_STATUSES])]
            if flt.technology_ids:
                pool = [e for e in pool if flt.technology_ids.issubset(e[_TECHNOLOGY_IDS])]
        for word in flt.words:
            if word.isascii():
                pool = [e for e in pool if word in e[_ASCII]]
            else:
                pool = [e for e in pool if word in e[_OTHER]]
        self._last = (flt, pool)
        return [e[_ID] for e in pool]


# --- what exports and the printed directory show -------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryRecord:
    """One organization with everything the exports and the printed directory show."""

    row: PartnerRow
    name_local: str
    address: str
    phone: str
    email: str
    website: str
    people: tuple[ContactLine, ...]  # current posts only


def directory_records(session: Session, ids: Sequence[int]) -> list[DirectoryRecord]:
    """Records for ``ids`` in that order (a few queries per 500 organizations)."""
    records: list[DirectoryRecord] = []
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        rows = partner_rows(session, chunk)
        details = {
            o.id: o
            for o in session.execute(
                select(
                    Organization.id,
                    Organization.name_local,
                    Organization.address,
                    Organization.phone,
                    Organization.email,
                    Organization.website,
                ).where(Organization.id.in_(chunk))
            )
        }
        people: dict[int, list[ContactLine]] = defaultdict(list)
        for c, e in session.execute(
            select(Contact, Employment)
            .join(Employment, Employment.contact_id == Contact.id)
            .where(Employment.organization_id.in_(chunk), Employment.ended_on.is_(None))
        ):
            people[e.organization_id].append(
                ContactLine(
                    contact_id=c.id,
                    employment_id=e.id,
                    name=_person(c.family_name, c.given_name),
                    name_kana=_person(c.family_kana, c.given_kana),
                    name_en=c.name_en,
                    department=e.department,
                    title=e.title,
                    email=c.email,
                    phone=c.phone or c.mobile,
                    started_on=e.started_on,
                    ended_on=e.ended_on,
                    confirmed_on=c.confirmed_on,
                    successor_name="",
                    version=c.version,
                )
            )
        for row in rows:
            d = details[row.id]
            lines = sorted(people.get(row.id, []), key=lambda ln: kana_sort_key(ln.name_kana or ln.name))
            records.append(
                DirectoryRecord(row, d.name_local, d.address, d.phone, d.email, d.website, tuple(lines))
            )
    return records


def used_countries(session: Session) -> list[str]:
    """The countries of the organizations in the directory (for the country filter)."""
    return sorted(set(session.scalars(select(Organization.country).distinct())) - {""})


def display_phone(e164: str) -> str:
    """A stored E.164 number in international form for people (``+81 44-200-2111``)."""
    if not e164:
        return ""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))
