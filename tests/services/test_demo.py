"""The demo data: the real records are there, correct, aware in time and idempotent; scale adds generated volume."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kawaoffice import model
from kawaoffice.model.dispatch import Dispatch, ItineraryLeg, LegKind, Staff
from kawaoffice.model.partners import Contact, Organization, OrganizationKind
from kawaoffice.model.projects import Project, ProjectState
from kawaoffice.model.tours import Booking, BookingSegment, ClosedDate, Facility
from kawaoffice.services.demo import (
    BOOKINGS,
    CONTACTS,
    DISPATCHES,
    FACILITIES,
    GENERATED_PREFIX,
    ORGANIZATIONS,
    PROJECTS,
    STAFF,
    UNIT,
    load_demo,
)
from kawaoffice.services.text import organization_name_keys

JST = ZoneInfo("Asia/Tokyo")
ICT = ZoneInfo("Asia/Vientiane")


def _counts(session: Session) -> dict[str, int]:
    return {
        t.name: int(session.execute(select(func.count()).select_from(t)).scalar_one())
        for t in model.Base.metadata.sorted_tables
        if t.name != "audit_log"
    }


def _count(session: Session, entity: type[model.Entity]) -> int:
    return int(session.scalar(select(func.count()).select_from(entity)) or 0)


def test_real_records_are_loaded(session: Session) -> None:
    summary = load_demo(session)
    session.commit()
    assert _count(session, Facility) == len(FACILITIES) == 2
    assert _count(session, Organization) == len(ORGANIZATIONS)
    assert _count(session, Contact) == len(CONTACTS)
    assert _count(session, Staff) == len(STAFF)
    assert _count(session, Project) == len(PROJECTS)
    assert _count(session, Dispatch) == len(DISPATCHES)
    assert _count(session, Booking) == len(BOOKINGS)
    assert summary.added["projects"] == len(PROJECTS)
    assert summary.generated == {}

    mawasu2 = session.scalars(select(Project).where(Project.code == "LA-2018-MAWASU2")).one()
    assert "MaWaSU2" in mawasu2.title_ja
    assert mawasu2.scheme.code == "JICA_TCP"
    assert mawasu2.stage is not None and mawasu2.stage.code == "IMPLEMENT" and mawasu2.stage.iati_status == 2
    assert mawasu2.start_on == date(2018, 5, 1) and mawasu2.state is ProjectState.ACTIVE
    assert mawasu2.counterpart is not None and mawasu2.counterpart.name_local == "ນ້ຳປະປາລາວ"
    assert {p.role for p in mawasu2.participants} >= {1, 3, 4}
    assert "6.1" in {t.target for t in mawasu2.sdg_targets}

    bandung = session.scalars(select(Project).where(Project.code == "ID-2019-BANDUNG")).one()
    assert (
        bandung.scheme.code == "MLIT_DEMO" and bandung.start_on is not None and bandung.start_on.year == 2019
    )
    assert bandung.state is ProjectState.COMPLETED
    assert [e.occurred_on for e in bandung.events] == sorted(e.occurred_on for e in bandung.events)

    npl = session.scalars(select(Organization).where(Organization.name_ja == "ナムパパ・ラオ")).one()
    assert npl.kind is OrganizationKind.COUNTERPART and npl.country == "LA"
    assert npl.name_local == "ນ້ຳປະປາລາວ"
    assert "なむぱぱ" in npl.search_text  # folded for search as you type

    halls = {f.code: (f.name_ja, f.hall_name_ja) for f in session.scalars(select(Facility))}
    assert halls == {
        "NAGASAWA": ("長沢浄水場", "水とかがやく未来館"),
        "IRIEZAKI": ("入江崎水処理センター", "ワクワクアクア"),
    }
    nagasawa = session.scalars(select(Facility).where(Facility.code == "NAGASAWA")).one()
    assert [w.closed for w in nagasawa.weekdays] == [False] * 5 + [True] * 2
    assert all(w.opens is not None and w.opens.hour == 9 for w in nagasawa.weekdays if not w.closed)
    closed = {
        c.closed_on for c in session.scalars(select(ClosedDate).where(ClosedDate.facility_id == nagasawa.id))
    }
    assert {date(2026, 12, 29), date(2026, 12, 31), date(2027, 1, 3)} <= closed
    assert date(2027, 1, 4) not in closed
    course = next(c for c in nagasawa.courses if c.code == "STD")
    assert [s.position for s in course.stops] == list(range(len(course.stops)))
    assert sum(s.minutes for s in course.stops) == course.duration_min

    members = session.scalars(select(Organization).where(Organization.kind == OrganizationKind.MEMBER)).all()
    assert len(members) >= 10 and all(m.memberships for m in members)
    assert any(t.technology.name_ja == "漏水探知" for m in members for t in m.technologies)

    sato = session.scalars(select(Contact).where(Contact.email == "sato.kenichi@jica.example.jp")).one()
    assert len(sato.employments) == 2 and sato.employments[0].ended_on == date(2026, 3, 31)
    assert sato.successor is not None and sato.successor.family_name == "高橋"

    # planned work lies ahead of "today" (2026-11-23) so the checks and the dispatch tab have something to show
    planned = session.scalars(select(Dispatch).where(Dispatch.departure_on > date(2026, 11, 23))).all()
    assert len(planned) >= 2
    future_visits = session.scalars(select(Booking).join(Booking.segments)).unique().all()
    assert any(s.starts_at.date() > date(2026, 11, 23) for b in future_visits for s in b.segments)
    # trainees from several countries, a segment at each plant, guides and presenters
    sewer = session.scalars(select(Booking).where(Booking.code == "V-2026-JICA-SEWER")).one()
    assert len(sewer.countries) >= 3 and sum(sewer.countries.values()) == sewer.headcount
    assert [s.facility.code for s in sewer.segments] == ["NAGASAWA", "IRIEZAKI"]
    assert all(s.staff for s in sewer.segments) and sewer.presenters
    assert sewer.segments[0].starts_at.astimezone(JST).hour == 9

    # no passport numbers anywhere: only an expiry date
    assert not any("passport_no" in c.name for c in Staff.__table__.columns)


def test_itinerary_times_are_aware(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        load_demo(session)
        session.commit()
    with session_factory() as session:  # read back from the database, not from the identity map
        dispatch = session.scalars(select(Dispatch).where(Dispatch.code == "D-2026-LA-ST06")).one()
        legs = dispatch.legs
        assert [leg.position for leg in legs] == list(range(len(legs)))
        flight = legs[0]
        assert flight.kind is LegKind.FLIGHT
        assert flight.starts_at.tzinfo is not None and flight.ends_at.tzinfo is not None
        assert (flight.start_tz, flight.end_tz) == ("Asia/Tokyo", "Asia/Vientiane")
        local_start = flight.starts_at.astimezone(ZoneInfo(flight.start_tz))
        local_end = flight.ends_at.astimezone(ZoneInfo(flight.end_tz))
        assert (local_start.hour, local_start.minute) == (10, 30)
        assert (local_end.hour, local_end.minute) == (14, 45)
        # 10:30 JST is 01:30 UTC, 14:45 ICT is 07:45 UTC: 6 h 15 min in the air, not 4 h 15 min
        assert flight.ends_at - flight.starts_at == timedelta(hours=6, minutes=15)
        back = legs[-1]
        assert back.ends_at.astimezone(JST).date() == date(2026, 12, 19)  # overnight flight home
        assert all(leg.ends_at >= leg.starts_at for leg in legs)
        count = session.scalar(select(func.count()).select_from(ItineraryLeg))
        assert count and count >= len(legs)


def test_loading_twice_adds_nothing(session: Session) -> None:
    load_demo(session)
    session.commit()
    before = _counts(session)
    summary = load_demo(session)
    session.commit()
    assert summary.added == {} and summary.generated == {}
    assert _counts(session) == before


def test_scale_adds_generated_volume_and_keeps_real_records(session: Session) -> None:
    load_demo(session)
    session.commit()
    real = {p.code: (p.id, p.version, p.title_ja) for p in session.scalars(select(Project))}
    before = _counts(session)
    calls: list[tuple[int, int]] = []

    summary = load_demo(session, scale=1, progress=lambda done, total: calls.append((done, total)))
    session.commit()
    after = _counts(session)
    assert summary.added == {}
    for table, n in (
        ("organizations", UNIT["organizations"]),
        ("contacts", UNIT["contacts"]),
        ("projects", UNIT["projects"]),
        ("dispatches", UNIT["dispatches"]),
        ("bookings", UNIT["bookings"]),
        ("staff", UNIT["staff"]),
    ):
        assert after[table] - before[table] == n == summary.generated[table]
    assert after["booking_segments"] - before["booking_segments"] >= UNIT["bookings"]
    assert after["itinerary_legs"] - before["itinerary_legs"] == 2 * UNIT["dispatches"]
    assert {
        p.code: (p.id, p.version, p.title_ja)
        for p in session.scalars(select(Project).where(Project.code.not_like(f"{GENERATED_PREFIX}%")))
    } == real
    assert calls[-1][0] == calls[-1][1] and [d for d, _t in calls] == sorted(d for d, _t in calls)

    generated = session.scalars(select(Project).where(Project.code.like(f"{GENERATED_PREFIX}%"))).first()
    assert generated is not None and generated.version == 1 and generated.created_by == "tester"
    # the real and the generated organizations carry their names' duplicate keys, as the services write them
    orgs = session.scalars(select(Organization)).all()
    assert len(orgs) == after["organizations"]
    assert [o.name_keys for o in orgs] == [organization_name_keys(o.name_ja, o.name_en) for o in orgs]
    leg = session.scalars(
        select(ItineraryLeg).join(Dispatch).where(Dispatch.code.like(f"{GENERATED_PREFIX}%"))
    ).first()
    assert leg is not None and leg.starts_at.tzinfo is not None

    # the generated tours fit their facility, as a coordinator books them (scale 1 never fills a day), on
    # weekdays, inside the opening hours, and a second facility's tour comes after the first one's
    zone = ZoneInfo("Asia/Tokyo")
    load: dict[tuple[int, object], int] = {}
    parts: dict[int, list[BookingSegment]] = {}
    for segment, headcount in session.execute(
        select(BookingSegment, Booking.headcount)
        .join(Booking, BookingSegment.booking_id == Booking.id)
        .where(Booking.code.like(f"{GENERATED_PREFIX}%"))
    ).all():
        key = (segment.facility_id, segment.starts_at)
        load[key] = load.get(key, 0) + headcount
        parts.setdefault(segment.booking_id, []).append(segment)
        local = segment.starts_at.astimezone(zone)
        assert local.weekday() < 5 and local.hour >= 9 and segment.ends_at.astimezone(zone).hour < 17
    capacity = {fid: cap for fid, cap in session.execute(select(Facility.id, Facility.capacity))}
    assert all(n <= capacity[facility_id] for (facility_id, _start), n in load.items())
    for segments in parts.values():
        if len(segments) == 2:
            first, second = sorted(segments, key=lambda s: s.starts_at)
            assert first.facility_id != second.facility_id and second.starts_at >= first.ends_at

    # a second run adds a second batch with its own codes
    load_demo(session, scale=1)
    session.commit()
    assert _count(session, Project) == before["projects"] + 2 * UNIT["projects"]
