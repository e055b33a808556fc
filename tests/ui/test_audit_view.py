"""The audit log viewer, driven like a user: newest first, filters, field-level old/new values, override reasons,
"Load more", the history of one record, export to CSV (read back)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from kawaoffice.model.partners import Organization
from kawaoffice.services import audit, partners
from kawaoffice.storage import Database
from kawaoffice.storage.database import make_session_factory
from kawaoffice.ui.audit import viewer
from kawaoffice.ui.audit.viewer import AuditLogDialog, open_history


@pytest.fixture
def aqua(gui_db: Database) -> int:
    """ken changes アクア技研's city and overrides a check on it with a reason."""
    with gui_db.session() as s:
        org_id = int(s.scalar(select(Organization.id).where(Organization.name_ja == "アクア技研")) or 0)
    with make_session_factory(gui_db.engine, user="ken")() as s:
        org = partners.get_organization(s, org_id)
        partners.update_organization(s, org_id, org.version, city="川崎市幸区")
        audit.record_override(s, "tour_capacity", org, None, "館長の了承済み", {"visitors": 70})
        s.commit()
    return org_id


def _viewer(qtbot, gui_db: Database, **kwargs: object) -> AuditLogDialog:  # type: ignore[no-untyped-def]
    dialog = AuditLogDialog(gui_db.session, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _column(dialog: AuditLogDialog, column: int) -> list[str]:
    model = dialog.model
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def test_newest_first_with_field_values_and_the_override_reason(
    qtbot, gui_db: Database, aqua: int, english: None
) -> None:  # type: ignore[no-untyped-def]
    dialog = _viewer(qtbot, gui_db)
    assert _column(dialog, viewer.USER)[:2] == ["ken", "ken"]
    assert _column(dialog, viewer.ACTION)[:2] == ["Check overridden", "Changed"]
    assert _column(dialog, viewer.SUMMARY)[0] == "tour_capacity: 館長の了承済み"
    assert _column(dialog, viewer.RECORD)[:2] == ["Organization", "Organization"]
    assert dialog.status.text().startswith(f"{dialog.model.rowCount()} of {dialog.model.rowCount()} entries")
    # the first row is selected: the override's reason and details
    assert "Reason for overriding the check: 館長の了承済み" in dialog.detail_title.text()
    assert dialog.detail_rows() == [("visitors", "", "70")]
    # the change below it: old and new city
    dialog.view.selectRow(1)
    assert dialog.detail_rows() == [("city", "", "川崎市幸区")]
    assert "ken" in dialog.detail_title.text() and "アクア技研" in dialog.detail_title.text()


def test_filters_by_user_text_and_record(qtbot, gui_db: Database, aqua: int, english: None) -> None:  # type: ignore[no-untyped-def]
    dialog = _viewer(qtbot, gui_db)
    everything = dialog.model.rowCount()
    assert everything > 3  # the sample records created by "tester" too
    dialog.user.setCurrentIndex(dialog.user.findData("tester"))
    qtbot.mouseClick(dialog.search_button, Qt.MouseButton.LeftButton)
    assert set(_column(dialog, viewer.USER)) == {"tester"}
    dialog.user.setCurrentIndex(0)
    dialog.text.setText("幸区")  # (QTest types ASCII only)
    qtbot.keyClick(dialog.text, Qt.Key.Key_Return)
    assert _column(dialog, viewer.ACTION) == ["Changed"]
    dialog.text.clear()
    dialog.record_type.setCurrentIndex(dialog.record_type.findData("organizations"))
    dialog.record_id.setText(str(aqua))
    qtbot.mouseClick(dialog.search_button, Qt.MouseButton.LeftButton)
    assert _column(dialog, viewer.ACTION) == ["Check overridden", "Changed", "Created"]
    assert set(_column(dialog, viewer.RECORD_ID)) == {str(aqua)}
    # a date range in the future finds nothing and says so
    dialog.use_since.setChecked(True)
    dialog.since.setDate(dialog.since.date().addYears(1))
    qtbot.mouseClick(dialog.search_button, Qt.MouseButton.LeftButton)
    assert dialog.model.rowCount() == 0
    assert dialog.detail_title.text() == "No entry selected."
    assert not dialog.export_button.isEnabled()


def test_history_of_one_record_and_load_more(
    qtbot, gui_db: Database, aqua: int, english: None, monkeypatch: pytest.MonkeyPatch, qtmodeltester
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(viewer, "PAGE_SIZE", 2)
    dialog = open_history(gui_db.session, None, "organizations", aqua)
    qtbot.addWidget(dialog)
    assert dialog.record_type.currentData() == "organizations" and dialog.record_id.text() == str(aqua)
    assert dialog.model.rowCount() == 2
    assert dialog.status.text() == "2 of 3 entries, newest first"
    assert dialog.more_button.isEnabled()
    qtbot.mouseClick(dialog.more_button, Qt.MouseButton.LeftButton)
    assert _column(dialog, viewer.ACTION) == ["Check overridden", "Changed", "Created"]
    assert not dialog.more_button.isEnabled()
    qtmodeltester.check(dialog.model)


def test_export_the_filtered_list_to_csv(
    qtbot, gui_db: Database, aqua: int, english: None, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    dialog = _viewer(qtbot, gui_db, table_name="organizations", row_id=aqua)
    path = dialog.export_csv(str(tmp_path / "log.csv"))
    assert path is not None
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["When", "User", "Action", "Record", "ID", "Summary", "Changes", "Reason"]
    assert [r[2] for r in rows[1:]] == ["Check overridden", "Changed", "Created"]
    assert rows[2][6] == "city:  → 川崎市幸区"
    assert rows[1][7] == "館長の了承済み"
