from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from kawaoffice.model.dispatch import DispatchPurpose, DispatchStatus
from kawaoffice.services import dispatch as svc
from kawaoffice.services.dispatch_stats import days_by_fiscal_year, dispatch_statistics


def test_days_split_over_fiscal_years() -> None:
    assert days_by_fiscal_year(date(2019, 3, 30), date(2019, 4, 2)) == {2018: 2, 2019: 2}
    assert sum(days_by_fiscal_year(date(2018, 6, 4), date(2020, 3, 27)).values()) == 663


def test_statistics_by_country_and_year(session: Session) -> None:
    staff = [svc.create_staff(session, staff_no=f"K{i}", family_name=f"職員{i}") for i in range(3)]

    def add(
        code: str, country: str, dep: date, ret: date, members: list[int], status: DispatchStatus
    ) -> None:
        d = svc.create_dispatch(
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
        for m in members:
            svc.add_dispatch_member(session, dispatch_id=d.id, staff_id=staff[m].id, override_reason="x")

    done = DispatchStatus.COMPLETED
    add("A", "LA", date(2019, 3, 30), date(2019, 4, 2), [0, 1], done)  # FY2018, days 2+2 each
    add("B", "LA", date(2019, 9, 1), date(2019, 9, 10), [0], done)  # FY2019, 10 days
    add("C", "ID", date(2019, 10, 1), date(2019, 10, 5), [2], DispatchStatus.CONFIRMED)
    add("X", "VN", date(2019, 11, 1), date(2019, 11, 5), [2], DispatchStatus.TENTATIVE)  # not counted
    add("Y", "VN", date(2019, 12, 1), date(2019, 12, 5), [1], DispatchStatus.CANCELLED)  # not counted
    session.commit()

    stats = dispatch_statistics(session)
    got = {
        (r.fiscal_year, r.country): (r.dispatches, r.person_trips, r.experts, r.person_days)
        for r in stats.rows
    }
    assert got == {
        (2018, "LA"): (1, 2, 2, 4),
        (2019, "LA"): (1, 1, 1, 4 + 10),  # the days of A in April 2019 count in FY2019
        (2019, "ID"): (1, 1, 1, 5),
    }
    assert [(y.fiscal_year, y.person_trips, y.experts, y.countries) for y in stats.years] == [
        (2018, 2, 2, 1),
        (2019, 2, 2, 2),
    ]
    cum = stats.cumulative
    assert (cum.first_year, cum.last_year, cum.person_trips, cum.experts, cum.person_days, cum.countries) == (
        2018,
        2019,
        4,
        3,
        23,
        ("ID", "LA"),
    )
    fy18 = dispatch_statistics(session, fiscal_year=2018)
    assert [(r.country, r.person_days) for r in fy18.rows] == [("LA", 4)]
    assert (fy18.cumulative.person_trips, fy18.cumulative.person_days, fy18.cumulative.last_year) == (
        2,
        4,
        2018,
    )
    with_plans = dispatch_statistics(session, statuses=list(DispatchStatus))
    assert with_plans.cumulative.countries == ("ID", "LA", "VN")
