"""Dispatch commands: ``print itinerary``, ``stats dispatches`` and the ICS export that the central
``export ics --dispatch`` calls."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kawaoffice.cli.core import CliError, Context, format_table
from kawaoffice.i18n import _, country_name, fiscal_year_label, format_number
from kawaoffice.model.dispatch import Dispatch
from kawaoffice.services import dispatch_stats


def _dispatch_id(session: Session, value: str) -> int:
    """A dispatch by id or by code."""
    if value.isdigit():
        found = session.get(Dispatch, int(value))
        if found is not None:
            return int(found.id)
    found_id = session.scalars(select(Dispatch.id).where(Dispatch.code == value)).first()
    if found_id is None:
        raise CliError(_("No dispatch {dispatch}.").format(dispatch=value))
    return int(found_id)


def cmd_itinerary(ctx: Context) -> int:
    from kawaoffice.documents.itinerary import build_itinerary

    ctx.in_session(lambda s: build_itinerary(s, _dispatch_id(s, ctx.args.dispatch), Path(ctx.args.output)))
    ctx.print(_("Wrote {path}").format(path=ctx.args.output))
    return 0


def export_ics(ctx: Context, dispatch_id: int, path: Path) -> int:
    """``export ics --dispatch ID -o FILE``: the dispatch and its legs as Outlook events."""
    from kawaoffice.documents.dispatch_ics import write_dispatch_ics

    count = ctx.in_session(lambda s: write_dispatch_ics(s, _dispatch_id(s, str(dispatch_id)), path))
    ctx.print(_("Wrote {count} events to {path}").format(count=count, path=path))
    return 0


def stats_json(stats: dispatch_stats.DispatchStatistics) -> dict[str, Any]:
    cum = stats.cumulative
    return {
        "rows": [
            {
                "fiscal_year": r.fiscal_year,
                "country": r.country,
                "dispatches": r.dispatches,
                "person_trips": r.person_trips,
                "experts": r.experts,
                "person_days": r.person_days,
            }
            for r in stats.rows
        ],
        "years": [
            {
                "fiscal_year": y.fiscal_year,
                "dispatches": y.dispatches,
                "person_trips": y.person_trips,
                "experts": y.experts,
                "person_days": y.person_days,
                "countries": y.countries,
            }
            for y in stats.years
        ],
        "cumulative": {
            "first_fiscal_year": cum.first_year,
            "last_fiscal_year": cum.last_year,
            "dispatches": cum.dispatches,
            "person_trips": cum.person_trips,
            "experts": cum.experts,
            "person_days": cum.person_days,
            "countries": list(cum.countries),
        },
    }


def cumulative_sentence(stats: dispatch_stats.DispatchStatistics) -> str:
    cum = stats.cumulative
    if cum.first_year is None or cum.last_year is None:
        return _("No dispatches recorded yet.")
    return _(
        "{first} to {last}: {experts} experts, {trips} person-trips, {days} person-days, to {countries} countries."
    ).format(
        first=fiscal_year_label(cum.first_year),
        last=fiscal_year_label(cum.last_year),
        experts=format_number(cum.experts),
        trips=format_number(cum.person_trips),
        days=format_number(cum.person_days),
        countries=format_number(len(cum.countries)),
    )


def cmd_stats_dispatches(ctx: Context) -> int:
    db = ctx.open(upgrade=True)
    try:
        with db.session() as s:
            stats = dispatch_stats.dispatch_statistics(s, fiscal_year=ctx.args.fiscal_year)
    finally:
        db.dispose()
    if ctx.args.format == "json":
        ctx.print(json.dumps(stats_json(stats), ensure_ascii=False, indent=2))
        return 0
    headers = [
        _("Fiscal year"),
        _("Country"),
        _("Dispatches"),
        _("Person-trips"),
        _("Experts"),
        _("Person-days"),
    ]
    rows = [
        [
            fiscal_year_label(r.fiscal_year),
            country_name(r.country),
            format_number(r.dispatches),
            format_number(r.person_trips),
            format_number(r.experts),
            format_number(r.person_days),
        ]
        for r in stats.rows
    ]
    ctx.print(format_table(headers, rows))
    ctx.print("")
    ctx.print(cumulative_sentence(stats))
    return 0


def register(groups: Any) -> None:
    p = groups.add(groups.print, "itinerary", _("Print a dispatch's itinerary (PDF)"), cmd_itinerary)
    p.add_argument("dispatch", help=_("dispatch id or code"))
    p.add_argument("-o", "--output", required=True, help=_("PDF file to write"))
    p = groups.add(
        groups.stats,
        "dispatches",
        _("Experts dispatched by country and fiscal year, with cumulative totals"),
        cmd_stats_dispatches,
    )
    p.add_argument("--fiscal-year", type=int, default=None, help=_("fiscal year (April to March)"))
    p.add_argument("--format", choices=("table", "json"), default="table")
