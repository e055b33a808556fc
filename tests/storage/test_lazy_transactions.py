"""PostgreSQL reads run without BEGIN/COMMIT round trips; writes still commit or roll back as one unit of work.

Run on the real server the test session starts (see storage/database.py ``install_lazy_transactions``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import psycopg
import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session

from kawaoffice.model.partners import Organization, OrganizationKind
from kawaoffice.storage import make_session_factory
from kawaoffice.storage.database import (
    PG_CONNECT_ARGS,
    _needs_transaction,
    create_db_engine,
    install_lazy_transactions,
    session_scope,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url(_pg_schema_url: str) -> Iterator[str]:
    yield _pg_schema_url
    engine = create_db_engine(_pg_schema_url)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE organizations RESTART IDENTITY CASCADE"))
    engine.dispose()


def _status(session: Session) -> TransactionStatus:
    raw = session.connection().connection.dbapi_connection
    assert isinstance(raw, psycopg.Connection)
    return raw.info.transaction_status


def _count(url: str) -> int:
    """Rows as another connection sees them (only what was committed)."""
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM organizations").fetchone()
        assert row is not None
        return int(row[0])


def _org(name: str) -> Organization:
    return Organization(name_ja=name, kind=OrganizationKind.MEMBER)


def test_reads_open_no_transaction_and_a_write_opens_one(pg_url: str) -> None:
    engine = create_db_engine(pg_url)
    try:
        factory = make_session_factory(engine, user="tester")
        with session_scope(factory) as s:
            s.scalar(select(func.count()).select_from(Organization))
            assert _status(s) == TransactionStatus.IDLE  # no BEGIN was sent for the read
            s.add(_org("北九州水道サービス"))
            s.flush()
            assert _status(s) == TransactionStatus.INTRANS  # the INSERT began a transaction
            assert _count(pg_url) == 0  # not visible to others before the commit
        assert _count(pg_url) == 1
    finally:
        engine.dispose()


def test_a_failed_unit_of_work_writes_nothing(pg_url: str) -> None:
    engine = create_db_engine(pg_url)
    try:
        factory = make_session_factory(engine, user="tester")
        with pytest.raises(RuntimeError), session_scope(factory) as s:
            s.scalar(select(func.count()).select_from(Organization))
            s.add(_org("一件目"))
            s.flush()
            s.add(_org("二件目"))
            s.flush()
            raise RuntimeError("the user's save failed half-way")
        assert _count(pg_url) == 0
        # the connection went back to the pool in a clean state: the next unit of work reads in autocommit again
        with session_scope(factory) as s:
            assert s.scalar(select(func.count()).select_from(Organization)) == 0
            assert _status(s) == TransactionStatus.IDLE
    finally:
        engine.dispose()


def test_locking_reads_and_notifications_run_inside_the_transaction(pg_url: str) -> None:
    engine = create_db_engine(pg_url)
    try:
        with Session(engine) as s:
            s.execute(text("SELECT pg_advisory_xact_lock(4242)"))
            assert (
                _status(s) == TransactionStatus.INTRANS
            )  # the lock is held until the end of the transaction
            s.rollback()
        with Session(engine) as s:
            s.execute(select(Organization.id).with_for_update())
            assert _status(s) == TransactionStatus.INTRANS
            s.rollback()
    finally:
        engine.dispose()


def test_explicit_autocommit_is_left_alone(pg_url: str) -> None:
    engine = create_db_engine(pg_url)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM organizations")  # refused inside a transaction block
    finally:
        engine.dispose()


def test_a_connection_idle_too_long_is_checked_and_replaced_when_dead(pg_url: str) -> None:
    engine: Engine = create_engine(pg_url, connect_args=dict(PG_CONNECT_ARGS))
    install_lazy_transactions(engine, idle_check_s=0.05)
    try:
        with engine.connect() as conn:
            pid = conn.scalar(text("SELECT pg_backend_pid()"))
        with psycopg.connect(pg_url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        time.sleep(0.2)
        with engine.connect() as conn:  # the pooled connection is dead: the check replaces it, no error
            assert conn.scalar(text("SELECT pg_backend_pid()")) != pid
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("statement", "needs"),
    [
        ("SELECT id FROM organizations", False),
        ("  select count(*) from contact", False),
        ("WITH x AS (SELECT 1) SELECT * FROM x", False),
        ("WITH x AS (DELETE FROM contact RETURNING id) SELECT * FROM x", True),
        ("SELECT id FROM organization FOR UPDATE", True),
        ("SELECT pg_notify('kawaoffice', 'x')", True),
        ("SELECT setval('organizations_id_seq', 5)", True),
        ("INSERT INTO organization (name_ja) VALUES ('x')", True),
        ("UPDATE organization SET name_ja = 'x'", True),
        ("SET LOCAL statement_timeout = 1000", True),
        ("SAVEPOINT sa_1", True),
    ],
)
def test_which_statements_need_a_transaction(statement: str, needs: bool) -> None:
    assert _needs_transaction(statement) is needs


def test_sessions_run_without_jit_compilation(pg_url: str) -> None:
    """A short statement estimated as expensive must not spend a second in JIT compilation (start-up option)."""
    engine = create_db_engine(pg_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(text("SHOW jit")) == "off"
            assert conn.scalar(text("SHOW application_name")) == "KawaOffice"
    finally:
        engine.dispose()
