"""GUI tests of the dispatch tab: the dialog with members, live conflicts, an override with a reason that ends up
in the audit log; the timeline marks; filters; the staff and statistics views; models pass qtmodeltester."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kawaoffice.model.audit import AuditAction, AuditEntry, ConflictOverride
from kawaoffice.model.dispatch import Dispatch, DispatchPurpose, LanguageLevel, Skill
from kawaoffice.services import dispatch as svc
from kawaoffice.storage import Database
from kawaoffice.ui.dispatch.dialog import DispatchDialog
from kawaoffice.ui.dispatch.model import DispatchesModel, StaffModel
from kawaoffice.ui.dispatch.tab import DispatchesTab


def _staff(db: Database) -> tuple[int, int]:
    with db.session() as s:
        a = svc.create_staff(s, staff_no="K1", family_name="川崎", given_name="花子", family_kana="カワサキ")
        b = svc.create_staff(s, staff_no="K2", family_name="多摩", given_name="一郎", family_kana="タマ")
        svc.set_staff_language(s, a.id, "lo", LanguageLevel.BUSINESS)
        svc.set_staff_skills(s, b.id, [Skill.SEWERAGE])
        s.commit()
        return a.id, b.id


def _fill(qtbot: QtBot, dialog: DispatchDialog, code: str, dep: date, ret: date) -> None:
    qtbot.keyClicks(dialog.code, code)
    dialog.title_edit.setText(f"ラオス派遣 {code}")  # QTest types ASCII only
    dialog.departure.setDate(QDate(dep.year, dep.month, dep.day))
    dialog.returning.setDate(QDate(ret.year, ret.month, ret.day))


def _pick_staff(qtbot: QtBot, dialog: DispatchDialog, name: str) -> None:
    items = dialog.staff_list.findItems(name, Qt.MatchFlag.MatchStartsWith)
    assert items, f"{name} not in the chooser"
    dialog.staff_list.setCurrentItem(items[0])
    qtbot.mouseClick(dialog.findChild(QPushButton, "add_staff"), Qt.MouseButton.LeftButton)


def _save(qtbot: QtBot, dialog: DispatchDialog) -> None:
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_two_members_conflict_and_override(qtbot: QtBot, empty_gui_db: Database, japanese: None) -> None:
    db = empty_gui_db
    _staff(db)
    first = DispatchDialog(db.session)
    qtbot.addWidget(first)
    _fill(qtbot, first, "D-1", date(2026, 5, 10), date(2026, 5, 20))
    # the chooser filters by language and by skill
    first.language_filter.setCurrentIndex(first.language_filter.findData("lo"))
    assert [first.staff_list.item(i).text().split()[0] for i in range(first.staff_list.count())] == ["川崎"]
    _pick_staff(qtbot, first, "川崎")
    first.language_filter.setCurrentIndex(0)
    first.skill_filter.setCurrentIndex(first.skill_filter.findData(Skill.SEWERAGE))
    assert first.staff_list.count() == 1
    _pick_staff(qtbot, first, "多摩")
    assert first.member_table.rowCount() == 2
    assert first.issue_list.count() == 1 and first.issue_list.item(0).data(Qt.ItemDataRole.UserRole) is None
    _save(qtbot, first)
    assert first.saved_id is not None and first.result() == first.DialogCode.Accepted

    second = DispatchDialog(db.session)
    qtbot.addWidget(second)
    _fill(qtbot, second, "D-2", date(2026, 5, 18), date(2026, 5, 25))
    _pick_staff(qtbot, second, "多摩")
    texts = second.issue_texts()
    assert any("多摩 一郎" in t and "D-1" in t for t in texts), texts
    # saving without a reason is refused, the edits stay, the reason field gets the focus
    _save(qtbot, second)
    assert (second.saved_id is None and second.isVisible() is False) or second.saved_id is None
    assert "D-1" in second.field_error.text()
    assert second.code.text() == "D-2" and second.member_table.rowCount() == 1
    second.reason.setText("現地で引継ぎを行うため")  # QTest types ASCII only
    _save(qtbot, second)
    assert second.saved_id is not None

    with db.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.OVERRIDE)).one()
        assert entry.reason == "現地で引継ぎを行うため" and entry.row_id == second.saved_id
        assert s.scalars(select(ConflictOverride)).one().kind == "dispatch_overlap"

    # reopened, the dialog shows the conflict with who overrode it and why
    again = DispatchDialog(db.session, second.saved_id)
    qtbot.addWidget(again)
    assert any("現地で引継ぎを行うため" in t for t in again.issue_texts())


def test_tab_filters_timeline_and_views(qtbot: QtBot, empty_gui_db: Database, english: None) -> None:
    db = empty_gui_db
    a, _b = _staff(db)
    with db.session() as s:
        for code, country, dep, ret in (
            ("D-LA", "LA", date(2026, 5, 10), date(2026, 5, 20)),
            ("D-VN", "VN", date(2026, 5, 15), date(2026, 5, 22)),
            ("D-ID", "ID", date(2025, 9, 1), date(2025, 9, 5)),
        ):
            d = svc.create_dispatch(s, code=code, title=code, purpose=DispatchPurpose.SURVEY, country=country,
                                    timezone="Asia/Bangkok", departure_on=dep, return_on=ret)  # fmt: skip
            svc.add_dispatch_member(s, dispatch_id=d.id, staff_id=a, override_reason="test")
        s.commit()
    tab = DispatchesTab(db.session)
    qtbot.addWidget(tab)
    tab.load()
    assert tab.model.rowCount() == 3
    tab.country_filter.setCurrentIndex(tab.country_filter.findData("VN"))
    assert [tab.model.row_at(r).code for r in range(tab.model.rowCount())] == ["D-VN"]
    tab.country_filter.setCurrentIndex(0)
    tab.fy_filter.setCurrentIndex(tab.fy_filter.findData(2025))
    assert [tab.model.row_at(r).code for r in range(tab.model.rowCount())] == ["D-ID"]
    tab.fy_filter.setCurrentIndex(tab.fy_filter.findData(2026))
    tab.show_view("timeline")
    bars = {hit.bar.code: hit.bar for hit in tab.timeline.canvas.bars_drawn()}
    assert set(bars) == {"D-LA", "D-VN"}
    assert bars["D-LA"].conflicts and bars["D-VN"].conflicts
    assert "D-VN" in tab.timeline.canvas.tooltip_text(bars["D-LA"])
    zoom = tab.timeline.canvas.px_per_day
    tab.act_zoom_in.trigger()
    assert tab.timeline.canvas.px_per_day == zoom * 2
    state = tab.save_state()
    assert state["view"] == "timeline"
    tab.show_view("staff")
    assert tab.staff.model.rowCount() == 2
    tab.staff.language.setCurrentIndex(tab.staff.language.findData("lo"))
    assert tab.staff.model.rowCount() == 1
    tab.show_view("stats")
    assert "No dispatches recorded yet." in tab.stats.summary.text()  # all are planned: none counted


def test_models_pass_the_model_tester(qtbot: QtBot, gui_db: Database, qtmodeltester: object) -> None:
    for cls in (DispatchesModel, StaffModel):
        model = cls(gui_db.session)
        model.reload()
        qtmodeltester.check(model)  # type: ignore[attr-defined]
    with gui_db.session() as s:
        assert s.scalars(select(Dispatch)).first() is not None
