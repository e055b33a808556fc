"""Revision 0003 fills the organizations' sort keys with its own copy of the key function: the same keys as the
model's today, and no import of the model (a later change of the model must not change what the revision does)."""

from __future__ import annotations

from types import ModuleType

from hypothesis import given, settings
from hypothesis import strategies as st

from kawaoffice.model.partners import organization_sort_key
from tests.storage.revision_files import imported_names, revision_module


def _revision() -> ModuleType:
    return revision_module("0003_partners_sort_keys")


def test_the_revision_does_not_import_the_app() -> None:
    imported = imported_names("0003_partners_sort_keys")
    assert imported and not [name for name in imported if name.startswith("kawaoffice")]


_NAMES = st.text(alphabet="あがぁアガァｶﾞｰ・（）() 　ABcé川崎水道株式会社-ヴゔ123", max_size=12)


@settings(max_examples=200, deadline=None)
@given(kana=_NAMES, ja=_NAMES, en=_NAMES)
def test_the_revisions_keys_are_the_models_of_today(kana: str, ja: str, en: str) -> None:
    revision = _revision()
    for language in ("ja", "en"):
        assert revision.organization_sort_key(language, kana, ja, en) == organization_sort_key(
            language, kana, ja, en
        )
