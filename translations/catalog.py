"""Maintain KawaOffice's gettext catalogs with Babel's Python API.

Run from the repository root with the project's interpreter:

    .venv/bin/python translations/catalog.py extract   # kawaoffice/**.py -> translations/messages.pot
    .venv/bin/python translations/catalog.py update    # messages.pot -> ja and en messages.po (translations kept)
    .venv/bin/python translations/catalog.py compile   # *.po -> *.mo (gitignored; the app also compiles at start)
    .venv/bin/python translations/catalog.py check     # exit 1 listing Japanese gaps (untranslated, fuzzy, placeholders)
    .venv/bin/python translations/catalog.py all       # extract + update + compile + check
    .venv/bin/python translations/catalog.py merge FILE.json ...   # {"msgid": "日本語"} into the ja catalog

English msgids are the English UI, so the ``en`` catalog may leave msgstr empty; it is still kept updated so a
translator can override a wording there. ``tests/test_translations.py`` runs the same extraction in memory and fails
when a msgid has no Japanese translation.
"""

from __future__ import annotations

import argparse
import io
import string
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PACKAGE = ROOT / "kawaoffice"
POT = HERE / "messages.pot"
MAPPING = HERE / "babel.cfg"
DOMAIN = "messages"
LANGUAGES = ("ja", "en")
REQUIRED = ("ja",)  # languages whose every msgid must be translated
KEYWORDS: dict[str, object] = {
    "_": None,
    "N_": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}
PROJECT = "KawaOffice"
COPYRIGHT = "KawaOffice developers"


def po_path(language: str) -> Path:
    return HERE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def _method_map() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    """The babel.cfg patterns, made relative to the repository root (the directory that is scanned)."""
    with MAPPING.open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, filename=str(MAPPING))  # type: ignore[no-untyped-call]
    return list(method_map), dict(options_map)


def extract_catalog(root: Path | None = None) -> Catalog:
    """Extract every marked string under ``kawaoffice/`` into a template catalog (in memory)."""
    root = root or ROOT
    method_map, options_map = _method_map()
    catalog = Catalog(project=PROJECT, copyright_holder=COPYRIGHT, charset="utf-8", fuzzy=False)
    results = extract_from_dir(
        str(root),
        method_map=method_map,
        options_map=options_map,
        keywords=KEYWORDS,  # type: ignore[arg-type]
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
        directory_filter=lambda d: not Path(d).name.startswith((".", "__pycache__")),
    )
    for filename, lineno, message, comments, context in results:
        catalog.add(
            message,
            None,
            [(Path(filename).as_posix(), lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def _same_messages(a: Catalog, b: Catalog) -> bool:
    def key(c: Catalog) -> list[tuple[object, ...]]:
        return [
            (m.id, m.context, tuple(m.auto_comments), tuple(sorted({loc[0] for loc in m.locations})))
            for m in c
            if m.id
        ]

    return key(a) == key(b)


def _state(catalog: Catalog) -> list[tuple[object, ...]]:
    """Everything a catalog update can change, to skip rewriting (and re-dating) an unchanged file."""
    return [
        (m.id, m.context, m.string, tuple(sorted(m.flags)), tuple(sorted({loc[0] for loc in m.locations})))
        for m in catalog
    ] + [(m.id, m.context, "obsolete") for m in catalog.obsolete.values()]


def _write(catalog: Catalog, path: Path) -> None:
    buf = io.BytesIO()
    write_po(buf, catalog, width=110, include_lineno=False, ignore_obsolete=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())


def _read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=language, domain=DOMAIN)


def cmd_extract() -> int:
    template = extract_catalog()
    if POT.exists():
        old = _read(POT)
        if _same_messages(old, template):
            print(f"{POT.relative_to(ROOT)}: unchanged ({len(template)} messages)")
            return 0
    _write(template, POT)
    print(f"{POT.relative_to(ROOT)}: {len(template)} messages")
    return 0


def cmd_update() -> int:
    template = _read(POT)
    for language in LANGUAGES:
        path = po_path(language)
        if path.exists():
            catalog = _read(path, language)
        else:
            catalog = Catalog(
                locale=language,
                project=PROJECT,
                copyright_holder=COPYRIGHT,
                charset="utf-8",
                fuzzy=False,
                creation_date=template.creation_date,
            )
        before = {m.id for m in catalog if m.id and m.string}
        old_state = _state(catalog)
        catalog.update(template, no_fuzzy_matching=(language == "en"), update_creation_date=False)
        catalog.fuzzy = False
        if _state(catalog) != old_state or not path.exists():
            catalog.revision_date = datetime.now().astimezone()
            _write(catalog, path)
        missing = [m for m in catalog if m.id and (not m.string or m.fuzzy)]
        lost = before - {m.id for m in catalog if m.id}
        print(
            f"{path.relative_to(ROOT)}: {len(catalog)} messages, {len(missing)} untranslated or fuzzy,"
            f" {len(lost)} dropped as obsolete"
        )
    return 0


def cmd_compile() -> int:
    for language in LANGUAGES:
        path = po_path(language)
        if not path.exists():
            continue
        catalog = _read(path, language)
        mo = path.with_suffix(".mo")
        with mo.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
        print(f"{mo.relative_to(ROOT)} written")
    return 0


def placeholders(text: str) -> set[str]:
    """The names of ``str.format`` fields in ``text`` (``{name}``, ``{count:,}`` -> ``name``, ``count``)."""
    names: set[str] = set()
    try:
        for _literal, field, _spec, _conv in string.Formatter().parse(text):
            if field is not None:
                names.add(field.split(".")[0].split("[")[0])
    except ValueError:
        names.add("<malformed braces>")
    return names


def _strings(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def problems(template: Catalog, catalog: Catalog) -> list[str]:
    """What is wrong with ``catalog`` against ``template``: untranslated, fuzzy, or with different placeholders."""
    found: list[str] = []
    for tmsg in template:
        if not tmsg.id:
            continue
        msg: Message | None = catalog.get(tmsg.id, tmsg.context)
        label = _label(tmsg)
        if msg is None or not any(_strings(msg.string)):
            found.append(f"untranslated: {label}")
            continue
        if msg.fuzzy:
            found.append(f"fuzzy: {label}")
            continue
        ids = _strings(msg.id)
        expected = set().union(*(placeholders(i) for i in ids))
        for translated in _strings(msg.string):
            got = placeholders(translated)
            if got != expected:
                found.append(
                    f"placeholders differ: {label}: msgid has {sorted(expected)}, msgstr has {sorted(got)}"
                )
                break
    return found


def _label(msg: Message) -> str:
    ids = _strings(msg.id)
    where = ", ".join(sorted({loc[0] for loc in msg.locations}))
    ctx = f"[{msg.context}] " if msg.context else ""
    return f"{ctx}{ids[0]!r} ({where})"


def cmd_check(languages: Iterable[str] = REQUIRED) -> int:
    template = extract_catalog()
    failed = False
    for language in languages:
        path = po_path(language)
        if not path.exists():
            print(f"{path.relative_to(ROOT)}: missing")
            failed = True
            continue
        found = problems(template, _read(path, language))
        for line in found:
            print(f"{language}: {line}")
        if found:
            failed = True
        else:
            print(f"{language}: all {len(template)} messages translated")
    return 1 if failed else 0


def cmd_merge(files: Sequence[str]) -> int:
    """Fill Japanese translations from JSON files of ``{"msgid": "訳"}`` (``"context\\x04msgid"`` for pgettext).

    Existing translations are kept unless the JSON gives a different one; msgids not in the catalog are reported.
    """
    import json

    path = po_path("ja")
    catalog = _read(path, "ja")
    changed = unknown = 0
    for name in files:
        entries = json.loads(Path(name).read_text(encoding="utf-8"))
        for key, text in entries.items():
            context, _sep, msgid = key.rpartition("\x04")
            msg = catalog.get(msgid, context or None)
            if msg is None:
                unknown += 1
                print(f"{name}: not in the catalog: {key!r}")
                continue
            if isinstance(msg.string, tuple | list):
                value: str | tuple[str, ...] = tuple(text for _s in msg.string)
            else:
                value = text
            if msg.string != value or msg.fuzzy:
                msg.string = value
                msg.flags.discard("fuzzy")
                changed += 1
    if changed:
        catalog.revision_date = datetime.now().astimezone()
        _write(catalog, path)
    print(f"{path.relative_to(ROOT)}: {changed} translations merged, {unknown} unknown msgids")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=("extract", "update", "compile", "check", "all", "merge"))
    parser.add_argument("files", nargs="*", help="JSON files for merge")
    args = parser.parse_args(argv)
    if args.command == "merge":
        return cmd_merge(args.files)
    if args.command == "extract":
        return cmd_extract()
    if args.command == "update":
        return cmd_update()
    if args.command == "compile":
        return cmd_compile()
    if args.command == "check":
        return cmd_check()
    return cmd_extract() or cmd_update() or cmd_compile() or cmd_check()


if __name__ == "__main__":
    sys.exit(main())
