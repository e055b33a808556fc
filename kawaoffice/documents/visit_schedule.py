"""The visit schedule (視察日程表, A4) handed to a visiting group: date (和暦 optional), group, a timetable of the
segments and their stops, guides, meeting point and map note; in Japanese, English, or both side by side.

The fixed wording of this bilingual form is kept here in both languages (``LABELS``): a "both" document shows
the two side by side whatever the application's language, so it cannot go through the current catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO, Literal
from zoneinfo import ZoneInfo

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer
from sqlalchemy.orm import Session

from kawaoffice.documents import pdf
from kawaoffice.i18n import country_name, format_date, format_japanese_era, language_name
from kawaoffice.model.tours import Booking, SegmentRole
from kawaoffice.services import tours

Lang = Literal["ja", "en", "both"]

LABELS: dict[str, tuple[str, str]] = {
    "title": ("視察日程表", "Visit Schedule"),
    "date": ("日付", "Date"),
    "group": ("団体名", "Group"),
    "training": ("研修コース", "Training course"),
    "countries": ("国・地域", "Countries/regions"),
    "headcount": ("人数", "Number of visitors"),
    "persons": ("{n}名", "{n} persons"),
    "languages": ("言語", "Languages"),
    "interpreter": ("通訳", "Interpreter"),
    "yes": ("あり", "Yes"),
    "no": ("なし", "No"),
    "contact": ("連絡先", "Contact"),
    "timetable": ("日程", "Timetable"),
    "time": ("時間", "Time"),
    "programme": ("内容", "Programme"),
    "staff": ("案内・通訳", "Guides / interpreters"),
    "meeting": ("集合場所", "Meeting point"),
    "map": ("地図・アクセス", "Map and access"),
    "transport": ("交通", "Transport"),
    "presenters": ("会員企業による技術紹介", "Presentations by member companies"),
    "guide": ("案内", "Guide"),
    "interp": ("通訳", "Interpreter"),
    "minutes": ("{n}分", "{n} min"),
}


def label(key: str, lang: str) -> str:
    ja, en = LABELS[key]
    return ja if lang == "ja" else en


@dataclass(frozen=True)
class Stop:
    starts_at: datetime
    ends_at: datetime
    name_ja: str
    name_en: str
    minutes: int


@dataclass(frozen=True)
class ScheduleSegment:
    starts_at: datetime
    ends_at: datetime
    zone: ZoneInfo
    facility_ja: str
    facility_en: str
    hall_ja: str
    hall_en: str
    course_ja: str
    course_en: str
    stops: tuple[Stop, ...]
    guides: tuple[tuple[str, str, str], ...]  # (name ja, name en, role)
    meeting_ja: str
    meeting_en: str
    map_note: str
    address_ja: str
    address_en: str


def segments_of(booking: Booking) -> list[ScheduleSegment]:
    result = []
    for s in booking.segments:
        f = s.facility
        zone = ZoneInfo(f.timezone or "Asia/Tokyo")
        stops: list[Stop] = []
        if s.course is not None:
            at = s.starts_at
            for stop in s.course.stops:
                end = at + timedelta(minutes=stop.minutes)
                stops.append(Stop(at, end, stop.name_ja, stop.name_en or stop.name_ja, stop.minutes))
                at = end
        guides = tuple(
            (
                f"{a.staff.family_name} {a.staff.given_name}".strip(),
                a.staff.name_en or f"{a.staff.family_name} {a.staff.given_name}".strip(),
                a.role.value,
            )
            for a in s.staff
        )
        result.append(
            ScheduleSegment(
                s.starts_at, s.ends_at, zone, f.name_ja, f.name_en or f.name_ja, f.hall_name_ja,
                f.hall_name_en or f.hall_name_ja, s.course.name_ja if s.course else "",
                (s.course.name_en or s.course.name_ja) if s.course else "", tuple(stops), guides,
                s.meeting_point or f.meeting_point_ja, f.meeting_point_en or s.meeting_point or f.meeting_point_ja,
                f.map_note, f.address, f.address_en or f.address,
            )
        )  # fmt: skip
    return result


def hm(moment: datetime, zone: ZoneInfo) -> str:
    """24-hour ``9:30`` in the facility's zone, the same in both languages."""
    local = moment.astimezone(zone)
    return f"{local.hour}:{local.minute:02d}"


def span(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    return f"{hm(start, zone)}–{hm(end, zone)}"


def _date_text(day: date, lang: str, era: bool) -> str:
    if lang == "ja":
        text = format_date(day, "full", language="ja")
        return f"{format_japanese_era(day)}（{text}）" if era else text
    text = format_date(day, "full", language="en")
    return f"{text} ({format_japanese_era(day, romanized=True)})" if era else text


def _header_pairs(booking: Booking, day: date | None, lang: str, era: bool) -> list[tuple[str, str]]:
    ja = lang == "ja"
    countries = list(booking.countries) or ([booking.country] if booking.country else [])
    pairs = [
        (label("date", lang), _date_text(day, lang, era) if day else ""),
        (label("group", lang), booking.group_name if ja else (booking.group_name_en or booking.group_name)),
    ]
    if booking.training_course:
        pairs.append((label("training", lang), booking.training_course))
    if countries:
        names = [country_name(c, language=lang) for c in countries]
        pairs.append((label("countries", lang), "、".join(names) if ja else ", ".join(names)))
    pairs.append((label("headcount", lang), label("persons", lang).format(n=booking.headcount)))
    if booking.languages:
        names = [language_name(c, language=lang) for c in booking.languages]
        pairs.append((label("languages", lang), "、".join(names) if ja else ", ".join(names)))
    pairs.append((label("interpreter", lang), label("yes" if booking.interpreter_needed else "no", lang)))
    return pairs


def _guide_text(seg: ScheduleSegment, lang: str) -> str:
    lines = []
    for ja_name, en_name, role in seg.guides:
        role_label = label("interp" if role == SegmentRole.INTERPRETER.value else "guide", lang)
        lines.append(f"{role_label}: {ja_name if lang == 'ja' else en_name}")
    return "\n".join(lines)


def _segment_text(seg: ScheduleSegment, lang: str) -> str:
    ja = lang == "ja"
    facility = seg.facility_ja if ja else seg.facility_en
    hall = seg.hall_ja if ja else seg.hall_en
    lines = [f"{facility}「{hall}」" if hall and ja else (f"{facility} ({hall})" if hall else facility)]
    course = seg.course_ja if ja else seg.course_en
    if course:
        lines.append(course)
    return "\n".join(lines)


def _timetable(segments: list[ScheduleSegment], lang: Lang) -> Flowable:
    width = pdf.content_width()
    if lang == "both":
        rows: list[list[str]] = [
            [f"{label('time', 'ja')}\n{label('time', 'en')}", label("programme", "ja"), label("programme", "en"),
             f"{label('staff', 'ja')}\n{label('staff', 'en')}"],
        ]  # fmt: skip
        widths = [24 * mm, (width - 62 * mm) / 2, (width - 62 * mm) / 2, 38 * mm]
    else:
        rows = [[label("time", lang), label("programme", lang), label("staff", lang)]]
        widths = [24 * mm, width - 72 * mm, 48 * mm]
    for seg in segments:
        time_cell = span(seg.starts_at, seg.ends_at, seg.zone)
        if lang == "both":
            guides = "\n".join(f"{ja} / {en}" if ja != en else ja for ja, en, _role in seg.guides)
            rows.append([time_cell, _segment_text(seg, "ja"), _segment_text(seg, "en"), guides])
        else:
            rows.append([time_cell, _segment_text(seg, lang), _guide_text(seg, lang)])
        for stop in seg.stops:
            stop_time = "  " + span(stop.starts_at, stop.ends_at, seg.zone)
            if lang == "both":
                rows.append([stop_time, f"・{stop.name_ja}", f"- {stop.name_en}", ""])
            else:
                name = stop.name_ja if lang == "ja" else stop.name_en
                rows.append([stop_time, ("・" if lang == "ja" else "- ") + name, ""])
    return pdf.table(rows, widths, zebra=False)


def _places(segments: list[ScheduleSegment], lang: Lang) -> list[Flowable]:
    story: list[Flowable] = []
    langs = ["ja", "en"] if lang == "both" else [lang]
    seen: set[str] = set()
    pairs: list[tuple[str, str]] = []
    for seg in segments:
        if seg.facility_ja in seen:
            continue
        seen.add(seg.facility_ja)
        for code in langs:
            facility = seg.facility_ja if code == "ja" else seg.facility_en
            meeting = seg.meeting_ja if code == "ja" else seg.meeting_en
            address = seg.address_ja if code == "ja" else seg.address_en
            pairs.append(
                (f"{label('meeting', code)}\n{facility}", "\n".join(x for x in (meeting, address) if x))
            )
        if seg.map_note:
            pairs.append((" / ".join(label("map", c) for c in langs), seg.map_note))
    if pairs:
        story.append(pdf.key_value_table(pairs, label_width=45 * mm))
    return story


def build_visit_schedule(
    session: Session, booking_id: int, dest: Path | BinaryIO, *, lang: Lang = "ja", era: bool = False
) -> None:
    """Write the visit schedule of ``booking_id`` as a PDF to ``dest``."""
    booking = tours.get_booking(session, booking_id)
    segments = segments_of(booking)
    day = segments[0].starts_at.astimezone(segments[0].zone).date() if segments else None
    langs: list[str] = ["ja", "en"] if lang == "both" else [lang]
    title = " / ".join(label("title", c) for c in langs)
    story: list[Flowable] = [pdf.para(title, "title")]
    if lang == "both":
        ja_pairs, en_pairs = _header_pairs(booking, day, "ja", era), _header_pairs(booking, day, "en", era)
        half = (pdf.content_width() - 4 * mm) / 2
        block = pdf.table(
            [[pdf.key_value_table(ja_pairs, 25 * mm, half), pdf.key_value_table(en_pairs, 30 * mm, half)]],
            [half + 2 * mm, half + 2 * mm], header_rows=0, zebra=False,
        )  # fmt: skip
        block.setStyle([("GRID", (0, 0), (-1, -1), 0, "white"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
        story.append(block)
    else:
        story.append(pdf.key_value_table(_header_pairs(booking, day, lang, era)))
    story += [Spacer(1, 3 * mm), pdf.para(" / ".join(label("timetable", c) for c in langs), "heading")]
    story.append(_timetable(segments, lang))
    story += [Spacer(1, 3 * mm), *_places(segments, lang)]
    if booking.presenters:
        story.append(pdf.para(" / ".join(label("presenters", c) for c in langs), "heading"))
        lines = []
        for p in booking.presenters:
            name = (
                p.organization.name_ja if lang != "en" else (p.organization.name_en or p.organization.name_ja)
            )
            lines.append(f"・{name}" + (f"：{p.topic}" if p.topic else ""))
        story.append(pdf.para("\n".join(lines)))
    if booking.transport_notes:
        story.append(pdf.para(" / ".join(label("transport", c) for c in langs), "heading"))
        story.append(pdf.para(booking.transport_notes))
    pdf.build_pdf(
        dest, story, title=f"{title} {booking.code}", subject=booking.group_name, header=f"{title} — {booking.code}",
        language="ja" if lang != "en" else "en",
    )  # fmt: skip
