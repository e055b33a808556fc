"""Local needs (現地ニーズ): listing, matching member companies by technology, and the data of the needs bulletin.

Creating and editing a need is in :mod:`kawaoffice.services.projects` (``create_local_need`` ...).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kawaoffice.i18n import kana_sort_key
from kawaoffice.model.partners import (
    Membership,
    MembershipStatus,
    Organization,
    OrganizationKind,
    OrganizationTechnology,
    Technology,
)
from kawaoffice.model.projects import LocalNeed, NeedSource, NeedTechnology, Project
from kawaoffice.services import common as c


@dataclass(frozen=True)
class TechnologyRef:
    id: int
    code: str
    name_ja: str
    name_en: str


@dataclass(frozen=True)
class NeedRow:
    id: int
    version: int
    country: str
    topic: str
    description: str
    dac_code: str | None
    source: NeedSource
    learned_on: date
    passed_on: date | None
    counterpart_id: int | None
    counterpart_ja: str
    counterpart_en: str
    project_id: int | None
    project_code: str
    project_title_ja: str
    project_title_en: str
    technologies: tuple[TechnologyRef, ...]


@dataclass(frozen=True)
class MemberMatch:
    """A member company that offers at least one of the technologies a need calls for."""

    organization_id: int
    name_ja: str
    name_en: str
    matched: tuple[TechnologyRef, ...]
    products: tuple[str, ...]  # product names of the matched technologies, where recorded

    @property
    def score(self) -> int:
        return len(self.matched)


@dataclass(frozen=True)
class NeedFilter:
    country: str = ""
    source: NeedSource | None = None
    project_id: int | None = None
    since: date | None = None  # learned on or after
    until: date | None = None  # learned on or before
    not_passed_on: bool = False  # only needs not yet passed on to the members


def list_needs(session: Session, filters: NeedFilter | None = None) -> list[NeedRow]:
    """Needs, newest first, with counterpart, project and the technologies they call for."""
    f = filters or NeedFilter()
    stmt = (
        select(
            LocalNeed,
            Organization.name_ja,
            Organization.name_en,
            Project.code,
            Project.title_ja,
            Project.title_en,
        )
        .outerjoin(Organization, LocalNeed.counterpart_id == Organization.id)
        .outerjoin(Project, LocalNeed.project_id == Project.id)
        .order_by(LocalNeed.learned_on.desc(), LocalNeed.id.desc())
    )
    if f.country:
        stmt = stmt.where(LocalNeed.country == f.country.upper())
    if f.source is not None:
        stmt = stmt.where(LocalNeed.source == f.source)
    if f.project_id is not None:
        stmt = stmt.where(LocalNeed.project_id == f.project_id)
    if f.since is not None:
        stmt = stmt.where(LocalNeed.learned_on >= f.since)
    if f.until is not None:
        stmt = stmt.where(LocalNeed.learned_on <= f.until)
    if f.not_passed_on:
        stmt = stmt.where(LocalNeed.passed_on.is_(None))
    rows = session.execute(stmt).all()
    ids = [r[0].id for r in rows]
    techs: dict[int, list[TechnologyRef]] = defaultdict(list)
    if ids:
        for need_id, tech in session.execute(
            select(NeedTechnology.need_id, Technology)
            .join(Technology, NeedTechnology.technology_id == Technology.id)
            .where(NeedTechnology.need_id.in_(ids))
            .order_by(Technology.code)
        ):
            techs[need_id].append(
                TechnologyRef(tech.id, tech.code, tech.name_ja, tech.name_en or tech.name_ja)
            )
    return [
        NeedRow(
            id=n.id,
            version=n.version,
            country=n.country,
            topic=n.topic,
            description=n.description,
            dac_code=n.dac_code,
            source=n.source,
            learned_on=n.learned_on,
            passed_on=n.passed_on,
            counterpart_id=n.counterpart_id,
            counterpart_ja=org_ja or "",
            counterpart_en=org_en or org_ja or "",
            project_id=n.project_id,
            project_code=code or "",
            project_title_ja=title_ja or "",
            project_title_en=title_en or title_ja or "",
            technologies=tuple(techs.get(n.id, ())),
        )
        for n, org_ja, org_en, code, title_ja, title_en in rows
    ]


def _current_member_ids(session: Session, on: date) -> set[int]:
    """Member companies whose latest membership period is active and has not ended by ``on``."""
    latest: dict[int, Membership] = {}
    for m in session.scalars(
        select(Membership)
        .join(Organization, Membership.organization_id == Organization.id)
        .where(Organization.kind == OrganizationKind.MEMBER)
        .order_by(Membership.organization_id, Membership.joined_on, Membership.id)
    ):
        latest[m.organization_id] = m
    return {
        org_id
        for org_id, m in latest.items()
        if m.status == MembershipStatus.ACTIVE and m.joined_on <= on and (m.left_on is None or m.left_on > on)
    }


def match_members(session: Session, need_id: int, *, on: date | None = None) -> list[MemberMatch]:
    """Current Kawa Biz Net member companies offering the technologies the need calls for, best match first
    (most technologies in common), then by kana reading."""
    need = c.get_entity(session, LocalNeed, need_id)
    wanted = {t.technology_id for t in need.technologies}
    return _matches(session, wanted, on or date.today())


def _matches(session: Session, wanted: set[int], on: date) -> list[MemberMatch]:
    if not wanted:
        return []
    members = _current_member_ids(session, on)
    if not members:
        return []
    found: dict[int, list[tuple[Technology, str]]] = defaultdict(list)
    orgs: dict[int, Organization] = {}
    for link, tech, org in session.execute(
        select(OrganizationTechnology, Technology, Organization)
        .join(Technology, OrganizationTechnology.technology_id == Technology.id)
        .join(Organization, OrganizationTechnology.organization_id == Organization.id)
        .where(OrganizationTechnology.technology_id.in_(wanted), Organization.id.in_(members))
        .order_by(Technology.code)
    ):
        found[org.id].append((tech, link.product_name))
        orgs[org.id] = org
    matches = [
        MemberMatch(
            organization_id=org_id,
            name_ja=orgs[org_id].name_ja,
            name_en=orgs[org_id].name_en or orgs[org_id].name_ja,
            matched=tuple(TechnologyRef(t.id, t.code, t.name_ja, t.name_en or t.name_ja) for t, _p in items),
            products=tuple(p for _t, p in items if p),
        )
        for org_id, items in found.items()
    ]
    reading = {org_id: (o.name_kana or o.name_ja) for org_id, o in orgs.items()}
    return sorted(matches, key=lambda m: (-m.score, kana_sort_key(reading[m.organization_id])))


@dataclass(frozen=True)
class BulletinItem:
    need: NeedRow
    members: tuple[MemberMatch, ...]


@dataclass(frozen=True)
class NeedsBulletin:
    since: date
    until: date
    items: tuple[BulletinItem, ...]

    @property
    def countries(self) -> tuple[str, ...]:
        return tuple(sorted({i.need.country for i in self.items}))


def bulletin(session: Session, *, since: date, until: date | None = None) -> NeedsBulletin:
    """The needs bulletin for members: needs learnt from ``since`` (inclusive) to ``until`` (default today),
    oldest first, each with the member companies whose technologies match."""
    until = until or date.today()
    rows = sorted(
        list_needs(session, NeedFilter(since=since, until=until)), key=lambda r: (r.learned_on, r.id)
    )
    items = tuple(
        BulletinItem(row, tuple(_matches(session, {t.id for t in row.technologies}, until))) for row in rows
    )
    return NeedsBulletin(since=since, until=until, items=items)


def mark_passed_on(session: Session, need_ids: list[int], on: date) -> int:
    """Record that the needs were passed on to the members on ``on`` (needs already passed on keep their date)."""
    count = 0
    for need in session.scalars(select(LocalNeed).where(LocalNeed.id.in_(need_ids))):
        if need.passed_on is None and need.learned_on <= on:
            need.passed_on = on
            count += 1
    c.flush(session)
    return count


def need_counts_by_country(session: Session, since: date, until: date) -> dict[str, int]:
    return {
        country: int(n)
        for country, n in session.execute(
            select(LocalNeed.country, func.count())
            .where(LocalNeed.learned_on >= since, LocalNeed.learned_on <= until)
            .group_by(LocalNeed.country)
        )
    }
