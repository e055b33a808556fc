"""The dispatch dialog's lookups (projects as you type, active first; staff picks with a total; partners' people
with their current employer) and its one-statement read of a dispatch, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from kawaoffice.model.dispatch import DispatchPurpose, LanguageLevel, LegKind, MemberRole, Skill
from kawaoffice.model.partners import OrganizationKind
from kawaoffice.model.projects import ProjectState
from kawaoffice.services import dispatch as svc
from kawaoffice.services import partners, projects
from kawaoffice.services.dispatch import LegSpec, MemberSpec
from kawaoffice.services.errors import NotFoundError
from tests.statements import recorded_statements as statements


def _projects(session: Session) -> dict[str, int]:
    scheme = projects.create_scheme(session, code="TC", name_ja="技術協力プロジェクト")
    made = {}
    for code, title, state in (
        ("LA-2018-MAWASU2", "ラオス水道公社事業管理能力向上プロジェクト", ProjectState.ACTIVE),
        ("LA-2010-MAWASU1", "ラオス水道事業管理能力向上プロジェクト", ProjectState.COMPLETED),
        ("VN-2019-BRVT", "バリア・ブンタウ省上水道調査", ProjectState.ACTIVE),
        ("ZZ-100%-TEST", "百パーセント", ProjectState.CANCELLED),
    ):
        made[code] = projects.create_project(
            session, code=code, title_ja=title, title_en=f"{code} project", scheme_id=scheme.id, state=state
        ).id
    return made


def test_project_choices_active_first_text_and_limit(session: Session) -> None:
    made = _projects(session)
    codes = [p.code for p in svc.project_choices(session)]
    assert codes == ["LA-2018-MAWASU2", "VN-2019-BRVT", "LA-2010-MAWASU1", "ZZ-100%-TEST"]
    assert [p.active for p in svc.project_choices(session)] == [True, True, False, False]
    assert [p.code for p in svc.project_choices(session, "mawasu")] == ["LA-2018-MAWASU2", "LA-2010-MAWASU1"]
    assert [p.code for p in svc.project_choices(session, "ブンタウ")] == ["VN-2019-BRVT"]  # a title
    assert [p.code for p in svc.project_choices(session, "2019-brvt PROJ")] == [
        "VN-2019-BRVT"
    ]  # English title
    assert [p.code for p in svc.project_choices(session, "100%")] == ["ZZ-100%-TEST"]  # % is a character
    assert svc.project_choices(session, "0_-") == []  # and so is _ (a wildcard would match "0%-")
    assert len(svc.project_choices(session, limit=2)) == 2
    ended = svc.project_choice(session, made["LA-2010-MAWASU1"])
    assert ended is not None and (ended.code, ended.active) == ("LA-2010-MAWASU1", False)
    assert svc.project_choice(session, max(made.values()) + 100) is None


def _staff(session: Session) -> dict[str, int]:
    people = {}
    for no, family, kana, dept in (
        ("K1", "川崎", "カワサキ", "水道計画課"),
        ("K2", "多摩", "タマ", "下水道計画課"),
        ("K3", "麻生", "アソウ", "国際課"),
        ("K4", "高津", "タカツ", "国際課"),
    ):
        people[no] = svc.create_staff(
            session, staff_no=no, family_name=family, given_name="太郎", family_kana=kana, department=dept
        ).id
    svc.set_staff_language(session, people["K1"], "lo", LanguageLevel.BUSINESS)
    svc.set_staff_language(session, people["K2"], "lo", LanguageLevel.BASIC)
    svc.set_staff_language(session, people["K3"], "vi", LanguageLevel.FLUENT)
    svc.set_staff_skills(session, people["K2"], [Skill.SEWERAGE])
    svc.set_staff_skills(session, people["K4"], [Skill.SEWERAGE, Skill.NON_REVENUE_WATER])
    k4 = svc.get_staff(session, people["K4"])  # (version 2: its skills were set)
    svc.update_staff(session, k4.id, k4.version, active=False)
    return people


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"language": "lo"},
        {"language": "lo", "min_level": LanguageLevel.BUSINESS},
        {"skill": Skill.SEWERAGE},
        {"text": "国際"},
        {"text": "たま"},  # nothing: readings are stored in katakana
        {"text": "タマ"},
        {"text": "k3"},
    ],
)
def test_staff_picks_agree_with_the_staff_list(session: Session, filters: dict[str, object]) -> None:
    _staff(session)
    picks, total = svc.staff_picks(session, **filters)  # type: ignore[arg-type]
    listed = svc.list_staff(session, **filters)  # type: ignore[arg-type]
    assert [(p.id, p.name, p.department) for p in picks] == [(r.id, r.name, r.department) for r in listed]
    assert total == len(listed)


def test_staff_picks_limit_keeps_the_total(session: Session) -> None:
    people = _staff(session)
    picks, total = svc.staff_picks(session, limit=2)
    assert [p.id for p in picks] == [people["K3"], people["K1"]]  # アソウ, カワサキ (K4 is not active)
    assert total == 3
    with statements(session) as sent:
        svc.staff_picks(session, language="lo", skill=Skill.SEWERAGE, text="多摩", limit=2)
    assert len(sent) == 1


def test_contact_choices_show_the_current_employer(session: Session) -> None:
    old = partners.create_organization(session, kind=OrganizationKind.MEMBER, name_ja="旧社")
    new = partners.create_organization(session, kind=OrganizationKind.MEMBER, name_ja="新社")
    a = partners.create_contact(session, family_name="田中", given_name="一郎", family_kana="タナカ")
    b = partners.create_contact(session, family_name="鈴木", given_name="花子", family_kana="スズキ",
                                name_en="Hanako Suzuki")  # fmt: skip
    partners.create_employment(session, contact_id=a.id, organization_id=old.id, ended_on=date(2024, 3, 31))
    partners.create_employment(session, contact_id=a.id, organization_id=new.id, started_on=date(2024, 4, 1))
    partners.create_employment(session, contact_id=b.id, organization_id=old.id, ended_on=date(2020, 3, 31))
    with statements(session) as sent:
        found = svc.contact_choices(session)
    assert len(sent) == 1
    assert [(c.name, c.organization) for c in found] == [("鈴木 花子", ""), ("田中 一郎", "新社")]
    assert [c.id for c in svc.contact_choices(session, "hanako")] == [b.id]
    assert [c.id for c in svc.contact_choices(session, "タナ")] == [a.id]
    assert len(svc.contact_choices(session, limit=1)) == 1


def test_dispatch_for_edit_reads_everything_in_one_statement(
    session: Session, session_factory: Callable[[], Session]
) -> None:
    made = _projects(session)
    people = _staff(session)
    org = partners.create_organization(session, kind=OrganizationKind.MEMBER, name_ja="水道機工")
    contact = partners.create_contact(session, family_name="田中", given_name="一郎")
    partners.create_employment(session, contact_id=contact.id, organization_id=org.id)
    zone = ZoneInfo("Asia/Vientiane")
    d = svc.save_dispatch(
        session,
        None,
        None,
        {"code": "D-1", "title": "ラオス派遣", "purpose": DispatchPurpose.MISSION, "country": "LA",
         "timezone": "Asia/Vientiane", "departure_on": date(2026, 5, 10), "return_on": date(2026, 5, 20),
         "project_id": made["LA-2010-MAWASU1"]},
        [MemberSpec(staff_id=people["K1"], role=MemberRole.LEADER), MemberSpec(contact_id=contact.id)],
        [LegSpec(LegKind.FLIGHT, datetime(2026, 5, 10, 10, tzinfo=ZoneInfo("Asia/Tokyo")), "Asia/Tokyo",
                 datetime(2026, 5, 10, 15, tzinfo=zone), "Asia/Vientiane", "HND", "VTE"),
         LegSpec(LegKind.MEETING, datetime(2026, 5, 11, 9, tzinfo=zone), "Asia/Vientiane",
                 datetime(2026, 5, 11, 12, tzinfo=zone), "Asia/Vientiane", "Nam Papa Lao")],
    )  # fmt: skip
    session.commit()
    with session_factory() as fresh:
        with statements(fresh) as sent:
            loaded = svc.dispatch_for_edit(fresh, d.id)
            members = sorted((m.role, m.staff.family_name if m.staff else m.contact.family_name)  # type: ignore[union-attr]
                             for m in loaded.members)  # fmt: skip
            legs = [leg.origin for leg in sorted(loaded.legs, key=lambda lg: lg.starts_at)]
            project = loaded.project
        assert len(sent) == 1
        assert members == [(MemberRole.LEADER, "川崎"), (MemberRole.MEMBER, "田中")]
        assert legs == ["HND", "Nam Papa Lao"]
        assert project is not None and project.code == "LA-2010-MAWASU1"  # a completed project stays
        with pytest.raises(NotFoundError):
            svc.dispatch_for_edit(fresh, d.id + 1000)


def test_filter_choices_in_one_statement_agree(session: Session) -> None:
    assert svc.dispatch_filter_choices(session) == ([], [])
    for code, country, dep, ret in (
        ("D-1", "LA", date(2018, 4, 1), date(2018, 4, 9)),
        ("D-2", "ID", date(2019, 3, 25), date(2019, 4, 2)),  # returns in FY2019
        ("D-3", "LA", date(2016, 6, 1), date(2016, 6, 5)),
    ):
        svc.create_dispatch(session, code=code, title=code, purpose=DispatchPurpose.SURVEY, country=country,
                            timezone="Asia/Tokyo", departure_on=dep, return_on=ret)  # fmt: skip
    with statements(session) as sent:
        years, countries = svc.dispatch_filter_choices(session)
    assert len(sent) == 1
    assert years == svc.dispatch_fiscal_years(session) == [2019, 2018, 2017, 2016]
    assert countries == svc.dispatch_countries(session) == ["ID", "LA"]


def test_checks_of_the_members_in_one_statement_agree(session: Session) -> None:
    from kawaoffice.model.tours import VisitorType
    from kawaoffice.services import dispatch_checks as checks
    from kawaoffice.services import tours

    people = _staff(session)
    a, b = people["K1"], people["K2"]
    svc.update_staff(session, a, svc.get_staff(session, a).version, passport_expiry=date(2026, 10, 1))
    values = {"purpose": DispatchPurpose.SURVEY, "country": "LA", "timezone": "Asia/Vientiane"}
    for code, dep, ret in (
        ("D-X", date(2026, 5, 1), date(2026, 5, 12)),
        ("D-Y", date(2026, 5, 14), date(2026, 6, 1)),
    ):
        svc.save_dispatch(session, None, None, {"code": code, "title": code, "departure_on": dep, "return_on": ret,
                                                **values}, [MemberSpec(a), MemberSpec(b)], override_reason="test data")  # fmt: skip
    f = tours.create_facility(session, code="F", name_ja="長沢", capacity=50)
    visit = tours.create_booking(session, code="V-1", group_name="JICA", visitor_type=VisitorType.DELEGATION,
                                 headcount=5)  # fmt: skip
    for day in (12, 13):
        start = datetime(2026, 5, day, 10, tzinfo=ZoneInfo("Asia/Tokyo"))
        tours.add_segment(session, booking_id=visit.id, facility_id=f.id, starts_at=start,
                          ends_at=start.replace(hour=11), staff_ids=[b, a], override_reason="x")  # fmt: skip
    candidate = checks.DispatchCandidate(date(2026, 5, 10), date(2026, 5, 20), (a, b), None, country="LA")
    with statements(session) as sent:
        issues = checks.check_dispatch(session, candidate)
    assert len(sent) == 1
    expected = [m.issue() for m in checks.find_member_conflicts(session, candidate)]
    expected += checks.passport_issues(session, candidate) + checks.guide_issues(session, candidate)
    expected += checks.holiday_issues(candidate)
    assert [(i.kind, i.key, i.message, i.details) for i in issues] == [
        (i.kind, i.key, i.message, i.details) for i in expected
    ]
    assert [i.kind for i in issues if i.kind != checks.DESTINATION_HOLIDAY] == [
        checks.DISPATCH_OVERLAP, checks.DISPATCH_OVERLAP, checks.DISPATCH_OVERLAP, checks.DISPATCH_OVERLAP,
        checks.PASSPORT_EXPIRY, checks.GUIDE_DURING_DISPATCH, checks.GUIDE_DURING_DISPATCH,
    ]  # fmt: skip
    with statements(session) as sent:  # nothing to check on the members: no statement
        checks.check_dispatch(session, checks.DispatchCandidate(date(2026, 5, 10), date(2026, 5, 20), ()))
    assert sent == []


def test_percent_and_underscore_are_characters_in_every_dispatch_search(session: Session) -> None:
    _staff(session)
    partners.create_contact(session, family_name="田中", given_name="一郎", family_kana="タナカ")
    assert svc.staff_picks(session)[1] > 0 and svc.contact_choices(session)
    # as LIKE wildcards "%" and "_" would match every row; typed, they are looked for as they are
    for typed in ("%", "_"):
        assert svc.staff_picks(session, text=typed) == ([], 0)
        assert svc.list_staff(session, text=typed) == []
        assert svc.contact_choices(session, typed) == []
        assert svc.list_dispatches(session, text=typed) == []
