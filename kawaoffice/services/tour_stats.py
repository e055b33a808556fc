"""Visit statistics: visitors and groups by country/region, visitor type and fiscal year, and cumulative totals
since the first record (like Kitakyushu's "6,846 trainees from 158 countries and regions").

Counted: bookings confirmed or completed, in the fiscal year of their first segment's local date. A group with
trainees from several countries (``countries``) counts its people per country and counts as a group in each.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from kawaoffice.model.tours import Booking, BookingSegment, BookingStatus, Facility
from kawaoffice.services.common import fiscal_year_of

COUNTED = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED)


@dataclass(frozen=True)
class VisitCount:
    key: str  # ISO country code, visitor type value, or fiscal year as text
    visitors: int
    groups: int


@dataclass
class VisitStats:
    fiscal_year: int | None  # None: every year
    visitors: int = 0
    groups: int = 0
    by_country: list[VisitCount] = field(default_factory=list)
    by_visitor_type: list[VisitCount] = field(default_factory=list)
    by_fiscal_year: list[VisitCount] = field(default_factory=list)
    # cumulative since the first record (all years, whatever fiscal_year is)
    first_fiscal_year: int | None = None
    cumulative_visitors: int = 0
    cumulative_groups: int = 0
    cumulative_countries: int = 0


def _first_dates(session: Session) -> dict[int, date]:
    rows = session.execute(
        select(BookingSegment.booking_id, BookingSegment.starts_at, Facility.timezone)
        .join(Facility, BookingSegment.facility_id == Facility.id)
        .order_by(BookingSegment.booking_id, BookingSegment.starts_at)
    )
    first: dict[int, date] = {}
    for booking_id, starts_at, tz in rows:
        if booking_id not in first:
            first[booking_id] = starts_at.astimezone(ZoneInfo(tz or "Asia/Tokyo")).date()
    return first


def _ranked(visitors: Counter[str], groups: Counter[str]) -> list[VisitCount]:
    keys = sorted(set(visitors) | set(groups), key=lambda k: (-visitors[k], -groups[k], k))
    return [VisitCount(k, visitors[k], groups[k]) for k in keys]


def visit_stats(session: Session, fiscal_year: int | None = None) -> VisitStats:
    first = _first_dates(session)
    bookings = session.scalars(select(Booking).where(Booking.status.in_(COUNTED))).all()
    stats = VisitStats(fiscal_year)
    country_v: Counter[str] = Counter()
    country_g: Counter[str] = Counter()
    type_v: Counter[str] = Counter()
    type_g: Counter[str] = Counter()
    year_v: Counter[str] = Counter()
    year_g: Counter[str] = Counter()
    all_countries: set[str] = set()
    for b in bookings:
        day = first.get(b.id)
        if day is None:
            continue
        fy = fiscal_year_of(day)
        per_country = dict(b.countries) if b.countries else ({b.country: b.headcount} if b.country else {})
        all_countries.update(per_country)
        stats.cumulative_visitors += b.headcount
        stats.cumulative_groups += 1
        stats.first_fiscal_year = fy if stats.first_fiscal_year is None else min(stats.first_fiscal_year, fy)
        year_v[str(fy)] += b.headcount
        year_g[str(fy)] += 1
        if fiscal_year is not None and fy != fiscal_year:
            continue
        stats.visitors += b.headcount
        stats.groups += 1
        type_v[b.visitor_type.value] += b.headcount
        type_g[b.visitor_type.value] += 1
        if not per_country:
            per_country = {"": b.headcount}
        for code, count in per_country.items():
            country_v[code] += count
            country_g[code] += 1
    stats.by_country = _ranked(country_v, country_g)
    stats.by_visitor_type = _ranked(type_v, type_g)
    stats.by_fiscal_year = [VisitCount(k, year_v[k], year_g[k]) for k in sorted(year_v)]
    stats.cumulative_countries = len(all_countries - {"", "JP"})
    return stats
