"""Tours commands: ``print visit-schedule``, ``print confirmation``, ``stats visits`` and the ICS export that the
central ``export ics --booking`` calls."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kawaoffice.cli.core import CliError, Context, format_table
from kawaoffice.i18n import _, country_name, fiscal_year_label, format_number
from kawaoffice.model.tours import VISITOR_TYPE_LABELS, Booking, VisitorType
from kawaoffice.services import tour_stats


def _booking_id(session: Any, value: str) -> int:
    """A booking by id or by code."""
    if value.isdigit():
        found = session.get(Booking, int(value))
        if found is not None:
            return int(found.id)
    found_id = session.scalars(select(Booking.id).where(Booking.code == value)).first()
    if found_id is None:
        raise CliError(_("No booking {booking}.").format(booking=value))
    return int(found_id)


def cmd_visit_schedule(ctx: Context) -> int:
    from kawaoffice.documents.visit_schedule import build_visit_schedule

    ctx.in_session(
        lambda s: build_visit_schedule(
            s, _booking_id(s, ctx.args.booking), Path(ctx.args.output), lang=ctx.args.lang, era=ctx.args.era
        )
    )
    ctx.print(_("Wrote {path}").format(path=ctx.args.output))
    return 0


def cmd_confirmation(ctx: Context) -> int:
    from kawaoffice.documents.confirmation import build_confirmation

    ctx.in_session(lambda s: build_confirmation(s, _booking_id(s, ctx.args.booking), Path(ctx.args.output)))
    ctx.print(_("Wrote {path}").format(path=ctx.args.output))
    return 0


def export_ics(ctx: Context, booking_id: int, path: Path) -> int:
    """``export ics --booking ID -o FILE``: the booking's segments as Outlook events."""
    from kawaoffice.documents.booking_ics import write_booking_ics

    count = ctx.in_session(lambda s: write_booking_ics(s, _booking_id(s, str(booking_id)), path))
    ctx.print(_("Wrote {count} events to {path}").format(count=count, path=path))
    return 0


def stats_json(stats: tour_stats.VisitStats) -> dict[str, Any]:
    def rows(items: list[tour_stats.VisitCount]) -> list[dict[str, Any]]:
        return [{"key": i.key, "visitors": i.visitors, "groups": i.groups} for i in items]

    return {
        "fiscal_year": stats.fiscal_year,
        "visitors": stats.visitors,
        "groups": stats.groups,
        "by_country": rows(stats.by_country),
        "by_visitor_type": rows(stats.by_visitor_type),
        "by_fiscal_year": rows(stats.by_fiscal_year),
        "cumulative": {
            "since_fiscal_year": stats.first_fiscal_year,
            "visitors": stats.cumulative_visitors,
            "groups": stats.cumulative_groups,
            "countries_and_regions": stats.cumulative_countries,
        },
    }


def cmd_stats_visits(ctx: Context) -> int:
    db = ctx.open(upgrade=True)
    try:
        with db.session() as s:
            stats = tour_stats.visit_stats(s, ctx.args.fiscal_year)
    finally:
        db.dispose()
    if ctx.args.format == "json":
        ctx.print(json.dumps(stats_json(stats), ensure_ascii=False, indent=2))
        return 0
    headers = [_("Country/region"), _("Visitors"), _("Groups")]
    period = fiscal_year_label(stats.fiscal_year) if stats.fiscal_year else _("All years")
    ctx.print(_("Visits, {period}: {visitors} visitors in {groups} groups").format(
        period=period, visitors=format_number(stats.visitors), groups=format_number(stats.groups)))  # fmt: skip
    ctx.print(format_table(headers, [
        [country_name(c.key) if c.key else _("Unknown"), format_number(c.visitors), format_number(c.groups)]
        for c in stats.by_country
    ]))  # fmt: skip
    ctx.print("")
    ctx.print(format_table([_("Visitor type"), _("Visitors"), _("Groups")], [
        [_(VISITOR_TYPE_LABELS[VisitorType(c.key)]), format_number(c.visitors), format_number(c.groups)]
        for c in stats.by_visitor_type
    ]))  # fmt: skip
    ctx.print("")
    ctx.print(format_table([_("Fiscal year"), _("Visitors"), _("Groups")], [
        [fiscal_year_label(int(c.key)), format_number(c.visitors), format_number(c.groups)]
        for c in stats.by_fiscal_year
    ]))  # fmt: skip
    if stats.first_fiscal_year is not None:
        ctx.print(_("Since {year}: {visitors} visitors from {countries} countries and regions").format(
            year=fiscal_year_label(stats.first_fiscal_year), visitors=format_number(stats.cumulative_visitors),
            countries=format_number(stats.cumulative_countries)))  # fmt: skip
    return 0


def register(groups: Any) -> None:
    p = groups.add(groups.print, "visit-schedule", _("Print a booking's visit schedule (PDF)"), cmd_visit_schedule,
                   lang=None)  # fmt: skip
    p.add_argument("booking", help=_("booking id or code"))
    p.add_argument("-o", "--output", required=True, help=_("PDF file to write"))
    p.add_argument("--lang", choices=("ja", "en", "both"), default="ja", help=_("document language"))
    p.add_argument("--era", action="store_true", help=_("show the date in the Japanese era as well"))
    p = groups.add(
        groups.print, "confirmation", _("Print a booking's confirmation letter (PDF)"), cmd_confirmation
    )
    p.add_argument("booking", help=_("booking id or code"))
    p.add_argument("-o", "--output", required=True, help=_("PDF file to write"))
    p = groups.add(groups.stats, "visits", _("Visitors and groups by country, type and fiscal year"),
                   cmd_stats_visits)  # fmt: skip
    p.add_argument("--fiscal-year", type=int, default=None, help=_("fiscal year (April to March)"))
    p.add_argument("--format", choices=("table", "json"), default="table")
