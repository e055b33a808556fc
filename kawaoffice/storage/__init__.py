"""Storage: engine and sessions for SQLite and PostgreSQL, Alembic migrations, start-up checks, backups.

The names below are imported from their submodules when first used (PEP 562), so that importing one light
submodule (e.g. ``kawaoffice.storage.credentials`` for the log masking at start-up) does not import SQLAlchemy
and every other part of the package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kawaoffice.storage.backup import DatabaseInfo, backup_database, database_info, restore_database
    from kawaoffice.storage.database import (
        Database,
        create_db_engine,
        default_sqlite_url,
        make_session_factory,
        normalize_url,
        resolve_database_url,
        session_scope,
    )
    from kawaoffice.storage.errors import (
        ConnectionLostError,
        DamagedDatabaseError,
        DatabaseUnavailableError,
        NewerSchemaError,
        NotAKawaOfficeDatabaseError,
        StorageError,
        explain_connection_error,
        is_connection_error,
    )
    from kawaoffice.storage.migrate import SchemaStatus, head_revision
    from kawaoffice.storage.opening import ConnectionCheck, check_connection, open_database, schema_status

_SOURCES: dict[str, str] = {
    "DatabaseInfo": "backup",
    "backup_database": "backup",
    "database_info": "backup",
    "restore_database": "backup",
    "Database": "database",
    "create_db_engine": "database",
    "default_sqlite_url": "database",
    "make_session_factory": "database",
    "normalize_url": "database",
    "resolve_database_url": "database",
    "session_scope": "database",
    "ConnectionLostError": "errors",
    "DamagedDatabaseError": "errors",
    "DatabaseUnavailableError": "errors",
    "NewerSchemaError": "errors",
    "NotAKawaOfficeDatabaseError": "errors",
    "StorageError": "errors",
    "explain_connection_error": "errors",
    "is_connection_error": "errors",
    "SchemaStatus": "migrate",
    "head_revision": "migrate",
    "ConnectionCheck": "opening",
    "check_connection": "opening",
    "open_database": "opening",
    "schema_status": "opening",
}


def __getattr__(name: str) -> Any:
    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{source}"), name)
    globals()[name] = value  # later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SOURCES))


__all__ = [
    "ConnectionCheck",
    "ConnectionLostError",
    "DamagedDatabaseError",
    "Database",
    "DatabaseInfo",
    "DatabaseUnavailableError",
    "NewerSchemaError",
    "NotAKawaOfficeDatabaseError",
    "SchemaStatus",
    "StorageError",
    "backup_database",
    "check_connection",
    "create_db_engine",
    "database_info",
    "default_sqlite_url",
    "explain_connection_error",
    "head_revision",
    "is_connection_error",
    "make_session_factory",
    "normalize_url",
    "open_database",
    "resolve_database_url",
    "restore_database",
    "schema_status",
    "session_scope",
]
