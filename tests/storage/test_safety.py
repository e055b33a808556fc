"""SQLite safety: a backup once a day with rotation (7 daily + 4 weekly), the list of backups for "Restore from
backup...", and the detection of a database file on a network share (fake Windows and Linux machines)."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from kawaoffice.model.partners import Organization, OrganizationKind
from kawaoffice.services import partners
from kawaoffice.storage import open_database, restore_database
from kawaoffice.storage.backup import (
    DRIVE_REMOTE,
    daily_backup,
    list_backups,
    network_share_of,
    rotate_daily_backups,
)
from kawaoffice.storage.sqlite_file import inspect_sqlite_file


def test_daily_backup_once_a_day_and_rotation(tmp_path: Path) -> None:
    db_path = tmp_path / "office.sqlite3"
    folder = tmp_path / "backups"
    db = open_database(str(db_path), "aiko")
    try:
        with db.session() as s:
            partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja="日次")
        start = date(2025, 3, 1)
        written = []
        for offset in range(40):
            day = start + timedelta(days=offset)
            first = daily_backup(db, folder, today=day)
            assert first is not None and first.name == f"office-daily-{day:%Y%m%d}.sqlite3"
            assert daily_backup(db, folder, today=day) is None  # once a day
            written.append(day)
        (folder / "office-before-0002-20250301-101010.sqlite3").write_bytes(first.read_bytes())
    finally:
        db.dispose()
    kept = sorted(p.name for p in folder.glob("office-daily-*"))
    days = [date(int(n[13:17]), int(n[17:19]), int(n[19:21])) for n in kept]
    # the newest 7 days, then one per ISO week for the 4 weeks before them
    assert days[-7:] == written[-7:]
    older = days[:-7]
    assert len(older) == 4
    assert len({d.isocalendar()[:2] for d in older}) == 4
    assert all(d < written[-7] for d in older)
    assert (folder / "office-before-0002-20250301-101010.sqlite3").exists()  # other backups are never rotated
    # every kept daily backup is a sound KawaOffice database holding the record
    status = inspect_sqlite_file(folder / kept[-1])
    assert status is not None and status.state == "current"


def test_rotation_leaves_other_databases_backups_alone(tmp_path: Path) -> None:
    for day in range(1, 20):
        (tmp_path / f"office-daily-202501{day:02d}.sqlite3").write_bytes(b"x")
        (tmp_path / f"other-daily-202501{day:02d}.sqlite3").write_bytes(b"x")
    removed = rotate_daily_backups(tmp_path, Path("/data/office.sqlite3"), keep_daily=3, keep_weekly=1)
    assert removed and all(p.name.startswith("office-") for p in removed)
    assert len(list(tmp_path.glob("other-daily-*"))) == 19
    assert len(list(tmp_path.glob("office-daily-*"))) == 4


def test_list_backups_newest_first_with_kinds(tmp_path: Path) -> None:
    names = {
        "office-daily-20250301.sqlite3": "daily",
        "office-before-0002_users_roles-20250302-090000.sqlite3": "before-upgrade",
        "office-before-restore-20250303-120000.sqlite3": "before-restore",
        "kawaoffice-20250304-080000.sqlite3": "manual",
    }
    for name in names:
        (tmp_path / name).write_bytes(b"SQLite format 3\x00")
    (tmp_path / "notes.txt").write_text("not a backup")
    found = list_backups(tmp_path)
    assert [b.path.name for b in found] == list(reversed(list(names)))
    assert {b.path.name: b.kind for b in found} == names
    assert found[0].taken.strftime("%Y-%m-%d %H:%M") == "2025-03-04 08:00"
    assert list_backups(tmp_path / "missing") == []


def test_restore_from_a_listed_backup_round_trip(tmp_path: Path) -> None:
    db_path = tmp_path / "office.sqlite3"
    db = open_database(str(db_path), "aiko")
    with db.session() as s:
        partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja="復元前")
    backup = daily_backup(db, tmp_path / "b", today=date(2025, 1, 1))
    with db.session() as s:
        partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja="後から")
    db.dispose()
    assert backup is not None
    chosen = list_backups(tmp_path / "b")[0].path
    safety = restore_database(str(db_path), chosen)
    assert safety is not None and safety.exists()
    db = open_database(str(db_path), "aiko")
    try:
        with db.session() as s:
            assert s.scalars(select(Organization.name_ja)).all() == ["復元前"]
    finally:
        db.dispose()


# --- network shares -------------------------------------------------------------------------------------------

LINUX_MOUNTS = """\
/dev/sda2 / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
//fileserver/office /mnt/office cifs rw,vers=3.0 0 0
nas:/export/home /home/shared nfs4 rw 0 0
/dev/sdb1 /mnt/office/local-disk ext4 rw 0 0
tmpfs /tmp tmpfs rw 0 0
//nas/My\\040Documents /mnt/my\\040docs smb3 rw 0 0
kenji@host:/srv /home/kenji/remote fuse.sshfs rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/mnt/office/kawaoffice.sqlite3", "//fileserver/office (cifs)"),
        ("/home/shared/db/kawa.sqlite3", "nas:/export/home (nfs4)"),
        ("/mnt/office/local-disk/kawa.sqlite3", None),  # a local disk mounted inside the share
        ("/home/aiko/kawa.sqlite3", None),
        ("/tmp/kawa.sqlite3", None),
        ("/mnt/my docs/kawa.sqlite3", "//nas/My Documents (smb3)"),
        ("/home/kenji/remote/kawa.sqlite3", "kenji@host:/srv (fuse.sshfs)"),
        ("/mnt/officer/kawa.sqlite3", None),  # not inside /mnt/office
    ],
)
def test_linux_network_mounts(path: str, expected: str | None) -> None:
    assert network_share_of(path, platform="linux", mounts=LINUX_MOUNTS) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (r"\\fileserver\office\kawa\kawaoffice.sqlite3", r"\\fileserver\office"),
        ("//fileserver/office/kawaoffice.sqlite3", r"\\fileserver\office"),
        (r"\\?\UNC\fileserver\office\kawaoffice.sqlite3", r"\\fileserver\office"),
        (r"Z:\kawa\kawaoffice.sqlite3", "Z:\\"),
        (r"C:\Users\aiko\AppData\Local\KawaOffice\kawaoffice.sqlite3", None),
        (r"\\?\C:\long\path.sqlite3", None),
    ],
)
def test_windows_unc_paths_and_mapped_drives(path: str, expected: str | None) -> None:
    def drive_type(root: str) -> int:
        return DRIVE_REMOTE if root == "Z:\\" else 3  # DRIVE_FIXED

    assert network_share_of(path, platform="win32", drive_type=drive_type) == expected


def test_this_machines_temp_folder_is_local(tmp_path: Path) -> None:
    if not os.path.exists("/proc/mounts"):
        pytest.skip("no /proc/mounts here")
    mounts = Path("/proc/mounts").read_text()
    holder = max(
        (line.split() for line in mounts.splitlines() if str(tmp_path).startswith(line.split()[1])),
        key=lambda f: len(f[1]),
    )
    expected_remote = holder[2] in {"nfs", "nfs4", "cifs", "smb3"}
    assert (network_share_of(tmp_path / "x.sqlite3") is not None) == expected_remote
