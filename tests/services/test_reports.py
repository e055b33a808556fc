"""The managers' report figures (services/reports.py) on SQLite and PostgreSQL.

Every figure is checked twice: against numbers worked out by hand for a small data set built on the fiscal-year
boundaries (March 31 / April 1 in Japan, a visit whose first segment is before 09:00 JST and so still on March 31
in UTC), and against the same figures computed here straight from the tables with independent queries.
"""

from __future__ import annotations

import gc
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kawaoffice.model.dispatch import Dispatch, DispatchMember, DispatchPurpose, DispatchStatus, LegKind
from kawaoffice.model.partners import Employment, Organization, OrganizationKind
from kawaoffice.model.projects import LocalNeed, ProjectParticipant, ProjectState, StageEvent
from kawaoffice.model.tours import (
    Booking,
    BookingPresenter,
    BookingSegment,
    BookingStatus,
    Facility,
    VisitorType,
)
from kawaoffice.services import dispatch as dsvc
from kawaoffice.services import partners as psvc
from kawaoffice.services import projects as prsvc
from kawaoffice.services import reports as reports_svc
from kawaoffice.services import tours as tsvc
from kawaoffice.services.demo import load_demo
from kawaoffice.services.reports import AnnualReport, annual_report, collections_paused, report_years

JST = ZoneInfo("Asia/Tokyo")
COUNTED_BOOKINGS = ("confirmed", "completed")
COUNTED_DISPATCHES = ("confirmed", "completed")


def jst(y: int, m: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=JST)


@dataclass
class Sample:
    member_id: int
    other_member_id: int
    project_id: int


def build(session: Session) -> Sample:
    fac = tsvc.create_facility(session, code="NAGASAWA", name_ja="長沢浄水場", capacity=200)

    def visit(
        code: str,
        vtype: VisitorType,
        headcount: int,
        status: BookingStatus,
        starts: list[datetime],
        **values: object,
    ) -> int:
        b = tsvc.create_booking(
            session,
            code=code,
            group_name=code,
            visitor_type=vtype,
            headcount=headcount,
            status=status,
            **values,
        )
        for start in starts:
            tsvc.add_segment(
                session,
                booking_id=b.id,
                facility_id=fac.id,
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                override_reason="test data",
            )
        return b.id

    # FY2024: two segments on March 31 (one group, 5 people, not 10)
    visit(
        "V1",
        VisitorType.JICA_TRAINEES,
        5,
        BookingStatus.CONFIRMED,
        [jst(2025, 3, 31, 10), jst(2025, 3, 31, 14)],
        countries={"LA": 3, "VN": 2},
    )
    # FY2025: April 1 at 08:30 JST is still March 31 in UTC
    b2 = visit(
        "V2", VisitorType.DELEGATION, 8, BookingStatus.COMPLETED, [jst(2025, 4, 1, 8, 30)], country="ID"
    )
    # FY2025: starts on the last day of the year, goes on the next day (one group, counted once, in FY2025)
    visit(
        "V3",
        VisitorType.OFFICIALS,
        4,
        BookingStatus.COMPLETED,
        [jst(2026, 3, 31, 16), jst(2026, 4, 1, 10)],
        country="LA",
    )
    b4 = visit("V4", VisitorType.DELEGATION, 10, BookingStatus.CANCELLED, [jst(2025, 6, 1, 10)], country="VN")
    visit("V5", VisitorType.STUDENTS, 20, BookingStatus.REQUESTED, [jst(2025, 7, 1, 10)], country="VN")
    visit("V6", VisitorType.STUDENTS, 30, BookingStatus.CONFIRMED, [jst(2025, 9, 1, 10)], country="JP")
    # FY2026 (first segment on April 1 at 09:00 JST = 00:00 UTC)
    visit("V7", VisitorType.JICA_TRAINEES, 6, BookingStatus.CONFIRMED, [jst(2026, 4, 1, 9)], country="KH")

    member = psvc.create_organization(
        session,
        kind=OrganizationKind.MEMBER,
        name_ja="川崎水道テクノ株式会社",
        name_kana="カワサキスイドウテクノ",
    )
    other = psvc.create_organization(
        session,
        kind=OrganizationKind.MEMBER,
        name_ja="多摩川メンブレン工業株式会社",
        name_kana="タマガワメンブレン",
    )
    jica = psvc.create_organization(session, kind=OrganizationKind.COOPERATING, name_ja="JICA")
    engineer = psvc.create_contact(session, family_name="山田", given_name="太郎")
    psvc.create_employment(
        session, contact_id=engineer.id, organization_id=member.id, started_on=date(2020, 4, 1)
    )
    moved = psvc.create_contact(session, family_name="佐藤", given_name="花子")
    # worked for the other member until March 2025, then for JICA
    psvc.create_employment(
        session,
        contact_id=moved.id,
        organization_id=other.id,
        started_on=date(2019, 4, 1),
        ended_on=date(2025, 3, 31),
    )
    psvc.create_employment(session, contact_id=moved.id, organization_id=jica.id, started_on=date(2025, 4, 1))

    tsvc.add_presenter(session, booking_id=b2, organization_id=member.id, topic="漏水探知")
    tsvc.add_presenter(session, booking_id=b4, organization_id=other.id)  # cancelled visit: not counted

    staff = [dsvc.create_staff(session, staff_no=f"S{i}", family_name=f"職員{i}") for i in range(3)]

    def dispatch(
        code: str, country: str, dep: date, ret: date, status: DispatchStatus, staff_idx: list[int]
    ) -> int:
        d = dsvc.create_dispatch(
            session,
            code=code,
            title=code,
            purpose=DispatchPurpose.SHORT_TERM_EXPERT,
            country=country,
            timezone="Asia/Vientiane",
            departure_on=dep,
            return_on=ret,
            status=status,
        )
        for i in staff_idx:
            dsvc.add_dispatch_member(session, dispatch_id=d.id, staff_id=staff[i].id, override_reason="test")
        return d.id

    # FY2024 departure, 7 days in FY2024 and 5 in FY2025 for each of two people
    dispatch("D1", "LA", date(2025, 3, 25), date(2025, 4, 5), DispatchStatus.COMPLETED, [0, 1])
    d2 = dispatch("D2", "LA", date(2025, 4, 1), date(2025, 4, 10), DispatchStatus.CONFIRMED, [0])
    dsvc.add_dispatch_member(session, dispatch_id=d2, contact_id=engineer.id)  # member company's engineer
    # at JICA by then: not the member's
    dsvc.add_dispatch_member(session, dispatch_id=d2, contact_id=moved.id)
    # an itinerary of three legs: people are counted per dispatch, never per leg
    ict = ZoneInfo("Asia/Vientiane")
    for kind, start, end in [
        (LegKind.FLIGHT, jst(2025, 4, 1, 10, 30), datetime(2025, 4, 1, 14, 45, tzinfo=ict)),
        (LegKind.HOTEL, datetime(2025, 4, 1, 16, tzinfo=ict), datetime(2025, 4, 10, 9, tzinfo=ict)),
        (LegKind.FLIGHT, datetime(2025, 4, 10, 10, tzinfo=ict), jst(2025, 4, 10, 17)),
    ]:
        dsvc.add_leg(
            session,
            dispatch_id=d2,
            kind=kind,
            starts_at=start,
            start_tz=str(start.tzinfo),
            ends_at=end,
            end_tz=str(end.tzinfo),
        )
    dispatch(
        "D3", "ID", date(2026, 3, 31), date(2026, 4, 3), DispatchStatus.COMPLETED, [2]
    )  # 1 day in FY2025
    dispatch("D4", "VN", date(2025, 5, 1), date(2025, 5, 5), DispatchStatus.TENTATIVE, [1])  # not counted
    dispatch("D5", "LA", date(2025, 8, 1), date(2025, 8, 3), DispatchStatus.COMPLETED, [1])

    scheme = prsvc.create_scheme(
        session, code="TCP", name_ja="技術協力プロジェクト", name_en="Technical cooperation"
    )
    stages = [
        prsvc.create_scheme_stage(session, scheme_id=scheme.id, code=f"S{i}", name_ja=name, position=i)
        for i, name in enumerate(["要請", "実施", "評価"])
    ]
    p1 = prsvc.create_project(
        session, code="P1", title_ja="ラオス", scheme_id=scheme.id, country="LA", start_on=date(2024, 6, 1)
    )
    prsvc.move_project_stage(
        session, p1.id, p1.version, to_stage_id=stages[0].id, occurred_on=date(2024, 6, 1)
    )
    prsvc.move_project_stage(
        session, p1.id, p1.version, to_stage_id=stages[1].id, occurred_on=date(2025, 4, 1)
    )
    p2 = prsvc.create_project(session, code="P2", title_ja="終了済み", scheme_id=scheme.id, country="ID")
    prsvc.move_project_stage(
        session, p2.id, p2.version, to_stage_id=stages[2].id, occurred_on=date(2023, 5, 1)
    )
    prsvc.move_project_stage(
        session,
        p2.id,
        p2.version,
        to_stage_id=stages[2].id,
        occurred_on=date(2024, 3, 31),
        state=ProjectState.COMPLETED,
    )
    prsvc.add_participant(session, project_id=p1.id, organization_id=member.id, role=4)
    prsvc.add_participant(
        session, project_id=p1.id, organization_id=member.id, role=1
    )  # two roles, one project
    prsvc.add_participant(session, project_id=p2.id, organization_id=other.id, role=4)  # ended before FY2025

    prsvc.create_local_need(
        session, country="LA", topic="漏水対策", learned_on=date(2025, 5, 1), passed_on=date(2025, 6, 1)
    )
    prsvc.create_local_need(
        session, country="ID", topic="汚泥", learned_on=date(2025, 2, 1), passed_on=date(2025, 4, 10)
    )
    prsvc.create_local_need(session, country="LA", topic="水質", learned_on=date(2026, 3, 31))
    session.commit()
    return Sample(member.id, other.id, p1.id)


# ---------------------------------------------------------------------------------------------------------------
# Independent figures straight from the tables
# ---------------------------------------------------------------------------------------------------------------


def fy_of(d: date) -> int:
    return d.year if d.month >= 4 else d.year - 1


def in_period(d: date, fiscal_year: int | None) -> bool:
    return fiscal_year is None or fy_of(d) == fiscal_year


def direct_visits(session: Session, fiscal_year: int | None) -> dict[str, object]:
    first = dict(
        session.execute(
            select(BookingSegment.booking_id, func.min(BookingSegment.starts_at)).group_by(
                BookingSegment.booking_id
            )
        ).all()
    )
    zones = dict(session.execute(select(BookingSegment.booking_id, Facility.timezone).join(Facility)).all())
    visitors = groups = 0
    by_country: Counter[str] = Counter()
    by_type: Counter[str] = Counter()
    ids = set()
    for b in session.scalars(select(Booking).where(Booking.status.in_(COUNTED_BOOKINGS))):
        start = first.get(b.id)
        if start is None:
            continue
        if start.tzinfo is None:  # SQLite hands aggregates back naive (UTC)
            start = start.replace(tzinfo=ZoneInfo("UTC"))
        if not in_period(start.astimezone(ZoneInfo(zones[b.id])).date(), fiscal_year):
            continue
        ids.add(b.id)
        visitors += b.headcount
        groups += 1
        by_type[b.visitor_type.value] += b.headcount
        for code, n in (b.countries or {b.country: b.headcount}).items():
            by_country[code] += n
    return {"visitors": visitors, "groups": groups, "by_country": by_country, "by_type": by_type, "ids": ids}


def direct_dispatches(session: Session, fiscal_year: int | None) -> dict[str, object]:
    rows = session.execute(
        select(
            Dispatch.id,
            Dispatch.country,
            Dispatch.departure_on,
            Dispatch.return_on,
            DispatchMember.staff_id,
            DispatchMember.contact_id,
        )
        .join(DispatchMember, DispatchMember.dispatch_id == Dispatch.id)
        .where(Dispatch.status.in_(COUNTED_DISPATCHES))
    ).all()
    trips: Counter[str] = Counter()
    days: Counter[str] = Counter()
    people: set[tuple[object, object]] = set()
    dispatch_ids: set[int] = set()
    for did, country, dep, ret, staff_id, contact_id in rows:
        if in_period(dep, fiscal_year):
            trips[country] += 1
            people.add((staff_id, contact_id))
            dispatch_ids.add(did)
        day = dep
        while day <= ret:
            if fiscal_year is None or fy_of(day) == fiscal_year:
                days[country] += 1
            day += timedelta(days=1)
    return {
        "trips": trips,
        "days": +days,
        "experts": len(people),
        "dispatches": len(dispatch_ids),
        "countries": len(trips),
    }


def assert_matches_database(session: Session, report: AnnualReport) -> None:
    fy = report.fiscal_year
    v = direct_visits(session, fy)
    assert (report.visitors, report.groups) == (v["visitors"], v["groups"])
    assert {c.country: c.visitors for c in report.countries if c.visitors} == dict(v["by_country"])  # type: ignore[call-overload]
    assert {t.visitor_type.value: t.visitors for t in report.visitor_types} == dict(v["by_type"])  # type: ignore[call-overload]
    assert report.visitor_countries == len(set(v["by_country"]) - {"", "JP"})  # type: ignore[call-overload]
    assert {r.id for r in report.visits} == (v["ids"] if fy is not None else set())
    d = direct_dispatches(session, fy)
    assert {c.country: c.person_trips for c in report.countries if c.person_trips} == dict(d["trips"])  # type: ignore[call-overload]
    assert {c.country: c.person_days for c in report.countries if c.person_days} == dict(d["days"])  # type: ignore[call-overload]
    assert report.person_trips == sum(d["trips"].values())  # type: ignore[attr-defined]
    assert report.person_days == sum(d["days"].values())  # type: ignore[attr-defined]
    assert (report.experts, report.dispatches, report.dispatch_countries) == (
        d["experts"],
        d["dispatches"],
        d["countries"],
    )
    if fy is not None:
        first, last = date(fy, 4, 1), date(fy + 1, 3, 31)
        learned = session.scalar(
            select(func.count()).where(LocalNeed.learned_on >= first, LocalNeed.learned_on <= last)
        )
        passed = session.scalar(
            select(func.count()).where(LocalNeed.passed_on >= first, LocalNeed.passed_on <= last)
        )
        changes = session.scalar(
            select(func.count()).where(StageEvent.occurred_on >= first, StageEvent.occurred_on <= last)
        )
        assert (report.needs.recorded, report.needs.passed_on, len(report.stage_changes)) == (
            learned,
            passed,
            changes,
        )
        # presentations of member companies to counted visits of the year
        presented: Counter[int] = Counter()
        for booking_id, org_id in session.execute(
            select(BookingPresenter.booking_id, BookingPresenter.organization_id)
            .join(Organization, Organization.id == BookingPresenter.organization_id)
            .where(Organization.kind == OrganizationKind.MEMBER)
        ):
            if booking_id in v["ids"]:  # type: ignore[operator]
                presented[org_id] += 1
        assert {m.organization_id: m.presentations for m in report.members if m.presentations} == dict(
            presented
        )
        # member companies' people on counted dispatches departing in the year, employed there at departure
        missions: dict[int, set[int]] = defaultdict(set)
        for did, dep, org_id, started, ended in session.execute(
            select(
                Dispatch.id,
                Dispatch.departure_on,
                Employment.organization_id,
                Employment.started_on,
                Employment.ended_on,
            )
            .join(DispatchMember, DispatchMember.dispatch_id == Dispatch.id)
            .join(Employment, Employment.contact_id == DispatchMember.contact_id)
            .join(Organization, Organization.id == Employment.organization_id)
            .where(Organization.kind == OrganizationKind.MEMBER, Dispatch.status.in_(COUNTED_DISPATCHES))
        ):
            if (
                first <= dep <= last
                and (started is None or started <= dep)
                and (ended is None or dep <= ended)
            ):
                missions[org_id].add(did)
        assert {m.organization_id: m.missions for m in report.members if m.missions} == {
            k: len(s) for k, s in missions.items()
        }


# ---------------------------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------------------------


def test_fiscal_year_2025_by_hand(session: Session) -> None:
    sample = build(session)
    r = annual_report(session, 2025, today=date(2026, 5, 1))
    assert (r.first_day, r.last_day) == (date(2025, 4, 1), date(2026, 3, 31))
    # V2 (8, 08:30 JST on April 1), V3 (4, March 31 + April 1: once), V6 (30, Japan); not V4/V5 (not counted)
    assert (r.visitors, r.groups, r.trainees) == (42, 3, 0)
    assert r.visitor_countries == 2  # ID and LA; Japan is not counted as a country visitors came from
    assert [(t.visitor_type, t.visitors, t.groups) for t in r.visitor_types] == [
        (VisitorType.STUDENTS, 30, 1),
        (VisitorType.DELEGATION, 8, 1),
        (VisitorType.OFFICIALS, 4, 1),
    ]
    # D2 (staff 0 + two contacts = 3 trips), D5 (staff 1), D3 (staff 2, departs March 31 2026)
    assert (r.dispatches, r.person_trips, r.experts, r.dispatch_countries) == (3, 5, 5, 2)
    la = next(c for c in r.countries if c.country == "LA")
    # days in FY2025: D1 5 days x 2 people + D2 10 x 3 + D5 3 x 1
    assert (la.visitors, la.groups, la.dispatches, la.person_trips, la.experts, la.person_days) == (
        4,
        1,
        2,
        4,
        4,
        43,
    )
    idn = next(c for c in r.countries if c.country == "ID")
    assert (idn.visitors, idn.person_trips, idn.person_days) == (8, 1, 1)
    # most people exchanged first (ID 8 + 1, LA 4 + 4), Japan's own visitors last
    assert [c.country for c in r.countries] == ["ID", "LA", "JP"]
    assert [v.code for v in r.visits] == ["V2", "V6", "V3"]
    assert [r.visit_countries[v.id] for v in r.visits] == [("ID",), ("JP",), ("LA",)]
    assert [d.code for d in r.dispatch_list] == ["D1", "D2", "D5", "D3"]  # abroad during the year
    # projects: P1 moved into 実施 on April 1; P2 ended in FY2023 and is not in the year
    assert [p.code for p in r.projects] == ["P1"]
    assert [(s.code, s.projects, s.active, s.stage_changes) for s in r.schemes] == [("TCP", 1, 1, 1)]
    assert [(st.name_ja, st.projects) for st in r.schemes[0].stages] == [("実施", 1)]
    # members: the engineer's company on D2 and at V2's presentation and in P1 (two roles = one project)
    assert [(m.organization_id, m.projects, m.missions, m.presentations) for m in r.members] == [
        (sample.member_id, 1, 1, 1)
    ]
    # needs: learnt 2025-05-01 (passed on) and 2026-03-31 (not yet); the February one was passed on in April
    assert (r.needs.recorded, r.needs.recorded_passed_on, r.needs.passed_on) == (2, 1, 2)
    assert r.needs.by_country == (("LA", 2),)
    assert_matches_database(session, r)


def test_fiscal_year_2024_gets_the_march_31_visit_and_departure(session: Session) -> None:
    sample = build(session)
    r = annual_report(session, 2024, today=date(2026, 5, 1))
    assert (r.visitors, r.groups, r.trainees, r.visitor_countries) == (5, 1, 5, 2)
    assert [(v.code, r.visit_countries[v.id]) for v in r.visits] == [
        ("V1", ("LA", "VN"))
    ]  # the course's trainees
    assert {c.country: c.visitors for c in r.countries if c.visitors} == {"LA": 3, "VN": 2}
    assert (r.dispatches, r.person_trips, r.experts, r.person_days) == (1, 2, 2, 14)
    # P2 was completed on March 31 2024, the last day of FY2023: not in FY2024
    assert [p.code for p in r.projects] == ["P1"]
    # the other member's person left it on March 31 2025, before D2 left: only P1's participant counts
    assert [(m.organization_id, m.projects, m.missions, m.presentations) for m in r.members] == [
        (sample.member_id, 1, 0, 0)
    ]
    fy2023 = annual_report(session, 2023, today=date(2026, 5, 1))
    assert [(p.code, p.state) for p in fy2023.projects] == [("P2", ProjectState.COMPLETED)]
    assert [m.organization_id for m in fy2023.members] == [sample.other_member_id]
    assert_matches_database(session, r)


def test_since_the_beginning(session: Session) -> None:
    build(session)
    r = annual_report(session, None, today=date(2026, 5, 1))
    assert (r.fiscal_year, r.first_day, r.last_day) == (None, None, None)
    assert (r.visitors, r.groups) == (5 + 42 + 6, 5)
    assert r.visitor_countries == 4  # LA VN ID KH
    assert (r.person_trips, r.experts, r.dispatches) == (2 + 5, 5, 4)
    assert [(y.fiscal_year, y.visitors, y.person_trips) for y in r.years] == [
        (2024, 5, 2),
        (2025, 42, 5),
        (2026, 6, 0),
    ]
    assert {p.code: p.state for p in r.projects} == {"P1": ProjectState.ACTIVE, "P2": ProjectState.COMPLETED}
    assert r.schemes[0].ended == 1 and len(r.stage_changes) == 4
    assert (r.needs.recorded, r.needs.passed_on) == (3, 2)
    la = next(c for c in r.countries if c.country == "LA")
    assert la.experts == 4  # staff 0, 1 and the two contacts, whatever the number of dispatches
    assert r.first_fiscal_year == 2023  # P2 entered its first stage in May 2023
    assert_matches_database(session, r)


def test_report_years_cover_the_records(session: Session) -> None:
    build(session)
    assert report_years(session, today=date(2026, 5, 1)) == [2026, 2025, 2024, 2023]
    assert report_years(session, today=date(2030, 5, 1))[0] == 2030


def test_empty_database(session: Session) -> None:
    r = annual_report(session, 2025, today=date(2025, 5, 1))
    assert (r.visitors, r.person_trips, r.projects, r.members, r.countries) == (0, 0, (), (), ())
    assert [y.fiscal_year for y in r.years] == [2025]
    assert report_years(session, today=date(2025, 5, 1)) == [2025]


@pytest.mark.parametrize("scale", [0, 1])
def test_demo_data_matches_the_database_every_year(session: Session, backend: str, scale: int) -> None:
    if scale and backend == "postgresql":
        pytest.skip("the generated volume is checked on SQLite (10 s on PostgreSQL for the same queries)")
    load_demo(session, scale=scale)
    session.commit()
    for fy in [None, *report_years(session)]:
        assert_matches_database(session, annual_report(session, fy))


def test_member_counts_ignore_a_second_role_and_other_kinds(session: Session) -> None:
    sample = build(session)
    extra = session.scalar(select(func.count()).select_from(ProjectParticipant))
    assert extra == 3
    r = annual_report(session, 2025)
    assert sum(m.projects for m in r.members) == 1
    assert sample.project_id in {p.id for p in r.projects}


def test_the_garbage_collector_is_paused_while_the_figures_are_computed(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No cyclic collection runs while the report is computed (a quarter of its CPU time at scale 100), even with
    a threshold that would collect every few allocations; the collector is as it was afterwards, also after an
    error, and a collector the caller switched off stays off."""
    build(session)
    runs: list[str] = []
    during: list[int] = []
    compute = reports_svc._annual_report

    def counted(*args: object, **kwargs: object) -> AnnualReport:
        before = len(runs)
        try:
            return compute(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            during.append(len(runs) - before)

    monkeypatch.setattr(reports_svc, "_annual_report", counted)

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            runs.append(phase)

    threshold = gc.get_threshold()
    gc.callbacks.append(seen)
    try:
        gc.set_threshold(5)
        assert gc.isenabled()
        report = annual_report(session, 2025, today=date(2026, 5, 1))
        assert during == [0] and gc.isenabled()
        assert report.visitors == 42  # the figures are still computed
        gc.disable()
        annual_report(session, None, today=date(2026, 5, 1))
        assert not gc.isenabled()
        gc.enable()
        with pytest.raises(ZeroDivisionError), collections_paused():
            assert not gc.isenabled()
            _ = 1 / 0
        assert gc.isenabled()
        [].append([])  # allocations: the collector runs again
        assert runs
    finally:
        gc.callbacks.remove(seen)
        gc.set_threshold(*threshold)
        gc.enable()
