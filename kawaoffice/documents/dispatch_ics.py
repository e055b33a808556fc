"""A dispatch and its itinerary legs as ICS events (Outlook, RFC 5545).

The dispatch itself is an all-day event from the departure to the return date (the end date is exclusive in
ICS). Each leg is an event whose start carries the zone of its start place and whose end the zone of its end
place (TZID with VTIMEZONE), so Outlook shows a Tokyo → Vientiane flight at the right instants everywhere.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from kawaoffice.documents.ics import IcsEvent, write_ics
from kawaoffice.i18n import _, country_name, current_language
from kawaoffice.model.dispatch import DISPATCH_PURPOSE_LABELS, LEG_KIND_LABELS
from kawaoffice.services import dispatch as svc


def dispatch_events(session: Session, dispatch_id: int) -> list[IcsEvent]:
    d = svc.get_dispatch(session, dispatch_id)
    ja = current_language() == "ja"
    title = d.title if ja else (d.title_en or d.title)
    place = ", ".join(x for x in (d.city, country_name(d.country)) if x)
    members = [
        svc.person_name(p.family_name, p.given_name)
        for p in (m.staff or m.contact for m in d.members)
        if p is not None
    ]
    lines = [_("Purpose: {purpose}").format(purpose=_(DISPATCH_PURPOSE_LABELS[d.purpose]))]
    if members:
        lines.append(_("Members: {names}").format(names=", ".join(members)))
    if d.notes:
        lines.append(d.notes)
    events = [
        IcsEvent(
            uid=f"dispatch-{d.code}@kawaoffice",
            summary=f"{d.code} {title}",
            start=d.departure_on,
            end=d.return_on + timedelta(days=1),
            location=place,
            description="\n".join(lines),
            categories=(_("Dispatch"),),
        )
    ]
    for leg in sorted(d.legs, key=lambda lg: (lg.starts_at, lg.position, lg.id)):
        kind = _(LEG_KIND_LABELS[leg.kind])
        where = (
            leg.origin
            if leg.origin == leg.destination or not leg.destination
            else (f"{leg.origin} → {leg.destination}")
        )
        summary = " ".join(x for x in (kind, leg.reference, where) if x)
        events.append(
            IcsEvent(
                uid=f"dispatch-{d.code}-leg-{leg.id}@kawaoffice",
                summary=summary,
                start=leg.starts_at.astimezone(ZoneInfo(leg.start_tz)),
                end=leg.ends_at.astimezone(ZoneInfo(leg.end_tz)),
                location=leg.origin,
                description="\n".join(x for x in (f"{d.code} {title}", leg.details) if x),
                categories=(_("Dispatch"), kind),
            )
        )
    return events


def write_dispatch_ics(session: Session, dispatch_id: int, dest: Path | BinaryIO) -> int:
    """Write the dispatch's events; returns how many."""
    events = dispatch_events(session, dispatch_id)
    write_ics(dest, events, name=svc.get_dispatch(session, dispatch_id).code)
    return len(events)
