"""The dispatch ICS, parsed back with icalendar: zones of each end, the all-day dispatch event."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy.orm import Session

from kawaoffice.documents.dispatch_ics import write_dispatch_ics
from tests.documents.test_itinerary import make_dispatch


def test_ics_events_carry_their_zones(session: Session, tmp_path: Path) -> None:
    did = make_dispatch(session)
    out = tmp_path / "d.ics"
    assert write_dispatch_ics(session, did, out) == 4
    cal = Calendar.from_ical(out.read_bytes())
    events = [c for c in cal.walk("VEVENT")]
    zones = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    assert {"Asia/Tokyo", "Asia/Vientiane"} <= zones
    whole = events[0]
    assert whole["DTSTART"].dt == date(2026, 12, 7) and whole["DTEND"].dt == date(2026, 12, 19)
    out_flight, meeting, home = events[1:]
    assert out_flight["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert out_flight["DTEND"].params["TZID"] == "Asia/Vientiane"
    start, end = out_flight["DTSTART"].dt, out_flight["DTEND"].dt
    assert (start.hour, start.minute, end.hour, end.minute) == (10, 30, 14, 45)
    assert end - start == timedelta(hours=6, minutes=15)
    assert meeting["DTSTART"].params["TZID"] == "Asia/Vientiane"
    assert home["DTEND"].dt == datetime(2026, 12, 19, 7, 20, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert "NH849" in str(out_flight["SUMMARY"]) and len({str(e["UID"]) for e in events}) == 4
