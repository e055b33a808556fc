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
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.base import NO_VALUE

from kawaoffice.model.audit import AuditAction, AuditEntry, ConflictOverride
from kawaoffice.model.base import Entity, utcnow

# Bookkeeping columns: logged implicitly by the entry itself (who, when), never as field changes.
_SKIPPED = frozenset({"id", "version", "created_at", "created_by", "updated_at", "updated_by", "search_text"})
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
    return [attr.key for attr in inspect(type(obj)).column_attrs if attr.key not in _SKIPPED]


def _summary(obj: Entity) -> str:
    for name in ("code", "name_ja", "title", "group_name", "family_name", "topic", "name", "login"):
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
                "summary": _summary(obj),
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
