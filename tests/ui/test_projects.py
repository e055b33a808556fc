"""The Projects tab driven like a user: create a project in every scheme, move it through its stages on the board
with the keyboard, see the history and the days in stage; a move back without a reason is refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from kawaoffice.storage import Database
from kawaoffice.ui.projects.dialogs import MoveStageDialog, ProjectDialog, to_qdate
from kawaoffice.ui.projects.tab import ProjectsTab

pytestmark = pytest.mark.gui

TODAY = date(2027, 3, 1)
Filler = Callable[[QDialog], None]


class Dialogs:
    """Stands in for ``dialog.exec()``: fills the real dialog with the next filler, presses OK, reports the
    result. A dialog that refuses OK (an error is shown) stays open and reports Rejected."""

    def __init__(self, qtbot) -> None:  # type: ignore[no-untyped-def]
        self.qtbot = qtbot
        self.fillers: list[Filler] = []
        self.seen: list[QDialog] = []

    def __call__(self, dialog: QDialog) -> int:
        self.seen.append(dialog)
        dialog.show()
        self.qtbot.waitExposed(dialog)
        self.fillers.pop(0)(dialog)
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)  # type: ignore[attr-defined]
        self.qtbot.keyClick(ok, Qt.Key.Key_Space)  # press OK from the keyboard
        if dialog.isVisible():  # refused: the error is shown, the dialog stays open with the user's input
            return int(QDialog.DialogCode.Rejected)
        return dialog.result()


@pytest.fixture
def tab(qtbot, empty_gui_db: Database, english: None) -> ProjectsTab:
    t = ProjectsTab(empty_gui_db.session)
    qtbot.addWidget(t)
    t.resize(1400, 800)
    t.show()
    t.today = lambda: TODAY
    t.load()
    return t


@pytest.fixture
def dialogs(qtbot, tab: ProjectsTab) -> Dialogs:
    d = Dialogs(qtbot)
    tab.run_dialog = d
    return d


def new_project(qtbot, code: str, title: str, entered: date) -> Filler:  # type: ignore[no-untyped-def]
    def fill(dialog: QDialog) -> None:
        assert isinstance(dialog, ProjectDialog)
        qtbot.keyClicks(dialog.code, code)
        qtbot.keyClicks(dialog.title_ja, title)
        qtbot.keyClicks(dialog.title_en, title)
        dialog.country.setCurrentIndex(dialog.country.findData("LA"))
        dialog.entered_on.setDate(to_qdate(entered))
        dialog.sdg["6.1"].setChecked(True)

    return fill


def move(qtbot, on: date, note: str = "", reason: str = "") -> Filler:  # type: ignore[no-untyped-def]
    def fill(dialog: QDialog) -> None:
        assert isinstance(dialog, MoveStageDialog)
        dialog.date.setDate(to_qdate(on))
        qtbot.keyClicks(dialog.note, note)
        if reason:
            qtbot.keyClicks(dialog.reason, reason)

    return fill


def test_a_project_in_each_scheme_moves_through_its_stages_by_keyboard(
    qtbot, tab: ProjectsTab, dialogs: Dialogs
) -> None:
    tab.show_view("board")
    board = tab.board
    schemes = [board.scheme.itemText(i) for i in range(board.scheme.count())]
    assert len(schemes) == 10 and "Water business flow (Kawa Biz Net)" in schemes
    for s in range(board.scheme.count()):
        board.scheme.setCurrentIndex(s)
        stage_count = sum(1 for col in board.columns if col.stage_id is not None)
        start = date(2026, 4, 1)
        dialogs.fillers.append(new_project(qtbot, f"P-{s}", f"Project {s}", start))
        tab.actions_["new"].trigger()
        assert [len(col.cards) for col in board.columns][:stage_count] == [1] + [0] * (stage_count - 1)
        assert board.lists[0].hasFocus() and board.lists[0].currentItem() is not None
        day = start
        for target in range(1, stage_count):
            day += timedelta(days=30)
            dialogs.fillers.append(move(qtbot, day, note=f"step {target}"))
            qtbot.keyClick(board.lists[target - 1], Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
            assert board.column_of(tab._current or -1) == target
            assert board.lists[target].hasFocus()
        days_left = (TODAY - day).days
        texts = board.card_texts(stage_count - 1)
        assert len(texts) == 1 and f"Project {s}" in texts[0] and f"{days_left} days in stage" in texts[0]
        assert "Laos" in texts[0]
        detail = tab.detail.toPlainText()
        assert "Stage history" in detail and f"step {stage_count - 1}" in detail
        if stage_count > 1:
            assert "30 days" in detail
        assert f"{days_left} days" in detail
        # and on past the last stage, to "Completed"
        dialogs.fillers.append(move(qtbot, day + timedelta(days=1), note="done"))
        qtbot.keyClick(board.lists[stage_count - 1], Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
        assert board.column_of(tab._current or -1) == stage_count
        assert "Completed" in tab.detail.toPlainText()
    # the table shows all ten, each completed
    tab.show_view("table")
    assert tab.model.rowCount() == 10
    states = {tab.model.data(tab.model.index(r, 4)) for r in range(10)}
    assert states == {"Completed"}


def test_a_move_back_without_reason_is_refused_with_a_message(
    qtbot, tab: ProjectsTab, dialogs: Dialogs
) -> None:
    tab.show_view("board")
    board = tab.board
    board.scheme.setCurrentIndex(0)  # water business: needs -> scheme building -> implementation
    dialogs.fillers.append(new_project(qtbot, "KB-1", "Leak detection", date(2026, 4, 1)))
    tab.actions_["new"].trigger()
    dialogs.fillers.append(move(qtbot, date(2026, 6, 1)))
    qtbot.keyClick(board.lists[0], Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert board.column_of(tab._current or -1) == 1

    dialogs.fillers.append(move(qtbot, date(2026, 7, 1), note="back"))
    qtbot.keyClick(board.lists[1], Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    refused = dialogs.seen[-1]
    assert isinstance(refused, MoveStageDialog)
    assert refused.error.isVisible()
    assert refused.error.text() == "Moving a project back to an earlier stage needs a reason."
    assert refused.focusWidget() is refused.reason
    assert refused.note.text() == "back"  # the user's input is kept
    assert board.column_of(tab._current or -1) == 1  # nothing moved
    refused.reject()

    dialogs.fillers.append(move(qtbot, date(2026, 7, 1), reason="Funding plan revised"))
    qtbot.keyClick(board.lists[1], Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert board.column_of(tab._current or -1) == 0
    assert "Funding plan revised" in tab.detail.toPlainText()


def test_filters_and_overdue(qtbot, tab: ProjectsTab, dialogs: Dialogs) -> None:
    dialogs.fillers.append(new_project(qtbot, "LA-1", "Vientiane", date(2026, 4, 1)))
    tab.actions_["new"].trigger()
    assert tab.model.rowCount() == 1
    tab.f_country.setCurrentIndex(tab.f_country.findData("ID"))
    assert tab.model.rowCount() == 0
    tab.f_country.setCurrentIndex(tab.f_country.findData("LA"))
    tab.f_sdg.setCurrentIndex(tab.f_sdg.findData("6.1"))
    assert tab.model.rowCount() == 1
    tab.f_sdg.setCurrentIndex(tab.f_sdg.findData("6.2"))
    assert tab.model.rowCount() == 0


def test_model_passes_the_model_tester(qtmodeltester, tab: ProjectsTab, dialogs: Dialogs, qtbot) -> None:
    dialogs.fillers.append(new_project(qtbot, "LA-1", "Vientiane", date(2026, 4, 1)))
    tab.actions_["new"].trigger()
    qtmodeltester.check(tab.model)


def test_opening_the_tab_chooses_the_first_project_and_shows_its_detail(
    qtbot, tab: ProjectsTab, dialogs: Dialogs, empty_gui_db: Database
) -> None:
    """As the Partners tab does: the first row is current and its detail pane (read with the page) is shown."""
    from tests.perf.statements import sent_statements

    for code, title in (("LA-1", "Vientiane water"), ("LA-2", "Luang Prabang water")):
        dialogs.fillers.append(new_project(qtbot, code, title, date(2026, 4, 1)))
        tab.actions_["new"].trigger()
    fresh = ProjectsTab(empty_gui_db.session)
    qtbot.addWidget(fresh)
    fresh.today = lambda: TODAY
    statements = sent_statements(empty_gui_db.engine, fresh.load)
    assert fresh.view.currentIndex().row() == 0
    first = fresh.model.id_at(0)
    assert fresh.selected_project() == first
    shown = fresh.detail.toPlainText()
    assert shown and ("Vientiane water" in shown) != ("Luang Prabang water" in shown)
    assert len(statements) == 1  # the detail came with the page
