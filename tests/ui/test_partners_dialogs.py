"""The organization dialog's membership and technologies, the contact dialog's "New post...", driven like a user."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from sqlalchemy import select

from kawaoffice.i18n import _
from kawaoffice.model.partners import MembershipStatus, Organization, Technology
from kawaoffice.storage import Database
from kawaoffice.ui.partners.tab import PartnersTab


@pytest.fixture
def tab(qtbot, gui_db: Database, japanese: None) -> PartnersTab:  # type: ignore[no-untyped-def]
    t = PartnersTab(gui_db.session)
    qtbot.addWidget(t)
    t.resize(1200, 700)
    t.show()
    t.load()
    return t


@pytest.fixture(autouse=True)
def answer_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)


def save(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)


def org_id(db: Database, name_ja: str) -> int:
    with db.session() as s:
        return int(s.scalar(select(Organization.id).where(Organization.name_ja == name_ja)) or 0)


def tech_ids(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {t.code: t.id for t in s.scalars(select(Technology))}


def row_of(tab: PartnersTab, name: str) -> int:
    for r in range(tab.model.rowCount()):
        if tab.model.data(tab.model.index(r, 0)) == name:
            return r
    raise AssertionError(name)


def test_make_an_organization_a_current_member_with_two_technologies(
    qtbot, tab: PartnersTab, gui_db: Database
) -> None:  # type: ignore[no-untyped-def]
    aqua = org_id(gui_db, "アクア技研")
    assert tab.select_id(aqua)
    dialog = tab.edit_organization()
    assert dialog is not None
    # the latest period is shown: left the network
    assert dialog.membership_status.currentText() == _("Left")
    assert dialog.ticked_technologies() == {}
    dialog.membership_status.setCurrentIndex(dialog.membership_status.findData(MembershipStatus.ACTIVE.value))
    dialog.joined_on.setDate(QDate(2024, 4, 1))
    assert dialog.has_left.isEnabled()
    techs = tech_ids(gui_db)
    # a broken period (left before joining) is refused, the edits stay
    qtbot.mouseClick(dialog.has_left, Qt.MouseButton.LeftButton)
    dialog.left_on.setDate(QDate(2020, 1, 1))
    dialog.set_technology(techs["membrane"], True, "セラミック膜 TM-1", "浄水場向け")
    save(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.error_label.isVisible() and dialog.error_label.text()
    assert dialog.left_on.toolTip()
    assert dialog.ticked_technologies() == {techs["membrane"]: ("セラミック膜 TM-1", "浄水場向け")}
    # the user fixes it: still a member, two technologies; typing a product name ticks the row
    qtbot.mouseClick(dialog.has_left, Qt.MouseButton.LeftButton)
    assert not dialog.left_on.isEnabled()
    leak_row = dialog.technology_row(techs["leak"])
    product = dialog.technologies.item(leak_row, 1)
    assert product is not None
    product.setText("音聴棒 AQ-2")
    assert set(dialog.ticked_technologies()) == {techs["membrane"], techs["leak"]}
    save(qtbot, dialog)
    assert not dialog.isVisible()

    with gui_db.session() as s:
        org = s.get(Organization, aqua)
        assert org is not None
        latest = max(org.memberships, key=lambda m: m.joined_on)
        assert (latest.status, latest.joined_on, latest.left_on) == (
            MembershipStatus.ACTIVE,
            date(2024, 4, 1),
            None,
        )
        assert sorted((t.technology.code, t.product_name, t.description) for t in org.technologies) == [
            ("leak", "音聴棒 AQ-2", ""),
            ("membrane", "セラミック膜 TM-1", "浄水場向け"),
        ]
    # the list and the detail pane show it
    r = row_of(tab, "アクア技研")
    assert tab.model.data(tab.model.index(r, 4)) == _("Current member")
    assert "漏水探知" in tab.model.data(tab.model.index(r, 5))
    assert "膜ろ過" in tab.model.data(tab.model.index(r, 5))
    detail = tab.summary.toPlainText()
    assert _("Current member") in detail and "セラミック膜 TM-1" in detail and "音聴棒 AQ-2" in detail

    # untick one technology: it is removed
    dialog = tab.edit_organization()
    assert dialog is not None
    assert dialog.membership_status.currentText() == _("Current member")
    dialog.set_technology(techs["leak"], False)
    save(qtbot, dialog)
    assert not dialog.isVisible()
    with gui_db.session() as s:
        org = s.get(Organization, aqua)
        assert org is not None
        assert [t.technology.code for t in org.technologies] == ["membrane"]
    assert "音聴棒" not in tab.summary.toPlainText()
