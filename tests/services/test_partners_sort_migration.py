"""Revision 0003 fills the organizations' sort keys with its own copy of the key function: the same keys as the
model's today, and no import of the model (a later change of the model must not change what the revision does)."""

from __future__ import annotations

import ast
import functools
import importlib.util
from pathlib import Path
from types import ModuleType

from hypothesis import given, settings
from hypothesis import strategies as st

import kawaoffice.storage.migrations.versions as versions
from kawaoffice.model.partners import organization_sort_key

_PATH = Path(versions.__path__[0]) / "0003_partners_sort_keys.py"


@functools.cache
def _revision() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rev_0003_partners_sort_keys", _PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_revision_does_not_import_the_app() -> None:
    tree = ast.parse(_PATH.read_text(encoding="utf-8"))
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert imported and not [name for name in imported if name and name.startswith("kawaoffice")]


_NAMES = st.text(alphabet="あがぁアガァｶﾞｰ・（）() 　ABcé川崎水道株式会社-ヴゔ123", max_size=12)


@settings(max_examples=200, deadline=None)
@given(kana=_NAMES, ja=_NAMES, en=_NAMES)
def test_the_revisions_keys_are_the_models_of_today(kana: str, ja: str, en: str) -> None:
    revision = _revision()
    for language in ("ja", "en"):
        assert revision.organization_sort_key(language, kana, ja, en) == organization_sort_key(
            language, kana, ja, en
        )
