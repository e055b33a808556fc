"""Read-only listings for the tabs and the CLI: order, paging, joined details, constant query count."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

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
from kawaoffice.services import overview
from tests.statements import recorded_statements

JST = timezone(timedelta(hours=9))


def populate(session: Session) -> None:
    membrane = Technology(code="membrane", name_ja="膜ろ過", name_en="Membrane filtration")
    leak = Technology(code="leak", name_ja="漏水探知", name_en="Leak detection")
    # inserted out of kana order on purpose
    sanki = Organization(
        kind=OrganizationKind.MEMBER,
        name_ja="三機工業",
        name_kana="サンキコウギョウ",
        name_en="Sanki Engineering",
        country="JP",
    )
    aqua = Organization(
        kind=OrganizationKind.MEMBER,
        name_ja="アクア技研",
        name_kana="アクアギケン",
        name_en="Aqua Giken",
        country="JP",
    )
    nampapa = Organization(
        kind=OrganizationKind.COUNTERPART,
        name_ja="ナムパパ・ラオ",
        name_kana="ナムパパラオ",
        name_en="Nam Papa Lao",
        country="LA",
    )
    jica = Organization(
        kind=OrganizationKind.COOPERATING,
        name_ja="国際協力機構",
        name_kana="コクサイキョウリョクキコウ",
        name_en="JICA",
        country="JP",
    )
    session.add_all([membrane, leak, sanki, aqua, nampapa, jica])
    session.flush()
    sanki.memberships.append(Membership(status=MembershipStatus.ACTIVE, joined_on=date(2015, 4, 1)))
    aqua.memberships.append(
        Membership(status=MembershipStatus.ACTIVE, joined_on=date(2012, 4, 1), left_on=date(2016, 3, 31))
    )
    aqua.memberships.append(Membership(status=MembershipStatus.LEFT, joined_on=date(2016, 4, 1)))
    sanki.technologies.append(OrganizationTechnology(technology_id=membrane.id))
    sanki.technologies.append(OrganizationTechnology(technology_id=leak.id))

    scheme = Scheme(
        code="jica_tc", name_ja="技術協力プロジェクト", name_en="JICA technical cooperation project"
    )
    scheme.stages.append(
        SchemeStage(code="impl", name_ja="事業実施", name_en="Implementation", position=3, iati_status=2)
    )
    session.add(scheme)
    session.flush()
    session.add_all(
        [
            Project(
                code="P-002",
                title_ja="バンドン下水道実証",
                title_en="Bandung sewerage demonstration",
                scheme_id=scheme.id,
                state=ProjectState.COMPLETED,
                country="ID",
                start_on=date(2019, 4, 1),
                end_on=date(2020, 3, 31),
            ),
            Project(
                code="P-001",
                title_ja="ラオス MaWaSU2",
                title_en="Laos MaWaSU2",
                scheme_id=scheme.id,
                stage_id=scheme.stages[0].id,
                country="LA",
                start_on=date(2018, 4, 1),
            ),
        ]
    )

    yamada = Staff(staff_no="1001", family_name="山田", given_name="太郎", name_en="Taro Yamada")
    sato = Staff(staff_no="1002", family_name="佐藤", given_name="花子", name_en="Hanako Sato")
    tanaka = Contact(family_name="田中", given_name="一郎")
    session.add_all([yamada, sato, tanaka])
    session.flush()
    older = Dispatch(
        code="D-1",
        title="ラオス短期派遣",
        title_en="Laos short-term",
        purpose=DispatchPurpose.SHORT_TERM_EXPERT,
        status=DispatchStatus.COMPLETED,
        country="LA",
        city="Vientiane",
        timezone="Asia/Vientiane",
        departure_on=date(2025, 6, 1),
        return_on=date(2025, 6, 10),
    )
    newer = Dispatch(
        code="D-2",
        title="ベトナム調査",
        title_en="Viet Nam survey",
        purpose=DispatchPurpose.MISSION,
        status=DispatchStatus.PLANNED,
        country="VN",
        city="Hanoi",
        timezone="Asia/Ho_Chi_Minh",
        departure_on=date(2026, 2, 1),
        return_on=date(2026, 2, 5),
    )
    newer.members.append(DispatchMember(staff_id=sato.id, role=MemberRole.MEMBER))
    newer.members.append(DispatchMember(contact_id=tanaka.id, role=MemberRole.MEMBER))
    newer.members.append(DispatchMember(staff_id=yamada.id, role=MemberRole.LEADER))
    session.add_all([older, newer])

    nagasawa = Facility(
        code="nagasawa", name_ja="長沢浄水場", name_en="Nagasawa Water Purification Plant", capacity=80
    )
    iriezaki = Facility(
        code="iriezaki",
        name_ja="入江崎水処理センター",
        name_en="Iriezaki Wastewater Treatment Center",
        capacity=60,
    )
    session.add_all([nagasawa, iriezaki])
    session.flush()
    # 2026-05-12 00:30 JST is still 11 May in UTC: the visit date must be the local date.
    two_sites = Booking(
        code="B-1",
        group_name="JICA研修員（上水道）",
        group_name_en="JICA trainees (water supply)",
        visitor_type=VisitorType.JICA_TRAINEES,
        country="LA",
        headcount=12,
        status=BookingStatus.CONFIRMED,
    )
    two_sites.segments.append(
        BookingSegment(
            facility_id=iriezaki.id,
            starts_at=datetime(2026, 5, 12, 13, 0, tzinfo=JST),
            ends_at=datetime(2026, 5, 12, 15, 0, tzinfo=JST),
        )
    )
    two_sites.segments.append(
        BookingSegment(
            facility_id=nagasawa.id,
            starts_at=datetime(2026, 5, 12, 0, 30, tzinfo=JST),
            ends_at=datetime(2026, 5, 12, 11, 0, tzinfo=JST),
        )
    )
    earlier = Booking(
        code="B-2",
        group_name="ベトナム視察団",
        group_name_en="Viet Nam delegation",
        visitor_type=VisitorType.DELEGATION,
        country="VN",
        headcount=8,
        status=BookingStatus.COMPLETED,
    )
    earlier.segments.append(
        BookingSegment(
            facility_id=nagasawa.id,
            starts_at=datetime(2025, 11, 4, 1, 0, tzinfo=UTC),
            ends_at=datetime(2025, 11, 4, 3, 0, tzinfo=UTC),
        )
    )
    unplanned = Booking(
        code="B-3", group_name="学生", visitor_type=VisitorType.STUDENTS, country="JP", headcount=30
    )
    session.add_all([two_sites, earlier, unplanned])
    session.commit()


@pytest.fixture
def populated(session: Session) -> Session:
    populate(session)
    session.expire_all()
    return session


@contextmanager
def count_queries(engine: Engine) -> Iterator[list[str]]:
    """The SELECT statements sent inside the block (the list is complete when the block ends)."""
    with recorded_statements(engine) as sent:
        yield sent
    sent[:] = [statement for statement in sent if statement.lstrip().upper().startswith("SELECT")]


def test_partners_sorted_by_kana_with_membership_and_technologies(populated: Session) -> None:
    rows = overview.list_partners(populated)
    assert [r.name_ja for r in rows] == ["アクア技研", "国際協力機構", "三機工業", "ナムパパ・ラオ"]
    by_name = {r.name_ja: r for r in rows}
    assert by_name["三機工業"].member_status is MembershipStatus.ACTIVE
    assert by_name["アクア技研"].member_status is MembershipStatus.LEFT  # the latest period wins
    assert by_name["国際協力機構"].member_status is None
    assert sorted(by_name["三機工業"].technologies) == ["漏水探知", "膜ろ過"]
    assert by_name["ナムパパ・ラオ"].technologies == ()
    assert by_name["ナムパパ・ラオ"].kind is OrganizationKind.COUNTERPART
    assert by_name["ナムパパ・ラオ"].country == "LA"
    assert by_name["ナムパパ・ラオ"].name_en == "Nam Papa Lao"


def test_paging_returns_consecutive_slices(populated: Session) -> None:
    everything = overview.list_partners(populated)
    pages = [overview.list_partners(populated, offset=o, limit=2) for o in (0, 2, 4)]
    assert [r.id for p in pages for r in p] == [r.id for r in everything]
    assert pages[2] == []
    assert len(overview.list_visits(populated, offset=1, limit=1)) == 1


def test_projects_by_code_with_scheme_and_stage(populated: Session) -> None:
    rows = overview.list_projects(populated)
    assert [r.code for r in rows] == ["P-001", "P-002"]
    first, second = rows
    assert first.scheme_ja == "技術協力プロジェクト"
    assert first.scheme_en == "JICA technical cooperation project"
    assert (first.stage_ja, first.stage_en) == ("事業実施", "Implementation")
    assert first.state is ProjectState.ACTIVE
    assert first.start_on == date(2018, 4, 1) and first.end_on is None
    assert second.stage_ja is None and second.stage_en is None
    assert second.state is ProjectState.COMPLETED
    assert second.country == "ID"


def test_dispatches_latest_first_with_leader_first(populated: Session) -> None:
    rows = overview.list_dispatches(populated)
    assert [r.code for r in rows] == ["D-2", "D-1"]
    assert rows[0].members == ("山田 太郎", "佐藤 花子", "田中 一郎")
    assert rows[0].purpose is DispatchPurpose.MISSION
    assert rows[0].status is DispatchStatus.PLANNED
    assert (rows[0].country, rows[0].city) == ("VN", "Hanoi")
    assert rows[0].departure_on == date(2026, 2, 1)
    assert rows[1].members == ()


def test_visits_latest_first_with_local_date_and_facilities(populated: Session) -> None:
    rows = overview.list_visits(populated)
    assert [r.code for r in rows] == ["B-1", "B-2", "B-3"]
    first = rows[0]
    assert first.visit_date == date(2026, 5, 12)
    assert first.facilities_ja == ("長沢浄水場", "入江崎水処理センター")
    assert first.facilities_en == (
        "Nagasawa Water Purification Plant",
        "Iriezaki Wastewater Treatment Center",
    )
    assert first.visitor_type is VisitorType.JICA_TRAINEES
    assert first.status is BookingStatus.CONFIRMED
    assert first.headcount == 12
    assert rows[2].visit_date is None and rows[2].facilities_ja == ()
    assert rows[2].status is BookingStatus.REQUESTED


def test_record_counts(populated: Session) -> None:
    assert overview.record_counts(populated) == {
        "partners": 4,
        "contacts": 1,
        "projects": 2,
        "dispatches": 2,
        "visits": 3,
        "staff": 2,
    }


def test_empty_database(session: Session) -> None:
    assert overview.list_partners(session) == []
    assert overview.list_projects(session) == []
    assert overview.list_dispatches(session) == []
    assert overview.list_visits(session) == []
    assert set(overview.record_counts(session).values()) == {0}


def test_query_count_does_not_grow_with_rows(populated: Session, engine: Engine) -> None:
    listings = [
        overview.list_partners,
        overview.list_projects,
        overview.list_dispatches,
        overview.list_visits,
    ]
    for listing in listings:
        with count_queries(engine) as one_row:
            assert len(listing(populated, limit=1)) == 1
        with count_queries(engine) as all_rows:
            assert len(listing(populated)) >= 2
        assert len(all_rows) == len(one_row) <= 3, listing.__name__
