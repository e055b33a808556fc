"""Copy local data to a new shared database: every table copied in one transaction, counts checked, sequences
fixed so new records get fresh ids; a target that is not empty is refused and left as it was."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kawaoffice.model.audit import AuditEntry
from kawaoffice.model.partners import Organization, OrganizationKind
from kawaoffice.services import partners
from kawaoffice.services.demo import load_demo
from kawaoffice.storage import Database, open_database
from kawaoffice.storage.transfer import TargetNotEmptyError, copy_tables, copy_to_new_database
from tests.pgserver import PostgresServer


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("transfer") / "local.sqlite3"
    db = open_database(str(path), "aiko")
    with db.session() as s:
        load_demo(s)
    with db.session() as s:  # an audited change too, so the audit log travels along
        org = s.scalars(select(Organization).order_by(Organization.id)).first()
        assert org is not None
        partners.update_organization(s, org.id, org.version, city="北九州市八幡東区")
    db.dispose()
    return path


@pytest.fixture
def source(demo_file: Path) -> Iterator[Database]:
    db = open_database(str(demo_file), "aiko")
    yield db
    db.dispose()


@pytest.fixture
def target_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("pg_server")
    return server.create_database("kawa_transfer")


def test_copy_checks_every_table_and_new_ids_continue(source: Database, target_url: str) -> None:
    steps: list[tuple[int, int, str]] = []
    report = copy_to_new_database(
        source, target_url, lambda done, total, name: steps.append((done, total, name))
    )
    names = [t.name for t in copy_tables()]
    assert list(report.counts) == names
    assert report.ok and report.total > 50
    assert report.counts["organizations"][0] >= 10
    assert report.counts["audit_log"][0] >= 1
    assert steps[0] == (0, len(names), names[0]) and steps[-1] == (len(names), len(names), "")

    target = open_database(target_url, "aiko")
    try:
        with source.session() as a, target.session() as b:
            for table in copy_tables():
                pk = list(table.primary_key.columns)
                assert (
                    a.execute(select(table).order_by(*pk)).all()
                    == b.execute(select(table).order_by(*pk)).all()
                ), table.name
        with target.session() as s:
            highest = s.scalar(select(func.max(Organization.id)))
            org = partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja="移行後の新規")
            assert org.id > (highest or 0)
            assert s.scalar(select(func.count()).select_from(AuditEntry)) >= report.counts["audit_log"][0]
    finally:
        target.dispose()


def test_a_target_with_data_is_refused_and_untouched(source: Database, target_url: str) -> None:
    target = open_database(target_url, "kenji")
    with target.session() as s:
        partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja="先客")
    target.dispose()
    with pytest.raises(TargetNotEmptyError) as info:
        copy_to_new_database(source, target_url)
    assert "organizations" in info.value.message
    target = open_database(target_url, "kenji")
    try:
        with target.session() as s:
            assert s.scalars(select(Organization.name_ja)).all() == ["先客"]
    finally:
        target.dispose()


def test_the_same_database_is_refused(source: Database) -> None:
    with pytest.raises(Exception, match="same database"):
        copy_to_new_database(source, source.url)
