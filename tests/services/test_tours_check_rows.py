"""The checks' one-statement reader (``tour_checks.read_check_rows``, a UNION ALL) returns what separate ORM reads
of the same rows give, on SQLite and PostgreSQL: facilities with opening days and the closed dates near the checked
days, courses, guides' names, the facilities' load, the guides' other visits and dispatches, recorded overrides."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kawaoffice.model.audit import ConflictOverride
from kawaoffice.model.dispatch import Dispatch, DispatchMember, DispatchStatus, Staff
from kawaoffice.model.tours import Booking, BookingSegment, BookingStatus, Course, Facility, SegmentStaff
from kawaoffice.services import tour_checks, tours
from tests.services.test_tours_loading import DAY, _plans, _world, at, statements


def _separately(
    session: Session, plans: list[tour_checks.SegmentPlan], booking_id: int
) -> tour_checks.CheckRows:
    """The same rows read one kind at a time through the ORM (what the checks read before the UNION ALL)."""
    out = tour_checks.CheckRows()
    first = min(p.starts_at.date() for p in plans) - timedelta(days=1)
    last = max(p.ends_at.date() for p in plans) + timedelta(days=1)
    for f in session.scalars(select(Facility).where(Facility.id.in_({p.facility_id for p in plans}))):
        place = tour_checks.Place(
            f.id, f.name_ja, f.name_en, f.timezone, f.capacity, f.observes_public_holidays
        )
        place.weekdays = [tour_checks.OpeningDay(w.weekday, w.closed, w.opens, w.closes) for w in f.weekdays]
        place.closed_dates = [
            tour_checks.Closure(c.id, c.closed_on, c.reason)
            for c in f.closed_dates
            if first <= c.closed_on <= last
        ]
        out.places[f.id] = place
    for c in session.scalars(select(Course).where(Course.id.in_({p.course_id for p in plans}))):
        out.courses[c.id] = tour_checks.CourseLimits(c.id, c.name_ja, c.name_en, c.min_group, c.max_group)
    staff = {sid for p in plans for sid in p.staff_ids}
    out.names = {s.id: f"{s.family_name} {s.given_name}".strip() for s in session.scalars(
        select(Staff).where(Staff.id.in_(staff)))}  # fmt: skip
    out.load = tour_checks._load_rows(
        session, [(p.facility_id, p.starts_at, p.ends_at) for p in plans], booking_id
    )
    out.guiding = [
        (a.staff_id, a.segment.id, a.segment.booking.code, a.segment.starts_at, a.segment.ends_at)
        for a in session.scalars(select(SegmentStaff).where(SegmentStaff.staff_id.in_(staff)))
        if a.segment.booking.status != BookingStatus.CANCELLED and a.segment.booking_id != booking_id
        and any(a.segment.starts_at < p.ends_at and a.segment.ends_at > p.starts_at for p in plans if p.staff_ids)
    ]  # fmt: skip
    out.guiding.sort(key=lambda r: (r[3], r[1], r[0]))
    out.away = sorted(
        (
            (m.staff_id, d.id, d.code, d.departure_on, d.return_on)
            for d, m in session.execute(select(Dispatch, DispatchMember).join(DispatchMember))
            if m.staff_id in staff and d.status != DispatchStatus.CANCELLED
            and d.departure_on <= last and d.return_on >= first
        ),
        key=lambda r: (r[3], r[1], r[0]),
    )  # fmt: skip
    segments = {p.segment_id for p in plans}
    out.recorded = {
        (o.subject_id, o.kind, str((o.details or {}).get("key", "")))
        for o in session.scalars(
            select(ConflictOverride).where(ConflictOverride.subject_table == "booking_segments")
        )
        if o.subject_id in segments
    }
    return out


def test_one_statement_reads_what_the_separate_readers_read(session: Session) -> None:
    b, guides = _world(session, 3)  # its parts were added with recorded overrides (guides double-booked...)
    tours.add_closed_date(session, b.segments[0].facility_id, DAY, "点検")  # closed on the day itself
    tours.add_closed_date(session, b.segments[0].facility_id, DAY + timedelta(days=30), "遠い日")
    cancelled = tours.create_booking(session, code="GONE", group_name="x", visitor_type=b.visitor_type,
                                     headcount=3, status=BookingStatus.CANCELLED)  # fmt: skip
    session.flush()
    session.add(BookingSegment(booking_id=cancelled.id, facility_id=b.segments[0].facility_id, starts_at=at(9),
                               ends_at=at(12)))  # fmt: skip
    session.commit()
    session.expire_all()
    plans = _plans(session.get(Booking, b.id))  # type: ignore[arg-type]
    plans.append(
        tour_checks.SegmentPlan(plans[0].facility_id, at(15), at(16), None, (guides[1],))
    )  # a new part
    combined = tour_checks.read_check_rows(session, plans, b.id)
    separate = _separately(session, plans, b.id)
    assert combined == separate
    assert combined.recorded and combined.load and combined.guiding and combined.away  # something to compare
    assert [c.reason for c in combined.places[plans[0].facility_id].closed_dates] == ["点検"]
    assert "GONE" not in {row[5] for row in combined.load}
    # a new booking (no id): its own stored parts are not excluded, recorded overrides not read when not asked
    fresh = tour_checks.read_check_rows(session, plans, None, recorded=False)
    assert not fresh.recorded
    assert {row[4] for row in fresh.load} >= {b.id}


def test_no_plans_read_nothing(session: Session) -> None:
    assert tour_checks.read_check_rows(session, [], None) == tour_checks.CheckRows()


def test_a_part_at_a_removed_facility_is_not_checked(session: Session) -> None:
    b, _guides = _world(session, 1)
    gone = tour_checks.SegmentPlan(10_000_000, at(9), at(10))
    issues = tour_checks.check_plan(
        session, [gone, *_plans(b)], headcount=12, booking_id=b.id, skip_recorded=False
    )
    assert issues and all(i.index == 1 for i in issues)


def test_choice_lists_in_one_statement_are_the_separate_readers(session: Session) -> None:
    from kawaoffice.services import dispatch

    _b, guides = _world(session, 1)
    f = tours.create_facility(session, code="OLD", name_ja="旧施設", capacity=10)
    f.active = False  # not offered
    first = session.scalars(select(Facility).where(Facility.active.is_(True)).order_by(Facility.id)).first()
    assert first is not None
    tours.create_course(
        session, facility_id=first.id, code="SHORT", name_ja="短縮", duration_min=30, max_group=10
    )
    gone = tours.create_course(session, facility_id=first.id, code="GONE", name_ja="廃止", duration_min=90,
                               max_group=10)  # fmt: skip
    gone.active = False
    dispatch.create_staff(session, staff_no="Z9", family_name="退職", given_name="者").active = False
    session.commit()
    with statements(session) as sent:
        facilities, staff = tours.booking_choice_rows(session)
    assert len(sent) == 1
    assert [(p.id, p.name_ja, p.timezone, p.courses) for p in facilities] == [
        (f.id, f.name_ja, f.timezone, tuple((c.id, c.name_ja, c.duration_min) for c in sorted(f.courses,
                                                                                             key=lambda c: c.id)
                                            if c.active))
        for f in tours.facility_choices(session)
    ]  # fmt: skip
    assert staff == tours.staff_choices(session) and len(staff) == len(guides)
    assert "旧施設" not in {p.name_ja for p in facilities}
    assert "廃止" not in {name for p in facilities for _i, name, _m in p.courses}


def test_presenter_suggestions_from_the_kept_catalog(session: Session) -> None:
    from kawaoffice.model.partners import Organization, OrganizationKind, OrganizationTechnology, Technology
    from kawaoffice.services.demo import load_demo

    load_demo(session)
    session.commit()
    catalog = tours.presenter_catalog(session)

    def by_hand(interests: str) -> list[tuple[int, tuple[str, ...], int]]:
        words = tours.interest_words(interests)
        found: dict[int, tuple[str, list[str], int]] = {}
        for link in session.scalars(select(OrganizationTechnology).order_by(OrganizationTechnology.id)):
            org, tech = (
                session.get(Organization, link.organization_id),
                session.get(Technology, link.technology_id),
            )
            assert org is not None and tech is not None
            if org.kind != OrganizationKind.MEMBER:
                continue
            text = " ".join((tech.name_ja, tech.name_en, link.product_name, link.description)).lower()
            score = sum(1 for w in words if w in text or (tech.name_ja and tech.name_ja.lower() in w))
            if score:
                name, techs, total = found.get(org.id, (org.name_ja, [], 0))
                found[org.id] = (name, techs + [tech.name_ja] * (tech.name_ja not in techs), total + score)
        ranked = sorted(found.items(), key=lambda kv: (-kv[1][2], kv[1][0]))
        return [(oid, tuple(techs), score) for oid, (_n, techs, score) in ranked[:5]]

    for interests in ("漏水", "下水処理 水道", "leak detection", "x"):
        got = tours.rank_presenters(catalog, interests, limit=5)
        assert [(p.organization_id, p.technologies, p.score) for p in got] == by_hand(interests)
        assert [(p.organization_id, p.score) for p in got] == [
            (p.organization_id, p.score) for p in tours.suggest_presenters(session, interests, limit=5)
        ]
    assert tours.rank_presenters(catalog, "漏水", limit=5)  # the demo's members present something


def test_a_part_lasts_at_most_a_day_and_the_checks_find_the_longest(session: Session) -> None:
    import pytest

    from kawaoffice.services.errors import ValidationError

    b, _guides = _world(session, 1)
    facility = b.segments[0].facility_id
    other = tours.create_booking(
        session, code="LONG", group_name="長い", visitor_type=b.visitor_type, headcount=30
    )
    with pytest.raises(ValidationError) as info:
        tours.add_segment(session, booking_id=other.id, facility_id=facility, starts_at=at(9) - timedelta(days=1),
                          ends_at=at(10, 1), override_reason="x")  # fmt: skip
    assert info.value.field == "ends_at"
    # the longest allowed part, starting a day before, still counts against a part it overlaps at its end
    tours.add_segment(session, booking_id=other.id, facility_id=facility, starts_at=at(10) - timedelta(days=1),
                      ends_at=at(10), override_reason="x")  # fmt: skip
    tours.add_segment(session, booking_id=other.id, facility_id=facility, starts_at=at(9, 30) - timedelta(days=1),
                      ends_at=at(9, 30), override_reason="x")  # fmt: skip
    session.commit()
    plan = tour_checks.SegmentPlan(facility, at(9), at(10))
    rows = tour_checks.read_check_rows(session, [plan], None)
    assert rows.load == tour_checks._load_rows(session, [(facility, plan.starts_at, plan.ends_at)], None)
    assert sum(1 for row in rows.load if row[5] == "LONG") == 2
    issues = tour_checks.check_plan(session, [plan], headcount=20)
    assert any(i.kind == tour_checks.OVER_CAPACITY and "LONG" in i.details["bookings"] for i in issues)
