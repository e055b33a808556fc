"""Calendar files (RFC 5545) that Outlook imports: events whose times keep their IANA time zones.

An event whose start is an aware datetime in a ``zoneinfo.ZoneInfo`` zone is written with ``TZID=<zone>`` and the
calendar gets a matching VTIMEZONE (icalendar's ``add_missing_timezones``), so Outlook shows a Tokyo -> Vientiane
flight leaving at 10:30 Tokyo time and landing at 14:45 Vientiane time. Dates give all-day events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO

from icalendar import Calendar, Event

from kawaoffice import APP_NAME, __version__

__all__ = ["IcsEvent", "ics_bytes", "write_ics"]


@dataclass(frozen=True)
class IcsEvent:
    uid: str
    summary: str
    start: datetime | date
    end: datetime | date
    location: str = ""
    description: str = ""
    categories: Sequence[str] = ()


def ics_bytes(events: Sequence[IcsEvent], *, name: str) -> bytes:
    """The calendar holding ``events`` as RFC 5545 bytes (CRLF lines, UTF-8)."""
    cal = Calendar()
    cal.add("prodid", f"-//{APP_NAME}//{APP_NAME} {__version__}//JA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    stamp = datetime.now(UTC).replace(microsecond=0)
    for item in events:
        for value in (item.start, item.end):
            if isinstance(value, datetime) and value.tzinfo is None:
                raise ValueError(f"naive datetime in calendar event {item.uid}")
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("summary", item.summary)
        event.add("dtstart", item.start)
        event.add("dtend", item.end)
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        if item.categories:
            event.add("categories", list(item.categories))
        cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def write_ics(dest: Path | BinaryIO, events: Sequence[IcsEvent], *, name: str) -> None:
    data = ics_bytes(events, name=name)
    if isinstance(dest, Path):
        dest.write_bytes(data)
    else:
        dest.write(data)
