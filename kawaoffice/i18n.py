"""Translations and locale-aware formatting.

Every user-visible string goes through ``_`` (or ``N_`` where it must be marked at import time and translated later,
``ngettext`` for plurals). Dates, numbers and country names are formatted here with Babel, never by hand.
"""

from __future__ import annotations

import gettext as _gettext
import locale
import os
from collections.abc import Callable

from kawaoffice.paths import translations_dir

DOMAIN = "messages"
SUPPORTED_LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "ja"

_translations: _gettext.NullTranslations = _gettext.NullTranslations()
_language: str = DEFAULT_LANGUAGE
_listeners: list[Callable[[str], None]] = []


def system_language() -> str:
    """The language of the user's system, if KawaOffice has it, else Japanese."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            code = value.split(":")[0].split(".")[0].split("_")[0].lower()
            if code in SUPPORTED_LANGUAGES:
                return code
    try:
        loc = locale.getlocale()[0] or ""
    except ValueError:
        loc = ""
    code = loc.split("_")[0].lower()
    if code.startswith("japanese"):
        return "ja"
    if code.startswith("english"):
        return "en"
    return code if code in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


def set_language(language: str | None) -> str:
    """Load the catalog for ``language`` (``None`` = the system's) and make it current. Returns the code used."""
    global _translations, _language
    code = (language or system_language()).lower()
    if code not in SUPPORTED_LANGUAGES:
        code = DEFAULT_LANGUAGE
    _compile_if_needed(code)
    _translations = _gettext.translation(
        DOMAIN, localedir=str(translations_dir()), languages=[code], fallback=True
    )
    _language = code
    for listener in list(_listeners):
        listener(code)
    return code


def _compile_if_needed(code: str) -> None:
    """Compile ``messages.po`` to ``messages.mo`` when the binary catalog is missing or older (source checkouts)."""
    lc = translations_dir() / code / "LC_MESSAGES"
    po, mo = lc / f"{DOMAIN}.po", lc / f"{DOMAIN}.mo"
    if not po.exists():
        return
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return
    try:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po.open("rb") as f:
            catalog = read_po(f, locale=code)
        with mo.open("wb") as f:
            write_mo(f, catalog)
    except OSError:
        pass  # read-only install: gettext falls back to the untranslated strings


def current_language() -> str:
    return _language


def on_language_changed(listener: Callable[[str], None]) -> None:
    _listeners.append(listener)


def _(message: str) -> str:
    return _translations.gettext(message)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _translations.pgettext(context, message)
