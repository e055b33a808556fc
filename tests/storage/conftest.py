"""Helpers for the storage tests: a copy of the migrations with one more (test-only) revision, file snapshots."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kawaoffice.storage import migrate
from tests.storage.keyring_memory import MemoryKeyring, installed_memory_keyring

# A real second revision, used only by the tests: it adds a column to ``organizations``; on SQLite it rebuilds the
# table (batch "recreate", the risky case with foreign keys pointing at it).
EXTRA_REVISION = '''"""Test-only revision: add organizations.test_note

Revision ID: 9001_test_note
Revises: {head}
"""
import sqlalchemy as sa
from alembic import op

revision = "9001_test_note"
down_revision = "{head}"
branch_labels = None
depends_on = None


def _recreate() -> str:
    return "always" if op.get_bind().dialect.name == "sqlite" else "auto"


def upgrade() -> None:
    with op.batch_alter_table("organizations", recreate=_recreate()) as batch_op:
        batch_op.add_column(sa.Column("test_note", sa.String(length=50), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organizations", recreate=_recreate()) as batch_op:
        batch_op.drop_column("test_note")
'''

# A revision that fails half way: the upgrade must leave the database as it was.
FAILING_REVISION = '''"""Test-only revision that fails after changing the schema

Revision ID: 9002_test_fails
Revises: 9001_test_note
"""
import sqlalchemy as sa
from alembic import op

revision = "9002_test_fails"
down_revision = "9001_test_note"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("staff", sa.Column("half_done", sa.Integer(), nullable=True))
    raise RuntimeError("migration failed half way")


def downgrade() -> None:
    pass
'''


@pytest.fixture
def scripts_with(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """``scripts_with(*revision_sources)`` points the migrations at a copy of the real ones plus these revisions."""

    real_head = migrate.head_revision()

    def use(*sources: str) -> Path:
        folder = tmp_path / f"migrations-{len(sources)}"
        if not folder.exists():
            shutil.copytree(
                migrate.MIGRATIONS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
            for i, source in enumerate(sources, start=1):
                source = source.replace("{head}", real_head)
                (folder / "versions" / f"9{i:03d}_test.py").write_text(source, encoding="utf-8")
        migrate.set_script_location(folder)
        return folder

    yield use
    migrate.set_script_location(None)


@dataclass(frozen=True)
class FileSnapshot:
    data: bytes
    mtime_ns: int
    siblings: frozenset[str]

    @classmethod
    def of(cls, path: Path) -> FileSnapshot:
        return cls(
            path.read_bytes(),
            path.stat().st_mtime_ns,
            frozenset(p.name for p in path.parent.iterdir() if p.name.startswith(path.name)),
        )


def damage_sqlite_file(path: Path) -> bytes:
    """Write garbage over three whole pages in the middle of a SQLite file; returns the damaged bytes."""
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    pages = len(data) // page_size
    assert pages > 20, "the file is too small to damage in the middle"
    start = (pages // 2) * page_size
    data[start : start + 3 * page_size] = bytes((i * 37 + 11) % 256 for i in range(3 * page_size))
    path.write_bytes(bytes(data))
    return bytes(data)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """An in-memory credential store for the test (never the OS's)."""
    with installed_memory_keyring() as backend:
        yield backend
