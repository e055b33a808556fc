"""Itinerary legs: local times and JST, durations across zones, the overlap rule (also as a property)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from kawaoffice.model.dispatch import DispatchPurpose, LegKind
from kawaoffice.services import dispatch as svc
from kawaoffice.services.errors import ValidationError

JST, ICT = ZoneInfo("Asia/Tokyo"), ZoneInfo("Asia/Vientiane")


def _dispatch(session: Session) -> int:
    return svc.create_dispatch(
        session,
        code="D-1",
        title="ラオス",
        purpose=DispatchPurpose.SHORT_TERM_EXPERT,
        country="LA",
        timezone="Asia/Vientiane",
        departure_on=date(2026, 12, 7),
        return_on=date(2026, 12, 18),
    ).id


def test_views_across_zones(session: Session) -> None:
    did = _dispatch(session)
    svc.add_leg(
        session,
        dispatch_id=did,
        kind=LegKind.FLIGHT,
        starts_at=datetime(2026, 12, 7, 10, 30, tzinfo=JST),
        start_tz="Asia/Tokyo",
        ends_at=datetime(2026, 12, 7, 14, 45, tzinfo=ICT),
        end_tz="Asia/Vientiane",
    )
    svc.add_leg(  # overnight flight home: leaves 23:55 ICT, lands 07:20 JST the next day
        session,
        dispatch_id=did,
        kind=LegKind.FLIGHT,
        starts_at=datetime(2026, 12, 18, 23, 55, tzinfo=ICT),
        start_tz="Asia/Vientiane",
        ends_at=datetime(2026, 12, 19, 7, 20, tzinfo=JST),
        end_tz="Asia/Tokyo",
    )
    session.commit()
    session.expire_all()
    out, back = svc.itinerary(session, did)
    assert out.duration == timedelta(hours=6, minutes=15)  # 4h15 on the clocks, 2 h of zone difference
    assert (out.start_local.hour, out.end_local.hour, out.end_jst.hour, out.day_shift) == (10, 14, 16, 0)
    assert back.duration == timedelta(hours=5, minutes=25)
    assert back.day_shift == 1 and back.start_jst == datetime(2026, 12, 19, 1, 55, tzinfo=JST)
    assert str(back.start_local.tzinfo) == "Asia/Vientiane" and back.start_local.hour == 23


def test_overlapping_legs_are_refused(session: Session) -> None:
    did = _dispatch(session)
    flight = svc.add_leg(
        session,
        dispatch_id=did,
        kind=LegKind.FLIGHT,
        starts_at=datetime(2026, 12, 7, 10, 30, tzinfo=JST),
        start_tz="Asia/Tokyo",
        ends_at=datetime(2026, 12, 7, 14, 45, tzinfo=ICT),
        end_tz="Asia/Vientiane",
    )
    # 14:00 ICT is 16:00 JST: during the flight
    with pytest.raises(ValidationError) as info:
        svc.add_leg(
            session,
            dispatch_id=did,
            kind=LegKind.CAR,
            starts_at=datetime(2026, 12, 7, 14, 0, tzinfo=ICT),
            start_tz="Asia/Vientiane",
            ends_at=datetime(2026, 12, 7, 15, 0, tzinfo=ICT),
            end_tz="Asia/Vientiane",
        )
    assert info.value.field == "starts_at"
    # touching is fine, and a hotel stay may span meetings
    svc.add_leg(
        session,
        dispatch_id=did,
        kind=LegKind.CAR,
        starts_at=datetime(2026, 12, 7, 14, 45, tzinfo=ICT),
        start_tz="Asia/Vientiane",
        ends_at=datetime(2026, 12, 7, 15, 30, tzinfo=ICT),
        end_tz="Asia/Vientiane",
    )
    svc.add_leg(
        session,
        dispatch_id=did,
        kind=LegKind.HOTEL,
        starts_at=datetime(2026, 12, 7, 15, 30, tzinfo=ICT),
        start_tz="Asia/Vientiane",
        ends_at=datetime(2026, 12, 18, 11, 0, tzinfo=ICT),
        end_tz="Asia/Vientiane",
    )
    svc.add_leg(
        session,
        dispatch_id=did,
        kind=LegKind.MEETING,
        starts_at=datetime(2026, 12, 8, 9, 0, tzinfo=ICT),
        start_tz="Asia/Vientiane",
        ends_at=datetime(2026, 12, 8, 11, 0, tzinfo=ICT),
        end_tz="Asia/Vientiane",
    )
    # moving the flight onto the car ride is refused too (the leg itself is not compared with itself)
    with pytest.raises(ValidationError):
        svc.update_leg(session, flight.id, flight.version, ends_at=datetime(2026, 12, 7, 15, 0, tzinfo=ICT))
    svc.update_leg(session, flight.id, flight.version, details="NH849")


def test_validate_legs_names_the_legs() -> None:
    def leg(kind: LegKind, h1: int, h2: int) -> svc.LegSpec:
        return svc.LegSpec(
            kind,
            datetime(2026, 5, 1, h1, tzinfo=ICT),
            "Asia/Vientiane",
            datetime(2026, 5, 1, h2, tzinfo=ICT),
            "Asia/Vientiane",
        )

    with pytest.raises(ValidationError) as info:
        svc.validate_legs([leg(LegKind.MEETING, 9, 11), leg(LegKind.HOTEL, 8, 20), leg(LegKind.CAR, 10, 12)])
    assert info.value.field == "legs" and "1" in info.value.message and "3" in info.value.message
    with pytest.raises(ValidationError) as info:
        svc.validate_legs([leg(LegKind.MEETING, 11, 9)])
    assert "1" in info.value.message
    with pytest.raises(ValidationError):
        svc.validate_legs(
            [
                svc.LegSpec(
                    LegKind.CAR,
                    datetime(2026, 5, 1, 9),
                    "Asia/Vientiane",
                    datetime(2026, 5, 1, 10, tzinfo=UTC),
                    "Asia/Vientiane",
                )
            ]
        )


_minutes = st.integers(0, 24 * 60)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(list(LegKind)), _minutes, st.integers(1, 600)), max_size=8))
def test_leg_overlaps_finds_exactly_the_overlapping_pairs(raw: list[tuple[LegKind, int, int]]) -> None:
    base = datetime(2026, 5, 1, tzinfo=UTC)
    legs = [
        svc.LegSpec(k, base + timedelta(minutes=s), "UTC", base + timedelta(minutes=s + n), "UTC")
        for k, s, n in raw
    ]
    expected = set()
    for i, a in enumerate(legs):
        for j, b in enumerate(legs):
            same_group = (a.kind == LegKind.HOTEL) == (b.kind == LegKind.HOTEL)
            # minute by minute: do they share a minute of time?
            shared = set(range(raw[i][1], raw[i][1] + raw[i][2])) & set(
                range(raw[j][1], raw[j][1] + raw[j][2])
            )
            if i < j and same_group and shared:
                expected.add((i, j))
    assert set(svc.leg_overlaps(legs)) == expected
