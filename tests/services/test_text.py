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


# --- the quick fold gives exactly the key of the folding as first written ---------------------------------------------


def _reference_fold(text: str) -> str:
    """fold() as first written: jaconv's kata2hira and rounds until nothing changes."""
    from kawaoffice.services.text import _fold_once

    if text.isascii():
        return " ".join(text.lower().split())
    result = _fold_once(text)
    for _round in range(4):
        again = _fold_once(result)
        if again == result:
            break
        result = again
    return result


# what names, readings and addresses are made of, and the characters where folding is subtle: half-width kana and
# sound marks (also combining ones), the iteration marks ヽヾ, full-width letters, ß/ﬁ/İ/ς (casefold), circled
# katakana and ㌔ (NFKC), all kinds of white space
_TRICKY = (
    "アイウヴヵヶヷヸヹヺヽヾーｰ・ｶﾞｷﾟﾊﾟｳﾞﾞﾟ\u3099\u309a゛゜かがゝゞ川崎市水道"
    "ＡＢＣａｂ１２３ßẞﬁİıΣσςÅÅé\u0301ǅ㋐㌔㍻①Ⅻ\u3000 \t\n\u00a0\u2028\u200b_-.@+0aZ"
)
japanese_like = st.text(alphabet=st.sampled_from(_TRICKY), max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.one_of(japanese_like, st.text(), st.lists(japanese_like).map(" ".join)))
def test_the_quick_fold_gives_the_reference_key(text: str) -> None:
    assert fold(text) == _reference_fold(text)


def test_the_quick_fold_of_every_character_and_its_neighbours() -> None:
    """Every code point alone and next to kana and sound marks (where NFKC composes): the reference key."""
    for cp in range(0x3000, 0x3100):  # the kana blocks and the CJK symbols completely, with neighbours
        ch = chr(cp)
        for text in (ch, "ア" + ch, ch + "ﾞ", "ｶ" + ch, ch + "\u3099", ch + " ー"):
            assert fold(text) == _reference_fold(text), hex(cp)
    for cp in (*range(0x80, 0x3000, 7), *range(0x3100, 0x10000, 13), *range(0x10000, 0x30000, 101)):
        if not 0xD800 <= cp < 0xE000:
            assert fold(chr(cp)) == _reference_fold(chr(cp)), hex(cp)


def test_kana_runs_and_the_second_round() -> None:
    assert (
        fold("取込テスト水道00012株式会社 トリコミテストスイドウ")
        == "取込てすと水道00012株式会社 とりこみてすとすいどう"
    )
    assert fold("ヽヾヴヵヶ ーｰ・") == "ゝゞゔゕゖ ーー・"
    assert fold("ﬁ ß İ") == _reference_fold("ﬁ ß İ") == "fi ss i̇"


_parts = st.one_of(
    st.none(),
    japanese_like,
    st.text(max_size=12),
    st.sampled_from(["", " ", "\u3000", "¨", "\u0308", "ﾞ", "゛", "a"]),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_parts, max_size=9))
def test_fold_all_part_by_part_is_the_key_of_the_joined_text(parts: list[str | None]) -> None:
    assert (
        fold_all(*parts)
        == fold(" ".join(p for p in parts if p))
        == _reference_fold(" ".join(p for p in parts if p))
    )


def test_fold_all_where_parts_meet() -> None:
    # a part that folds to nothing, marks at the start of a part, half-width sound marks after a space
    for parts in (
        ["ｶ", "ﾞ"],
        ["カ", "\u3099"],
        ["a", "¨"],
        ["  ", "ｶﾞｽ"],
        ["\u3000", ""],
        ["Å", "\u030a"],
        ["가", "\u11a8"],
    ):
        assert fold_all(*parts) == _reference_fold(" ".join(parts)), parts
