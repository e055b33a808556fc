"""ui.widgets.format.country_choices: the country box's items, worked out once per language."""

from __future__ import annotations

from kawaoffice import i18n
from kawaoffice.ui.widgets.format import country_choices


def test_country_choices_follow_the_language_and_match_i18n() -> None:
    before = i18n.current_language()
    try:
        i18n.set_language("ja")
        japanese = country_choices()
        assert japanese == tuple(i18n.country_choices(language="ja"))
        assert country_choices() is japanese  # kept: sorting 250 names by reading is not redone
        assert dict(japanese)["LA"] == "ラオス"
        i18n.set_language("en")
        english = country_choices()
        assert english == tuple(i18n.country_choices(language="en"))
        assert dict(english)["LA"] == "Laos"
        assert [code for code, _name in english] != [
            code for code, _name in japanese
        ]  # each language's order
        i18n.set_language("ja")
        assert country_choices() is japanese
    finally:
        i18n.set_language(before)
