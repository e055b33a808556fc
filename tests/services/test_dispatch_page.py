"""The Dispatches tab's page reader (``dispatch.dispatches_page``: the page, its members' names and the filter
choices in one UNION ALL statement) returns what separate reads give, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kawaoffice.model.dispatch import Dispatch, DispatchMember, DispatchPurpose, DispatchStatus, MemberRole
from kawaoffice.model.projects import Project
from kawaoffice.services import dispatch as svc
from kawaoffice.services.demo import load_demo
from kawaoffice.services.dispatch import DispatchListRow
from tests.statements import recorded_statements as statements

ROLE_ORDER = {MemberRole.LEADER: 0, MemberRole.MEMBER: 1, MemberRole.INTERPRETER: 2}


def _separately(session: Session, **f: object) -> list[DispatchListRow]:
    """The same list read through the ORM, one dispatch at a time (no filter in SQL: everything filtered here)."""
    out = []
    text = str(f.get("text") or "").strip().lower()
    for d in session.scalars(select(Dispatch)):
        if f.get("country") and d.country != f["country"]:
            continue
        if f.get("purpose") and d.purpose != f["purpose"]:
            continue
        if f.get("status") and d.status != f["status"]:
            continue
        if f.get("fiscal_year") is not None:
            first, last = svc.c.fiscal_year_range(f["fiscal_year"])  # type: ignore[arg-type]
            if not (d.departure_on <= last and d.return_on >= first):
                continue
        if text and not any(text in (v or "").lower() for v in (d.code, d.title, d.title_en, d.city)):
            continue
        members = []
        for m in d.members:
            if m.staff is not None:
                name, en = svc.person_name(m.staff.family_name, m.staff.given_name or ""), m.staff.name_en
            else:
                assert m.contact is not None
                name, en = (
                    svc.person_name(m.contact.family_name or "", m.contact.given_name or ""),
                    m.contact.name_en,
                )
            members.append((ROLE_ORDER.get(m.role, 9), m.id, name, en or name))
        members.sort()
        project = session.get(Project, d.project_id) if d.project_id else None
        out.append(DispatchListRow(
            d.id, d.code, d.title, d.title_en, d.purpose, d.status, d.country, d.city, d.departure_on, d.return_on,
            project.code if project else "", tuple(m[2] for m in members), tuple(m[3] for m in members),
        ))  # fmt: skip
    out.sort(key=lambda r: (r.departure_on, r.id), reverse=True)
    return out


@pytest.fixture
def demo(session: Session) -> Session:
    load_demo(session)
    session.commit()
    assert session.scalar(
        select(DispatchMember.id).where(DispatchMember.contact_id.is_not(None))
    )  # both kinds
    return session


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"country": "LA"},
        {"purpose": DispatchPurpose.MISSION},
        {"status": DispatchStatus.COMPLETED},
        {"fiscal_year": 2018},
        {"text": "ラオス"},
        {"text": "100%"},  # a typed % matches only itself
    ],
)
def test_the_page_is_what_separate_reads_give(demo: Session, filters: dict[str, object]) -> None:
    expected = _separately(demo, **filters)
    assert expected or filters.get("text") == "100%"  # every other filter finds something in the demo data
    with statements(demo) as sent:
        rows, choices = svc.dispatches_page(demo, offset=0, limit=None, **filters)  # type: ignore[arg-type]
    assert len(sent) == 1 and choices is None
    assert rows == expected
    if filters == {}:
        assert len(rows) > 5 and any(r.members for r in rows)
    # pages: the same rows in the same order, a page at a time
    paged = [r for start in range(0, len(expected), 3) for r in svc.list_dispatches(demo, offset=start, limit=3,
                                                                                    **filters)]  # type: ignore[arg-type]  # fmt: skip
    assert paged == expected


def test_choices_come_with_the_first_page(demo: Session) -> None:
    with statements(demo) as sent:
        rows, choices = svc.dispatches_page(demo, offset=0, limit=4, with_choices=True)
    assert len(sent) == 1
    assert rows == _separately(demo)[:4]
    assert (
        choices == (svc.dispatch_fiscal_years(demo), svc.dispatch_countries(demo))
        and choices[0]
        and choices[1]
    )
    # nothing matches: no rows, the choices still come
    rows, choices = svc.dispatches_page(demo, text="no such dispatch", with_choices=True)
    assert rows == [] and choices == (svc.dispatch_fiscal_years(demo), svc.dispatch_countries(demo))


def test_empty_database(session: Session) -> None:
    assert svc.dispatches_page(session, limit=60, with_choices=True) == ([], ([], []))
