"""Dispatch scheduling: staff with languages, skills and trainings; dispatches with members and an itinerary.

Conflict checks live in :mod:`kawaoffice.services.dispatch_checks`: overlapping dispatches of one person, a
passport expiring less than six months after the return, a guide for a visit at home during the dispatch (these
three can be overridden with a reason, recorded as ``ConflictOverride`` + audit entry), the return before the
departure (an error) and public holidays at the destination (information). Adding a member, changing dates or
saving a dispatch with ``save_dispatch`` raises ``ConflictError`` (kind of the first issue, every issue in
``details["conflicts"]``) unless ``override_reason`` is given.

Itinerary legs keep aware instants (UTC in the database) plus the IANA zone of each end; a leg may not end before
it starts, and legs may not overlap: travel and activities (flight, train, car, meeting, site visit) not with each
other, hotel stays not with each other (a hotel night naturally spans the day's meetings).
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from sqlalchemy import ColumnElement, Date, Integer, String, case, func, literal, select, union_all
from sqlalchemy.orm import Session, aliased, joinedload, selectinload
from sqlalchemy.types import TypeEngine

from kawaoffice.i18n import N_, _, country_name, format_date, format_datetime
from kawaoffice.model.base import Entity, utcnow
from kawaoffice.model.dispatch import (
    LEG_KIND_LABELS,
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
from kawaoffice.model.partners import Contact, Employment, Organization, OrganizationKind
from kawaoffice.model.projects import Project, ProjectParticipant, ProjectState
from kawaoffice.model.tours import Booking, BookingSegment, BookingStatus, SegmentStaff
from kawaoffice.services import common as c
from kawaoffice.services import dispatch_checks as checks
from kawaoffice.services.audit import record_override
from kawaoffice.services.dispatch_checks import (
    DISPATCH_OVERLAP,
    DispatchCandidate,
    Issue,
    MemberConflict,
    candidate_of,
    dates_overlap,
    find_member_conflicts,
)
from kawaoffice.services.errors import ConflictError, NotFoundError, ValidationError

__all__ = [
    "DISPATCH_OVERLAP",
    "DispatchCandidate",
    "Issue",
    "MemberConflict",
    "candidate_of",
    "dates_overlap",
    "find_member_conflicts",
]

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
            if row.level != level:
                row.level = level
                _children_changed(staff)
            c.flush(session)
            return row
    row = StaffLanguage(language=code, level=level)
    staff.languages.append(row)
    _children_changed(staff)
    c.flush(session)
    return row


def remove_staff_language(session: Session, staff_id: int, language: str) -> None:
    staff = get_staff(session, staff_id)
    for row in list(staff.languages):
        if row.language == language:
            staff.languages.remove(row)
            _children_changed(staff)
    c.flush(session)


def _children_changed(staff: Staff) -> None:
    """A change of a staff member's languages or skills is a change of the staff member: the row is updated, so
    its version moves and an edit dialog opened before it meets the stale-edit conflict on saving instead of
    putting the old languages or skills back."""
    staff.updated_at = datetime.now(UTC)


def set_staff_skills(session: Session, staff_id: int, skills: Iterable[Skill | str]) -> list[StaffSkill]:
    """Replace a staff member's skills."""
    staff = get_staff(session, staff_id)
    wanted = []
    for skill in skills:
        value = c.enum_value("skills", Skill, skill)
        if value not in wanted:
            wanted.append(value)
    changed = False
    for row in list(staff.skills):
        if row.skill not in wanted:
            staff.skills.remove(row)
            changed = True
    have = {row.skill for row in staff.skills}
    for value in wanted:
        if value not in have:
            staff.skills.append(StaffSkill(skill=value))
            changed = True
    if changed:
        _children_changed(staff)
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


# --- the checks (kawaoffice.services.dispatch_checks) -------------------------------------------------------


def _refuse_unless_overridden(issues: list[Issue], override_reason: str | None) -> None:
    """Raise ``ConflictError`` for blocking issues, unless every one is a conflict and a reason is given.
    Errors cannot be overridden (the error's ``overridable`` is then False)."""
    stopping = checks.blocking(issues)
    if not stopping:
        return
    reason = (override_reason or "").strip()
    errors = [i for i in stopping if not i.overridable]
    if errors or not reason:
        first = (errors or stopping)[0]
        error = ConflictError(
            first.kind,
            first.message,
            {"conflicts": [i.as_dict() for i in stopping], "messages": [i.message for i in stopping]},
        )
        error.overridable = not errors
        raise error


def _record_overrides(session: Session, dispatch: Dispatch, issues: list[Issue], reason: str) -> None:
    """One ``ConflictOverride`` and one audit entry per overridden conflict, with the user's reason."""
    for issue in checks.blocking(issues):
        other: Entity | None = None
        if issue.other_table == Dispatch.__tablename__ and issue.other_id is not None:
            other = session.get(Dispatch, issue.other_id)
        elif issue.other_table == Staff.__tablename__ and issue.other_id is not None:
            other = session.get(Staff, issue.other_id)
        elif issue.other_table == Booking.__tablename__ and issue.other_id is not None:
            other = session.get(Booking, issue.other_id)
        record_override(session, issue.kind, dispatch, other, reason.strip(), issue.as_dict())


def _raise_or_override(
    session: Session, dispatch: Dispatch, issues: list[Issue], override_reason: str | None
) -> None:
    _refuse_unless_overridden(issues, override_reason)
    if checks.blocking(issues):
        _record_overrides(session, dispatch, issues, override_reason or "")


def check_dispatch(session: Session, candidate: DispatchCandidate) -> list[Issue]:
    """All checks on a dispatch as it would be saved (see ``dispatch_checks``)."""
    return checks.check_dispatch(session, candidate)


def check_saved_dispatch(session: Session, dispatch_id: int) -> list[Issue]:
    """All checks on a stored dispatch."""
    return checks.check_dispatch(session, candidate_of(get_dispatch(session, dispatch_id)))


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


def dispatch_for_edit(session: Session, dispatch_id: int) -> Dispatch:
    """The dispatch with its project, members (their staff or contact) and legs read in one statement, for the
    dialog (a statement per relationship is a round trip each on a shared server), or ``NotFoundError``."""
    stmt = (
        select(Dispatch)
        .where(Dispatch.id == dispatch_id)
        .options(
            joinedload(Dispatch.project),
            joinedload(Dispatch.members).joinedload(DispatchMember.staff),
            joinedload(Dispatch.members).joinedload(DispatchMember.contact),
            joinedload(Dispatch.legs),
        )
        .execution_options(populate_existing=True)
    )
    dispatch = session.execute(stmt).unique().scalar_one_or_none()
    if dispatch is None:
        raise NotFoundError()
    return dispatch


@dataclass(frozen=True)
class ProjectChoice:
    id: int
    code: str
    title_ja: str
    title_en: str
    state: ProjectState

    @property
    def active(self) -> bool:
        return self.state == ProjectState.ACTIVE


_CHOICE_COLUMNS = (Project.id, Project.code, Project.title_ja, Project.title_en, Project.state)


def project_choices(session: Session, text: str = "", limit: int = 50) -> list[ProjectChoice]:
    """Projects for a dispatch's project picker: active ones first, then by code; ``text`` narrows to projects
    whose code or title contains it (case-insensitive). At most ``limit`` rows (type to find the others)."""
    inactive = case((Project.state == ProjectState.ACTIVE, 0), else_=1)
    stmt = select(*_CHOICE_COLUMNS)
    needle = (text or "").strip()
    if needle:
        stmt = stmt.where(
            Project.code.icontains(needle, autoescape=True)
            | Project.title_ja.icontains(needle, autoescape=True)
            | Project.title_en.icontains(needle, autoescape=True)
        )
    stmt = stmt.order_by(inactive, Project.code, Project.id).limit(limit)
    return [ProjectChoice(r.id, r.code, r.title_ja, r.title_en, r.state) for r in session.execute(stmt)]


def project_choice(session: Session, project_id: int) -> ProjectChoice | None:
    """One project as a picker choice (whatever its state), or None when it no longer exists."""
    row = session.execute(select(*_CHOICE_COLUMNS).where(Project.id == project_id)).first()
    if row is None:
        return None
    return ProjectChoice(row.id, row.code, row.title_ja, row.title_en, row.state)


def update_dispatch(
    session: Session,
    dispatch_id: int,
    expected_version: int,
    *,
    override_reason: str | None = None,
    **changes: Any,
) -> Dispatch:
    """Change a dispatch. New dates (or a cancelled dispatch taken up again) are checked for the members:
    ``ConflictError`` unless ``override_reason`` is given."""
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
            country=c.current(data, dispatch, "country"),
        )
        _raise_or_override(session, dispatch, checks.check_dispatch(session, candidate), override_reason)
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
        _raise_or_override(session, dispatch, checks.check_dispatch(session, candidate), override_reason)
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

# Travel and activities may not overlap each other; hotel stays may not overlap each other.
_STAY_KINDS = frozenset({LegKind.HOTEL})


def _overlap_group(kind: LegKind) -> str:
    return "stay" if kind in _STAY_KINDS else "move"


class _Timed(Protocol):
    @property
    def kind(self) -> LegKind: ...
    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...


def leg_overlaps(legs: Sequence[_Timed]) -> list[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, of legs that overlap in absolute time within the same group (travel and
    activities; hotel stays). Touching legs (one ends when the next starts) do not overlap."""
    pairs = []
    for i, a in enumerate(legs):
        for j in range(i + 1, len(legs)):
            b = legs[j]
            if _overlap_group(a.kind) != _overlap_group(b.kind):
                continue
            if a.starts_at < b.ends_at and b.starts_at < a.ends_at:
                pairs.append((i, j))
    return pairs


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
    kind: LegKind = c.current(values, obj, "kind")
    stmt = select(ItineraryLeg).where(ItineraryLeg.dispatch_id == c.current(values, obj, "dispatch_id"))
    if obj is not None:
        stmt = stmt.where(ItineraryLeg.id != obj.id)
    with session.no_autoflush:
        others = list(session.scalars(stmt.order_by(ItineraryLeg.starts_at)))
    this = LegSpec(kind, start, "UTC", end, "UTC")
    for other in others:
        if leg_overlaps([this, other]):
            raise ValidationError(
                "starts_at",
                _("This leg overlaps another leg: {kind} from {start}.").format(
                    kind=_(LEG_KIND_LABELS[other.kind]),
                    start=format_datetime(other.starts_at, other.start_tz),
                ),
            )
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


@dataclass(frozen=True)
class LegView:
    """A leg as shown to people: local times in each end's zone, the same instants in Japan time, the duration."""

    id: int | None
    kind: LegKind
    start_local: datetime  # aware, in start_tz
    end_local: datetime  # aware, in end_tz
    start_jst: datetime
    end_jst: datetime
    start_tz: str
    end_tz: str
    duration: timedelta
    day_shift: int  # local arrival date minus local departure date (+1: lands the next day)
    origin: str
    destination: str
    reference: str
    details: str


def leg_view(leg: LegSpec | ItineraryLeg) -> LegView:
    start_local = leg.starts_at.astimezone(ZoneInfo(leg.start_tz))
    end_local = leg.ends_at.astimezone(ZoneInfo(leg.end_tz))
    return LegView(
        id=leg.id,
        kind=leg.kind,
        start_local=start_local,
        end_local=end_local,
        start_jst=leg.starts_at.astimezone(checks.HOME_ZONE),
        end_jst=leg.ends_at.astimezone(checks.HOME_ZONE),
        start_tz=leg.start_tz,
        end_tz=leg.end_tz,
        duration=leg.ends_at - leg.starts_at,
        day_shift=(end_local.date() - start_local.date()).days,
        origin=leg.origin,
        destination=leg.destination,
        reference=leg.reference,
        details=leg.details,
    )


def itinerary(session: Session, dispatch_id: int) -> list[LegView]:
    """The legs of a dispatch in time order, ready to show."""
    dispatch = get_dispatch(session, dispatch_id)
    return [leg_view(leg) for leg in sorted(dispatch.legs, key=lambda lg: (lg.starts_at, lg.position, lg.id))]


# --- saving a whole dispatch from the dialog ------------------------------------------------------------------


@dataclass(frozen=True)
class MemberSpec:
    """A member as the dialog holds it: exactly one of ``staff_id`` / ``contact_id``."""

    staff_id: int | None = None
    contact_id: int | None = None
    role: MemberRole = MemberRole.MEMBER


@dataclass(frozen=True)
class LegSpec:
    """A leg as the dialog holds it (``id`` of the stored leg, or None for a new one)."""

    kind: LegKind
    starts_at: datetime
    start_tz: str
    ends_at: datetime
    end_tz: str
    origin: str = ""
    destination: str = ""
    reference: str = ""
    details: str = ""
    id: int | None = None


def validate_legs(legs: Sequence[LegSpec]) -> list[LegSpec]:
    """Each leg valid on its own, then no two overlapping; errors name the leg by its number (1-based)."""
    clean = []
    for number, leg in enumerate(legs, start=1):
        try:
            values: dict[str, Any] = {
                "kind": c.enum_value("kind", LegKind, leg.kind),
                "starts_at": c.aware("starts_at", leg.starts_at),
                "ends_at": c.aware("ends_at", leg.ends_at),
                "start_tz": c.timezone_name("start_tz", leg.start_tz),
                "end_tz": c.timezone_name("end_tz", leg.end_tz),
                "origin": leg.origin,
                "destination": leg.destination,
                "reference": leg.reference,
                "details": leg.details,
            }
            c.texts(ItineraryLeg, values, optional=("origin", "destination", "reference", "details"))
        except ValidationError as exc:
            message = _("Leg {number}: {message}").format(number=number, message=exc.message)
            raise ValidationError("legs", message) from exc
        if values["ends_at"] < values["starts_at"]:
            raise ValidationError("legs", _("Leg {number} ends before it starts.").format(number=number))
        clean.append(LegSpec(id=leg.id, **values))
    pairs = leg_overlaps(clean)
    if pairs:
        i, j = pairs[0]
        raise ValidationError("legs", _("Leg {a} and leg {b} overlap.").format(a=i + 1, b=j + 1))
    return clean


def _validate_members(session: Session, members: Sequence[MemberSpec]) -> list[MemberSpec]:
    seen: set[tuple[str, int]] = set()
    clean = []
    for m in members:
        if (m.staff_id is None) == (m.contact_id is None):
            raise ValidationError("members", _("Choose either a staff member or a partner's person."))
        key = ("s", m.staff_id) if m.staff_id is not None else ("c", m.contact_id or 0)
        if key in seen:
            raise ValidationError("members", _("This person is already a member of the dispatch."))
        seen.add(key)
        if m.staff_id is not None:
            c.reference(session, Staff, "members", m.staff_id)
        else:
            c.reference(session, Contact, "members", m.contact_id)
        clean.append(MemberSpec(m.staff_id, m.contact_id, c.enum_value("role", MemberRole, m.role)))
    return clean


def save_dispatch(
    session: Session,
    dispatch_id: int | None,
    expected_version: int | None,
    values: dict[str, Any],
    members: Sequence[MemberSpec],
    legs: Sequence[LegSpec] | None = None,
    *,
    override_reason: str | None = None,
) -> Dispatch:
    """Create or update a dispatch with its members (and legs, when given) in one go, as the dialog does.

    Every check runs on the dispatch as it would be saved; blocking issues raise ``ConflictError`` (nothing is
    written) unless they are all conflicts and ``override_reason`` is given, which is then recorded for each.
    Saving always bumps the dispatch's version, so two people editing the members or legs at once get
    ``StaleEditError`` rather than one silently overwriting the other."""
    dispatch = None
    if dispatch_id is not None:
        dispatch = get_dispatch(session, dispatch_id)
        c.check_version(dispatch, expected_version if expected_version is not None else -1)
    data = _validate_dispatch(session, dict(values), dispatch)
    clean_members = _validate_members(session, members)
    clean_legs = validate_legs(legs) if legs is not None else None
    candidate = DispatchCandidate(
        departure_on=c.current(data, dispatch, "departure_on"),
        return_on=c.current(data, dispatch, "return_on"),
        staff_ids=tuple(m.staff_id for m in clean_members if m.staff_id is not None),
        dispatch_id=dispatch_id,
        status=c.current(data, dispatch, "status", DispatchStatus.PLANNED),
        country=c.current(data, dispatch, "country"),
    )
    issues = checks.check_dispatch(session, candidate)
    _refuse_unless_overridden(issues, override_reason)  # before anything is written
    if dispatch is None:
        dispatch = Dispatch(**data)
        session.add(dispatch)
    else:
        c.apply_changes(dispatch, dispatch.version, data)
        dispatch.updated_at = utcnow()  # the version moves even when only members or legs change
    _sync_members(dispatch, clean_members)
    if clean_legs is not None:
        _sync_legs(session, dispatch, clean_legs)
    c.flush(session)
    if checks.blocking(issues):
        _record_overrides(session, dispatch, issues, override_reason or "")
        c.flush(session)
    return dispatch


def _sync_members(dispatch: Dispatch, members: Sequence[MemberSpec]) -> None:
    wanted = {(m.staff_id, m.contact_id): m for m in members}
    for row in list(dispatch.members):
        spec = wanted.pop((row.staff_id, row.contact_id), None)
        if spec is None:
            dispatch.members.remove(row)
        elif row.role != spec.role:
            row.role = spec.role
    for spec in members:
        if (spec.staff_id, spec.contact_id) in wanted:
            dispatch.members.append(
                DispatchMember(staff_id=spec.staff_id, contact_id=spec.contact_id, role=spec.role)
            )


def _sync_legs(session: Session, dispatch: Dispatch, legs: Sequence[LegSpec]) -> None:
    by_id = {leg.id: leg for leg in dispatch.legs}
    keep = {spec.id for spec in legs if spec.id is not None}
    for leg in list(dispatch.legs):
        if leg.id not in keep:
            dispatch.legs.remove(leg)
    for position, spec in enumerate(legs):
        fields = {
            "kind": spec.kind,
            "starts_at": spec.starts_at,
            "start_tz": spec.start_tz,
            "ends_at": spec.ends_at,
            "end_tz": spec.end_tz,
            "origin": spec.origin,
            "destination": spec.destination,
            "reference": spec.reference,
            "details": spec.details,
            "position": position,
        }
        row = by_id.get(spec.id) if spec.id is not None else None
        if row is None:
            dispatch.legs.append(ItineraryLeg(**fields))
        else:
            for key, value in fields.items():
                if getattr(row, key) != value:
                    setattr(row, key, value)


# --- lists for the tab --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DispatchListRow:
    id: int
    code: str
    title: str
    title_en: str
    purpose: DispatchPurpose
    status: DispatchStatus
    country: str
    city: str
    departure_on: date
    return_on: date
    project_code: str
    members: tuple[str, ...]
    members_en: tuple[str, ...]

    @property
    def days(self) -> int:
        return (self.return_on - self.departure_on).days + 1


_ROLE_ORDER = {MemberRole.LEADER: 0, MemberRole.MEMBER: 1, MemberRole.INTERPRETER: 2}


def person_name(family: str, given: str) -> str:
    return f"{family} {given}".strip()


def list_dispatches(
    session: Session,
    *,
    fiscal_year: int | None = None,
    country: str | None = None,
    purpose: DispatchPurpose | None = None,
    status: DispatchStatus | None = None,
    text: str = "",
    offset: int = 0,
    limit: int | None = None,
) -> list[DispatchListRow]:
    """Dispatches, latest departure first, filtered, with their members' names: one statement. ``fiscal_year``:
    dispatches abroad during that year (a two-year long-term expert shows in both years)."""
    rows, _choices = dispatches_page(
        session, fiscal_year=fiscal_year, country=country, purpose=purpose, status=status, text=text,
        offset=offset, limit=limit,
    )  # fmt: skip
    return rows


# the columns of every branch of the Dispatches tab's UNION ALL (see dispatches_page)
_PAGE_SLOTS: dict[str, TypeEngine[Any]] = {
    "kind": String(8), "id": Integer(), "mid": Integer(), "code": Dispatch.code.type, "title": Dispatch.title.type,
    "title_en": Dispatch.title_en.type, "purpose": Dispatch.purpose.type, "status": Dispatch.status.type,
    "country": Dispatch.country.type, "city": Dispatch.city.type, "d1": Date(), "d2": Date(),
    "pcode": Project.code.type, "role": DispatchMember.role.type, "sf": Staff.family_name.type,
    "sg": Staff.given_name.type, "se": Staff.name_en.type, "cf": Contact.family_name.type,
    "cg": Contact.given_name.type, "ce": Contact.name_en.type,
}  # fmt: skip


def dispatches_page(
    session: Session,
    *,
    fiscal_year: int | None = None,
    country: str | None = None,
    purpose: DispatchPurpose | None = None,
    status: DispatchStatus | None = None,
    text: str = "",
    offset: int = 0,
    limit: int | None = None,
    with_choices: bool = False,
) -> tuple[list[DispatchListRow], tuple[list[int], list[str]] | None]:
    """A page of ``list_dispatches`` with its members' names and, with ``with_choices``, the filter choices
    (``dispatch_filter_choices``), in one statement (a UNION ALL: each statement is a round trip to a shared
    server)."""
    page = select(Dispatch.id, Dispatch.code, Dispatch.title, Dispatch.title_en, Dispatch.purpose, Dispatch.status,
                  Dispatch.country, Dispatch.city, Dispatch.departure_on, Dispatch.return_on,
                  Project.code.label("pcode")).outerjoin(Project, Dispatch.project_id == Project.id)  # fmt: skip
    if fiscal_year is not None:
        first, last = c.fiscal_year_range(fiscal_year)
        page = page.where(Dispatch.departure_on <= last, Dispatch.return_on >= first)
    if country:
        page = page.where(Dispatch.country == country)
    if purpose is not None:
        page = page.where(Dispatch.purpose == purpose)
    if status is not None:
        page = page.where(Dispatch.status == status)
    needle = (text or "").strip()
    if needle:
        page = page.where(
            Dispatch.code.icontains(needle, autoescape=True)
            | Dispatch.title.icontains(needle, autoescape=True)
            | Dispatch.title_en.icontains(needle, autoescape=True)
            | Dispatch.city.icontains(needle, autoescape=True)
        )
    page = page.order_by(Dispatch.departure_on.desc(), Dispatch.id.desc()).offset(offset)
    if limit is not None:
        page = page.limit(limit)
    shown = page.cte("page")

    def cols(kind: str, **values: Any) -> list[Any]:
        return c.union_columns(_PAGE_SLOTS, kind=literal(kind), **values)

    p = shown.c
    branches: list[Any] = [
        select(*cols("row", id=p.id, code=p.code, title=p.title, title_en=p.title_en, purpose=p.purpose,
                     status=p.status, country=p.country, city=p.city, d1=p.departure_on, d2=p.return_on,
                     pcode=p.pcode)),
        select(*cols("member", id=DispatchMember.dispatch_id, mid=DispatchMember.id, role=DispatchMember.role,
                     sf=Staff.family_name, sg=Staff.given_name, se=Staff.name_en, cf=Contact.family_name,
                     cg=Contact.given_name, ce=Contact.name_en))
        .select_from(DispatchMember)
        .outerjoin(Staff, DispatchMember.staff_id == Staff.id)
        .outerjoin(Contact, DispatchMember.contact_id == Contact.id)
        .where(DispatchMember.dispatch_id.in_(select(p.id))),
    ]  # fmt: skip
    if with_choices:
        # the countries by skipping through their index (one probe per country, not a pass over every dispatch's
        # entry); the first departure and the last return from the dates' index
        first_country = select(func.min(Dispatch.country).label("country")).cte("countries", recursive=True)
        later = aliased(Dispatch)
        next_country = select(
            select(func.min(later.country)).where(later.country > first_country.c.country).scalar_subquery()
        ).where(first_country.c.country.is_not(None))
        countries_found = first_country.union_all(next_country)
        branches += [
            select(*cols("country", country=countries_found.c.country))
            .where(countries_found.c.country.is_not(None)),
            select(*cols("span", d1=select(func.min(Dispatch.departure_on)).scalar_subquery(),
                         d2=select(func.max(Dispatch.return_on)).scalar_subquery())),
        ]  # fmt: skip
    found = session.execute(union_all(*branches)).all()
    members: dict[int, list[tuple[int, int, str, str]]] = {}
    listed = []
    countries: list[str] = []
    span: tuple[date | None, date | None] = (None, None)
    for r in found:
        if r.kind == "row":
            listed.append(r)
        elif r.kind == "member":
            if r.sf is not None:
                name, name_en = person_name(r.sf, r.sg or ""), r.se
            else:
                name, name_en = person_name(r.cf or "", r.cg or ""), r.ce
            members.setdefault(r.id, []).append((_ROLE_ORDER.get(r.role, 9), r.mid, name, name_en or name))
        elif r.kind == "country":
            countries.append(r.country)
        else:
            span = (r.d1, r.d2)
    listed.sort(key=lambda r: (r.d1, r.id), reverse=True)
    rows = []
    for r in listed:
        names = [(n, en) for _r, _m, n, en in sorted(members.get(r.id, []))]
        rows.append(
            DispatchListRow(
                id=r.id, code=r.code, title=r.title, title_en=r.title_en, purpose=r.purpose, status=r.status,
                country=r.country, city=r.city, departure_on=r.d1, return_on=r.d2, project_code=r.pcode or "",
                members=tuple(n for n, _en in names), members_en=tuple(en for _n, en in names),
            )
        )  # fmt: skip
    choices = _filter_choices(countries, *span) if with_choices else None
    return rows, choices


def _filter_choices(
    countries: Sequence[str], first: date | None, last: date | None
) -> tuple[list[int], list[str]]:
    if not countries or first is None or last is None:
        return [], []
    years = list(range(c.fiscal_year_of(last), c.fiscal_year_of(first) - 1, -1))
    return years, sorted(countries)


def dispatch_countries(session: Session) -> list[str]:
    """The destination countries used so far (for the filter)."""
    return sorted(set(session.scalars(select(Dispatch.country).distinct())))


def dispatch_fiscal_years(session: Session) -> list[int]:
    """Fiscal years from the first departure to the last return (for the filter), newest first."""
    first = session.scalar(select(func.min(Dispatch.departure_on)))
    last = session.scalar(select(func.max(Dispatch.return_on)))
    if first is None or last is None:
        return []
    return list(range(c.fiscal_year_of(last), c.fiscal_year_of(first) - 1, -1))


def dispatch_filter_choices(session: Session) -> tuple[list[int], list[str]]:
    """The Dispatches tab's filter choices in one statement: the fiscal years from the first departure to the
    last return (newest first, as ``dispatch_fiscal_years``) and the destination countries (``dispatch_countries``),
    each from an index (not a pass over every dispatch)."""
    return dispatches_page(session, limit=0, with_choices=True)[1] or ([], [])


# --- staff registry ----------------------------------------------------------------------------------------------

LEVEL_ORDER: tuple[LanguageLevel, ...] = tuple(LanguageLevel)  # basic < ... < native


@dataclass(frozen=True)
class StaffRow:
    id: int
    staff_no: str
    name: str
    kana: str
    name_en: str
    department: str
    position: str
    languages: tuple[tuple[str, LanguageLevel], ...]
    skills: tuple[Skill, ...]
    trainings: tuple[tuple[TrainingKind, str, date], ...]
    passport_expiry: date | None
    active: bool
    version: int


def list_staff(
    session: Session,
    *,
    language: str | None = None,
    min_level: LanguageLevel | None = None,
    skill: Skill | None = None,
    active_only: bool = True,
    text: str = "",
    offset: int = 0,
    limit: int | None = None,
) -> list[StaffRow]:
    """Staff by reading (kana) then number; filtered by a language (at ``min_level`` or better), a skill, a text.

    Four queries however many staff (the languages, skills and trainings of the listed staff are read with the
    list's own conditions as a subquery, not in batches of ids)."""
    stmt = select(Staff).where(*_staff_conditions(language, min_level, skill, active_only, text))
    stmt = stmt.order_by(Staff.family_kana, Staff.given_kana, Staff.staff_no).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    staff = list(session.scalars(stmt))
    listed = stmt.with_only_columns(Staff.id).subquery()
    languages: dict[int, list[tuple[str, LanguageLevel]]] = defaultdict(list)
    for lang in session.scalars(select(StaffLanguage).where(StaffLanguage.staff_id.in_(select(listed.c.id)))):
        languages[lang.staff_id].append((lang.language, lang.level))
    skills: dict[int, list[Skill]] = defaultdict(list)
    for sk in session.scalars(select(StaffSkill).where(StaffSkill.staff_id.in_(select(listed.c.id)))):
        skills[sk.staff_id].append(sk.skill)
    trainings: dict[int, list[tuple[TrainingKind, str, date]]] = defaultdict(list)
    for t in session.scalars(
        select(StaffTraining)
        .where(StaffTraining.staff_id.in_(select(listed.c.id)))
        .order_by(StaffTraining.staff_id, StaffTraining.completed_on, StaffTraining.id)
    ):
        trainings[t.staff_id].append((t.kind, t.name, t.completed_on))
    return [
        StaffRow(
            id=s.id,
            staff_no=s.staff_no,
            name=person_name(s.family_name, s.given_name),
            kana=person_name(s.family_kana, s.given_kana),
            name_en=s.name_en,
            department=s.department,
            position=s.position,
            languages=tuple(sorted(languages.get(s.id, ()), key=lambda p: -LEVEL_ORDER.index(p[1]))),
            skills=tuple(sorted(skills.get(s.id, ()), key=lambda k: list(Skill).index(k))),
            trainings=tuple(trainings.get(s.id, ())),
            passport_expiry=s.passport_expiry,
            active=s.active,
            version=s.version,
        )
        for s in staff
    ]


def _staff_conditions(
    language: str | None, min_level: LanguageLevel | None, skill: Skill | None, active_only: bool, text: str
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if active_only:
        conditions.append(Staff.active.is_(True))
    if language:
        levels = LEVEL_ORDER[LEVEL_ORDER.index(min_level) :] if min_level is not None else LEVEL_ORDER
        conditions.append(
            Staff.id.in_(
                select(StaffLanguage.staff_id).where(
                    StaffLanguage.language == language, StaffLanguage.level.in_(levels)
                )
            )
        )
    if skill is not None:
        conditions.append(Staff.id.in_(select(StaffSkill.staff_id).where(StaffSkill.skill == skill)))
    needle = (text or "").strip()
    if needle:
        conditions.append(
            Staff.staff_no.icontains(needle, autoescape=True)
            | Staff.family_name.icontains(needle, autoescape=True)
            | Staff.given_name.icontains(needle, autoescape=True)
            | Staff.family_kana.icontains(needle, autoescape=True)
            | Staff.given_kana.icontains(needle, autoescape=True)
            | Staff.name_en.icontains(needle, autoescape=True)
            | Staff.department.icontains(needle, autoescape=True)
        )
    return conditions


@dataclass(frozen=True)
class StaffPick:
    """A staff member as the dispatch dialog's chooser lists them."""

    id: int
    name: str
    name_en: str
    department: str


def staff_picks(
    session: Session,
    *,
    language: str | None = None,
    min_level: LanguageLevel | None = None,
    skill: Skill | None = None,
    text: str = "",
    limit: int = 100,
) -> tuple[list[StaffPick], int]:
    """Active staff by reading for the dispatch dialog's chooser, filtered like ``list_staff`` (a language at
    ``min_level`` or better, a skill, a text in the number, names, readings or department), at most ``limit``
    of them, and how many match in all: one statement (the total is a window count over the same rows)."""
    total = func.count().over().label("total")
    rows = session.execute(
        select(Staff.id, Staff.family_name, Staff.given_name, Staff.name_en, Staff.department, total)
        .where(*_staff_conditions(language, min_level, skill, True, text))
        .order_by(Staff.family_kana, Staff.given_kana, Staff.staff_no)
        .limit(limit)
    ).all()
    picks = [StaffPick(r.id, person_name(r.family_name, r.given_name), r.name_en, r.department) for r in rows]
    return picks, (rows[0].total if rows else 0)


def staff_languages(session: Session) -> list[str]:
    """Language codes some staff member speaks (for the filter)."""
    return sorted(set(session.scalars(select(StaffLanguage.language).distinct())))


@dataclass(frozen=True)
class ContactChoice:
    id: int
    name: str
    name_en: str
    organization: str


def contact_choices(session: Session, text: str = "", limit: int = 200) -> list[ContactChoice]:
    """People of partner organizations, for mission teams (current employer shown), by reading; ``text``
    narrows to names or readings containing it. One statement (the employer is a subquery)."""
    employer = (
        select(Organization.name_ja)
        .join(Employment, Employment.organization_id == Organization.id)
        .where(Employment.contact_id == Contact.id, Employment.ended_on.is_(None))
        .order_by(Employment.id)
        .limit(1)
        .correlate(Contact)
        .scalar_subquery()
    )
    stmt = select(Contact.id, Contact.family_name, Contact.given_name, Contact.name_en, employer.label("org"))
    needle = (text or "").strip()
    if needle:
        stmt = stmt.where(
            Contact.family_name.icontains(needle, autoescape=True)
            | Contact.given_name.icontains(needle, autoescape=True)
            | Contact.family_kana.icontains(needle, autoescape=True)
            | Contact.given_kana.icontains(needle, autoescape=True)
            | Contact.name_en.icontains(needle, autoescape=True)
        )
    stmt = stmt.order_by(Contact.family_kana, Contact.given_kana, Contact.id).limit(limit)
    return [
        ContactChoice(r.id, person_name(r.family_name, r.given_name), r.name_en, r.org or "")
        for r in session.execute(stmt)
    ]


# --- timeline ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineBar:
    dispatch_id: int
    code: str
    title: str
    title_en: str
    purpose: DispatchPurpose
    status: DispatchStatus
    country: str
    start: date
    end: date
    role: MemberRole
    conflicts: tuple[str, ...]  # translated messages; empty = no conflict

    @property
    def tentative(self) -> bool:
        return self.status in (DispatchStatus.PLANNED, DispatchStatus.TENTATIVE)


@dataclass(frozen=True)
class TimelineLane:
    key: str  # "s:<staff id>" or "c:<contact id>"
    name: str
    name_en: str
    is_staff: bool
    bars: tuple[TimelineBar, ...]


def timeline(
    session: Session, start: date, end: date, *, include_cancelled: bool = False
) -> list[TimelineLane]:
    """Dispatches between ``start`` and ``end`` by person: staff first (by reading), then partners' people.
    Each bar carries the conflict messages of that person on that dispatch (overlap, passport, guide duty)."""
    stmt = (
        select(DispatchMember, Dispatch)
        .join(Dispatch, DispatchMember.dispatch_id == Dispatch.id)
        .where(Dispatch.departure_on <= end, Dispatch.return_on >= start)
        .options(selectinload(DispatchMember.staff), selectinload(DispatchMember.contact))
    )
    if not include_cancelled:
        stmt = stmt.where(Dispatch.status != DispatchStatus.CANCELLED)
    rows = session.execute(stmt).all()
    if not rows:
        return []
    staff_ids = {m.staff_id for m, _d in rows if m.staff_id is not None}
    lo = min(d.departure_on for _m, d in rows)
    hi = max(d.return_on for _m, d in rows)
    # Every live dispatch of these people that touches the shown ones, for the overlap marks.
    spans: dict[int, list[tuple[int, str, date, date]]] = {}
    if staff_ids:
        for sid, did, code, dep, ret in session.execute(
            select(
                DispatchMember.staff_id, Dispatch.id, Dispatch.code, Dispatch.departure_on, Dispatch.return_on
            )
            .join(Dispatch, DispatchMember.dispatch_id == Dispatch.id)
            .where(DispatchMember.staff_id.in_(staff_ids))
            .where(Dispatch.status != DispatchStatus.CANCELLED)
            .where(Dispatch.departure_on <= hi, Dispatch.return_on >= lo)
        ):
            spans.setdefault(sid or 0, []).append((did, code, dep, ret))
    duties: dict[int, list[tuple[datetime, datetime, str]]] = {}
    if staff_ids:
        window = checks.home_window(lo, hi)
        for sid, seg_start, seg_end, code in session.execute(
            select(SegmentStaff.staff_id, BookingSegment.starts_at, BookingSegment.ends_at, Booking.code)
            .join(BookingSegment, SegmentStaff.segment_id == BookingSegment.id)
            .join(Booking, BookingSegment.booking_id == Booking.id)
            .where(SegmentStaff.staff_id.in_(staff_ids))
            .where(Booking.status != BookingStatus.CANCELLED)
            .where(BookingSegment.starts_at < window[1], BookingSegment.ends_at > window[0])
        ):
            duties.setdefault(sid, []).append((seg_start, seg_end, code))

    lanes: dict[str, dict[str, Any]] = {}
    for member, d in rows:
        messages: list[str] = []
        if member.staff is not None:
            person = member.staff
            key, name, name_en = (
                f"s:{person.id}",
                person_name(person.family_name, person.given_name),
                person.name_en,
            )
            sort = (0, person.family_kana + person.given_kana, person.staff_no)
            if d.status != DispatchStatus.CANCELLED:
                for other_id, code, dep, ret in spans.get(person.id, []):
                    if other_id != d.id and dates_overlap(d.departure_on, d.return_on, dep, ret):
                        messages.append(
                            MemberConflict(
                                person.id,
                                name,
                                d.id,
                                other_id,
                                code,
                                max(dep, d.departure_on),
                                min(ret, d.return_on),
                            ).message()
                        )
                deadline = checks.passport_deadline(d.return_on)
                if person.passport_expiry is not None and person.passport_expiry < deadline:
                    messages.append(
                        _(
                            "The passport of {name} expires on {expiry}, less than six months after the return "
                            "on {ret}."
                        ).format(
                            name=name,
                            expiry=format_date(person.passport_expiry),
                            ret=format_date(d.return_on),
                        )
                    )
                w0, w1 = checks.home_window(d.departure_on, d.return_on)
                for seg_start, seg_end, code in duties.get(person.id, []):
                    if seg_start < w1 and seg_end > w0:
                        messages.append(
                            _("{name} is assigned to the visit {code} at home on {when}.").format(
                                name=name, code=code, when=format_datetime(seg_start, "Asia/Tokyo")
                            )
                        )
        else:
            contact = member.contact
            assert contact is not None
            key = f"c:{contact.id}"
            name, name_en = person_name(contact.family_name, contact.given_name), contact.name_en
            sort = (1, contact.family_kana + contact.given_kana, str(contact.id))
        lane = lanes.setdefault(
            key,
            {"name": name, "name_en": name_en, "staff": member.staff is not None, "sort": sort, "bars": []},
        )
        lane["bars"].append(
            TimelineBar(
                dispatch_id=d.id,
                code=d.code,
                title=d.title,
                title_en=d.title_en,
                purpose=d.purpose,
                status=d.status,
                country=d.country,
                start=d.departure_on,
                end=d.return_on,
                role=member.role,
                conflicts=tuple(dict.fromkeys(messages)),
            )
        )
    ordered = sorted(lanes.items(), key=lambda kv: kv[1]["sort"])
    return [
        TimelineLane(
            key=key,
            name=v["name"],
            name_en=v["name_en"],
            is_staff=v["staff"],
            bars=tuple(sorted(v["bars"], key=lambda b: (b.start, b.dispatch_id))),
        )
        for key, v in ordered
    ]


# --- emergency contacts for the itinerary (read-only view of the partner directory) --------------------------------


class ContactCategory(enum.StrEnum):
    EMBASSY = "embassy"
    JICA = "jica"
    COUNTERPART = "counterpart"


CONTACT_CATEGORY_LABELS: dict[ContactCategory, str] = {
    ContactCategory.EMBASSY: N_("Embassy of Japan"),
    ContactCategory.JICA: N_("JICA office"),
    ContactCategory.COUNTERPART: N_("Counterpart"),
}


@dataclass(frozen=True)
class EmergencyContact:
    category: ContactCategory
    organization: str
    organization_en: str
    person: str
    person_en: str
    title: str
    phone: str
    email: str


_EMBASSY_WORDS = ("大使館", "領事館", "embassy", "consulate")
_JICA_WORDS = ("jica", "国際協力機構")


def _category(org: Organization) -> ContactCategory | None:
    text = f"{org.name_ja} {org.name_en} {org.abbreviation}".casefold()
    if any(w in text for w in _EMBASSY_WORDS):
        return ContactCategory.EMBASSY
    if any(w in text for w in _JICA_WORDS):
        return ContactCategory.JICA
    if org.kind == OrganizationKind.COUNTERPART:
        return ContactCategory.COUNTERPART
    return None


def emergency_contacts(
    session: Session, dispatch_id: int, *, today: date | None = None
) -> list[EmergencyContact]:
    """Embassy, JICA office and counterparts for the destination, from the partner directory: organizations in the
    destination country (a counterpart only if it takes part in the dispatch's project, when it has one), with the
    people working there now; and JICA staff at home whose post names the destination country (e.g. ラオス事務所)."""
    dispatch = get_dispatch(session, dispatch_id)
    day = today or date.today()
    participants: set[int] = set()
    if dispatch.project_id is not None:
        participants = set(
            session.scalars(
                select(ProjectParticipant.organization_id).where(
                    ProjectParticipant.project_id == dispatch.project_id
                )
            )
        )
    orgs = session.scalars(
        select(Organization)
        .where(Organization.country == dispatch.country)
        .options(selectinload(Organization.employments).selectinload(Employment.contact))
        .order_by(Organization.name_kana, Organization.id)
    ).all()
    out: list[EmergencyContact] = []

    def current(e: Employment) -> bool:
        return (e.started_on is None or e.started_on <= day) and (e.ended_on is None or e.ended_on >= day)

    def add(category: ContactCategory, org: Organization, e: Employment | None) -> None:
        person = e.contact if e is not None else None
        out.append(
            EmergencyContact(
                category=category,
                organization=org.name_ja + (f" {e.department}" if e is not None and e.department else ""),
                organization_en=org.name_en or org.name_ja,
                person=person_name(person.family_name, person.given_name) if person else "",
                person_en=person.name_en if person else "",
                title=e.title if e is not None else "",
                phone=(person.phone or person.mobile or org.phone) if person else org.phone,
                email=(person.email or org.email) if person else org.email,
            )
        )

    for org in orgs:
        category = _category(org)
        if category is None:
            continue
        if category == ContactCategory.COUNTERPART and participants and org.id not in participants:
            continue
        people = [e for e in org.employments if current(e)]
        if not people:
            add(category, org, None)
        for e in people:
            add(category, org, e)
    # JICA staff in Tokyo posted to the destination's office (the department names the country).
    names = {country_name(dispatch.country, language="ja"), country_name(dispatch.country, language="en")}
    jica_home = session.scalars(
        select(Employment)
        .join(Organization, Employment.organization_id == Organization.id)
        .where(Organization.country != dispatch.country)
        .options(selectinload(Employment.contact), selectinload(Employment.organization))
    ).all()
    for e in jica_home:
        posted = any(n and n in e.department for n in names)
        if posted and _category(e.organization) == ContactCategory.JICA and current(e):
            add(ContactCategory.JICA, e.organization, e)
    order = list(ContactCategory)
    return sorted(out, key=lambda x: order.index(x.category))
