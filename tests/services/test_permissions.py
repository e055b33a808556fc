"""Roles enforced in the services (services/permissions.py), through the real area services on SQLite and
PostgreSQL: a viewer changes nothing, an editor edits but deletes no record and touches no admin-only data
(facilities, stage templates, users), an admin may do all of it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from kawaoffice.model.audit import AuditAction, AuditEntry, ConflictOverride
from kawaoffice.model.partners import Organization
from kawaoffice.model.tours import Facility, VisitorType
from kawaoffice.model.users import Role
from kawaoffice.services import audit, dispatch, partners, permissions, projects, tours, users
from kawaoffice.services.errors import PermissionDeniedError
from kawaoffice.storage.database import make_session_factory

VIEWER_MESSAGE = "You are a viewer: you cannot change data."
DELETE_MESSAGE = "Only an administrator can delete records. Ask an administrator to delete it."
FACILITY_MESSAGE = "Only an administrator can change facilities, their opening days and tour courses."


def _as(engine: Engine, login: str) -> Session:
    return make_session_factory(engine, user=login)()


@pytest.fixture
def office(engine: Engine) -> dict[str, int]:
    """aiko (admin, the first user), ken (editor), mika (viewer), a facility and an organization with a
    technology link; returns the ids."""
    with _as(engine, "aiko") as s:
        users.ensure_user(s, "aiko")
        users.add_user(s, "ken", Role.EDITOR)
        users.add_user(s, "mika", Role.VIEWER)
        facility = tours.create_facility(s, code="NAGASAWA", name_ja="長沢浄水場", capacity=60)
        org = partners.create_organization(s, kind="member", name_ja="水処理株式会社")
        tech = partners.create_technology(s, code="UF", name_ja="膜ろ過")
        link = partners.add_organization_technology(s, organization_id=org.id, technology_id=tech.id)
        s.commit()
        return {"facility": facility.id, "org": org.id, "tech": tech.id, "link": link.id}


def _count(engine: Engine, cls: type[object]) -> int:
    with _as(engine, "") as s:
        return int(s.scalar(select(func.count()).select_from(cls)) or 0)


def _refused(engine: Engine, login: str, work: Callable[[Session], object]) -> PermissionDeniedError:
    with _as(engine, login) as s:
        with pytest.raises(PermissionDeniedError) as info:
            work(s)
            s.commit()
        s.rollback()
    return info.value


def test_a_viewer_cannot_create_update_or_delete_through_the_services(
    engine: Engine, office: dict[str, int]
) -> None:
    orgs_before = _count(engine, Organization)
    audit_before = _count(engine, AuditEntry)
    attempts: list[Callable[[Session], object]] = [
        lambda s: partners.create_organization(s, kind="member", name_ja="閲覧者の会社"),
        lambda s: partners.update_organization(s, office["org"], 1, city="川崎市"),
        lambda s: partners.delete_organization(s, office["org"]),
        lambda s: partners.create_contact(s, family_name="山田"),
        lambda s: tours.create_booking(
            s, code="V-1", group_name="JICA研修員", visitor_type=VisitorType.JICA_TRAINEES, headcount=5
        ),
        lambda s: dispatch.create_staff(s, staff_no="S-1", family_name="鈴木"),
        # (seeding the standard schemes is the system's; a user's new scheme is an editor's)
        lambda s: projects.create_scheme(s, code="X", name_ja="その他"),
    ]
    for work in attempts:
        error = _refused(engine, "mika", work)
        assert error.message == VIEWER_MESSAGE
        assert error.required == "editor"
    assert _count(engine, Organization) == orgs_before
    assert _count(engine, AuditEntry) == audit_before  # nothing was written, not even a log line
    with _as(engine, "") as s:
        assert partners.get_organization(s, office["org"]).city == ""


def test_an_editor_edits_records_and_their_parts_but_deletes_no_record(
    engine: Engine, office: dict[str, int]
) -> None:
    with _as(engine, "ken") as s:
        org = partners.create_organization(s, kind="member", name_ja="編集者の会社")
        partners.update_organization(s, office["org"], 1, city="川崎市")
        # removing a part of the record being edited (a ticked technology) is editing
        partners.remove_organization_technology(s, office["link"], 1)
        s.commit()
        new_id = org.id
    error = _refused(engine, "ken", lambda s: partners.delete_organization(s, new_id))
    assert (error.message, error.required) == (DELETE_MESSAGE, "admin")
    error = _refused(engine, "ken", lambda s: partners.delete_technology(s, office["tech"]))
    assert error.message == DELETE_MESSAGE
    with _as(engine, "") as s:
        assert partners.get_organization(s, office["org"]).city == "川崎市"
        assert partners.get_organization(s, new_id).created_by == "ken"
        assert partners.get_organization(s, office["org"]).technologies == []


def test_an_editor_cannot_delete_or_change_a_facility_an_admin_can(
    engine: Engine, office: dict[str, int]
) -> None:
    fid = office["facility"]
    error = _refused(engine, "ken", lambda s: tours.delete_facility(s, fid))
    assert (error.message, error.required) == (FACILITY_MESSAGE, "admin")
    assert _refused(engine, "ken", lambda s: tours.update_facility(s, fid, 1, capacity=80)).message == (
        FACILITY_MESSAGE
    )
    assert _refused(engine, "ken", lambda s: tours.add_closed_date(s, fid, date(2026, 12, 29))).message == (
        FACILITY_MESSAGE
    )
    assert (
        _refused(
            engine,
            "ken",
            lambda s: tours.create_course(
                s, facility_id=fid, code="STD", name_ja="標準コース", duration_min=90, max_group=40
            ),
        ).message
        == FACILITY_MESSAGE
    )
    assert _refused(
        engine, "ken", lambda s: projects.create_scheme(s, code="X", name_ja="独自スキーム")
    ).message == ("Only an administrator can change the stage templates.")
    assert _count(engine, Facility) == 1
    with _as(engine, "aiko") as s:
        tours.delete_facility(s, fid)
        s.commit()
    assert _count(engine, Facility) == 0
    with _as(engine, "") as s:
        entry = s.scalars(
            select(AuditEntry).where(
                AuditEntry.table_name == "facilities", AuditEntry.action == AuditAction.DELETE
            )
        ).one()
        assert entry.user == "aiko"


def test_an_editor_records_a_conflict_override_with_a_change(engine: Engine, office: dict[str, int]) -> None:
    with _as(engine, "ken") as s:
        org = partners.update_organization(s, office["org"], 1, city="川崎市")
        audit.record_override(s, "test_rule", org, None, "確認済み", {"n": 1})
        s.commit()
    with _as(engine, "") as s:
        override = s.scalars(select(ConflictOverride)).one()
        assert (override.user, override.reason) == ("ken", "確認済み")


def test_without_registered_users_everyone_is_admin_and_an_empty_user_is_the_system(engine: Engine) -> None:
    with _as(engine, "tester") as s:
        assert permissions.acting(s).role is Role.ADMIN
        facility = tours.create_facility(s, code="IRIE", name_ja="入江崎水処理センター", capacity=40)
        s.commit()
        tours.delete_facility(s, facility.id)
        s.commit()
    with _as(engine, "aiko") as s:
        users.ensure_user(s, "aiko")
        users.add_user(s, "mika", Role.VIEWER)
        s.commit()
    with _as(engine, "") as s:
        assert permissions.acting(s).is_system
        tours.create_facility(s, code="IRIE", name_ja="入江崎水処理センター", capacity=40)
        s.commit()


def test_an_unregistered_login_gets_the_default_role_of_the_backend(
    engine: Engine, backend: str, office: dict[str, int]
) -> None:
    with _as(engine, "stranger") as s:
        expected = Role.EDITOR if backend == "sqlite" else Role.VIEWER
        assert permissions.role_of(s) is expected
        assert not permissions.acting(s).registered
        if expected is Role.VIEWER:
            with pytest.raises(PermissionDeniedError):
                partners.create_organization(s, kind="member", name_ja="知らない会社")
        else:
            partners.create_organization(s, kind="member", name_ja="知らない会社")


def test_a_raised_role_applies_from_the_next_transaction(engine: Engine, office: dict[str, int]) -> None:
    viewer = _as(engine, "mika")
    with viewer:
        assert permissions.role_of(viewer) is Role.VIEWER
        viewer.commit()
        with _as(engine, "aiko") as s:
            mika = users.get_user_by_login(s, "mika")
            assert mika is not None
            users.update_user(s, mika.id, mika.version, role=Role.EDITOR)
            s.commit()
        # the same long-lived session sees the new role in its next transaction
        partners.create_organization(viewer, kind="member", name_ja="昇格した人の会社")
        viewer.commit()
    with _as(engine, "") as s:
        assert s.scalars(select(Organization).where(Organization.created_by == "mika")).one()


def test_require_names_the_role_needed(engine: Engine, office: dict[str, int]) -> None:
    with _as(engine, "mika") as s:
        with pytest.raises(PermissionDeniedError) as info:
            permissions.require(s, Role.EDITOR)
        assert info.value.message == VIEWER_MESSAGE
    with _as(engine, "ken") as s:
        permissions.require(s, Role.EDITOR)
        with pytest.raises(PermissionDeniedError):
            permissions.require(s, Role.ADMIN)
    with _as(engine, "aiko") as s:
        permissions.require(s, Role.ADMIN)
