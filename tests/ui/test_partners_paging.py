"""The Partners tab opens with the count and the first page only (the stored sort key), shows the first
organization's detail once, and scrolling or searching still shows every organization in the list's order."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex

from kawaoffice.i18n import _, format_number
from kawaoffice.model.partners import OrganizationKind
from kawaoffice.services import partner_search as ps
from kawaoffice.services import partners
from kawaoffice.storage import Database
from kawaoffice.ui.partners.model import PartnersModel
from kawaoffice.ui.partners.tab import PartnersTab
from tests.statements import statements_of as _statements

KANA = ["ア", "カ", "サ", "タ", "ナ", "ハ", "マ", "ヤ", "ラ", "ワ"]


@pytest.fixture
def many(empty_gui_db: Database) -> Database:
    with empty_gui_db.session() as s:
        for i in range(150):
            partners.create_organization(
                s,
                kind=OrganizationKind.MEMBER if i % 2 else OrganizationKind.COUNTERPART,
                name_ja=f"団体{i:03d}",
                name_kana=KANA[(i * 7) % 10] + KANA[i % 10] + f"{i:03d}",
                name_en=f"Org {149 - i:03d}",
            )
        s.commit()
    return empty_gui_db


def test_opening_reads_the_first_page_and_scrolling_the_rest_in_order(
    qtbot, many: Database, japanese: None, monkeypatch: pytest.MonkeyPatch, qtmodeltester
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(PartnersModel, "START_DELAY_MS", 3_600_000)  # the index is not built meanwhile
    tab = PartnersTab(many.session)
    qtbot.addWidget(tab)
    tab.resize(1200, 700)
    tab.show()
    statements = _statements(many.engine, lambda: (tab.load(), qtbot.wait(10)))
    # the count, the first page, the filter choices and the first organization's detail: one statement
    assert len(statements) == 1, "\n".join(statements)
    assert tab.country_filter.count() == 2 and tab.country_filter.itemData(1) == "JP"
    with many.session() as s:
        order = ps.matching_ids(s, ps.PartnerFilter(), "ja")
    model = tab.model
    assert model.rowCount() == model.FIRST_PAGE_SIZE == 60
    assert [model.id_at(r) for r in range(60)] == order[:60]
    assert tab.count_label.text() == _("{shown} of {total}").format(
        shown=format_number(150), total=format_number(150)
    )
    assert tab.current_id() == order[0]
    assert "団体" in tab.summary.toPlainText()
    second = model.row_at(1)
    # another organization's detail is read when it is selected (the first one's was given once)
    assert len(_statements(many.engine, lambda: tab.view.selectRow(1))) == 1
    assert second.name_ja in tab.summary.toPlainText()
    assert len(_statements(many.engine, lambda: tab.view.selectRow(0))) == 1  # read again: fresh
    assert model.row_at(0).name_ja in tab.summary.toPlainText()
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert [model.id_at(r) for r in range(model.rowCount())] == order
    assert model.matched_ids() == order
    # a search waits for the index and shows the matches in the same order
    tab.search.setText("ＯＲＧ　00")  # "Org 00x": width and case folded
    tab.apply_filter()
    with many.session() as s:
        expected = ps.matching_ids(s, tab.current_filter(), "ja")
    assert 0 < len(expected) < 150
    assert [model.id_at(r) for r in range(model.rowCount())] == expected
    tab.search.setText("")
    tab.apply_filter()
    assert model.matched_count() == 150
    qtmodeltester.check(model)


def test_english_order_and_a_reload_after_an_edit(qtbot, many: Database, english: None) -> None:  # type: ignore[no-untyped-def]
    tab = PartnersTab(many.session)
    qtbot.addWidget(tab)
    tab.resize(1200, 700)
    tab.show()
    tab.load()
    first = tab.model.row_at(0)
    assert first.name_en == "Org 000"
    with many.session() as s:
        org = partners.get_organization(s, first.id)
        partners.update_organization(s, org.id, org.version, name_en="Zulu")
        s.commit()
    tab.reload()
    assert tab.model.row_at(0).name_en == "Org 001"
    tab.model.wait_for_index()
    while tab.model.canFetchMore(QModelIndex()):
        tab.model.fetchMore(QModelIndex())
    assert tab.model.row_at(tab.model.rowCount() - 1).name_en == "Zulu"
