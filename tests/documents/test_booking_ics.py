"""A booking exported as ICS: one event per segment, in Asia/Tokyo, parsed back with icalendar."""

from __future__ import annotations

import io
from datetime import datetime, time
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy.orm import Session

from kawaoffice.documents.booking_ics import write_booking_ics
from kawaoffice.model.tours import VisitorType
from kawaoffice.services import dispatch, tours

JST = ZoneInfo("Asia/Tokyo")


def test_booking_ics_round_trip(session: Session) -> None:
    f = tours.create_facility(
        session, code="NAGASAWA", name_ja="長沢浄水場", capacity=80, address="川崎市多摩区"
    )
    guide = dispatch.create_staff(session, staff_no="G1", family_name="伊藤", given_name="誠")
    b = tours.create_booking(session, code="V-1", group_name="JICA研修員", visitor_type=VisitorType.JICA_TRAINEES,
                             headcount=12)  # fmt: skip
    day = datetime(2026, 5, 13).date()
    tours.add_segment(session, booking_id=b.id, facility_id=f.id, starts_at=datetime.combine(day, time(9, 30), JST),
                      ends_at=datetime.combine(day, time(11, 30), JST), staff_ids=[guide.id])  # fmt: skip
    out = io.BytesIO()
    assert write_booking_ics(session, b.id, out) == 1
    (event,) = Calendar.from_ical(out.getvalue()).walk("VEVENT")
    assert event.decoded("dtstart") == datetime.combine(day, time(9, 30), JST)
    assert str(event["dtstart"].params["TZID"]) == "Asia/Tokyo"
    assert "長沢浄水場" in str(event["summary"]) and "伊藤 誠" in str(event["description"])
