"""Data of the fiscal-year progress report (年度進捗報告): projects by scheme and the stage they were in at the end
of the fiscal year (April-March), stage changes during the year, new local needs, linked dispatches and visits."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kawaoffice.model.dispatch import Dispatch
from kawaoffice.model.projects import Project, ProjectState, Scheme, StageEvent
from kawaoffice.model.tours import Booking
from kawaoffice.services import common as c
from kawaoffice.services.needs import NeedFilter, NeedRow, list_needs
from kawaoffice.services.projects import LinkedRecord, _local_day, staff_name


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


def _event(project: Project, e: StageEvent) -> ReportEvent:
    frm, to = e.from_stage, e.to_stage
    return ReportEvent(
        project_code=project.code,
        project_title_ja=project.title_ja,
        project_title_en=project.title_en or project.title_ja,
        occurred_on=e.occurred_on,
        from_stage_ja=frm.name_ja if frm else "",
        from_stage_en=(frm.name_en or frm.name_ja) if frm else "",
        to_stage_ja=to.name_ja if to else "",
        to_stage_en=(to.name_en or to.name_ja) if to else "",
        state=e.state,
        note=e.note,
        reason=e.reason,
    )


def progress_report(session: Session, fiscal_year: int) -> ProgressReport:
    """The report of ``fiscal_year`` (2019 = April 2019 to March 2020).

    A project is in the report when it had begun by the end of the year (first stage event or start date) and had
    not been completed or cancelled before the year began. Its stage and state are those at the end of the year,
    replayed from the stage history (the current stage for a project without history).
    """
    first, last = c.fiscal_year_range(fiscal_year)
    projects = session.scalars(
        select(Project)
        .options(
            selectinload(Project.events).selectinload(StageEvent.to_stage),
            selectinload(Project.events).selectinload(StageEvent.from_stage),
            selectinload(Project.stage),
            selectinload(Project.lead_staff),
        )
        .order_by(Project.code)
    ).all()
    dispatches: dict[int, list[LinkedRecord]] = defaultdict(list)
    for d in session.scalars(
        select(Dispatch)
        .where(Dispatch.project_id.is_not(None), Dispatch.departure_on <= last, Dispatch.return_on >= first)
        .order_by(Dispatch.departure_on, Dispatch.id)
    ):
        assert d.project_id is not None
        dispatches[d.project_id].append(
            LinkedRecord(
                d.id, d.code, d.title, d.title_en or d.title, d.departure_on, d.return_on, str(d.status)
            )
        )
    visits: dict[int, list[LinkedRecord]] = defaultdict(list)
    for b in session.scalars(
        select(Booking).where(Booking.project_id.is_not(None)).options(selectinload(Booking.segments))
    ):
        days = sorted(day for seg in b.segments if (day := _local_day(seg.starts_at)) is not None)
        if not days or not (first <= days[0] <= last):
            continue
        assert b.project_id is not None
        visits[b.project_id].append(
            LinkedRecord(
                b.id, b.code, b.group_name, b.group_name_en or b.group_name, days[0], days[-1], str(b.status)
            )
        )

    by_scheme: dict[int, list[ReportProject]] = defaultdict(list)
    changes: list[ReportEvent] = []
    for p in projects:
        events = sorted(p.events, key=lambda e: (e.occurred_on, e.id))
        before = [e for e in events if e.occurred_on < first]
        upto = [e for e in events if e.occurred_on <= last]
        began = events[0].occurred_on if events else (p.start_on or p.created_at.date())
        if began > last:
            continue
        if before and before[-1].state in (ProjectState.COMPLETED, ProjectState.CANCELLED):
            continue
        ended = p.state in (ProjectState.COMPLETED, ProjectState.CANCELLED)
        if not events and ended and p.end_on is not None and p.end_on < first:
            continue
        if upto:
            stage = upto[-1].to_stage
            state = upto[-1].state
        else:
            stage, state = p.stage, p.state
        in_year = tuple(_event(p, e) for e in events if first <= e.occurred_on <= last)
        changes.extend(in_year)
        lead_ja = staff_name(p.lead_staff)
        by_scheme[p.scheme_id].append(
            ReportProject(
                id=p.id,
                code=p.code,
                title_ja=p.title_ja,
                title_en=p.title_en or p.title_ja,
                country=p.country,
                lead_ja=lead_ja,
                lead_en=staff_name(p.lead_staff, english=True),
                stage_ja=stage.name_ja if stage else "",
                stage_en=(stage.name_en or stage.name_ja) if stage else "",
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
    schemes: list[ReportScheme] = []
    for scheme in session.scalars(select(Scheme).order_by(Scheme.position, Scheme.code)):
        rows = by_scheme.get(scheme.id)
        if not rows:
            continue
        groups: dict[tuple[int, str], list[ReportProject]] = defaultdict(list)
        names: dict[tuple[int, str], tuple[str, str]] = {}
        for r in rows:
            key = (r.stage_position, r.stage_ja)
            groups[key].append(r)
            names[key] = (r.stage_ja, r.stage_en)
        schemes.append(
            ReportScheme(
                scheme.code,
                scheme.name_ja,
                scheme.name_en or scheme.name_ja,
                tuple(ReportStage(names[k][0], names[k][1], tuple(groups[k])) for k in sorted(groups)),
            )
        )
    needs = tuple(
        sorted(list_needs(session, NeedFilter(since=first, until=last)), key=lambda n: (n.learned_on, n.id))
    )
    changes.sort(key=lambda e: (e.occurred_on, e.project_code))
    return ProgressReport(fiscal_year, first, last, tuple(schemes), tuple(changes), needs)
