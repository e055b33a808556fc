"""The audit log (who changed what, field by field) and recorded overrides of conflict checks."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kawaoffice.model.base import Base, StrEnumType, UTCDateTime, utcnow


class AuditAction(enum.StrEnum):
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    OVERRIDE = "override"


class AuditEntry(Base):
    """One change to one row. Written in the same transaction as the change; never edited."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_record", "table_name", "row_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False, index=True)
    user: Mapped[str] = mapped_column(String(64), nullable=False, default="", index=True)
    action: Mapped[AuditAction] = mapped_column(StrEnumType(AuditAction), nullable=False)
    table_name: Mapped[str] = mapped_column(String(64), nullable=False)
    row_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    # {"field": [old, new], ...} with JSON-friendly values
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    reason: Mapped[str | None] = mapped_column(Text)


class ConflictOverride(Base):
    """A conflict check that a user chose to override, with the reason they gave."""

    __tablename__ = "conflict_overrides"
    __table_args__ = (Index("ix_conflict_overrides_subject", "subject_table", "subject_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    user: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    subject_table: Mapped[str] = mapped_column(String(64), nullable=False)
    subject_id: Mapped[int] = mapped_column(Integer, nullable=False)
    other_table: Mapped[str | None] = mapped_column(String(64))
    other_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
