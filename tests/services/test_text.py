from __future__ import annotations

import jaconv
from hypothesis import given, settings
from hypothesis import strategies as st

from kawaoffice.services.text import fold, fold_all, matches


def test_the_three_kana_forms_fold_the_same() -> None:
    assert fold("ｶﾜｻｷ") == fold("カワサキ") == fold("かわさき") == "かわさき"
    assert fold("ｶﾞｽ") == fold("ガス") == "がす"


def test_width_case_digits_and_spaces() -> None:
    assert fold("ＡＢＣ　１２３") == "abc 123"
    assert fold("  Kawasaki\u3000 City\t") == "kawasaki city"
    assert fold("Straße") == fold("STRASSE")
    assert fold_all("川崎市", "", "カワサキシ", None) == "川崎市 かわさきし"
    assert matches("ｶﾜｻｷ 上下水道", fold("川崎市上下水道局 カワサキシ"))
    assert not matches("横浜", fold("川崎市"))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


katakana = st.text(alphabet=st.characters(min_codepoint=0x30A1, max_codepoint=0x30F3), min_size=1)


@settings(max_examples=200, deadline=None)
@given(katakana)
def test_katakana_half_width_and_hiragana_fold_the_same(word: str) -> None:
    half = jaconv.z2h(word, kana=True, ascii=False, digit=False)
    hira = jaconv.kata2hira(word)
    assert fold(word) == fold(half) == fold(hira)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=10**12))
def test_full_width_digits_are_ascii(n: int) -> None:
    wide = "".join(chr(ord(d) - ord("0") + 0xFF10) for d in str(n))
    assert fold(wide) == str(n)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_the_ascii_shortcut_gives_the_full_folding(text: str) -> None:
    from kawaoffice.services.text import _fold_once

    full = _fold_once(text)
    assert _fold_once(full) == full  # ASCII is folded in one round
    assert fold(text) == full
