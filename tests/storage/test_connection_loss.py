"""A lost connection to PostgreSQL comes out of a unit of work as ConnectionLostError (translated, nothing half
written), a unit of work is repeated once the server answers, and "Test connection" explains failures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kawaoffice.model.partners import Organization, OrganizationKind
from kawaoffice.services import partners
from kawaoffice.storage import (
    ConnectionLostError,
    Database,
    DatabaseUnavailableError,
    check_connection,
    is_connection_error,
    open_database,
)
from tests.pgserver import PostgresServer

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_db(pg_server: PostgresServer) -> Iterator[Database]:
    db = open_database(pg_server.create_database("kawa_loss"), "tester")
    yield db
    db.dispose()


def _terminate(db: Database, pid: int) -> None:
    other = Database.open(db.url)
    try:
        with other.engine.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    finally:
        other.dispose()


def _count(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Organization)) or 0)


def test_connection_killed_mid_transaction_rolls_back_and_is_reported(pg_db: Database) -> None:
    with pytest.raises(ConnectionLostError) as info, pg_db.session() as s:
        partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja="半分だけ")
        s.flush()
        _terminate(pg_db, int(s.scalar(text("SELECT pg_backend_pid()")) or 0))
        partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja="二件目")
        s.flush()
    assert not info.value.during_commit
    assert "kawa_loss" in info.value.message
    assert is_connection_error(info.value)
    assert is_connection_error(info.value.__cause__)  # type: ignore[arg-type]
    # the pool replaces the dead connection: the next unit of work works and nothing was half written
    assert _count(pg_db) == 0


def test_killed_session_is_explained(pg_db: Database) -> None:
    with pytest.raises(ConnectionLostError) as info, pg_db.session() as s:
        _terminate(pg_db, int(s.scalar(text("SELECT pg_backend_pid()")) or 0))
        s.execute(text("SELECT 1"))
    assert "The server closed the connection" in info.value.message
    assert "Nothing was saved" in info.value.message


def test_run_repeats_the_work_after_a_lost_connection(pg_db: Database) -> None:
    calls: list[int] = []

    def work(s: Session) -> int:
        calls.append(1)
        org = partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja="再試行")
        s.flush()
        if len(calls) == 1:
            _terminate(pg_db, int(s.scalar(text("SELECT pg_backend_pid()")) or 0))
            s.execute(text("SELECT 1"))
        return org.id

    org_id = pg_db.run(work, wait=0.05)
    assert len(calls) == 2
    with pg_db.session() as s:
        assert s.scalars(select(Organization.id)).all() == [org_id]


def test_data_errors_are_not_connection_errors(pg_db: Database) -> None:
    with pytest.raises(IntegrityError) as info, pg_db.session() as s:
        s.execute(text("INSERT INTO organizations (id) VALUES (NULL)"))
    assert not is_connection_error(info.value)


def test_check_connection_reports_the_server_and_the_schema(
    pg_server: PostgresServer, pg_db: Database
) -> None:
    check = check_connection(pg_db.url)
    assert check.state == "current"
    assert check.server_version.startswith("PostgreSQL ")
    assert "kawa_loss" in check.summary()
    empty = check_connection(pg_server.create_database("kawa_check_empty"))
    assert empty.state == "empty"


def test_check_connection_explains_failures(pg_server: PostgresServer) -> None:
    closed = make_url(pg_server.url("kawa")).set(port=1).render_as_string(hide_password=False)
    with pytest.raises(DatabaseUnavailableError) as info:
        check_connection(closed, timeout=2)
    assert "refused" in info.value.message
    with pytest.raises(DatabaseUnavailableError) as info:
        check_connection(pg_server.url("no_such_db"))
    assert "The database no_such_db does not exist on the server." in info.value.message


def test_ping_and_wait(pg_db: Database, pg_server: PostgresServer) -> None:
    pg_db.ping()
    assert pg_db.wait_until_available(1)
    gone = Database.open(make_url(pg_server.url("kawa")).set(port=1).render_as_string(hide_password=False))
    try:
        with pytest.raises(DatabaseUnavailableError):
            gone.ping()
        assert not gone.wait_until_available(0.3, interval=0.1)
    finally:
        gone.dispose()
