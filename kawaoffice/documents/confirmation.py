"""The confirmation letter (受入れ確認書) to a visiting group, in the current language."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer
from sqlalchemy.orm import Session

from kawaoffice.documents import pdf
from kawaoffice.documents.visit_schedule import segments_of, span
from kawaoffice.i18n import _, current_language, format_date, format_japanese_era
from kawaoffice.services import tours


def build_confirmation(
    session: Session, booking_id: int, dest: Path | BinaryIO, *, today: date | None = None
) -> None:
    """Write the letter confirming the visit of ``booking_id`` to ``dest``."""
    booking = tours.get_booking(session, booking_id)
    ja = current_language() == "ja"
    issued = today or date.today()
    segments = segments_of(booking)
    story: list[Flowable] = [
        pdf.para(format_japanese_era(issued) if ja else format_date(issued, "long"), "cell_right"),
        Spacer(1, 4 * mm),
    ]
    org = booking.organization
    addressee = [org.name_ja if ja else (org.name_en or org.name_ja)] if org is not None else []
    group = booking.group_name if ja else (booking.group_name_en or booking.group_name)
    addressee.append(group)
    if booking.contact_name:
        addressee.append(_("{name} (contact person)").format(name=booking.contact_name))
    story.append(pdf.para("\n".join(addressee)))
    story += [Spacer(1, 6 * mm), pdf.para(_("Confirmation of your visit"), "title")]
    story.append(
        pdf.para(
            _(
                "Thank you for your interest in the water and sewerage works of our city. We are pleased to "
                "confirm your visit as follows. Please let us know of any change in the number of visitors."
            )
        )
    )
    story.append(Spacer(1, 4 * mm))
    rows: list[list[str]] = [[_("Date and time"), _("Facility"), _("Meeting point")]]
    for seg in segments:
        day = seg.starts_at.astimezone(seg.zone).date()
        rows.append(
            [
                f"{format_date(day, 'long')}\n{span(seg.starts_at, seg.ends_at, seg.zone)}",
                "\n".join(
                    x for x in ((seg.facility_ja, seg.hall_ja) if ja else (seg.facility_en, seg.hall_en)) if x
                ),
                seg.meeting_ja if ja else seg.meeting_en,
            ]
        )
    width = pdf.content_width()
    story.append(pdf.table(rows, [45 * mm, (width - 45 * mm) / 2, (width - 45 * mm) / 2], zebra=False))
    story.append(Spacer(1, 4 * mm))
    story.append(
        pdf.key_value_table(
            [
                (_("Booking number"), booking.code),
                (_("Number of visitors"), str(booking.headcount)),
                (_("Interpreter"), _("Arranged") if booking.interpreter_needed else _("Not needed")),
            ]
        )
    )
    story += [
        Spacer(1, 8 * mm),
        pdf.para(_("International Program Office, Waterworks Bureau"), "cell_right"),
    ]
    title = _("Confirmation of your visit")
    pdf.build_pdf(dest, story, title=f"{title} {booking.code}", subject=group)
