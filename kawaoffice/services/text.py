"""Text folding for search as you type: width, kana and case do not matter.

``fold("ｶﾜｻｷ") == fold("カワサキ") == fold("かわさき")``; full-width digits and letters become ASCII, the
ideographic space (U+3000) and runs of white space become one ASCII space.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jaconv
from jaconv.conv_table import K2H_TABLE

_MAX_ROUNDS = 4

# jaconv.kata2hira's table without the characters it maps to themselves (ー, ・, 「 ...), as code points: every
# katakana it changes moves down by 0x60 (ア -> あ, ヽ -> ゝ). Used on the katakana runs only: ``str.translate``
# looks every character of its text up in the table, most of a name's characters are not katakana.
_KATA_TO_HIRA = {k: ord(v) for k, v in K2H_TABLE.items() if chr(k) != v}
_KATAKANA_RUN = re.compile("[" + "".join(sorted(map(chr, _KATA_TO_HIRA))) + "]+")


def _hiragana(match: re.Match[str]) -> str:
    return match.group().translate(_KATA_TO_HIRA)


def _fold_once(text: str) -> str:
    """One round of the folding as first written (the reference the quick version is tested against)."""
    # NFKC: half-width kana -> full-width (ｶﾞ -> ガ), full-width ASCII -> ASCII, U+3000 -> space.
    text = unicodedata.normalize("NFKC", text)
    text = jaconv.kata2hira(text)
    text = text.casefold()
    text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split())


def _fold_round(text: str) -> str:
    """``_fold_once(text)``: the same steps, the katakana found by a regular expression and translated run by run
    (jaconv translates every character through its table: half of the time of a search key)."""
    text = unicodedata.normalize("NFKC", text)
    text = _KATAKANA_RUN.sub(_hiragana, text)
    text = text.casefold()
    text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split())


def _is_folded(text: str) -> bool:
    """Whether a round of folding leaves ``text``, the result of a round, as it is: it is NFKC, has no katakana
    that kata2hira changes and is its own casefold (then every step of a round is the identity: its words are
    already joined by single spaces; checked, so a second round is needed only for the rare text that one round
    does not fold completely)."""
    return (
        unicodedata.is_normalized("NFKC", text)
        and _KATAKANA_RUN.search(text) is None
        and text.casefold() == text
    )


def fold(text: str) -> str:
    """The search key of ``text``. Idempotent: ``fold(fold(x)) == fold(x)``."""
    if (
        text.isascii()
    ):  # NFKC and kana do not change ASCII, and casefold() is lower() there: same key, 10x faster
        return " ".join(text.lower().split())
    result = _fold_round(text)
    if _is_folded(result):  # what the loop below finds in its first round, without that round
        return result
    for _round in range(_MAX_ROUNDS):
        again = _fold_round(result)
        if again == result:
            break
        result = again
    return result


def fold_all(*parts: str | None) -> str:
    """One search key for several fields (names, readings, e-mail...), empty parts skipped.

    ``fold(" ".join(parts))``, made part by part: folding works character by character but for NFKC's
    composition, which never joins a character to a space (nor a space to the next), so the key of the joined text
    is the keys of its parts joined by spaces (tested against the whole text); the ASCII parts (e-mail, phone,
    English names) take fold's shortcut instead of going through NFKC and kana with the Japanese ones, which are
    folded together where they follow each other."""
    folded: list[str] = []
    run: list[str] = []  # consecutive parts that are not ASCII: folded together
    for part in parts:
        if not part:
            continue
        if part.isascii():
            if run:
                folded.append(fold(" ".join(run)))
                run = []
            folded.append(" ".join(part.lower().split()))  # fold's ASCII shortcut
        else:
            run.append(part)
    if run:
        folded.append(fold(" ".join(run)))
    return " ".join(f for f in folded if f)


def matches(query: str, search_text: str) -> bool:
    """Whether every word of the folded ``query`` occurs in ``search_text`` (already folded)."""
    return all(word in search_text for word in fold(query).split())


# the corporate words a duplicate check ignores, folded
CORPORATE_WORDS = (
    "株式会社",
    "(株)",
    "有限会社",
    "(有)",
    "co., ltd.",
    "co.,ltd.",
    "inc.",
    "corporation",
    "ltd.",
)
_ASCII_CORPORATE = tuple(word for word in CORPORATE_WORDS if word.isascii())
# what ``ch.isalnum()`` keeps: a regular expression's Unicode word characters are the alphanumeric ones and "_"
_NOT_ALNUM = re.compile(r"[\W_]+")


@lru_cache(maxsize=65536)
def duplicate_key(name: str | None) -> str:
    """A name as duplicate checks compare it (the directory's dialogs and the import): folded, corporate words and
    all but letters and digits removed (so never a space). The characters dropped by one regular expression
    instead of a test per character, and quicker for an ASCII name (most English names): folding ASCII text is
    lower-casing it and joining its words with single spaces. Tested against the plain definition (fold, remove
    the words, keep ``str.isalnum`` characters).

    Remembered (a pure function of the text): an import's preview and its write ask for the same names."""
    if not name:
        return ""
    if name.isascii():
        text = " ".join(name.lower().split())
        corporate = _ASCII_CORPORATE
    else:
        text = fold(name)
        corporate = CORPORATE_WORDS
    for word in corporate:
        if word in text:
            text = text.replace(word, "")
    return _NOT_ALNUM.sub("", text)


def organization_name_keys(name_ja: str | None, name_en: str | None) -> str:
    """What an organization's ``name_keys`` column stores: the duplicate keys of its Japanese and English names,
    joined by a space (a key never holds one)."""
    return duplicate_key(name_ja) + " " + duplicate_key(name_en)


def name_keys_of(stored: str | None, name_ja: str | None, name_en: str | None) -> tuple[str, str]:
    """The duplicate keys of an organization's Japanese and English names: its stored ``name_keys`` (kept by the
    partner services), or worked out for a row written around them (NULL)."""
    if stored is not None:
        return split_name_keys(stored)
    return duplicate_key(name_ja), duplicate_key(name_en)


def split_name_keys(stored: str) -> tuple[str, str]:
    """The two keys of a stored ``name_keys`` text (``organization_name_keys``)."""
    ja, _space, en = stored.partition(" ")
    return ja, en
