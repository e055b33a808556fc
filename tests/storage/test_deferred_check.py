"""Start-up opens a SQLite file at head without reading it whole (``PRAGMA quick_check``); the check then runs
later (the app: in a worker thread after its window is shown) and still finds the damage. A file that is to be
upgraded is checked before anything is written, as before."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kawaoffice.model.partners import Organization, OrganizationKind
from kawaoffice.storage import DamagedDatabaseError, open_database
from kawaoffice.storage.sqlite_file import check_integrity
from tests.storage.conftest import EXTRA_REVISION, FileSnapshot, damage_sqlite_file


def _db_with_rows(path: Path, rows: int = 400) -> None:
    db = open_database(f"sqlite:///{path}")
    with db.session() as s:
        s.add_all(
            Organization(kind=OrganizationKind.MEMBER, name_ja=f"会社{i}", notes="メモ" * 200)
            for i in range(rows)
        )
    db.dispose()


def test_a_sound_file_passes_the_later_check(tmp_path: Path) -> None:
    path = tmp_path / "sound.sqlite3"
    _db_with_rows(path)
    db = open_database(f"sqlite:///{path}", defer_integrity_check=True)
    try:
        check_integrity(path)  # while the app has it open
        with db.session() as s:
            assert s.query(Organization).count() == 400
    finally:
        db.dispose()


def test_damage_is_found_by_the_later_check_and_the_file_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "damaged.sqlite3"
    _db_with_rows(path)
    damage_sqlite_file(path)
    before = FileSnapshot.of(path)
    with pytest.raises(DamagedDatabaseError):
        open_database(f"sqlite:///{path}")  # without the flag: refused at once, as before
    db = open_database(f"sqlite:///{path}", defer_integrity_check=True)  # the schema pages are intact
    db.dispose()
    with pytest.raises(DamagedDatabaseError) as info:
        check_integrity(path)
    assert str(path) in info.value.message
    assert FileSnapshot.of(path).data == before.data


def test_a_damaged_file_is_not_upgraded_even_when_the_check_is_deferred(
    tmp_path: Path, scripts_with: Callable[..., Path]
) -> None:
    path = tmp_path / "old-damaged.sqlite3"
    _db_with_rows(path)
    damage_sqlite_file(path)
    scripts_with(EXTRA_REVISION)  # this "version" has one more revision: the file is older
    before = FileSnapshot.of(path)
    with pytest.raises(DamagedDatabaseError):
        open_database(f"sqlite:///{path}", defer_integrity_check=True, backup_dir=tmp_path / "backups")
    assert FileSnapshot.of(path) == before
    assert not (tmp_path / "backups").exists()
