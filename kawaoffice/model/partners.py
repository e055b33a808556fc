"""Partner directory: organizations, the people in them, membership of the water business network, technologies."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kawaoffice.i18n import N_, kana_sort_key
from kawaoffice.model.base import Entity, StrEnumType

# Joins the parts of a sort key: sorts before every character of a name (PostgreSQL text cannot hold NUL).
SORT_SEPARATOR = "\x01"


def organization_sort_key(language: str, name_kana: str, name_ja: str, name_en: str) -> str:
    """The list's order of an organization as one string, compared by code point (Python, SQLite and PostgreSQL
    with ``COLLATE "C"`` agree): Japanese dictionary order of the reading in Japanese (``kana_sort_key``), the
    case-folded English name in English; ties by the Japanese name."""
    if language == "ja":
        parts: tuple[str, ...] = (*kana_sort_key(name_kana or name_ja), name_ja)
    else:
        parts = ((name_en or name_ja).casefold(), name_ja)
    return SORT_SEPARATOR.join(parts)


def _sort_key_default(language: str) -> Callable[[Any], str]:
    """The key of a row inserted without it (bulk loads around the services): from the row's own names."""

    def default(context: Any) -> str:
        row = context.get_current_parameters()
        return organization_sort_key(
            language, row.get("name_kana") or "", row.get("name_ja") or "", row.get("name_en") or ""
        )

    return default


# code-point order on PostgreSQL whatever the database's locale (SQLite compares UTF-8 bytes: the same order)
_SORT_TYPE = Text().with_variant(Text(collation="C"), "postgresql")


class OrganizationKind(enum.StrEnum):
    MEMBER = "member"  # かわBizネット会員企業
    COOPERATING = "cooperating"  # 協力団体 (JICA, ministries, JPESI...)
    COUNTERPART = "counterpart"  # 海外カウンターパート
    ACADEMIC = "academic"  # 大学・研究機関
    CITY = "city"  # the bureau itself and other city departments
    OTHER = "other"


ORGANIZATION_KIND_LABELS: dict[OrganizationKind, str] = {
    OrganizationKind.MEMBER: N_("Kawa Biz Net member company"),
    OrganizationKind.COOPERATING: N_("Cooperating body"),
    OrganizationKind.COUNTERPART: N_("Overseas counterpart"),
    OrganizationKind.ACADEMIC: N_("University/research"),
    OrganizationKind.CITY: N_("City government"),
    OrganizationKind.OTHER: N_("Other"),
}


class MembershipStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    LEFT = "left"


MEMBERSHIP_STATUS_LABELS: dict[MembershipStatus, str] = {
    MembershipStatus.ACTIVE: N_("Current member"),
    MembershipStatus.SUSPENDED: N_("Suspended"),
    MembershipStatus.LEFT: N_("Left"),
}


class Organization(Entity):
    __tablename__ = "organizations"
    __table_args__ = (
        Index("ix_organizations_kind_country", "kind", "country"),
        Index("ix_organizations_sort_ja", "sort_ja", "id"),
        Index("ix_organizations_sort_en", "sort_en", "id"),
    )

    kind: Mapped[OrganizationKind] = mapped_column(StrEnumType(OrganizationKind), nullable=False)
    name_ja: Mapped[str] = mapped_column(String(200), nullable=False)
    name_kana: Mapped[str] = mapped_column(String(200), nullable=False, default="", index=True)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    name_local: Mapped[str] = mapped_column(
        String(200), nullable=False, default=""
    )  # counterpart's own script
    abbreviation: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    country: Mapped[str] = mapped_column(String(2), nullable=False, default="JP")  # ISO 3166-1 alpha-2
    city: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    address: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    phone: Mapped[str] = mapped_column(String(40), nullable=False, default="")  # E.164 when parseable
    email: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    website: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # width-, kana- and case-folded text of all names, kept by the services for search as you type
    search_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # the list's order (``organization_sort_key``) in Japanese and in English, kept by the services: the first
    # page of the directory is an ORDER BY ... LIMIT on an index instead of sorting every organization in Python
    sort_ja: Mapped[str] = mapped_column(_SORT_TYPE, nullable=False, default=_sort_key_default("ja"))
    sort_en: Mapped[str] = mapped_column(_SORT_TYPE, nullable=False, default=_sort_key_default("en"))
    # the duplicate keys of name_ja and name_en (``services.text.organization_name_keys``), kept by the services:
    # an import compares its rows with every organization's; NULL when written around the services (worked out
    # when needed)
    name_keys: Mapped[str | None] = mapped_column(Text)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organization", cascade="all, delete-orphan", order_by="Membership.joined_on"
    )
    technologies: Mapped[list[OrganizationTechnology]] = relationship(
        back_populates="organization", cascade="all, delete-orphan"
    )
    employments: Mapped[list[Employment]] = relationship(back_populates="organization")


class Membership(Entity):
    """A period of membership of Kawa Biz Net (かわさき水ビジネスネットワーク)."""

    __tablename__ = "memberships"
    __table_args__ = (CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="left_after_joined"),)

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    status: Mapped[MembershipStatus] = mapped_column(StrEnumType(MembershipStatus), nullable=False)
    joined_on: Mapped[date] = mapped_column(Date, nullable=False)
    left_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")

    organization: Mapped[Organization] = relationship(back_populates="memberships")


class Technology(Entity):
    """A technology or product area (技術・製品) used to match members with counterparts' needs and visitors."""

    __tablename__ = "technologies"

    code: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    name_ja: Mapped[str] = mapped_column(String(120), nullable=False)
    name_en: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    dac_code: Mapped[str | None] = mapped_column(String(5))


class OrganizationTechnology(Entity):
    __tablename__ = "organization_technologies"
    __table_args__ = (UniqueConstraint("organization_id", "technology_id"),)

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )
    technology_id: Mapped[int] = mapped_column(
        ForeignKey("technologies.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    product_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")

    organization: Mapped[Organization] = relationship(back_populates="technologies")
    technology: Mapped[Technology] = relationship()


class Contact(Entity):
    """A person at a partner organization. Posts change every April: see ``Employment`` and ``successor``."""

    __tablename__ = "contacts"

    family_name: Mapped[str] = mapped_column(String(100), nullable=False)
    given_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    family_kana: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    given_kana: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    name_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    name_local: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    email: Mapped[str] = mapped_column(String(254), nullable=False, default="", index=True)
    phone: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    mobile: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # last time someone confirmed the person still holds their post (April rotation check)
    confirmed_on: Mapped[date | None] = mapped_column(Date)
    successor_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    search_text: Mapped[str] = mapped_column(Text, nullable=False, default="")

    successor: Mapped[Contact | None] = relationship(remote_side="Contact.id")
    employments: Mapped[list[Employment]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="Employment.started_on"
    )


class Employment(Entity):
    """A post a contact held: organization, department, title, from, to (open-ended while current)."""

    __tablename__ = "employments"
    __table_args__ = (
        CheckConstraint(
            "ended_on IS NULL OR started_on IS NULL OR ended_on >= started_on", name="ended_after_started"
        ),
    )

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    department: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    title: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)

    contact: Mapped[Contact] = relationship(back_populates="employments")
    organization: Mapped[Organization] = relationship(back_populates="employments")
