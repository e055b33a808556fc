"""The progress report read from plain columns (services/project_report.py), on SQLite and PostgreSQL:

- a small sample on the fiscal-year boundaries (March 31 / April 1, a visit starting at 08:30 JST which is still
  March 31 in UTC, a visit with several segments across the year end, a dispatch across the year end, a project
  with no stage events, one ended before the year) with every figure worked out by hand;
- ``progress_reports`` (one reading for several years, the "since the beginning" figures) gives exactly the
  reports of ``progress_report`` year by year, on the sample and on the demo data;
- the number of statements does not grow with the data or with the number of years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from kawaoffice.model.dispatch import DispatchPurpose, DispatchStatus
from kawaoffice.model.projects import ProjectState
from kawaoffice.model.tours import BookingStatus, VisitorType
from kawaoffice.services import dispatch as dsvc
from kawaoffice.services import projects as prsvc
from kawaoffice.services import tours as tsvc
from kawaoffice.services.demo import load_demo
from kawaoffice.services.project_report import (
    ProgressReport,
    ReportProject,
    progress_report,
    progress_reports,
)
from tests.statements import recorded_statements as _statements

JST = ZoneInfo("Asia/Tokyo")


def jst(y: int, m: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=JST)


@dataclass
class Sample:
    scheme_code: str
    staff_id: int


def build(session: Session, prefix: str = "") -> Sample:
    """Projects of one scheme with visits and dispatches on the FY2024/2025/2026 boundaries. ``prefix`` makes a
    second copy (to grow the data) possible."""
    fac = tsvc.create_facility(session, code=f"{prefix}FAC", name_ja=f"{prefix}長沢浄水場", capacity=200)
    scheme = prsvc.create_scheme(
        session, code=f"{prefix}TCP", name_ja=f"{prefix}技術協力", name_en=f"{prefix}Technical cooperation"
    )
    request, running, review = (
        prsvc.create_scheme_stage(
            session, scheme_id=scheme.id, code=f"S{i}", name_ja=ja, name_en=en, position=i
        )
        for i, (ja, en) in enumerate([("要請", "Request"), ("実施", ""), ("評価", "Review")])
    )
    lead = dsvc.create_staff(
        session, staff_no=f"{prefix}S1", family_name="川崎", given_name="花子", name_en="Hanako Kawasaki"
    )
    other = dsvc.create_staff(session, staff_no=f"{prefix}S2", family_name="多摩")

    # stage changes on March 31 and April 1 of both year ends; completed on the last day of FY2025
    moved = prsvc.create_project(
        session,
        code=f"{prefix}P-MOVED",
        title_ja="移行",
        scheme_id=scheme.id,
        country="LA",
        lead_staff_id=lead.id,
    )
    for day, stage, state in [
        (date(2025, 3, 31), request, ProjectState.ACTIVE),
        (date(2025, 4, 1), running, ProjectState.ACTIVE),
        (date(2026, 3, 31), review, ProjectState.COMPLETED),
    ]:
        moved = prsvc.get_project(session, moved.id)
        prsvc.move_project_stage(
            session, moved.id, moved.version, to_stage_id=stage.id, occurred_on=day, state=state
        )
    # no stage events: in the report from its start date, at its current (no) stage and state
    quiet = prsvc.create_project(
        session,
        code=f"{prefix}P-QUIET",
        title_ja="静か",
        title_en="Quiet",
        scheme_id=scheme.id,
        country="VN",
        start_on=date(2025, 4, 1),
        budget_yen=1_000_000,
        lead_staff_id=other.id,
    )
    # no stage events, completed on the last day of FY2024: in FY2024 only
    prsvc.create_project(
        session,
        code=f"{prefix}P-ENDED",
        title_ja="終了",
        scheme_id=scheme.id,
        state=ProjectState.COMPLETED,
        start_on=date(2024, 4, 1),
        end_on=date(2025, 3, 31),
    )

    def visit(code: str, project_id: int, starts: list[datetime]) -> None:
        b = tsvc.create_booking(
            session,
            code=f"{prefix}{code}",
            group_name=code,
            visitor_type=VisitorType.DELEGATION,
            headcount=5,
            status=BookingStatus.CONFIRMED,
            project_id=project_id,
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

    # 08:30 JST on April 1 is March 31 in UTC: FY2025, from April 1 to April 20 (several segments, given out of order)
    visit("V-EARLY", moved.id, [jst(2025, 4, 20, 10), jst(2025, 4, 1, 8, 30), jst(2025, 4, 10, 10)])
    # first segment on the last day of FY2025, second in FY2026: listed in FY2025, to April 2
    visit("V-ACROSS", moved.id, [jst(2026, 3, 31, 16), jst(2026, 4, 2, 10)])
    # 09:00 JST on April 1 = 00:00 UTC: FY2026
    visit("V-NEXT", quiet.id, [jst(2026, 4, 1, 9)])
    # a linked booking without segments is in no year
    visit("V-EMPTY", quiet.id, [])

    d = dsvc.create_dispatch(
        session,
        code=f"{prefix}D-ACROSS",
        title="年度越え",
        title_en="Across the year end",
        purpose=DispatchPurpose.SHORT_TERM_EXPERT,
        country="VN",
        timezone="Asia/Ho_Chi_Minh",
        departure_on=date(2026, 3, 25),
        return_on=date(2026, 4, 5),
        status=DispatchStatus.CONFIRMED,
        project_id=quiet.id,
    )
    assert d.project_id == quiet.id
    dsvc.create_dispatch(
        session,
        code=f"{prefix}D-BEFORE",
        title="前年度",
        purpose=DispatchPurpose.SHORT_TERM_EXPERT,
        country="LA",
        timezone="Asia/Vientiane",
        departure_on=date(2025, 3, 20),
        return_on=date(2025, 3, 31),
        status=DispatchStatus.COMPLETED,
        project_id=moved.id,
    )
    session.commit()
    return Sample(scheme.code, lead.id)


def _project(report: ProgressReport, code: str) -> ReportProject:
    return next(p for p in report.projects if p.code == code)


def test_boundaries_worked_out_by_hand(session: Session) -> None:
    build(session)
    fy24, fy25, fy26 = (progress_report(session, fy) for fy in (2024, 2025, 2026))

    # FY2024: the move on March 31 counts, the one on April 1 does not
    assert {p.code for p in fy24.projects} == {"P-MOVED", "P-ENDED"}
    moved = _project(fy24, "P-MOVED")
    assert (moved.stage_ja, moved.stage_en, moved.stage_position, moved.state) == (
        "要請",
        "Request",
        0,
        ProjectState.ACTIVE,
    )
    assert (moved.lead_ja, moved.lead_en) == ("川崎 花子", "Hanako Kawasaki")
    assert [e.occurred_on for e in moved.events] == [date(2025, 3, 31)]
    assert [(e.from_stage_ja, e.to_stage_ja) for e in fy24.stage_changes] == [("", "要請")]
    assert [d.code for d in moved.dispatches] == ["D-BEFORE"] and moved.visits == ()
    ended = _project(fy24, "P-ENDED")
    assert (ended.stage_ja, ended.stage_position, ended.state) == ("", -1, ProjectState.COMPLETED)

    # FY2025: moved twice (April 1 and March 31), completed at the end; the quiet project began on April 1
    assert {p.code for p in fy25.projects} == {"P-MOVED", "P-QUIET"}
    moved = _project(fy25, "P-MOVED")
    assert (moved.stage_ja, moved.stage_en, moved.state) == ("評価", "Review", ProjectState.COMPLETED)
    assert [(e.occurred_on, e.from_stage_ja, e.to_stage_ja, e.to_stage_en) for e in moved.events] == [
        (date(2025, 4, 1), "要請", "実施", "実施"),  # no English name: the Japanese one
        (date(2026, 3, 31), "実施", "評価", "Review"),
    ]
    assert fy25.stage_changes == moved.events
    assert [(v.code, v.first_day, v.last_day, v.status) for v in moved.visits] == [
        ("V-EARLY", date(2025, 4, 1), date(2025, 4, 20), "confirmed"),
        ("V-ACROSS", date(2026, 3, 31), date(2026, 4, 2), "confirmed"),
    ]
    assert moved.dispatches == ()  # D-BEFORE returned on March 31, 2025
    quiet = _project(fy25, "P-QUIET")
    assert (quiet.title_en, quiet.stage_ja, quiet.state, quiet.events) == (
        "Quiet",
        "",
        ProjectState.ACTIVE,
        (),
    )
    assert (quiet.lead_ja, quiet.lead_en, quiet.budget_yen) == ("多摩", "多摩", 1_000_000)
    assert [(d.code, d.title_en, d.first_day, d.last_day) for d in quiet.dispatches] == [
        ("D-ACROSS", "Across the year end", date(2026, 3, 25), date(2026, 4, 5))
    ]
    assert quiet.visits == ()
    assert [s.code for s in fy25.schemes] == ["TCP"]
    assert [(st.name_ja, [p.code for p in st.projects]) for st in fy25.schemes[0].stages] == [
        ("", ["P-QUIET"]),
        ("評価", ["P-MOVED"]),
    ]

    # FY2026: the completed project is gone; the quiet one has the dispatch again and the April 1 visit
    assert {p.code for p in fy26.projects} == {"P-QUIET"}
    quiet = _project(fy26, "P-QUIET")
    assert [d.code for d in quiet.dispatches] == ["D-ACROSS"]
    assert [(v.code, v.first_day, v.last_day) for v in quiet.visits] == [
        ("V-NEXT", date(2026, 4, 1), date(2026, 4, 1))
    ]


def test_several_years_at_once_are_the_reports_year_by_year(session: Session) -> None:
    build(session)
    years = [2023, 2024, 2025, 2026, 2027]
    assert progress_reports(session, years) == [progress_report(session, fy) for fy in years]
    assert progress_reports(session, [2026, 2024]) == [
        progress_report(session, 2026),
        progress_report(session, 2024),
    ]
    assert progress_reports(session, []) == []


def test_demo_data_several_years_at_once(session: Session) -> None:
    load_demo(session)
    session.commit()
    years = list(range(2012, 2029))
    together = progress_reports(session, years)
    assert together == [progress_report(session, fy) for fy in years]
    assert sum(len(r.projects) for r in together) > 0
    assert any(p.dispatches for r in together for p in r.projects)


def test_statements_do_not_grow_with_the_data_or_the_years(session: Session) -> None:
    build(session)
    session.expire_all()
    with _statements(session) as small:
        progress_report(session, 2025)
    build(session, prefix="X")  # twice the projects, events, visits and dispatches
    session.expire_all()
    with _statements(session) as large:
        report = progress_report(session, 2025)
    assert len(report.projects) == 4
    with _statements(session) as years:
        progress_reports(session, range(2015, 2030))
    assert len(large) == len(small) == len(years)
    assert len(small) <= 8, small
