"""Roles enforced in the services: a ``before_flush`` hook on every ``Session`` refuses changes the acting user's
role does not allow, whatever called the service (GUI, CLI, a script). Greyed-out buttons are only a courtesy.

- viewer: reads, prints and exports; any insert, update or delete is refused.
- editor: also creates and edits records, and removes the parts of a record being edited (a membership period,
  a ticked technology, a dispatch member, an itinerary leg, a tour segment...). Deleting a whole record and
  changing the admin-only data are refused.
- admin: also deletes records and changes stage templates (schemes and their stages), facilities with their
  weekdays, closed dates and tour courses (a course is a facility's standing template, like a scheme), and users.

Who is acting (``session.info["user"]``, the login) and which role they have:
- an empty user is the system itself (migrations, tests, fixtures and loaders that pass no user): admin rights;
- a database with no registered users has not turned roles on yet: everyone has admin rights, exactly as before
  roles existed, and the first user to open it becomes its admin (``services.users.ensure_user``);
- a registered user has their role; a deactivated one can change nothing;
- an unregistered user of a database that has users gets the role new users get (``default_role_for_new_user``).

The role is looked up once per transaction (cached in ``session.info``) with one indexed query.
Writes the services make on the system's behalf (seeding default templates, registering the acting user) run
inside ``as_system(session)``.

This protects the data from the app's own users; it is not a defence against someone with the database password
and an SQL client (on a shared server, give the office's login only the privileges the app needs).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, exists, select
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction

from kawaoffice.i18n import N_, _
from kawaoffice.model.audit import AuditEntry, ConflictOverride
from kawaoffice.model.dispatch import (
    DispatchMember,
    ItineraryLeg,
    StaffLanguage,
    StaffSkill,
    StaffTraining,
)
from kawaoffice.model.partners import Employment, Membership, OrganizationTechnology
from kawaoffice.model.projects import (
    NeedTechnology,
    ProjectParticipant,
    ProjectSdgTarget,
    ProjectSector,
    Scheme,
    SchemeStage,
    StageEvent,
)
from kawaoffice.model.tours import (
    BookingPresenter,
    BookingSegment,
    ClosedDate,
    Course,
    CourseStop,
    Facility,
    FacilityWeekday,
    SegmentStaff,
)
from kawaoffice.model.users import AppUser, Role
from kawaoffice.services.audit import current_user
from kawaoffice.services.errors import PermissionDeniedError

_CACHE_KEY = "kawa_acting"
_SYSTEM_KEY = "kawa_system"

# Rows written by the system alongside a change (the log of the change, a recorded override): never refused on
# their own for an editor; a viewer's session cannot write them either (it has no change to log).
SYSTEM_RECORDS: tuple[type[Any], ...] = (AuditEntry, ConflictOverride)

# Parts of a record that an editor removes while editing the record (the record itself needs an admin to delete).
# Everything not listed here (including tables added later) needs an admin to delete: the safe default.
EDITOR_MAY_DELETE: tuple[type[Any], ...] = (
    Membership,
    OrganizationTechnology,
    Employment,
    DispatchMember,
    ItineraryLeg,
    StaffLanguage,
    StaffSkill,
    StaffTraining,
    StageEvent,
    ProjectParticipant,
    ProjectSdgTarget,
    ProjectSector,
    NeedTechnology,
    BookingSegment,
    SegmentStaff,
    BookingPresenter,
)

# Data only an admin may create, change or delete, with the message an editor gets.
_ADMIN_ONLY: tuple[tuple[tuple[type[Any], ...], str], ...] = (
    ((Scheme, SchemeStage), N_("Only an administrator can change the stage templates.")),
    (
        (Facility, FacilityWeekday, ClosedDate, Course, CourseStop),
        N_("Only an administrator can change facilities, their opening days and tour courses."),
    ),
    ((AppUser,), N_("Only an administrator can change users and their roles.")),
)

_installed = False


@dataclass(frozen=True)
class Acting:
    """The acting user as the permission check sees them."""

    login: str
    role: Role
    active: bool = True
    registered: bool = False

    @property
    def is_system(self) -> bool:
        return not self.login


def default_role_for_new_user(session: Session) -> Role:
    """The role of a login that is new to a database that already has users.

    A local SQLite file is one person's database on their own PC (a file on a shared folder is warned against):
    whoever else opens it is that person under another login name, or a colleague they handed the file to, so they
    edit (``editor``). On a shared server a new login may be anyone in the office: they read until an admin raises
    them (``viewer``); an admin can also register a colleague with a role in advance.
    """
    bind = session.get_bind()
    return Role.EDITOR if bind.dialect.name == "sqlite" else Role.VIEWER


def any_users(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(AppUser.id.is_not(None)))))


def acting(session: Session) -> Acting:
    """Who is acting in ``session`` and with which role (cached for the transaction)."""
    login = current_user(session)
    cached = session.info.get(_CACHE_KEY)
    if isinstance(cached, Acting) and cached.login == login:
        return cached
    result = _look_up(session, login)
    session.info[_CACHE_KEY] = result
    return result


def _look_up(session: Session, login: str) -> Acting:
    if not login:
        return Acting(login, Role.ADMIN)
    with session.no_autoflush:
        row = session.execute(select(AppUser.role, AppUser.active).where(AppUser.login == login)).first()
        if row is not None:
            return Acting(login, Role(row.role), bool(row.active), registered=True)
        if not any_users(session):
            return Acting(login, Role.ADMIN)
        return Acting(login, default_role_for_new_user(session))


def role_of(session: Session) -> Role:
    """The acting user's role; a deactivated user counts as a viewer."""
    who = acting(session)
    return who.role if who.active else Role.VIEWER


def forget(session: Session) -> None:
    """Drop the cached role (after a change of roles, so the next check reads it again)."""
    session.info.pop(_CACHE_KEY, None)


@contextmanager
def as_system(session: Session) -> Iterator[Session]:
    """Flushes inside the block are the system's (seeding default templates, registering the acting user)."""
    previous = session.info.get(_SYSTEM_KEY, False)
    session.info[_SYSTEM_KEY] = True
    try:
        yield session
    finally:
        session.info[_SYSTEM_KEY] = previous


def require(session: Session, role: Role) -> None:
    """Refuse (``PermissionDeniedError``) unless the acting user has at least ``role``: for services that want to
    say no before doing any work (the flush hook refuses the writes anyway)."""
    who = acting(session)
    if not who.active:
        raise PermissionDeniedError(_deactivated_message(), role.value)
    if not who.role.allows(role):
        if who.role is Role.VIEWER:
            raise PermissionDeniedError(_("You are a viewer: you cannot change data."), role.value)
        raise PermissionDeniedError(_("Only an administrator can do this."), role.value)


def _deactivated_message() -> str:
    return _("Your user account is deactivated: you cannot change data.")


def check_changes(session: Session, new: list[Any], dirty: list[Any], deleted: list[Any]) -> None:
    """Raise ``PermissionDeniedError`` if the acting user may not write these rows."""
    if not (new or dirty or deleted) or session.info.get(_SYSTEM_KEY):
        return
    who = acting(session)
    if who.is_system:
        return
    if not who.active:
        raise PermissionDeniedError(_deactivated_message(), Role.EDITOR.value)
    if who.role is Role.ADMIN:
        return
    if who.role is Role.VIEWER:
        raise PermissionDeniedError(_("You are a viewer: you cannot change data."), Role.EDITOR.value)
    touched = [obj for obj in (*new, *dirty, *deleted) if not isinstance(obj, SYSTEM_RECORDS)]
    for classes, message in _ADMIN_ONLY:
        if any(isinstance(obj, classes) for obj in touched):
            raise PermissionDeniedError(_(message), Role.ADMIN.value)
    for obj in deleted:
        if not isinstance(obj, (*SYSTEM_RECORDS, *EDITOR_MAY_DELETE)):
            raise PermissionDeniedError(
                _("Only an administrator can delete records. Ask an administrator to delete it."),
                Role.ADMIN.value,
            )


def _before_flush(session: Session, flush_context: UOWTransaction, instances: object) -> None:
    dirty = [obj for obj in session.dirty if session.is_modified(obj, include_collections=False)]
    new, deleted = list(session.new), list(session.deleted)
    check_changes(session, new, dirty, deleted)
    if any(isinstance(obj, AppUser) for obj in (*new, *dirty, *deleted)):
        forget(session)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        forget(session)


def install() -> None:
    """Attach the check to the ``Session`` class (idempotent); ``services.audit.install`` calls it."""
    global _installed
    if _installed:
        return
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "after_transaction_end", _after_transaction_end)
    _installed = True
