"""The Projects tab opens with two SQL statements and the detail pane shows a project with one, however many
participants, stage events, dispatches and visits it has (issue 10: over a 30 ms link each statement is a round
trip). The pane still shows what it did before (its HTML is compared with the records read through the ORM)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from kawaoffice.model.dispatch import DispatchPurpose, DispatchStatus
from kawaoffice.model.projects import Project
from kawaoffice.model.tours import BookingStatus, VisitorType
from kawaoffice.qtfix import guard_none_refcount
from kawaoffice.services import dispatch as dsvc
from kawaoffice.services import partners as psvc
from kawaoffice.services import projects as prsvc
from kawaoffice.services import tours as tsvc
from kawaoffice.services.demo import load_demo
from kawaoffice.storage import Database, open_database
from kawaoffice.ui.projects.tab import ProjectsTab
from tests.perf.statements import sent_statements as count

guard_none_refcount()

pytestmark = pytest.mark.gui


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(f"sqlite:///{tmp_path / 'projects.sqlite3'}", "tester")
    with database.session() as s:
        load_demo(s, scale=0)
    yield database
    database.dispose()


def _next(stages: list[int], current: int | None) -> int:
    return stages[(stages.index(current) + 1) % len(stages)] if current in stages else stages[0]


def grow(db: Database, code: str, n: int) -> int:
    """Give the project ``code`` n more participants, stage changes, dispatches and visits."""
    with db.session() as s:
        p = s.scalar(select(Project).where(Project.code == code))
        assert p is not None
        stages = [st.id for st in p.scheme.stages]
        fac = tsvc.create_facility(s, code=f"F{n}", name_ja=f"施設{n}", capacity=100)
        day = date(2030, 4, 1)
        for i in range(n):
            org = psvc.create_organization(s, kind="member", name_ja=f"参加企業{n}-{i}")
            prsvc.add_participant(s, project_id=p.id, organization_id=org.id, role=4)
            prsvc.move_project_stage(
                s, p.id, p.version, to_stage_id=_next(stages, p.stage_id), occurred_on=day, reason="test"
            )
            dsvc.create_dispatch(
                s,
                code=f"D-{n}-{i}",
                title="派遣",
                purpose=DispatchPurpose.SURVEY,
                country="LA",
                timezone="Asia/Vientiane",
                departure_on=day,
                return_on=day + timedelta(days=3),
                status=DispatchStatus.CONFIRMED,
                project_id=p.id,
            )
            b = tsvc.create_booking(
                s,
                code=f"V-{n}-{i}",
                group_name="視察",
                visitor_type=VisitorType.DELEGATION,
                headcount=3,
                status=BookingStatus.CONFIRMED,
                project_id=p.id,
            )
            tsvc.add_segment(
                s,
                booking_id=b.id,
                facility_id=fac.id,
                starts_at=datetime(2030, 5, 1 + i, 1, tzinfo=UTC),
                ends_at=datetime(2030, 5, 1 + i, 3, tzinfo=UTC),
                override_reason="test",
            )
            day += timedelta(days=10)
        return p.id


def test_tab_and_detail_statements_do_not_grow(qapp: QApplication, db: Database) -> None:
    tab = ProjectsTab(db.session)
    tab.today = lambda: date(2030, 12, 1)
    tab.resize(1200, 700)
    tab.show()
    opened = count(db.engine, tab.load)
    # filter choices, the first page and the first row's detail (project + its lists): one statement
    assert len(opened) == 1, "\n".join(opened)
    assert tab._current is not None and tab.model.rowCount() > 0
    assert tab._current == tab.model.id_at(0)
    with db.session() as s:
        first = s.get(Project, tab._current)
        assert first is not None and first.code in tab.detail.toPlainText()
    assert len(count(db.engine, lambda: tab._show_detail(tab.model.id_at(0)))) == 1  # given once, then read

    small = grow(db, "LA-2018-MAWASU2", 1)
    before = count(db.engine, lambda: tab._show_detail(small))
    grow(db, "LA-2018-MAWASU2", 6)
    after = count(db.engine, lambda: tab._show_detail(small))
    assert len(before) == len(after) == 1
    html = tab.detail.toPlainText()
    with db.session() as s:
        p = s.get(Project, small)
        assert p is not None
        for part in p.participants:
            assert part.organization.name_ja in html
        codes = [f"D-6-{i}" for i in range(6)] + [f"V-6-{i}" for i in range(6)]
        assert all(code in html for code in codes)
        assert len(p.events) >= 7
    tab.close()
    tab.deleteLater()
    QApplication.processEvents()
