"""Project stages commands: ``print progress-report``, ``export projects``, ``export iati``,
``print needs-bulletin``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from kawaoffice.cli.core import CliError, Context
from kawaoffice.documents.iati import ReportingOrg, write_iati
from kawaoffice.documents.needs_bulletin import build_needs_bulletin_pdf, needs_mail_text
from kawaoffice.documents.progress_report import build_progress_report_pdf, build_progress_report_xlsx
from kawaoffice.documents.project_export import build_projects_xlsx
from kawaoffice.i18n import _, ngettext
from kawaoffice.services import needs, projects
from kawaoffice.services.project_report import progress_report


def _fiscal_year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        year = 0
    if not 1900 <= year <= 2200:
        import argparse

        raise argparse.ArgumentTypeError(_("a fiscal year such as 2025"))
    return year


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        import argparse

        raise argparse.ArgumentTypeError(_("a date as YYYY-MM-DD")) from exc


def register(groups: Any) -> None:
    p = groups.add(
        groups.print,
        "progress-report",
        _("print the fiscal-year progress report (PDF, or XLSX)"),
        cmd_progress_report,
    )
    p.add_argument(
        "--fiscal-year", type=_fiscal_year, required=True, metavar="YYYY", help=_("April YYYY to March")
    )
    p.add_argument("-o", "--output", metavar="FILE", required=True, help=_("the .pdf or .xlsx file to write"))
    p.add_argument("--era", action="store_true", help=_("dates in the Japanese era (Japanese only)"))
    p = groups.add(groups.export, "projects", _("export the projects to XLSX"), cmd_export_projects)
    p.add_argument("file", metavar="FILE", help=_("the .xlsx file to write"))
    p = groups.add(groups.export, "iati", _("export the projects as IATI 2.03 activity XML"), cmd_export_iati)
    p.add_argument("file", metavar="FILE", help=_("the .xml file to write"))
    p.add_argument(
        "--org-ref", default=ReportingOrg.ref, help=_("the reporting organisation's IATI identifier")
    )
    p = groups.add(
        groups.print, "needs-bulletin", _("print the local needs bulletin for members"), cmd_needs_bulletin
    )
    p.add_argument(
        "--since", type=_iso_date, required=True, metavar="DATE", help=_("needs learnt from this date")
    )
    p.add_argument(
        "--until", type=_iso_date, metavar="DATE", help=_("needs learnt up to this date (default today)")
    )
    p.add_argument("-o", "--output", metavar="FILE", required=True, help=_("the PDF file to write"))
    p.add_argument("--mail", metavar="FILE", help=_("also write the bulletin as a mail text"))


def _writable(path: str) -> Path:
    target = Path(path)
    if not target.parent.exists():
        raise CliError(_("The folder {folder} does not exist.").format(folder=str(target.parent)))
    return target


def cmd_progress_report(ctx: Context) -> int:
    target = _writable(ctx.args.output)
    db = ctx.open(upgrade=True)
    try:
        with db.session() as s:
            report = progress_report(s, ctx.args.fiscal_year)
    finally:
        db.dispose()
    if target.suffix.lower() == ".xlsx":
        build_progress_report_xlsx(target, report)
    else:
        build_progress_report_pdf(target, report, era=ctx.args.era)
    n = len(report.projects)
    ctx.print(
        ngettext("{n} project written to {file}", "{n} projects written to {file}", n).format(
            n=n, file=target
        )
    )
    return 0


def cmd_export_projects(ctx: Context) -> int:
    target = _writable(ctx.args.file)
    db = ctx.open(upgrade=True)
    try:
        with db.session() as s:
            rows = projects.projects_for_export(s)
            build_projects_xlsx(target, rows)
            n = len(rows)
    finally:
        db.dispose()
    ctx.print(
        ngettext("{n} project written to {file}", "{n} projects written to {file}", n).format(
            n=n, file=target
        )
    )
    return 0


def cmd_export_iati(ctx: Context) -> int:
    target = _writable(ctx.args.file)
    db = ctx.open(upgrade=True)
    try:
        with db.session() as s:
            rows = projects.projects_for_export(s)
            write_iati(target, rows, org=ReportingOrg(ref=ctx.args.org_ref))
            n = len(rows)
    finally:
        db.dispose()
    ctx.print(
        ngettext("{n} project written to {file}", "{n} projects written to {file}", n).format(
            n=n, file=target
        )
    )
    return 0


def cmd_needs_bulletin(ctx: Context) -> int:
    target = _writable(ctx.args.output)
    until = ctx.args.until or date.today()
    if until < ctx.args.since:
        raise CliError(_("--until is before --since."))
    db = ctx.open(upgrade=True)
    try:
        with db.session() as s:
            data = needs.bulletin(s, since=ctx.args.since, until=until)
    finally:
        db.dispose()
    build_needs_bulletin_pdf(target, data)
    if ctx.args.mail:
        _writable(ctx.args.mail).write_text(needs_mail_text(data), encoding="utf-8")
    n = len(data.items)
    ctx.print(
        ngettext("{n} need written to {file}", "{n} needs written to {file}", n).format(n=n, file=target)
    )
    return 0
