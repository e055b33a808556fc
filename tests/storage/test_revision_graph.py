"""The head and known revisions are read from the revision files without Alembic (fast start-up); they must be
exactly what Alembic itself says, for the shipped migrations and for a folder with extra revisions."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from kawaoffice.storage import migrate
from tests.storage.conftest import EXTRA_REVISION, FAILING_REVISION


def _alembic_answer() -> tuple[str | None, frozenset[str]]:
    scripts = migrate.script_directory()
    return scripts.get_current_head(), frozenset(r.revision for r in scripts.walk_revisions())


def test_head_and_known_revisions_agree_with_alembic() -> None:
    assert (migrate.head_revision(), migrate.known_revisions()) == _alembic_answer()


def test_extra_revisions_are_found_like_alembic_finds_them(scripts_with: Callable[..., Path]) -> None:
    scripts_with(EXTRA_REVISION, FAILING_REVISION)
    assert migrate.head_revision() == "9002_test_fails"
    assert {"9001_test_note", "9002_test_fails"} <= migrate.known_revisions()
    assert (migrate.head_revision(), migrate.known_revisions()) == _alembic_answer()


def test_unusual_revision_files_are_left_to_alembic(scripts_with: Callable[..., Path]) -> None:
    # a down_revision that is not a literal: the text reader gives up and asks Alembic, which imports the file
    computed = EXTRA_REVISION.replace('down_revision = "{head}"', 'down_revision = str("{head}")')
    scripts_with(computed)
    assert migrate.head_revision() == "9001_test_note"
    assert (migrate.head_revision(), migrate.known_revisions()) == _alembic_answer()


def test_opening_a_current_database_does_not_import_alembic(tmp_path: Path) -> None:
    from kawaoffice.storage import open_database

    db_file = tmp_path / "current.sqlite3"
    open_database(f"sqlite:///{db_file}").dispose()  # created (and migrated) in this process
    code = (
        "import sys\n"
        "from kawaoffice.storage import open_database\n"
        f"db = open_database({str(db_file)!r})\n"
        "db.dispose()\n"
        "print(sorted(m for m in sys.modules if m == 'alembic' or m.startswith('alembic.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
