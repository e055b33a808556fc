"""Project stages: schemes and their stage templates, projects moving through stages, participants, SDG and DAC
tags, and local needs passed on to member companies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    Date,
    Integer,
    String,
    bindparam,
    case,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
    union,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased, selectinload
from sqlalchemy.sql.functions import FunctionElement

from kawaoffice.i18n import _, current_language, ngettext
from kawaoffice.model.base import UTCDateTime
from kawaoffice.model.dispatch import DISPATCH_STATUS_LABELS, Dispatch, DispatchStatus, Staff
from kawaoffice.model.partners import Organization, Technology
from kawaoffice.model.projects import (
    PROJECT_STATE_IATI_STATUS,
    PROJECT_STATE_LABELS,
    LocalNeed,
    NeedSource,
    NeedTechnology,
    Project,
    ProjectParticipant,
    ProjectSdgTarget,
    ProjectSector,
    ProjectState,
    Scheme,
    SchemeStage,
    StageEvent,
)
from kawaoffice.model.reference import DAC_SECTORS, SDG6_TARGETS
from kawaoffice.model.tours import BOOKING_STATUS_LABELS, Booking, BookingSegment, BookingStatus
from kawaoffice.services import common as c
from kawaoffice.services import permissions
from kawaoffice.services.errors import NotFoundError, ServiceError, ValidationError
from kawaoffice.services.overview import ProjectRow

# --- schemes ---------------------------------------------------------------------------------------------

_scheme_code_unique = c.unique_validator("code")


def _validate_scheme(session: Session, values: dict[str, Any], obj: Scheme | None) -> dict[str, Any]:
    c.require_present(values, obj, "code", "name_ja")
    c.texts(Scheme, values, required=("code", "name_ja"), optional=("name_en", "description"))
    if "position" in values:
        c.int_range("position", values["position"], 0)
    _scheme_code_unique(session, values, obj, Scheme)
    return values


def create_scheme(session: Session, *, code: str, name_ja: str, **values: Any) -> Scheme:
    """Optional: name_en, position, active, description."""
    return c.create_entity(session, Scheme, {"code": code, "name_ja": name_ja, **values}, _validate_scheme)


def get_scheme(session: Session, scheme_id: int) -> Scheme:
    return c.get_entity(session, Scheme, scheme_id)


def update_scheme(session: Session, scheme_id: int, expected_version: int, **changes: Any) -> Scheme:
    return c.update_entity(session, Scheme, scheme_id, expected_version, changes, _validate_scheme)


def delete_scheme(session: Session, scheme_id: int, expected_version: int | None = None) -> None:
    c.delete_entity(session, Scheme, scheme_id, expected_version)


def list_schemes(session: Session) -> list[Scheme]:
    return list(session.scalars(select(Scheme).order_by(Scheme.position, Scheme.code)))


_stage_code_unique = c.unique_validator("code", "scheme_id")


def _validate_stage(session: Session, values: dict[str, Any], obj: SchemeStage | None) -> dict[str, Any]:
    c.require_present(values, obj, "scheme_id", "code", "name_ja", "position")
    if "scheme_id" in values:
        c.reference(session, Scheme, "scheme_id", values["scheme_id"])
    c.texts(SchemeStage, values, required=("code", "name_ja"), optional=("name_en",))
    if "position" in values:
        c.int_range("position", values["position"], 0)
    if "iati_status" in values:
        c.int_range("iati_status", values["iati_status"], 1, 6)
    _stage_code_unique(session, values, obj, SchemeStage)
    return values


def create_scheme_stage(
    session: Session,
    *,
    scheme_id: int,
    code: str,
    name_ja: str,
    position: int,
    name_en: str = "",
    iati_status: int = 1,
) -> SchemeStage:
    values = {
        "scheme_id": scheme_id,
        "code": code,
        "name_ja": name_ja,
        "name_en": name_en,
        "position": position,
        "iati_status": iati_status,
    }
    stage = c.create_entity(session, SchemeStage, values, _validate_stage)
    session.refresh(stage.scheme, ["stages"])
    return stage


def get_scheme_stage(session: Session, stage_id: int) -> SchemeStage:
    return c.get_entity(session, SchemeStage, stage_id)


def update_scheme_stage(
    session: Session, stage_id: int, expected_version: int, **changes: Any
) -> SchemeStage:
    return c.update_entity(session, SchemeStage, stage_id, expected_version, changes, _validate_stage)


def check_stage_deletable(session: Session, stage_id: int) -> None:
    """Refuse (``ServiceError``) to delete a stage that projects are in now: they would lose their place."""
    stage = get_scheme_stage(session, stage_id)
    in_use = stage_in_use(session, stage_id)
    if in_use:
        name = stage.name_ja if current_language() == "ja" or not stage.name_en else stage.name_en
        raise ServiceError(
            ngettext(
                "{n} project is in the stage {name}; move it to another stage first.",
                "{n} projects are in the stage {name}; move them to another stage first.",
                in_use,
            ).format(n=in_use, name=name)
        )


def delete_scheme_stage(session: Session, stage_id: int, expected_version: int | None = None) -> None:
    check_stage_deletable(session, stage_id)
    c.delete_entity(session, SchemeStage, stage_id, expected_version)


# --- projects --------------------------------------------------------------------------------------------

_project_code_unique = c.unique_validator("code")


def _validate_project(session: Session, values: dict[str, Any], obj: Project | None) -> dict[str, Any]:
    c.require_present(values, obj, "code", "title_ja", "scheme_id")
    c.texts(
        Project,
        values,
        required=("code", "title_ja"),
        optional=("title_en", "region", "description", "next_action"),
    )
    if "scheme_id" in values:
        c.reference(session, Scheme, "scheme_id", values["scheme_id"])
        if obj is not None and values["scheme_id"] != obj.scheme_id and "stage_id" not in values:
            values["stage_id"] = None  # the old stage belongs to the old scheme's template
    if values.get("stage_id") is not None:
        c.reference(session, SchemeStage, "stage_id", values["stage_id"])
        stage = session.get(SchemeStage, values["stage_id"])
        if stage is not None and stage.scheme_id != c.current(values, obj, "scheme_id"):
            raise ValidationError("stage_id", _("This stage does not belong to the project's scheme."))
    if "state" in values:
        values["state"] = c.enum_value("state", ProjectState, values["state"])
    if "country" in values:
        values["country"] = c.country("country", values["country"], required=False)
    if values.get("counterpart_id") is not None:
        c.reference(session, Organization, "counterpart_id", values["counterpart_id"])
    if values.get("lead_staff_id") is not None:
        c.reference(session, Staff, "lead_staff_id", values["lead_staff_id"])
    for field in ("start_on", "end_on", "next_action_on"):
        if field in values:
            c.date_value(field, values[field], required=False)
    c.ordered_dates(
        "start_on", c.current(values, obj, "start_on"), "end_on", c.current(values, obj, "end_on")
    )
    if values.get("budget_yen") is not None:
        c.int_range("budget_yen", values["budget_yen"], 0)
    _project_code_unique(session, values, obj, Project)
    return values


def create_project(session: Session, *, code: str, title_ja: str, scheme_id: int, **values: Any) -> Project:
    """Optional: title_en, stage_id, state, country, region, counterpart_id, lead_staff_id, start_on, end_on,
    budget_yen, description, next_action, next_action_on. Stage changes later go through ``move_project_stage``."""
    data = {"code": code, "title_ja": title_ja, "scheme_id": scheme_id, **values}
    return c.create_entity(session, Project, data, _validate_project)


def get_project(session: Session, project_id: int) -> Project:
    return c.get_entity(session, Project, project_id)


def update_project(session: Session, project_id: int, expected_version: int, **changes: Any) -> Project:
    return c.update_entity(session, Project, project_id, expected_version, changes, _validate_project)


def delete_project(session: Session, project_id: int, expected_version: int | None = None) -> None:
    c.delete_entity(session, Project, project_id, expected_version)


def move_project_stage(
    session: Session,
    project_id: int,
    expected_version: int,
    *,
    to_stage_id: int | None,
    occurred_on: date,
    state: ProjectState = ProjectState.ACTIVE,
    note: str = "",
    reason: str = "",
) -> StageEvent:
    """Move a project to a stage of its scheme (forward, skipping stages, is fine) and/or to an end state.

    Moving back to an earlier stage needs a ``reason`` (``ValidationError("reason")`` without one). The move is
    recorded as a ``StageEvent``.
    """
    project = get_project(session, project_id)
    c.check_version(project, expected_version)
    state = c.enum_value("state", ProjectState, state)
    c.date_value("occurred_on", occurred_on)
    note = c.optional_text("note", note)
    reason = c.optional_text("reason", reason)
    target: SchemeStage | None = None
    if to_stage_id is not None:
        c.reference(session, SchemeStage, "to_stage_id", to_stage_id)
        target = session.get(SchemeStage, to_stage_id)
        assert target is not None
        if target.scheme_id != project.scheme_id:
            raise ValidationError("to_stage_id", _("This stage does not belong to the project's scheme."))
    current = session.get(SchemeStage, project.stage_id) if project.stage_id is not None else None
    if target is not None and current is not None and target.position < current.position and not reason:
        raise ValidationError("reason", _("Moving a project back to an earlier stage needs a reason."))
    if target is None and current is None and state == project.state:
        raise ValidationError("to_stage_id", _("Choose the stage the project moves to."))
    if (target is None or target.id == project.stage_id) and state == project.state:
        raise ValidationError("to_stage_id", _("The project is already in this stage."))
    if (
        project.state in (ProjectState.COMPLETED, ProjectState.CANCELLED)
        and state != project.state
        and not reason
    ):
        raise ValidationError("reason", _("Reopening a completed or cancelled project needs a reason."))
    event = StageEvent(
        project=project,
        from_stage_id=project.stage_id,
        to_stage_id=to_stage_id if target is not None else project.stage_id,
        state=state,
        occurred_on=occurred_on,
        note=note,
        reason=reason,
    )
    session.add(event)
    if target is not None:
        project.stage = target
    project.state = state
    c.flush(session)
    return event


def delete_stage_event(session: Session, event_id: int, expected_version: int | None = None) -> None:
    c.delete_entity(session, StageEvent, event_id, expected_version)


# --- participants ----------------------------------------------------------------------------------------


def _validate_participant(
    session: Session, values: dict[str, Any], obj: ProjectParticipant | None
) -> dict[str, Any]:
    c.require_present(values, obj, "project_id", "organization_id", "role")
    if "project_id" in values:
        c.reference(session, Project, "project_id", values["project_id"])
    if "organization_id" in values:
        c.reference(session, Organization, "organization_id", values["organization_id"])
    if "role" in values:
        values["role"] = int(c.int_range("role", values["role"], 1, 4))
    c.texts(ProjectParticipant, values, optional=("note",))
    if {"role", "organization_id"} & set(values):
        c.ensure_unique(
            session,
            ProjectParticipant,
            "role",
            c.current(values, obj, "role"),
            obj.id if obj is not None else None,
            project_id=c.current(values, obj, "project_id"),
            organization_id=c.current(values, obj, "organization_id"),
        )
    return values


def add_participant(
    session: Session, *, project_id: int, organization_id: int, role: int, note: str = ""
) -> ProjectParticipant:
    """An organization with its IATI OrganisationRole: 1 funding, 2 accountable, 3 extending, 4 implementing."""
    values = {"project_id": project_id, "organization_id": organization_id, "role": role, "note": note}
    return c.create_entity(session, ProjectParticipant, values, _validate_participant)


def get_participant(session: Session, participant_id: int) -> ProjectParticipant:
    return c.get_entity(session, ProjectParticipant, participant_id)


def update_participant(
    session: Session, participant_id: int, expected_version: int, **changes: Any
) -> ProjectParticipant:
    return c.update_entity(
        session, ProjectParticipant, participant_id, expected_version, changes, _validate_participant
    )


def remove_participant(session: Session, participant_id: int, expected_version: int | None = None) -> None:
    c.delete_entity(session, ProjectParticipant, participant_id, expected_version)


# --- SDG targets and DAC sectors ----------------------------------------------------------------------------


def _children_changed(record: Project | LocalNeed) -> None:
    """A change of a project's SDG targets or sectors (a need's technologies) is a change of the project (need):
    its row is updated, so its version moves and an edit dialog opened before it meets the stale-edit conflict on
    saving instead of putting the old ones back."""
    record.updated_at = datetime.now(UTC)


def set_sdg_targets(session: Session, project_id: int, targets: Iterable[str]) -> list[ProjectSdgTarget]:
    """Replace the project's SDG 6 targets (keys of ``reference.SDG6_TARGETS``: 6.1 ... 6.b)."""
    project = get_project(session, project_id)
    wanted = []
    for target in targets:
        code = c.code_in("sdg_targets", target, SDG6_TARGETS)
        if code is not None and code not in wanted:
            wanted.append(code)
    changed = False
    for row in list(project.sdg_targets):
        if row.target not in wanted:
            project.sdg_targets.remove(row)
            changed = True
    have = {row.target for row in project.sdg_targets}
    for code in wanted:
        if code not in have:
            project.sdg_targets.append(ProjectSdgTarget(target=code))
            changed = True
    if changed:
        _children_changed(project)
    c.flush(session)
    return sorted(project.sdg_targets, key=lambda r: r.target)


def set_sectors(session: Session, project_id: int, sectors: dict[str, int | None]) -> list[ProjectSector]:
    """Replace the project's OECD DAC sectors: ``{dac_code: percentage or None}`` (percentages total at most 100)."""
    project = get_project(session, project_id)
    wanted: dict[str, int | None] = {}
    for code, percentage in sectors.items():
        key = c.code_in("sectors", code, DAC_SECTORS)
        assert key is not None
        wanted[key] = None if percentage is None else c.int_range("sectors", percentage, 0, 100)
    if sum(p for p in wanted.values() if p is not None) > 100:
        raise ValidationError("sectors", _("The sector percentages add up to more than 100."))
    changed = False
    for row in list(project.sectors):
        if row.dac_code not in wanted:
            project.sectors.remove(row)
            changed = True
    have = {row.dac_code: row for row in project.sectors}
    for code, percentage in wanted.items():
        if code in have:
            if have[code].percentage != percentage:
                have[code].percentage = percentage
                changed = True
        else:
            project.sectors.append(ProjectSector(dac_code=code, percentage=percentage))
            changed = True
    if changed:
        _children_changed(project)
    c.flush(session)
    return sorted(project.sectors, key=lambda r: r.dac_code)


# --- local needs ---------------------------------------------------------------------------------------------


def _validate_need(session: Session, values: dict[str, Any], obj: LocalNeed | None) -> dict[str, Any]:
    c.require_present(values, obj, "country", "topic", "learned_on")
    if "country" in values:
        values["country"] = c.country("country", values["country"])
    c.texts(LocalNeed, values, required=("topic",), optional=("description",))
    if "dac_code" in values:
        values["dac_code"] = c.code_in("dac_code", values["dac_code"], DAC_SECTORS, required=False)
    if "source" in values:
        values["source"] = c.enum_value("source", NeedSource, values["source"])
    if values.get("counterpart_id") is not None:
        c.reference(session, Organization, "counterpart_id", values["counterpart_id"])
    if values.get("project_id") is not None:
        c.reference(session, Project, "project_id", values["project_id"])
    for field in ("learned_on", "passed_on"):
        if field in values:
            c.date_value(field, values[field], required=field == "learned_on")
    c.ordered_dates(
        "learned_on", c.current(values, obj, "learned_on"), "passed_on", c.current(values, obj, "passed_on")
    )
    return values


def create_local_need(
    session: Session,
    *,
    country: str,
    topic: str,
    learned_on: date,
    technology_ids: Iterable[int] = (),
    **values: Any,
) -> LocalNeed:
    """Optional: description, dac_code, source, counterpart_id, project_id, dispatch_id, booking_id, passed_on."""
    data = {"country": country, "topic": topic, "learned_on": learned_on, **values}
    need = c.create_entity(session, LocalNeed, data, _validate_need)
    if technology_ids:
        set_need_technologies(session, need.id, technology_ids)
    return need


def get_local_need(session: Session, need_id: int) -> LocalNeed:
    return c.get_entity(session, LocalNeed, need_id)


def update_local_need(session: Session, need_id: int, expected_version: int, **changes: Any) -> LocalNeed:
    return c.update_entity(session, LocalNeed, need_id, expected_version, changes, _validate_need)


def delete_local_need(session: Session, need_id: int, expected_version: int | None = None) -> None:
    c.delete_entity(session, LocalNeed, need_id, expected_version)


def set_need_technologies(
    session: Session, need_id: int, technology_ids: Iterable[int]
) -> list[NeedTechnology]:
    """Replace the technologies a need calls for."""
    need = get_local_need(session, need_id)
    wanted: list[int] = []
    for tech_id in technology_ids:
        c.reference(session, Technology, "technology_ids", tech_id)
        if tech_id not in wanted:
            wanted.append(tech_id)
    changed = False
    for row in list(need.technologies):
        if row.technology_id not in wanted:
            need.technologies.remove(row)
            changed = True
    have = {row.technology_id for row in need.technologies}
    for tech_id in wanted:
        if tech_id not in have:
            need.technologies.append(NeedTechnology(technology_id=tech_id))
            changed = True
    if changed:
        _children_changed(need)
    c.flush(session)
    return list(need.technologies)


# --- standard scheme templates ---------------------------------------------------------------------------------

# code, name_ja, name_en, [(stage code, name_ja, name_en, IATI activity status)]
StageTemplate = tuple[str, str, str, int]
WATER_BIZ_STAGES: tuple[StageTemplate, ...] = (
    ("NEEDS", "ニーズ把握", "Needs identification", 1),
    ("SCHEME", "スキーム構築・実施可能性調査", "Scheme building and feasibility study", 1),
    ("IMPLEMENT", "事業実施", "Implementation", 2),
)
GRASSROOTS_STAGES: tuple[StageTemplate, ...] = (
    ("PROPOSAL", "提案・採択", "Proposal and selection", 1),
    ("CONTRACT", "契約・事業計画", "Contract and work plan", 1),
    ("IMPLEMENT", "事業実施", "Implementation", 2),
    ("REPORT", "完了報告", "Completion report", 3),
)
STANDARD_SCHEMES: tuple[tuple[str, str, str, tuple[StageTemplate, ...]], ...] = (
    ("WATER_BIZ", "水ビジネスの流れ(かわBizネット)", "Water business flow (Kawa Biz Net)", WATER_BIZ_STAGES),
    (
        "JICA_TCP",
        "JICA技術協力プロジェクト",
        "JICA technical cooperation project",
        (
            ("REQUEST", "要請・案件形成", "Request and formulation", 1),
            ("DETAILED", "詳細計画策定・R/D署名", "Detailed planning and R/D", 1),
            ("IMPLEMENT", "プロジェクト実施", "Implementation", 2),
            ("EVALUATION", "終了時評価", "Terminal evaluation", 3),
        ),
    ),
    (
        "JICA_GRASS_SUPPORT",
        "JICA草の根技術協力事業(支援型)",
        "JICA grassroots technical cooperation (support type)",
        GRASSROOTS_STAGES,
    ),
    (
        "JICA_GRASS_PARTNER",
        "JICA草の根技術協力事業(パートナー型)",
        "JICA grassroots technical cooperation (partner type)",
        GRASSROOTS_STAGES,
    ),
    (
        "JICA_GRASS_REGIONAL",
        "JICA草の根技術協力事業(地域活性型)",
        "JICA grassroots technical cooperation (regional revitalization type)",
        GRASSROOTS_STAGES,
    ),
    (
        "JICA_SME",
        "JICA中小企業・SDGsビジネス支援事業",
        "JICA SME/SDGs business support",
        (
            ("APPLICATION", "応募・採択", "Application and selection", 1),
            ("NEEDS_SURVEY", "ニーズ確認調査", "Needs confirmation survey", 2),
            ("DEMONSTRATION", "ビジネス化実証事業", "Business demonstration", 2),
            ("BUSINESS", "事業化", "Commercialization", 3),
        ),
    ),
    (
        "MLIT_DEMO",
        "下水道技術海外実証事業(国土交通省)",
        "MLIT overseas demonstration of sewerage technology",
        (
            ("APPLICATION", "公募・採択", "Call and selection", 1),
            ("DEMONSTRATION", "現地実証", "Field demonstration", 2),
            ("REPORT", "成果報告・普及", "Report and dissemination", 3),
        ),
    ),
    (
        "MINISTRY_SURVEY",
        "省庁委託調査",
        "Ministry commissioned survey",
        (
            ("AWARD", "受注", "Contract award", 1),
            ("SURVEY", "調査実施", "Survey", 2),
            ("REPORT", "報告書提出", "Report submission", 3),
        ),
    ),
    (
        "CITY_TO_CITY",
        "都市間連携",
        "City-to-city cooperation",
        (
            ("CONTACT", "関係構築", "Building relations", 1),
            ("MOU", "覚書締結", "Memorandum of understanding", 1),
            ("EXCHANGE", "技術交流", "Technical exchange", 2),
        ),
    ),
    (
        "OTHER",
        "その他",
        "Other",
        (
            ("START", "準備", "Preparation", 1),
            ("ONGOING", "実施", "Implementation", 2),
        ),
    ),
)


def ensure_standard_schemes(session: Session) -> int:
    """Create the standard schemes (and their stage templates) that are missing; returns how many were created.

    Schemes that exist (by code) are left as the admin edited them: templates are data."""
    existing = {s.code for s in session.scalars(select(Scheme))}
    if all(code in existing for code, *_rest in STANDARD_SCHEMES):
        return 0
    with permissions.as_system(
        session
    ):  # seeding the built-in templates is the system's, whoever opens first
        return _create_standard_schemes(session, existing)


def _create_standard_schemes(session: Session, existing: set[str]) -> int:
    created = 0
    last = session.scalar(select(func.max(Scheme.position))) or 0
    for position, (code, name_ja, name_en, stages) in enumerate(STANDARD_SCHEMES):
        if code in existing:
            continue
        scheme = Scheme(code=code, name_ja=name_ja, name_en=name_en, position=max(position, last + 1))
        for i, (s_code, s_ja, s_en, iati) in enumerate(stages):
            scheme.stages.append(
                SchemeStage(code=s_code, name_ja=s_ja, name_en=s_en, position=i, iati_status=iati)
            )
        session.add(scheme)
        created += 1
    c.flush(session)
    return created


def move_scheme_stage_position(session: Session, stage_id: int, offset: int) -> list[SchemeStage]:
    """Move a stage ``offset`` places up (-1) or down (+1) in its template; returns the stages in their new order."""
    stage = get_scheme_stage(session, stage_id)
    stages = sorted(stage.scheme.stages, key=lambda s: (s.position, s.id))
    index = stages.index(stage)
    new_index = min(max(index + offset, 0), len(stages) - 1)
    if new_index != index:
        stages.insert(new_index, stages.pop(index))
    for position, st in enumerate(stages):
        if st.position != position:
            st.position = position
    c.flush(session)
    session.expire(stage.scheme, ["stages"])
    return stages


def stage_in_use(session: Session, stage_id: int) -> int:
    """How many projects are in this stage now (a used stage cannot be deleted)."""
    return int(
        session.scalar(select(func.count()).select_from(Project).where(Project.stage_id == stage_id)) or 0
    )


# --- projects: creation with a first stage, listing, board, detail ---------------------------------------------


def create_project_in_stage(
    session: Session,
    *,
    code: str,
    title_ja: str,
    scheme_id: int,
    stage_id: int | None,
    entered_on: date,
    note: str = "",
    **values: Any,
) -> Project:
    """A new project put into its first stage, with that first move recorded in the stage history."""
    project = create_project(session, code=code, title_ja=title_ja, scheme_id=scheme_id, **values)
    if stage_id is not None:
        move_project_stage(
            session, project.id, project.version, to_stage_id=stage_id, occurred_on=entered_on, note=note
        )
    return project


def staff_name(staff: Staff | None, *, english: bool = False) -> str:
    if staff is None:
        return ""
    if english and staff.name_en:
        return staff.name_en
    return f"{staff.family_name} {staff.given_name}".strip()


@dataclass(frozen=True)
class ProjectFilter:
    """Filters of the projects table; None / "" means any."""

    scheme_id: int | None = None
    stage_id: int | None = None
    country: str = ""
    sdg_target: str = ""
    fiscal_year: int | None = None
    state: ProjectState | None = None
    text: str = ""


@dataclass(frozen=True)
class ProjectListRow(ProjectRow):
    """The overview row plus what the projects tab and board show: lead, next action, time in stage, SDGs."""

    lead_ja: str = ""
    lead_en: str = ""
    next_action: str = ""
    next_action_on: date | None = None
    entered_on: date | None = None  # when the project entered its current stage (or state)
    sdg_targets: tuple[str, ...] = ()
    version: int = 1

    def days_in_stage(self, today: date) -> int | None:
        return None if self.entered_on is None else max((today - self.entered_on).days, 0)

    def overdue(self, today: date) -> bool:
        return (
            self.state == ProjectState.ACTIVE
            and self.next_action_on is not None
            and self.next_action_on < today
        )


SDG_SEPARATOR = "|"  # SDG 6 targets are codes like 6.1 or 6.a


def _first_event_on() -> Any:
    return (
        select(func.min(StageEvent.occurred_on))
        .where(StageEvent.project_id == Project.id)
        .correlate(Project)
        .scalar_subquery()
    )


def _filtered(stmt: Any, filters: ProjectFilter) -> Any:
    if filters.scheme_id is not None:
        stmt = stmt.where(Project.scheme_id == filters.scheme_id)
    if filters.stage_id is not None:
        stmt = stmt.where(Project.stage_id == filters.stage_id)
    if filters.country:
        stmt = stmt.where(Project.country == filters.country.upper())
    if filters.state is not None:
        stmt = stmt.where(Project.state == filters.state)
    if filters.sdg_target:
        stmt = stmt.where(
            Project.id.in_(
                select(ProjectSdgTarget.project_id).where(ProjectSdgTarget.target == filters.sdg_target)
            )
        )
    if filters.fiscal_year is not None:
        first, last = c.fiscal_year_range(filters.fiscal_year)
        began = func.coalesce(Project.start_on, _first_event_on())
        stmt = stmt.where(
            or_(began.is_(None), began <= last),
            or_(Project.end_on.is_(None), Project.end_on >= first),
        )
    if filters.text.strip():
        pattern = f"%{filters.text.strip()}%"
        stmt = stmt.where(
            or_(Project.code.ilike(pattern), Project.title_ja.ilike(pattern), Project.title_en.ilike(pattern))
        )
    return stmt


def _list_statement(filters: ProjectFilter, offset: int, limit: int | None) -> Any:
    """The SELECT of :func:`list_projects` (one row per project, every column a ProjectListRow needs)."""
    entered = (
        select(func.max(StageEvent.occurred_on))
        .where(StageEvent.project_id == Project.id)
        .correlate(Project)
        .scalar_subquery()
    )
    # the SDG targets in the same statement (group_concat / string_agg), not a second query per page
    targets = (
        select(func.aggregate_strings(ProjectSdgTarget.target, SDG_SEPARATOR))
        .where(ProjectSdgTarget.project_id == Project.id)
        .correlate(Project)
        .scalar_subquery()
    )
    stmt = (
        select(
            Project.id,
            Project.version,
            Project.code,
            Project.title_ja,
            Project.title_en,
            Scheme.name_ja.label("scheme_ja"),
            Scheme.name_en.label("scheme_en"),
            SchemeStage.name_ja.label("stage_ja"),
            SchemeStage.name_en.label("stage_en"),
            Project.state,
            Project.country,
            Project.start_on,
            Project.end_on,
            Staff.family_name,
            Staff.given_name,
            Staff.name_en.label("staff_en"),
            Project.next_action,
            Project.next_action_on,
            entered.label("entered_on"),
            targets.label("sdg_targets"),
        )
        .join(Scheme, Project.scheme_id == Scheme.id)
        .outerjoin(SchemeStage, Project.stage_id == SchemeStage.id)
        .outerjoin(Staff, Project.lead_staff_id == Staff.id)
        .order_by(Project.code, Project.id)
    )
    stmt = _filtered(stmt, filters)
    if offset:
        stmt = stmt.offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return stmt


def _list_row(r: Any) -> ProjectListRow:
    lead_ja = f"{r.family_name or ''} {r.given_name or ''}".strip()
    return ProjectListRow(
        id=r.id,
        code=r.code,
        title_ja=r.title_ja,
        title_en=r.title_en,
        scheme_ja=r.scheme_ja,
        scheme_en=r.scheme_en,
        stage_ja=r.stage_ja,
        stage_en=r.stage_en,
        state=r.state,
        country=r.country,
        start_on=r.start_on,
        end_on=r.end_on,
        lead_ja=lead_ja,
        lead_en=r.staff_en or lead_ja,
        next_action=r.next_action,
        next_action_on=r.next_action_on,
        entered_on=r.entered_on,
        sdg_targets=tuple(sorted(t for t in (r.sdg_targets or "").split(SDG_SEPARATOR) if t)),
        version=r.version,
    )


def list_projects(
    session: Session,
    filters: ProjectFilter | None = None,
    *,
    offset: int = 0,
    limit: int | None = None,
) -> list[ProjectListRow]:
    """Projects by code matching ``filters``, with scheme, stage, lead and when they entered their stage."""
    stmt = _list_statement(filters or ProjectFilter(), offset, limit)
    return [_list_row(r) for r in session.execute(stmt)]


class _FiscalYear(FunctionElement[int]):
    """The fiscal year (April-March) of a date column, in SQL (SQLite and PostgreSQL)."""

    type = Integer()
    inherit_cache = True
    name = "fiscal_year"


@compiles(_FiscalYear)
def _fiscal_year_by_extract(element: _FiscalYear, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    year = cast(extract("year", column), Integer)
    return str(compiler.process(year - case((cast(extract("month", column), Integer) < 4, 1), else_=0), **kw))


@compiles(_FiscalYear, "sqlite")
def _fiscal_year_by_text(element: _FiscalYear, compiler: Any, **kw: Any) -> str:
    """SQLite keeps a date as ISO text (YYYY-MM-DD): the year and month read from it directly took half the time
    of STRFTIME over every project and stage event (the distinct fiscal years when the projects tab opens)."""
    (column,) = element.clauses
    text = compiler.process(column, **kw)
    return f"(CAST(substr({text}, 1, 4) AS INTEGER) - (substr({text}, 6, 2) < '04'))"


def _fiscal_year_sql(column: Any) -> Any:
    """The fiscal year (April-March) of a date column, in SQL (SQLite and PostgreSQL)."""
    return _FiscalYear(column)


def _project_years_select() -> Any:
    """SELECT DISTINCT of the fiscal years of every project start, end and stage event (one column ``fy``)."""
    return union(
        *(
            select(_fiscal_year_sql(col).label("fy")).where(col.is_not(None))
            for col in (Project.start_on, Project.end_on, StageEvent.occurred_on)
        )
    )


def project_fiscal_years(session: Session) -> list[int]:
    """The fiscal years in which any project has a start, an end or a stage event (newest first): one query, the
    distinct years worked out by the database (not every project and event read)."""
    return sorted((int(fy) for fy in session.scalars(_project_years_select())), reverse=True)


@dataclass(frozen=True)
class StageChoice:
    id: int
    name_ja: str
    name_en: str


@dataclass(frozen=True)
class SchemeChoice:
    id: int
    name_ja: str
    name_en: str
    stages: tuple[StageChoice, ...]


@dataclass(frozen=True)
class ProjectChoices:
    """What the projects tab's filters offer: the schemes with their stages in template order, and the fiscal
    years with projects (newest first)."""

    schemes: tuple[SchemeChoice, ...]
    fiscal_years: tuple[int, ...]


def _choice_branches() -> list[Any]:
    """The schemes with their stages (outer join: a scheme without stages too) and the distinct fiscal years, as
    branches of a UNION ALL (columns of :func:`_detail_row`)."""
    years = _project_years_select().subquery()
    return [
        _detail_row(
            "S",
            Scheme.id,
            n1=Scheme.position,
            n2=SchemeStage.id,
            n3=SchemeStage.position,
            t1=Scheme.code,
            t2=Scheme.name_ja,
            t3=Scheme.name_en,
            t4=SchemeStage.name_ja,
            t5=SchemeStage.name_en,
        ).outerjoin(SchemeStage, SchemeStage.scheme_id == Scheme.id),
        _detail_row("y", years.c.fy),
    ]


def _choices_from(rows: Iterable[Any]) -> ProjectChoices:
    schemes: dict[int, tuple[tuple[int, str], str, str, list[tuple[int, int, str, str]]]] = {}
    fiscal_years: set[int] = set()
    for row in rows:
        if row.kind == "y":
            fiscal_years.add(int(row.id))
            continue
        if row.kind != "S":
            continue
        entry = schemes.setdefault(row.id, ((int(row.n1), row.t1), row.t2, row.t3 or "", []))
        if row.n2 is not None:
            entry[3].append((row.n3, row.n2, row.t4, row.t5 or ""))
    ordered = sorted(schemes.items(), key=lambda kv: kv[1][0])  # like list_schemes: position, code
    return ProjectChoices(
        schemes=tuple(
            SchemeChoice(
                sid,
                name_ja,
                name_en,
                tuple(StageChoice(st_id, ja, en) for _pos, st_id, ja, en in sorted(stages)),
            )
            for sid, (_key, name_ja, name_en, stages) in ordered
        ),
        fiscal_years=tuple(sorted(fiscal_years, reverse=True)),
    )


def project_choices(session: Session) -> ProjectChoices:
    """The filters' choices in ONE query (a round trip counts on a shared server): every scheme with its stages
    UNION ALL the distinct fiscal years of :func:`project_fiscal_years`."""
    return _choices_from(session.execute(union_all(*_choice_branches())))


@lru_cache(maxsize=16)
def _tab_start_statement(filters: ProjectFilter, limit: int, first_detail: bool = False) -> Any:
    """projects_tab_start's statement, built once per filters and page size (building and keying this UNION ALL
    took longer than running it: the tab opens with the same filters every time); with ``first_detail`` also the
    detail branches of the page's first project."""
    extra: list[Any] = []
    if first_detail:
        first = _list_statement(filters, 0, 1).with_only_columns(Project.id).scalar_subquery()
        extra = _project_detail_parts(first)
    page = _list_statement(filters, 0, limit).subquery("page")
    position = func.row_number().over(order_by=(page.c.code, page.c.id))
    return union_all(
        _detail_row(
            "r",
            page.c.id,
            n2=page.c.version,
            n3=position,
            t1=page.c.code,
            t2=page.c.title_ja,
            t3=page.c.title_en,
            t4=page.c.scheme_ja,
            t5=page.c.scheme_en,
            t6=page.c.stage_ja,
            t7=page.c.stage_en,
            t8=page.c.state,
            t9=page.c.country,
            t10=page.c.family_name,
            t11=page.c.given_name,
            t12=page.c.staff_en,
            t13=page.c.next_action,
            t14=page.c.sdg_targets,
            d1=page.c.start_on,
            d2=page.c.end_on,
            d3=page.c.next_action_on,
            d4=page.c.entered_on,
        ),
        *_choice_branches(),
        *extra,
    )


@dataclass(frozen=True)
class TabOpening:
    """What the projects tab shows when it opens: the filters' choices, the table's first page and the detail pane
    of the page's first project (None without projects)."""

    choices: ProjectChoices
    rows: list[ProjectListRow]
    first_detail: ProjectDetail | None


def projects_tab_start(
    session: Session, filters: ProjectFilter, limit: int
) -> tuple[ProjectChoices, list[ProjectListRow]]:
    """What the projects tab shows when it opens, in ONE statement: the filters' choices (:func:`project_choices`)
    and the first ``limit`` rows of :func:`list_projects` (the page numbered by the database in its own order)."""
    opening = _tab_opening(session, filters, limit, None)
    return opening.choices, opening.rows


def projects_tab_open(session: Session, filters: ProjectFilter, limit: int, *, today: date) -> TabOpening:
    """Like :func:`projects_tab_start`, with the detail pane of the page's first project (:func:`project_detail`
    as of ``today``) in the same statement: opening the tab is one round trip to a shared server, not two."""
    return _tab_opening(session, filters, limit, today)


def _tab_opening(session: Session, filters: ProjectFilter, limit: int, today: date | None) -> TabOpening:
    rows = session.execute(_tab_start_statement(filters, limit, today is not None)).all()
    listed = sorted((r for r in rows if r.kind == "r"), key=lambda r: r.n3)
    projects = [
        _list_row(
            SimpleNamespace(
                id=r.id,
                version=r.n2,
                code=r.t1,
                title_ja=r.t2,
                title_en=r.t3 or "",
                scheme_ja=r.t4,
                scheme_en=r.t5 or "",
                stage_ja=r.t6,
                stage_en=r.t7,
                state=ProjectState(r.t8),
                country=r.t9 or "",
                family_name=r.t10,
                given_name=r.t11,
                staff_en=r.t12,
                next_action=r.t13 or "",
                next_action_on=r.d3,
                sdg_targets=r.t14,
                start_on=r.d1,
                end_on=r.d2,
                entered_on=r.d4,
            )
        )
        for r in listed
    ]
    detail = None
    if today is not None:
        detail = _project_detail_from((r for r in rows if r.kind in _PROJECT_DETAIL_KINDS), today)
    return TabOpening(_choices_from(r for r in rows if r.kind in ("S", "y")), projects, detail)


# --- the board ------------------------------------------------------------------------------------------------


END_STATES: tuple[ProjectState, ...] = (
    ProjectState.COMPLETED,
    ProjectState.SUSPENDED,
    ProjectState.CANCELLED,
)


@dataclass(frozen=True)
class BoardColumn:
    """A column of the board: a stage of the scheme (``stage_id``) or an end state (``state``, stage None)."""

    stage_id: int | None
    state: ProjectState
    name_ja: str
    name_en: str
    iati_status: int
    cards: tuple[ProjectListRow, ...]


def board(session: Session, scheme_id: int, *, filters: ProjectFilter | None = None) -> list[BoardColumn]:
    """The kanban board of one scheme: a column per stage in template order (active projects), then one per end
    state (completed, suspended, cancelled). An active project without a stage shows in the first column."""
    scheme = get_scheme(session, scheme_id)
    base = filters or ProjectFilter()
    rows = list_projects(
        session,
        ProjectFilter(
            scheme_id=scheme_id,
            country=base.country,
            sdg_target=base.sdg_target,
            fiscal_year=base.fiscal_year,
            text=base.text,
        ),
    )
    stage_of: dict[int, int | None] = {
        pid: sid
        for pid, sid in session.execute(
            select(Project.id, Project.stage_id).where(Project.scheme_id == scheme_id)
        )
    }
    stages = sorted(scheme.stages, key=lambda s: (s.position, s.id))
    columns: list[BoardColumn] = []
    first_id = stages[0].id if stages else None
    for stage in stages:
        cards = tuple(
            r
            for r in rows
            if r.state == ProjectState.ACTIVE
            and (stage_of.get(r.id) == stage.id or (stage_of.get(r.id) is None and stage.id == first_id))
        )
        columns.append(
            BoardColumn(stage.id, ProjectState.ACTIVE, stage.name_ja, stage.name_en, stage.iati_status, cards)
        )
    for state in END_STATES:
        label = PROJECT_STATE_LABELS[state]
        columns.append(
            BoardColumn(
                None,
                state,
                "",
                label,
                PROJECT_STATE_IATI_STATUS[state],
                tuple(r for r in rows if r.state == state),
            )
        )
    return columns


# --- project detail ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    event_id: int
    occurred_on: date
    from_stage_ja: str
    from_stage_en: str
    to_stage_ja: str
    to_stage_en: str
    state: ProjectState
    note: str
    reason: str
    days: int | None  # time spent in the stage entered by this event (until the next event, or today)
    backward: bool


@dataclass(frozen=True)
class LinkedRecord:
    id: int
    code: str
    title: str
    title_en: str
    first_day: date | None
    last_day: date | None
    status: str


@dataclass(frozen=True)
class _EventFacts:
    """A stage event as the history needs it (from the ORM or from one row of the detail's query)."""

    id: int
    occurred_on: date
    state: ProjectState
    note: str
    reason: str
    from_stage: tuple[str, str, int] | None  # name_ja, name_en, position
    to_stage: tuple[str, str, int] | None


def _history_entries(events: Iterable[_EventFacts], today: date) -> list[HistoryEntry]:
    ordered = sorted(events, key=lambda e: (e.occurred_on, e.id))
    result: list[HistoryEntry] = []
    for i, event in enumerate(ordered):
        if i + 1 < len(ordered):
            days: int | None = (ordered[i + 1].occurred_on - event.occurred_on).days
        elif event.state == ProjectState.ACTIVE or event.state == ProjectState.SUSPENDED:
            days = max((today - event.occurred_on).days, 0)
        else:
            days = None  # the project ended here
        frm, to = event.from_stage, event.to_stage
        result.append(
            HistoryEntry(
                event_id=event.id,
                occurred_on=event.occurred_on,
                from_stage_ja=frm[0] if frm else "",
                from_stage_en=(frm[1] or frm[0]) if frm else "",
                to_stage_ja=to[0] if to else "",
                to_stage_en=(to[1] or to[0]) if to else "",
                state=event.state,
                note=event.note,
                reason=event.reason,
                days=days,
                backward=bool(frm and to and to[2] < frm[2]),
            )
        )
    return result


def _stage_facts(stage: SchemeStage | None) -> tuple[str, str, int] | None:
    return None if stage is None else (stage.name_ja, stage.name_en, stage.position)


def stage_history(session: Session, project_id: int, *, today: date) -> list[HistoryEntry]:
    """The project's stage events in order, each with the days spent in the stage it entered."""
    project = get_project(session, project_id)
    return _history_entries(
        (
            _EventFacts(
                e.id,
                e.occurred_on,
                e.state,
                e.note,
                e.reason,
                _stage_facts(e.from_stage),
                _stage_facts(e.to_stage),
            )
            for e in project.events
        ),
        today,
    )


def days_in_current_stage(session: Session, project_id: int, *, today: date) -> int | None:
    history = stage_history(session, project_id, today=today)
    if not history:
        return None
    return max((today - history[-1].occurred_on).days, 0)


def linked_dispatches(session: Session, project_id: int) -> list[LinkedRecord]:
    rows = session.scalars(
        select(Dispatch).where(Dispatch.project_id == project_id).order_by(Dispatch.departure_on, Dispatch.id)
    )
    return [
        LinkedRecord(
            d.id,
            d.code,
            d.title,
            d.title_en,
            d.departure_on,
            d.return_on,
            _(DISPATCH_STATUS_LABELS[d.status]),
        )
        for d in rows
    ]


def linked_visits(session: Session, project_id: int) -> list[LinkedRecord]:
    first = func.min(BookingSegment.starts_at)
    last = func.max(BookingSegment.ends_at)
    rows = session.execute(
        select(Booking, first, last)
        .outerjoin(BookingSegment, BookingSegment.booking_id == Booking.id)
        .where(Booking.project_id == project_id)
        .group_by(Booking.id)
        .order_by(first, Booking.id)
    ).all()
    return [
        LinkedRecord(
            b.id,
            b.code,
            b.group_name,
            b.group_name_en,
            _local_day(start),
            _local_day(end),
            _(BOOKING_STATUS_LABELS[b.status]),
        )
        for b, start, end in rows
    ]


def _local_day(moment: datetime | None) -> date | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite aggregate: the stored UTC value comes back naive
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo("Asia/Tokyo")).date()


@dataclass(frozen=True)
class ParticipantLine:
    id: int
    role: int  # IATI OrganisationRole
    note: str
    name_ja: str
    name_en: str


@dataclass(frozen=True)
class ProjectFacts:
    """The project's own fields as the detail pane shows them, with its scheme, stage, counterpart and lead."""

    id: int
    code: str
    title_ja: str
    title_en: str
    scheme_ja: str
    scheme_en: str
    stage_ja: str | None  # None: no stage
    stage_en: str
    state: ProjectState
    country: str
    region: str
    counterpart_ja: str | None  # None: no counterpart
    counterpart_en: str
    lead_ja: str  # "" without a lead
    lead_en: str
    start_on: date | None
    end_on: date | None
    budget_yen: int | None
    next_action: str
    next_action_on: date | None
    description: str


@dataclass(frozen=True)
class ProjectDetail:
    """Everything the project detail pane shows, read in ONE statement (see :func:`project_detail`)."""

    project: ProjectFacts
    participants: tuple[ParticipantLine, ...]  # by role, then as added
    sdg_targets: tuple[str, ...]
    sectors: tuple[tuple[str, int | None], ...]  # DAC code and percentage, by code
    history: tuple[HistoryEntry, ...]
    dispatches: tuple[LinkedRecord, ...]  # by departure
    visits: tuple[LinkedRecord, ...]  # by first day; visits without a segment last

    def days_in_current_stage(self, today: date) -> int | None:
        return None if not self.history else max((today - self.history[-1].occurred_on).days, 0)


# The columns of the detail statement's branches (see project_detail).
_DETAIL_SLOTS: dict[str, Any] = {
    "kind": String(),
    "id": Integer(),
    "n1": BigInteger(),
    "n2": Integer(),
    "n3": Integer(),
    **{f"d{i}": Date() for i in range(1, 5)},
    **{f"t{i}": String() for i in range(1, 18)},
    "ts1": UTCDateTime(),
    "ts2": UTCDateTime(),
}


def _detail_row(kind: str, id_: Any, **values: Any) -> Any:
    """One branch of the detail's UNION ALL: every branch has the same typed columns (NULL where unused)."""
    return select(*c.union_columns(_DETAIL_SLOTS, kind=literal(kind, String()), id=id_, **values))


def _project_detail_parts(project_id: Any) -> list[Any]:
    """The detail statement's branches for the project ``project_id`` (a bound parameter or a scalar subquery):
    ``P`` the project, ``p`` participants, ``s`` SDG targets, ``c`` DAC sectors, ``e`` stage events, ``d``
    dispatches, ``v`` visits."""
    counterpart = aliased(Organization)
    frm = aliased(SchemeStage)
    to = aliased(SchemeStage)
    first = func.min(BookingSegment.starts_at)
    last = func.max(BookingSegment.ends_at)
    return [
        _detail_row(
            "P",
            Project.id,
            t1=Project.code,
            t2=Project.title_ja,
            t3=Project.title_en,
            t4=Scheme.name_ja,
            t5=Scheme.name_en,
            t6=SchemeStage.name_ja,
            t7=SchemeStage.name_en,
            t8=Project.state,
            t9=Project.country,
            t10=Project.region,
            t11=counterpart.name_ja,
            t12=counterpart.name_en,
            t13=Staff.family_name,
            t14=Staff.given_name,
            t15=Staff.name_en,
            t16=Project.next_action,
            t17=Project.description,
            d1=Project.start_on,
            d2=Project.end_on,
            d3=Project.next_action_on,
            n1=Project.budget_yen,
        )
        .join(Scheme, Scheme.id == Project.scheme_id)
        .outerjoin(SchemeStage, SchemeStage.id == Project.stage_id)
        .outerjoin(counterpart, counterpart.id == Project.counterpart_id)
        .outerjoin(Staff, Staff.id == Project.lead_staff_id)
        .where(Project.id == project_id),
        _detail_row(
            "p",
            ProjectParticipant.id,
            n1=ProjectParticipant.role,
            t1=ProjectParticipant.note,
            t2=Organization.name_ja,
            t3=Organization.name_en,
        )
        .join(Organization, Organization.id == ProjectParticipant.organization_id)
        .where(ProjectParticipant.project_id == project_id),
        _detail_row("s", ProjectSdgTarget.id, t1=ProjectSdgTarget.target).where(
            ProjectSdgTarget.project_id == project_id
        ),
        _detail_row("c", ProjectSector.id, t1=ProjectSector.dac_code, n1=ProjectSector.percentage).where(
            ProjectSector.project_id == project_id
        ),
        _detail_row(
            "e",
            StageEvent.id,
            d1=StageEvent.occurred_on,
            t1=StageEvent.state,
            t2=StageEvent.note,
            t3=StageEvent.reason,
            n3=frm.id,
            t4=frm.name_ja,
            t5=frm.name_en,
            n1=frm.position,
            t6=to.name_ja,
            t7=to.name_en,
            n2=to.position,
        )
        .outerjoin(frm, frm.id == StageEvent.from_stage_id)
        .outerjoin(to, to.id == StageEvent.to_stage_id)
        .where(StageEvent.project_id == project_id),
        _detail_row(
            "d",
            Dispatch.id,
            t1=Dispatch.code,
            t2=Dispatch.title,
            t3=Dispatch.title_en,
            t4=Dispatch.status,
            d1=Dispatch.departure_on,
            d2=Dispatch.return_on,
        ).where(Dispatch.project_id == project_id),
        _detail_row(
            "v",
            Booking.id,
            t1=Booking.code,
            t2=Booking.group_name,
            t3=Booking.group_name_en,
            t4=Booking.status,
            ts1=first,
            ts2=last,
        )
        .outerjoin(BookingSegment, BookingSegment.booking_id == Booking.id)
        .where(Booking.project_id == project_id)
        .group_by(Booking.id, Booking.code, Booking.group_name, Booking.group_name_en, Booking.status),
    ]


@lru_cache(maxsize=1)
def _project_detail_statement() -> Any:
    """project_detail's statement, built once per process with the project id as a bound parameter (building and
    keying this UNION ALL of seven branches took longer than running it)."""
    return union_all(*_project_detail_parts(bindparam("project_id", type_=Integer)))


def project_detail(session: Session, project_id: int, *, today: date) -> ProjectDetail:
    """The detail pane's data in ONE statement whatever the project holds (on a shared server each statement is
    a round trip): the project with its scheme, stage, counterpart and lead, its participants, SDG targets, DAC
    sectors, stage events, dispatches and visits, as the branches of a UNION ALL."""
    detail = _project_detail_from(
        session.execute(_project_detail_statement(), {"project_id": project_id}), today
    )
    if detail is None:
        raise NotFoundError()
    return detail


_PROJECT_DETAIL_KINDS = frozenset("Ppscedv")


def _project_detail_from(rows: Iterable[Any], today: date) -> ProjectDetail | None:
    """The detail from the rows of the ``_project_detail_parts`` branches (None: no such project)."""
    participants: list[ParticipantLine] = []
    targets: list[str] = []
    sectors: list[tuple[str, int | None]] = []
    events: list[_EventFacts] = []
    dispatches: list[tuple[tuple[date, int], LinkedRecord]] = []
    visits: list[tuple[tuple[bool, datetime, int], LinkedRecord]] = []
    project: ProjectFacts | None = None
    for r in rows:
        if r.kind == "P":
            lead_ja = f"{r.t13 or ''} {r.t14 or ''}".strip()
            project = ProjectFacts(
                id=r.id,
                code=r.t1,
                title_ja=r.t2,
                title_en=r.t3 or "",
                scheme_ja=r.t4,
                scheme_en=r.t5 or "",
                stage_ja=r.t6,
                stage_en=r.t7 or "",
                state=ProjectState(r.t8),
                country=r.t9 or "",
                region=r.t10 or "",
                counterpart_ja=r.t11,
                counterpart_en=r.t12 or "",
                lead_ja=lead_ja,
                lead_en=r.t15 or lead_ja,
                start_on=r.d1,
                end_on=r.d2,
                budget_yen=r.n1,
                next_action=r.t16 or "",
                next_action_on=r.d3,
                description=r.t17 or "",
            )
        elif r.kind == "p":
            participants.append(ParticipantLine(r.id, r.n1, r.t1 or "", r.t2 or "", r.t3 or ""))
        elif r.kind == "s":
            targets.append(r.t1)
        elif r.kind == "c":
            sectors.append((r.t1, r.n1))
        elif r.kind == "e":
            events.append(
                _EventFacts(
                    r.id,
                    r.d1,
                    ProjectState(r.t1),
                    r.t2 or "",
                    r.t3 or "",
                    (r.t4, r.t5 or "", r.n1) if r.n3 is not None else None,
                    (r.t6, r.t7 or "", r.n2) if r.t6 is not None else None,
                )
            )
        elif r.kind == "d":
            status = _(DISPATCH_STATUS_LABELS[DispatchStatus(r.t4)])
            dispatches.append(((r.d1, r.id), LinkedRecord(r.id, r.t1, r.t2, r.t3 or "", r.d1, r.d2, status)))
        else:
            status = _(BOOKING_STATUS_LABELS[BookingStatus(r.t4)])
            start = r.ts1
            visits.append(
                (
                    (start is None, start or datetime.min.replace(tzinfo=UTC), r.id),
                    LinkedRecord(r.id, r.t1, r.t2, r.t3 or "", _local_day(start), _local_day(r.ts2), status),
                )
            )
    if project is None:
        return None
    return ProjectDetail(
        project=project,
        participants=tuple(sorted(participants, key=lambda x: (x.role, x.id))),
        sdg_targets=tuple(sorted(targets)),
        sectors=tuple(sorted(sectors)),
        history=tuple(_history_entries(events, today)),
        dispatches=tuple(record for _key, record in sorted(dispatches, key=lambda kv: kv[0])),
        visits=tuple(record for _key, record in sorted(visits, key=lambda kv: kv[0])),
    )


def projects_for_export(session: Session, project_ids: Iterable[int] | None = None) -> list[Project]:
    """Projects by code with everything an export needs loaded (scheme, stage, lead, participants and their
    organizations, SDG targets, sectors, events)."""
    stmt = (
        select(Project)
        .options(
            selectinload(Project.scheme),
            selectinload(Project.stage),
            selectinload(Project.lead_staff),
            selectinload(Project.counterpart),
            selectinload(Project.participants).selectinload(ProjectParticipant.organization),
            selectinload(Project.sdg_targets),
            selectinload(Project.sectors),
            selectinload(Project.events),
        )
        .order_by(Project.code, Project.id)
    )
    if project_ids is not None:
        stmt = stmt.where(Project.id.in_(list(project_ids)))
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class Choice:
    id: int
    name_ja: str
    name_en: str


def staff_choices(session: Session) -> list[Choice]:
    """Active staff for the lead combo box, by kana reading."""
    rows = session.scalars(
        select(Staff).where(Staff.active.is_(True)).order_by(Staff.family_kana, Staff.given_kana, Staff.id)
    )
    return [Choice(s.id, staff_name(s), staff_name(s, english=True)) for s in rows]


def organization_choices(session: Session) -> list[Choice]:
    """Organizations of the directory for counterpart and participant combo boxes, by kana reading."""
    rows = session.scalars(select(Organization).order_by(Organization.name_kana, Organization.name_ja))
    return [Choice(o.id, o.name_ja, o.name_en or o.name_ja) for o in rows]
