"""Users and roles (services/users.py) on SQLite and PostgreSQL: the first user of a new database is admin, later
logins get the default role of the backend, admins change roles, and the last admin stays an admin."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kawaoffice.model.audit import AuditAction, AuditEntry
from kawaoffice.model.users import AppUser, Role
from kawaoffice.services import users
from kawaoffice.services.errors import PermissionDeniedError, StaleEditError, ValidationError
from kawaoffice.storage.database import make_session_factory


def _as(engine: Engine, login: str) -> Session:
    return make_session_factory(engine, user=login)()


def _register(engine: Engine, login: str, display_name: str = "") -> AppUser:
    with _as(engine, login) as s:
        user = users.ensure_user(s, login, display_name)
        s.commit()
        return user


def test_first_user_of_a_new_database_is_admin_later_ones_get_the_backend_default(
    engine: Engine, backend: str
) -> None:
    first = _register(engine, "aiko", "佐藤 愛子")
    assert (first.login, first.display_name, first.role, first.active) == (
        "aiko",
        "佐藤 愛子",
        Role.ADMIN,
        True,
    )
    second = _register(engine, "ken")
    # a local file is one person's: an editor; a shared server: a viewer until an admin raises them
    assert second.role is (Role.EDITOR if backend == "sqlite" else Role.VIEWER)
    again = _register(engine, "aiko", "ignored")
    assert (again.id, again.role, again.display_name) == (first.id, Role.ADMIN, "佐藤 愛子")
    with _as(engine, "ken") as s:
        assert users.current_role(s) is second.role
        assert [u.login for u in users.list_users(s)] == ["aiko", "ken"]


def test_registration_is_logged_in_the_audit_log_as_the_new_user(engine: Engine) -> None:
    _register(engine, "aiko")
    with _as(engine, "") as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.table_name == "app_user")).one()
        assert (entry.user, entry.action, entry.summary) == ("aiko", AuditAction.INSERT, "aiko")
        assert entry.changes["login"] == [None, "aiko"]
        assert entry.changes["role"] == [None, "admin"]


def test_empty_login_is_refused(session: Session) -> None:
    with pytest.raises(ValidationError) as info:
        users.ensure_user(session, "  ")
    assert info.value.field == "login"


def test_admin_changes_roles_and_the_last_admin_cannot_be_demoted_or_deactivated(engine: Engine) -> None:
    admin = _register(engine, "aiko")
    ken = _register(engine, "ken")
    with _as(engine, "aiko") as s:
        with pytest.raises(ValidationError) as info:
            users.update_user(s, admin.id, admin.version, role=Role.EDITOR)
        assert info.value.field == "role"
        assert "aiko" in info.value.message
        s.rollback()
        with pytest.raises(ValidationError) as info:
            users.update_user(s, admin.id, admin.version, active=False)
        assert info.value.field == "active"
        s.rollback()
        promoted = users.update_user(s, ken.id, ken.version, role=Role.ADMIN, display_name=" 田中 健 ")
        s.commit()
        assert (promoted.role, promoted.display_name) == (Role.ADMIN, "田中 健")
    with _as(engine, "aiko") as s:
        # now there are two admins: aiko may step down
        me = users.get_user(s, admin.id)
        users.update_user(s, me.id, me.version, role=Role.VIEWER)
        s.commit()
    with _as(engine, "aiko") as s:
        assert users.current_role(s) is Role.VIEWER
        assert users.active_admin_count(s) == 1
        with pytest.raises(PermissionDeniedError):
            users.update_user(s, ken.id, promoted.version, role=Role.VIEWER)
    with _as(engine, "") as s:
        stored = {u.login: (u.role, u.active) for u in users.list_users(s)}
        assert stored == {"aiko": (Role.VIEWER, True), "ken": (Role.ADMIN, True)}
        changes = [
            e.changes
            for e in s.scalars(
                select(AuditEntry).where(AuditEntry.action == AuditAction.UPDATE).order_by(AuditEntry.id)
            )
        ]
        assert changes[0]["role"] == ["editor" if ken.role is Role.EDITOR else "viewer", "admin"]
        assert changes[-1]["role"] == ["admin", "viewer"]


def test_deactivated_user_cannot_change_data_and_sorts_last(engine: Engine) -> None:
    _register(engine, "aiko")
    ken = _register(engine, "ken")
    with _as(engine, "aiko") as s:
        users.update_user(s, ken.id, ken.version, role=Role.EDITOR, active=False)
        s.commit()
        zoe = users.add_user(s, "zoe", Role.EDITOR, "Zoe")
        s.commit()
        assert [u.login for u in users.list_users(s)] == ["aiko", "zoe", "ken"]
        assert zoe.role is Role.EDITOR
    with _as(engine, "ken") as s:
        assert users.current_role(s) is Role.VIEWER
        with pytest.raises(PermissionDeniedError) as info:
            users.add_user(s, "eve", Role.ADMIN)
        assert "deactivated" in info.value.message


def test_non_admins_cannot_register_others_or_change_roles(engine: Engine) -> None:
    _register(engine, "aiko")
    with _as(engine, "aiko") as s:
        ken = users.add_user(s, "ken", Role.EDITOR)
        s.commit()
    with _as(engine, "ken") as s:
        with pytest.raises(PermissionDeniedError) as info:
            users.update_user(s, ken.id, ken.version, role=Role.ADMIN)
        assert info.value.message == "Only an administrator can do this."
        s.rollback()
        with pytest.raises(PermissionDeniedError):
            users.add_user(s, "eve", Role.VIEWER)
        s.rollback()
        # the service check aside, the flush hook itself refuses a direct write to the users table
        me = s.get(AppUser, ken.id)
        assert me is not None
        me.role = Role.ADMIN
        with pytest.raises(PermissionDeniedError) as info:
            s.flush()
        assert info.value.message == "Only an administrator can change users and their roles."
        s.rollback()
    with _as(engine, "") as s:
        assert s.get(AppUser, ken.id).role is Role.EDITOR  # type: ignore[union-attr]


def test_duplicate_login_and_stale_edit(engine: Engine) -> None:
    admin = _register(engine, "aiko")
    with _as(engine, "aiko") as s:
        with pytest.raises(ValidationError) as info:
            users.add_user(s, "aiko", Role.VIEWER)
        assert info.value.field == "login"
        ken = users.add_user(s, "ken", Role.EDITOR)
        s.commit()
        version = ken.version
    with _as(engine, "aiko") as s:
        users.update_user(s, ken.id, version, role=Role.VIEWER)
        s.commit()
    with _as(engine, "aiko") as s, pytest.raises(StaleEditError):
        users.update_user(s, ken.id, version, role=Role.ADMIN)
    assert admin.role is Role.ADMIN
