"""Alembic migrations: an empty database migrated to head has exactly the models' schema; older databases are
upgraded (SQLite: after a backup), a failed upgrade leaves nothing half done, and newer ones are refused."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.engine import make_url

from kawaoffice import model
from kawaoffice.model.partners import Contact, Employment, Organization, OrganizationKind
from kawaoffice.storage import (
    Database,
    NewerSchemaError,
    head_revision,
    migrate,
    open_database,
    schema_status,
)
from kawaoffice.storage.migrate import alembic_config
from tests.storage.conftest import EXTRA_REVISION, FAILING_REVISION, FileSnapshot

# The real head of this version of KawaOffice (the test-only revisions 9001/9002 sit on top of it).
REAL_HEAD = head_revision()


def _schema_differences(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, model.Base.metadata))


def _revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _add_partner(db: Database) -> None:
    with db.session() as s:
        org = Organization(
            kind=OrganizationKind.MEMBER, name_ja="川崎テスト工業", name_kana="カワサキテストコウギョウ"
        )
        contact = Contact(family_name="山田", given_name="花子")
        s.add_all([org, contact])
        s.flush()
        s.add(Employment(contact_id=contact.id, organization_id=org.id, title="部長"))


def test_head_is_the_newest_numbered_revision() -> None:
    newest = max(p.stem for p in (migrate.MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    assert head_revision() == newest


def test_empty_database_migrated_to_head_has_exactly_the_models_schema(empty_db_url: str) -> None:
    db = open_database(empty_db_url)
    try:
        assert _schema_differences(db.engine) == []
        assert set(inspect(db.engine).get_table_names()) == set(model.Base.metadata.tables) | {
            "alembic_version"
        }
        assert _revision(db.engine) == head_revision()
        status = schema_status(db)
        assert (status.current, status.state) == (head_revision(), "current")
    finally:
        db.dispose()


def test_opening_a_current_database_again_changes_nothing(empty_db_url: str) -> None:
    open_database(empty_db_url).dispose()
    db = open_database(empty_db_url)
    try:
        assert schema_status(db).state == "current"
    finally:
        db.dispose()


def test_downgrade_to_base_removes_everything_and_open_recreates_it(empty_db_url: str) -> None:
    db = open_database(empty_db_url)
    with db.engine.begin() as conn:
        command.downgrade(alembic_config(connection=conn), "base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    assert schema_status(db).state == "empty"
    db.dispose()
    db = open_database(empty_db_url)
    try:
        assert _schema_differences(db.engine) == []
        assert schema_status(db).state == "current"
    finally:
        db.dispose()


def test_older_database_is_upgraded_and_keeps_its_rows(
    empty_db_url: str, backend: str, tmp_path: Path, scripts_with: Callable[..., Path]
) -> None:
    db = open_database(empty_db_url)  # at the real head
    _add_partner(db)
    db.dispose()

    scripts_with(EXTRA_REVISION)  # this "version" of KawaOffice knows 9001_test_note
    backups = tmp_path / "backups"
    db = open_database(empty_db_url, backup_dir=backups)
    try:
        assert _revision(db.engine) == "9001_test_note"
        assert "test_note" in {c["name"] for c in inspect(db.engine).get_columns("organizations")}
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT name_ja FROM organizations")).scalars().all() == [
                "川崎テスト工業"
            ]
            assert conn.execute(text("SELECT count(*) FROM employments")).scalar() == 1
        with db.session() as s:
            employment = s.scalars(select(Employment)).one()
            assert employment.organization.name_ja == "川崎テスト工業"
        if backend == "sqlite":
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        db.dispose()

    if backend == "sqlite":
        [backup] = list(backups.iterdir())
        assert "9001_test_note" in backup.name
        with sqlite3.connect(backup) as conn:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(REAL_HEAD,)]
            assert conn.execute("SELECT name_ja FROM organizations").fetchall() == [("川崎テスト工業",)]
        conn.close()
    else:
        assert not backups.exists()


def test_failed_upgrade_leaves_the_database_as_it_was(
    empty_db_url: str, backend: str, tmp_path: Path, scripts_with: Callable[..., Path]
) -> None:
    scripts_with(EXTRA_REVISION)
    open_database(empty_db_url).dispose()  # at 9001_test_note
    scripts_with(EXTRA_REVISION, FAILING_REVISION)
    with pytest.raises(RuntimeError, match="half way"):
        open_database(empty_db_url, backup_dir=tmp_path / "backups")
    db = Database.open(empty_db_url)
    try:
        assert _revision(db.engine) == "9001_test_note"
        assert "half_done" not in {c["name"] for c in inspect(db.engine).get_columns("staff")}
    finally:
        db.dispose()


def test_newer_database_is_refused_and_left_unchanged(
    empty_db_url: str, backend: str, tmp_path: Path, scripts_with: Callable[..., Path]
) -> None:
    scripts_with(EXTRA_REVISION)  # a newer KawaOffice writes 9001_test_note ...
    db = open_database(empty_db_url)
    _add_partner(db)
    db.dispose()
    migrate.set_script_location(None)  # ... and this version only knows the real head
    path = make_url(empty_db_url).database if backend == "sqlite" else None
    before = FileSnapshot.of(Path(path)) if path else None

    with pytest.raises(NewerSchemaError) as info:
        open_database(empty_db_url, backup_dir=tmp_path / "backups")
    assert "9001_test_note" in info.value.message
    assert REAL_HEAD in info.value.message
    assert (info.value.current, info.value.head) == ("9001_test_note", REAL_HEAD)

    if before is not None and path:
        assert FileSnapshot.of(Path(path)) == before
    assert not (tmp_path / "backups").exists()
    db = Database.open(empty_db_url)
    try:
        assert _revision(db.engine) == "9001_test_note"
        assert schema_status(db).state == "newer"
    finally:
        db.dispose()


def test_fixture_schema_is_accepted_as_current(db_url: str) -> None:
    db = open_database(db_url)
    try:
        assert schema_status(db).state == "current"
        assert _schema_differences(db.engine) == []
    finally:
        db.dispose()


def test_autogenerate_finds_nothing_left_to_migrate(scripts_with: Callable[..., Path]) -> None:
    folder = scripts_with()
    migrate.autogenerate_revision("0002_nothing", "nothing to do")
    [generated] = (folder / "versions").glob("0002_nothing*.py")
    source = generated.read_text(encoding="utf-8")
    upgrade_body = source.split("def upgrade() -> None:")[1].split("def downgrade")[0]
    assert "op." not in upgrade_body, upgrade_body


def test_two_pcs_opening_a_new_database_at_once_both_succeed(empty_db_url: str) -> None:
    barrier = threading.Barrier(3)
    results: list[object] = []

    def start() -> None:
        barrier.wait()
        try:
            db = open_database(empty_db_url)
            results.append(schema_status(db).state)
            db.dispose()
        except Exception as exc:  # reported below
            results.append(exc)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results == ["current"] * 3
