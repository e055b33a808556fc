"""Text folding for search as you type: width, kana and case do not matter.

``fold("ｶﾜｻｷ") == fold("カワサキ") == fold("かわさき")``; full-width digits and letters become ASCII, the
ideographic space (U+3000) and runs of white space become one ASCII space.
"""

from __future__ import annotations

import unicodedata

import jaconv

_MAX_ROUNDS = 4


def _fold_once(text: str) -> str:
    # NFKC: half-width kana -> full-width (ｶﾞ -> ガ), full-width ASCII -> ASCII, U+3000 -> space.
    text = unicodedata.normalize("NFKC", text)
    text = jaconv.kata2hira(text)
    text = text.casefold()
    text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split())


def fold(text: str) -> str:
    """The search key of ``text``. Idempotent: ``fold(fold(x)) == fold(x)``."""
    if (
        text.isascii()
    ):  # NFKC and kana do not change ASCII, and casefold() is lower() there: same key, 10x faster
        return " ".join(text.lower().split())
    result = _fold_once(text)
    for _round in range(_MAX_ROUNDS):
        again = _fold_once(result)
        if again == result:
            break
        result = again
    return result


def fold_all(*parts: str | None) -> str:
    """One search key for several fields (names, readings, e-mail...), empty parts skipped."""
    return fold(" ".join(p for p in parts if p))


def matches(query: str, search_text: str) -> bool:
    """Whether every word of the folded ``query`` occurs in ``search_text`` (already folded)."""
    return all(word in search_text for word in fold(query).split())
