"""Partner directory: organizations, network memberships, technologies, contacts and their employment history."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from kawaoffice.i18n import _
from kawaoffice.model.partners import (
    Contact,
    Employment,
    Membership,
    MembershipStatus,
    Organization,
    OrganizationKind,
    OrganizationTechnology,
    Technology,
    organization_sort_key,
)
from kawaoffice.model.reference import DAC_SECTORS
from kawaoffice.services import common as c
from kawaoffice.services.errors import NotFoundError, ValidationError
from kawaoffice.services.text import fold, fold_all, organization_name_keys

# --- organizations ----------------------------------------------------------------------------------------------


def organization_search_text(org: Any) -> str:
    """The folded text of an organization (or of any object with its fields, e.g. a record about to be
    written in bulk)."""
    return fold_all(
        org.name_ja,
        org.name_kana,
        org.name_en,
        org.name_local,
        org.abbreviation,
        org.city,
        org.email,
        org.phone,
        c.national_digits(org.phone or ""),
    )


def _validate_organization(
    session: Session, values: dict[str, Any], obj: Organization | None
) -> dict[str, Any]:
    c.require_present(values, obj, "kind", "name_ja")
    if "kind" in values:
        values["kind"] = c.enum_value("kind", OrganizationKind, values["kind"])
    c.texts(
        Organization,
        values,
        required=("name_ja",),
        optional=(
            "name_kana",
            "name_en",
            "name_local",
            "abbreviation",
            "city",
            "address",
            "website",
            "notes",
        ),
    )
    if "country" in values:
        values["country"] = c.country("country", values["country"])
    if "email" in values:
        values["email"] = c.email("email", values["email"])
    if "phone" in values:
        values["phone"] = c.phone("phone", values["phone"], c.current(values, obj, "country", "JP"))
    values.pop("search_text", None)
    return values


def organization_derived(org: Any) -> dict[str, str]:
    """The columns the services derive from an organization's fields (or any object with them): the folded
    search text, the list's order in Japanese and in English, and the names' duplicate keys (the import's
    duplicate check reads them instead of folding every name of the directory)."""
    names = (org.name_kana or "", org.name_ja or "", org.name_en or "")
    return {
        "search_text": organization_search_text(org),
        "sort_ja": organization_sort_key("ja", *names),
        "sort_en": organization_sort_key("en", *names),
        "name_keys": organization_name_keys(org.name_ja, org.name_en),
    }


def _refresh_organization(org: Organization) -> Organization:
    for key, value in organization_derived(org).items():
        setattr(org, key, value)
    return org


def create_organization(
    session: Session, *, kind: OrganizationKind, name_ja: str, **values: Any
) -> Organization:
    """A new organization. Optional fields: name_kana, name_en, name_local, abbreviation, country (ISO, default
    JP), city, address, phone (stored E.164), email, website, notes."""
    values = {"kind": kind, "name_ja": name_ja, **values}
    return c.create_entity(session, Organization, values, _validate_organization, _refresh_organization)


def get_organization(session: Session, organization_id: int) -> Organization:
    """The organization with its memberships and technologies (and each technology's names) in one statement
    (joined: an organization has a few of each), not one per technology: the detail pane and the edit dialog show
    them all, and over a slow link each statement is a round trip."""
    org = session.get(
        Organization,
        organization_id,
        options=[
            joinedload(Organization.memberships),
            joinedload(Organization.technologies).joinedload(OrganizationTechnology.technology),
        ],
    )
    if org is None:
        raise NotFoundError()
    return org


def update_organization(
    session: Session, organization_id: int, expected_version: int, **changes: Any
) -> Organization:
    return c.update_entity(
        session,
        Organization,
        organization_id,
        expected_version,
        changes,
        _validate_organization,
        _refresh_organization,
    )


def delete_organization(session: Session, organization_id: int, expected_version: int | None = None) -> None:
    c.delete_entity(session, Organization, organization_id, expected_version)


def search_organizations(session: Session, query: str, *, limit: int = 50) -> list[Organization]:
    """Organizations whose names, reading, e-mail or phone contain every word of ``query`` (width, kana and case
    folded), sorted by reading."""
    stmt = select(Organization)
    for word in fold(query).split():
        stmt = stmt.where(Organization.search_text.contains(word, autoescape=True))
    stmt = stmt.order_by(Organization.name_kana, Organization.id).limit(limit)
    return list(session.scalars(stmt))


# --- memberships of the network ------------------------------------------------------------------------------


def _validate_membership(session: Session, values: dict[str, Any], obj: Membership | None) -> dict[str, Any]:
    c.require_present(values, obj, "organization_id", "status", "joined_on")
    if "organization_id" in values:
        c.reference(session, Organization, "organization_id", values["organization_id"])
    if "status" in values:
        values["status"] = c.enum_value("status", MembershipStatus, values["status"])
    if "joined_on" in values:
        c.date_value("joined_on", values["joined_on"])
    if "left_on" in values:
        c.date_value("left_on", values["left_on"], required=False)
    c.texts(Membership, values, optional=("notes",))
    c.ordered_dates(
        "joined_on", c.current(values, obj, "joined_on"), "left_on", c.current(values, obj, "left_on")
    )
    return values


def create_membership(
    session: Session,
    *,
    organization_id: int,
    joined_on: date,
    status: MembershipStatus = MembershipStatus.ACTIVE,
    left_on: date | None = None,
    notes: str = "",
) -> Membership:
    values = {
        "organization_id": organization_id,
        "status": status,
        "joined_on": joined_on,
        "left_on": left_on,
        "notes": notes,
    }
    return c.create_entity(session, Membership, values, _validate_membership)


def get_membership(session: Session, membership_id: int) -> Membership:
    return c.get_entity(session, Membership, membership_id)


def update_membership(
    session: Session, membership_id: int, expected_version: int, **changes: Any
) -> Membership:
    return c.update_entity(
        session, Membership, membership_id, expected_version, changes, _validate_membership
    )


def delete_membership(session: Session, membership_id: int, expected_version: int | None = None) -> None:
    c.delete_entity(session, Membership, membership_id, expected_version)


# --- technologies ----------------------------------------------------------------------------------------------

_technology_code_unique = c.unique_validator("code")


def _validate_technology(session: Session, values: dict[str, Any], obj: Technology | None) -> dict[str, Any]:
    c.require_present(values, obj, "code", "name_ja")
    c.texts(Technology, values, required=("code", "name_ja"), optional=("name_en",))
    if "dac_code" in values:
        values["dac_code"] = c.code_in("dac_code", values["dac_code"], DAC_SECTORS, required=False)
    _technology_code_unique(session, values, obj, Technology)
    return values


def create_technology(
    session: Session, *, code: str, name_ja: str, name_en: str = "", dac_code: str | None = None
) -> Technology:
    values = {"code": code, "name_ja": name_ja, "name_en": name_en, "dac_code": dac_code}
    return c.create_entity(session, Technology, values, _validate_technology)


def get_technology(session: Session, technology_id: int) -> Technology:
    return c.get_entity(session, Technology, technology_id)


def update_technology(
    session: Session, technology_id: int, expected_version: int, **changes: Any
) -> Technology:
    return c.update_entity(
        session, Technology, technology_id, expected_version, changes, _validate_technology
    )


def delete_technology(session: Session, technology_id: int, expected_version: int | None = None) -> None:
    c.delete_entity(session, Technology, technology_id, expected_version)


def list_technologies(session: Session) -> list[Technology]:
    return list(session.scalars(select(Technology).order_by(Technology.code)))


# --- technologies and products of an organization ---------------------------------------------------------------


def _validate_org_technology(
    session: Session, values: dict[str, Any], obj: OrganizationTechnology | None
) -> dict[str, Any]:
    c.require_present(values, obj, "organization_id", "technology_id")
    if "organization_id" in values:
        c.reference(session, Organization, "organization_id", values["organization_id"])
    if "technology_id" in values:
        c.reference(session, Technology, "technology_id", values["technology_id"])
        c.ensure_unique(
            session,
            OrganizationTechnology,
            "technology_id",
            values["technology_id"],
            obj.id if obj is not None else None,
            organization_id=c.current(values, obj, "organization_id"),
        )
    c.texts(OrganizationTechnology, values, optional=("product_name", "description"))
    return values


def add_organization_technology(
    session: Session,
    *,
    organization_id: int,
    technology_id: int,
    product_name: str = "",
    description: str = "",
) -> OrganizationTechnology:
    values = {
        "organization_id": organization_id,
        "technology_id": technology_id,
        "product_name": product_name,
        "description": description,
    }
    return c.create_entity(session, OrganizationTechnology, values, _validate_org_technology)


def get_organization_technology(session: Session, link_id: int) -> OrganizationTechnology:
    return c.get_entity(session, OrganizationTechnology, link_id)


def update_organization_technology(
    session: Session, link_id: int, expected_version: int, **changes: Any
) -> OrganizationTechnology:
    return c.update_entity(
        session, OrganizationTechnology, link_id, expected_version, changes, _validate_org_technology
    )


def remove_organization_technology(
    session: Session, link_id: int, expected_version: int | None = None
) -> None:
    c.delete_entity(session, OrganizationTechnology, link_id, expected_version)


# --- contacts ------------------------------------------------------------------------------------------------


def contact_search_text(contact: Any) -> str:
    """The folded text of a contact (or of any object with its fields)."""
    return fold_all(
        contact.family_name,
        contact.given_name,
        contact.family_kana,
        contact.given_kana,
        (contact.family_kana or "") + (contact.given_kana or ""),
        (contact.family_name or "") + (contact.given_name or ""),
        contact.name_en,
        contact.name_local,
        contact.email,
        contact.phone,
        c.national_digits(contact.phone or ""),
        contact.mobile,
        c.national_digits(contact.mobile or ""),
    )


def _refresh_contact(contact: Contact) -> None:
    contact.search_text = contact_search_text(contact)


def contact_region(contact: Contact | None) -> str:
    """The country used to read phone numbers written without a country code: the current employer's."""
    if contact is not None:
        current = [e for e in contact.employments if e.ended_on is None]
        for employment in current or list(contact.employments)[-1:]:
            if employment.organization.country:
                return employment.organization.country
    return "JP"


def _validate_contact(session: Session, values: dict[str, Any], obj: Contact | None) -> dict[str, Any]:
    region = values.pop("region", None) or contact_region(obj)
    c.require_present(values, obj, "family_name")
    c.texts(
        Contact,
        values,
        required=("family_name",),
        optional=("given_name", "family_kana", "given_kana", "name_en", "name_local", "notes"),
    )
    if "email" in values:
        values["email"] = c.email("email", values["email"])
    for field in ("phone", "mobile"):
        if field in values:
            values[field] = c.phone(field, values[field], region)
    if "confirmed_on" in values:
        c.date_value("confirmed_on", values["confirmed_on"], required=False)
    if values.get("successor_id") is not None:
        c.reference(session, Contact, "successor_id", values["successor_id"])
        _check_successor_chain(session, obj, values["successor_id"])
    values.pop("search_text", None)
    return values


def _check_successor_chain(session: Session, obj: Contact | None, successor_id: int) -> None:
    """A contact cannot succeed themselves, directly or through a chain of successors."""
    if obj is None:
        return
    seen: set[int] = set()
    next_id: int | None = successor_id
    while next_id is not None and next_id not in seen:
        if next_id == obj.id:
            raise ValidationError("successor_id", _("A person cannot be their own successor."))
        seen.add(next_id)
        nxt = session.get(Contact, next_id)
        next_id = nxt.successor_id if nxt is not None else None


def create_contact(session: Session, *, family_name: str, region: str = "JP", **values: Any) -> Contact:
    """A new contact. Phone numbers without a country code are read as numbers of ``region``. Optional fields:
    given_name, family_kana, given_kana, name_en, name_local, email, phone, mobile, notes, confirmed_on,
    successor_id."""
    data = _validate_contact(session, {"family_name": family_name, "region": region, **values}, None)
    return c.create_entity(session, Contact, data, prepare=_refresh_contact)


def get_contact(session: Session, contact_id: int) -> Contact:
    return c.get_entity(session, Contact, contact_id)


def update_contact(session: Session, contact_id: int, expected_version: int, **changes: Any) -> Contact:
    """Change a contact. ``region`` (not stored) overrides the country used to read phone numbers."""
    return c.update_entity(
        session, Contact, contact_id, expected_version, changes, _validate_contact, _refresh_contact
    )


def delete_contact(session: Session, contact_id: int, expected_version: int | None = None) -> None:
    c.delete_entity(session, Contact, contact_id, expected_version)


def search_contacts(session: Session, query: str, *, limit: int = 50) -> list[Contact]:
    stmt = select(Contact)
    for word in fold(query).split():
        stmt = stmt.where(Contact.search_text.contains(word, autoescape=True))
    stmt = stmt.order_by(Contact.family_kana, Contact.given_kana, Contact.id).limit(limit)
    return list(session.scalars(stmt))


def hand_over(
    session: Session, contact_id: int, expected_version: int, *, successor_id: int, on: date
) -> Contact:
    """The April rotation: ``successor_id`` takes over from the contact, whose open posts end the day before ``on``."""
    contact = update_contact(session, contact_id, expected_version, successor_id=successor_id)
    for employment in contact.employments:
        if employment.ended_on is None:
            ended = date.fromordinal(on.toordinal() - 1)
            if employment.started_on is not None and ended < employment.started_on:
                ended = employment.started_on
            employment.ended_on = ended
    c.flush(session)
    return contact


def stale_contacts(session: Session, *, confirmed_before: date) -> list[Contact]:
    """Contacts not confirmed since ``confirmed_before`` (e.g. the last April 1) and with no successor recorded."""
    stmt = (
        select(Contact)
        .where(or_(Contact.confirmed_on.is_(None), Contact.confirmed_on < confirmed_before))
        .where(Contact.successor_id.is_(None))
        .order_by(Contact.family_kana, Contact.id)
    )
    return list(session.scalars(stmt))


# --- employment history ------------------------------------------------------------------------------------


def _validate_employment(session: Session, values: dict[str, Any], obj: Employment | None) -> dict[str, Any]:
    c.require_present(values, obj, "contact_id", "organization_id")
    if "contact_id" in values:
        c.reference(session, Contact, "contact_id", values["contact_id"])
    if "organization_id" in values:
        c.reference(session, Organization, "organization_id", values["organization_id"])
    c.texts(Employment, values, optional=("department", "title"))
    for field in ("started_on", "ended_on"):
        if field in values:
            c.date_value(field, values[field], required=False)
    c.ordered_dates(
        "started_on", c.current(values, obj, "started_on"), "ended_on", c.current(values, obj, "ended_on")
    )
    return values


def create_employment(
    session: Session,
    *,
    contact_id: int,
    organization_id: int,
    department: str = "",
    title: str = "",
    started_on: date | None = None,
    ended_on: date | None = None,
) -> Employment:
    values = {
        "contact_id": contact_id,
        "organization_id": organization_id,
        "department": department,
        "title": title,
        "started_on": started_on,
        "ended_on": ended_on,
    }
    employment = c.create_entity(session, Employment, values, _validate_employment)
    session.refresh(employment.contact, ["employments"])
    return employment


def get_employment(session: Session, employment_id: int) -> Employment:
    return c.get_entity(session, Employment, employment_id)


def update_employment(
    session: Session, employment_id: int, expected_version: int, **changes: Any
) -> Employment:
    return c.update_entity(
        session, Employment, employment_id, expected_version, changes, _validate_employment
    )


def delete_employment(session: Session, employment_id: int, expected_version: int | None = None) -> None:
    c.delete_entity(session, Employment, employment_id, expected_version)
