"""kawaoffice.locale_data is Babel's data for Japanese and English, and i18n answers from it as Babel would."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from babel import Locale, lists, numbers
from hypothesis import given, settings
from hypothesis import strategies as st

from kawaoffice import i18n, locale_data


def test_the_tables_are_the_installed_babels() -> None:
    generated = locale_data.generate()
    assert generated["TERRITORIES"] == locale_data.TERRITORIES, "run: python -m kawaoffice.locale_data"
    assert generated["LIST_PATTERNS"] == locale_data.LIST_PATTERNS, "run: python -m kawaoffice.locale_data"
    assert generated["NUMBER_SYMBOLS"] == locale_data.NUMBER_SYMBOLS, "run: python -m kawaoffice.locale_data"
    for code in locale_data.LANGUAGES:  # the int fast path groups by three, as the decimal pattern does
        pattern = Locale.parse(code).decimal_formats[None]
        assert pattern.grouping == (3, 3)


@pytest.mark.parametrize("language", locale_data.LANGUAGES)
def test_country_names_are_babels(language: str) -> None:
    territories = Locale.parse(language).territories
    for code in [*territories, "la", "XX", "Q1"]:
        expected = str(territories.get(code.upper(), code))
        assert i18n.country_name(code, language=language) == expected


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(locale_data.LANGUAGES),
    st.one_of(
        st.integers(-(10**18), 10**18), st.integers(-(10**7), 10**7), st.integers(-999, 999)
    ),  # (Babel: < 28 digits)
)
def test_integers_are_grouped_as_babel_groups_them(language: str, value: int) -> None:
    assert i18n.format_number(value, language=language) == numbers.format_decimal(value, locale=language)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(locale_data.LANGUAGES),
    st.lists(st.text(alphabet="abcあいう{}、, ", min_size=1, max_size=4), max_size=6),
)
def test_lists_are_joined_as_babel_joins_them(language: str, items: list[str]) -> None:
    expected = lists.format_list(items, style="standard-narrow", locale=language) if items else ""  # type: ignore[arg-type]
    assert i18n.format_list(items, language=language) == expected


def test_other_languages_still_ask_babel() -> None:
    assert i18n.country_name("LA", language="fr") == "Laos"
    assert i18n.format_number(1234567, language="de") == "1.234.567"
    assert i18n.format_list(["a", "b", "c"], language="de") == lists.format_list(
        ["a", "b", "c"], style="standard-narrow", locale="de"
    )  # type: ignore[arg-type]


def test_the_white_space_list_is_pythons() -> None:
    assert set(i18n.WHITE_SPACE) == {c for c in range(0x110000) if chr(c).isspace()}


def test_importing_i18n_and_showing_the_preview_texts_loads_no_babel() -> None:
    code = (
        "import json, sys\n"
        "from kawaoffice import i18n\n"
        "i18n.set_language('ja')\n"
        "texts = [i18n.country_name('LA'), i18n.format_number(10028), i18n.format_list(['a', 'b'])]\n"
        "print(json.dumps([texts, sorted(m for m in sys.modules if m.split('.')[0] == 'babel')]))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "KAWAOFFICE_LANGUAGE"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    texts, babel_modules = json.loads(out.stdout)
    assert texts == ["ラオス", "10,028", "a、b"]
    assert babel_modules == []


def test_load_babel_loads_the_languages_data() -> None:
    """What start-up's loading thread calls, so that the real window's first dates cost no locale-data load."""
    code = (
        "import json, sys\n"
        "from kawaoffice import i18n\n"
        "i18n.set_language('ja')\n"
        "before = 'babel' in sys.modules\n"
        "i18n.load_babel()\n"
        "from babel import localedata\n"
        "print(json.dumps([before, sorted(k for k in localedata._cache if k in ('ja', 'en', 'root'))]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [False, ["ja", "root"]]
