"""The Partners tab driven like a user: search, filters, dialogs, import, export, the April check."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit, QMessageBox
from sqlalchemy import func, select

from kawaoffice.i18n import _
from kawaoffice.model.partners import Organization, OrganizationKind
from kawaoffice.storage import Database
from kawaoffice.ui.partners.tab import PartnersTab

DATA = Path(__file__).parent.parent / "data" / "partners"


@pytest.fixture
def tab(qtbot, gui_db: Database, japanese: None) -> PartnersTab:
    t = PartnersTab(gui_db.session)
    qtbot.addWidget(t)
    t.resize(1200, 700)
    t.show()
    t.load()
    return t


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []

    def record(
        parent: object, title: str, text: str, *args: object, **kwargs: object
    ) -> QMessageBox.StandardButton:
        seen.append(text)
        return QMessageBox.StandardButton.Ok

    def yes(
        parent: object, title: str, text: str, *args: object, **kwargs: object
    ) -> QMessageBox.StandardButton:
        seen.append(text)
        return QMessageBox.StandardButton.Yes

    for name in ("information", "warning", "critical"):
        monkeypatch.setattr(QMessageBox, name, record)
    monkeypatch.setattr(QMessageBox, "question", yes)
    return seen


def names(tab: PartnersTab) -> list[str]:
    return [tab.model.data(tab.model.index(r, 0)) for r in range(tab.model.rowCount())]


def count(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Organization)) or 0)


def type_search(qtbot, tab: PartnersTab, text: str) -> None:  # type: ignore[no-untyped-def]
    tab.search.clear()
    if text.isascii():
        qtbot.keyClicks(tab.search, text)
    else:  # what an input method's commit does (QTest cannot type non-Latin-1 keys)
        tab.search.insert(text)
    qtbot.waitUntil(lambda: not tab._timer.isActive(), timeout=2000)


def save(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)


def test_search_as_you_type_and_filters(qtbot, tab: PartnersTab, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    assert names(tab) == ["アクア技研", "国際協力機構", "三機工業", "ナムパパ・ラオ"]
    assert not tab.view.isColumnHidden(1)
    for typed in ("ｻﾝｷ", "さんき", "サンキ", "SANKI"):
        type_search(qtbot, tab, typed)
        assert names(tab) == ["三機工業"], typed
    assert "三機工業" in tab.summary.toPlainText()
    assert tab.count_label.text() == _("{shown} of {total}").format(shown=1, total=4)
    type_search(qtbot, tab, "")
    tab.kind_filter.setCurrentIndex(tab.kind_filter.findData(OrganizationKind.COUNTERPART.value))
    assert names(tab) == ["ナムパパ・ラオ"]
    qtmodeltester.check(tab.model)
    tab.kind_filter.setCurrentIndex(0)
    tab.country_filter.setCurrentIndex(tab.country_filter.findData("JP"))
    assert "ナムパパ・ラオ" not in names(tab) and len(names(tab)) == 3
    tab.country_filter.setCurrentIndex(0)
    tab.technology_filter.setCurrentIndex(tab.technology_filter.findText("漏水探知"))
    assert names(tab) and all(n in ("三機工業", "アクア技研") for n in names(tab))
    qtmodeltester.check(tab.model)


def test_add_and_edit_an_organization_with_validation(
    qtbot, tab: PartnersTab, gui_db: Database, boxes: list[str]
) -> None:  # type: ignore[no-untyped-def]
    dialog = tab.new_organization()
    dialog.fields["name_ja"].setText("川崎テクノ株式会社")  # type: ignore[attr-defined]
    dialog.fields["name_kana"].setText("カワサキテクノ")  # type: ignore[attr-defined]
    dialog.fields["email"].setText("not an address")  # type: ignore[attr-defined]
    save(qtbot, dialog)
    assert dialog.isVisible() and dialog.error_label.isVisible()
    assert dialog.fields["email"].toolTip()  # the message next to the field; the edits are kept
    assert dialog.fields["name_ja"].text() == "川崎テクノ株式会社"  # type: ignore[attr-defined]
    dialog.fields["email"].setText("info@kt.example.jp")  # type: ignore[attr-defined]
    dialog.fields["phone"].setText("044-200-0000")  # type: ignore[attr-defined]
    save(qtbot, dialog)
    assert not dialog.isVisible()
    assert "川崎テクノ株式会社" in names(tab)
    assert tab.model.data(tab.view.currentIndex().siblingAtColumn(0)) == "川崎テクノ株式会社"
    assert "+81 44-200-0000" in tab.summary.toPlainText()

    edit = tab.edit_organization()
    assert edit is not None and edit.fields["name_ja"].text() == "川崎テクノ株式会社"  # type: ignore[attr-defined]
    edit.fields["name_en"].setText("Kawasaki Techno")  # type: ignore[attr-defined]
    save(qtbot, edit)
    assert not edit.isVisible() and "Kawasaki Techno" in tab.summary.toPlainText()

    dup = tab.new_organization()
    dup.fields["name_ja"].setText("川崎テクノ(株)")  # type: ignore[attr-defined]
    save(qtbot, dup)  # the duplicate question is answered Yes by the fixture
    assert any("川崎テクノ株式会社" in text for text in boxes)
    assert count(gui_db) == 6


def test_add_and_edit_a_contact(qtbot, tab: PartnersTab, boxes: list[str]) -> None:  # type: ignore[no-untyped-def]
    tab.select_id(tab.model.id_at(names(tab).index("国際協力機構")))
    dialog = tab.new_contact()
    assert dialog is not None
    dialog.fields["family_name"].setText("")  # type: ignore[attr-defined]
    save(qtbot, dialog)
    assert dialog.isVisible() and dialog.error_label.isVisible()
    for field, value in {
        "family_name": "鈴木",
        "given_name": "花子",
        "family_kana": "スズキ",
        "given_kana": "ハナコ",
        "email": "suzuki@jica.example.jp",
        "phone": "03-5226-6660",
        "title": "調査役",
    }.items():
        widget = dialog.fields[field]
        assert isinstance(widget, QLineEdit)
        widget.setText(value)
    save(qtbot, dialog)
    assert not dialog.isVisible()
    rows = tab.contact_rows()
    suzuki = next(r for r in rows if r[0] == "鈴木 花子")
    assert suzuki[1] == "調査役" and suzuki[3] == "+81 3-5226-6660"
    row = [r[0] for r in rows].index("鈴木 花子")
    edit = tab.edit_contact(row)
    assert edit is not None
    edit.left.setChecked(True)
    save(qtbot, edit)
    assert not edit.isVisible()
    suzuki = next(r for r in tab.contact_rows() if r[0] == "鈴木 花子")
    from kawaoffice.i18n import _, format_date

    assert suzuki[4] == _("Left {date}").format(date=format_date(date.today()))
    assert rows.index(next(r for r in rows if r[0] == "鈴木 花子")) >= 0


def test_import_bad_then_fixed_cp932_file(
    qtbot, empty_gui_db: Database, japanese: None, boxes: list[str]
) -> None:  # type: ignore[no-untyped-def]
    gui_db = empty_gui_db
    with gui_db.session() as s:
        from kawaoffice.services import partners

        partners.create_technology(s, code="LEAK", name_ja="漏水探知")
        partners.create_technology(s, code="MEMBRANE", name_ja="膜ろ過")
        s.commit()
    tab = PartnersTab(gui_db.session)
    qtbot.addWidget(tab)
    tab.load()
    before = count(gui_db)
    dialog = tab.import_file(DATA / "partners_bad_cp932.csv")
    assert dialog.preview_table.rowCount() == 4
    assert "4" in dialog.summary.text()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert any("4" in text for text in boxes) and dialog.isVisible()
    assert count(gui_db) == before  # nothing written
    assert dialog.load_file(DATA / "partners_fixed_cp932.csv")
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and dialog.import_result is not None
    assert dialog.import_result.organizations == 4 and count(gui_db) == 4
    assert names(tab) == ["アクア技研株式会社", "国際協力機構", "三機工業", "ナムパパ・ラオ"]
    assert any("4" in text for text in boxes[1:])
    # the same file again: every row is reported as a duplicate and skipped
    again = tab.import_file(DATA / "partners_fixed_cp932.csv")
    assert all(row.duplicates for row in again.rows)
    again.close()
    assert tab.save_state()["import_mapping"]["会社名"] == "name_ja"


def test_export_xlsx_reads_back_and_mailing_list(qtbot, tab: PartnersTab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tab.kind_filter.setCurrentIndex(tab.kind_filter.findData(OrganizationKind.MEMBER.value))
    path = tab.export_list(tmp_path / "members.xlsx")
    assert path is not None
    sheet = openpyxl.load_workbook(path).worksheets[0]
    exported = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert exported == names(tab)
    text = tab.copy_mailing_list(tmp_path / "bcc.txt")
    assert QApplication.clipboard().text() == text == (tmp_path / "bcc.txt").read_text(encoding="utf-8")
    pdf = tab.print_directory(tmp_path / "dir.pdf")
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")


def test_april_check_dialog(qtbot, tab: PartnersTab) -> None:  # type: ignore[no-untyped-def]
    dialog = tab.rotation_check(date(2030, 5, 1))
    before = dialog.table.rowCount()
    if before:
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
        assert dialog.table.rowCount() == 0
    dialog.close()


def test_english_hides_reading_and_sorts_by_english_name(qtbot, gui_db: Database, english: None) -> None:  # type: ignore[no-untyped-def]
    t = PartnersTab(gui_db.session)
    qtbot.addWidget(t)
    t.load()
    assert t.view.isColumnHidden(1)
    assert names(t) == ["Aqua Giken", "JICA", "Nam Papa Lao", "Sanki Engineering"]


def test_the_contacts_title_column_names_the_post_not_a_timeline_title(tab: PartnersTab) -> None:
    import json

    from kawaoffice.i18n import pgettext

    header = tab.contacts.horizontalHeaderItem(1).text()
    assert header == pgettext("person", "Title")
    assert tab.timeline.horizontalHeaderItem(2).text() == _("Title")
    pending = Path(__file__).parents[2] / "translations" / "pending" / "perf_import.json"
    assert json.loads(pending.read_text(encoding="utf-8"))["person\u0004Title"] == "役職"
    if header != "Title":  # the Japanese catalogue has the entry (merged by the lead)
        assert header == "役職" != _("Title")
