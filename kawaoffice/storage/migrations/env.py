"""Alembic environment for KawaOffice.

Runs programmatically (no alembic.ini): ``kawaoffice.storage.migrate`` builds the ``Config`` in code and passes an
open connection in ``config.attributes["connection"]``. Without one (a developer's ad-hoc run), the URL comes from
the ``sqlalchemy.url`` main option.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection

import kawaoffice.model  # noqa: F401  (registers every table)
from kawaoffice.model.base import Base, StrEnumType, UTCDateTime
from kawaoffice.storage.database import create_db_engine

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write our custom column types as their plain database types, so revisions never import the models."""
    if type_ == "type":
        if isinstance(obj, UTCDateTime):
            return "sa.DateTime(timezone=True)"
        if isinstance(obj, StrEnumType):
            return f"sa.String(length={obj.impl.length})"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=False,
        render_item=render_item,
    )


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=render_item,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection and no sqlalchemy.url given to the KawaOffice migrations")
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
