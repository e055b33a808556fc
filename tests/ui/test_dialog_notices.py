"""The edit dialogs of existing records and the shared database: a notice when a colleague saves the record that is
open (issue 7 item 4), and a save while the database cannot be reached says so in the dialog, which stays open with
the user's entries and saves them once the database is back (item 5).

A main window on a SQLite file (live refresh polls the audit log) and a colleague's instance on the same file; the
database "goes away" for real: the engine's connections are closed and the file's folder is moved, so the storage
layer's own ``ConnectionLostError`` reaches the dialog."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QMessageBox, QWidget
from sqlalchemy import select

from kawaoffice.model.dispatch import Dispatch, Staff
from kawaoffice.model.partners import Contact, Organization
from kawaoffice.model.projects import Project
from kawaoffice.model.tours import Booking, Course, Facility
from kawaoffice.services import partners, tours
from kawaoffice.settings import Settings
from kawaoffice.storage import Database, open_database
from kawaoffice.storage.errors import ConnectionLostError
from kawaoffice.ui.dispatch.dialog import DispatchDialog
from kawaoffice.ui.dispatch.staff import StaffDialog
from kawaoffice.ui.main_window import MainWindow
from kawaoffice.ui.partners.dialogs import ContactDialog, OrganizationDialog
from kawaoffice.ui.projects.needs_dialog import NeedDialog
from kawaoffice.ui.projects.tab import VIEWS, ProjectsTab
from kawaoffice.ui.tours.dialog import BookingDialog
from kawaoffice.ui.tours.manage import CourseEditor, FacilityEditor
from kawaoffice.ui.widgets.conflict_dialog import report_storage_error, storage_error_message
from kawaoffice.ui.widgets.live_refresh import RecordWatch, change_hub
from tests.services.test_overview import populate

pytestmark = pytest.mark.gui

DEADLINE_MS = 2000


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """The office's database file, alone in its folder (the folder is moved away to lose the database)."""
    folder = tmp_path / "office"
    folder.mkdir()
    path = folder / "office.sqlite3"
    db = open_database(f"sqlite:///{path}", "tester")
    with db.session() as s:
        populate(s)
        nagasawa = s.scalar(select(Facility.id).where(Facility.code == "nagasawa"))
        assert nagasawa is not None
        tours.create_course(
            s, facility_id=nagasawa, code="std", name_ja="標準コース", duration_min=90, max_group=40
        )
    db.dispose()
    return path


@pytest.fixture
def window(qtbot, office: Path, fresh_settings: Settings, english: None) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    db = open_database(f"sqlite:///{office}", "aiko")
    w = MainWindow(db, fresh_settings, user_name="aiko", poll_interval=0.25)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: bool(w.live_mode))
    # the poller is up once it has read where the audit log stands
    qtbot.waitUntil(
        lambda: w._live is not None and w._live.watcher is not None and w._live.watcher._last_id is not None,
        timeout=5000,
    )
    yield w
    w.close()
    db.dispose()


@pytest.fixture
def colleague(office: Path) -> Iterator[Database]:
    """Another KawaOffice on the same file (another user)."""
    db = open_database(f"sqlite:///{office}", "kenji")
    yield db
    db.dispose()


@pytest.fixture(autouse=True)
def answer_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)


def id_of(db: Database, entity: Any, **where: object) -> int:
    with db.session() as s:
        column = next(iter(where))
        return int(s.scalar(select(entity.id).where(getattr(entity, column) == where[column])) or 0)


def version_of(db: Database, entity: Any, row_id: int) -> int:
    with db.session() as s:
        return int(s.get(entity, row_id).version)  # type: ignore[union-attr]


def press(qtbot, dialog: QWidget, which: QDialogButtonBox.StandardButton) -> None:  # type: ignore[no-untyped-def]
    box = dialog.findChildren(QDialogButtonBox)[-1]  # the dialog's own buttons are the last box
    qtbot.mouseClick(box.button(which), Qt.MouseButton.LeftButton)


def watch_of(dialog: QWidget) -> RecordWatch:
    watch = getattr(dialog, "record_watch", None)
    assert isinstance(watch, RecordWatch), dialog
    return watch


def notice_shown(dialog: QWidget) -> bool:
    return watch_of(dialog).notice.isVisible()


def top_widget(dialog: QWidget) -> QWidget | None:
    """The first widget of the dialog's layout (where the notice must be)."""
    layout = dialog.layout()
    item = layout.itemAt(0) if layout is not None else None
    return item.widget() if item is not None else None


def test_open_dialogs_are_told_when_a_colleague_saves_their_record(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, colleague: Database
) -> None:
    partners_tab, visits_tab = window.tab("partners"), window.tab("visits")
    sanki = id_of(colleague, Organization, name_ja="三機工業")
    aqua = id_of(colleague, Organization, name_ja="アクア技研")
    b1 = id_of(colleague, Booking, code="B-1")
    b2 = id_of(colleague, Booking, code="B-2")
    org_dialog = OrganizationDialog(partners_tab.sessions, sanki, partners_tab)
    booking_dialog = BookingDialog(visits_tab.sessions, b1, visits_tab)
    for dialog in (org_dialog, booking_dialog):
        qtbot.addWidget(dialog)
        dialog.show()
        # the notice sits at the top of the dialog, hidden until it is needed
        assert top_widget(dialog) is watch_of(dialog).notice
        assert not notice_shown(dialog)
    city = org_dialog.fields["city"]
    assert isinstance(city, QLineEdit)
    city.setText("川崎市")  # the user is typing
    booking_dialog.group_name.setText("JICA研修員（上水道）第2班")

    seen: list[tuple[str, int]] = []

    def record(table: str, row_id: int) -> None:
        seen.append((table, row_id))

    change_hub().record_changed.connect(record)
    try:
        # a colleague saves other records: the dialogs stay as they are
        with colleague.session() as s:
            partners.update_organization(s, aqua, version_of(colleague, Organization, aqua), city="横浜市")
            tours.update_booking(s, b2, version_of(colleague, Booking, b2), headcount=9)
        qtbot.waitUntil(lambda: {("organizations", aqua), ("bookings", b2)} <= set(seen), timeout=DEADLINE_MS)
        qtbot.wait(100)
        assert not notice_shown(org_dialog) and not notice_shown(booking_dialog)

        # ... then the two records that are open
        with colleague.session() as s:
            partners.update_organization(
                s, sanki, version_of(colleague, Organization, sanki), phone="+81441234567"
            )
            tours.update_booking(s, b1, version_of(colleague, Booking, b1), headcount=14)
        qtbot.waitUntil(
            lambda: notice_shown(org_dialog) and notice_shown(booking_dialog), timeout=DEADLINE_MS
        )
    finally:
        change_hub().record_changed.disconnect(record)
    assert "changed by someone else" in watch_of(org_dialog).notice.text()
    # the user's entries are still there
    assert city.text() == "川崎市"
    assert booking_dialog.group_name.text() == "JICA研修員（上水道）第2班"


Opener = Callable[[Database, QWidget], QDialog]


def _staff(db: Database, parent: QWidget) -> QDialog:
    return StaffDialog(db.session, id_of(db, Staff, staff_no="1001"), parent)


def _facility(db: Database, parent: QWidget) -> QDialog:
    return FacilityEditor(db.session, id_of(db, Facility, code="nagasawa"), parent)


def _course(db: Database, parent: QWidget) -> QDialog:
    return CourseEditor(
        db.session, id_of(db, Facility, code="nagasawa"), id_of(db, Course, code="std"), parent
    )


def _dispatch(db: Database, parent: QWidget) -> QDialog:
    return DispatchDialog(db.session, id_of(db, Dispatch, code="D-2"), parent)


def _contact(db: Database, parent: QWidget) -> QDialog:
    with db.session() as s:
        tanaka = s.scalar(select(Contact).where(Contact.family_name == "田中"))
        assert tanaka is not None
        org = id_of(db, Organization, name_ja="国際協力機構")
        partners.create_employment(s, contact_id=tanaka.id, organization_id=org, title="専門員")
        contact_id = tanaka.id
    return ContactDialog(db.session, org, contact_id, parent)


@pytest.mark.parametrize(
    ("opener", "table", "entity", "key"),
    [
        (_staff, "staff", Staff, {"staff_no": "1001"}),
        (_facility, "facilities", Facility, {"code": "nagasawa"}),
        (_course, "courses", Course, {"code": "std"}),
        (_dispatch, "dispatches", Dispatch, {"code": "D-2"}),
        (_contact, "contacts", Contact, {"family_name": "田中"}),
    ],
    ids=["staff", "facility", "course", "dispatch", "contact"],
)
def test_every_edit_dialog_watches_its_own_record(  # type: ignore[no-untyped-def]
    qtbot, office: Path, english: None, opener: Opener, table: str, entity: Any, key: dict[str, object]
) -> None:
    """The other edit dialogs watch the right table and id (the hub is fed directly here; the test above goes
    through the real poller)."""
    db = open_database(f"sqlite:///{office}", "aiko")
    try:
        parent = QWidget()
        qtbot.addWidget(parent)
        dialog = opener(db, parent)
        dialog.show()
        row_id = id_of(db, entity, **key)
        watch = watch_of(dialog)
        assert (watch.table, watch.row_id) == (table, row_id)
        change_hub().record_changed.emit(table, row_id + 1000)
        change_hub().record_changed.emit("organizations" if table != "organizations" else "staff", row_id)
        assert not watch.notice.isVisible()
        change_hub().record_changed.emit(table, row_id)
        assert watch.notice.isVisible()
        dialog.close()
    finally:
        db.dispose()


def test_a_new_record_dialog_has_no_notice(qtbot, office: Path, english: None) -> None:  # type: ignore[no-untyped-def]
    db = open_database(f"sqlite:///{office}", "aiko")
    try:
        dialogs = [OrganizationDialog(db.session), BookingDialog(db.session), StaffDialog(db.session, None)]
        for dialog in dialogs:
            qtbot.addWidget(dialog)
            assert getattr(dialog, "record_watch", "missing") is None
    finally:
        db.dispose()


class LostDatabase:
    """Takes the database file away under a running window (connections closed, folder moved) and back."""

    def __init__(self, window: MainWindow, office: Path) -> None:
        self.window = window
        self.folder = office.parent
        self.away = self.folder.with_name("office-unreachable")

    def __enter__(self) -> LostDatabase:
        self.window.database.engine.dispose()
        self.folder.rename(self.away)
        return self

    def back(self) -> None:
        if self.away.exists():
            self.away.rename(self.folder)

    def __exit__(self, *exc: object) -> None:
        self.back()


def test_organization_save_while_the_database_is_gone(qtbot, window: MainWindow, office: Path) -> None:  # type: ignore[no-untyped-def]
    window.show_tab("partners")
    tab = window.tab("partners")
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0)
    sanki = id_of(window.database, Organization, name_ja="三機工業")
    assert tab.select_id(sanki)  # type: ignore[attr-defined]
    dialog = tab.edit_organization()  # type: ignore[attr-defined]
    assert isinstance(dialog, OrganizationDialog)
    qtbot.waitExposed(dialog)
    city, phone = dialog.fields["city"], dialog.fields["phone"]
    assert isinstance(city, QLineEdit) and isinstance(phone, QLineEdit)
    qtbot.keyClicks(city, "Kawasaki")
    phone.setText("044-200-0000")

    with LostDatabase(window, office) as lost:
        press(qtbot, dialog, QDialogButtonBox.StandardButton.Save)
        # the storage layer's own message, in the dialog, which stays open with the entries
        assert dialog.isVisible()
        assert dialog.error_label.isVisible()
        assert "The connection to the database" in dialog.error_label.text()
        assert "your unsaved changes are kept" in dialog.error_label.text()
        assert (city.text(), phone.text()) == ("Kawasaki", "044-200-0000")
        assert window.offline  # the main window was told: banner and retries
        lost.back()
        press(qtbot, dialog, QDialogButtonBox.StandardButton.Save)  # the server is back: save again
    qtbot.waitUntil(lambda: not dialog.isVisible())
    with window.database.session() as s:
        org = s.get(Organization, sanki)
        assert org is not None and org.city == "Kawasaki" and org.phone == "+81442000000"


def test_booking_save_while_the_database_is_gone(qtbot, window: MainWindow, office: Path) -> None:  # type: ignore[no-untyped-def]
    tab = window.tab("visits")
    b3 = id_of(window.database, Booking, code="B-3")
    dialog = BookingDialog(tab.sessions, b3, tab)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.group_name.setText(dialog.group_name.text() + "（高校）")  # (keyClicks types ASCII only)
    dialog.headcount.setValue(31)
    with LostDatabase(window, office) as lost:
        press(qtbot, dialog, QDialogButtonBox.StandardButton.Save)
        assert dialog.isVisible()
        assert "The connection to the database" in dialog.issues.text()
        assert (dialog.group_name.text(), dialog.headcount.value()) == ("学生（高校）", 31)
        lost.back()
        press(qtbot, dialog, QDialogButtonBox.StandardButton.Save)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    with window.database.session() as s:
        booking = s.get(Booking, b3)
        assert booking is not None and (booking.group_name, booking.headcount) == ("学生（高校）", 31)


def test_project_save_while_the_database_is_gone(qtbot, window: MainWindow, office: Path) -> None:  # type: ignore[no-untyped-def]
    window.show_tab("projects")
    tab = window.tab("projects")
    assert isinstance(tab, ProjectsTab)
    opened: list[QDialog] = []

    def run_dialog(dialog: QDialog) -> int:  # the tab's exec(), without blocking the test
        opened.append(dialog)
        dialog.show()
        return int(QDialog.DialogCode.Rejected)

    tab.run_dialog = run_dialog
    p1 = id_of(window.database, Project, code="P-001")
    tab.stack.setCurrentIndex(VIEWS.index("table"))
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0)
    row = next(r for r in range(tab.model.rowCount()) if tab.model.id_at(r) == p1)
    tab.view.setCurrentIndex(tab.model.index(row, 0))
    tab.edit_project()
    (dialog,) = opened
    qtbot.waitExposed(dialog)
    assert (watch_of(dialog).table, watch_of(dialog).row_id) == ("projects", p1)
    title = dialog.title_ja  # type: ignore[attr-defined]
    title.setText("ラオス MaWaSU2（第2期）")
    with LostDatabase(window, office) as lost:
        press(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
        assert dialog.isVisible()
        assert "The connection to the database" in dialog.error.text()  # type: ignore[attr-defined]
        assert title.text() == "ラオス MaWaSU2（第2期）"
        lost.back()
        press(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    with window.database.session() as s:
        project = s.get(Project, p1)
        assert project is not None and project.title_ja == "ラオス MaWaSU2（第2期）"


def test_need_dialog_watches_its_need(qtbot, english: None) -> None:  # type: ignore[no-untyped-def]
    dialog = NeedDialog(
        organizations=[], projects=[], technologies=[], initial={"id": 7, "version": 1, "topic": "漏水"},
        save=lambda values: None,
    )  # fmt: skip
    qtbot.addWidget(dialog)
    watch = watch_of(dialog)
    assert (watch.table, watch.row_id) == ("local_needs", 7)
    assert top_widget(dialog) is watch.notice


def test_a_connection_lost_during_the_commit_does_not_claim_nothing_was_saved(qtbot, english: None) -> None:  # type: ignore[no-untyped-def]
    """The commit was on its way: the server may have written it, so the dialog must not say "nothing was saved"."""
    before = ConnectionLostError("office.sqlite3", "disk I/O error")
    during = ConnectionLostError("office.sqlite3", "disk I/O error", during_commit=True)
    assert storage_error_message(before) == before.message
    assert "Nothing was saved" not in storage_error_message(during)
    assert "cannot tell whether your changes were saved" in storage_error_message(during)
    shown: list[str] = []
    parent = QWidget()
    qtbot.addWidget(parent)
    child = QWidget(parent)
    report_storage_error(child, during, shown.append)  # a parent without handle_error: just the message
    assert shown == [storage_error_message(during)]
