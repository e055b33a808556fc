"""Statistics of dispatches: experts by destination country and fiscal year (年度, April to March), person-trips and
person-days, and the running total since the first record (the way Kitakyushu says "245 experts to 13 countries").

Definitions:
- a *person-trip* is one member on one dispatch; it counts in the fiscal year of the departure;
- *person-days* are the calendar days abroad, both ends included, split over the fiscal years they fall in (a
  two-year long-term expert adds days to three fiscal years);
- *experts* are distinct people (staff, or partners' people on mission teams unless ``staff_only``);
- by default only confirmed and completed dispatches count (planned and tentative ones are not yet real,
  cancelled ones never were).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kawaoffice.model.dispatch import Dispatch, DispatchMember, DispatchStatus
from kawaoffice.services.common import fiscal_year_of, fiscal_year_range

COUNTED_STATUSES: tuple[DispatchStatus, ...] = (DispatchStatus.CONFIRMED, DispatchStatus.COMPLETED)


@dataclass(frozen=True)
class CountryYear:
    fiscal_year: int
    country: str
    dispatches: int
    person_trips: int
    experts: int
    person_days: int


@dataclass(frozen=True)
class YearTotal:
    fiscal_year: int
    dispatches: int
    person_trips: int
    experts: int
    person_days: int
    countries: int


@dataclass(frozen=True)
class Cumulative:
    """Totals from the first recorded fiscal year up to ``last_year`` (inclusive)."""

    first_year: int | None
    last_year: int | None
    dispatches: int
    person_trips: int
    experts: int
    person_days: int
    countries: tuple[str, ...]


@dataclass(frozen=True)
class DispatchStatistics:
    rows: tuple[CountryYear, ...]  # by fiscal year, then person-trips (most first), then country
    years: tuple[YearTotal, ...]
    cumulative: Cumulative


def days_by_fiscal_year(start: date, end: date) -> dict[int, int]:
    """Calendar days from ``start`` to ``end`` (inclusive) per fiscal year."""
    out: dict[int, int] = {}
    day = start
    while day <= end:
        fy = fiscal_year_of(day)
        last = min(end, fiscal_year_range(fy)[1])
        out[fy] = out.get(fy, 0) + (last - day).days + 1
        day = last + timedelta(days=1)
    return out


def dispatch_statistics(
    session: Session,
    *,
    fiscal_year: int | None = None,
    statuses: Iterable[DispatchStatus] = COUNTED_STATUSES,
    staff_only: bool = False,
) -> DispatchStatistics:
    """Per country and fiscal year; ``fiscal_year`` keeps that year's rows and makes the cumulative figures run
    from the first record up to that year."""
    stmt = (
        select(
            Dispatch.id,
            Dispatch.country,
            Dispatch.departure_on,
            Dispatch.return_on,
            DispatchMember.staff_id,
            DispatchMember.contact_id,
        )
        .join(DispatchMember, DispatchMember.dispatch_id == Dispatch.id)
        .where(Dispatch.status.in_(list(statuses)))
    )
    if staff_only:
        stmt = stmt.where(DispatchMember.staff_id.is_not(None))
    if fiscal_year is not None:
        stmt = stmt.where(Dispatch.departure_on <= fiscal_year_range(fiscal_year)[1])

    trips: dict[tuple[int, str], int] = defaultdict(int)
    days: dict[tuple[int, str], int] = defaultdict(int)
    dispatches: dict[tuple[int, str], set[int]] = defaultdict(set)
    people: dict[tuple[int, str], set[str]] = defaultdict(set)
    all_people: set[str] = set()
    all_dispatches: set[int] = set()
    all_countries: set[str] = set()
    total_trips = total_days = 0
    first: int | None = None
    for did, country, dep, ret, staff_id, contact_id in session.execute(stmt):
        person = f"s{staff_id}" if staff_id is not None else f"c{contact_id}"
        fy = fiscal_year_of(dep)
        key = (fy, country)
        trips[key] += 1
        dispatches[key].add(did)
        people[key].add(person)
        for year, n in days_by_fiscal_year(dep, ret).items():
            if fiscal_year is None or year <= fiscal_year:
                days[(year, country)] += n
                total_days += n
        all_people.add(person)
        all_dispatches.add(did)
        all_countries.add(country)
        total_trips += 1
        first = fy if first is None else min(first, fy)

    keys = set(trips) | set(days)
    if fiscal_year is not None:
        keys = {k for k in keys if k[0] == fiscal_year}
    rows = sorted(
        (
            CountryYear(
                fiscal_year=fy,
                country=country,
                dispatches=len(dispatches.get((fy, country), ())),
                person_trips=trips.get((fy, country), 0),
                experts=len(people.get((fy, country), ())),
                person_days=days.get((fy, country), 0),
            )
            for fy, country in keys
        ),
        key=lambda r: (r.fiscal_year, -r.person_trips, -r.person_days, r.country),
    )
    years = []
    for fy in sorted({r.fiscal_year for r in rows}):
        in_year = [r for r in rows if r.fiscal_year == fy]
        year_people: set[str] = set().union(*(people.get((fy, r.country), set()) for r in in_year))
        years.append(
            YearTotal(
                fiscal_year=fy,
                dispatches=sum(r.dispatches for r in in_year),
                person_trips=sum(r.person_trips for r in in_year),
                experts=len(year_people),
                person_days=sum(r.person_days for r in in_year),
                countries=len({r.country for r in in_year if r.person_trips}),
            )
        )
    last = fiscal_year if fiscal_year is not None else max((k[0] for k in trips), default=None)
    return DispatchStatistics(
        rows=tuple(rows),
        years=tuple(years),
        cumulative=Cumulative(
            first_year=first,
            last_year=last if first is not None else None,
            dispatches=len(all_dispatches),
            person_trips=total_trips,
            experts=len(all_people),
            person_days=total_days,
            countries=tuple(sorted(all_countries)),
        ),
    )
