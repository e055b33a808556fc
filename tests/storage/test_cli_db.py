"""``kawaoffice-cli db copy-to-server URL`` and ``db backups``, run like a user would."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from kawaoffice.cli import main
from kawaoffice.model.partners import Organization, OrganizationKind
from kawaoffice.services import partners
from kawaoffice.storage import open_database
from kawaoffice.storage.backup import daily_backup
from tests.pgserver import PostgresServer
from tests.storage.keyring_memory import MemoryKeyring


def _local(tmp_path: Path) -> str:
    path = tmp_path / "local.sqlite3"
    db = open_database(str(path), "aiko")
    with db.session() as s:
        for name in ("北九州市上下水道局", "アクア技研", "三機工業"):
            partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja=name)
    db.dispose()
    return str(path)


@pytest.mark.postgres
def test_copy_to_server(
    tmp_path: Path,
    pg_server: PostgresServer,
    capsys: pytest.CaptureFixture[str],
    memory_keyring: MemoryKeyring,
) -> None:
    local = _local(tmp_path)
    target = pg_server.create_database("kawa_cli_copy")
    code = main(["--lang", "en", "--database", local, "db", "copy-to-server", target, "--no-password"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "the row counts of every table match" in out
    assert "organizations" in out and "3" in out
    db = open_database(target, "aiko")
    try:
        with db.session() as s:
            assert s.scalar(select(func.count()).select_from(Organization)) == 3
    finally:
        db.dispose()
    # a second copy into the same (now filled) database is refused in one line and changes nothing
    code = main(["--lang", "en", "--database", local, "db", "copy-to-server", target, "--no-password"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "is not empty" in err and "Traceback" not in err
    assert err.strip().count("\n") == 0


def test_copy_to_an_unreachable_server_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local = _local(tmp_path)
    code = main(
        ["--lang", "en", "--database", local, "db", "copy-to-server",
         "postgresql://kenji:hunter2@127.0.0.1:1/kawa", "--no-password"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 1
    assert "refused" in err
    assert "hunter2" not in out + err


def test_backups_lists_the_daily_backup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    local = _local(tmp_path)
    db = open_database(local, "aiko")
    try:
        written = daily_backup(db)
    finally:
        db.dispose()
    assert written is not None
    try:
        assert main(["--lang", "en", "db", "backups"]) == 0
        out, _err = capsys.readouterr()
        assert written.name in out and "daily" in out
    finally:
        written.unlink()
