"""The Visits tab on the demo data: book a JICA group at Nagasawa in the morning and Iriezaki in the afternoon
with guides; a closed day, an over-capacity slot and a double-booked guide are each refused with their message;
confirm, print (to a PDF printer) and save the visit schedule as PDF; calendar, today view and statistics."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate, QTime
from PySide6.QtPrintSupport import QPrinter
from sqlalchemy import select

from kawaoffice.model.audit import ConflictOverride
from kawaoffice.model.dispatch import Staff
from kawaoffice.model.tours import Booking, BookingStatus, Facility
from kawaoffice.services.demo import load_demo
from kawaoffice.storage import Database, open_database
from kawaoffice.ui.tours.dialog import BookingDialog, SegmentRow
from kawaoffice.ui.tours.manage import StatsDialog
from kawaoffice.ui.tours.tab import DAY, TODAY, VisitsTab

pytestmark = pytest.mark.gui


@pytest.fixture
def demo_db(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'tours.sqlite3'}", "tester")
    with db.session() as s:
        load_demo(s)
    yield db
    db.dispose()


@pytest.fixture
def tab(qtbot, demo_db: Database, english: None) -> VisitsTab:
    widget = VisitsTab(demo_db.session)
    qtbot.addWidget(widget)
    widget.show()
    widget.load()
    return widget


def ids(db: Database) -> dict[str, int]:
    with db.session() as s:
        found = {f.code: f.id for f in s.scalars(select(Facility))}
        found.update({st.staff_no: st.id for st in s.scalars(select(Staff))})
    return found


def fill(row: SegmentRow, facility: int, day: date, start: tuple[int, int], end: tuple[int, int],
         guide: int | None, course: bool = True) -> None:  # fmt: skip
    row.facility.setCurrentIndex(row.facility.findData(facility))
    row.course.setCurrentIndex(1 if course else 0)
    row.day.setDate(QDate(day.year, day.month, day.day))
    row.start.setTime(QTime(*start))
    row.end.setTime(QTime(*end))
    row.guides[0].setCurrentIndex(row.guides[0].findData(guide) if guide else 0)


def test_book_refusals_confirm_and_print(qtbot, tab: VisitsTab, demo_db: Database, tmp_path: Path) -> None:
    known = ids(demo_db)
    dialog = BookingDialog(demo_db.session, None, tab)
    qtbot.addWidget(dialog)
    dialog.code.setText("V-2026-JICA-TEST")
    dialog.group_name.setText("JICA課題別研修 テスト研修員")
    dialog.headcount.setValue(12)
    dialog.interests.setText("汚泥処理")
    dialog.update_presenters()
    morning = dialog.rows[0]
    afternoon = dialog.add_row()
    good_day = date(2026, 12, 8)  # a Tuesday
    fill(morning, known["NAGASAWA"], good_day, (9, 30), (11, 0), known["K1003"])
    fill(afternoon, known["IRIEZAKI"], good_day, (14, 0), (15, 30), known["K1004"])

    # a closed day (年末年始)
    fill(morning, known["NAGASAWA"], date(2026, 12, 29), (9, 30), (11, 0), known["K1003"])
    fill(afternoon, known["IRIEZAKI"], date(2026, 12, 29), (14, 0), (15, 30), known["K1004"])
    dialog.run_checks()
    assert "closed on" in dialog.issues.text() and "年末年始" in dialog.issues.text()
    assert not dialog.save()
    assert "Not saved" in dialog.issues.text()

    # an over-capacity slot: 70 more visitors at Nagasawa while the 14 JICA sewerage trainees are there (cap. 80)
    fill(morning, known["NAGASAWA"], date(2026, 12, 3), (10, 0), (11, 0), None, course=False)
    fill(afternoon, known["IRIEZAKI"], good_day, (14, 0), (15, 30), known["K1004"], course=False)
    dialog.headcount.setValue(70)
    dialog.run_checks()
    assert "would have 84 visitors" in dialog.issues.text() and "capacity of 80" in dialog.issues.text()
    assert not dialog.save()

    # a double-booked guide: K1003 guides V-2026-JICA-SEWER at Nagasawa 9:30-11:30 on Dec 3
    dialog.headcount.setValue(12)
    fill(morning, known["NAGASAWA"], date(2026, 12, 3), (9, 30), (11, 0), known["K1003"])
    dialog.run_checks()
    assert "is already guiding booking V-2026-JICA-SEWER at that time." in dialog.issues.text()
    assert not dialog.save()
    with demo_db.session() as s:
        assert s.scalars(select(Booking).where(Booking.code == "V-2026-JICA-TEST")).first() is None

    # the good day passes the checks and saves
    fill(morning, known["NAGASAWA"], good_day, (9, 30), (11, 0), known["K1003"])
    dialog.run_checks()
    assert dialog.issues.text() == "No problems found."
    assert dialog.save(), dialog.issues.text()
    with demo_db.session() as s:
        booking = s.scalars(select(Booking).where(Booking.code == "V-2026-JICA-TEST")).one()
        assert [(seg.facility.code, [a.staff.staff_no for a in seg.staff]) for seg in booking.segments] == [
            ("NAGASAWA", ["K1003"]), ("IRIEZAKI", ["K1004"]),
        ]  # fmt: skip
        booking_id = booking.id
        assert s.scalars(select(ConflictOverride)).all() == []

    # confirm it from the list, print it on a PDF printer and save the visit schedule
    tab.reload()
    row = next(r for r in range(tab.model.rowCount()) if tab.model.id_at(r) == booking_id)
    tab.view.selectRow(row)
    tab.actions_by_name["confirm"].trigger()
    with demo_db.session() as s:
        assert s.get(Booking, booking_id).status == BookingStatus.CONFIRMED  # type: ignore[union-attr]
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert tab.print_to(printer) == 1
    assert len(PdfReader(str(tmp_path / "printed.pdf")).pages) == 1
    saved = tab.save_pdf(tmp_path / "schedule.pdf")
    assert saved is not None
    text = PdfReader(str(saved)).pages[0].extract_text()
    assert "長沢浄水場" in text and "Iriezaki Wastewater Treatment Center" in text and "9:30–11:00" in text

    # the day calendar shows both blocks; the today view prints
    tab.day.setDate(QDate(2026, 12, 8))
    tab.mode.setCurrentIndex(DAY)
    texts = tab.calendar.block_texts()
    assert any("09:30–11:00 V-2026-JICA-TEST" in t for t in texts)
    assert any("14:00–15:30 V-2026-JICA-TEST" in t for t in texts)
    tab.mode.setCurrentIndex(TODAY)
    assert "Visits on" in tab.today.toPlainText()


def test_override_with_reason_is_recorded_and_marked(qtbot, tab: VisitsTab, demo_db: Database) -> None:
    known = ids(demo_db)
    dialog = BookingDialog(demo_db.session, None, tab)
    qtbot.addWidget(dialog)
    dialog.code.setText("V-OVERRIDE")
    dialog.group_name.setText("視察団")
    fill(dialog.rows[0], known["NAGASAWA"], date(2026, 12, 3), (9, 30), (11, 0), known["K1003"])
    assert not dialog.save()
    dialog.reason.setText("二人で案内を分担")
    assert dialog.save(), dialog.issues.text()
    with demo_db.session() as s:
        override = s.scalars(select(ConflictOverride)).one()
        assert (override.kind, override.reason) == ("guide_double_booked", "二人で案内を分担")
    tab.day.setDate(QDate(2026, 12, 3))
    tab.mode.setCurrentIndex(DAY)
    assert any("V-OVERRIDE" in t for t in tab.calendar.block_texts())
    # the edit dialog loads the booking back with its part and guide
    edit = BookingDialog(demo_db.session, dialog.saved_id, tab)
    qtbot.addWidget(edit)
    assert edit.code.text() == "V-OVERRIDE" and len(edit.rows) == 1
    assert edit.rows[0].guides[0].currentData() == known["K1003"]


def test_statistics_dialog(qtbot, demo_db: Database, english: None) -> None:
    dialog = StatsDialog(demo_db.session)
    qtbot.addWidget(dialog)
    dialog.year.setValue(0)
    assert "All years" in dialog.headline.text() and "countries and regions" in dialog.headline.text()
    assert dialog.table.rowCount() > 3


def test_a_part_with_a_problem_is_outlined_in_red(qtbot, tab: VisitsTab, demo_db: Database) -> None:
    from PySide6.QtGui import QColor

    from kawaoffice.ui.tours.dialog import ERROR_COLOR

    known = ids(demo_db)
    dialog = BookingDialog(demo_db.session, None, tab)
    qtbot.addWidget(dialog)
    dialog.resize(1100, 500)
    dialog.show()
    dialog.code.setText("V-2026-JICA-TEST2")
    dialog.group_name.setText("JICA課題別研修 テスト")
    dialog.headcount.setValue(12)
    closed, good = dialog.rows[0], dialog.add_row()
    fill(closed, known["NAGASAWA"], date(2026, 12, 29), (9, 30), (11, 0), known["K1003"])  # 年末年始
    fill(good, known["IRIEZAKI"], date(2026, 12, 8), (14, 0), (15, 30), known["K1004"])
    dialog.run_checks()
    assert "Part 1:" in dialog.issues.text() and "Part 2:" not in dialog.issues.text()
    assert closed.flagged and not good.flagged

    def red_above_facility(row: object) -> bool:
        image = row.grab().toImage()  # type: ignore[attr-defined]
        box = row.facility.geometry()  # type: ignore[attr-defined]
        return image.pixelColor(box.center().x(), box.top() - 1) == QColor(ERROR_COLOR)

    assert red_above_facility(closed) and not red_above_facility(good)
    fill(closed, known["NAGASAWA"], date(2026, 12, 8), (9, 30), (11, 0), known["K1003"])
    dialog.run_checks()
    assert dialog.issues.text() == "No problems found."
    assert not closed.flagged and not red_above_facility(closed)
