"""RecordTab's first load sizes the columns from about a window's height of rows (not every loaded row)."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from kawaoffice.ui.widgets.paged_model import Column, PagedTableModel
from kawaoffice.ui.widgets.record_tab import FIT_ROWS, MAX_AUTO_WIDTH, RecordTab

pytestmark = pytest.mark.gui

ROWS = [f"row {i}" for i in range(60)]


@dataclass(frozen=True)
class _Row:
    id: int
    name: str


class _Model(PagedTableModel):
    columns = (Column("Name", lambda row: row.name), Column("Note", lambda row: ""))

    def fetch_page(self, session: Session, offset: int, limit: int) -> list[Any]:
        return [_Row(i, ROWS[i]) for i in range(offset, min(offset + limit, len(ROWS)))]


class _Tab(RecordTab):
    key = "test"
    title = "Test"
    model_class = _Model


def _tab(qtbot) -> _Tab:  # type: ignore[no-untyped-def]
    tab = _Tab(lambda: nullcontext(None))  # type: ignore[arg-type,return-value]
    qtbot.addWidget(tab)
    tab.resize(900, 600)
    tab.show()
    return tab


def test_columns_fit_the_first_rows_not_a_long_one_further_down(qtbot) -> None:  # type: ignore[no-untyped-def]
    ROWS[FIT_ROWS + 10] = "a very long name far down the list " * 3
    try:
        tab = _tab(qtbot)
        tab.load()
        assert tab.model.rowCount() == 60
        width = tab.view.columnWidth(0)
        assert width < tab.view.fontMetrics().horizontalAdvance(ROWS[FIT_ROWS + 10])
        ROWS[5] = ROWS[FIT_ROWS + 10]  # the same name among the first rows widens the column (up to the cap)
        again = _tab(qtbot)
        again.load()
        assert again.view.columnWidth(0) > width
        assert again.view.columnWidth(0) <= MAX_AUTO_WIDTH
    finally:
        ROWS[:] = [f"row {i}" for i in range(60)]


def test_columns_are_as_wide_as_qt_would_size_them(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The widths come from the font's metrics of the formatted texts, without asking Qt to lay every cell out:
    the same widths as resizeColumnsToContents (within a pixel of rounding), the header's text included."""
    ROWS[3] = "北九州市上下水道局 海外事業課 (Kitakyushu)"
    try:
        tab = _tab(qtbot)
        tab.load()
        mine = [tab.view.columnWidth(c) for c in range(tab.model.columnCount())]
        text_width = tab.view.fontMetrics().horizontalAdvance(ROWS[3])
        assert text_width < mine[0] <= text_width + 12  # the longest text and the delegate's margins
        tab.view.horizontalHeader().setStretchLastSection(False)  # (the last column fills the rest)
        assert tab.view.columnWidth(1) >= tab.view.horizontalHeader().sectionSizeHint(1)  # empty: its header
        mine[1] = tab.view.columnWidth(1)
        tab.view.resizeColumnsToContents()
        qt = [min(max(tab.view.columnWidth(c), 60), MAX_AUTO_WIDTH) for c in range(tab.model.columnCount())]
        assert all(abs(a - b) <= 1 for a, b in zip(mine, qt, strict=True)), (mine, qt)
    finally:
        ROWS[:] = [f"row {i}" for i in range(60)]


def test_numbers_are_measured_as_shown(qtbot) -> None:  # type: ignore[no-untyped-def]
    class _Numbers(_Model):
        columns = (Column("N", lambda row: 1234567 * (row.id + 1), numeric=True),)

    class _NumberTab(_Tab):
        model_class = _Numbers

    tab = _NumberTab(lambda: nullcontext(None))  # type: ignore[arg-type,return-value]
    qtbot.addWidget(tab)
    tab.show()
    tab.load()
    shown = tab.view.locale().toString(1234567 * FIT_ROWS)
    assert tab.view.columnWidth(0) > tab.view.fontMetrics().horizontalAdvance(shown)


def test_the_users_widths_are_kept_across_reloads(qtbot) -> None:  # type: ignore[no-untyped-def]
    tab = _tab(qtbot)
    tab.load()
    tab.view.setColumnWidth(0, 222)  # the user drags the divider
    ROWS[2] = "a much longer name than before " * 2
    try:
        tab.load()  # F5 and reloads after a change keep what the user set
        tab.reload()
        assert tab.view.columnWidth(0) == 222
        saved = tab.header_state()
        again = _tab(qtbot)
        again.restore_header_state(saved)  # the next start: the saved widths, not the contents'
        again.load()
        assert again.view.columnWidth(0) == 222
    finally:
        ROWS[:] = [f"row {i}" for i in range(60)]
