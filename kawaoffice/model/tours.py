"""Visitor tour bookings: facilities with hours and closed days, tour courses with stops, bookings with segments."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kawaoffice.i18n import N_
from kawaoffice.model.base import Entity, StrEnumType, UTCDateTime

if TYPE_CHECKING:
    from kawaoffice.model.dispatch import Staff
    from kawaoffice.model.partners import Contact, Organization


class Facility(Entity):
    """A plant visitors tour (長沢浄水場, 入江崎水処理センター...), with its exhibition hall."""

    __tablename__ = "facilities"

    code: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    name_ja: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    hall_name_ja: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    hall_name_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    address: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    address_en: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    capacity: Mapped[int] = mapped_column(Integer, nullable=False)  # visitors at once, all groups together
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="Asia/Tokyo")
    meeting_point_ja: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    meeting_point_en: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    map_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    observes_public_holidays: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    weekdays: Mapped[list[FacilityWeekday]] = relationship(
        back_populates="facility", cascade="all, delete-orphan", order_by="FacilityWeekday.weekday"
    )
    closed_dates: Mapped[list[ClosedDate]] = relationship(
        back_populates="facility", cascade="all, delete-orphan", order_by="ClosedDate.closed_on"
    )
    courses: Mapped[list[Course]] = relationship(back_populates="facility", cascade="all, delete-orphan")


class FacilityWeekday(Entity):
    """Opening hours on one weekday (0 = Monday), or a weekly closed day when ``closed`` is set."""

    __tablename__ = "facility_weekdays"
    __table_args__ = (
        UniqueConstraint("facility_id", "weekday"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint(
            "closed OR (opens IS NOT NULL AND closes IS NOT NULL AND closes > opens)", name="hours"
        ),
    )

    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id", ondelete="CASCADE"), nullable=False)
    weekday: Mapped[int] = mapped_column(Integer, nullable=False)
    closed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    opens: Mapped[time | None] = mapped_column(Time)
    closes: Mapped[time | None] = mapped_column(Time)

    facility: Mapped[Facility] = relationship(back_populates="weekdays")


class ClosedDate(Entity):
    """A date the facility is closed (年末年始, maintenance...)."""

    __tablename__ = "closed_dates"
    __table_args__ = (UniqueConstraint("facility_id", "closed_on"),)

    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id", ondelete="CASCADE"), nullable=False)
    closed_on: Mapped[date] = mapped_column(Date, nullable=False)
    reason: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    facility: Mapped[Facility] = relationship(back_populates="closed_dates")


class Course(Entity):
    """A tour course (視察コース) of a facility: duration, group-size limits, languages, ordered stops."""

    __tablename__ = "courses"
    __table_args__ = (
        UniqueConstraint("facility_id", "code"),
        CheckConstraint("min_group >= 1 AND max_group >= min_group", name="group_limits"),
        CheckConstraint("duration_min > 0", name="duration_positive"),
    )

    facility_id: Mapped[int] = mapped_column(
        ForeignKey("facilities.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    name_ja: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    duration_min: Mapped[int] = mapped_column(Integer, nullable=False)
    min_group: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    max_group: Mapped[int] = mapped_column(Integer, nullable=False)
    languages: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)  # BCP 47 codes
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    facility: Mapped[Facility] = relationship(back_populates="courses")
    stops: Mapped[list[CourseStop]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="CourseStop.position"
    )


class CourseStop(Entity):
    __tablename__ = "course_stops"
    __table_args__ = (CheckConstraint("minutes > 0", name="minutes_positive"),)

    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    name_ja: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    minutes: Mapped[int] = mapped_column(Integer, nullable=False)

    course: Mapped[Course] = relationship(back_populates="stops")


class VisitorType(enum.StrEnum):
    JICA_TRAINEES = "jica_trainees"  # JICA研修員
    DELEGATION = "delegation"  # 視察団
    OFFICIALS = "officials"
    STUDENTS = "students"
    OTHER = "other"


VISITOR_TYPE_LABELS: dict[VisitorType, str] = {
    VisitorType.JICA_TRAINEES: N_("JICA trainees"),
    VisitorType.DELEGATION: N_("Delegation"),
    VisitorType.OFFICIALS: N_("Officials"),
    VisitorType.STUDENTS: N_("Students"),
    VisitorType.OTHER: N_("Other"),
}


class BookingStatus(enum.StrEnum):
    REQUESTED = "requested"
    TENTATIVE = "tentative"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


BOOKING_STATUS_LABELS: dict[BookingStatus, str] = {
    BookingStatus.REQUESTED: N_("Requested"),
    BookingStatus.TENTATIVE: N_("Tentative"),
    BookingStatus.CONFIRMED: N_("Confirmed"),
    BookingStatus.COMPLETED: N_("Completed"),
    BookingStatus.CANCELLED: N_("Cancelled"),
}


class Booking(Entity):
    """A visiting group (研修員, 視察団...) and its visit, made of one or more segments."""

    __tablename__ = "bookings"

    code: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    group_name: Mapped[str] = mapped_column(String(300), nullable=False)
    group_name_en: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    visitor_type: Mapped[VisitorType] = mapped_column(StrEnumType(VisitorType), nullable=False)
    training_course: Mapped[str] = mapped_column(String(300), nullable=False, default="")  # JICA course name
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    country: Mapped[str] = mapped_column(String(2), nullable=False, default="", index=True)
    # several countries for a JICA course with trainees from many places: {"LA": 3, "VN": 2}
    countries: Mapped[dict[str, int]] = mapped_column(JSON, nullable=False, default=dict)
    headcount: Mapped[int] = mapped_column(Integer, nullable=False)
    languages: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    interests: Mapped[str] = mapped_column(Text, nullable=False, default="")
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    contact_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    contact_email: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    contact_phone: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    status: Mapped[BookingStatus] = mapped_column(
        StrEnumType(BookingStatus), nullable=False, default=BookingStatus.REQUESTED, index=True
    )
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    transport_notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")

    organization: Mapped[Organization | None] = relationship()
    contact: Mapped[Contact | None] = relationship()
    segments: Mapped[list[BookingSegment]] = relationship(
        back_populates="booking", cascade="all, delete-orphan", order_by="BookingSegment.starts_at"
    )
    presenters: Mapped[list[BookingPresenter]] = relationship(
        back_populates="booking", cascade="all, delete-orphan"
    )


class BookingSegment(Entity):
    """Part of a visit at one facility, e.g. the morning at Nagasawa. Times are aware (stored in UTC)."""

    __tablename__ = "booking_segments"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_starts"),
        Index("ix_booking_segments_facility_time", "facility_id", "starts_at", "ends_at"),
    )

    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), nullable=False, index=True
    )
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id", ondelete="RESTRICT"), nullable=False)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    meeting_point: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")

    booking: Mapped[Booking] = relationship(back_populates="segments")
    facility: Mapped[Facility] = relationship()
    course: Mapped[Course | None] = relationship()
    # in the order the guides were assigned (also when read joined with the booking: no schema change)
    staff: Mapped[list[SegmentStaff]] = relationship(
        back_populates="segment", cascade="all, delete-orphan", order_by="SegmentStaff.id"
    )


class SegmentRole(enum.StrEnum):
    GUIDE = "guide"
    INTERPRETER = "interpreter"


SEGMENT_ROLE_LABELS: dict[SegmentRole, str] = {
    SegmentRole.GUIDE: N_("Guide"),
    SegmentRole.INTERPRETER: N_("Interpreter"),
}


class SegmentStaff(Entity):
    """A staff member guiding or interpreting for one segment."""

    __tablename__ = "segment_staff"
    __table_args__ = (UniqueConstraint("segment_id", "staff_id"),)

    segment_id: Mapped[int] = mapped_column(
        ForeignKey("booking_segments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    role: Mapped[SegmentRole] = mapped_column(
        StrEnumType(SegmentRole), nullable=False, default=SegmentRole.GUIDE
    )

    segment: Mapped[BookingSegment] = relationship(back_populates="staff")
    staff: Mapped[Staff] = relationship()


class BookingPresenter(Entity):
    """A member company invited to present its technology to the visiting group (会員企業とのマッチング)."""

    __tablename__ = "booking_presenters"
    __table_args__ = (UniqueConstraint("booking_id", "organization_id"),)

    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), nullable=False, index=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    topic: Mapped[str] = mapped_column(String(300), nullable=False, default="")

    booking: Mapped[Booking] = relationship(back_populates="presenters")
    organization: Mapped[Organization] = relationship()
