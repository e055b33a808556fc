"""Language switching and the Babel-based formatting in kawaoffice.i18n, in Japanese and English."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kawaoffice import i18n
from kawaoffice.i18n import (
    _,
    country_choices,
    country_name,
    fiscal_year,
    fiscal_year_label,
    format_date,
    format_date_range,
    format_datetime,
    format_duration,
    format_japanese_era,
    format_list,
    format_number,
    format_percent,
    format_time,
    format_yen,
    japanese_era,
    kana_sort_key,
    language_name,
    ngettext,
    set_language,
    system_language,
    timezone_choices,
    timezone_label,
)

NNBSP = "\u202f"  # CLDR puts a narrow no-break space before AM/PM in English


@pytest.fixture
def ja() -> Iterator[None]:
    before = i18n.current_language()
    set_language("ja")
    yield
    set_language(before)


@pytest.fixture
def en() -> Iterator[None]:
    before = i18n.current_language()
    set_language("en")
    yield
    set_language(before)


# --- language switching --------------------------------------------------------------------------------------------


def test_set_language_switches_catalog_and_notifies_listeners() -> None:
    before = i18n.current_language()
    seen: list[str] = []
    i18n.on_language_changed(seen.append)
    try:
        assert set_language("ja") == "ja"
        assert i18n.current_language() == "ja"
        assert _("Cancelled") == "取消"
        assert _("Long-term expert") == "長期専門家"
        assert set_language("en") == "en"
        assert _("Cancelled") == "Cancelled"
        assert _("Long-term expert") == "Long-term expert"
        assert seen[-2:] == ["ja", "en"]
    finally:
        i18n._listeners.remove(seen.append)
        set_language(before)


def test_unknown_language_falls_back_to_japanese(ja: None) -> None:
    assert set_language("fr") == "ja"
    assert set_language("JA") == "ja"


def test_unknown_msgid_is_returned_as_is(ja: None) -> None:
    assert _("A sentence nobody marked for translation") == "A sentence nobody marked for translation"
    assert ngettext("{n} item", "{n} items", 2) == "{n} items"


def test_set_language_none_uses_the_system_language(monkeypatch: pytest.MonkeyPatch) -> None:
    before = i18n.current_language()
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    try:
        assert set_language(None) == "en"
    finally:
        set_language(before)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "ja_JP.UTF-8"}, "en"),
        ({"LANGUAGE": "ja:en", "LANG": "en_US.UTF-8"}, "ja"),
        ({"LANGUAGE": "fr:en", "LANG": "ja_JP.UTF-8"}, "ja"),  # first entry unsupported -> next variable
        ({"LC_MESSAGES": "en_US", "LANG": "ja_JP"}, "en"),
    ],
)
def test_system_language_from_environment(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert system_language() == expected


def test_system_language_defaults_to_japanese(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    monkeypatch.setattr(i18n.locale, "getlocale", lambda: ("de_DE", "UTF-8"))
    assert system_language() == "ja"


def test_system_language_from_windows_locale_name(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(i18n.locale, "getlocale", lambda: ("English_United States", "1252"))
    assert system_language() == "en"
    monkeypatch.setattr(i18n.locale, "getlocale", lambda: ("Japanese_Japan", "932"))
    assert system_language() == "ja"


# --- dates and times -----------------------------------------------------------------------------------------------


def test_dates_in_japanese(ja: None) -> None:
    d = date(2026, 5, 12)
    assert format_date(d) == "2026/05/12"
    assert format_date(d, "short") == "2026/05/12"
    assert format_date(d, "long") == "2026年5月12日"
    assert format_date(None) == ""
    assert format_date(datetime(2026, 5, 12, 23, 59)) == "2026/05/12"


def test_dates_in_english(en: None) -> None:
    d = date(2026, 5, 12)
    assert format_date(d) == "May 12, 2026"
    assert format_date(d, "short") == "5/12/26"
    assert format_date(d, "long") == "May 12, 2026"


def test_explicit_language_overrides_current(ja: None) -> None:
    assert format_date(date(2026, 5, 12), language="en") == "May 12, 2026"
    assert country_name("LA", language="en") == "Laos"


def test_aware_datetime_shown_in_tokyo_by_default(ja: None) -> None:
    utc = datetime(2026, 5, 12, 1, 30, tzinfo=UTC)
    assert format_datetime(utc) == "2026/05/12 10:30"
    assert format_datetime(utc, "Asia/Vientiane") == "2026/05/12 8:30"
    assert format_datetime(utc, "Asia/Vientiane", show_offset=True) == "2026/05/12 8:30 (UTC+07:00)"


def test_datetime_crossing_midnight_changes_the_date(ja: None) -> None:
    late = datetime(2026, 5, 12, 16, 0, tzinfo=UTC)  # 01:00 on the 13th in Tokyo
    assert format_datetime(late) == "2026/05/13 1:00"
    assert format_datetime(late, "Europe/London") == "2026/05/12 17:00"


def test_naive_datetime_is_wall_time_in_the_zone(ja: None) -> None:
    naive = datetime(2026, 5, 12, 14, 45)
    assert format_datetime(naive) == "2026/05/12 14:45"
    assert format_datetime(naive, "Asia/Vientiane") == "2026/05/12 14:45"
    assert format_datetime(None) == ""


def test_datetime_in_english(en: None) -> None:
    dt = datetime(2026, 5, 12, 10, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert format_datetime(dt) == f"5/12/26, 10:30{NNBSP}AM"
    assert format_datetime(dt, "Asia/Vientiane", "medium") == f"May 12, 2026, 8:30:00{NNBSP}AM"


def test_times(ja: None) -> None:
    assert format_time(time(9, 5)) == "9:05"
    flight = datetime(2026, 5, 12, 10, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert format_time(flight) == "10:30"
    assert format_time(flight, "Asia/Vientiane") == "8:30"
    assert format_time(time(14, 45), language="en") == f"2:45{NNBSP}PM"
    assert format_time(None) == ""


def test_date_range(ja: None) -> None:
    assert format_date_range(date(2026, 5, 12), date(2026, 5, 20)) == "2026年5月12日～20日"
    assert format_date_range(date(2026, 5, 12), date(2026, 5, 12)) == "2026年5月12日"
    assert (
        format_date_range(date(2026, 5, 12), date(2026, 5, 20), language="en")
        == "May 12\u2009–\u200920, 2026"
    )


def test_durations(ja: None) -> None:
    assert format_duration(timedelta(hours=4, minutes=15)) == "4時間15分"
    assert format_duration(timedelta(hours=6)) == "6時間"
    assert format_duration(timedelta(minutes=45)) == "45分"
    set_language("en")
    assert format_duration(timedelta(hours=4, minutes=15)) == "4 h 15 min"


def test_flight_across_zones_duration_from_aware_datetimes(ja: None) -> None:
    dep = datetime(2026, 5, 12, 10, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    arr = datetime(2026, 5, 12, 14, 45, tzinfo=ZoneInfo("Asia/Vientiane"))
    assert format_duration(arr - dep) == "6時間15分"


# --- numbers and money ---------------------------------------------------------------------------------------------


def test_numbers(ja: None) -> None:
    assert format_number(1234567) == "1,234,567"
    assert format_number(Decimal("3.14159"), 2) == "3.14"
    assert format_number(2.5, 0) == "2"  # Babel rounds half to even
    assert format_number(1234.5, 1, language="en") == "1,234.5"


def test_yen(ja: None) -> None:
    assert format_yen(1234000) == "1,234,000円"
    assert format_yen(0) == "0円"
    assert format_yen(-5000) == "-5,000円"
    assert format_yen(Decimal("1234.4")) == "1,234円"
    set_language("en")
    assert format_yen(1234000) == "¥1,234,000"


def test_percent(en: None) -> None:
    assert format_percent(0.5) == "50%"
    assert format_percent(0.125, 1) == "12.5%"
    assert format_percent(Decimal("0.07")) == "7%"


# --- countries, languages, zones -----------------------------------------------------------------------------------


def test_country_names(ja: None) -> None:
    assert country_name("LA") == "ラオス"
    assert country_name("la") == "ラオス"
    assert country_name("VN") == "ベトナム"
    assert country_name("JP") == "日本"
    assert country_name("") == ""
    assert country_name(None) == ""
    assert country_name("QQ") == "QQ"
    set_language("en")
    assert country_name("LA") == "Laos"
    assert country_name("VN") == "Vietnam"


def test_country_choices_japanese_sorted_by_reading(ja: None) -> None:
    choices = country_choices()
    codes = [c for c, _name in choices]
    names = dict(choices)
    assert names["LA"] == "ラオス"
    assert "EU" not in names and "ZZ" not in names and "001" not in names
    assert len(codes) == len(set(codes)) > 240
    # gojūon order: アイスランド < インドネシア < カンボジア < タイ < ベトナム < ラオス
    order = [codes.index(c) for c in ("IS", "ID", "KH", "TH", "VN", "LA")]
    assert order == sorted(order)
    # kanji names sort by their reading: 韓国 (かんこく) before カンボジア (voicing is secondary); 日本 (にほん) after ニジェール
    assert codes.index("GA") < codes.index("KR") < codes.index("KH") < codes.index("GN")
    assert codes.index("NE") < codes.index("JP") < codes.index("NZ")
    assert codes.index("TW") < codes.index("TZ")  # 台湾 (たいわん) before タンザニア


def test_country_choices_english_alphabetical(en: None) -> None:
    names = [n for _c, n in country_choices()]
    assert names.index("Cambodia") < names.index("Japan") < names.index("Laos") < names.index("Vietnam")
    assert dict(country_choices())["LA"] == "Laos"
    # Åland Islands is placed with the A's, not after Z
    assert names.index("Åland Islands") < names.index("Bahamas")


def test_language_names(ja: None) -> None:
    assert language_name("lo") == "ラオ語"
    assert language_name("vi") == "ベトナム語"
    assert language_name("ja") == "日本語"
    assert language_name("lo", language="en") == "Lao"
    assert language_name("") == ""


def test_timezone_label() -> None:
    assert timezone_label("Asia/Vientiane") == "Asia/Vientiane (UTC+07:00)"
    assert timezone_label("Asia/Tokyo") == "Asia/Tokyo (UTC+09:00)"
    summer = datetime(2026, 7, 1, 12, tzinfo=UTC)
    winter = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert timezone_label("Australia/Brisbane", summer) == "Australia/Brisbane (UTC+10:00)"
    assert timezone_label("Europe/London", summer) == "Europe/London (UTC+01:00)"
    assert timezone_label("Europe/London", winter) == "Europe/London (UTC+00:00)"
    assert timezone_label("America/Sao_Paulo", winter) == "America/Sao_Paulo (UTC-03:00)"


def test_kana_sort_key_folds_width_and_script() -> None:
    assert kana_sort_key("ｶﾜｻｷ")[0] == kana_sort_key("かわさき")[0] == kana_sort_key("カワサキ")[0]
    words = ["ガス", "カメラ", "キャンプ", "きかい", "アート"]
    assert sorted(words, key=kana_sort_key) == ["アート", "ガス", "カメラ", "きかい", "キャンプ"]


def _kana_sort_key_per_character(text: str) -> tuple[str, str]:
    """The first version of kana_sort_key (a character at a time), kept to check the translate-table one."""
    import unicodedata

    small = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
    folded = unicodedata.normalize("NFKC", text).casefold()
    kata = "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in folded)
    base = unicodedata.normalize("NFD", kata)
    primary = "".join(
        c for c in base if c not in "\u3099\u309a\u30fc\u30fb・ -()（）" and not c.isspace()
    ).translate(small)
    return unicodedata.normalize("NFC", primary), kata


_KANA_TEXT = st.text(
    st.one_of(
        st.characters(min_codepoint=0x3000, max_codepoint=0x30FF),  # kana, marks, ideographic space
        st.characters(min_codepoint=0xFF00, max_codepoint=0xFFEF),  # half- and full-width forms
        st.sampled_from(" \t\n\u00a0\u2003\u3000-()（）・ー゛゜ﾞﾟ"),
        st.characters(),
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(_KANA_TEXT)
def test_kana_sort_key_equals_the_per_character_version(text: str) -> None:
    assert kana_sort_key(text) == _kana_sort_key_per_character(text)


def test_kana_sort_key_drops_every_white_space_character() -> None:
    spaces = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
    assert kana_sort_key(f"ア{spaces}イ") == _kana_sort_key_per_character(f"ア{spaces}イ")
    assert kana_sort_key(f"ア{spaces}イ")[0] == "アイ"


# --- Japanese eras and fiscal years ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2026, 5, 12), "令和8年5月12日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1990, 1, 1), "平成2年1月1日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
        (date(2020, 12, 31), "令和2年12月31日"),
    ],
)
def test_japanese_era_dates(d: date, expected: str) -> None:
    assert format_japanese_era(d) == expected


def test_japanese_era_is_the_same_in_either_ui_language(en: None) -> None:
    assert format_japanese_era(date(2026, 5, 12)) == "令和8年5月12日"
    assert format_japanese_era(datetime(2019, 5, 1, 0, 0)) == "令和元年5月1日"


def test_before_showa_falls_back_to_gregorian(ja: None) -> None:
    assert japanese_era(date(1926, 12, 24)) is None
    assert format_japanese_era(date(1926, 12, 24)) == "1926年12月24日"


def test_era_romanized() -> None:
    assert format_japanese_era(date(2026, 5, 12), romanized=True) == "May 12, Reiwa 8"
    assert format_japanese_era(date(2019, 5, 1), romanized=True) == "May 1, Reiwa 1"
    assert format_japanese_era(date(1989, 1, 7), romanized=True) == "January 7, Showa 64"
    found = japanese_era(date(1989, 1, 8))
    assert found is not None and found[0].name_en == "Heisei" and found[1] == 1


def test_fiscal_year_of_a_date() -> None:
    assert fiscal_year(date(2026, 4, 1)) == 2026
    assert fiscal_year(date(2027, 3, 31)) == 2026
    assert fiscal_year(date(2026, 3, 31)) == 2025


def test_fiscal_year_labels(ja: None) -> None:
    assert fiscal_year_label(2026) == "2026年度"
    assert fiscal_year_label(2026, era=True) == "令和8年度"
    assert fiscal_year_label(2019, era=True) == "令和元年度"
    assert fiscal_year_label(2018, era=True) == "平成30年度"
    assert fiscal_year_label(1989, era=True) == "平成元年度"
    assert fiscal_year_label(1988, era=True) == "昭和63年度"
    set_language("en")
    assert fiscal_year_label(2026) == "FY2026"
    assert fiscal_year_label(2026, era=True) == "FY2026 (Reiwa 8)"
    assert fiscal_year_label(2026, language="ja") == "2026年度"


def test_catalog_is_recompiled_when_the_po_is_newer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A source checkout compiles messages.po at start; an edited .po is picked up without a stale cached copy."""
    before = i18n.current_language()
    lc = tmp_path / "ja" / "LC_MESSAGES"
    lc.mkdir(parents=True)
    po = lc / "messages.po"

    def write_po(text: str) -> None:
        po.write_text(
            'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            f'msgid "Save"\nmsgstr "{text}"\n',
            encoding="utf-8",
        )

    monkeypatch.setattr(i18n, "translations_dir", lambda: tmp_path)
    try:
        write_po("保存")
        set_language("ja")
        assert _("Save") == "保存"
        assert (lc / "messages.mo").exists()
        write_po("保存する")
        mo_time = (lc / "messages.mo").stat().st_mtime
        os.utime(po, (mo_time + 10, mo_time + 10))
        set_language("ja")
        assert _("Save") == "保存する"
        assert not list(lc.glob("*.tmp"))
    finally:
        monkeypatch.undo()
        set_language(before)


def test_damaged_compiled_catalog_falls_back_to_english(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    before = i18n.current_language()
    lc = tmp_path / "ja" / "LC_MESSAGES"
    lc.mkdir(parents=True)
    (lc / "messages.mo").write_bytes(b"not a catalog")
    monkeypatch.setattr(i18n, "translations_dir", lambda: tmp_path)
    try:
        assert set_language("ja") == "ja"
        assert _("Cancelled") == "Cancelled"
    finally:
        monkeypatch.undo()
        set_language(before)


def test_timezone_choices_ordered_by_offset() -> None:
    winter = datetime(2026, 1, 15, tzinfo=UTC)
    choices = timezone_choices(["Asia/Vientiane", "Asia/Tokyo", "Europe/London", "Asia/Jakarta"], winter)
    assert choices == [
        ("Europe/London", "Europe/London (UTC+00:00)"),
        ("Asia/Jakarta", "Asia/Jakarta (UTC+07:00)"),
        ("Asia/Vientiane", "Asia/Vientiane (UTC+07:00)"),
        ("Asia/Tokyo", "Asia/Tokyo (UTC+09:00)"),
    ]
    every = dict(timezone_choices(at=winter))
    assert "Asia/Vientiane" in every and "Asia/Tokyo" in every
    assert not any(z.startswith("Etc/") for z in every)


def test_c_locale_means_japanese_first(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert i18n.system_language() == "ja"
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert i18n.system_language() == "en"


def test_format_list(ja: None) -> None:
    assert format_list(["長沢浄水場", "入江崎水処理センター"]) == "長沢浄水場、入江崎水処理センター"
    assert format_list(["A", "", "B", "C"], language="en") == "A, B, C"
    assert format_list([]) == ""
    assert format_list(["only"]) == "only"
