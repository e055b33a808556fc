"""Display formatting for table cells: localized names, dates, country names, enum labels.

Uses the formatting functions of :mod:`kawaoffice.i18n` (Babel) where they exist and falls back to Babel directly,
so the tables never format by hand.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any

from babel import Locale
from babel import dates as babel_dates

from kawaoffice import i18n
from kawaoffice.i18n import _, current_language


def country_name(code: str | None) -> str:
    """The country's name in the current language (ja: ``LA`` -> ラオス, en: Laos)."""
    fn = getattr(i18n, "country_name", None)
    if fn is not None:
        return str(fn(code))
    if not code:
        return ""
    return str(Locale.parse(current_language()).territories.get(code.upper(), code))


def format_date(d: date | None) -> str:
    """A date in the current language (ja ``2026/05/12``, en ``May 12, 2026``); ``None`` gives ``""``."""
    fn = getattr(i18n, "format_date", None)
    if fn is not None:
        return str(fn(d))
    if d is None:
        return ""
    return str(babel_dates.format_date(d, format="medium", locale=Locale.parse(current_language())))


def localized(ja: str | None, en: str | None) -> str:
    """The Japanese text when the UI is Japanese, else the English one (falling back to the Japanese)."""
    if current_language() == "ja":
        return ja or en or ""
    return en or ja or ""


def label(labels: Mapping[Any, str], value: Any) -> str:
    """The translated label of an enum value from one of the model's ``*_LABELS`` dicts."""
    if value is None:
        return ""
    msgid = labels.get(value)
    return _(msgid) if msgid else str(value)


def join_list(items: tuple[str, ...] | list[str]) -> str:
    """Items of a list cell: ``、`` between Japanese items, ``, `` in English."""
    return ("、" if current_language() == "ja" else ", ").join(items)


def sort_text(text: str) -> tuple[str, str]:
    """A sort key for names: Japanese dictionary order on readings, case-insensitive otherwise."""
    fn = getattr(i18n, "kana_sort_key", None)
    if fn is not None:
        key = fn(text)
        return (str(key[0]), str(key[1]))
    folded = unicodedata.normalize("NFKC", text).casefold()
    return folded, text


def format_number(n: int) -> str:
    """An integer with the current language's grouping (``12,345``)."""
    fn = getattr(i18n, "format_number", None)
    if fn is not None:
        return str(fn(n))
    from babel.numbers import format_decimal

    return str(format_decimal(n, locale=Locale.parse(current_language())))
