"""The tabs' table models: Qt's model checks, paging with fetchMore, sorting, what a row shows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt

from kawaoffice.storage import Database
from kawaoffice.ui.dispatch.model import DispatchesModel
from kawaoffice.ui.partners.model import PartnersModel
from kawaoffice.ui.projects.model import ProjectsModel
from kawaoffice.ui.tours.model import VisitsModel
from kawaoffice.ui.widgets.paged_model import ID_ROLE, PagedTableModel

MODELS: list[type[PagedTableModel]] = [PartnersModel, ProjectsModel, DispatchesModel, VisitsModel]


def texts(model: PagedTableModel, column: int) -> list[str]:
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


@pytest.mark.parametrize("model_class", MODELS, ids=lambda c: c.__name__)
def test_model_passes_qt_model_tester(qtmodeltester, gui_db: Database, model_class, language: str) -> None:
    model = model_class(gui_db.session)
    model.reload()
    assert model.rowCount() > 0
    qtmodeltester.check(model)
    for column in range(model.columnCount()):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            model.sort(column, order)
            qtmodeltester.check(model)


@pytest.mark.parametrize("model_class", MODELS, ids=lambda c: c.__name__)
def test_empty_model_passes_qt_model_tester(qtmodeltester, empty_gui_db: Database, model_class) -> None:
    model = model_class(empty_gui_db.session)
    model.reload()
    assert model.rowCount() == 0
    assert not model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)


def test_rows_load_in_pages(gui_db: Database, monkeypatch: pytest.MonkeyPatch, japanese: None) -> None:
    monkeypatch.setattr(PartnersModel, "PAGE_SIZE", 3)
    model = PartnersModel(gui_db.session)
    model.reload()
    assert model.rowCount() == 3
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 4
    assert not model.canFetchMore(QModelIndex())
    assert texts(model, 0) == ["アクア技研", "国際協力機構", "三機工業", "ナムパパ・ラオ"]
    ids = [model.data(model.index(r, 0), ID_ROLE) for r in range(4)]
    assert len(set(ids)) == 4 and all(isinstance(i, int) for i in ids)


def test_sorting_loads_everything_and_natural_order_comes_back(
    gui_db: Database, monkeypatch: pytest.MonkeyPatch, english: None
) -> None:
    monkeypatch.setattr(PartnersModel, "PAGE_SIZE", 2)
    model = PartnersModel(gui_db.session)
    model.reload()
    assert model.rowCount() == 2
    model.sort(0, Qt.SortOrder.AscendingOrder)  # the service's own order in English: still one page
    assert texts(model, 0) == ["Aqua Giken", "JICA"]
    model.sort(0, Qt.SortOrder.DescendingOrder)  # any other order loads every page, then sorts
    assert texts(model, 0) == ["Sanki Engineering", "Nam Papa Lao", "JICA", "Aqua Giken"]
    model.sort(*PartnersModel.natural_sort)  # back to the service's order, one page at a time
    assert texts(model, 0) == ["Aqua Giken", "JICA"]


def test_japanese_name_sort_uses_the_reading(gui_db: Database, japanese: None) -> None:
    model = PartnersModel(gui_db.session)
    model.reload()
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert texts(model, 0) == ["ナムパパ・ラオ", "三機工業", "国際協力機構", "アクア技研"]


def test_empty_dates_sort_last_both_ways(gui_db: Database, english: None) -> None:
    model = VisitsModel(gui_db.session)
    model.reload()
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        model.sort(0, order)
        assert texts(model, 0)[-1] == ""
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert texts(model, 1) == ["B-2", "B-1", "B-3"]


def test_headers_follow_the_language(gui_db: Database) -> None:
    from kawaoffice.i18n import set_language

    model = ProjectsModel(gui_db.session)
    set_language("en")
    try:
        assert model.headerData(0, Qt.Orientation.Horizontal) == "Code"
        assert model.headerData(1, Qt.Orientation.Horizontal) == "Title"
        set_language("ja")
        header = model.headerData(1, Qt.Orientation.Horizontal)
        assert header and header != "Title"  # translated by the catalog
    finally:
        set_language("ja")
    assert model.headerData(0, Qt.Orientation.Vertical) is None
