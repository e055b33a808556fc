"""The shared base: aware datetimes round-trip, optimistic locking, all tables created on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from kawaoffice.model import Base
from kawaoffice.model.partners import Organization, OrganizationKind


def test_every_table_is_created(engine) -> None:
    assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)


def test_aware_datetime_round_trips_as_utc(session: Session) -> None:
    jst = timezone(timedelta(hours=9))
    org = Organization(
        kind=OrganizationKind.MEMBER, name_ja="テスト", created_at=datetime(2026, 4, 1, 9, 0, tzinfo=jst)
    )
    session.add(org)
    session.commit()
    session.expire_all()
    loaded = session.scalars(select(Organization)).one()
    assert loaded.created_at == datetime(2026, 4, 1, 0, 0, tzinfo=UTC)
    assert loaded.created_at.tzinfo is not None


def test_naive_datetime_is_refused(session: Session) -> None:
    session.add(Organization(kind=OrganizationKind.MEMBER, name_ja="x", created_at=datetime(2026, 1, 1)))
    with pytest.raises(Exception, match="naive datetime"):
        session.commit()


def test_second_save_of_a_changed_row_is_stale(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as s:
        s.add(Organization(kind=OrganizationKind.MEMBER, name_ja="元の名前"))
        s.commit()
    first, second = session_factory(), session_factory()
    a = first.scalars(select(Organization)).one()
    b = second.scalars(select(Organization)).one()
    a.name_ja = "Aさんの変更"
    first.commit()
    b.name_ja = "Bさんの変更"
    with pytest.raises(StaleDataError):
        second.commit()
    second.rollback()
    with session_factory() as s:
        row = s.scalars(select(Organization)).one()
        assert row.name_ja == "Aさんの変更"
        assert row.version == 2
    first.close()
    second.close()
