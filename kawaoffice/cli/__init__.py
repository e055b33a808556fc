"""``kawaoffice-cli``: the headless entry point. Same services and storage as the GUI, no Qt.

    kawaoffice-cli [--database URL] [--lang ja|en] db info|upgrade|backup [PATH]|restore PATH
    kawaoffice-cli demo [--scale N]
    kawaoffice-cli list partners|projects|dispatches|visits [--format table|json] [--limit N]
    kawaoffice-cli import partners FILE [--dry-run] [--mapping FILE]
    kawaoffice-cli export partners|projects FILE | iati FILE.xml | ics --dispatch ID|--booking ID -o FILE.ics
    kawaoffice-cli print directory|progress-report|needs-bulletin|itinerary|visit-schedule|confirmation ...
    kawaoffice-cli stats dispatches|visits [--fiscal-year YYYY] [--format table|json]

Each area's commands live in its own module (``cli/partners.py``, ``projects.py``, ``dispatch.py``,
``tours.py``) and are added to the command groups by that module's ``register(groups)``.

``--database`` and ``--lang`` may come before or after the command. Errors are one translated line on stderr and
exit status 1; usage errors exit with status 2 (argparse's convention).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from kawaoffice import winmutex
from kawaoffice.cli import db as db_cli
from kawaoffice.cli import dispatch as dispatch_commands
from kawaoffice.cli import partners as partner_commands
from kawaoffice.cli import projects as project_commands
from kawaoffice.cli import reports
from kawaoffice.cli import tours as tour_commands
from kawaoffice.cli.core import (
    CliError,
    Context,
    add_common,
    display_width,
    format_table,
    non_negative,
    pad,
    plain,
    truncate,
)
from kawaoffice.i18n import _, set_language
from kawaoffice.model.dispatch import DISPATCH_PURPOSE_LABELS, DISPATCH_STATUS_LABELS
from kawaoffice.model.partners import MEMBERSHIP_STATUS_LABELS, ORGANIZATION_KIND_LABELS
from kawaoffice.model.projects import PROJECT_STATE_LABELS
from kawaoffice.model.tours import BOOKING_STATUS_LABELS, VISITOR_TYPE_LABELS
from kawaoffice.services import ServiceError, overview
from kawaoffice.services.demo import load_demo
from kawaoffice.settings import Settings
from kawaoffice.storage import StorageError, backup_database, database_info, restore_database, schema_status

__all__ = [
    "CliError",
    "Context",
    "build_parser",
    "display_width",
    "format_table",
    "main",
    "pad",
    "plain",
    "truncate",
]

log = logging.getLogger(__name__)

LIST_KINDS = ("partners", "projects", "dispatches", "visits")


# ---------------------------------------------------------------------------------------------------------------
# Listing
# ---------------------------------------------------------------------------------------------------------------


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def _pick(ja: str, en: str, english: bool) -> str:
    return (en or ja) if english else (ja or en)


def _label(labels: dict[Any, str], value: Any) -> str:
    return _(labels[value]) if value in labels else str(value or "")


def _partners_table(rows: list[overview.PartnerRow], english: bool) -> tuple[list[str], list[list[str]]]:
    headers = [_("ID"), _("Kind"), _("Name"), _("Reading"), _("Country"), _("Membership"), _("Technologies")]
    body = [
        [
            str(r.id),
            _label(ORGANIZATION_KIND_LABELS, r.kind),
            _pick(r.name_ja, r.name_en, english),
            r.name_kana,
            r.country,
            _label(MEMBERSHIP_STATUS_LABELS, r.member_status) if r.member_status else "",
            ", ".join(r.technologies),
        ]
        for r in rows
    ]
    return headers, body


def _projects_table(rows: list[overview.ProjectRow], english: bool) -> tuple[list[str], list[list[str]]]:
    headers = [
        _("ID"),
        _("Code"),
        _("Title"),
        _("Scheme"),
        _("Stage"),
        _("State"),
        _("Country"),
        _("Start"),
        _("End"),
    ]
    body = [
        [
            str(r.id),
            r.code,
            _pick(r.title_ja, r.title_en, english),
            _pick(r.scheme_ja, r.scheme_en, english),
            _pick(r.stage_ja or "", r.stage_en or "", english),
            _label(PROJECT_STATE_LABELS, r.state),
            r.country,
            _iso(r.start_on),
            _iso(r.end_on),
        ]
        for r in rows
    ]
    return headers, body


def _dispatches_table(rows: list[overview.DispatchRow], english: bool) -> tuple[list[str], list[list[str]]]:
    headers = [
        _("ID"), _("Code"), _("Title"), _("Purpose"), _("Status"), _("Destination"), _("Departure"), _("Return"),
        _("Members"),
    ]  # fmt: skip
    body = [
        [
            str(r.id),
            r.code,
            _pick(r.title, r.title_en, english),
            _label(DISPATCH_PURPOSE_LABELS, r.purpose),
            _label(DISPATCH_STATUS_LABELS, r.status),
            f"{r.country} {r.city}".strip(),
            _iso(r.departure_on),
            _iso(r.return_on),
            ", ".join(r.members),
        ]
        for r in rows
    ]
    return headers, body


def _visits_table(rows: list[overview.VisitRow], english: bool) -> tuple[list[str], list[list[str]]]:
    headers = [
        _("ID"), _("Code"), _("Group"), _("Type"), _("Country"), _("People"), _("Status"), _("Date"),
        _("Facilities"),
    ]  # fmt: skip
    body = [
        [
            str(r.id),
            r.code,
            _pick(r.group_name, r.group_name_en, english),
            _label(VISITOR_TYPE_LABELS, r.visitor_type),
            r.country,
            str(r.headcount),
            _label(BOOKING_STATUS_LABELS, r.status),
            _iso(r.visit_date),
            ", ".join(r.facilities_en if english else r.facilities_ja),
        ]
        for r in rows
    ]
    return headers, body


_LISTERS: dict[
    str, tuple[Callable[..., list[Any]], Callable[[Any, bool], tuple[list[str], list[list[str]]]]]
] = {
    "partners": (overview.list_partners, _partners_table),
    "projects": (overview.list_projects, _projects_table),
    "dispatches": (overview.list_dispatches, _dispatches_table),
    "visits": (overview.list_visits, _visits_table),
}


# ---------------------------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------------------------


def _format_size(size: int | None) -> str:
    if size is None:
        return "-"
    return (
        _("{size:.1f} MB").format(size=size / 1_000_000)
        if size >= 100_000
        else _("{size} bytes").format(size=size)
    )


def cmd_db_info(ctx: Context) -> int:
    db = ctx.open(upgrade=False)
    try:
        status = schema_status(db)
        info = database_info(db)
    finally:
        db.dispose()
    states = {
        "empty": _("empty (no tables yet)"),
        "current": _("up to date"),
        "older": _("older, will be upgraded when opened"),
        "newer": _("newer than this version"),
        "foreign": _("not a KawaOffice database"),
    }
    lines = [
        (_("Database"), info.display_name),
        (_("Backend"), info.backend),
        (_("Schema revision"), info.revision or "-"),
        (_("Latest revision"), info.head),
        (_("Schema state"), states.get(status.state, status.state)),
        (_("Size"), _format_size(info.size_bytes)),
    ]
    width = max(display_width(k) for k, _v in lines)
    for key, value in lines:
        ctx.print(f"{pad(key, width)}  {value}")
    if info.counts:
        ctx.print()
        ctx.print(format_table([_("Table"), _("Rows")], [[name, str(n)] for name, n in info.counts.items()]))
    return 0


def cmd_db_upgrade(ctx: Context) -> int:
    db = ctx.open(upgrade=True)
    try:
        status = schema_status(db)
        ctx.print(
            _("The database {location} is at revision {revision}.").format(
                location=db.display_name, revision=status.current or "-"
            )
        )
    finally:
        db.dispose()
    return 0


def cmd_db_backup(ctx: Context) -> int:
    db = ctx.open(upgrade=False)
    try:
        dest = Path(ctx.args.path).expanduser() if ctx.args.path else None
        path = backup_database(db, dest)
    finally:
        db.dispose()
    ctx.print(_("Backup written to {path}").format(path=str(path)))
    return 0


def cmd_db_restore(ctx: Context) -> int:
    src = Path(ctx.args.path).expanduser()
    if not src.is_file():
        raise CliError(_("The backup file {path} does not exist.").format(path=str(src)))
    safety = restore_database(ctx.url, src)
    ctx.print(_("Restored the database from {path}.").format(path=str(src)))
    if safety is not None:
        ctx.print(_("The replaced database was saved to {path}").format(path=str(safety)))
    return 0


def cmd_demo(ctx: Context) -> int:
    scale: int = ctx.args.scale
    tty = ctx.err.isatty()

    def progress(done: int, total: int) -> None:
        line = _("Loading demo data: {done}/{total}").format(done=done, total=total)
        if tty:
            ctx.err.write("\r" + line + ("\n" if done >= total else ""))
        else:
            ctx.err.write(line + "\n")
        ctx.err.flush()

    db = ctx.open(upgrade=True)
    try:
        with db.session() as session:
            summary = load_demo(session, scale=scale, progress=progress)
    finally:
        db.dispose()
    added = sum(summary.added.values())
    generated = sum(summary.generated.values())
    if added:
        ctx.print(_("Added {count} demo records.").format(count=added))
    else:
        ctx.print(_("The demo records were already there; nothing was added."))
    if generated:
        ctx.print(_("Added {count} generated records (scale {scale}).").format(count=generated, scale=scale))
    return 0


def cmd_list(ctx: Context) -> int:
    lister, tabulate = _LISTERS[ctx.args.kind]
    db = ctx.open(upgrade=True)
    try:
        with db.session() as session:
            rows = lister(session, offset=ctx.args.offset, limit=ctx.args.limit)
    finally:
        db.dispose()
    if ctx.args.format == "json":
        data = [plain(dataclasses.asdict(r)) for r in rows]
        ctx.print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        headers, body = tabulate(rows, ctx.language == "en")
        ctx.print(format_table(headers, body))
    return 0


# ---------------------------------------------------------------------------------------------------------------
# Parser
# ---------------------------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kawaoffice-cli",
        description=_("KawaOffice command line: database maintenance, demo data and listings."),
    )
    add_common(parser, top=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    db = commands.add_parser("db", help=_("database maintenance"))
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    info = db_commands.add_parser("info", help=_("show the database, its schema revision and row counts"))
    info.set_defaults(func=cmd_db_info)
    upgrade = db_commands.add_parser("upgrade", help=_("create or upgrade the schema to this version"))
    upgrade.set_defaults(func=cmd_db_upgrade)
    backup = db_commands.add_parser("backup", help=_("write a backup copy of the database"))
    backup.add_argument(
        "path", nargs="?", metavar="PATH", help=_("file to write (default: the backups folder)")
    )
    backup.set_defaults(func=cmd_db_backup)
    restore = db_commands.add_parser("restore", help=_("replace the SQLite database with a backup"))
    restore.add_argument("path", metavar="PATH", help=_("backup file to restore"))
    restore.set_defaults(func=cmd_db_restore)
    for sub in (info, upgrade, backup, restore):
        add_common(sub, top=False)
    db_cli.register(db_commands)

    demo = commands.add_parser("demo", help=_("load the demo data (adds nothing when already loaded)"))
    demo.add_argument(
        "--scale", type=non_negative, default=0, metavar="N",
        help=_("also add N units of generated records for load testing"),
    )  # fmt: skip
    demo.set_defaults(func=cmd_demo)
    add_common(demo, top=False)

    lst = commands.add_parser("list", help=_("list partners, projects, dispatches or visits"))
    lst.add_argument("kind", choices=LIST_KINDS)
    lst.add_argument("--format", choices=("table", "json"), default="table", help=_("output format"))
    lst.add_argument("--limit", type=non_negative, default=None, metavar="N", help=_("at most N rows"))
    lst.add_argument("--offset", type=non_negative, default=0, metavar="N", help=_("skip the first N rows"))
    lst.set_defaults(func=cmd_list)
    add_common(lst, top=False)

    groups = Groups(commands)
    ics = groups.add(
        groups.export, "ics", _("export a dispatch or a visit as an Outlook calendar file"), cmd_ics
    )
    which = ics.add_mutually_exclusive_group(required=True)
    which.add_argument("--dispatch", type=non_negative, metavar="ID", help=_("the dispatch's id"))
    which.add_argument("--booking", type=non_negative, metavar="ID", help=_("the visit booking's id"))
    ics.add_argument("-o", "--output", metavar="FILE", required=True, help=_("the .ics file to write"))
    for area in (partner_commands, project_commands, dispatch_commands, tour_commands):
        area.register(groups)
    reports.register(groups)
    return parser


class Groups:
    """The command groups ``import``, ``export``, ``print`` and ``stats`` that the area modules add to."""

    def __init__(self, commands: Any) -> None:
        def group(name: str, help_text: str) -> Any:
            parser = commands.add_parser(name, help=help_text)
            return parser.add_subparsers(dest=f"{name}_command", metavar="WHAT", required=True)

        self.import_ = group("import", _("import records from a file"))
        self.export = group("export", _("export records to a file"))
        self.print = group("print", _("print a document to PDF"))
        self.stats = group("stats", _("statistics"))

    def add(
        self,
        group: Any,
        name: str,
        help_text: str,
        func: Callable[[Context], int],
        *,
        lang: tuple[str, ...] | None = ("ja", "en"),
    ) -> argparse.ArgumentParser:
        """Add the sub-command ``name`` to ``group`` with --database, -v and (unless ``lang`` is None) --lang."""
        parser: argparse.ArgumentParser = group.add_parser(name, help=help_text)
        parser.set_defaults(func=func)
        if lang is None:
            parser.add_argument(
                "--database", metavar="URL", default=argparse.SUPPRESS,
                help=_("database URL or SQLite file (default: KAWAOFFICE_DATABASE_URL, then the stored setting)"),
            )  # fmt: skip
            parser.add_argument(
                "-v",
                "--verbose",
                action="store_true",
                default=argparse.SUPPRESS,
                help=_("log progress details"),
            )
        else:
            add_common(parser, top=False)
        return parser


def cmd_ics(ctx: Context) -> int:
    path = Path(ctx.args.output).expanduser()
    if ctx.args.dispatch is not None:
        return dispatch_commands.export_ics(ctx, int(ctx.args.dispatch), path)
    return tour_commands.export_ics(ctx, int(ctx.args.booking), path)


def _pre_parse(argv: Sequence[str]) -> argparse.Namespace:
    """Read ``--lang`` before the real parser is built, so its help texts are in that language."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--lang", default=None)
    try:
        known, _rest = pre.parse_known_args(list(argv))
    except SystemExit:
        return argparse.Namespace(lang=None)
    if known.lang not in (
        "ja",
        "en",
    ):  # e.g. "both" for the bilingual visit schedule: messages follow settings
        known.lang = None
    return known


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("@")[-1]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def main(argv: list[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    winmutex.hold_app_mutex()  # an upgrade waits for a running CLI too (kawaoffice.iss AppMutex)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            # a Windows console in CP932 cannot show Lao or Khmer: replace rather than crash
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")
    settings_lang = Settings.load().language or None
    language = set_language(_pre_parse(args_list).lang or settings_lang)
    parser = build_parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # usage error (2) or --help (0)
        return int(exc.code) if isinstance(exc.code, int) else 2
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.ERROR,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    url = str(getattr(args, "database", None) or "")
    try:
        ctx = Context(args, sys.stdout, sys.stderr, language)
        url = ctx.url
        return int(args.func(ctx))
    except (StorageError, ServiceError, CliError) as exc:
        print(_one_line(exc.message), file=sys.stderr)
    except ArgumentError as exc:
        print(
            _one_line(
                _("Not a usable database URL: {url} ({detail})").format(url=_safe_url(url), detail=exc)
            ),
            file=sys.stderr,
        )
    except SQLAlchemyError as exc:
        log.debug("database error", exc_info=True)
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        print(
            _one_line(
                _("Database error on {url}: {detail}").format(
                    url=_safe_url(url), detail=detail[0] if detail else "-"
                )
            ),
            file=sys.stderr,
        )
    except OSError as exc:
        print(_one_line(_("File error: {detail}").format(detail=exc.strerror or str(exc))), file=sys.stderr)
    except KeyboardInterrupt:
        print(_("Interrupted."), file=sys.stderr)
        return 130
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
