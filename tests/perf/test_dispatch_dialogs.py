"""The dispatch and booking edit dialogs send a fixed, small number of SQL statements, however many projects,
staff, partners' people and visits the database holds (each statement is a round trip on a shared server).

The same dispatch and booking are opened on a small database and on one with 300 more projects, staff members,
contacts and visits. Timings are measured by ``python -m benchmarks`` (``detail:dispatch``, ``detail:booking``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from kawaoffice.model.dispatch import DispatchPurpose, LegKind, MemberRole
from kawaoffice.model.partners import OrganizationKind
from kawaoffice.model.projects import ProjectState
from kawaoffice.model.tours import VisitorType
from kawaoffice.qtfix import guard_none_refcount
from kawaoffice.services import dispatch, partners, projects, tours
from kawaoffice.services.dispatch import LegSpec, MemberSpec
from kawaoffice.storage import Database, open_database
from tests.perf.statements import sent_statements

guard_none_refcount()

JST = ZoneInfo("Asia/Tokyo")
LAO = ZoneInfo("Asia/Vientiane")
DAY = date(2026, 5, 13)  # a Wednesday

# what each dialog reads (see the dialogs' _load)
DISPATCH_DIALOG = 2  # the dispatch with project/members/legs; the members' checks with the recorded overrides
DISPATCH_DIALOG_STAFF = 1  # the staff chooser's first page (no filter): once per process (kept)
# once per process (kept): the facilities with their courses and the active staff (one UNION ALL); the member
# companies' technologies for the presenter suggestions (this booking has interests)
BOOKING_DIALOG_CHOICES = 2
# the booking with its parts, guides and presenters (joined); the checks of all parts at once in one UNION ALL
# (facilities, opening days, closed dates, courses, guides' names, the facilities' load, the guides' other visits
# and dispatches, the parts' recorded overrides)
BOOKING_DIALOG = 2
RECORDED = 0  # (the recorded overrides are read in the checks' statement)


def _build(path: Path, more: int) -> tuple[str, int, int]:
    url = f"sqlite:///{path}"
    db = open_database(url, "tester")
    with db.session() as s:
        scheme = projects.create_scheme(s, code="TC", name_ja="技術協力プロジェクト")
        project = projects.create_project(s, code="LA-2018-MAWASU2", title_ja="MaWaSU2", scheme_id=scheme.id)
        staff = [dispatch.create_staff(s, staff_no=f"K{i}", family_name=f"職員{i}").id for i in range(3)]
        org = partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja="水道機工")
        person = partners.create_contact(s, family_name="田中", given_name="一郎")
        partners.create_employment(s, contact_id=person.id, organization_id=org.id)
        tech = partners.create_technology(s, code="NRW", name_ja="漏水探知")
        partners.add_organization_technology(s, organization_id=org.id, technology_id=tech.id)
        for i in range(more):
            projects.create_project(s, code=f"X-{i:04}", title_ja=f"案件{i}", scheme_id=scheme.id,
                                    state=ProjectState.COMPLETED if i % 2 else ProjectState.ACTIVE)  # fmt: skip
            dispatch.create_staff(s, staff_no=f"M{i:04}", family_name=f"追加{i}")
            partners.create_contact(s, family_name=f"追加{i}")
        d = dispatch.save_dispatch(
            s, None, None,
            {"code": "D-1", "title": "ラオス派遣", "purpose": DispatchPurpose.MISSION, "country": "LA",
             "timezone": "Asia/Vientiane", "departure_on": date(2026, 8, 3), "return_on": date(2026, 8, 9),
             "project_id": project.id},
            [MemberSpec(staff_id=staff[0], role=MemberRole.LEADER), MemberSpec(staff_id=staff[1]),
             MemberSpec(contact_id=person.id)],
            [LegSpec(LegKind.FLIGHT, datetime(2026, 8, 3, 10, tzinfo=JST), "Asia/Tokyo",
                     datetime(2026, 8, 3, 15, tzinfo=LAO), "Asia/Vientiane", "HND", "VTE")],
        )  # fmt: skip
        f = tours.create_facility(s, code="NAGASAWA", name_ja="長沢浄水場", capacity=80)
        for weekday in range(7):
            tours.set_weekday(s, f.id, weekday, opens=time(8), closes=time(18))
        course = tours.create_course(
            s, facility_id=f.id, code="STD", name_ja="標準", duration_min=60, max_group=40
        )
        b = tours.create_booking(s, code="V-1", group_name="JICA", visitor_type=VisitorType.JICA_TRAINEES,
                                 headcount=12, interests="漏水")  # fmt: skip
        tours.add_presenter(s, booking_id=b.id, organization_id=org.id, topic="漏水探知")
        for part in range(2):
            start = datetime.combine(DAY, time(9 + part * 2), JST)
            tours.add_segment(s, booking_id=b.id, facility_id=f.id, course_id=course.id, starts_at=start,
                              ends_at=start + timedelta(hours=1), staff_ids=staff[:2])  # fmt: skip
        for i in range(more):  # other visits at the same facility, other days
            other = tours.create_booking(s, code=f"V-X{i:04}", group_name=f"g{i}",
                                         visitor_type=VisitorType.DELEGATION, headcount=5)  # fmt: skip
            start = datetime.combine(DAY - timedelta(days=1 + i), time(10), JST)
            tours.add_segment(s, booking_id=other.id, facility_id=f.id, starts_at=start,
                              ends_at=start + timedelta(hours=1), staff_ids=[staff[2]],
                              override_reason="test data")  # fmt: skip
        s.commit()
        ids = (d.id, b.id)
    db.dispose()
    return url, *ids


@pytest.fixture(scope="module")
def databases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, int, int]]:
    folder = tmp_path_factory.mktemp("dialog-counts")
    return {"small": _build(folder / "small.sqlite3", 0), "larger": _build(folder / "larger.sqlite3", 300)}


def _count(db: Database, work: Callable[[], object]) -> list[str]:
    return sent_statements(db.engine, work)


def _open(url: str, dispatch_id: int, booking_id: int) -> dict[str, list[str]]:
    from kawaoffice.ui.dispatch import staff_cache
    from kawaoffice.ui.dispatch.dialog import DispatchDialog
    from kawaoffice.ui.tours import choices
    from kawaoffice.ui.tours.dialog import BookingDialog

    choices.invalidate()
    staff_cache.invalidate()
    db = open_database(url, "tester")
    parent = QWidget()
    try:
        return {
            "dispatch (first)": _count(db, lambda: DispatchDialog(db.session, dispatch_id, parent)),
            "dispatch": _count(db, lambda: DispatchDialog(db.session, dispatch_id, parent)),
            "booking (first)": _count(db, lambda: BookingDialog(db.session, booking_id, parent)),
            "booking": _count(db, lambda: BookingDialog(db.session, booking_id, parent)),
            "new booking": _count(db, lambda: BookingDialog(db.session, None, parent)),
            "new dispatch": _count(db, lambda: DispatchDialog(db.session, None, parent)),
        }
    finally:
        parent.deleteLater()
        QApplication.processEvents()
        choices.invalidate()
        staff_cache.invalidate()
        db.dispose()


def test_dialogs_send_few_statements_whatever_the_size(
    qapp: QApplication, databases: dict[str, tuple[str, int, int]]
) -> None:
    small = _open(*databases["small"])
    larger = _open(*databases["larger"])
    for name, sent in small.items():
        assert len(larger[name]) == len(sent), (name, sent, larger[name])
    assert len(small["dispatch (first)"]) == DISPATCH_DIALOG_STAFF + DISPATCH_DIALOG, small[
        "dispatch (first)"
    ]
    assert len(small["dispatch"]) == DISPATCH_DIALOG, small["dispatch"]
    assert len(small["booking"]) == BOOKING_DIALOG + RECORDED, "\n".join(x[:90] for x in small["booking"])
    assert len(small["booking (first)"]) == BOOKING_DIALOG_CHOICES + BOOKING_DIALOG + RECORDED
    assert len(small["new booking"]) == 0  # the choices are kept; the checks run when the user enters a part
    assert len(small["new dispatch"]) == 0  # the first staff are kept; no members: nothing to check
    # nothing reads every project or person: the lookups read when the user types
    for sent in larger.values():
        assert not any("FROM projects" in sql or "FROM contacts" in sql for sql in sent)


def test_staff_chooser_is_read_again_after_a_staff_change(
    qapp: QApplication, databases: dict[str, tuple[str, int, int]]
) -> None:
    from kawaoffice.ui.dispatch import staff_cache
    from kawaoffice.ui.dispatch.dialog import DispatchDialog

    url, dispatch_id, _booking = databases["small"]
    staff_cache.invalidate()
    db = open_database(url, "tester")
    parent = QWidget()
    try:
        DispatchDialog(db.session, None, parent)  # reads the first staff
        assert _count(db, lambda: DispatchDialog(db.session, None, parent)) == []
        with db.session() as s:
            dispatch.create_staff(s, staff_no="NEW1", family_name="新人")
            s.commit()
        dialog = DispatchDialog(db.session, dispatch_id, parent)
        shown = [dialog.staff_list.item(i).text() for i in range(dialog.staff_list.count())]
        assert any(text.startswith("新人") for text in shown)
        # a typed search still reads the database
        dialog.staff_search.setText("新人")
        assert _count(db, dialog.refresh_staff)
    finally:
        parent.deleteLater()
        QApplication.processEvents()
        staff_cache.invalidate()
        db.dispose()
