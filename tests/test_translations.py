"""The Japanese catalog covers every user-visible string in the code, with the same placeholders.

Runs Babel's extraction over ``kawaoffice/`` in memory (the same code as ``translations/catalog.py``), so a string
added without a Japanese translation fails here. Fix it with:

    .venv/bin/python translations/catalog.py extract && .venv/bin/python translations/catalog.py update
    # translate the new entries in translations/ja/LC_MESSAGES/messages.po, then:
    .venv/bin/python translations/catalog.py check
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def _load_tool() -> ModuleType:
    path = ROOT / "translations" / "catalog.py"
    spec = importlib.util.spec_from_file_location("kawaoffice_catalog_tool", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


@pytest.fixture(scope="module")
def template() -> Catalog:
    catalog: Catalog = tool.extract_catalog()
    return catalog


def _read(language: str) -> Catalog:
    with (ROOT / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog: Catalog = read_po(f, locale=language)
    return catalog


def test_extraction_finds_the_marked_strings(template: Catalog) -> None:
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    assert len(ids) > 100
    # N_() at module level (model labels) and _() at call time (i18n helpers) are both extracted
    assert "Long-term expert" in ids
    assert "{hours} h {minutes} min" in ids


def test_every_msgid_has_a_japanese_translation(template: Catalog) -> None:
    ja = _read("ja")
    missing = [line for line in tool.problems(template, ja) if not line.startswith("placeholders differ")]
    assert not missing, (
        f"{len(missing)} message(s) lack a non-fuzzy Japanese translation in "
        "translations/ja/LC_MESSAGES/messages.po (run translations/catalog.py extract + update, then translate):\n"
        + "\n".join(missing)
    )


def test_placeholders_match_in_japanese(template: Catalog) -> None:
    ja = _read("ja")
    wrong = [line for line in tool.problems(template, ja) if line.startswith("placeholders differ")]
    assert not wrong, "\n".join(wrong)


def test_english_catalog_is_present_and_well_formed() -> None:
    en = _read("en")
    assert str(en.locale) == "en"
    assert len([m for m in en if m.id]) > 0
    for m in en:
        if m.id and any(m.string if isinstance(m.string, tuple) else [m.string]):
            strings = list(m.string) if isinstance(m.string, tuple) else [m.string]
            ids = list(m.id) if isinstance(m.id, tuple) else [m.id]
            expected = set().union(*(tool.placeholders(i) for i in ids))
            for s in strings:
                assert tool.placeholders(s) == expected, m.id


def test_japanese_catalog_has_japanese_plural_forms() -> None:
    ja = _read("ja")
    assert ja.num_plurals == 1
    for m in ja:
        if m.id and isinstance(m.id, tuple | list):
            assert isinstance(m.string, tuple) and len(m.string) == 1 and m.string[0], m.id


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Staff {name} is away", {"name"}),
        ("{count:,} rows in {table}", {"count", "table"}),
        ("Braces {{literal}} only", set()),
        ("{0} and {1}", {"0", "1"}),
        ("Broken {name", {"<malformed braces>"}),
    ],
)
def test_placeholder_parser(text: str, names: set[str]) -> None:
    assert tool.placeholders(text) == names


def test_problems_reports_untranslated_fuzzy_and_placeholders() -> None:
    template = Catalog(locale=None)
    for msgid in ("Save", "Open", "Staff {name} is away", "Delete"):
        template.add(msgid, locations=[("kawaoffice/x.py", 1)])
    ja = Catalog(locale="ja")
    ja.add("Save", "保存")
    ja.add("Open", "開く", flags=["fuzzy"])
    ja.add("Staff {name} is away", "職員 {氏名} は不在です")
    found = tool.problems(template, ja)
    assert any(line.startswith("fuzzy:") and "'Open'" in line for line in found)
    assert any(line.startswith("untranslated:") and "'Delete'" in line for line in found)
    assert any(line.startswith("placeholders differ:") and "name" in line for line in found)
    assert not any("'Save'" in line for line in found)


def test_compiled_catalog_translates_at_run_time() -> None:
    from kawaoffice import i18n

    before = i18n.current_language()
    try:
        i18n.set_language("ja")
        assert i18n._("Kawa Biz Net member company") == "かわBizネット会員企業"
    finally:
        i18n.set_language(before)


_MARKERS = {"_": 1, "N_": 1, "ngettext": 2, "pgettext": 2}


def _bad_marker_calls(source: str, filename: str) -> list[str]:
    """``_()`` calls whose message Babel cannot extract: f-strings, concatenation, or ``.format`` inside the call."""
    import ast

    bad: list[str] = []
    for node in ast.walk(ast.parse(source, filename)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _MARKERS):
            continue
        for arg in node.args[: _MARKERS[node.func.id]]:
            wrong = isinstance(arg, ast.JoinedStr | ast.BinOp) or (
                isinstance(arg, ast.Call)
                and isinstance(arg.func, ast.Attribute)
                and arg.func.attr == "format"
                and isinstance(arg.func.value, ast.Constant)
            )
            if wrong:
                bad.append(f"{filename}:{node.lineno}: {node.func.id}({ast.unparse(arg)[:70]})")
    return bad


def test_marked_strings_are_literals() -> None:
    """``_(f"...")`` or ``_("a" + b)`` is never extracted, so it would silently stay English in the Japanese UI."""
    bad: list[str] = []
    for path in sorted((ROOT / "kawaoffice").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        bad.extend(_bad_marker_calls(path.read_text(encoding="utf-8"), rel))
    assert not bad, "use a literal msgid with named placeholders, then .format() outside _():\n" + "\n".join(
        bad
    )


def test_bad_marker_calls_detector() -> None:
    src = 'x = _(f"Hi {n}")\ny = _("a" + b)\nz = _("Hi {n}".format(n=1))\nok = _("Hi {n}").format(n=1)\nv = _(msgid)\n'
    found = _bad_marker_calls(src, "m.py")
    assert [line.split(":")[1] for line in found] == ["1", "2", "3"]


def test_catalog_tool_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """extract -> update keeps existing translations, adds new msgids untranslated; check fails until translated."""
    pkg = tmp_path / "kawaoffice"
    pkg.mkdir()
    (pkg / "a.py").write_text(
        "from kawaoffice.i18n import _, N_, ngettext, pgettext\n"
        'A = N_("Save")\n'
        "def f(n):\n"
        '    return ngettext("{n} row", "{n} rows", n).format(n=n), pgettext("menu", "Open")\n',
        encoding="utf-8",
    )
    here = tmp_path / "translations"
    here.mkdir()
    (here / "babel.cfg").write_text((ROOT / "translations" / "babel.cfg").read_text("utf-8"), "utf-8")
    monkeypatch.setattr(tool, "ROOT", tmp_path)
    monkeypatch.setattr(tool, "HERE", here)
    monkeypatch.setattr(tool, "POT", here / "messages.pot")
    monkeypatch.setattr(tool, "MAPPING", here / "babel.cfg")

    assert tool.main(["extract"]) == 0
    assert tool.main(["update"]) == 0
    assert tool.main(["check"]) == 1
    ja_po = tool.po_path("ja")
    ja = _read_path(ja_po, "ja")
    ja["Save"].string = "保存"
    ja.get("Open", "menu").string = "開く(&O)"
    ja[("{n} row", "{n} rows")].string = ("{n}行",)
    with ja_po.open("wb") as f:
        from babel.messages.pofile import write_po

        write_po(f, ja)
    assert tool.main(["check"]) == 0

    (pkg / "b.py").write_text('from kawaoffice.i18n import _\nB = _("Delete")\n', encoding="utf-8")
    assert tool.main(["extract"]) == 0
    assert tool.main(["update"]) == 0
    ja = _read_path(ja_po, "ja")
    assert ja["Save"].string == "保存"
    assert ja["Delete"].string == ""
    assert tool.main(["check"]) == 1
    assert tool.main(["compile"]) == 0
    assert (here / "ja" / "LC_MESSAGES" / "messages.mo").exists()
    assert tool.po_path("en").exists()

    stamp = ja_po.stat().st_mtime_ns
    assert tool.main(["update"]) == 0  # nothing changed: the file is not rewritten
    assert ja_po.stat().st_mtime_ns == stamp


def _read_path(path: Path, language: str) -> Catalog:
    with path.open("rb") as f:
        catalog: Catalog = read_po(f, locale=language)
    return catalog
