"""The printed itinerary (行程表) of a dispatch: A4, IPAex fonts embedded, in the current language (ja or en).

Header: dispatch, period, destination with its time zone, purpose, project, members. Then the legs, each with its
date, local times in the zone of each end, the same instants in Japan time (JST), duration, places and details;
then the emergency contacts (embassy, JICA office, counterpart) from the partner directory.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO

from reportlab.platypus import Flowable, Spacer
from sqlalchemy.orm import Session

from kawaoffice import i18n
from kawaoffice.i18n import _
from kawaoffice.model.dispatch import (
    DISPATCH_PURPOSE_LABELS,
    LEG_KIND_LABELS,
    MEMBER_ROLE_LABELS,
    DispatchMember,
    MemberRole,
    Staff,
)
from kawaoffice.model.partners import Contact
from kawaoffice.services import dispatch as svc
from kawaoffice.services.dispatch import CONTACT_CATEGORY_LABELS, LegView

from .pdf import build_pdf, content_width, key_value_table, mm, para, table

JST_ZONE = "Asia/Tokyo"


def _en() -> bool:
    return i18n.current_language() != "ja"


def _time(moment: datetime, zone: str) -> str:
    return i18n.format_time(moment, zone)


def local_times(leg: LegView) -> str:
    """``10:30 – 14:45`` in each end's own zone, ``(+1)`` when the end is on a later local day."""
    end = _time(leg.end_local, leg.end_tz)
    if leg.day_shift:
        end = _("{time} (+{days})").format(time=end, days=leg.day_shift)
    return f"{_time(leg.start_local, leg.start_tz)} – {end}"


def jst_times(leg: LegView) -> str:
    days = (leg.end_jst.date() - leg.start_jst.date()).days
    end = _time(leg.end_jst, JST_ZONE)
    if days:
        end = _("{time} (+{days})").format(time=end, days=days)
    return f"{_time(leg.start_jst, JST_ZONE)} – {end}"


def zones(leg: LegView) -> str:
    start = i18n.utc_offset_label(leg.start_local)
    end = i18n.utc_offset_label(leg.end_local)
    return start if leg.start_tz == leg.end_tz and start == end else f"{start} → {end}"


def build_itinerary(
    session: Session, dispatch_id: int, dest: Path | BinaryIO, *, today: date | None = None
) -> None:
    dispatch = svc.get_dispatch(session, dispatch_id)
    legs = svc.itinerary(session, dispatch_id)
    contacts = svc.emergency_contacts(session, dispatch_id, today=today)
    en = _en()
    title_text = (dispatch.title_en or dispatch.title) if en else dispatch.title

    def member_line(m: DispatchMember) -> str:
        staff, contact = m.staff, m.contact
        person: Staff | Contact | None = staff or contact
        if person is None:
            return ""
        name = svc.person_name(person.family_name, person.given_name)
        if en and person.name_en:
            name = person.name_en
        role = m.role
        where = ""
        if contact is not None:
            current = [e for e in contact.employments if e.ended_on is None]
            if current:
                org = current[0].organization
                where = (org.name_en or org.name_ja) if en else org.name_ja
        text = _("{name} ({role})").format(name=name, role=_(MEMBER_ROLE_LABELS[role]))
        return f"{text} {where}".strip()

    order = {MemberRole.LEADER: 0, MemberRole.MEMBER: 1, MemberRole.INTERPRETER: 2}
    members = sorted(dispatch.members, key=lambda m: (order.get(m.role, 9), m.id))
    project = ""
    if dispatch.project is not None:
        p = dispatch.project
        name = (p.title_en or p.title_ja) if en else p.title_ja
        project = f"{p.code} {name}".strip()
    destination = ", ".join(x for x in (dispatch.city, i18n.country_name(dispatch.country)) if x)
    header_pairs: list[tuple[str, str | Flowable]] = [
        (_("Dispatch"), f"{dispatch.code}  {title_text}"),
        (_("Period"), i18n.format_date_range(dispatch.departure_on, dispatch.return_on)),
        (
            _("Destination"),
            _("{place} (time zone {zone})").format(
                place=destination, zone=i18n.timezone_label(dispatch.timezone, _noon(dispatch.departure_on))
            ),
        ),
        (_("Purpose"), _(DISPATCH_PURPOSE_LABELS[dispatch.purpose])),
        (_("Project"), project or "—"),
        (_("Members"), "\n".join(member_line(m) for m in members) or "—"),
    ]
    story: list[Flowable] = [
        para(_("Itinerary"), "title"),
        key_value_table(header_pairs),
        para(_("Schedule"), "heading"),
    ]
    width = content_width()
    if legs:
        rows: list[list[str | Flowable]] = [
            [
                _("Date"),
                _("Kind"),
                _("From / to"),
                _("Local time"),
                _("JST"),
                _("Duration"),
                _("Details"),
            ]
        ]
        for leg in legs:
            place = (
                leg.origin
                if leg.origin == leg.destination or not leg.destination
                else (f"{leg.origin} → {leg.destination}")
            )
            details = "\n".join(x for x in (leg.reference, leg.details) if x)
            rows.append(
                [
                    f"{i18n.format_date(leg.start_local)}\n{i18n.format_weekday(leg.start_local.date())}",
                    _(LEG_KIND_LABELS[leg.kind]),
                    place,
                    f"{local_times(leg)}\n{zones(leg)}",
                    jst_times(leg),
                    i18n.format_duration(leg.duration),
                    details,
                ]
            )
        widths = [22 * mm, 16 * mm, 40 * mm, 32 * mm, 25 * mm, 17 * mm]
        widths.append(width - sum(widths))
        story.append(table(rows, widths))
        story.append(Spacer(1, 2 * mm))
        story.append(
            para(
                _(
                    "Local times are in the time zone of each place; JST is Japan time. "
                    "(+1) means the next day. Durations are the real elapsed time."
                ),
                "note",
            )
        )
    else:
        story.append(para(_("No itinerary legs have been entered yet."), "body"))
    story.append(para(_("Emergency contacts"), "heading"))
    if contacts:
        rows = [[_("Category"), _("Organization"), _("Person"), _("Phone"), _("E-mail")]]
        for c in contacts:
            person = (c.person_en or c.person) if en else c.person
            if c.title:
                person = f"{person}\n{c.title}" if person else c.title
            rows.append(
                [
                    _(CONTACT_CATEGORY_LABELS[c.category]),
                    c.organization_en if en else c.organization,
                    person,
                    c.phone,
                    c.email,
                ]
            )
        widths = [26 * mm, 55 * mm, 38 * mm, 30 * mm]
        widths.append(width - sum(widths))
        story.append(table(rows, widths))
    else:
        story.append(
            para(
                _(
                    "The partner directory has no embassy, JICA office or counterpart for {country}. "
                    "Add them there to print them here."
                ).format(country=i18n.country_name(dispatch.country)),
                "body",
            )
        )
    if dispatch.notes:
        story.append(para(_("Notes"), "heading"))
        story.append(para(dispatch.notes))
    build_pdf(
        dest,
        story,
        title=_("Itinerary {code}").format(code=dispatch.code),
        subject=title_text,
        header=_("Itinerary {code}").format(code=dispatch.code),
    )


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
