"""Project stages: funding schemes with stage templates, projects, stage history, participants, tags, local needs."""

from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kawaoffice.i18n import N_
from kawaoffice.model.base import Entity, StrEnumType

if TYPE_CHECKING:
    from kawaoffice.model.dispatch import Staff
    from kawaoffice.model.partners import Organization


class Scheme(Entity):
    """A funding scheme (JICA technical cooperation, grassroots, SME support, MLIT demonstration...)."""

    __tablename__ = "schemes"

    code: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    name_ja: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")

    stages: Mapped[list[SchemeStage]] = relationship(
        back_populates="scheme", cascade="all, delete-orphan", order_by="SchemeStage.position"
    )


class SchemeStage(Entity):
    """One stage of a scheme's template, in order, mapped to an IATI activity status (1-6)."""

    __tablename__ = "scheme_stages"
    __table_args__ = (
        UniqueConstraint("scheme_id", "code"),
        CheckConstraint("iati_status BETWEEN 1 AND 6", name="iati_status_range"),
    )

    scheme_id: Mapped[int] = mapped_column(
        ForeignKey("schemes.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    name_ja: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    iati_status: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    scheme: Mapped[Scheme] = relationship(back_populates="stages")


class ProjectState(enum.StrEnum):
    """Whether a project is moving through its stages or has ended one way or another."""

    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    SUSPENDED = "suspended"


PROJECT_STATE_LABELS: dict[ProjectState, str] = {
    ProjectState.ACTIVE: N_("Active"),
    ProjectState.COMPLETED: N_("Completed"),
    ProjectState.CANCELLED: N_("Cancelled"),
    ProjectState.SUSPENDED: N_("Suspended"),
}

# IATI activity status for the end states; an active project takes its stage's status.
PROJECT_STATE_IATI_STATUS: dict[ProjectState, int] = {
    ProjectState.COMPLETED: 4,
    ProjectState.CANCELLED: 5,
    ProjectState.SUSPENDED: 6,
}


class Project(Entity):
    __tablename__ = "projects"

    code: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    title_ja: Mapped[str] = mapped_column(String(300), nullable=False)
    title_en: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    scheme_id: Mapped[int] = mapped_column(
        ForeignKey("schemes.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("scheme_stages.id", ondelete="RESTRICT"), index=True
    )
    state: Mapped[ProjectState] = mapped_column(
        StrEnumType(ProjectState), nullable=False, default=ProjectState.ACTIVE, index=True
    )
    country: Mapped[str] = mapped_column(String(2), nullable=False, default="")
    region: Mapped[str] = mapped_column(String(120), nullable=False, default="")  # province, city
    counterpart_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    lead_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), index=True)
    start_on: Mapped[date | None] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    budget_yen: Mapped[int | None] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    next_action: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    next_action_on: Mapped[date | None] = mapped_column(Date)

    scheme: Mapped[Scheme] = relationship()
    stage: Mapped[SchemeStage | None] = relationship()
    counterpart: Mapped[Organization | None] = relationship()
    lead_staff: Mapped[Staff | None] = relationship()
    events: Mapped[list[StageEvent]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="StageEvent.occurred_on"
    )
    participants: Mapped[list[ProjectParticipant]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )
    sdg_targets: Mapped[list[ProjectSdgTarget]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )
    sectors: Mapped[list[ProjectSector]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )


class StageEvent(Entity):
    """A move of a project into a stage or an end state, with the date it happened and a note."""

    __tablename__ = "stage_events"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("scheme_stages.id", ondelete="SET NULL"))
    to_stage_id: Mapped[int | None] = mapped_column(ForeignKey("scheme_stages.id", ondelete="SET NULL"))
    state: Mapped[ProjectState] = mapped_column(StrEnumType(ProjectState), nullable=False)
    occurred_on: Mapped[date] = mapped_column(Date, nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")  # required for a move back

    project: Mapped[Project] = relationship(back_populates="events")
    from_stage: Mapped[SchemeStage | None] = relationship(foreign_keys=[from_stage_id])
    to_stage: Mapped[SchemeStage | None] = relationship(foreign_keys=[to_stage_id])


class ProjectParticipant(Entity):
    """An organization taking part in a project, with its IATI OrganisationRole (1 funding ... 4 implementing)."""

    __tablename__ = "project_participants"
    __table_args__ = (
        UniqueConstraint("project_id", "organization_id", "role"),
        CheckConstraint("role BETWEEN 1 AND 4", name="role_range"),
    )

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    role: Mapped[int] = mapped_column(Integer, nullable=False)
    note: Mapped[str] = mapped_column(String(300), nullable=False, default="")

    project: Mapped[Project] = relationship(back_populates="participants")
    organization: Mapped[Organization] = relationship()


class ProjectSdgTarget(Entity):
    __tablename__ = "project_sdg_targets"
    __table_args__ = (UniqueConstraint("project_id", "target"),)

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    target: Mapped[str] = mapped_column(String(8), nullable=False)  # key of reference.SDG6_TARGETS

    project: Mapped[Project] = relationship(back_populates="sdg_targets")


class ProjectSector(Entity):
    __tablename__ = "project_sectors"
    __table_args__ = (UniqueConstraint("project_id", "dac_code"),)

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    dac_code: Mapped[str] = mapped_column(String(5), nullable=False)  # key of reference.DAC_SECTORS
    percentage: Mapped[int | None] = mapped_column(Integer)

    project: Mapped[Project] = relationship(back_populates="sectors")


class NeedSource(enum.StrEnum):
    DISPATCH = "dispatch"
    VISIT = "visit"
    SURVEY = "survey"
    OTHER = "other"


NEED_SOURCE_LABELS: dict[NeedSource, str] = {
    NeedSource.DISPATCH: N_("Dispatch"),
    NeedSource.VISIT: N_("Visit"),
    NeedSource.SURVEY: N_("Survey"),
    NeedSource.OTHER: N_("Other"),
}


class LocalNeed(Entity):
    """A need learnt in the field (現地ニーズ), to pass on to member companies."""

    __tablename__ = "local_needs"

    country: Mapped[str] = mapped_column(String(2), nullable=False)
    counterpart_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    topic: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    dac_code: Mapped[str | None] = mapped_column(String(5))
    source: Mapped[NeedSource] = mapped_column(
        StrEnumType(NeedSource), nullable=False, default=NeedSource.OTHER
    )
    dispatch_id: Mapped[int | None] = mapped_column(ForeignKey("dispatches.id", ondelete="SET NULL"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))
    learned_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    passed_on: Mapped[date | None] = mapped_column(Date)  # when it was passed to member companies

    counterpart: Mapped[Organization | None] = relationship()
    project: Mapped[Project | None] = relationship()
    technologies: Mapped[list[NeedTechnology]] = relationship(
        back_populates="need", cascade="all, delete-orphan"
    )


class NeedTechnology(Entity):
    """A technology a need calls for: the key for matching member companies."""

    __tablename__ = "need_technologies"
    __table_args__ = (UniqueConstraint("need_id", "technology_id"),)

    need_id: Mapped[int] = mapped_column(
        ForeignKey("local_needs.id", ondelete="CASCADE"), nullable=False, index=True
    )
    technology_id: Mapped[int] = mapped_column(
        ForeignKey("technologies.id", ondelete="RESTRICT"), nullable=False, index=True
    )

    need: Mapped[LocalNeed] = relationship(back_populates="technologies")
