"""Project stages: schemes and their stage templates, projects moving through stages, participants, SDG and DAC
tags, and local needs passed on to member companies."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kawaoffice.i18n import _
from kawaoffice.model.dispatch import Staff
from kawaoffice.model.partners import Organization, Technology
from kawaoffice.model.projects import (
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
from kawaoffice.services import common as c
from kawaoffice.services.errors import ValidationError

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


def delete_scheme_stage(session: Session, stage_id: int, expected_version: int | None = None) -> None:
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


def set_sdg_targets(session: Session, project_id: int, targets: Iterable[str]) -> list[ProjectSdgTarget]:
    """Replace the project's SDG 6 targets (keys of ``reference.SDG6_TARGETS``: 6.1 ... 6.b)."""
    project = get_project(session, project_id)
    wanted = []
    for target in targets:
        code = c.code_in("sdg_targets", target, SDG6_TARGETS)
        if code is not None and code not in wanted:
            wanted.append(code)
    for row in list(project.sdg_targets):
        if row.target not in wanted:
            project.sdg_targets.remove(row)
    have = {row.target for row in project.sdg_targets}
    for code in wanted:
        if code not in have:
            project.sdg_targets.append(ProjectSdgTarget(target=code))
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
    for row in list(project.sectors):
        if row.dac_code not in wanted:
            project.sectors.remove(row)
    have = {row.dac_code: row for row in project.sectors}
    for code, percentage in wanted.items():
        if code in have:
            if have[code].percentage != percentage:
                have[code].percentage = percentage
        else:
            project.sectors.append(ProjectSector(dac_code=code, percentage=percentage))
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
    for row in list(need.technologies):
        if row.technology_id not in wanted:
            need.technologies.remove(row)
    have = {row.technology_id for row in need.technologies}
    for tech_id in wanted:
        if tech_id not in have:
            need.technologies.append(NeedTechnology(technology_id=tech_id))
    c.flush(session)
    return list(need.technologies)
