"""Property: whatever sequence of bookings and moves is tried, no accepted state has a facility over capacity
or a guide on two overlapping segments unless an override with a reason was recorded for it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kawaoffice.model.audit import ConflictOverride
from kawaoffice.model.tours import BookingSegment, BookingStatus
from kawaoffice.services import dispatch, tour_checks, tours
from kawaoffice.services.errors import ConflictError

JST = ZoneInfo("Asia/Tokyo")
DAY = date(2026, 5, 13)

add_op = st.tuples(
    st.just("add"),
    st.integers(1, 25),  # headcount
    st.integers(0, 1),  # facility
    st.integers(0, 12),  # start, half hours from 9:00
    st.integers(1, 4),  # length in half hours
    st.sets(st.integers(0, 2), max_size=2),  # guides
    st.booleans(),  # override with a reason
)
move_op = st.tuples(st.just("move"), st.integers(0, 20), st.integers(-4, 4), st.booleans())
ops = st.lists(st.one_of(add_op, move_op), min_size=1, max_size=12)


def _violations(session: Session) -> list[str]:
    """Overflows and guide overlaps in the stored state that no recorded override covers."""
    segments = [
        s for s in session.scalars(select(BookingSegment)) if s.booking.status != BookingStatus.CANCELLED
    ]
    overridden = {(o.kind, o.subject_id) for o in session.scalars(select(ConflictOverride))}
    problems = []
    for seg in segments:
        overlapping = [o for o in segments if o.facility_id == seg.facility_id and tours.times_overlap(
            o.starts_at, o.ends_at, seg.starts_at, seg.ends_at)]  # fmt: skip
        for moment in {max(o.starts_at, seg.starts_at) for o in overlapping}:
            load = sum(o.booking.headcount for o in overlapping if o.starts_at <= moment < o.ends_at)
            if load > seg.facility.capacity and not any(
                ("over_capacity", o.id) in overridden
                for o in overlapping
                if o.starts_at <= moment < o.ends_at
            ):
                problems.append(f"capacity {seg.id} at {moment}: {load}")
        for a in seg.staff:
            for other in segments:
                same_guide = other.id != seg.id and any(x.staff_id == a.staff_id for x in other.staff)
                overlap = tours.times_overlap(seg.starts_at, seg.ends_at, other.starts_at, other.ends_at)
                covered = ("guide_double_booked", seg.id) in overridden or (
                    "guide_double_booked",
                    other.id,
                ) in overridden
                if same_guide and overlap and not covered:
                    problems.append(f"guide {a.staff_id} on {seg.id} and {other.id}")
    return problems


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=ops)
def test_no_unrecorded_overflow_or_guide_overlap(session_factory: sessionmaker[Session], steps: list) -> None:
    with session_factory() as session:
        for table in (
            "conflict_overrides",
            "segment_staff",
            "booking_segments",
            "bookings",
            "facilities",
            "staff",
        ):
            session.execute(BookingSegment.metadata.tables[table].delete())
        session.commit()
        facilities = [
            tours.create_facility(session, code=f"F{i}", name_ja=f"施設{i}", capacity=cap)
            for i, cap in enumerate((30, 40))
        ]
        guides = [dispatch.create_staff(session, staff_no=f"G{i}", family_name=f"案内{i}") for i in range(3)]
        session.commit()
        booking_ids: list[int] = []
        for n, step in enumerate(steps):
            try:
                if step[0] == "add":
                    _, headcount, fac, start, length, guide_set, override = step
                    b = tours.create_booking(session, code=f"B{n}", group_name="g", visitor_type="delegation",
                                             headcount=headcount)  # fmt: skip
                    starts = datetime.combine(DAY, time(9), JST) + timedelta(minutes=30 * start)
                    tours.add_segment(
                        session, booking_id=b.id, facility_id=facilities[fac].id, starts_at=starts,
                        ends_at=starts + timedelta(minutes=30 * length),
                        staff_ids=[guides[g].id for g in sorted(guide_set)],
                        override_reason="by property test" if override else None,
                    )  # fmt: skip
                    booking_ids.append(b.id)
                elif booking_ids:
                    _, which, half_hours, override = step
                    b = tours.get_booking(session, booking_ids[which % len(booking_ids)])
                    tours.move_booking(
                        session, b.id, b.version, shift=timedelta(minutes=30 * half_hours),
                        override_reason="by property test" if override else None,
                    )  # fmt: skip
                session.commit()
            except ConflictError as error:
                session.rollback()
                assert error.details["issues"] and error.message
            assert _violations(session) == []
        assert tour_checks.CHECK_KINDS
