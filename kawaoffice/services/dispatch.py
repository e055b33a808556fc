"""Dispatch scheduling: staff with languages, skills and trainings; dispatches with members and an itinerary.

Conflict rule: one staff member on two dispatches whose dates overlap (inclusive; cancelled dispatches ignored).
Adding a member or changing dates that would cause it raises ``ConflictError(kind="dispatch_overlap")`` unless
the user gives an ``override_reason``, which is then recorded (``ConflictOverride`` + audit log).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from babel import Locale, UnknownLocaleError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kawaoffice.i18n import _
from kawaoffice.model.dispatch import (
    Dispatch,
    DispatchMember,
    DispatchPurpose,
    DispatchStatus,
    ItineraryLeg,
    LanguageLevel,
    LegKind,
    MemberRole,
    Skill,
    Staff,
    StaffLanguage,
    StaffSkill,
    StaffTraining,
    TrainingKind,
)
from kawaoffice.model.partners import Contact
from kawaoffice.model.projects import Project
from kawaoffice.services import common as c
from kawaoffice.services.audit import record_override
from kawaoffice.services.errors import ConflictError, ValidationError

DISPATCH_OVERLAP = "dispatch_overlap"

# --- staff ---------------------------------------------------------------------------------------------------

_staff_no_unique = c.unique_validator("staff_no")


def _validate_staff(session: Session, values: dict[str, Any], obj: Staff | None) -> dict[str, Any]:
    c.require_present(values, obj, "staff_no", "family_name")
    c.texts(
        Staff,
        values,
        required=("staff_no", "family_name"),
        optional=("given_name", "family_kana", "given_kana", "name_en", "department", "position", "notes"),
    )
    if "email" in values:
        values["email"] = c.email("email", values["email"])
    if "phone" in values:
        values["phone"] = c.phone("phone", values["phone"], "JP")
    if "passport_expiry" in values:
        c.date_value("passport_expiry", values["passport_expiry"], required=False)
    _staff_no_unique(session, values, obj, Staff)
    return values


def create_staff(session: Session, *, staff_no: str, family_name: str, **values: Any) -> Staff:
    """Optional: given_name, family_kana, given_kana, name_en, department, position, email, phone,
    passport_expiry (never the passport number), active, notes."""
    return c.create_entity(
        session, Staff, {"staff_no": staff_no, "family_name": family_name, **values}, _validate_staff
    )


def get_staff(session: Session, staff_id: int) -> Staff:
    return c.get_entity(session, Staff, staff_id)


def update_staff(session: Session, staff_id: int, expected_version: int, **changes: Any) -> Staff:
    return c.update_entity(session, Staff, staff_id, expected_version, changes, _validate_staff)


def delete_staff(session: Session, staff_id: int, expected_version: int | None = None) -> None:
    c.delete_entity(session, Staff, staff_id, expected_version)


def language_code(field: str, value: Any) -> str:
    """A BCP 47 language code that Babel knows (``en``, ``lo``, ``vi``, ``zh-Hant``)."""
    code = c.optional_text(field, value, 16)
    if not code:
        raise ValidationError(field, _("Choose a language."))
    try:
        Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as exc:
        raise ValidationError(field, _("{code} is not a known language code.").format(code=code)) from exc
    return code


def set_staff_language(session: Session, staff_id: int, language: str, level: LanguageLevel) -> StaffLanguage:
    """Add a language of a staff member, or change its level."""
    staff = get_staff(session, staff_id)
    code = language_code("language", language)
    level = c.enum_value("level", LanguageLevel, level)
    for row in staff.languages:
        if row.language == code:
            row.level = level
            c.flush(session)
            return row
    row = StaffLanguage(language=code, level=level)
    staff.languages.append(row)
    c.flush(session)
    return row


def remove_staff_language(session: Session, staff_id: int, language: str) -> None:
    staff = get_staff(session, staff_id)
    for row in list(staff.languages):
        if row.language == language:
            staff.languages.remove(row)
    c.flush(session)


def set_staff_skills(session: Session, staff_id: int, skills: Iterable[Skill | str]) -> list[StaffSkill]:
    """Replace a staff member's skills."""
    staff = get_staff(session, staff_id)
    wanted = []
    for skill in skills:
        value = c.enum_value("skills", Skill, skill)
        if value not in wanted:
            wanted.append(value)
    for row in list(staff.skills):
        if row.skill not in wanted:
            staff.skills.remove(row)
    have = {row.skill for row in staff.skills}
    for value in wanted:
        if value not in have:
            staff.skills.append(StaffSkill(skill=value))
    c.flush(session)
    return list(staff.skills)


def _validate_training(session: Session, values: dict[str, Any], obj: StaffTraining | None) -> dict[str, Any]:
    c.require_present(values, obj, "staff_id", "kind", "completed_on")
    if "staff_id" in values:
        c.reference(session, Staff, "staff_id", values["staff_id"])
    if "kind" in values:
        values["kind"] = c.enum_value("kind", TrainingKind, values["kind"])
    if "completed_on" in values:
        c.date_value("completed_on", values["completed_on"])
    c.texts(StaffTraining, values, optional=("name",))
    return values


def add_staff_training(
    session: Session, *, staff_id: int, kind: TrainingKind, completed_on: date, name: str = ""
) -> StaffTraining:
    values = {"staff_id": staff_id, "kind": kind, "completed_on": completed_on, "name": name}
    return c.create_entity(session, StaffTraining, values, _validate_training)


def update_staff_training(
    session: Session, training_id: int, expected_version: int, **changes: Any
) -> StaffTraining:
    return c.update_entity(session, StaffTraining, training_id, expected_version, changes, _validate_training)


def delete_staff_training(session: Session, training_id: int, expected_version: int | None = None) -> None:
    c.delete_entity(session, StaffTraining, training_id, expected_version)


# --- the overlap rule ---------------------------------------------------------------------------------------


def dates_overlap(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    """Whether two inclusive date ranges share at least one day."""
    return a_start <= b_end and b_start <= a_end


@dataclass(frozen=True)
class DispatchCandidate:
    """A dispatch as it would be after an edit: its dates, its staff, and its id when it already exists."""

    departure_on: date
    return_on: date
    staff_ids: tuple[int, ...]
    dispatch_id: int | None = None
    status: DispatchStatus = DispatchStatus.PLANNED


@dataclass(frozen=True)
class MemberConflict:
    staff_id: int
    staff_name: str
    dispatch_id: int | None
    other_dispatch_id: int
    other_code: str
    overlap_from: date
    overlap_to: date

    def details(self) -> dict[str, Any]:
        return {
            "staff_id": self.staff_id,
            "staff_name": self.staff_name,
            "dispatch_id": self.dispatch_id,
            "other_dispatch_id": self.other_dispatch_id,
            "other_code": self.other_code,
            "overlap_from": self.overlap_from.isoformat(),
            "overlap_to": self.overlap_to.isoformat(),
        }

    def message(self) -> str:
        return _("{name} is already on dispatch {code} from {start} to {end}.").format(
            name=self.staff_name, code=self.other_code, start=self.overlap_from, end=self.overlap_to
        )


def _candidate_of(dispatch: Dispatch) -> DispatchCandidate:
    return DispatchCandidate(
        departure_on=dispatch.departure_on,
        return_on=dispatch.return_on,
        staff_ids=tuple(m.staff_id for m in dispatch.members if m.staff_id is not None),
        dispatch_id=dispatch.id,
        status=dispatch.status,
    )


def find_member_conflicts(session: Session, subject: int | DispatchCandidate) -> list[MemberConflict]:
    """Staff of ``subject`` (a dispatch id, or a candidate) who are on another, overlapping, not cancelled dispatch."""
    candidate = _candidate_of(get_dispatch(session, subject)) if isinstance(subject, int) else subject
    if candidate.status == DispatchStatus.CANCELLED or not candidate.staff_ids:
        return []
    stmt = (
        select(
            DispatchMember.staff_id,
            Staff.family_name,
            Staff.given_name,
            Dispatch.id,
            Dispatch.code,
            Dispatch.departure_on,
            Dispatch.return_on,
        )
        .join(Dispatch, DispatchMember.dispatch_id == Dispatch.id)
        .join(Staff, DispatchMember.staff_id == Staff.id)
        .where(DispatchMember.staff_id.in_(set(candidate.staff_ids)))
        .where(Dispatch.status != DispatchStatus.CANCELLED)
        .where(Dispatch.departure_on <= candidate.return_on)
        .where(Dispatch.return_on >= candidate.departure_on)
        .order_by(Dispatch.departure_on, Dispatch.id, DispatchMember.staff_id)
    )
    if candidate.dispatch_id is not None:
        stmt = stmt.where(Dispatch.id != candidate.dispatch_id)
    conflicts = []
    for staff_id, family, given, other_id, code, dep, ret in session.execute(stmt):
        conflicts.append(
            MemberConflict(
                staff_id=staff_id or 0,
                staff_name=f"{family} {given}".strip(),
                dispatch_id=candidate.dispatch_id,
                other_dispatch_id=other_id,
                other_code=code,
                overlap_from=max(dep, candidate.departure_on),
                overlap_to=min(ret, candidate.return_on),
            )
        )
    return conflicts


def _raise_or_override(
    session: Session, dispatch: Dispatch, conflicts: list[MemberConflict], override_reason: str | None
) -> None:
    if not conflicts:
        return
    reason = (override_reason or "").strip()
    if not reason:
        first = conflicts[0]
        raise ConflictError(
            DISPATCH_OVERLAP,
            first.message(),
            {"conflicts": [conf.details() for conf in conflicts]},
        )
    for conf in conflicts:
        record_override(
            session,
            DISPATCH_OVERLAP,
            dispatch,
            session.get(Dispatch, conf.other_dispatch_id),
            reason,
            conf.details(),
        )


# --- dispatches ----------------------------------------------------------------------------------------------

_dispatch_code_unique = c.unique_validator("code")


def _validate_dispatch(session: Session, values: dict[str, Any], obj: Dispatch | None) -> dict[str, Any]:
    c.require_present(
        values, obj, "code", "title", "purpose", "country", "timezone", "departure_on", "return_on"
    )
    c.texts(Dispatch, values, required=("code", "title"), optional=("title_en", "city", "notes"))
    if "purpose" in values:
        values["purpose"] = c.enum_value("purpose", DispatchPurpose, values["purpose"])
    if "status" in values:
        values["status"] = c.enum_value("status", DispatchStatus, values["status"])
    if "country" in values:
        values["country"] = c.country("country", values["country"])
    if "timezone" in values:
        values["timezone"] = c.timezone_name("timezone", values["timezone"])
    for field in ("departure_on", "return_on"):
        if field in values:
            c.date_value(field, values[field])
    dep, ret = c.current(values, obj, "departure_on"), c.current(values, obj, "return_on")
    if dep is not None and ret is not None and ret < dep:
        raise ValidationError("return_on", _("The return date is before the departure date."))
    if values.get("project_id") is not None:
        c.reference(session, Project, "project_id", values["project_id"])
    _dispatch_code_unique(session, values, obj, Dispatch)
    return values


def create_dispatch(
    session: Session,
    *,
    code: str,
    title: str,
    purpose: DispatchPurpose,
    country: str,
    timezone: str,
    departure_on: date,
    return_on: date,
    **values: Any,
) -> Dispatch:
    """Optional: title_en, status, city, project_id, notes. Members are added with ``add_dispatch_member``."""
    data = {
        "code": code,
        "title": title,
        "purpose": purpose,
        "country": country,
        "timezone": timezone,
        "departure_on": departure_on,
        "return_on": return_on,
        **values,
    }
    return c.create_entity(session, Dispatch, data, _validate_dispatch)


def get_dispatch(session: Session, dispatch_id: int) -> Dispatch:
    return c.get_entity(session, Dispatch, dispatch_id)


def update_dispatch(
    session: Session,
    dispatch_id: int,
    expected_version: int,
    *,
    override_reason: str | None = None,
    **changes: Any,
) -> Dispatch:
    """Change a dispatch. New dates (or a cancelled dispatch taken up again) are checked against the members'
    other dispatches: ``ConflictError("dispatch_overlap")`` unless ``override_reason`` is given."""
    dispatch = get_dispatch(session, dispatch_id)
    c.check_version(dispatch, expected_version)
    data = _validate_dispatch(session, dict(changes), dispatch)
    if {"departure_on", "return_on", "status"} & set(data):
        candidate = DispatchCandidate(
            departure_on=c.current(data, dispatch, "departure_on"),
            return_on=c.current(data, dispatch, "return_on"),
            staff_ids=tuple(m.staff_id for m in dispatch.members if m.staff_id is not None),
            dispatch_id=dispatch.id,
            status=c.current(data, dispatch, "status"),
        )
        _raise_or_override(session, dispatch, find_member_conflicts(session, candidate), override_reason)
    c.apply_changes(dispatch, expected_version, data)
    c.flush(session)
    return dispatch


def delete_dispatch(session: Session, dispatch_id: int, expected_version: int | None = None) -> None:
    c.delete_entity(session, Dispatch, dispatch_id, expected_version)


# --- members ----------------------------------------------------------------------------------------------


def add_dispatch_member(
    session: Session,
    *,
    dispatch_id: int,
    staff_id: int | None = None,
    contact_id: int | None = None,
    role: MemberRole = MemberRole.MEMBER,
    override_reason: str | None = None,
) -> DispatchMember:
    """Add a staff member or a partner's person (exactly one of ``staff_id`` / ``contact_id``). A staff member
    already on an overlapping dispatch raises ``ConflictError("dispatch_overlap")`` unless ``override_reason``."""
    dispatch = get_dispatch(session, dispatch_id)
    if (staff_id is None) == (contact_id is None):
        raise ValidationError("staff_id", _("Choose either a staff member or a partner's person."))
    role = c.enum_value("role", MemberRole, role)
    if staff_id is not None:
        c.reference(session, Staff, "staff_id", staff_id)
        if any(m.staff_id == staff_id for m in dispatch.members):
            raise ValidationError("staff_id", _("This person is already a member of the dispatch."))
        candidate = DispatchCandidate(
            dispatch.departure_on, dispatch.return_on, (staff_id,), dispatch.id, dispatch.status
        )
        _raise_or_override(session, dispatch, find_member_conflicts(session, candidate), override_reason)
    else:
        c.reference(session, Contact, "contact_id", contact_id)
        if any(m.contact_id == contact_id for m in dispatch.members):
            raise ValidationError("contact_id", _("This person is already a member of the dispatch."))
    member = DispatchMember(staff_id=staff_id, contact_id=contact_id, role=role)
    dispatch.members.append(member)
    c.flush(session)
    return member


def update_dispatch_member(
    session: Session, member_id: int, expected_version: int, *, role: MemberRole
) -> DispatchMember:
    return c.update_entity(
        session, DispatchMember, member_id, expected_version, {"role": c.enum_value("role", MemberRole, role)}
    )


def remove_dispatch_member(session: Session, member_id: int, expected_version: int | None = None) -> None:
    c.delete_entity(session, DispatchMember, member_id, expected_version)


# --- itinerary -------------------------------------------------------------------------------------------------


def _validate_leg(session: Session, values: dict[str, Any], obj: ItineraryLeg | None) -> dict[str, Any]:
    c.require_present(values, obj, "dispatch_id", "kind", "starts_at", "start_tz", "ends_at", "end_tz")
    if "dispatch_id" in values:
        c.reference(session, Dispatch, "dispatch_id", values["dispatch_id"])
    if "kind" in values:
        values["kind"] = c.enum_value("kind", LegKind, values["kind"])
    for field in ("starts_at", "ends_at"):
        if field in values:
            c.aware(field, values[field])
    for field in ("start_tz", "end_tz"):
        if field in values:
            values[field] = c.timezone_name(field, values[field])
    c.texts(ItineraryLeg, values, optional=("origin", "destination", "reference", "details"))
    if "position" in values:
        c.int_range("position", values["position"], 0)
    start: datetime = c.current(values, obj, "starts_at")
    end: datetime = c.current(values, obj, "ends_at")
    if end < start:
        raise ValidationError("ends_at", _("The leg ends before it starts."))
    return values


def add_leg(
    session: Session,
    *,
    dispatch_id: int,
    kind: LegKind,
    starts_at: datetime,
    start_tz: str,
    ends_at: datetime,
    end_tz: str,
    **values: Any,
) -> ItineraryLeg:
    """A leg with aware start and end times and the IANA zone of each end (for local display).
    Optional: origin, destination, reference, details, position."""
    data = {
        "dispatch_id": dispatch_id,
        "kind": kind,
        "starts_at": starts_at,
        "start_tz": start_tz,
        "ends_at": ends_at,
        "end_tz": end_tz,
        **values,
    }
    leg = c.create_entity(session, ItineraryLeg, data, _validate_leg)
    session.refresh(leg.dispatch, ["legs"])
    return leg


def get_leg(session: Session, leg_id: int) -> ItineraryLeg:
    return c.get_entity(session, ItineraryLeg, leg_id)


def update_leg(session: Session, leg_id: int, expected_version: int, **changes: Any) -> ItineraryLeg:
    return c.update_entity(session, ItineraryLeg, leg_id, expected_version, changes, _validate_leg)


def delete_leg(session: Session, leg_id: int, expected_version: int | None = None) -> None:
    c.delete_entity(session, ItineraryLeg, leg_id, expected_version)
