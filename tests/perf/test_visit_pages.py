"""The visits list's pages (found by walking the latest segments) are exactly the slices of the whole list, with
and without filters, and on both backends; the first-visit window keeps the same bookings as filtering by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kawaoffice.model.tours import Booking, BookingSegment, BookingStatus
from kawaoffice.services import overview
from kawaoffice.services.demo import load_demo


@pytest.fixture
def visits(session: Session) -> Session:
    load_demo(session, scale=1)  # the real bookings and 1,000 generated ones (1-2 segments each)
    # bookings without any segment, and two first starts at the same instant (ties go by id, higher first)
    first = session.scalars(select(Booking).order_by(Booking.id).limit(3)).all()
    for b in first[:2]:
        for seg in list(b.segments):
            session.delete(seg)
    session.flush()
    same = session.scalars(select(BookingSegment).order_by(BookingSegment.id.desc()).limit(2)).all()
    same[1].starts_at, same[1].ends_at = same[0].starts_at, same[0].ends_at
    session.flush()
    return session


FILTERS = [
    (None, ""),
    (BookingStatus.COMPLETED, ""),
    (None, "生成"),
    (BookingStatus.CONFIRMED, "00"),
    (None, "ラオス"),
]


def test_visit_pages(visits: Session) -> None:
    """One database for every check (loading 1,000 bookings per check would make the suite slow)."""
    _pages_are_slices_of_the_whole_list(visits)
    _whole_list_order(visits)
    _first_visit_window(visits)


def _pages_are_slices_of_the_whole_list(visits: Session) -> None:
    for status, text in FILTERS:
        whole = overview.list_visits(visits, status=status, text=text)
        assert whole, f"the filter {status} {text!r} keeps some bookings"
        for offset, limit in (
            (0, 1),
            (0, 200),
            (37, 50),
            (200, 200),
            (len(whole) - 5, 200),
            (len(whole), 10),
        ):
            page = overview.list_visits(visits, offset=offset, limit=limit, status=status, text=text)
            assert page == whole[offset : offset + limit], (status, text, offset, limit)


def _whole_list_order(visits: Session) -> None:
    rows = overview.list_visits(visits)
    dated = [r for r in rows if r.visit_date is not None]
    undated = rows[len(dated) :]
    assert all(r.visit_date is None for r in undated) and len(undated) >= 2
    assert [r.id for r in undated] == sorted((r.id for r in undated), reverse=True)
    assert [r.visit_date for r in dated] == sorted((r.visit_date for r in dated), reverse=True)


def _first_visit_window(visits: Session) -> None:
    start = datetime(2025, 3, 31, 15, tzinfo=UTC)  # 1 April 2025 00:00 in Japan
    end = start + timedelta(days=365)
    firsts: dict[int, datetime] = {}
    for seg in visits.scalars(select(BookingSegment)):
        if seg.booking_id not in firsts or seg.starts_at < firsts[seg.booking_id]:
            firsts[seg.booking_id] = seg.starts_at
    expected = {bid for bid, first in firsts.items() if start <= first < end}
    got = overview.list_visits(visits, first_from=start, first_until=end)
    assert {r.id for r in got} == expected and expected
    assert all(date(2025, 4, 1) <= r.visit_date <= date(2026, 3, 31) for r in got if r.visit_date)
