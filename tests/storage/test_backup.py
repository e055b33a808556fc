"""Backups, restores and the database summary, read back from the files they write."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from kawaoffice import paths
from kawaoffice.model.partners import Contact, Organization, OrganizationKind
from kawaoffice.storage import (
    DamagedDatabaseError,
    Database,
    NewerSchemaError,
    NotAKawaOfficeDatabaseError,
    StorageError,
    backup_database,
    database_info,
    head_revision,
    open_database,
    restore_database,
)
from tests.pgserver import PostgresServer
from tests.storage.conftest import FileSnapshot, damage_sqlite_file


def _names(db: Database) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(Organization.name_ja).order_by(Organization.name_ja)))


def _add(db: Database, *names: str) -> None:
    with db.session() as s:
        s.add_all(Organization(kind=OrganizationKind.MEMBER, name_ja=n) for n in names)


def test_database_info_counts_rows(db_url: str, backend: str) -> None:
    db = Database.open(db_url)
    try:
        _add(db, "会社A", "会社B")
        with db.session() as s:
            s.add(Contact(family_name="佐藤", given_name="一郎"))
        info = database_info(db)
        assert info.backend == backend
        assert info.display_name == db.display_name
        assert info.revision == info.head == head_revision()
        assert info.counts["organizations"] == 2
        assert info.counts["contacts"] == 1
        assert info.counts["projects"] == 0
        assert "alembic_version" not in info.counts
        assert info.size_bytes is not None and info.size_bytes > 0
    finally:
        db.dispose()


def test_sqlite_backup_and_restore_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "office.sqlite3"
    url = f"sqlite:///{path}"
    db = open_database(url)
    _add(db, "川崎エンジニアリング", "長沢メンテナンス")
    backup = backup_database(db)  # while the database is open, into the user's backup folder
    assert backup.parent == paths.backups_dir()
    assert backup.name.startswith("kawaoffice-") and backup.suffix == ".sqlite3"
    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT count(*) FROM organizations").fetchone() == (2,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()

    _add(db, "後から追加")
    assert len(_names(db)) == 3
    db.dispose()

    safety = restore_database(url, backup)
    assert safety is not None and safety.exists()
    db = open_database(url)
    try:
        assert _names(db) == ["川崎エンジニアリング", "長沢メンテナンス"]
    finally:
        db.dispose()
    with sqlite3.connect(safety) as conn:  # the replaced state is kept
        assert conn.execute("SELECT count(*) FROM organizations").fetchone() == (3,)
    conn.close()


def test_backup_to_a_chosen_folder_or_file(tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "office.sqlite3"))
    try:
        folder = tmp_path / "usb"
        folder.mkdir()
        first = backup_database(db, folder)
        second = backup_database(db, folder)
        assert first.parent == second.parent == folder
        assert first != second
        chosen = backup_database(db, tmp_path / "chosen.sqlite3")
        assert chosen == tmp_path / "chosen.sqlite3" and chosen.exists()
        assert not list(tmp_path.rglob("*.part"))
    finally:
        db.dispose()


def test_restore_into_a_new_location_has_no_safety_copy(tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "office.sqlite3"))
    _add(db, "会社")
    backup = backup_database(db, tmp_path / "b.sqlite3")
    db.dispose()
    target = tmp_path / "new" / "restored.sqlite3"
    assert restore_database(str(target), backup) is None
    db = open_database(str(target))
    try:
        assert _names(db) == ["会社"]
    finally:
        db.dispose()


def test_restore_replaces_a_damaged_database_and_keeps_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "office.sqlite3"
    db = open_database(str(path))
    _add(db, "会社")
    backup = backup_database(db, tmp_path / "good.sqlite3")
    _add(db, *(f"後の会社{i}" for i in range(300)))
    db.dispose()
    data = damage_sqlite_file(path)
    with pytest.raises(DamagedDatabaseError):
        open_database(str(path))
    safety = restore_database(str(path), backup)
    assert safety is not None and safety.read_bytes() == data
    db = open_database(str(path))
    try:
        assert _names(db) == ["会社"]
    finally:
        db.dispose()


def test_restore_refuses_what_is_not_a_kawaoffice_backup(tmp_path: Path) -> None:
    path = tmp_path / "office.sqlite3"
    db = open_database(str(path))
    _add(db, "会社")
    db.dispose()
    before = FileSnapshot.of(path)

    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a database", encoding="utf-8")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    conn.close()
    for src in (text_file, other, tmp_path / "missing.sqlite3"):
        with pytest.raises(NotAKawaOfficeDatabaseError):
            restore_database(str(path), src)

    newer = tmp_path / "newer.sqlite3"
    shutil.copy(path, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099_future'")
    conn.close()
    with pytest.raises(NewerSchemaError):
        restore_database(str(path), newer)
    with pytest.raises(StorageError):
        restore_database(str(path), path)
    assert FileSnapshot.of(path) == before


@pytest.mark.postgres
def test_postgres_backup_uses_pg_dump_and_restore_is_refused(
    pg_server: PostgresServer, tmp_path: Path
) -> None:
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    db_url = pg_server.create_database("kawa_backup")
    db = open_database(db_url)
    try:
        _add(db, "共有サーバーの会社")
        dump = backup_database(db, tmp_path)
        assert dump.suffix == ".dump"
        assert dump.read_bytes()[:5] == b"PGDMP"
    finally:
        db.dispose()
    with pytest.raises(StorageError, match="pg_restore"):
        restore_database(db_url, dump)


@pytest.mark.postgres
def test_postgres_backup_without_pg_dump_says_so(
    pg_server: PostgresServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    db = open_database(pg_server.create_database("kawa_no_pg_dump"))
    monkeypatch.setenv("PATH", str(tmp_path))
    try:
        with pytest.raises(StorageError, match="pg_dump"):
            backup_database(db, tmp_path)
        assert not list(tmp_path.iterdir())
    finally:
        db.dispose()
