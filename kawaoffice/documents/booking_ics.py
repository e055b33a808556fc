"""A booking's segments as ICS events (Outlook), one event per segment in the facility's zone."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from kawaoffice.documents.ics import IcsEvent, write_ics
from kawaoffice.i18n import _, current_language
from kawaoffice.services import tours


def booking_events(session: Session, booking_id: int) -> list[IcsEvent]:
    booking = tours.get_booking(session, booking_id)
    ja = current_language() == "ja"
    group = booking.group_name if ja else (booking.group_name_en or booking.group_name)
    events = []
    for s in booking.segments:
        f = s.facility
        zone = ZoneInfo(f.timezone or "Asia/Tokyo")
        facility = f.name_ja if ja else (f.name_en or f.name_ja)
        guides = ", ".join(f"{a.staff.family_name} {a.staff.given_name}".strip() for a in s.staff)
        lines = [
            _("Group: {group}").format(group=group),
            _("Visitors: {count}").format(count=booking.headcount),
        ]
        if s.course is not None:
            lines.append(
                _("Course: {course}").format(
                    course=s.course.name_ja if ja else (s.course.name_en or s.course.name_ja)
                )
            )
        if guides:
            lines.append(_("Guides: {names}").format(names=guides))
        if s.meeting_point:
            lines.append(_("Meeting point: {place}").format(place=s.meeting_point))
        events.append(
            IcsEvent(
                uid=f"booking-{booking.code}-segment-{s.id}@kawaoffice",
                summary=f"{booking.code} {group} — {facility}",
                start=s.starts_at.astimezone(zone),
                end=s.ends_at.astimezone(zone),
                location=f.address if ja else (f.address_en or f.address),
                description="\n".join(lines),
                categories=(_("Visit"),),
            )
        )
    return events


def write_booking_ics(session: Session, booking_id: int, dest: Path | BinaryIO) -> int:
    """Write the booking's events; returns how many."""
    events = booking_events(session, booking_id)
    booking = tours.get_booking(session, booking_id)
    write_ics(dest, events, name=booking.code)
    return len(events)
