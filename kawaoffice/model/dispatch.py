"""Dispatch scheduling: staff, dispatches abroad with members and a time-zone aware itinerary.

A passport number is never stored: only the expiry date, which the checks need.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kawaoffice.i18n import N_
from kawaoffice.model.base import Entity, StrEnumType, UTCDateTime

if TYPE_CHECKING:
    from kawaoffice.model.partners import Contact
    from kawaoffice.model.projects import Project


class LanguageLevel(enum.StrEnum):
    BASIC = "basic"
    CONVERSATIONAL = "conversational"
    BUSINESS = "business"
    FLUENT = "fluent"
    NATIVE = "native"


LANGUAGE_LEVEL_LABELS: dict[LanguageLevel, str] = {
    LanguageLevel.BASIC: N_("Basic"),
    LanguageLevel.CONVERSATIONAL: N_("Conversational"),
    LanguageLevel.BUSINESS: N_("Business"),
    LanguageLevel.FLUENT: N_("Fluent"),
    LanguageLevel.NATIVE: N_("Native"),
}


class Skill(enum.StrEnum):
    OPERATION_MAINTENANCE = "om"
    NON_REVENUE_WATER = "nrw"
    WATER_QUALITY = "water_quality"
    WATER_TREATMENT = "water_treatment"
    DISTRIBUTION = "distribution"
    SEWERAGE = "sewerage"
    WASTEWATER_TREATMENT = "wastewater_treatment"
    BUSINESS_MANAGEMENT = "management"
    TRAINING = "training"


SKILL_LABELS: dict[Skill, str] = {
    Skill.OPERATION_MAINTENANCE: N_("Operation and maintenance"),
    Skill.NON_REVENUE_WATER: N_("Non-revenue water"),
    Skill.WATER_QUALITY: N_("Water quality"),
    Skill.WATER_TREATMENT: N_("Water treatment"),
    Skill.DISTRIBUTION: N_("Distribution networks"),
    Skill.SEWERAGE: N_("Sewerage"),
    Skill.WASTEWATER_TREATMENT: N_("Wastewater treatment"),
    Skill.BUSINESS_MANAGEMENT: N_("Business management"),
    Skill.TRAINING: N_("Training and capacity building"),
}


class TrainingKind(enum.StrEnum):
    INTERNATIONAL_SEMINAR = "intl_seminar"  # 国際業務研修会
    LANGUAGE = "language"  # 語学研修
    JICA_PREDEPARTURE = "jica_predeparture"
    OTHER = "other"


TRAINING_KIND_LABELS: dict[TrainingKind, str] = {
    TrainingKind.INTERNATIONAL_SEMINAR: N_("International work seminar"),
    TrainingKind.LANGUAGE: N_("Language training"),
    TrainingKind.JICA_PREDEPARTURE: N_("JICA pre-departure training"),
    TrainingKind.OTHER: N_("Other training"),
}


class Staff(Entity):
    """A member of the bureau's staff who may be dispatched abroad or guide visitors."""

    __tablename__ = "staff"

    staff_no: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    family_name: Mapped[str] = mapped_column(String(100), nullable=False)
    given_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    family_kana: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    given_kana: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    name_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    department: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    position: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    email: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    phone: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    passport_expiry: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")

    languages: Mapped[list[StaffLanguage]] = relationship(
        back_populates="staff", cascade="all, delete-orphan"
    )
    skills: Mapped[list[StaffSkill]] = relationship(back_populates="staff", cascade="all, delete-orphan")
    trainings: Mapped[list[StaffTraining]] = relationship(
        back_populates="staff", cascade="all, delete-orphan", order_by="StaffTraining.completed_on"
    )


class StaffLanguage(Entity):
    __tablename__ = "staff_languages"
    __table_args__ = (UniqueConstraint("staff_id", "language"),)

    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), nullable=False, index=True
    )
    language: Mapped[str] = mapped_column(String(16), nullable=False)  # BCP 47 code: en, lo, vi, km...
    level: Mapped[LanguageLevel] = mapped_column(StrEnumType(LanguageLevel), nullable=False)

    staff: Mapped[Staff] = relationship(back_populates="languages")


class StaffSkill(Entity):
    __tablename__ = "staff_skills"
    __table_args__ = (UniqueConstraint("staff_id", "skill"),)

    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), nullable=False, index=True
    )
    skill: Mapped[Skill] = mapped_column(StrEnumType(Skill), nullable=False)

    staff: Mapped[Staff] = relationship(back_populates="skills")


class StaffTraining(Entity):
    __tablename__ = "staff_trainings"

    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[TrainingKind] = mapped_column(StrEnumType(TrainingKind), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    completed_on: Mapped[date] = mapped_column(Date, nullable=False)

    staff: Mapped[Staff] = relationship(back_populates="trainings")


class DispatchPurpose(enum.StrEnum):
    LONG_TERM_EXPERT = "long_term_expert"  # 長期専門家
    SHORT_TERM_EXPERT = "short_term_expert"  # 短期専門家
    MISSION = "mission"  # ミッション団
    SURVEY = "survey"
    CONFERENCE = "conference"


DISPATCH_PURPOSE_LABELS: dict[DispatchPurpose, str] = {
    DispatchPurpose.LONG_TERM_EXPERT: N_("Long-term expert"),
    DispatchPurpose.SHORT_TERM_EXPERT: N_("Short-term expert"),
    DispatchPurpose.MISSION: N_("Mission team"),
    DispatchPurpose.SURVEY: N_("Survey"),
    DispatchPurpose.CONFERENCE: N_("Conference"),
}


class DispatchStatus(enum.StrEnum):
    PLANNED = "planned"
    TENTATIVE = "tentative"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


DISPATCH_STATUS_LABELS: dict[DispatchStatus, str] = {
    DispatchStatus.PLANNED: N_("Planned"),
    DispatchStatus.TENTATIVE: N_("Tentative"),
    DispatchStatus.CONFIRMED: N_("Confirmed"),
    DispatchStatus.COMPLETED: N_("Completed"),
    DispatchStatus.CANCELLED: N_("Cancelled"),
}


class Dispatch(Entity):
    """Staff sent abroad: destination, dates (departure and return, local calendar dates), members, itinerary."""

    __tablename__ = "dispatches"
    __table_args__ = (
        CheckConstraint("return_on >= departure_on", name="return_after_departure"),
        Index("ix_dispatches_dates", "departure_on", "return_on"),
    )

    code: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    title_en: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    purpose: Mapped[DispatchPurpose] = mapped_column(StrEnumType(DispatchPurpose), nullable=False)
    status: Mapped[DispatchStatus] = mapped_column(
        StrEnumType(DispatchStatus), nullable=False, default=DispatchStatus.PLANNED, index=True
    )
    country: Mapped[str] = mapped_column(String(2), nullable=False, index=True)
    city: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    timezone: Mapped[str] = mapped_column(String(64), nullable=False)  # IANA zone of the destination
    departure_on: Mapped[date] = mapped_column(Date, nullable=False)
    return_on: Mapped[date] = mapped_column(Date, nullable=False)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")

    project: Mapped[Project | None] = relationship()
    members: Mapped[list[DispatchMember]] = relationship(
        back_populates="dispatch", cascade="all, delete-orphan"
    )
    legs: Mapped[list[ItineraryLeg]] = relationship(
        back_populates="dispatch", cascade="all, delete-orphan", order_by="ItineraryLeg.starts_at"
    )


class MemberRole(enum.StrEnum):
    LEADER = "leader"
    MEMBER = "member"
    INTERPRETER = "interpreter"


MEMBER_ROLE_LABELS: dict[MemberRole, str] = {
    MemberRole.LEADER: N_("Leader"),
    MemberRole.MEMBER: N_("Member"),
    MemberRole.INTERPRETER: N_("Interpreter"),
}


class DispatchMember(Entity):
    """A person on a dispatch: a staff member, or a partner's person (mission teams include member companies)."""

    __tablename__ = "dispatch_members"
    __table_args__ = (
        CheckConstraint("(staff_id IS NULL) <> (contact_id IS NULL)", name="staff_xor_contact"),
        UniqueConstraint("dispatch_id", "staff_id"),
        UniqueConstraint("dispatch_id", "contact_id"),
    )

    dispatch_id: Mapped[int] = mapped_column(
        ForeignKey("dispatches.id", ondelete="CASCADE"), nullable=False, index=True
    )
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="RESTRICT"), index=True)
    role: Mapped[MemberRole] = mapped_column(
        StrEnumType(MemberRole), nullable=False, default=MemberRole.MEMBER
    )

    dispatch: Mapped[Dispatch] = relationship(back_populates="members")
    staff: Mapped[Staff | None] = relationship()
    contact: Mapped[Contact | None] = relationship()


class LegKind(enum.StrEnum):
    FLIGHT = "flight"
    TRAIN = "train"
    CAR = "car"
    HOTEL = "hotel"
    MEETING = "meeting"
    SITE_VISIT = "site_visit"


LEG_KIND_LABELS: dict[LegKind, str] = {
    LegKind.FLIGHT: N_("Flight"),
    LegKind.TRAIN: N_("Train"),
    LegKind.CAR: N_("Car"),
    LegKind.HOTEL: N_("Hotel"),
    LegKind.MEETING: N_("Meeting"),
    LegKind.SITE_VISIT: N_("Site visit"),
}


class ItineraryLeg(Entity):
    """One leg of an itinerary. Instants are stored in UTC; each end keeps its own IANA zone for local display."""

    __tablename__ = "itinerary_legs"
    __table_args__ = (CheckConstraint("ends_at >= starts_at", name="ends_after_starts"),)

    dispatch_id: Mapped[int] = mapped_column(
        ForeignKey("dispatches.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[LegKind] = mapped_column(StrEnumType(LegKind), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    start_tz: Mapped[str] = mapped_column(String(64), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    end_tz: Mapped[str] = mapped_column(String(64), nullable=False)
    origin: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    destination: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    reference: Mapped[str] = mapped_column(
        String(100), nullable=False, default=""
    )  # flight no., booking ref.
    details: Mapped[str] = mapped_column(Text, nullable=False, default="")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    dispatch: Mapped[Dispatch] = relationship(back_populates="legs")
