"""The dispatch conflict checks beyond the overlap rule, the save of a whole dispatch, and the timeline marks."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kawaoffice.i18n import set_language
from kawaoffice.model.audit import AuditAction, AuditEntry, ConflictOverride
from kawaoffice.model.dispatch import DispatchPurpose, DispatchStatus, LegKind, MemberRole
from kawaoffice.model.tours import (
    Booking,
    BookingSegment,
    BookingStatus,
    Facility,
    SegmentStaff,
    VisitorType,
)
from kawaoffice.services import dispatch as svc
from kawaoffice.services import dispatch_checks as checks
from kawaoffice.services.errors import ConflictError, StaleEditError, ValidationError
from tests.services.test_dispatch_page import statements

JST = ZoneInfo("Asia/Tokyo")


@pytest.fixture(autouse=True)
def _english() -> None:
    set_language("en")  # tests/conftest.py puts the session's language back after each test


def _values(code: str, dep: date, ret: date, **extra: object) -> dict[str, object]:
    return {
        "code": code,
        "title": f"派遣 {code}",
        "purpose": DispatchPurpose.SHORT_TERM_EXPERT,
        "country": "LA",
        "timezone": "Asia/Vientiane",
        "departure_on": dep,
        "return_on": ret,
        **extra,
    }


def _guide(session: Session, staff_id: int, start: datetime, status: BookingStatus) -> Booking:
    facility = session.scalar(select(Facility).where(Facility.code == "NAG"))
    if facility is None:
        facility = Facility(code="NAG", name_ja="長沢浄水場", capacity=80)
        session.add(facility)
    booking = Booking(
        code=f"V-{start:%m%d}-{status.value}",
        group_name="ラオス研修員",
        visitor_type=VisitorType.JICA_TRAINEES,
        headcount=10,
        status=status,
    )
    segment = BookingSegment(facility=facility, starts_at=start, ends_at=start.replace(hour=start.hour + 2))
    segment.staff.append(SegmentStaff(staff_id=staff_id))
    booking.segments.append(segment)
    session.add(booking)
    session.flush()
    return booking


def test_add_months_clamps_to_month_end() -> None:
    assert checks.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert checks.add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert checks.add_months(date(2026, 12, 18), 6) == date(2027, 6, 18)


def test_passport_check_and_override(session: Session) -> None:
    short = svc.create_staff(session, staff_no="K1", family_name="旅券", passport_expiry=date(2027, 6, 17))
    ok = svc.create_staff(session, staff_no="K2", family_name="十分", passport_expiry=date(2027, 6, 18))
    unknown = svc.create_staff(session, staff_no="K3", family_name="不明")
    d = svc.create_dispatch(session, **_values("D-P", date(2026, 12, 7), date(2026, 12, 18)))  # type: ignore[arg-type]
    svc.add_dispatch_member(session, dispatch_id=d.id, staff_id=ok.id)  # expires exactly 6 months after: fine
    svc.add_dispatch_member(session, dispatch_id=d.id, staff_id=unknown.id)  # unknown expiry: not flagged
    with pytest.raises(ConflictError) as info:
        svc.add_dispatch_member(session, dispatch_id=d.id, staff_id=short.id)
    assert info.value.kind == checks.PASSPORT_EXPIRY and info.value.overridable
    assert "旅券" in info.value.message and "Jun 17, 2027" in info.value.message
    svc.add_dispatch_member(session, dispatch_id=d.id, staff_id=short.id, override_reason="更新手続き中")
    session.commit()
    override = session.scalars(select(ConflictOverride)).one()
    assert (override.kind, override.subject_id, override.other_table, override.other_id) == (
        "passport_expiry",
        d.id,
        "staff",
        short.id,
    )
    kinds = [i.kind for i in svc.check_saved_dispatch(session, d.id)]
    assert kinds == ["passport_expiry"]  # (Lao National Day, Dec 2, is before the stay)


def test_guide_during_dispatch(session: Session) -> None:
    guide = svc.create_staff(session, staff_no="G1", family_name="案内")
    # a visit on the evening of the return day (JST) counts; one the next morning does not; cancelled ones don't
    _guide(session, guide.id, datetime(2026, 5, 20, 20, 0, tzinfo=JST), BookingStatus.CONFIRMED)
    _guide(session, guide.id, datetime(2026, 5, 21, 9, 0, tzinfo=JST), BookingStatus.CONFIRMED)
    _guide(session, guide.id, datetime(2026, 5, 15, 9, 0, tzinfo=JST), BookingStatus.CANCELLED)
    d = svc.create_dispatch(session, **_values("D-G", date(2026, 5, 10), date(2026, 5, 20)))  # type: ignore[arg-type]
    with pytest.raises(ConflictError) as info:
        svc.add_dispatch_member(session, dispatch_id=d.id, staff_id=guide.id)
    conflicts = info.value.details["conflicts"]
    assert [(x["kind"], x["booking_code"]) for x in conflicts] == [
        ("guide_during_dispatch", "V-0520-confirmed")
    ]
    assert "V-0520-confirmed" in info.value.message and "案内" in info.value.message
    # moving the dispatch a day earlier clears it
    svc.add_dispatch_member(session, dispatch_id=d.id, staff_id=guide.id, override_reason="午前のみ対応")
    svc.update_dispatch(session, d.id, d.version, departure_on=date(2026, 5, 9), return_on=date(2026, 5, 19))
    assert [i.kind for i in svc.check_saved_dispatch(session, d.id)] == []


def test_holidays_are_information_only() -> None:
    cand = checks.DispatchCandidate(date(2026, 4, 13), date(2026, 4, 17), (), country="LA")
    issues = checks.holiday_issues(cand)
    assert [i.severity for i in issues] == [checks.Severity.INFO]
    assert [d for d, _n in issues[0].details["holidays"]] == ["2026-04-14", "2026-04-15", "2026-04-16"]
    assert "Lao New Year" in issues[0].message and "Laos" in issues[0].message
    assert checks.blocking(issues) == []
    assert (
        checks.holiday_issues(checks.DispatchCandidate(date(2026, 5, 4), date(2026, 5, 8), (), country="LA"))
        == []
    )
    assert (
        checks.destination_holidays("ZZ", date(2026, 1, 1), date(2026, 12, 31)) == []
    )  # unsupported country


def test_return_before_departure_is_an_error_not_a_conflict(session: Session) -> None:
    cand = checks.DispatchCandidate(date(2026, 5, 10), date(2026, 5, 9), ())
    issues = checks.check_dispatch(session, cand)
    assert [(i.kind, i.severity) for i in issues] == [("return_before_departure", checks.Severity.ERROR)]
    with pytest.raises(ValidationError) as info:
        svc.save_dispatch(session, None, None, _values("D-R", date(2026, 5, 10), date(2026, 5, 9)), [])
    assert info.value.field == "return_on"


def test_save_dispatch_with_members_legs_and_override(session: Session) -> None:
    a = svc.create_staff(session, staff_no="A1", family_name="川崎")
    b = svc.create_staff(session, staff_no="B1", family_name="多摩")
    first = svc.save_dispatch(
        session,
        None,
        None,
        _values("D-1", date(2026, 5, 10), date(2026, 5, 20)),
        [svc.MemberSpec(staff_id=a.id, role=MemberRole.LEADER), svc.MemberSpec(staff_id=b.id)],
        [
            svc.LegSpec(
                LegKind.FLIGHT,
                datetime(2026, 5, 10, 10, 30, tzinfo=JST),
                "Asia/Tokyo",
                datetime(2026, 5, 10, 14, 45, tzinfo=ZoneInfo("Asia/Vientiane")),
                "Asia/Vientiane",
                "HND",
                "VTE",
            )
        ],
    )
    session.commit()
    assert [m.role for m in first.members] == [MemberRole.LEADER, MemberRole.MEMBER]
    values = _values("D-2", date(2026, 5, 18), date(2026, 5, 25))
    with pytest.raises(ConflictError) as info:
        svc.save_dispatch(session, None, None, values, [svc.MemberSpec(staff_id=b.id)])
    assert info.value.kind == "dispatch_overlap" and "D-1" in info.value.message
    session.rollback()
    assert svc.list_dispatches(session, text="D-2") == []  # nothing written
    second = svc.save_dispatch(
        session, None, None, values, [svc.MemberSpec(staff_id=b.id)], override_reason="前後の引継ぎのため"
    )
    session.commit()
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.OVERRIDE)).one()
    assert entry.reason == "前後の引継ぎのため" and entry.row_id == second.id
    records = checks.overrides_of(session, second.id)
    issues = svc.check_saved_dispatch(session, second.id)
    assert [i.key for i in issues if i.overridable] == [r.key for r in records]
    # the dialog reads the recorded overrides in the checks' own statement: the same records, newest first
    session.add(ConflictOverride(user="other", kind="dispatch_overlap", subject_table="dispatches",
                                 subject_id=second.id, reason="二度目", details={"key": "k2", "message": "m2"}))  # fmt: skip
    session.commit()
    candidate = checks.candidate_of(second)
    with statements(session) as sent:
        combined, read = checks.check_dispatch_reading_overrides(session, candidate)
    assert len(sent) == 1 and read == checks.overrides_of(session, second.id) and len(read) == 2
    assert combined == checks.check_dispatch(session, candidate)
    assert checks.check_dispatch_reading_overrides(session, candidate, overrides=False)[1] is None

    # editing the members bumps the version: a second editor with the old version is refused
    version = first.version
    svc.save_dispatch(session, first.id, version, {}, [svc.MemberSpec(staff_id=a.id, role=MemberRole.LEADER)])
    session.commit()
    assert first.version == version + 1 and [m.staff_id for m in first.members] == [a.id]
    with pytest.raises(StaleEditError):
        svc.save_dispatch(session, first.id, version, {}, [])
    # an error cannot be overridden
    with pytest.raises(ValidationError):
        svc.save_dispatch(
            session, first.id, first.version, {"return_on": date(2026, 5, 1)}, [], override_reason="x"
        )


def test_member_validation(session: Session) -> None:
    a = svc.create_staff(session, staff_no="A1", family_name="川崎")
    with pytest.raises(ValidationError) as info:
        svc.save_dispatch(
            session,
            None,
            None,
            _values("D-1", date(2026, 5, 10), date(2026, 5, 20)),
            [svc.MemberSpec(staff_id=a.id), svc.MemberSpec(staff_id=a.id)],
        )
    assert info.value.field == "members"
    with pytest.raises(ValidationError):
        svc.save_dispatch(
            session, None, None, _values("D-1", date(2026, 5, 10), date(2026, 5, 20)), [svc.MemberSpec()]
        )


def test_timeline_marks_conflicts_and_lists_people(session: Session) -> None:
    a = svc.create_staff(session, staff_no="A1", family_name="川崎", family_kana="カワサキ")
    b = svc.create_staff(
        session, staff_no="B1", family_name="多摩", family_kana="タマ", passport_expiry=date(2026, 6, 1)
    )
    d1 = svc.create_dispatch(session, **_values("D-1", date(2026, 5, 10), date(2026, 5, 20)))  # type: ignore[arg-type]
    d2 = svc.create_dispatch(
        session,
        **_values("D-2", date(2026, 5, 20), date(2026, 5, 22), status=DispatchStatus.CONFIRMED),  # type: ignore[arg-type]
    )
    svc.add_dispatch_member(session, dispatch_id=d1.id, staff_id=a.id, override_reason="x")
    svc.add_dispatch_member(session, dispatch_id=d1.id, staff_id=b.id, override_reason="x")
    svc.add_dispatch_member(session, dispatch_id=d2.id, staff_id=a.id, override_reason="x")
    session.commit()
    lanes = svc.timeline(session, date(2026, 5, 1), date(2026, 5, 31))
    assert [lane.name for lane in lanes] == ["川崎", "多摩"]
    kawasaki, tama = lanes
    assert [(bar.code, bar.tentative) for bar in kawasaki.bars] == [("D-1", True), ("D-2", False)]
    assert all(any("already on dispatch" in m for m in bar.conflicts) for bar in kawasaki.bars)
    assert [len(bar.conflicts) for bar in tama.bars] == [1] and "passport" in tama.bars[0].conflicts[0]
    # a bar outside the window still marks the one inside it
    lanes = svc.timeline(session, date(2026, 5, 21), date(2026, 5, 31))
    assert [bar.code for bar in lanes[0].bars] == ["D-2"] and lanes[0].bars[0].conflicts
    assert svc.timeline(session, date(2027, 1, 1), date(2027, 1, 31)) == []


def test_lists_and_filters(session: Session) -> None:
    a = svc.create_staff(session, staff_no="A1", family_name="川崎", family_kana="カワサキ")
    b = svc.create_staff(session, staff_no="B1", family_name="安藤", family_kana="アンドウ")
    svc.set_staff_language(session, a.id, "lo", svc.LanguageLevel.BUSINESS)
    svc.set_staff_language(session, b.id, "lo", svc.LanguageLevel.BASIC)
    svc.set_staff_skills(session, a.id, [svc.Skill.NON_REVENUE_WATER])
    svc.create_dispatch(session, **_values("D-LT", date(2018, 6, 4), date(2020, 3, 27)))  # type: ignore[arg-type]
    svc.create_dispatch(
        session,
        **{**_values("D-ID", date(2019, 9, 9), date(2019, 9, 13)), "country": "ID"},  # type: ignore[arg-type]
    )
    session.commit()
    assert [r.name for r in svc.list_staff(session)] == ["安藤", "川崎"]
    assert [r.name for r in svc.list_staff(session, language="lo", min_level=svc.LanguageLevel.BUSINESS)] == [
        "川崎"
    ]
    assert [r.name for r in svc.list_staff(session, skill=svc.Skill.NON_REVENUE_WATER)] == ["川崎"]
    assert [r.code for r in svc.list_dispatches(session, fiscal_year=2019)] == ["D-ID", "D-LT"]
    assert [r.code for r in svc.list_dispatches(session, fiscal_year=2020)] == []
    assert [r.code for r in svc.list_dispatches(session, country="ID")] == ["D-ID"]
    assert svc.dispatch_fiscal_years(session) == [2019, 2018]
    assert svc.dispatch_countries(session) == ["ID", "LA"]
