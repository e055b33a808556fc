"""An organization's timeline, now four queries, lists the same entries as reading its records one by one."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kawaoffice.model.dispatch import Dispatch
from kawaoffice.model.partners import Organization
from kawaoffice.model.projects import LocalNeed, Project
from kawaoffice.model.tours import Booking
from kawaoffice.services import partner_search as ps
from kawaoffice.services.demo import load_demo


def _expected(session: Session, org: Organization) -> set[tuple[date | None, str, str, str, str]]:
    """The entries found through the ORM relationships, one record at a time (the slow, obvious way)."""
    out: set[tuple[date | None, str, str, str, str]] = set()
    for p in session.scalars(select(Project)):
        if p.counterpart_id == org.id or any(pp.organization_id == org.id for pp in p.participants):
            out.add((p.start_on, "project", p.title_ja, p.title_en or p.title_ja, p.code))
    people = {e.contact_id for e in org.employments}
    for d in session.scalars(select(Dispatch)):
        if any(m.contact_id in people for m in d.members if m.contact_id is not None):
            out.add((d.departure_on, "dispatch", d.title, d.title_en or d.title, d.code))
    for b in session.scalars(select(Booking)):
        if b.organization_id == org.id or any(p.organization_id == org.id for p in b.presenters):
            first = min((s.starts_at for s in b.segments), default=None)
            day = first.date() if first is not None else None
            out.add((day, "visit", b.group_name, b.group_name_en or b.group_name, b.code))
    for n in session.scalars(select(LocalNeed).where(LocalNeed.counterpart_id == org.id)):
        out.add((n.learned_on, "need", n.topic, n.topic, n.country))
    return out


def test_timeline_matches_the_records(session: Session) -> None:
    load_demo(session)
    orgs = list(session.scalars(select(Organization)))
    busy = 0
    for org in orgs:
        entries = ps.timeline(session, org.id)
        got = {(e.on, e.kind, e.title, e.title_en, e.detail) for e in entries}
        assert got == _expected(session, org), org.name_ja
        assert len(got) == len(entries), f"{org.name_ja}: an entry listed twice"
        dated = [e.on for e in entries if e.on is not None]
        assert dated == sorted(dated, reverse=True)
        busy += len(entries) >= 3
    assert busy >= 2, "the demo data gives some organizations a real history"
