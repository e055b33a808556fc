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
