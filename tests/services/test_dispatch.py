from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kawaoffice import model
from kawaoffice.model.audit import AuditAction, AuditEntry, ConflictOverride
from kawaoffice.model.dispatch import (
    Dispatch,
    DispatchPurpose,
    DispatchStatus,
    LanguageLevel,
    LegKind,
    Skill,
    TrainingKind,
)
from kawaoffice.services import dispatch as svc
from kawaoffice.services.errors import ConflictError, StaleEditError, ValidationError
from kawaoffice.storage.database import create_db_engine, make_session_factory


def _dispatch(session: Session, code: str, dep: date, ret: date, **values: object) -> Dispatch:
    return svc.create_dispatch(
        session,
        code=code,
        title=f"ラオス派遣 {code}",
        purpose=DispatchPurpose.SHORT_TERM_EXPERT,
        country="LA",
        timezone="Asia/Vientiane",
        departure_on=dep,
        return_on=ret,
        **values,  # type: ignore[arg-type]
    )


def test_staff_round_trip(session: Session) -> None:
    staff = svc.create_staff(
        session, staff_no="K001", family_name="川崎", given_name="花子", phone="044-200-2111"
    )
    svc.set_staff_language(session, staff.id, "lo", LanguageLevel.CONVERSATIONAL)
    svc.set_staff_language(session, staff.id, "lo", LanguageLevel.BUSINESS)
    svc.set_staff_language(session, staff.id, "en", LanguageLevel.FLUENT)
    svc.set_staff_skills(session, staff.id, [Skill.NON_REVENUE_WATER, "water_quality"])
    training = svc.add_staff_training(
        session, staff_id=staff.id, kind=TrainingKind.LANGUAGE, completed_on=date(2025, 6, 1), name="ラオス語"
    )
    session.commit()
    session.expire_all()
    loaded = svc.get_staff(session, staff.id)
    assert {(lang.language, lang.level) for lang in loaded.languages} == {
        ("lo", LanguageLevel.BUSINESS),
        ("en", LanguageLevel.FLUENT),
    }
    assert {s.skill for s in loaded.skills} == {Skill.NON_REVENUE_WATER, Skill.WATER_QUALITY}
    assert [t.name for t in loaded.trainings] == ["ラオス語"]
    svc.update_staff_training(session, training.id, training.version, name="ラオス語（中級）")
    svc.remove_staff_language(session, staff.id, "en")
    svc.update_staff(session, staff.id, loaded.version, passport_expiry=date(2030, 1, 1))
    session.commit()
    assert [lang.language for lang in loaded.languages] == ["lo"]
    with pytest.raises(ValidationError) as info:
        svc.create_staff(session, staff_no="K001", family_name="重複")
    assert info.value.field == "staff_no"
    with pytest.raises(ValidationError) as info:
        svc.set_staff_language(session, staff.id, "xx-nonsense", LanguageLevel.BASIC)
    assert info.value.field == "language"


def test_dispatch_round_trip_and_itinerary(session: Session) -> None:
    d = _dispatch(session, "D-001", date(2026, 5, 10), date(2026, 5, 20), city="Vientiane")
    tokyo, vte = ZoneInfo("Asia/Tokyo"), ZoneInfo("Asia/Vientiane")
    leg = svc.add_leg(
        session,
        dispatch_id=d.id,
        kind=LegKind.FLIGHT,
        starts_at=datetime(2026, 5, 10, 10, 30, tzinfo=tokyo),
        start_tz="Asia/Tokyo",
        ends_at=datetime(2026, 5, 10, 14, 45, tzinfo=vte),
        end_tz="Asia/Vientiane",
        origin="HND",
        destination="VTE",
    )
    session.commit()
    session.expire_all()
    loaded = svc.get_dispatch(session, d.id)
    assert loaded.city == "Vientiane" and [lg.reference for lg in loaded.legs] == [""]
    assert loaded.legs[0].ends_at - loaded.legs[0].starts_at == timedelta(hours=6, minutes=15)
    with pytest.raises(ValidationError) as info:
        svc.update_leg(session, leg.id, leg.version, ends_at=datetime(2026, 5, 10, 9, 0, tzinfo=tokyo))
    assert info.value.field == "ends_at"
    with pytest.raises(ValidationError) as info:
        svc.update_leg(session, leg.id, leg.version, starts_at=datetime(2026, 5, 10, 9, 0))
    assert info.value.field == "starts_at"
    with pytest.raises(ValidationError) as info:
        svc.update_dispatch(session, d.id, loaded.version, return_on=date(2026, 5, 1))
    assert info.value.field == "return_on"
    with pytest.raises(ValidationError) as info:
        svc.update_dispatch(session, d.id, loaded.version, timezone="Asia/Nowhere")
    assert info.value.field == "timezone"
    svc.delete_leg(session, leg.id, leg.version)
    svc.delete_dispatch(session, d.id, loaded.version)
    session.commit()
    assert session.scalars(select(Dispatch)).all() == []


def test_overlap_conflict_and_override(session: Session) -> None:
    staff = svc.create_staff(session, staff_no="K010", family_name="多摩")
    a = _dispatch(session, "D-A", date(2026, 5, 10), date(2026, 5, 20))
    b = _dispatch(session, "D-B", date(2026, 5, 20), date(2026, 5, 25))  # shares May 20 (inclusive)
    c = _dispatch(session, "D-C", date(2026, 5, 21), date(2026, 5, 30))
    svc.add_dispatch_member(session, dispatch_id=a.id, staff_id=staff.id)
    svc.add_dispatch_member(session, dispatch_id=c.id, staff_id=staff.id)  # no overlap with A
    with pytest.raises(ConflictError) as info:
        svc.add_dispatch_member(session, dispatch_id=b.id, staff_id=staff.id)
    assert info.value.kind == "dispatch_overlap"
    assert {x["other_code"] for x in info.value.details["conflicts"]} == {"D-A", "D-C"}
    assert "多摩" in info.value.message and "D-A" in info.value.message
    # moving C away from A works; moving it onto A is a conflict
    with pytest.raises(ConflictError):
        svc.update_dispatch(session, c.id, c.version, departure_on=date(2026, 5, 15))
    # a cancelled dispatch does not count
    svc.update_dispatch(session, a.id, a.version, status=DispatchStatus.CANCELLED)
    with pytest.raises(ConflictError) as info:
        svc.add_dispatch_member(session, dispatch_id=b.id, staff_id=staff.id)
    assert {x["other_code"] for x in info.value.details["conflicts"]} == {"D-C"}
    svc.update_dispatch(session, c.id, c.version, departure_on=date(2026, 5, 12))  # A is cancelled: fine
    svc.add_dispatch_member(
        session, dispatch_id=b.id, staff_id=staff.id, override_reason="現地で合流するため"
    )
    session.commit()
    assert [x.other_code for x in svc.find_member_conflicts(session, b.id)] == ["D-C"]
    override = session.scalars(select(ConflictOverride)).one()
    assert override.kind == "dispatch_overlap" and override.subject_id == b.id and override.other_id == c.id
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.OVERRIDE)).one()
    assert entry.reason == "現地で合流するため" and entry.user == "tester"
    with pytest.raises(ConflictError) as info:  # taking the cancelled dispatch up again
        svc.update_dispatch(session, a.id, a.version, status=DispatchStatus.CONFIRMED)
    assert {x["other_code"] for x in info.value.details["conflicts"]} == {"D-B", "D-C"}


def test_member_needs_staff_or_contact(session: Session) -> None:
    d = _dispatch(session, "D-X", date(2026, 5, 10), date(2026, 5, 20))
    with pytest.raises(ValidationError) as info:
        svc.add_dispatch_member(session, dispatch_id=d.id)
    assert info.value.field == "staff_id"


def test_dates_overlap_is_inclusive() -> None:
    d = date(2026, 5, 1)
    assert svc.dates_overlap(d, d, d, d)
    assert svc.dates_overlap(d, d + timedelta(2), d + timedelta(2), d + timedelta(3))
    assert not svc.dates_overlap(d, d + timedelta(1), d + timedelta(2), d + timedelta(3))


# --- property: the check finds exactly the overlapping pairs (SQLite in memory, rolled back per example) -------


@pytest.fixture(scope="module")
def memory_factory() -> Iterator[sessionmaker[Session]]:
    engine = create_db_engine("sqlite://")
    model.Base.metadata.create_all(engine)
    yield make_session_factory(engine, user="tester")
    engine.dispose()


ranges = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 15), st.booleans()), min_size=1, max_size=7)


@settings(max_examples=50, deadline=None)
@given(ranges=ranges)
def test_overlap_rule_finds_exactly_the_overlapping_pairs(
    memory_factory: sessionmaker[Session], ranges: list[tuple[int, int, bool]]
) -> None:
    base = date(2026, 4, 1)
    with memory_factory() as session:
        staff = svc.create_staff(session, staff_no="P1", family_name="性質")
        spans = []
        for i, (start, length, cancelled) in enumerate(ranges):
            dep, ret = base + timedelta(start), base + timedelta(start + length)
            status = DispatchStatus.CANCELLED if cancelled else DispatchStatus.PLANNED
            d = _dispatch(session, f"P-{i}", dep, ret, status=status)
            svc.add_dispatch_member(session, dispatch_id=d.id, staff_id=staff.id, override_reason="test")
            spans.append((d.id, dep, ret, cancelled))
        for did, dep, ret, cancelled in spans:
            expected = (
                set()
                if cancelled
                else {
                    oid
                    for oid, odep, oret, ocan in spans
                    if oid != did and not ocan and svc.dates_overlap(dep, ret, odep, oret)
                }
            )
            assert {x.other_dispatch_id for x in svc.find_member_conflicts(session, did)} == expected
        session.rollback()


def test_a_change_of_only_a_staff_members_languages_or_skills_moves_the_staff_version(
    session_factory: sessionmaker[Session],
) -> None:
    """The staff dialog saves the fields, then the languages and skills: a colleague who changed only those first
    makes this save meet the stale-edit conflict instead of putting the old languages back silently."""
    with session_factory() as session:
        staff = svc.create_staff(session, staff_no="K020", family_name="中原")
        svc.set_staff_language(session, staff.id, "en", LanguageLevel.BUSINESS)
        session.commit()
        staff_id, versions = staff.id, [staff.version]
    changes = [
        lambda s: svc.set_staff_language(s, staff_id, "lo", LanguageLevel.CONVERSATIONAL),  # added
        lambda s: svc.set_staff_language(s, staff_id, "lo", LanguageLevel.BUSINESS),  # its level changed
        lambda s: svc.remove_staff_language(s, staff_id, "en"),
        lambda s: svc.set_staff_skills(s, staff_id, [Skill.NON_REVENUE_WATER]),
    ]
    for change in changes:
        with session_factory() as colleague:
            change(colleague)
            colleague.commit()
            versions.append(svc.get_staff(colleague, staff_id).version)
    assert len(set(versions)) == len(versions), versions
    with session_factory() as me, pytest.raises(StaleEditError):
        svc.update_staff(me, staff_id, versions[0], given_name="太郎")
    with session_factory() as same:  # the same level and skills again: nothing changed, the version stays
        svc.set_staff_language(same, staff_id, "lo", LanguageLevel.BUSINESS)
        svc.set_staff_skills(same, staff_id, [Skill.NON_REVENUE_WATER.value])
        same.commit()
        assert svc.get_staff(same, staff_id).version == versions[-1]
