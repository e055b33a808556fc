"""Storage: engine and sessions for SQLite and PostgreSQL, Alembic migrations, start-up checks, backups."""

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
