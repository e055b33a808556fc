"""Typed errors raised by the services. Their ``message`` is already translated and fit to show to the user."""

from __future__ import annotations

from typing import Any

from kawaoffice.i18n import _


class ServiceError(Exception):
    """Base of every error a service raises on purpose; ``message`` is translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(ServiceError):
    """A value the user entered is not acceptable; ``field`` names the attribute, so the UI can mark it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class ConflictError(ServiceError):
    """A scheduling rule is broken (``kind`` e.g. ``dispatch_overlap``). The user may override it with a reason."""

    overridable: bool = True

    def __init__(self, kind: str, message: str, details: dict[str, Any]) -> None:
        super().__init__(message)
        self.kind = kind
        self.details = details


class StaleEditError(ServiceError):
    """The row was changed (or deleted) by someone else since it was loaded; nothing was overwritten."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or _(
                "Someone else changed this record after you opened it. "
                "Your changes were not saved; reload the record and try again."
            )
        )


class NotFoundError(ServiceError):
    """The requested row does not exist (any more)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("The record was not found. Someone else may have deleted it."))


class PermissionDeniedError(ServiceError):
    """The acting user's role does not allow the change (``required``: the role it needs); nothing was written."""

    def __init__(self, message: str, required: str = "") -> None:
        super().__init__(message)
        self.required = required
