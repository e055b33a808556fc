"""The annual report reads the visits of its year only and lets the database sum the trend by fiscal year (issue 10):
its figures must stay those of tour_stats.visit_stats, which reads every booking, on SQLite and PostgreSQL, also for
facilities whose local date differs from the UTC date around April 1 (east and west of UTC)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from kawaoffice.model.tours import BookingStatus, VisitorType
from kawaoffice.services import tour_stats
from kawaoffice.services import tours as tsvc
from kawaoffice.services.reports import annual_report

UTC = ZoneInfo("UTC")


def build(session: Session) -> None:
    tokyo = tsvc.create_facility(session, code="NAGASAWA", name_ja="長沢浄水場", capacity=200)
    # a facility west of UTC (a partner city's plant shown on a visit abroad): its local date is a day behind
    west = tsvc.create_facility(
        session, code="SAOPAULO", name_ja="サンパウロ浄水場", capacity=50, timezone="America/Sao_Paulo"
    )
    east = tsvc.create_facility(session, code="AUCKLAND", name_ja="オークランド浄水場", capacity=50,
                                timezone="Pacific/Auckland")  # fmt: skip
    n = 0

    def visit(
        starts: list[tuple[int, datetime]], headcount: int, status: BookingStatus, **values: object
    ) -> None:
        nonlocal n
        n += 1
        b = tsvc.create_booking(
            session,
            code=f"V{n}",
            group_name=f"視察団{n}",
            visitor_type=VisitorType.DELEGATION,
            headcount=headcount,
            status=status,
            **values,
        )
        for facility_id, start in starts:
            tsvc.add_segment(
                session,
                booking_id=b.id,
                facility_id=facility_id,
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                override_reason="test data",
            )

    for year in (2023, 2024, 2025):
        # April 1 02:00 UTC: April 1 in Tokyo (FY year), still March 31 in São Paulo (FY year - 1)
        visit([(west.id, datetime(year, 4, 1, 2, tzinfo=UTC))], 7, BookingStatus.CONFIRMED, country="BR")
        visit([(tokyo.id, datetime(year, 4, 1, 2, tzinfo=UTC))], 3, BookingStatus.COMPLETED, country="LA")
        # March 31 13:00 UTC: April 1 in Auckland (FY year), March 31 in Tokyo (FY year - 1)
        visit([(east.id, datetime(year, 3, 31, 13, tzinfo=UTC))], 11, BookingStatus.CONFIRMED, country="NZ")
        visit([(tokyo.id, datetime(year, 3, 31, 13, tzinfo=UTC))], 2, BookingStatus.CONFIRMED, country="VN")
        # the first segment decides, whichever facility comes later
        visit(
            [(tokyo.id, datetime(year, 4, 3, 1, tzinfo=UTC)), (west.id, datetime(year, 4, 1, 1, tzinfo=UTC))],
            5,
            BookingStatus.CONFIRMED,
            countries={"LA": 3, "KH": 2},
        )
        visit([(tokyo.id, datetime(year, 9, 1, 1, tzinfo=UTC))], 20, BookingStatus.CANCELLED, country="ID")
        visit([(tokyo.id, datetime(year, 10, 1, 1, tzinfo=UTC))], 4, BookingStatus.COMPLETED, country="ID")
    visit([], 9, BookingStatus.CONFIRMED, country="TH")  # no segment yet: in no year
    session.commit()


def test_report_visits_match_visit_stats_on_every_boundary(session: Session) -> None:
    build(session)
    for fy in (None, 2022, 2023, 2024, 2025):
        report = annual_report(session, fy)
        stats = tour_stats.visit_stats(session, fy)
        assert (report.visitors, report.groups) == (stats.visitors, stats.groups), fy
        assert {c.country: (c.visitors, c.groups) for c in report.countries if c.groups} == {
            v.key: (v.visitors, v.groups) for v in stats.by_country
        }, fy
        assert [(t.visitor_type.value, t.visitors, t.groups) for t in report.visitor_types] == [
            (v.key, v.visitors, v.groups) for v in stats.by_visitor_type
        ]
        trend = {str(y.fiscal_year): (y.visitors, y.groups) for y in report.years if y.groups}
        expected = {v.key: (v.visitors, v.groups) for v in stats.by_fiscal_year}
        if fy is not None:
            expected = {k: v for k, v in expected.items() if int(k) <= fy}
        assert trend == expected, fy
    fy2024 = annual_report(session, 2024)
    # 2024: Tokyo's and Auckland's April 1; 2025: São Paulo's and Tokyo's March 31 (the first segment decides)
    assert [(v.code, v.visit_date.isoformat() if v.visit_date else "") for v in fy2024.visits] == [
        ("V10", "2024-04-01"),
        ("V9", "2024-04-01"),
        ("V14", "2024-10-01"),
        ("V15", "2025-03-31"),
        ("V18", "2025-03-31"),
        ("V19", "2025-03-31"),
    ]
    assert fy2024.visit_countries[next(v.id for v in fy2024.visits if v.code == "V19")] == ("LA", "KH")
    assert fy2024.visits[-1].facilities_ja == ("サンパウロ浄水場", "長沢浄水場")
