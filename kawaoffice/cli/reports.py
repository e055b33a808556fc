"""Managers' reports commands: ``print annual-report`` (PDF) and ``export stats`` (XLSX), for one fiscal year or
every year since the first record (``--all``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kawaoffice.cli.core import CliError, Context
from kawaoffice.documents.annual_report import build_annual_report_pdf, headline, period_label
from kawaoffice.documents.stats_export import build_stats_xlsx
from kawaoffice.i18n import _
from kawaoffice.services.reports import AnnualReport, annual_report


def _fiscal_year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        year = 0
    if not 1900 <= year <= 2200:
        raise argparse.ArgumentTypeError(_("a fiscal year such as 2025"))
    return year


def _period(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--fiscal-year", type=_fiscal_year, metavar="YYYY", help=_("the fiscal year from April YYYY to March")
    )
    which.add_argument("--all", action="store_true", help=_("every year since the first record"))


def register(groups: Any) -> None:
    p = groups.add(
        groups.print,
        "annual-report",
        _("print the annual report of visits, dispatches, projects and members (PDF)"),
        cmd_annual_report,
    )
    _period(p)
    p.add_argument("-o", "--output", metavar="FILE", required=True, help=_("the PDF file to write"))
    p.add_argument("--era", action="store_true", help=_("dates in the Japanese era (Japanese only)"))
    p = groups.add(
        groups.export,
        "stats",
        _("export the statistics tables to XLSX, one sheet per table"),
        cmd_export_stats,
    )
    _period(p)
    p.add_argument("file", metavar="FILE", help=_("the .xlsx file to write"))


def _writable(path: str, suffix: str) -> Path:
    target = Path(path).expanduser()
    if target.suffix.lower() != suffix:
        raise CliError(_("The file name must end with {suffix}.").format(suffix=suffix))
    if not target.parent.exists():
        raise CliError(_("The folder {folder} does not exist.").format(folder=str(target.parent)))
    return target


def _report(ctx: Context) -> AnnualReport:
    year = None if ctx.args.all else int(ctx.args.fiscal_year)
    return ctx.in_session(lambda s: annual_report(s, year))


def _write(ctx: Context, target: Path, write: Any) -> None:
    try:
        write()
    except OSError as exc:
        raise CliError(
            _("Could not write {file}: {reason}").format(file=target, reason=exc.strerror or str(exc))
        ) from exc


def cmd_annual_report(ctx: Context) -> int:
    target = _writable(ctx.args.output, ".pdf")
    report = _report(ctx)
    _write(ctx, target, lambda: build_annual_report_pdf(target, report, era=ctx.args.era))
    ctx.print(headline(report))
    ctx.print(
        _("Annual report {period} written to {file}").format(
            period=period_label(report, ctx.args.era), file=target
        )
    )
    return 0


def cmd_export_stats(ctx: Context) -> int:
    target = _writable(ctx.args.file, ".xlsx")
    report = _report(ctx)
    _write(ctx, target, lambda: build_stats_xlsx(target, report))
    ctx.print(_("Statistics {period} written to {file}").format(period=period_label(report), file=target))
    return 0
