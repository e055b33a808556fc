"""Managers' reports: the figures of one fiscal year (年度, April-March) or of every year since the first record,
across the four areas, for the statistics window, the annual report PDF and the Excel export.

The figures come from the areas' own statistics so the numbers agree everywhere:

- visitors and groups by country/region and visitor type: :func:`services.tour_stats.visit_stats` (confirmed and
  completed bookings, counted once each in the fiscal year of their first segment's local date, whatever the
  number of segments);
- experts dispatched (person-trips: one member on one dispatch, in the fiscal year of departure) and person-days
  (days abroad split over the fiscal years): :func:`services.dispatch_stats.dispatch_statistics`;
- projects by scheme and stage at the year end with the year's stage changes:
  :func:`services.project_report.progress_report`;
- local needs recorded and passed on: :func:`services.needs.list_needs`;
- the lists of the year's visits and dispatches: :func:`services.overview.list_visits` and
  :func:`services.dispatch.list_dispatches`.

Only the member companies' participation (projects they take part in, dispatches their people joined,
presentations to visiting groups) is counted here, because no area computes it.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    Integer,
    String,
    Text,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased

from kawaoffice.i18n import kana_sort_key
from kawaoffice.model.dispatch import Dispatch, DispatchMember
from kawaoffice.model.partners import Employment, Organization, OrganizationKind
from kawaoffice.model.projects import LocalNeed, Project, ProjectParticipant, ProjectState, Scheme, StageEvent
from kawaoffice.model.tours import (
    Booking,
    BookingPresenter,
    BookingSegment,
    BookingStatus,
    Facility,
    VisitorType,
)
from kawaoffice.services import dispatch as dispatch_svc
from kawaoffice.services import overview, tour_stats
from kawaoffice.services.common import collections_paused, fiscal_year_of, fiscal_year_range
from kawaoffice.services.dispatch_stats import COUNTED_STATUSES, dispatch_statistics
from kawaoffice.services.needs import NeedRow, list_needs
from kawaoffice.services.overview import DEFAULT_TIMEZONE
from kawaoffice.services.project_report import (
    ProgressReport,
    ReportEvent,
    ReportProject,
    progress_report,
    progress_reports,
)

__all__ = [
    "AnnualReport",
    "CountryFigures",
    "MemberFigures",
    "NeedFigures",
    "SchemeFigures",
    "StageFigures",
    "TypeFigures",
    "YearFigures",
    "annual_report",
    "collections_paused",
    "report_years",
]

HOME_COUNTRY = "JP"
ENDED = (ProjectState.COMPLETED, ProjectState.CANCELLED)


@dataclass(frozen=True)
class CountryFigures:
    """One country or region: visitors received from it and experts sent to it."""

    country: str  # ISO 3166-1 alpha-2 ("" for visitors whose country is not recorded)
    visitors: int = 0
    groups: int = 0
    dispatches: int = 0
    person_trips: int = 0
    experts: int = 0  # distinct people
    person_days: int = 0

    @property
    def people(self) -> int:
        """People exchanged: visitors received plus experts sent (person-trips); the world view's ranking."""
        return self.visitors + self.person_trips


@dataclass(frozen=True)
class TypeFigures:
    visitor_type: VisitorType
    visitors: int
    groups: int


@dataclass(frozen=True)
class YearFigures:
    """One fiscal year's totals (the trend table and chart)."""

    fiscal_year: int
    visitors: int = 0
    groups: int = 0
    dispatches: int = 0
    person_trips: int = 0
    experts: int = 0
    person_days: int = 0


@dataclass(frozen=True)
class StageFigures:
    name_ja: str
    name_en: str
    position: int
    projects: int
    active: int  # of them still active (not completed, cancelled or suspended) at the end of the period


@dataclass(frozen=True)
class SchemeFigures:
    code: str
    name_ja: str
    name_en: str
    stages: tuple[StageFigures, ...]
    projects: int
    active: int
    ended: int  # completed or cancelled
    stage_changes: int  # during the period


@dataclass(frozen=True)
class MemberFigures:
    """What one Kawa Biz Net member company took part in during the period."""

    organization_id: int
    name_ja: str
    name_en: str
    projects: int  # projects it takes part in (participant of a project running in the period)
    missions: int  # counted dispatches departing in the period that one of its people joined
    presentations: int  # counted visits in the period where it presented its technology

    @property
    def total(self) -> int:
        return self.projects + self.missions + self.presentations


@dataclass(frozen=True)
class NeedFigures:
    recorded: int  # learnt during the period
    recorded_passed_on: int  # of those, passed on to the members by now
    passed_on: int  # passed on during the period (whenever learnt)
    by_country: tuple[tuple[str, int], ...]  # recorded during the period, most first
    needs: tuple[NeedRow, ...]  # recorded during the period, oldest first


@dataclass(frozen=True)
class AnnualReport:
    fiscal_year: int | None  # None: every year since the first record
    first_day: date | None
    last_day: date | None
    # summary
    visitors: int
    groups: int
    visitor_countries: int  # countries and regions visitors came from (Japan and unknown not counted)
    trainees: int  # of the visitors, JICA trainees
    dispatches: int
    person_trips: int
    experts: int  # distinct people
    person_days: int
    dispatch_countries: int  # countries experts departed to
    # tables
    countries: tuple[CountryFigures, ...]  # most people exchanged first; Japan and unknown last
    visitor_types: tuple[TypeFigures, ...]
    years: tuple[YearFigures, ...]  # every fiscal year up to the period's end
    schemes: tuple[SchemeFigures, ...]
    projects: tuple[ReportProject, ...]  # stage and state at the end of the period
    stage_changes: tuple[ReportEvent, ...]
    members: tuple[MemberFigures, ...]  # most participation first
    needs: NeedFigures
    visits: tuple[overview.VisitRow, ...]  # counted visits of the period, by date
    dispatch_list: tuple[dispatch_svc.DispatchListRow, ...]  # counted dispatches abroad in the period
    first_fiscal_year: int | None = None  # of the records (for "since FY...")
    project_schemes: Mapping[int, str] = field(default_factory=dict)  # project id -> scheme code
    # the countries of the listed visits: the booking's own, or those of its trainees for a multi-country course
    visit_countries: Mapping[int, tuple[str, ...]] = field(default_factory=dict)

    @property
    def projects_count(self) -> int:
        return len(self.projects)

    @property
    def visitor_country_codes(self) -> tuple[str, ...]:
        return tuple(c.country for c in self.countries if c.visitors and c.country not in ("", HOME_COUNTRY))

    @property
    def dispatch_country_codes(self) -> tuple[str, ...]:
        return tuple(c.country for c in self.countries if c.person_trips)

    @property
    def visitors_from_abroad(self) -> int:
        """Visitors from every country but Japan (those whose country is not recorded included)."""
        return sum(c.visitors for c in self.countries if c.country != HOME_COUNTRY)

    @property
    def member_companies(self) -> int:
        """Member companies that took part in anything during the period."""
        return sum(1 for m in self.members if m.total)

    def projects_by_scheme(self) -> list[tuple[SchemeFigures, ReportProject]]:
        """Every project with its scheme, in scheme order, then by stage and code."""
        schemes = {s.code: (i, s) for i, s in enumerate(self.schemes)}
        rows = [
            (schemes[self.project_schemes[p.id]], p) for p in self.projects if p.id in self.project_schemes
        ]
        rows.sort(key=lambda r: (r[0][0], r[1].stage_position, r[1].code))
        return [(scheme, p) for (_i, scheme), p in rows]

    def world(self, limit: int | None = None) -> tuple[CountryFigures, ...]:
        """The world view: countries abroad with visitors or experts, most people exchanged first (the same
        rows, in the same order, on screen, in the PDF and in the workbook)."""
        rows = tuple(c for c in self.countries if c.country not in ("", HOME_COUNTRY) and c.people)
        return rows if limit is None else rows[:limit]


# ---------------------------------------------------------------------------------------------------------------
# Fiscal years with records
# ---------------------------------------------------------------------------------------------------------------


def report_years(session: Session, *, today: date | None = None) -> list[int]:
    """Fiscal years from the first record (visit, dispatch, stage change, need) to the current year or the last
    record, newest first: the choices of the fiscal-year picker."""
    firsts: list[date] = []
    lasts: list[date] = [today or date.today()]
    for column in (Dispatch.departure_on, StageEvent.occurred_on, LocalNeed.learned_on):
        low, high = session.execute(select(func.min(column), func.max(column))).one()
        if low is not None:
            firsts.append(low)
            lasts.append(high)
    low, high = session.execute(
        select(func.min(BookingSegment.starts_at), func.max(BookingSegment.starts_at))
    ).one()
    if low is not None:
        # UTC instants: a day either side is within a fiscal year's slack for the picker's range
        firsts.append(low.date())
        lasts.append(high.date())
    last = fiscal_year_of(max(lasts))
    first = fiscal_year_of(min(firsts)) if firsts else last
    return list(range(last, first - 1, -1))


# ---------------------------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------------------------


def annual_report(session: Session, fiscal_year: int | None, *, today: date | None = None) -> AnnualReport:
    """The figures of ``fiscal_year`` (2025 = 1 April 2025 to 31 March 2026), or with ``None`` of every year
    since the first record (projects then at their latest stage)."""
    with collections_paused():
        return _annual_report(session, fiscal_year, today=today)


def _annual_report(session: Session, fiscal_year: int | None, *, today: date | None = None) -> AnnualReport:
    today = today or date.today()
    first_day, last_day = fiscal_year_range(fiscal_year) if fiscal_year is not None else (None, None)

    visits_stats = _visit_figures(session, first_day, last_day)
    # every year's dispatch figures in one pass; a year's rows are the same as dispatch_statistics(fiscal_year=...)
    # gives (a dispatch has days in a year only if it left by the year's end), without reading them twice
    all_disp = dispatch_statistics(session, fiscal_year=None)
    disp_rows = (
        all_disp.rows
        if fiscal_year is None
        else tuple(r for r in all_disp.rows if r.fiscal_year == fiscal_year)
    )

    # --- countries (visits and dispatches merged) -------------------------------------------------------------
    visit_by_country = {v.key: v for v in visits_stats.by_country}
    trips: Counter[str] = Counter()
    days: Counter[str] = Counter()
    dispatches: Counter[str] = Counter()
    for row in disp_rows:
        trips[row.country] += row.person_trips
        days[row.country] += row.person_days
        dispatches[row.country] += row.dispatches
    if fiscal_year is not None:
        experts_by_country = {r.country: r.experts for r in disp_rows}
    else:
        experts_by_country = _experts_by_country_all_years(session)
    codes = set(visit_by_country) | set(trips) | set(days)
    countries = [
        CountryFigures(
            country=code,
            visitors=visit_by_country[code].visitors if code in visit_by_country else 0,
            groups=visit_by_country[code].groups if code in visit_by_country else 0,
            dispatches=dispatches[code],
            person_trips=trips[code],
            experts=experts_by_country.get(code, 0),
            person_days=days[code],
        )
        for code in codes
    ]
    # Japan (domestic visitors) and visitors of unknown country last: the world view is about abroad
    countries.sort(
        key=lambda c: (
            c.country in ("", HOME_COUNTRY),
            -c.people,
            -c.groups,
            -c.person_days,
            c.country == "",
            c.country,
        )
    )

    visitor_types = tuple(
        TypeFigures(VisitorType(v.key), v.visitors, v.groups) for v in visits_stats.by_visitor_type
    )

    # --- dispatch totals ----------------------------------------------------------------------------------------
    if fiscal_year is not None:
        year_total = next((y for y in all_disp.years if y.fiscal_year == fiscal_year), None)
        d_dispatches = year_total.dispatches if year_total else 0
        d_trips = year_total.person_trips if year_total else 0
        d_experts = year_total.experts if year_total else 0
        d_days = year_total.person_days if year_total else 0
        d_countries = year_total.countries if year_total else 0
    else:
        cum = all_disp.cumulative
        d_dispatches, d_trips, d_experts, d_days = (
            cum.dispatches,
            cum.person_trips,
            cum.experts,
            cum.person_days,
        )
        d_countries = len({r.country for r in disp_rows if r.person_trips})

    # --- years ------------------------------------------------------------------------------------------------
    visit_years = {int(v.key): v for v in visits_stats.by_fiscal_year}
    year_keys = set(visit_years) | {y.fiscal_year for y in all_disp.years}
    if fiscal_year is not None:
        year_keys = {y for y in year_keys if y <= fiscal_year} | {fiscal_year}
    if year_keys:  # every year from the first record on, the quiet ones too (a trend has no gaps)
        year_keys = set(range(min(year_keys), max(year_keys) + 1))
    disp_years = {y.fiscal_year: y for y in all_disp.years}
    years = tuple(
        YearFigures(
            fiscal_year=fy,
            visitors=visit_years[fy].visitors if fy in visit_years else 0,
            groups=visit_years[fy].groups if fy in visit_years else 0,
            dispatches=disp_years[fy].dispatches if fy in disp_years else 0,
            person_trips=disp_years[fy].person_trips if fy in disp_years else 0,
            experts=disp_years[fy].experts if fy in disp_years else 0,
            person_days=disp_years[fy].person_days if fy in disp_years else 0,
        )
        for fy in sorted(year_keys)
    )

    # --- projects ---------------------------------------------------------------------------------------------
    if fiscal_year is not None:
        reports = [progress_report(session, fiscal_year)]
    else:
        reports = progress_reports(session, _project_years(session, today))  # one reading for every year
    projects, changes = _merge_reports(reports)
    schemes, project_schemes = _scheme_figures(session, reports, projects, changes)

    # --- needs ------------------------------------------------------------------------------------------------
    needs = _need_figures(session, reports[-1] if fiscal_year is not None else None, first_day, last_day)
    first_years = [
        y for y in (visits_stats.first_fiscal_year, all_disp.cumulative.first_year) if y is not None
    ]
    first_years += [fiscal_year_of(e.occurred_on) for e in changes[:1]]
    first_years += [fiscal_year_of(n.learned_on) for n in needs.needs[:1]]

    # --- lists and members ------------------------------------------------------------------------------------
    counted_visits = visits_stats.visits
    if fiscal_year is not None:
        dispatch_rows = [
            d
            for d in dispatch_svc.list_dispatches(session, fiscal_year=fiscal_year)
            if d.status in COUNTED_STATUSES
        ]
        dispatch_rows.sort(key=lambda d: (d.departure_on, d.code))
    else:
        dispatch_rows = []  # every dispatch ever is no list for a report; the tables by year summarise them
    members = _member_figures(
        session,
        project_ids={p.id for p in projects},
        booking_ids=visits_stats.booking_ids,
        first_day=first_day,
        last_day=last_day,
    )

    trainees = next((t.visitors for t in visitor_types if t.visitor_type == VisitorType.JICA_TRAINEES), 0)
    return AnnualReport(
        fiscal_year=fiscal_year,
        first_day=first_day,
        last_day=last_day,
        visitors=visits_stats.visitors,
        groups=visits_stats.groups,
        visitor_countries=len({c.country for c in countries if c.visitors} - {"", HOME_COUNTRY}),
        trainees=trainees,
        dispatches=d_dispatches,
        person_trips=d_trips,
        experts=d_experts,
        person_days=d_days,
        dispatch_countries=d_countries,
        countries=tuple(countries),
        visitor_types=visitor_types,
        years=years,
        schemes=schemes,
        projects=projects,
        stage_changes=changes,
        members=members,
        needs=needs,
        visits=tuple(counted_visits) if fiscal_year is not None else (),
        dispatch_list=tuple(dispatch_rows),
        first_fiscal_year=min(first_years) if first_years else None,
        visit_countries=visits_stats.visit_countries if fiscal_year is not None else {},
        project_schemes=project_schemes,
    )


def _experts_by_country_all_years(session: Session) -> dict[str, int]:
    """Distinct people sent to each country over every year (dispatch_stats counts them per year only)."""
    rows = session.execute(
        select(Dispatch.country, DispatchMember.staff_id, DispatchMember.contact_id)
        .join(DispatchMember, DispatchMember.dispatch_id == Dispatch.id)
        .where(Dispatch.status.in_(list(COUNTED_STATUSES)))
    )
    people: dict[str, set[str]] = defaultdict(set)
    for country, staff_id, contact_id in rows:
        people[country].add(f"s{staff_id}" if staff_id is not None else f"c{contact_id}")
    return {country: len(p) for country, p in people.items()}


def _project_years(session: Session, today: date) -> list[int]:
    """Fiscal years from the first project's beginning to the current year (or the last stage change)."""
    starts = [
        session.scalar(select(func.min(StageEvent.occurred_on))),
        session.scalar(select(func.min(Project.start_on))),
    ]
    created = session.scalar(select(func.min(Project.created_at)))
    if created is not None:
        starts.append(created.date())
    ends = [today, session.scalar(select(func.max(StageEvent.occurred_on)))]
    known_starts = [d for d in starts if d is not None]
    last = fiscal_year_of(max(d for d in ends if d is not None))
    first = fiscal_year_of(min(known_starts)) if known_starts else last
    return list(range(min(first, last), last + 1))


def _merge_reports(
    reports: list[ProgressReport],
) -> tuple[tuple[ReportProject, ...], tuple[ReportEvent, ...]]:
    """Projects at their stage in the last report they appear in, and every stage change (reports in year order)."""
    latest: dict[int, ReportProject] = {}
    changes: list[ReportEvent] = []
    for report in reports:
        for p in report.projects:
            latest[p.id] = p
        changes.extend(report.stage_changes)
    projects = sorted(latest.values(), key=lambda p: p.code)
    changes.sort(key=lambda e: (e.occurred_on, e.project_code))
    return tuple(projects), tuple(changes)


def _scheme_figures(
    session: Session,
    reports: list[ProgressReport],
    projects: Iterable[ReportProject],
    changes: Iterable[ReportEvent],
) -> tuple[tuple[SchemeFigures, ...], dict[int, str]]:
    scheme_of: dict[int, tuple[str, str, str]] = {}
    order = {
        code: (position, code) for code, position in session.execute(select(Scheme.code, Scheme.position))
    }
    for report in reports:
        for scheme in report.schemes:
            for stage in scheme.stages:
                for p in stage.projects:
                    scheme_of[p.id] = (scheme.code, scheme.name_ja, scheme.name_en)
    by_scheme: dict[str, list[ReportProject]] = defaultdict(list)
    names: dict[str, tuple[str, str]] = {}
    projects_list = list(projects)
    for p in projects_list:
        code, name_ja, name_en = scheme_of[p.id]
        by_scheme[code].append(p)
        names[code] = (name_ja, name_en)
    scheme_by_project_code = {p.code: scheme_of[p.id][0] for p in projects_list}
    change_count = Counter(
        scheme_by_project_code[e.project_code] for e in changes if e.project_code in scheme_by_project_code
    )
    out = []
    for code in sorted(by_scheme, key=lambda c: order.get(c, (0, c))):
        rows = by_scheme[code]
        stages: dict[tuple[int, str], list[ReportProject]] = defaultdict(list)
        for p in rows:
            stages[(p.stage_position, p.stage_ja)].append(p)
        out.append(
            SchemeFigures(
                code=code,
                name_ja=names[code][0],
                name_en=names[code][1],
                stages=tuple(
                    StageFigures(
                        name_ja=key[1],
                        name_en=items[0].stage_en,
                        position=key[0],
                        projects=len(items),
                        active=sum(1 for p in items if p.state == ProjectState.ACTIVE),
                    )
                    for key, items in sorted(stages.items())
                ),
                projects=len(rows),
                active=sum(1 for p in rows if p.state == ProjectState.ACTIVE),
                ended=sum(1 for p in rows if p.state in ENDED),
                stage_changes=change_count[code],
            )
        )
    return tuple(out), {project_id: code for project_id, (code, _ja, _en) in scheme_of.items()}


def _need_figures(
    session: Session, report: ProgressReport | None, first_day: date | None, last_day: date | None
) -> NeedFigures:
    every = list_needs(session)
    if report is not None:
        recorded = list(report.new_needs)  # the progress report's needs learnt during the year
    else:
        recorded = sorted(every, key=lambda n: (n.learned_on, n.id))
    if first_day is not None and last_day is not None:
        passed = [n for n in every if n.passed_on is not None and first_day <= n.passed_on <= last_day]
    else:
        passed = [n for n in every if n.passed_on is not None]
    by_country = Counter(n.country for n in recorded)
    return NeedFigures(
        recorded=len(recorded),
        recorded_passed_on=sum(1 for n in recorded if n.passed_on is not None),
        passed_on=len(passed),
        by_country=tuple(sorted(by_country.items(), key=lambda kv: (-kv[1], kv[0]))),
        needs=tuple(recorded),
    )


# ---------------------------------------------------------------------------------------------------------------
# Visits: the figures of tour_stats.visit_stats (confirmed and completed bookings, each once, in the fiscal year of
# its first segment's local date), read for the period only and summed by the database for the trend by year
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class _VisitFigures:
    visitors: int = 0
    groups: int = 0
    by_country: list[tour_stats.VisitCount] = field(default_factory=list)
    by_visitor_type: list[tour_stats.VisitCount] = field(default_factory=list)
    by_fiscal_year: list[tour_stats.VisitCount] = field(default_factory=list)  # every year with visits
    first_fiscal_year: int | None = None
    visits: list[overview.VisitRow] = field(default_factory=list)  # the period's counted visits, by date
    booking_ids: set[int] = field(default_factory=set)  # of the counted visits of the period
    visit_countries: dict[int, tuple[str, ...]] = field(default_factory=dict)


def _ranked(visitors: Counter[str], groups: Counter[str]) -> list[tour_stats.VisitCount]:
    keys = sorted(set(visitors) | set(groups), key=lambda k: (-visitors[k], -groups[k], k))
    return [tour_stats.VisitCount(k, visitors[k], groups[k]) for k in keys]


def _local_date(instant: datetime, zone: str | None) -> date:
    """The local date of a segment's start at its facility (as the visits list shows it)."""
    if instant.tzinfo is None:  # SQLite aggregates come back naive (UTC)
        instant = instant.replace(tzinfo=UTC)
    try:
        tz = ZoneInfo(zone or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo(DEFAULT_TIMEZONE)
    return instant.astimezone(tz).date()


def _visit_figures(session: Session, first_day: date | None, last_day: date | None) -> _VisitFigures:
    """Visitors and groups of the period (``None``: every year) by country and visitor type, its counted visits,
    and the visitors and groups of every fiscal year; the same figures as tour_stats.visit_stats, which reads every
    booking of every year (10 s at 100,000 bookings). Every year at once needs no list of visits (the report has
    none then): one short row per booking, not one per segment with its facility."""
    out = _VisitFigures()
    counted: Iterable[tuple[int, VisitorType, str, int, dict[str, int]]]
    listed = first_day is not None and last_day is not None
    if first_day is not None and last_day is not None:
        period = _period_bookings(session, first_day, last_day)
        out.visits = [visit for visit, _countries in period]
        counted = ((v.id, v.visitor_type, v.country, v.headcount, countries) for v, countries in period)
    else:
        counted = _every_counted_booking(session)
    country_v: Counter[str] = Counter()
    country_g: Counter[str] = Counter()
    type_v: Counter[str] = Counter()
    type_g: Counter[str] = Counter()
    for booking_id, visitor_type, own, headcount, countries in counted:
        out.booking_ids.add(booking_id)
        out.visitors += headcount
        out.groups += 1
        type_v[visitor_type.value] += headcount
        type_g[visitor_type.value] += 1
        if listed:
            out.visit_countries[booking_id] = tuple(countries) if countries else ((own,) if own else ())
        if countries:
            for code, count in countries.items():
                country_v[code] += count
                country_g[code] += 1
        else:
            country_v[own] += headcount  # "" when the country is not recorded
            country_g[own] += 1
    out.visits.sort(key=lambda v: (v.visit_date or date.min, v.code))
    out.by_country = _ranked(country_v, country_g)
    out.by_visitor_type = _ranked(type_v, type_g)
    years = _visits_by_fiscal_year(session)
    out.by_fiscal_year = [tour_stats.VisitCount(str(fy), v, g) for fy, (v, g) in sorted(years.items())]
    out.first_fiscal_year = min(years) if years else None
    return out


# Read as plain text and mapped here: building a StrEnum from its value and decoding a JSON column for each of
# thousands of rows (nearly all of them "{}") cost more than the query on a scale-100 year.
_VISITOR_TYPES = {t.value: t for t in VisitorType}
_BOOKING_STATUSES = {s.value: s for s in BookingStatus}
_NO_COUNTRIES = (None, "", "{}", "null")


def _countries(raw: Any) -> dict[str, int]:
    """A booking's trainees by country from the JSON column read as text ({} for most bookings)."""
    if raw in _NO_COUNTRIES:
        return {}
    value = json.loads(raw) if isinstance(raw, str) else raw
    return dict(value) if value else {}


def _every_counted_booking(session: Session) -> list[tuple[int, VisitorType, str, int, dict[str, int]]]:
    """(id, visitor type, country, headcount, countries) of every counted booking with a segment."""
    segment = aliased(BookingSegment)
    stmt = select(
        Booking.id,
        type_coerce(Booking.visitor_type, String),
        Booking.country,
        Booking.headcount,
        cast(Booking.countries, Text),
    ).where(
        Booking.status.in_(list(tour_stats.COUNTED)),
        exists().where(segment.booking_id == Booking.id),
    )
    return [
        (booking_id, _VISITOR_TYPES[visitor_type], country, headcount, _countries(countries))
        for booking_id, visitor_type, country, headcount, countries in session.connection().execute(stmt)
    ]


def _period_bookings(
    session: Session, first_day: date, last_day: date
) -> list[tuple[overview.VisitRow, dict[str, int]]]:
    """The counted bookings whose first segment's local date falls in the period, as rows of the visits list with
    the booking's countries. One query: the segments starting in the period's UTC window (a day's slack either
    side for the facilities' time zones, through the index on ``starts_at``) of bookings with no earlier
    segment."""
    low = datetime.combine(first_day, time(), UTC) - timedelta(days=1)
    high = datetime.combine(last_day + timedelta(days=1), time(), UTC) + timedelta(days=1)
    earlier = aliased(BookingSegment)
    stmt = (
        select(
            Booking.id,
            Booking.code,
            Booking.group_name,
            Booking.group_name_en,
            type_coerce(Booking.visitor_type, String),
            Booking.country,
            Booking.headcount,
            type_coerce(Booking.status, String),
            cast(Booking.countries, Text),
            BookingSegment.starts_at,
            Facility.name_ja,
            Facility.name_en,
            Facility.timezone,
        )
        .join(BookingSegment, BookingSegment.booking_id == Booking.id)
        .join(Facility, BookingSegment.facility_id == Facility.id)
        .where(
            Booking.status.in_(list(tour_stats.COUNTED)),
            Booking.id.in_(
                select(BookingSegment.booking_id).where(
                    BookingSegment.starts_at >= low, BookingSegment.starts_at < high
                )
            ),
            ~exists().where(earlier.booking_id == Booking.id, earlier.starts_at < low),
        )
        .order_by(Booking.id, BookingSegment.starts_at, BookingSegment.id)
    )
    grouped: dict[int, tuple[Any, list[Any]]] = {}
    for r in session.connection().execute(stmt):  # Core rows: no ORM result machinery for 15,000 rows
        entry = grouped.get(r[0])
        if entry is None:
            grouped[r[0]] = (r, [r])
        else:
            entry[1].append(r)
    out = []
    for first, segments in grouped.values():
        day = _local_date(first[9], first[12])
        if not (first_day <= day <= last_day):
            continue
        facilities_ja: list[str] = []
        facilities_en: list[str] = []
        for seg in segments:
            if seg[10] not in facilities_ja:
                facilities_ja.append(seg[10])
                facilities_en.append(seg[11] or seg[10])
        row = overview.VisitRow(
            id=first[0],
            code=first[1],
            group_name=first[2],
            group_name_en=first[3],
            visitor_type=_VISITOR_TYPES[first[4]],
            country=first[5],
            headcount=first[6],
            status=_BOOKING_STATUSES[first[7]],
            visit_date=day,
            facilities_ja=tuple(facilities_ja),
            facilities_en=tuple(facilities_en),
        )
        out.append((row, _countries(first[8])))
    return out


def _visits_by_fiscal_year(session: Session) -> dict[int, tuple[int, int]]:
    """Visitors and groups of every fiscal year (counted bookings, in the year of their first segment's local
    date), summed by the database. Only a first start on March 31 or April 1 (UTC) can fall in another fiscal
    year at its facility's local time: those few bookings are read one by one and dated here."""
    first = (
        select(
            BookingSegment.booking_id.label("booking_id"),
            func.min(BookingSegment.starts_at).label("first_at"),
        )
        .group_by(BookingSegment.booking_id)
        .subquery()
    )
    utc: Any = first.c.first_at
    if session.get_bind().dialect.name == "postgresql":
        utc = func.timezone("UTC", utc)  # timestamptz -> UTC wall time (EXTRACT would use the session's zone)
    year = cast(extract("year", utc), Integer)
    month = cast(extract("month", utc), Integer)
    day = cast(extract("day", utc), Integer)
    near = or_(and_(month == 3, day == 31), and_(month == 4, day == 1))
    fiscal = year - case((month < 4, 1), else_=0)
    # one row per fiscal year, except the bookings near April 1: one row each (their id), dated below
    per_booking = (
        select(
            fiscal.label("fy"),
            case((near, first.c.booking_id), else_=None).label("near_id"),
            first.c.first_at,
            Booking.headcount,
        )
        .select_from(first)
        .join(Booking, Booking.id == first.c.booking_id)
        .where(Booking.status.in_(list(tour_stats.COUNTED)))
        .subquery()
    )
    zone = (
        select(Facility.timezone)
        .join(BookingSegment, BookingSegment.facility_id == Facility.id)
        .where(BookingSegment.booking_id == per_booking.c.near_id)
        .order_by(BookingSegment.starts_at, BookingSegment.id)
        .limit(1)
        .correlate(per_booking)
        .scalar_subquery()
    )
    stmt = select(
        per_booking.c.fy,
        per_booking.c.near_id,
        func.min(per_booking.c.first_at),
        func.count(),
        func.sum(per_booking.c.headcount),
        zone,
    ).group_by(per_booking.c.fy, per_booking.c.near_id)
    years: dict[int, tuple[int, int]] = {}
    for fy, near_id, first_at, groups, visitors, tz in session.execute(stmt):
        if near_id is not None:
            fy = fiscal_year_of(_local_date(first_at, tz))
        old_visitors, old_groups = years.get(int(fy), (0, 0))
        years[int(fy)] = (old_visitors + int(visitors or 0), old_groups + int(groups))
    return years


def _member_figures(
    session: Session,
    *,
    project_ids: set[int],
    booking_ids: set[int],
    first_day: date | None,
    last_day: date | None,
) -> tuple[MemberFigures, ...]:
    # the members' names only (not every member organization as an ORM object)
    members = {
        r.id: r
        for r in session.execute(
            select(Organization.id, Organization.name_ja, Organization.name_en, Organization.name_kana).where(
                Organization.kind == OrganizationKind.MEMBER
            )
        )
    }
    if not members:
        return ()
    projects: dict[int, set[int]] = defaultdict(set)
    for project_id, org_id in session.execute(
        select(ProjectParticipant.project_id, ProjectParticipant.organization_id).where(
            ProjectParticipant.organization_id.in_(list(members))
        )
    ):
        if project_id in project_ids:
            projects[org_id].add(project_id)

    missions: dict[int, set[int]] = defaultdict(set)
    stmt = (
        select(
            Dispatch.id,
            Dispatch.departure_on,
            Employment.organization_id,
            Employment.started_on,
            Employment.ended_on,
        )
        .join(DispatchMember, DispatchMember.dispatch_id == Dispatch.id)
        .join(Employment, Employment.contact_id == DispatchMember.contact_id)
        .where(Dispatch.status.in_(list(COUNTED_STATUSES)), Employment.organization_id.in_(list(members)))
    )
    if first_day is not None and last_day is not None:
        stmt = stmt.where(Dispatch.departure_on >= first_day, Dispatch.departure_on <= last_day)
    for dispatch_id, departure, org_id, started, ended in session.execute(stmt):
        # the person worked for the company when the dispatch left (open-ended posts count)
        if (started is None or started <= departure) and (ended is None or ended >= departure):
            missions[org_id].add(dispatch_id)

    presentations: dict[int, set[int]] = defaultdict(set)
    for booking_id, org_id in session.execute(
        select(BookingPresenter.booking_id, BookingPresenter.organization_id)
        .join(Booking, Booking.id == BookingPresenter.booking_id)
        .where(BookingPresenter.organization_id.in_(list(members)))
    ):
        if booking_id in booking_ids:
            presentations[org_id].add(booking_id)

    rows = [
        MemberFigures(
            organization_id=org_id,
            name_ja=members[org_id].name_ja,
            name_en=members[org_id].name_en or members[org_id].name_ja,
            projects=len(projects.get(org_id, ())),
            missions=len(missions.get(org_id, ())),
            presentations=len(presentations.get(org_id, ())),
        )
        for org_id in set(projects) | set(missions) | set(presentations)
    ]
    reading = {org_id: members[org_id].name_kana or members[org_id].name_ja for org_id in members}
    rows.sort(key=lambda m: (-m.total, kana_sort_key(reading[m.organization_id])))
    return tuple(rows)
