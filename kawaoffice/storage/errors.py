"""Errors the storage layer raises, each with a translated message the UI can show as it is."""

from __future__ import annotations

from kawaoffice.i18n import _


class StorageError(Exception):
    """A database problem the user can act on. ``message`` is translated and ready to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotAKawaOfficeDatabaseError(StorageError):
    """The file or database exists but belongs to something else (or is not a database at all)."""

    def __init__(self, location: str, reason: str = "") -> None:
        self.location = location
        self.reason = reason
        if reason:
            message = _("{location} is not a KawaOffice database ({reason}). It was left unchanged.").format(
                location=location, reason=reason
            )
        else:
            message = _("{location} is not a KawaOffice database. It was left unchanged.").format(
                location=location
            )
        super().__init__(message)


class DamagedDatabaseError(StorageError):
    """The SQLite file failed its integrity check; restore it from a backup."""

    def __init__(self, location: str, detail: str = "") -> None:
        self.location = location
        self.detail = detail
        message = _(
            "The database file {location} is damaged and cannot be opened. It was left unchanged; "
            "restore it from a backup. Details: {detail}"
        ).format(location=location, detail=detail or "-")
        super().__init__(message)


class NewerSchemaError(StorageError):
    """The database was written by a newer KawaOffice; this version must not touch it."""

    def __init__(self, location: str, current: str, head: str) -> None:
        self.location = location
        self.current = current
        self.head = head
        message = _(
            "The database {location} was created by a newer version of KawaOffice (database revision {current}, "
            "this version knows up to {head}). Please update KawaOffice. The database was left unchanged."
        ).format(location=location, current=current, head=head)
        super().__init__(message)


class DatabaseUnavailableError(StorageError):
    """The database server cannot be reached, refused the login, or the file cannot be opened."""

    def __init__(self, location: str, detail: str = "") -> None:
        self.location = location
        self.detail = detail
        message = _("Cannot connect to the database {location}: {detail}").format(
            location=location, detail=detail or "-"
        )
        super().__init__(message)


__all__ = [
    "DamagedDatabaseError",
    "DatabaseUnavailableError",
    "NewerSchemaError",
    "NotAKawaOfficeDatabaseError",
    "StorageError",
]
