"""The projects tab's few-statement reads (issue 10) give what the ORM reads one by one give, on SQLite and
PostgreSQL: the filter choices (schemes, stages, fiscal years worked out in SQL), the list's SDG targets read in the
same statement, and the detail pane's two statements."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kawaoffice.model.dispatch import DispatchPurpose, DispatchStatus
from kawaoffice.model.projects import Project, ProjectState, StageEvent
from kawaoffice.model.tours import BookingStatus, VisitorType
from kawaoffice.services import dispatch as dsvc
from kawaoffice.services import partners as psvc
from kawaoffice.services import projects
from kawaoffice.services import tours as tsvc
from kawaoffice.services.common import fiscal_year_of
from kawaoffice.services.demo import load_demo
from kawaoffice.services.errors import NotFoundError
from tests.statements import recorded_statements as statements


def years_one_by_one(session: Session) -> list[int]:
    days: set[date] = set()
    for p in session.scalars(select(Project)):
        days.update(d for d in (p.start_on, p.end_on) if d is not None)
    days.update(session.scalars(select(StageEvent.occurred_on)))
    return sorted({fiscal_year_of(d) for d in days}, reverse=True)


def test_fiscal_years_on_the_boundaries(session: Session) -> None:
    projects.ensure_standard_schemes(session)
    scheme = projects.list_schemes(session)[0]
    stage = scheme.stages[0].id
    # March 31 is the year before; April 1 the year itself; an end date and an event count too
    p = projects.create_project(
        session,
        code="P1",
        title_ja="境界",
        scheme_id=scheme.id,
        start_on=date(2019, 3, 31),
        end_on=date(2021, 4, 1),
    )
    projects.move_project_stage(session, p.id, p.version, to_stage_id=stage, occurred_on=date(2024, 4, 1))
    projects.create_project(session, code="P2", title_ja="日付なし", scheme_id=scheme.id)
    session.commit()
    assert projects.project_fiscal_years(session) == [2024, 2021, 2018] == years_one_by_one(session)
    choices = projects.project_choices(session)
    assert choices.fiscal_years == (2024, 2021, 2018)


def test_choices_in_one_statement_match_the_schemes(session: Session) -> None:
    load_demo(session, scale=0)
    session.commit()
    with statements(session) as seen:
        choices = projects.project_choices(session)
    assert len(seen) == 1
    expected = [
        (s.id, s.name_ja, s.name_en, [(st.id, st.name_ja, st.name_en) for st in s.stages])
        for s in projects.list_schemes(session)
    ]
    assert [
        (s.id, s.name_ja, s.name_en, [(st.id, st.name_ja, st.name_en) for st in s.stages])
        for s in choices.schemes
    ] == expected
    assert list(choices.fiscal_years) == years_one_by_one(session)


def test_choices_list_a_scheme_without_stages(session: Session) -> None:
    empty = projects.create_scheme(session, code="NEW", name_ja="新スキーム")
    session.commit()
    choices = projects.project_choices(session)
    assert [(s.id, s.stages) for s in choices.schemes] == [(empty.id, ())]
    assert choices.fiscal_years == ()


def test_list_reads_sdg_targets_in_the_same_statement(session: Session) -> None:
    load_demo(session, scale=0)
    session.commit()
    with statements(session) as seen:
        rows = projects.list_projects(session, limit=60)
    assert len(seen) == 1
    for row in rows:
        p = session.get(Project, row.id)
        assert p is not None
        assert row.sdg_targets == tuple(sorted(t.target for t in p.sdg_targets))
    assert any(len(r.sdg_targets) > 1 for r in rows)


def test_detail_in_two_statements_matches_the_records(session: Session) -> None:
    projects.ensure_standard_schemes(session)
    scheme = next(s for s in projects.list_schemes(session) if s.code == "WATER_BIZ")
    needs_, fs, impl = scheme.stages
    lead = dsvc.create_staff(session, staff_no="S1", family_name="川崎", given_name="太郎")
    counterpart = psvc.create_organization(
        session, kind="counterpart", name_ja="ラオス水道公社", name_en="Nam Papa"
    )
    member = psvc.create_organization(session, kind="member", name_ja="水道テクノ", name_en="Suido Techno")
    p = projects.create_project(
        session,
        code="KB-1",
        title_ja="漏水対策",
        scheme_id=scheme.id,
        country="LA",
        counterpart_id=counterpart.id,
        lead_staff_id=lead.id,
    )
    projects.move_project_stage(session, p.id, p.version, to_stage_id=needs_.id, occurred_on=date(2025, 4, 1))
    projects.move_project_stage(session, p.id, p.version, to_stage_id=impl.id, occurred_on=date(2025, 6, 1))
    projects.move_project_stage(
        session,
        p.id,
        p.version,
        to_stage_id=fs.id,
        occurred_on=date(2025, 7, 1),
        reason="見直し",
        note="再調査",
    )
    projects.move_project_stage(
        session,
        p.id,
        p.version,
        to_stage_id=fs.id,
        occurred_on=date(2025, 9, 1),
        state=ProjectState.SUSPENDED,
    )
    projects.add_participant(session, project_id=p.id, organization_id=member.id, role=4, note="漏水探知")
    projects.add_participant(session, project_id=p.id, organization_id=counterpart.id, role=1)
    projects.add_participant(session, project_id=p.id, organization_id=member.id, role=1)
    projects.set_sdg_targets(session, p.id, ["6.4", "6.1"])
    projects.set_sectors(session, p.id, {"14030": 60, "14021": None})
    for code, dep in (("D-2", date(2025, 8, 1)), ("D-1", date(2025, 5, 1))):
        dsvc.create_dispatch(
            session,
            code=code,
            title=f"派遣{code}",
            purpose=DispatchPurpose.SHORT_TERM_EXPERT,
            country="LA",
            timezone="Asia/Vientiane",
            departure_on=dep,
            return_on=dep + timedelta(days=5),
            status=DispatchStatus.CONFIRMED,
            project_id=p.id,
        )
    fac = tsvc.create_facility(session, code="NAGASAWA", name_ja="長沢浄水場", capacity=200)
    for code, start in (
        ("V-2", datetime(2025, 10, 1, 1, tzinfo=UTC)),
        ("V-1", datetime(2025, 3, 31, 23, tzinfo=UTC)),
    ):
        b = tsvc.create_booking(
            session,
            code=code,
            group_name=f"視察{code}",
            visitor_type=VisitorType.DELEGATION,
            headcount=5,
            status=BookingStatus.CONFIRMED,
            project_id=p.id,
        )
        for day in (0, 1):  # two days: a part lasts at most 24 hours
            tsvc.add_segment(
                session,
                booking_id=b.id,
                facility_id=fac.id,
                starts_at=start + timedelta(days=day),
                ends_at=start + timedelta(days=day, hours=2),
                override_reason="test data",
            )
    tsvc.create_booking(
        session,
        code="V-0",
        group_name="日程未定",
        visitor_type=VisitorType.DELEGATION,
        headcount=3,
        project_id=p.id,
    )
    session.commit()
    project_id = p.id
    session.expire_all()
    today = date(2025, 10, 11)

    with statements(session) as seen:
        d = projects.project_detail(session, project_id, today=today)
    assert len(seen) == 1, "\n\n".join(seen)
    f = d.project
    assert (f.id, f.code, f.title_ja, f.country, f.state) == (
        project_id,
        "KB-1",
        "漏水対策",
        "LA",
        ProjectState.SUSPENDED,
    )
    assert (f.scheme_ja, f.scheme_en) == (scheme.name_ja, scheme.name_en)
    assert (f.stage_ja, f.stage_en) == (fs.name_ja, fs.name_en)
    assert (f.counterpart_ja, f.counterpart_en) == ("ラオス水道公社", "Nam Papa")
    assert (f.lead_ja, f.lead_en) == ("川崎 太郎", "川崎 太郎")

    assert d.history == tuple(projects.stage_history(session, p.id, today=today))
    assert [(h.to_stage_ja, h.days, h.backward, h.state) for h in d.history] == [
        (needs_.name_ja, 61, False, ProjectState.ACTIVE),
        (impl.name_ja, 30, False, ProjectState.ACTIVE),
        (fs.name_ja, 62, True, ProjectState.ACTIVE),
        (fs.name_ja, 40, False, ProjectState.SUSPENDED),
    ]
    assert d.days_in_current_stage(today) == projects.days_in_current_stage(session, p.id, today=today) == 40
    orm = session.get(Project, p.id)
    assert orm is not None
    assert [(x.id, x.role, x.name_ja, x.name_en, x.note) for x in d.participants] == [
        (x.id, x.role, x.organization.name_ja, x.organization.name_en, x.note)
        for x in sorted(orm.participants, key=lambda x: (x.role, x.id))
    ]
    assert [x.role for x in d.participants] == [1, 1, 4]
    assert d.sdg_targets == ("6.1", "6.4")
    assert d.sectors == (("14021", None), ("14030", 60))
    assert d.dispatches == tuple(projects.linked_dispatches(session, p.id))
    assert [x.code for x in d.dispatches] == ["D-1", "D-2"]
    # visits by their first day (V-1: 08:00 JST on April 1), the one without a segment last
    assert [(x.code, x.first_day, x.last_day) for x in d.visits] == [
        ("V-1", date(2025, 4, 1), date(2025, 4, 2)),
        ("V-2", date(2025, 10, 1), date(2025, 10, 2)),
        ("V-0", None, None),
    ]
    by_code = {x.code: x for x in projects.linked_visits(session, p.id)}
    assert all(x == by_code[x.code] for x in d.visits)


def test_detail_of_a_bare_project(session: Session) -> None:
    scheme = projects.create_scheme(session, code="S", name_ja="スキーム")
    p = projects.create_project(session, code="P", title_ja="空", scheme_id=scheme.id)
    session.commit()
    d = projects.project_detail(session, p.id, today=date(2025, 1, 1))
    assert (d.project.code, d.participants, d.history, d.dispatches, d.visits) == ("P", (), (), (), ())
    assert (d.project.stage_ja, d.project.counterpart_ja, d.project.lead_ja, d.project.budget_yen) == (
        None,
        None,
        "",
        None,
    )
    with pytest.raises(NotFoundError):
        projects.project_detail(session, p.id + 1000, today=date(2025, 1, 1))
    assert d.days_in_current_stage(date(2025, 1, 1)) is None


def test_detail_statement_is_built_once_and_binds_each_project(session: Session) -> None:
    """project_detail keeps one statement per process with the project id bound per call: alternating projects
    each get their own rows (and a missing one is still not found)."""
    scheme = projects.create_scheme(session, code="S", name_ja="スキーム")
    first = projects.create_project(session, code="P1", title_ja="一", scheme_id=scheme.id)
    second = projects.create_project(session, code="P2", title_ja="二", scheme_id=scheme.id, budget_yen=5)
    session.commit()
    today = date(2025, 1, 1)
    for project, code, budget in ((first, "P1", None), (second, "P2", 5), (first, "P1", None)):
        d = projects.project_detail(session, project.id, today=today)
        assert (d.project.id, d.project.code, d.project.budget_yen) == (project.id, code, budget)
    with pytest.raises(NotFoundError):
        projects.project_detail(session, second.id + 1000, today=today)


@pytest.mark.parametrize("limit", [3, 60])
def test_tab_start_is_the_choices_and_the_first_page_in_one_statement(session: Session, limit: int) -> None:
    load_demo(session, scale=0)
    session.commit()
    scheme = projects.list_schemes(session)[0]
    for filters in (
        projects.ProjectFilter(),
        projects.ProjectFilter(country="LA"),
        projects.ProjectFilter(fiscal_year=2018, text="MaWaSU"),
        projects.ProjectFilter(scheme_id=scheme.id),
    ):
        with statements(session) as seen:
            choices, rows = projects.projects_tab_start(session, filters, limit)
        assert len(seen) == 1
        assert choices == projects.project_choices(session)
        assert rows == projects.list_projects(session, filters, limit=limit)
    _choices, rows = projects.projects_tab_start(session, projects.ProjectFilter(), 60)
    assert len(rows) > 3 and any(r.sdg_targets for r in rows) and any(r.entered_on for r in rows)


def test_tab_open_brings_the_first_projects_detail_in_the_same_statement(session: Session) -> None:
    load_demo(session, scale=0)
    session.commit()
    today = date(2025, 6, 1)
    for filters in (projects.ProjectFilter(), projects.ProjectFilter(country="LA")):
        with statements(session) as seen:
            opening = projects.projects_tab_open(session, filters, 5, today=today)
        assert len(seen) == 1
        assert (opening.choices, opening.rows) == projects.projects_tab_start(session, filters, 5)
        assert opening.rows and opening.first_detail is not None
        assert opening.first_detail == projects.project_detail(session, opening.rows[0].id, today=today)
    nothing = projects.projects_tab_open(
        session, projects.ProjectFilter(text="no-such-project"), 5, today=today
    )
    assert nothing.rows == [] and nothing.first_detail is None
    assert nothing.choices == projects.project_choices(session)
