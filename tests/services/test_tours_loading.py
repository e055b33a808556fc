"""What the booking dialog reads: the booking with everything it shows in a fixed number of statements, the
checks then finding facilities, courses and guides in the session; the guide and dispatch checks for several
guides of a part at once, in the order of the guides; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from kawaoffice.i18n import set_language
from kawaoffice.model.dispatch import DispatchPurpose
from kawaoffice.model.partners import OrganizationKind
from kawaoffice.model.tours import Booking, VisitorType
from kawaoffice.services import dispatch, partners, tour_checks, tours
from kawaoffice.services.errors import NotFoundError
from tests.statements import recorded_statements as statements

JST = ZoneInfo("Asia/Tokyo")
DAY = date(2026, 5, 13)  # a Wednesday, no holiday


@pytest.fixture(autouse=True)
def _english() -> None:
    set_language("en")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(DAY, time(hour, minute), JST)


def _world(session: Session, parts: int) -> tuple[Booking, list[int]]:
    """A booking of ``parts`` parts at two facilities, two guides each; the guides are also on another
    visit and one is away on a dispatch that day."""
    guides = [
        dispatch.create_staff(session, staff_no=f"G{i}", family_name=name, given_name="花子").id
        for i, name in enumerate(("案内", "通訳", "説明"))
    ]
    facilities = []
    for code in ("NAGASAWA", "KASUO"):
        f = tours.create_facility(session, code=code, name_ja=code, capacity=40)
        for weekday in range(5):
            tours.set_weekday(session, f.id, weekday, opens=time(9), closes=time(16, 30))
        tours.add_closed_date(session, f.id, date(2026, 12, 29), "年末年始")
        tours.create_course(
            session, facility_id=f.id, code="STD", name_ja="標準", duration_min=60, max_group=30
        )
        facilities.append(f)
    other = tours.create_booking(session, code="OTHER", group_name="other", visitor_type=VisitorType.DELEGATION,
                                 headcount=5)  # fmt: skip
    tours.add_segment(session, booking_id=other.id, facility_id=facilities[1].id, starts_at=at(9),
                      ends_at=at(16), staff_ids=guides[:2])  # fmt: skip
    trip = dispatch.create_dispatch(
        session, code="D-1", title="ラオス", purpose=DispatchPurpose.SURVEY, country="LA",
        timezone="Asia/Vientiane", departure_on=DAY, return_on=DAY,
    )  # fmt: skip
    dispatch.add_dispatch_member(session, dispatch_id=trip.id, staff_id=guides[1], override_reason="test")
    org = partners.create_organization(session, kind=OrganizationKind.MEMBER, name_ja="水道機工")
    b = tours.create_booking(session, code="V-1", group_name="JICA", visitor_type=VisitorType.JICA_TRAINEES,
                             headcount=12)  # fmt: skip
    tours.add_presenter(session, booking_id=b.id, organization_id=org.id, topic="漏水探知")
    for n in range(parts):
        f = facilities[n % 2]
        tours.add_segment(
            session, booking_id=b.id, facility_id=f.id, starts_at=at(9 + n), ends_at=at(10 + n),
            course_id=f.courses[0].id, staff_ids=[guides[2], guides[n % 2]], override_reason="test",
        )  # fmt: skip
    session.commit()
    return b, guides


def _plans(b: Booking) -> list[tour_checks.SegmentPlan]:
    return [
        tour_checks.SegmentPlan(
            s.facility_id, s.starts_at, s.ends_at, s.course_id, tuple(a.staff_id for a in s.staff), s.id
        )
        for s in b.segments
    ]


@pytest.mark.parametrize("parts", [1, 3])
def test_booking_for_edit_then_checks_read_nothing_twice(
    session: Session, session_factory: Callable[[], Session], parts: int
) -> None:
    b, guides = _world(session, parts)
    with session_factory() as s:
        with statements(s) as loading:
            loaded = tours.booking_for_edit(s, b.id)
            plans = _plans(loaded)
            names = [(p.organization.name_ja, p.topic) for p in loaded.presenters]
            courses = [seg.course.name_ja for seg in loaded.segments if seg.course is not None]
        # the booking with its presenters (+organization) and parts (+facility, course, guides +staff), joined
        assert len(loading) == 1
        assert names == [("水道機工", "漏水探知")] and courses == ["標準"] * parts
        with statements(s) as checking:
            issues = tour_checks.check_plan(s, plans, headcount=12, booking_id=b.id, skip_recorded=False)
        # for all parts at once, one UNION ALL: the facilities (opening days, closed dates), courses, guides'
        # names, the facilities' load, the guides' other visits and dispatches (and recorded overrides)
        assert len(checking) == 1
    with session_factory() as fresh:  # the same issues as read lazily in a new session
        expected = tour_checks.check_plan(
            fresh, _plans(tours.get_booking(fresh, b.id)), headcount=12, booking_id=b.id, skip_recorded=False
        )
    assert [(i.kind, i.index, i.key, i.message) for i in issues] == [
        (i.kind, i.index, i.key, i.message) for i in expected
    ]
    kinds = [(i.index, i.kind, i.details.get("staff_id")) for i in issues]
    # part 1 (guides 説明 then 案内): 案内 guides OTHER at that time; part 1's guide 通訳 is away on D-1
    assert (0, "guide_double_booked", guides[0]) in kinds
    assert (0, "guide_double_booked", guides[2]) not in kinds
    if parts > 1:
        assert (1, "guide_on_dispatch", guides[1]) in kinds
        assert kinds.index((1, "guide_double_booked", guides[1])) < kinds.index(
            (1, "guide_on_dispatch", guides[1])
        )
    with session_factory() as s, pytest.raises(NotFoundError):
        tours.booking_for_edit(s, b.id + 1000)


def test_guides_checked_together_keep_the_order_of_the_guides(session: Session) -> None:
    b, guides = _world(session, 1)
    plan = tour_checks.SegmentPlan(b.segments[0].facility_id, at(13), at(14), None, (guides[1], guides[0]))
    with statements(session) as sent:
        issues = tour_checks.check_plan(session, [plan], headcount=5)
    named = [(i.kind, i.details.get("staff_id")) for i in issues if i.kind.startswith("guide")]
    assert named == [
        ("guide_double_booked", guides[1]),  # 通訳 first, as chosen
        ("guide_double_booked", guides[0]),
        ("guide_on_dispatch", guides[1]),
    ]
    assert "away on dispatch D-1" in next(i.message for i in issues if i.kind == "guide_on_dispatch")
    assert len(sent) == 1  # one statement for both guides, the facility and everything else
