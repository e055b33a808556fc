"""The people who use the database and their role: viewer (reads, prints, exports), editor (also edits), admin (also
stage templates, facilities and courses, users, deleting records).

The acting user of a session is ``session.info["user"]`` (the login). ``services/permissions.py`` enforces the roles
when a session flushes; ``services/users.py`` registers users and changes their role.
"""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from kawaoffice.i18n import N_
from kawaoffice.model.base import Entity, StrEnumType


class Role(enum.StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def allows(self, required: Role) -> bool:
        """Whether this role may do what needs ``required`` (admin > editor > viewer)."""
        return self.rank >= required.rank


_RANKS = {Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2}

ROLE_LABELS = {
    Role.VIEWER: N_("Viewer"),
    Role.EDITOR: N_("Editor"),
    Role.ADMIN: N_("Administrator"),
}


class AppUser(Entity):
    """A login that has used this database, with its role. Deactivated users keep their row (the audit log names
    them) but cannot change data."""

    __tablename__ = "app_user"

    login: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    display_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    role: Mapped[Role] = mapped_column(StrEnumType(Role), nullable=False, default=Role.VIEWER)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
