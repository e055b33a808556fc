"""Users of a database and their roles (see ``services.permissions`` for what each role may do).

``ensure_user(session, login)`` is called once at start-up (GUI and CLI) with the acting login: the first user of a
new database becomes its admin, later new logins get ``permissions.default_role_for_new_user``. Admins change
roles and deactivate users; the last active admin cannot be demoted or deactivated.
"""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from kawaoffice.i18n import _
from kawaoffice.model.users import AppUser, Role
from kawaoffice.services import common as c
from kawaoffice.services import permissions
from kawaoffice.services.errors import ValidationError

# PostgreSQL advisory lock key that serialises the registration of users (two first users at the same moment
# would otherwise both become admin).
_PG_USERS_LOCK_KEY = 0x4B415755  # "KAWU"


def _lock_registration(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_USERS_LOCK_KEY})


def get_user_by_login(session: Session, login: str) -> AppUser | None:
    return session.scalar(select(AppUser).where(AppUser.login == login))


def ensure_user(session: Session, login: str, display_name: str = "") -> AppUser:
    """The user row of ``login``, registering it if new: admin when the database has no users yet, else the
    default role for new users. Flushes; the caller commits."""
    login = login.strip()
    if not login:
        raise ValidationError("login", _("This field is required."))
    user = get_user_by_login(session, login)  # a known user (every start after the first): one plain read
    if user is not None:
        return user
    _lock_registration(session)
    user = get_user_by_login(session, login)  # registered by another PC while we waited for the lock?
    if user is not None:
        return user
    role = (
        Role.ADMIN if not permissions.any_users(session) else permissions.default_role_for_new_user(session)
    )
    user = AppUser(login=login, display_name=display_name.strip()[:200], role=role, active=True)
    with permissions.as_system(session):
        session.add(user)
        c.flush(session)
    permissions.forget(session)
    return user


def add_user(session: Session, login: str, role: Role, display_name: str = "") -> AppUser:
    """An admin registers a colleague in advance with a role (e.g. an editor on the shared server)."""
    login = login.strip()
    if not login:
        raise ValidationError("login", _("This field is required."))
    permissions.require(session, Role.ADMIN)
    if get_user_by_login(session, login) is not None:
        raise ValidationError("login", _("This value is already used by another record."))
    user = AppUser(login=login, display_name=display_name.strip()[:200], role=Role(role), active=True)
    session.add(user)
    c.flush(session)
    return user


def list_users(session: Session) -> list[AppUser]:
    """Every registered user: active ones first, then by login."""
    return list(session.scalars(select(AppUser).order_by(AppUser.active.desc(), AppUser.login)))


def get_user(session: Session, user_id: int) -> AppUser:
    return c.get_entity(session, AppUser, user_id)


def active_admin_count(session: Session) -> int:
    stmt = (
        select(func.count()).select_from(AppUser).where(AppUser.role == Role.ADMIN, AppUser.active.is_(True))
    )
    return int(session.scalar(stmt) or 0)


def update_user(
    session: Session,
    user_id: int,
    expected_version: int,
    *,
    role: Role | None = None,
    active: bool | None = None,
    display_name: str | None = None,
) -> AppUser:
    """Change a user's role, active flag or display name (admins only). The database keeps at least one active
    admin: demoting or deactivating the last one is refused."""
    permissions.require(session, Role.ADMIN)
    user = get_user(session, user_id)
    c.check_version(user, expected_version)
    new_role = Role(role) if role is not None else user.role
    new_active = user.active if active is None else bool(active)
    was_admin = user.role is Role.ADMIN and user.active
    stays_admin = new_role is Role.ADMIN and new_active
    if was_admin and not stays_admin and active_admin_count(session) <= 1:
        field = "role" if new_role is not Role.ADMIN else "active"
        raise ValidationError(
            field,
            _("{name} is the only administrator: make someone else an administrator first.").format(
                name=user.display_name or user.login
            ),
        )
    changes: dict[str, object] = {"role": new_role, "active": new_active}
    if display_name is not None:
        changes["display_name"] = display_name.strip()[:200]
    c.apply_changes(user, expected_version, changes)
    c.flush(session)
    permissions.forget(session)
    return user


def current_role(session: Session) -> Role:
    """The acting user's role in this database (a deactivated user counts as a viewer)."""
    return permissions.role_of(session)
