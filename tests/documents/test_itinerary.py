"""The printed itinerary, read back: each leg's local time and JST, members, emergency contacts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from kawaoffice.documents.itinerary import build_itinerary
from kawaoffice.i18n import current_language, set_language
from kawaoffice.model.dispatch import DispatchPurpose, LegKind, MemberRole
from kawaoffice.model.partners import Contact, Employment, Organization, OrganizationKind
from kawaoffice.services import dispatch as svc

JST, ICT = ZoneInfo("Asia/Tokyo"), ZoneInfo("Asia/Vientiane")


@pytest.fixture
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    before = current_language()
    set_language(request.param)
    yield str(request.param)
    set_language(before)


def make_dispatch(session: Session) -> int:
    """A Laos dispatch with an outbound flight crossing zones, a meeting, and an overnight flight home."""
    npl = Organization(
        kind=OrganizationKind.COUNTERPART, name_ja="ナムパパ・ラオ", name_en="Nam Papa Lao", country="LA"
    )
    embassy = Organization(
        kind=OrganizationKind.OTHER,
        name_ja="在ラオス日本国大使館",
        name_en="Embassy of Japan in Laos",
        country="LA",
        phone="+85621414400",
    )
    jica = Organization(
        kind=OrganizationKind.COOPERATING, name_ja="国際協力機構", name_en="JICA", country="JP"
    )
    sato = Contact(
        family_name="佐藤", given_name="健一", name_en="Kenichi Sato", email="sato@jica.example.jp"
    )
    sato.employments.append(Employment(organization=jica, department="ラオス事務所", title="次長"))
    old = Contact(family_name="古川", name_en="Old Furukawa")
    old.employments.append(
        Employment(organization=jica, department="ラオス事務所", ended_on=date(2020, 3, 31))
    )
    session.add_all([npl, embassy, jica, sato, old])
    staff = svc.create_staff(
        session, staff_no="K1", family_name="中村", given_name="大輔", name_en="Daisuke Nakamura"
    )
    d = svc.create_dispatch(
        session,
        code="D-LA-1",
        title="ラオス短期専門家",
        title_en="Laos short-term expert",
        purpose=DispatchPurpose.SHORT_TERM_EXPERT,
        country="LA",
        city="Vientiane",
        timezone="Asia/Vientiane",
        departure_on=date(2026, 12, 7),
        return_on=date(2026, 12, 18),
    )
    svc.add_dispatch_member(session, dispatch_id=d.id, staff_id=staff.id, role=MemberRole.LEADER)
    legs = [
        (
            LegKind.FLIGHT,
            datetime(2026, 12, 7, 10, 30, tzinfo=JST),
            datetime(2026, 12, 7, 14, 45, tzinfo=ICT),
            "HND",
            "VTE",
            "NH849",
        ),
        (
            LegKind.MEETING,
            datetime(2026, 12, 8, 9, 5, tzinfo=ICT),
            datetime(2026, 12, 8, 11, 35, tzinfo=ICT),
            "NPL",
            "NPL",
            "",
        ),
        (
            LegKind.FLIGHT,
            datetime(2026, 12, 18, 23, 50, tzinfo=ICT),
            datetime(2026, 12, 19, 7, 20, tzinfo=JST),
            "VTE",
            "HND",
            "TG575",
        ),
    ]
    for kind, start, end, origin, dest, ref in legs:
        svc.add_leg(
            session,
            dispatch_id=d.id,
            kind=kind,
            starts_at=start,
            start_tz=str(start.tzinfo),
            ends_at=end,
            end_tz=str(end.tzinfo),
            origin=origin,
            destination=dest,
            reference=ref,
        )
    session.commit()
    return d.id


def _text(path: Path) -> str:
    """The text of every page, white space (line wraps in cells, Babel's narrow spaces) folded to one space."""
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return re.sub(r"\s+", " ", text.replace("\u202f", " "))


@pytest.mark.parametrize("lang", ["ja"], indirect=True)
def test_itinerary_japanese(session: Session, tmp_path: Path, lang: str) -> None:
    did = make_dispatch(session)
    out = tmp_path / "itinerary.pdf"
    build_itinerary(session, did, out, today=date(2026, 11, 1))
    text = _text(out)
    assert "D-LA-1" in text and "ラオス短期専門家" in text and "中村 大輔" in text
    # leg 1: local 10:30 (Tokyo) - 14:45 (Vientiane); JST 10:30 - 16:45; 6 h 15 min
    assert "10:30 – 14:45" in text and "10:30 – 16:45" in text
    # leg 2: local 9:05 - 11:35, JST 11:05 - 13:35
    assert "9:05 – 11:35" in text and "11:05 – 13:35" in text
    # leg 3: overnight, lands the next local day; JST 1:50 - 7:20 the next day
    assert "23:50 – 7:20（+1日）" in text and "1:50 – 7:20" in text
    assert "UTC+09:00" in text and "UTC+07:00" in text
    assert "在ラオス日本国大使館" in text and "+85621414400" in text
    assert "佐藤 健一" in text and "古川" not in text  # the past post is not an emergency contact
    assert "ナムパパ・ラオ" in text
    fonts = {str(f) for page in PdfReader(out).pages for f in page["/Resources"]["/Font"].values()}
    assert fonts


@pytest.mark.parametrize("lang", ["en"], indirect=True)
def test_itinerary_english(session: Session, tmp_path: Path, lang: str) -> None:
    did = make_dispatch(session)
    out = tmp_path / "itinerary.pdf"
    build_itinerary(session, did, out, today=date(2026, 11, 1))
    text = _text(out)
    assert "Laos short-term expert" in text and "Daisuke Nakamura" in text
    assert "10:30 AM – 2:45 PM" in text and "10:30 AM – 4:45 PM" in text
    assert "11:50 PM – 7:20 AM (+1)" in text
    assert "Embassy of Japan in Laos" in text and "Kenichi Sato" in text
