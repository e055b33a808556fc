"""The visit schedule PDF of a demo booking, read back: facility names and times exactly, in ja / en / both."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kawaoffice.documents.confirmation import build_confirmation
from kawaoffice.documents.visit_schedule import build_visit_schedule
from kawaoffice.i18n import current_language, set_language
from kawaoffice.model.tours import Booking
from kawaoffice.services.demo import load_demo


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sessionmaker[Session]]:
    from kawaoffice.storage.database import create_db_engine, make_session_factory
    from tests.conftest import _create_schema

    url = f"sqlite:///{tmp_path_factory.mktemp('tours') / 'demo.sqlite3'}"
    _create_schema(url)
    engine = create_db_engine(url)
    factory = make_session_factory(engine, user="tester")
    with factory() as s:
        load_demo(s)
        s.commit()
    yield factory
    engine.dispose()


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _pdf(factory: sessionmaker[Session], code: str, **kwargs: object) -> bytes:
    out = io.BytesIO()
    with factory() as s:
        booking_id = s.scalars(select(Booking.id).where(Booking.code == code)).one()
        build_visit_schedule(s, booking_id, out, **kwargs)  # type: ignore[arg-type]
    return out.getvalue()


def test_japanese_schedule_has_facilities_times_stops_and_guides(demo_db: sessionmaker[Session]) -> None:
    text = text_of(_pdf(demo_db, "V-2026-JICA-SEWER", lang="ja", era=True))
    for expected in (
        "視察日程表", "長沢浄水場", "水とかがやく未来館", "入江崎水処理センター", "ワクワクアクア",
        "9:30–11:30", "14:00–15:45", "9:30–9:50", "ろ過池", "令和8年12月3日", "集合場所",
        "水とかがやく未来館 1階エントランス", "下水道維持管理(C)", "14名",
    ):  # fmt: skip
        assert expected in text, expected


def test_english_and_both(demo_db: sessionmaker[Session]) -> None:
    english = text_of(_pdf(demo_db, "V-2026-JICA-SEWER", lang="en"))
    assert "Visit Schedule" in english and "Nagasawa Water Purification Plant" in english
    assert "Iriezaki Wastewater Treatment Center" in english and "14:00–15:45" in english
    assert "長沢浄水場" not in english
    both = text_of(_pdf(demo_db, "V-2026-JICA-SEWER", lang="both"))
    for expected in ("視察日程表 / Visit Schedule", "長沢浄水場", "Nagasawa Water Purification Plant",
                     "ワクワクアクア", "Waku Waku Aqua", "9:30–11:30", "Filtration basins", "ろ過池"):  # fmt: skip
        assert expected in both, expected


def test_confirmation_letter(demo_db: sessionmaker[Session]) -> None:
    before = current_language()
    set_language("en")
    try:
        out = io.BytesIO()
        with demo_db() as s:
            booking_id = s.scalars(select(Booking.id).where(Booking.code == "V-2027-ID-BANDUNG")).one()
            build_confirmation(s, booking_id, out)
        text = text_of(out.getvalue())
    finally:
        set_language(before)
    assert "Confirmation of your visit" in text and "V-2027-ID-BANDUNG" in text
    assert "Nagasawa Water Purification Plant" in text and "9:30–11:30" in text and "14:00–15:45" in text
