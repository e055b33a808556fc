"""The migration scripts' head revision read from the files' text: no SQLAlchemy or Alembic import (the light
first page at start-up compares it with the open database's ``alembic_version`` before SQLAlchemy is loaded).

``kawaoffice.storage.migrate`` uses these and asks Alembic when the files say something unusual."""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*(?:#.*)?$", re.MULTILINE)


def read_revision_file(path: Path) -> tuple[str, tuple[str, ...]] | None:
    """``(revision, down_revisions)`` from the top-level assignments of one revision file, without importing it;
    ``None`` when the file does not say them as plain literals (the caller then asks Alembic)."""
    found: dict[str, object] = {}
    for name, value in _ASSIGNMENT.findall(path.read_text(encoding="utf-8")):
        if name in found:
            continue
        try:
            found[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return None
    revision, down = found.get("revision"), found.get("down_revision")
    if not isinstance(revision, str) or not revision:
        return None
    if down is None:
        return revision, ()
    if isinstance(down, str):
        return revision, (down,)
    if isinstance(down, (tuple, list)) and all(isinstance(d, str) for d in down):
        return revision, tuple(str(d) for d in down)
    return None


@lru_cache(maxsize=4)
def light_revision_graph(location: Path) -> tuple[str, frozenset[str]] | None:
    """The head and every revision of the scripts at ``location``; ``None`` for anything unusual (a file it cannot
    read as literals, several heads, a cycle, a missing parent): Alembic must decide then."""
    revisions: dict[str, tuple[str, ...]] = {}
    for path in sorted((location / "versions").glob("*.py")):
        if path.name.startswith("_"):
            continue
        parsed = read_revision_file(path)
        if parsed is None or parsed[0] in revisions:
            return None
        revisions[parsed[0]] = parsed[1]
    referenced = {down for downs in revisions.values() for down in downs}
    heads = [rev for rev in revisions if rev not in referenced]
    if len(heads) != 1 or not referenced <= revisions.keys():
        return None
    return heads[0], frozenset(revisions)
