"""Display formatting for table cells: localized names, dates, country names, enum labels, list cells.

Dates, numbers and country names come from :mod:`kawaoffice.i18n` (Babel); nothing is formatted by hand here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from kawaoffice import i18n
from kawaoffice.i18n import _, current_language


def country_name(code: str | None) -> str:
    """The country's name in the current language (ja: ``LA`` -> ラオス, en: Laos)."""
    return i18n.country_name(code)


def country_choices() -> tuple[tuple[str, str], ...]:
    """``(code, name)`` of every country for a combo box in the current language (Japanese: by reading)."""
    return i18n.country_choices()


def format_date(d: date | None) -> str:
    """A date in the current language (ja ``2026/05/12``, en ``May 12, 2026``); ``None`` gives ``""``."""
    return i18n.format_date(d)


def format_number(n: int) -> str:
    """An integer with the current language's grouping (``12,345``)."""
    return i18n.format_number(n)


def localized(ja: str | None, en: str | None) -> str:
    """The Japanese text when the UI is Japanese, else the English one (falling back to the Japanese)."""
    if current_language() == "ja":
        return ja or en or ""
    return en or ja or ""


def localized_list(ja: tuple[str, ...], en: tuple[str, ...]) -> tuple[str, ...]:
    """Like ``localized`` for a list cell: the English names in English where the service gave them."""
    if current_language() == "ja" or not en:
        return ja
    return en


def label(labels: Mapping[Any, str], value: Any) -> str:
    """The translated label of an enum value from one of the model's ``*_LABELS`` dicts."""
    if value is None:
        return ""
    msgid = labels.get(value)
    return _(msgid) if msgid else str(value)


def join_list(items: tuple[str, ...] | list[str]) -> str:
    """Items of a list cell: ``、`` between items in Japanese, ``, `` in English (CLDR list patterns)."""
    return i18n.format_list(items)


def sort_text(text: str) -> tuple[str, str]:
    """A sort key for names: Japanese dictionary (gojūon) order on readings, case- and width-insensitive."""
    return i18n.kana_sort_key(text)
