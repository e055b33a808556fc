"""The import's quicker helpers give what the general ones give."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kawaoffice.services import partner_import as pi
from kawaoffice.services.partner_search import normalized_name


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=30),
        st.lists(
            st.sampled_from(
                ["Co., Ltd.", "co.,ltd.", "INC.", "Corporation", "Ltd.", "Kawasaki", " ", "\\t", "-"]
            ),
            max_size=6,
        ).map("".join),
        st.text(alphabet="Aaｱア株式会社 　(有)ＡＢ1１", max_size=12),
    )
)
def test_normalized_name_same_as_the_directorys(name: str) -> None:
    assert pi._normalized_name(name) == normalized_name(name)


def test_normalized_name_examples() -> None:
    assert (
        pi._normalized_name("Aqua Giken Co., Ltd.") == "aquagiken" == normalized_name("Aqua Giken Co., Ltd.")
    )
    assert pi._normalized_name("アクア技研株式会社") == normalized_name("アクア技研株式会社")
    assert pi._normalized_name(None) == "" and pi._normalized_name("") == ""


def test_processed_values_once_per_distinct_value_of_one_type() -> None:
    calls: list[object] = []

    def proc(value: object) -> object:
        calls.append(value)
        return f"<{value!r}>"

    assert pi._processed(proc, ["a", "b", "a", "a"]) == ["<'a'>", "<'b'>", "<'a'>", "<'a'>"]
    assert sorted(calls) == ["a", "b"]
    calls.clear()
    # values of several types (1 == True) are each processed as they are
    assert pi._processed(proc, [1, True, 1]) == ["<1>", "<True>", "<1>"]
    assert len(calls) == 3
    calls.clear()
    # unhashable values (JSON) too
    assert pi._processed(proc, [{"a": 1}, {"a": 1}]) == ["<{'a': 1}>", "<{'a': 1}>"]
    assert len(calls) == 2
