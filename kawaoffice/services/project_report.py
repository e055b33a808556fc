"""Data of the fiscal-year progress report (年度進捗報告): projects by scheme and the stage they were in at the end
of the fiscal year (April-March), stage changes during the year, new local needs, linked dispatches and visits."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kawaoffice.model.dispatch import Dispatch, Staff
from kawaoffice.model.projects import Project, ProjectState, Scheme, SchemeStage, StageEvent
from kawaoffice.model.tours import Booking, BookingSegment
from kawaoffice.services import common as c
from kawaoffice.services.needs import NeedFilter, NeedRow, list_needs
from kawaoffice.services.projects import LinkedRecord, _local_day


@dataclass(frozen=True)
class ReportEvent:
    project_code: str
    project_title_ja: str
    project_title_en: str
    occurred_on: date
    from_stage_ja: str
    from_stage_en: str
    to_stage_ja: str
    to_stage_en: str
    state: ProjectState
    note: str
    reason: str


@dataclass(frozen=True)
class ReportProject:
    id: int
    code: str
    title_ja: str
    title_en: str
    country: str
    lead_ja: str
    lead_en: str
    stage_ja: str  # the stage at the end of the fiscal year ("" when none)
    stage_en: str
    stage_position: int
    state: ProjectState  # the state at the end of the fiscal year
    start_on: date | None
    end_on: date | None
    budget_yen: int | None
    events: tuple[ReportEvent, ...]  # stage changes during the year
    dispatches: tuple[LinkedRecord, ...]  # linked dispatches departing during the year
    visits: tuple[LinkedRecord, ...]  # linked visits during the year


@dataclass(frozen=True)
class ReportStage:
    name_ja: str
    name_en: str
    projects: tuple[ReportProject, ...]


@dataclass(frozen=True)
class ReportScheme:
    code: str
    name_ja: str
    name_en: str
    stages: tuple[ReportStage, ...]

    @property
    def project_count(self) -> int:
        return sum(len(s.projects) for s in self.stages)


@dataclass(frozen=True)
class ProgressReport:
    fiscal_year: int
    first_day: date
    last_day: date
    schemes: tuple[ReportScheme, ...]
    stage_changes: tuple[ReportEvent, ...]
    new_needs: tuple[NeedRow, ...]

    @property
    def projects(self) -> tuple[ReportProject, ...]:
        return tuple(p for s in self.schemes for st in s.stages for p in st.projects)


_TOKYO = ZoneInfo("Asia/Tokyo")  # the office's dates of linked visits (as services.projects._local_day)
_ENDED = (ProjectState.COMPLETED, ProjectState.CANCELLED)


@dataclass(frozen=True)
class _Stage:
    name_ja: str
    name_en: str  # the Japanese name when there is no English one
    position: int


@dataclass(frozen=True)
class _Event:
    id: int
    occurred_on: date
    from_stage: _Stage | None
    to_stage: _Stage | None
    state: ProjectState
    note: str
    reason: str


@dataclass
class _Project:
    """A project as the report needs it: plain columns, its lead's names, its stage events in order."""

    id: int
    code: str
    title_ja: str
    title_en: str
    scheme_id: int
    stage: _Stage | None
    state: ProjectState
    country: str
    start_on: date | None
    end_on: date | None
    budget_yen: int | None
    created_on: date
    lead_ja: str
    lead_en: str
    events: list[_Event]
    event_days: list[date]  # occurred_on of ``events`` (sorted by (occurred_on, id)), for bisection


def _event(project: _Project, e: _Event) -> ReportEvent:
    frm, to = e.from_stage, e.to_stage
    return ReportEvent(
        project_code=project.code,
        project_title_ja=project.title_ja,
        project_title_en=project.title_en or project.title_ja,
        occurred_on=e.occurred_on,
        from_stage_ja=frm.name_ja if frm else "",
        from_stage_en=frm.name_en if frm else "",
        to_stage_ja=to.name_ja if to else "",
        to_stage_en=to.name_en if to else "",
        state=e.state,
        note=e.note,
        reason=e.reason,
    )


def _fiscal_years_between(first: date, last: date) -> range:
    return range(c.fiscal_year_of(first), c.fiscal_year_of(last) + 1)


def progress_report(session: Session, fiscal_year: int) -> ProgressReport:
    """The report of ``fiscal_year`` (2019 = April 2019 to March 2020).

    A project is in the report when it had begun by the end of the year (first stage event or start date) and had
    not been completed or cancelled before the year began. Its stage and state are those at the end of the year,
    replayed from the stage history (the current stage for a project without history).
    """
    return progress_reports(session, [fiscal_year])[0]


def progress_reports(session: Session, fiscal_years: Iterable[int]) -> list[ProgressReport]:
    """The reports of several fiscal years (in the order given), each the same as :func:`progress_report` gives,
    from one reading of the data: plain columns (no ORM objects), the linked visits' first and last segment by
    the database, the dispatches, visits and needs of the years' whole span only."""
    years = list(fiscal_years)
    if not years:
        return []
    span_first = c.fiscal_year_range(min(years))[0]
    span_last = c.fiscal_year_range(max(years))[1]

    stages = {
        r.id: _Stage(r.name_ja, r.name_en or r.name_ja, r.position)
        for r in session.execute(
            select(SchemeStage.id, SchemeStage.name_ja, SchemeStage.name_en, SchemeStage.position)
        )
    }
    projects: dict[int, _Project] = {}
    for er in session.execute(
        select(
            Project.id,
            Project.code,
            Project.title_ja,
            Project.title_en,
            Project.scheme_id,
            Project.stage_id,
            Project.state,
            Project.country,
            Project.start_on,
            Project.end_on,
            Project.budget_yen,
            Project.created_at,
            Staff.family_name,
            Staff.given_name,
            Staff.name_en,
        )
        .outerjoin(Staff, Staff.id == Project.lead_staff_id)
        .order_by(Project.code)
    ):
        # services.projects.staff_name, from the columns
        lead_ja = f"{er.family_name} {er.given_name}".strip() if er.family_name is not None else ""
        projects[er.id] = _Project(
            id=er.id,
            code=er.code,
            title_ja=er.title_ja,
            title_en=er.title_en,
            scheme_id=er.scheme_id,
            stage=stages.get(er.stage_id) if er.stage_id is not None else None,
            state=er.state,
            country=er.country,
            start_on=er.start_on,
            end_on=er.end_on,
            budget_yen=er.budget_yen,
            created_on=er.created_at.date(),
            lead_ja=lead_ja,
            lead_en=(er.name_en or lead_ja) if er.family_name is not None else "",
            events=[],
            event_days=[],
        )
    for dr in session.execute(
        select(
            StageEvent.id,
            StageEvent.project_id,
            StageEvent.occurred_on,
            StageEvent.from_stage_id,
            StageEvent.to_stage_id,
            StageEvent.state,
            StageEvent.note,
            StageEvent.reason,
        ).order_by(StageEvent.occurred_on, StageEvent.id)
    ):
        project = projects.get(dr.project_id)
        if project is None:
            continue
        project.events.append(
            _Event(
                dr.id,
                dr.occurred_on,
                stages.get(dr.from_stage_id) if dr.from_stage_id is not None else None,
                stages.get(dr.to_stage_id) if dr.to_stage_id is not None else None,
                dr.state,
                dr.note,
                dr.reason,
            )
        )
        project.event_days.append(dr.occurred_on)

    # linked dispatches away during a year: listed in every year they overlap, by departure
    dispatches: dict[int, dict[int, list[LinkedRecord]]] = defaultdict(lambda: defaultdict(list))
    wanted = set(years)
    for br in session.execute(
        select(
            Dispatch.id,
            Dispatch.project_id,
            Dispatch.code,
            Dispatch.title,
            Dispatch.title_en,
            Dispatch.departure_on,
            Dispatch.return_on,
            Dispatch.status,
        )
        .where(
            Dispatch.project_id.is_not(None),
            Dispatch.departure_on <= span_last,
            Dispatch.return_on >= span_first,
        )
        .order_by(Dispatch.departure_on, Dispatch.id)
    ):
        record = LinkedRecord(
            br.id, br.code, br.title, br.title_en or br.title, br.departure_on, br.return_on, str(br.status)
        )
        assert br.project_id is not None
        for fy in _fiscal_years_between(
            min(br.departure_on, br.return_on), max(br.departure_on, br.return_on)
        ):
            fy_first, fy_last = c.fiscal_year_range(fy)
            if fy in wanted and br.departure_on <= fy_last and br.return_on >= fy_first:
                dispatches[fy][br.project_id].append(record)

    # linked visits: in the year of their first segment's local date; first and last start from the database
    first_start = func.min(BookingSegment.starts_at)
    last_start = func.max(BookingSegment.starts_at)
    low = datetime.combine(span_first, time(), _TOKYO)
    high = datetime.combine(span_last + timedelta(days=1), time(), _TOKYO)
    visits: dict[int, dict[int, list[LinkedRecord]]] = defaultdict(lambda: defaultdict(list))
    for vr in session.execute(
        select(
            Booking.id,
            Booking.project_id,
            Booking.code,
            Booking.group_name,
            Booking.group_name_en,
            Booking.status,
            first_start.label("first_start"),
            last_start.label("last_start"),
        )
        .join(BookingSegment, BookingSegment.booking_id == Booking.id)
        .where(Booking.project_id.is_not(None))
        .group_by(Booking.id)
        .having(first_start >= low, first_start < high)
        .order_by(Booking.id)
    ):
        first_day, last_day = _local_day(vr.first_start), _local_day(vr.last_start)
        if first_day is None or not (span_first <= first_day <= span_last):
            continue
        assert vr.project_id is not None
        visits[c.fiscal_year_of(first_day)][vr.project_id].append(
            LinkedRecord(
                vr.id,
                vr.code,
                vr.group_name,
                vr.group_name_en or vr.group_name,
                first_day,
                last_day,
                str(vr.status),
            )
        )

    schemes = list(
        session.execute(
            select(Scheme.id, Scheme.code, Scheme.name_ja, Scheme.name_en).order_by(
                Scheme.position, Scheme.code
            )
        )
    )
    needs = sorted(
        list_needs(session, NeedFilter(since=span_first, until=span_last)), key=lambda n: (n.learned_on, n.id)
    )
    return [
        _year_report(fy, projects.values(), dispatches.get(fy, {}), visits.get(fy, {}), schemes, needs)
        for fy in years
    ]


def _year_report(
    fiscal_year: int,
    projects: Iterable[_Project],
    dispatches: dict[int, list[LinkedRecord]],
    visits: dict[int, list[LinkedRecord]],
    schemes: Sequence[Any],
    needs: Sequence[NeedRow],
) -> ProgressReport:
    first, last = c.fiscal_year_range(fiscal_year)
    by_scheme: dict[int, list[ReportProject]] = defaultdict(list)
    changes: list[ReportEvent] = []
    for p in projects:  # by code
        events, days = p.events, p.event_days
        n_before = bisect_left(days, first)  # events before the year
        n_upto = bisect_right(days, last)  # events up to its end
        began = days[0] if days else (p.start_on or p.created_on)
        if began > last:
            continue
        if n_before and events[n_before - 1].state in _ENDED:
            continue
        if not events and p.state in _ENDED and p.end_on is not None and p.end_on < first:
            continue
        if n_upto:
            stage: _Stage | None = events[n_upto - 1].to_stage
            state = events[n_upto - 1].state
        else:
            stage, state = p.stage, p.state
        in_year = tuple(_event(p, e) for e in events[n_before:n_upto])
        changes.extend(in_year)
        by_scheme[p.scheme_id].append(
            ReportProject(
                id=p.id,
                code=p.code,
                title_ja=p.title_ja,
                title_en=p.title_en or p.title_ja,
                country=p.country,
                lead_ja=p.lead_ja,
                lead_en=p.lead_en,
                stage_ja=stage.name_ja if stage else "",
                stage_en=stage.name_en if stage else "",
                stage_position=stage.position if stage else -1,
                state=state,
                start_on=p.start_on,
                end_on=p.end_on,
                budget_yen=p.budget_yen,
                events=in_year,
                dispatches=tuple(dispatches.get(p.id, ())),
                visits=tuple(visits.get(p.id, ())),
            )
        )
    out: list[ReportScheme] = []
    for scheme in schemes:
        rows = by_scheme.get(scheme.id)
        if not rows:
            continue
        groups: dict[tuple[int, str], list[ReportProject]] = defaultdict(list)
        names: dict[tuple[int, str], tuple[str, str]] = {}
        for r in rows:
            key = (r.stage_position, r.stage_ja)
            groups[key].append(r)
            names[key] = (r.stage_ja, r.stage_en)
        out.append(
            ReportScheme(
                scheme.code,
                scheme.name_ja,
                scheme.name_en or scheme.name_ja,
                tuple(ReportStage(names[k][0], names[k][1], tuple(groups[k])) for k in sorted(groups)),
            )
        )
    year_needs = tuple(n for n in needs if first <= n.learned_on <= last)
    changes.sort(key=lambda e: (e.occurred_on, e.project_code))
    return ProgressReport(fiscal_year, first, last, tuple(out), tuple(changes), year_needs)
