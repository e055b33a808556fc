"""Helpers for tests of a migration script that carries its own copy of a function of the app (a revision must
compute what the app computed when it was written, whatever the app becomes): load the script as a module, and
list what it imports."""

from __future__ import annotations

import ast
import functools
import importlib.util
from pathlib import Path
from types import ModuleType

import kawaoffice.storage.migrations.versions as versions


def revision_path(name: str) -> Path:
    """The script of revision ``name`` (e.g. ``0003_partners_sort_keys``)."""
    return Path(versions.__path__[0]) / f"{name}.py"


@functools.cache
def revision_module(name: str) -> ModuleType:
    """The script of revision ``name``, loaded as a module (once)."""
    spec = importlib.util.spec_from_file_location(f"rev_{name}", revision_path(name))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def imported_names(name: str) -> list[str]:
    """The modules the script of revision ``name`` imports (``import x`` and ``from x import y``)."""
    tree = ast.parse(revision_path(name).read_text(encoding="utf-8"))
    return [
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
