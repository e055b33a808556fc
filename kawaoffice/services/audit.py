"""The audit hook: who created and changed each row, and a field-level log of every insert, update and delete.

Installed once on the ``Session`` class when ``kawaoffice.services`` is imported, so every session of the app,
the CLI and the tests is covered. The acting user comes from ``session.info["user"]``.

- ``before_flush`` stamps ``created_by`` / ``updated_by`` (the columns must be set before the rows are written).
- ``after_flush`` writes the ``AuditEntry`` rows: only then do new rows have their ids. At that point the
  session's ``new`` / ``dirty`` / ``deleted`` sets and attribute histories still show the pre-flush state
  (SQLAlchemy documents this), so the old and new values are exact. The entries are inserted with a Core
  ``INSERT`` on the flush's own connection: same transaction as the change, no second flush round.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, Text, cast, event, func, insert, inspect, or_, select
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.base import NO_VALUE

from kawaoffice.i18n import N_
from kawaoffice.model.audit import AuditAction, AuditEntry, ConflictOverride
from kawaoffice.model.base import Entity, utcnow

# Columns never logged as field changes: the bookkeeping (the entry itself says who and when) and what the
# services derive from the other fields (the search text, the organizations' stored sort keys and name keys).
SKIPPED_FIELDS = frozenset(
    {
        "id",
        "version",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "search_text",
        "sort_ja",
        "sort_en",
        "name_keys",
    }
)
_installed = False


def current_user(session: Session) -> str:
    return str(session.info.get("user", "") or "")


def jsonable(value: Any) -> Any:
    """A JSON-friendly form of a column value: ISO strings for dates and times, values for enums."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, Iterable):
        return [jsonable(v) for v in value]
    return str(value)


def _column_keys(obj: Entity) -> list[str]:
    return [attr.key for attr in inspect(type(obj)).column_attrs if attr.key not in SKIPPED_FIELDS]


# The fields an entry names its record by, the first one with a text
SUMMARY_FIELDS = ("code", "name_ja", "title", "group_name", "family_name", "topic", "name", "login")


def summary_of(obj: Any) -> str:
    """What an entry names its record by (its code, Japanese name, title...); any object with the fields."""
    for name in SUMMARY_FIELDS:
        value = getattr(obj, name, None)
        if isinstance(value, str) and value:
            return value[:255]
    return ""


def _insert_changes(obj: Entity) -> dict[str, Any]:
    return {key: [None, jsonable(getattr(obj, key))] for key in _column_keys(obj)}


def _delete_changes(obj: Entity) -> dict[str, Any]:
    state = inspect(obj)
    changes: dict[str, Any] = {}
    for key in _column_keys(obj):
        value = state.attrs[key].loaded_value
        if value is not NO_VALUE:
            changes[key] = [jsonable(value), None]
    return changes


def _update_changes(obj: Entity) -> dict[str, Any]:
    state = inspect(obj)
    changes: dict[str, Any] = {}
    for key in _column_keys(obj):
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new and history.deleted:
            continue
        changes[key] = [jsonable(old), jsonable(new)]
    return changes


def _before_flush(session: Session, flush_context: UOWTransaction, instances: object) -> None:
    user = current_user(session)
    for obj in session.new:
        if isinstance(obj, Entity):
            obj.created_by = user
            obj.updated_by = user
    for obj in session.dirty:
        if isinstance(obj, Entity) and session.is_modified(obj, include_collections=False):
            obj.updated_by = user


def _after_flush(session: Session, flush_context: UOWTransaction) -> None:
    user = current_user(session)
    now = utcnow()
    rows: list[dict[str, Any]] = []

    def add(action: AuditAction, obj: Entity, changes: dict[str, Any]) -> None:
        rows.append(
            {
                "at": now,
                "user": user,
                "action": action,
                "table_name": obj.__tablename__,
                "row_id": obj.id,
                "summary": summary_of(obj),
                "changes": changes,
                "reason": None,
            }
        )

    for obj in session.new:
        if isinstance(obj, Entity):
            add(AuditAction.INSERT, obj, _insert_changes(obj))
    for obj in session.dirty:
        if isinstance(obj, Entity) and obj not in session.deleted:
            changes = _update_changes(obj)
            if changes:
                add(AuditAction.UPDATE, obj, changes)
    for obj in session.deleted:
        if isinstance(obj, Entity):
            add(AuditAction.DELETE, obj, _delete_changes(obj))
    if rows:
        session.connection().execute(insert(AuditEntry), rows)


def install() -> None:
    """Attach the hooks (audit, and the role check of ``services.permissions``) to ``Session`` (idempotent)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "after_flush", _after_flush)
    _installed = True
    # the role check goes with the audit hook: every session that is audited is also checked
    from kawaoffice.services import permissions

    permissions.install()


def record_override(
    session: Session,
    kind: str,
    subject: Entity,
    other: Entity | None,
    reason: str,
    details: Mapping[str, Any],
) -> ConflictOverride:
    """Record that the user overrode a conflict check of ``kind`` on ``subject`` (against ``other``), and why."""
    if subject.id is None:
        session.flush()
    user = current_user(session)
    data = jsonable(dict(details))
    override = ConflictOverride(
        user=user,
        kind=kind,
        subject_table=subject.__tablename__,
        subject_id=subject.id,
        other_table=other.__tablename__ if other is not None else None,
        other_id=other.id if other is not None else None,
        reason=reason,
        details=data,
    )
    session.add(override)
    session.add(
        AuditEntry(
            user=user,
            action=AuditAction.OVERRIDE,
            table_name=subject.__tablename__,
            row_id=subject.id,
            summary=kind,
            changes=data,
            reason=reason,
        )
    )
    return override


# --- reading the log (the audit log viewer) ---------------------------------------------------------------------

# What each table's rows are, for the viewer's record-type filter and column (English msgids, translated by the UI).
TABLE_LABELS: dict[str, str] = {
    "organizations": N_("Organization"),
    "memberships": N_("Membership"),
    "technologies": N_("Technology"),
    "organization_technologies": N_("Organization technology"),
    "contacts": N_("Contact"),
    "employments": N_("Post"),
    "schemes": N_("Scheme"),
    "scheme_stages": N_("Stage template"),
    "projects": N_("Project"),
    "stage_events": N_("Stage change"),
    "project_participants": N_("Project participant"),
    "project_sdg_targets": N_("SDG target"),
    "project_sectors": N_("Project sector"),
    "local_needs": N_("Local need"),
    "need_technologies": N_("Need technology"),
    "staff": N_("Staff"),
    "staff_languages": N_("Staff language"),
    "staff_skills": N_("Staff skill"),
    "staff_trainings": N_("Staff training"),
    "dispatches": N_("Dispatch"),
    "dispatch_members": N_("Dispatch member"),
    "itinerary_legs": N_("Itinerary leg"),
    "facilities": N_("Facility"),
    "facility_weekdays": N_("Facility weekday"),
    "closed_dates": N_("Closed date"),
    "courses": N_("Tour course"),
    "course_stops": N_("Course stop"),
    "bookings": N_("Booking"),
    "booking_segments": N_("Booking segment"),
    "segment_staff": N_("Segment guide"),
    "booking_presenters": N_("Presenting member"),
    "app_user": N_("User"),
}

ACTION_LABELS: dict[AuditAction, str] = {
    AuditAction.INSERT: N_("Created"),
    AuditAction.UPDATE: N_("Changed"),
    AuditAction.DELETE: N_("Deleted"),
    AuditAction.OVERRIDE: N_("Check overridden"),
}


@dataclass(frozen=True)
class AuditFilter:
    """What the viewer asks for; every part is optional. ``since``/``until`` are aware datetimes (until exclusive)."""

    table_name: str | None = None
    row_id: int | None = None
    user: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str = ""
    action: AuditAction | None = None


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class AuditRow:
    """One entry of the log as the viewer shows it (``reason``: the override reason, for override entries)."""

    id: int
    at: datetime
    user: str
    action: AuditAction
    table_name: str
    row_id: int | None
    summary: str
    reason: str | None
    changes: dict[str, Any]

    def field_changes(self) -> list[FieldChange]:
        """Field by field, in the order the log holds them; an override's details as ``new`` values."""
        result: list[FieldChange] = []
        for key, value in self.changes.items():
            if self.action is not AuditAction.OVERRIDE and isinstance(value, list) and len(value) == 2:
                result.append(FieldChange(key, value[0], value[1]))
            else:
                result.append(FieldChange(key, None, value))
        return result


def _escaped(text: str) -> str:
    """``text`` as it appears inside the stored JSON (non-ASCII as ``\\uXXXX``)."""
    return json.dumps(text)[1:-1]


def _filtered(stmt: Select[Any], flt: AuditFilter) -> Select[Any]:
    if flt.table_name:
        stmt = stmt.where(AuditEntry.table_name == flt.table_name)
    if flt.row_id is not None:
        stmt = stmt.where(AuditEntry.row_id == flt.row_id)
    if flt.user:
        stmt = stmt.where(AuditEntry.user == flt.user)
    if flt.since is not None:
        stmt = stmt.where(AuditEntry.at >= flt.since)
    if flt.until is not None:
        stmt = stmt.where(AuditEntry.at < flt.until)
    if flt.action is not None:
        stmt = stmt.where(AuditEntry.action == flt.action)
    for word in flt.text.split():
        lowered = word.lower()
        stmt = stmt.where(
            or_(
                func.lower(AuditEntry.summary).contains(lowered, autoescape=True),
                func.lower(func.coalesce(AuditEntry.reason, "")).contains(lowered, autoescape=True),
                func.lower(cast(AuditEntry.changes, Text)).contains(_escaped(lowered), autoescape=True),
            )
        )
    return stmt


def search_log(
    session: Session, flt: AuditFilter | None = None, *, limit: int = 200, before_id: int | None = None
) -> list[AuditRow]:
    """Entries matching ``flt``, newest first, at most ``limit``; ``before_id`` continues after the last entry of
    the previous page ("load more")."""
    stmt = _filtered(select(AuditEntry), flt or AuditFilter())
    if before_id is not None:
        stmt = stmt.where(AuditEntry.id < before_id)
    stmt = stmt.order_by(AuditEntry.id.desc()).limit(limit)
    return [
        AuditRow(
            id=e.id,
            at=e.at,
            user=e.user,
            action=e.action,
            table_name=e.table_name,
            row_id=e.row_id,
            summary=e.summary,
            reason=e.reason,
            changes=dict(e.changes or {}),
        )
        for e in session.scalars(stmt)
    ]


def count_log(session: Session, flt: AuditFilter | None = None) -> int:
    stmt = _filtered(select(func.count()).select_from(AuditEntry), flt or AuditFilter())
    return int(session.scalar(stmt) or 0)


def log_users(session: Session) -> list[str]:
    """Every user that appears in the log, sorted."""
    return [u for u in session.scalars(select(AuditEntry.user).distinct().order_by(AuditEntry.user)) if u]


def log_tables(session: Session) -> list[str]:
    """Every table that appears in the log, sorted."""
    return list(session.scalars(select(AuditEntry.table_name).distinct().order_by(AuditEntry.table_name)))


def overrides_of(session: Session, table_name: str, row_id: int) -> list[ConflictOverride]:
    """The recorded overrides of conflict checks on one record, newest first."""
    stmt = (
        select(ConflictOverride)
        .where(ConflictOverride.subject_table == table_name, ConflictOverride.subject_id == row_id)
        .order_by(ConflictOverride.id.desc())
    )
    return list(session.scalars(stmt))
