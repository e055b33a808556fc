"""Facilities (add/edit, capacity, weekly hours, closed dates, courses with stops) and visit statistics dialogs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from kawaoffice.i18n import N_, _, country_name, fiscal_year, fiscal_year_label, format_date, format_number
from kawaoffice.model.tours import VISITOR_TYPE_LABELS, CourseStop, VisitorType
from kawaoffice.services import ServiceError, tour_stats, tours
from kawaoffice.services.errors import StaleEditError, ValidationError
from kawaoffice.storage.errors import StorageError
from kawaoffice.ui.widgets.conflict_dialog import (
    ConflictDialog,
    CurrentRecord,
    report_storage_error,
    resolve_stale,
)
from kawaoffice.ui.widgets.forms import error_label
from kawaoffice.ui.widgets.live_refresh import RecordWatch, watch_record
from kawaoffice.ui.widgets.paged_model import SessionProvider

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
ID_ROLE = Qt.ItemDataRole.UserRole
VERSION_ROLE = Qt.ItemDataRole.UserRole + 1
STOP_ID_ROLE = Qt.ItemDataRole.UserRole
HOURS_UNSET, HOURS_OPEN, HOURS_CLOSED = "unset", "open", "closed"


@dataclass(frozen=True)
class StopSpec:
    """A stop as the course editor holds it; two stops are the same if they read the same (ids aside)."""

    name_ja: str
    name_en: str
    minutes: int
    id: int | None = field(default=None, compare=False)
    version: int | None = field(default=None, compare=False)

    def text(self) -> str:
        name = f"{self.name_ja} / {self.name_en}" if self.name_en else self.name_ja
        return _("{name} ({minutes} min)").format(name=name, minutes=self.minutes)


class FacilityEditor(QDialog):
    """Add or edit a facility: code, names, hall, addresses, meeting points, capacity, time zone, holidays."""

    def __init__(
        self, sessions: SessionProvider, facility_id: int | None = None, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setObjectName("facility_editor")
        self.setWindowTitle(_("New facility") if facility_id is None else _("Edit facility"))
        self.sessions = sessions
        self.facility_id = facility_id
        self.version: int | None = None
        self.saved_id: int | None = None
        self.original: dict[str, Any] = {}  # the saved values when the dialog opened (for edit conflicts)
        self.conflict: ConflictDialog | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.edits: dict[str, QLineEdit] = {}
        self.labels: dict[str, str] = {}
        for key, label in (
            ("code", _("Code")), ("name_ja", _("Name (Japanese)")), ("name_en", _("Name in English")),
            ("hall_name_ja", _("Hall (Japanese)")), ("hall_name_en", _("Hall (English)")),
            ("address", _("Address (Japanese)")), ("address_en", _("Address (English)")),
            ("meeting_point_ja", _("Meeting point (Japanese)")), ("meeting_point_en", _("Meeting point (English)")),
            ("map_note", _("Map note")), ("timezone", _("Time zone")),
        ):  # fmt: skip
            edit = QLineEdit(self)
            edit.setObjectName(key)
            self.edits[key] = edit
            self.labels[key] = label
            form.addRow(label, edit)
        self.labels.update(
            capacity=_("Capacity (visitors at once)"),
            observes_public_holidays=_("Closed on public holidays"),
            active=_("Active"),
        )
        self.edits["timezone"].setText("Asia/Tokyo")
        self.capacity = QSpinBox(self)
        self.capacity.setRange(1, 10000)
        self.capacity.setValue(40)
        form.addRow(_("Capacity (visitors at once)"), self.capacity)
        self.holidays = QCheckBox(_("Closed on public holidays"), self)
        self.holidays.setChecked(True)
        self.active = QCheckBox(_("Active"), self)
        self.active.setChecked(True)
        form.addRow("", self.holidays)
        form.addRow("", self.active)
        layout.addLayout(form)
        self.error = error_label(self)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.record_watch: RecordWatch | None = None  # told when someone else saves this facility
        if facility_id is not None:
            with sessions() as s:
                f = tours.get_facility(s, facility_id)
                self.version = f.version
                self.put_values(self._values_of(f))
            self.original = self.values()
            self.record_watch = watch_record(self, "facilities", facility_id)

    def _values_of(self, f: Any) -> dict[str, Any]:
        values = {key: str(getattr(f, key)) for key in self.edits}
        values.update(
            capacity=f.capacity, observes_public_holidays=f.observes_public_holidays, active=f.active
        )
        return values

    def put_values(self, values: dict[str, Any]) -> None:
        for key, edit in self.edits.items():
            edit.setText(str(values[key]))
        self.capacity.setValue(int(values["capacity"]))
        self.holidays.setChecked(bool(values["observes_public_holidays"]))
        self.active.setChecked(bool(values["active"]))

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {key: edit.text() for key, edit in self.edits.items()}
        values.update(
            capacity=self.capacity.value(),
            observes_public_holidays=self.holidays.isChecked(),
            active=self.active.isChecked(),
        )
        return values

    def save(self) -> bool:
        """Write the facility; on a refusal show the message, keep the edits and return False."""
        try:
            with self.sessions() as s:
                if self.facility_id is None:
                    f = tours.create_facility(s, **self.values())
                else:
                    assert self.version is not None
                    f = tours.update_facility(s, self.facility_id, self.version, **self.values())
                self.saved_id = f.id
        except StaleEditError:
            self.resolve_conflict()
            return False
        except ServiceError as exc:
            show_error(self.error, exc, self.edits)
            return False
        except StorageError as exc:  # the database cannot be reached: the entries stay for a later save
            report_storage_error(self, exc, self.error.setText)
            return False
        return True

    def _on_save(self) -> None:
        if self.save():
            self.accept()

    def resolve_conflict(self) -> None:
        """Someone else saved the facility meanwhile: yours and theirs field by field, then save the merge."""
        facility_id = self.facility_id
        assert facility_id is not None

        def current() -> CurrentRecord:
            with self.sessions() as s:
                f = tours.get_facility(s, facility_id)
                return CurrentRecord.of(f, self._values_of(f))

        def merge(values: dict[str, Any], now: CurrentRecord) -> None:
            self.put_values(values)
            self.original, self.version = dict(now.values), now.version
            self._on_save()

        self.conflict = resolve_stale(
            self, self.labels, self.original, self.values(), current, merge,
            show_message=self.error.setText,
            record=_("the facility {name}").format(name=self.original.get("name_ja", "")),
        )  # fmt: skip


class CourseEditor(QDialog):
    """Add or edit a course of a facility with its ordered stops."""

    def __init__(
        self,
        sessions: SessionProvider,
        facility_id: int,
        course_id: int | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("course_editor")
        self.setWindowTitle(_("New course") if course_id is None else _("Edit course"))
        self.sessions = sessions
        self.facility_id = facility_id
        self.course_id = course_id
        self.version: int | None = None
        self.saved_id: int | None = None
        self.original_stops: dict[int, int] = {}  # stop id -> version
        self.original: dict[str, Any] = {}  # the saved state when the dialog opened (for edit conflicts)
        self.conflict: ConflictDialog | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.edits: dict[str, QLineEdit] = {}
        for key, label in (
            ("code", _("Code")), ("name_ja", _("Name (Japanese)")), ("name_en", _("Name in English")),
            ("languages", _("Languages (codes such as ja, en, vi)")), ("description", _("Description")),
        ):  # fmt: skip
            edit = QLineEdit(self)
            edit.setObjectName(key)
            self.edits[key] = edit
            form.addRow(label, edit)
        self.duration = QSpinBox(self)
        self.duration.setRange(1, 24 * 60)
        self.duration.setValue(90)
        self.duration.setSuffix(_(" min"))
        self.min_group = QSpinBox(self)
        self.min_group.setRange(1, 10000)
        self.max_group = QSpinBox(self)
        self.max_group.setRange(1, 10000)
        self.max_group.setValue(40)
        self.active = QCheckBox(_("Active"), self)
        self.active.setChecked(True)
        form.addRow(_("Duration"), self.duration)
        form.addRow(_("Smallest group"), self.min_group)
        form.addRow(_("Largest group"), self.max_group)
        form.addRow("", self.active)
        layout.addLayout(form)
        layout.addWidget(QLabel(_("Stops, in order")))
        self.stops = QTableWidget(0, 3, self)
        self.stops.setObjectName("stops")
        self.stops.setHorizontalHeaderLabels([_("Stop (Japanese)"), _("Stop (English)"), _("Minutes")])
        header = self.stops.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.stops.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.stops.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        layout.addWidget(self.stops, 1)
        row = QHBoxLayout()
        self.add_stop_button = QPushButton(_("Add stop"), self)
        self.add_stop_button.clicked.connect(lambda: self.add_stop())
        self.remove_stop_button = QPushButton(_("Remove stop"), self)
        self.remove_stop_button.clicked.connect(self.remove_stop)
        self.up_button = QPushButton(_("Move up"), self)
        self.up_button.clicked.connect(lambda: self.move_stop(-1))
        self.down_button = QPushButton(_("Move down"), self)
        self.down_button.clicked.connect(lambda: self.move_stop(1))
        for button in (self.add_stop_button, self.remove_stop_button, self.up_button, self.down_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.error = error_label(self)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.record_watch: RecordWatch | None = None  # told when someone else saves this course
        if course_id is not None:
            with sessions() as s:
                course = tours.get_course(s, course_id)
                self.version = course.version
                state = self._state_of(course)
                self.original_stops = {stop.id: stop.version for stop in course.stops}
            self.put_state(state)
            self.original = self.state()
            self.record_watch = watch_record(self, "courses", course_id)
        self.resize(620, 560)

    @staticmethod
    def _state_of(course: Any) -> dict[str, Any]:
        state: dict[str, Any] = {
            key: getattr(course, key)
            for key in ("code", "name_ja", "name_en", "description", "duration_min", "min_group", "max_group",
                        "active")
        }  # fmt: skip
        state["languages"] = list(course.languages)
        state["stops"] = tuple(
            StopSpec(t.name_ja, t.name_en, t.minutes, t.id, t.version) for t in course.stops
        )
        return state

    def state(self) -> dict[str, Any]:
        """The course as the editor holds it: ``values()`` plus the stops."""
        state = self.values()
        state["stops"] = tuple(StopSpec(ja, en, minutes, sid, version)
                               for ja, en, minutes, (sid, version) in self.stop_rows())  # fmt: skip
        return state

    def put_state(self, state: dict[str, Any]) -> None:
        for key in ("code", "name_ja", "name_en", "description"):
            self.edits[key].setText(str(state[key]))
        self.edits["languages"].setText(", ".join(state["languages"]))
        self.duration.setValue(int(state["duration_min"]))
        self.min_group.setValue(int(state["min_group"]))
        self.max_group.setValue(int(state["max_group"]))
        self.active.setChecked(bool(state["active"]))
        self.stops.setRowCount(0)
        for stop in state["stops"]:
            self.add_stop(stop.name_ja, stop.name_en, stop.minutes, stop.id, stop.version)

    def add_stop(
        self, name_ja: str = "", name_en: str = "", minutes: int = 15, stop_id: int | None = None,
        version: int | None = None,
    ) -> int:  # fmt: skip
        r = self.stops.rowCount()
        self.stops.insertRow(r)
        first = QTableWidgetItem(name_ja)
        first.setData(STOP_ID_ROLE, (stop_id, version))
        self.stops.setItem(r, 0, first)
        self.stops.setItem(r, 1, QTableWidgetItem(name_en))
        spin = QSpinBox(self.stops)
        spin.setRange(1, 24 * 60)
        spin.setValue(minutes)
        self.stops.setCellWidget(r, 2, spin)
        self.stops.setCurrentCell(r, 0)
        return r

    def _row(self, r: int) -> tuple[str, str, int, tuple[int | None, int | None]]:
        first, second = self.stops.item(r, 0), self.stops.item(r, 1)
        spin = self.stops.cellWidget(r, 2)
        assert isinstance(spin, QSpinBox)
        return (first.text() if first else "", second.text() if second else "", spin.value(),
                first.data(STOP_ID_ROLE) if first else (None, None))  # fmt: skip

    def stop_rows(self) -> list[tuple[str, str, int, tuple[int | None, int | None]]]:
        return [self._row(r) for r in range(self.stops.rowCount())]

    def _set_rows(
        self, rows: list[tuple[str, str, int, tuple[int | None, int | None]]], current: int
    ) -> None:
        self.stops.setRowCount(0)
        for name_ja, name_en, minutes, (sid, version) in rows:
            self.add_stop(name_ja, name_en, minutes, sid, version)
        self.stops.setCurrentCell(current, 0)

    def remove_stop(self) -> None:
        r = self.stops.currentRow()
        if r >= 0:
            self.stops.removeRow(r)

    def move_stop(self, delta: int) -> None:
        r = self.stops.currentRow()
        target = r + delta
        if r < 0 or not 0 <= target < self.stops.rowCount():
            return
        rows = self.stop_rows()
        rows[r], rows[target] = rows[target], rows[r]
        self._set_rows(rows, target)

    def values(self) -> dict[str, Any]:
        languages = [
            p.strip() for p in self.edits["languages"].text().replace("、", ",").split(",") if p.strip()
        ]
        return {
            "code": self.edits["code"].text(),
            "name_ja": self.edits["name_ja"].text(),
            "name_en": self.edits["name_en"].text(),
            "description": self.edits["description"].text(),
            "languages": languages,
            "duration_min": self.duration.value(),
            "min_group": self.min_group.value(),
            "max_group": self.max_group.value(),
            "active": self.active.isChecked(),
        }

    def save(self) -> bool:
        """Write the course and its stops in one transaction; on a refusal keep the edits and return False."""
        try:
            with self.sessions() as s:
                if self.course_id is None:
                    course = tours.create_course(s, facility_id=self.facility_id, **self.values())
                else:
                    assert self.version is not None
                    course = tours.update_course(s, self.course_id, self.version, **self.values())
                rows = self.stop_rows()
                kept = {sid for *_rest, (sid, _v) in rows if sid is not None}
                for old_id, old_version in self.original_stops.items():
                    if old_id not in kept:
                        tours.delete_course_stop(s, old_id, old_version)
                for position, (name_ja, name_en, minutes, (sid, version)) in enumerate(rows, start=1):
                    if sid is None:
                        tours.add_course_stop(s, course_id=course.id, position=position, name_ja=name_ja,
                                              name_en=name_en, minutes=minutes)  # fmt: skip
                    else:
                        assert version is not None
                        stop = s.get(CourseStop, sid)
                        if stop is not None and (stop.position, stop.name_ja, stop.name_en, stop.minutes) != (
                            position, name_ja, name_en, minutes,
                        ):  # fmt: skip
                            tours.update_course_stop(s, sid, version, position=position, name_ja=name_ja,
                                                     name_en=name_en, minutes=minutes)  # fmt: skip
                self.saved_id = course.id
        except StaleEditError:
            self.resolve_conflict()
            return False
        except ServiceError as exc:
            show_error(self.error, exc, self.edits)
            return False
        except StorageError as exc:  # the database cannot be reached: the entries stay for a later save
            report_storage_error(self, exc, self.error.setText)
            return False
        return True

    def _on_save(self) -> None:
        if self.save():
            self.accept()

    def resolve_conflict(self) -> None:
        """Someone else saved the course or its stops meanwhile: yours and theirs per field, then save the
        merge against the current course and stops (a stop deleted meanwhile that the merge keeps is added again).
        """
        course_id = self.course_id
        assert course_id is not None
        labels = {
            "code": _("Code"), "name_ja": _("Name (Japanese)"), "name_en": _("Name in English"),
            "description": _("Description"), "languages": _("Languages"), "duration_min": _("Duration"),
            "min_group": _("Smallest group"), "max_group": _("Largest group"), "active": _("Active"),
            "stops": _("Stops, in order"),
        }  # fmt: skip

        def current() -> CurrentRecord:
            with self.sessions() as s:
                course = tours.get_course(s, course_id)
                return CurrentRecord.of(course, self._state_of(course))

        def merge(values: dict[str, Any], now: CurrentRecord) -> None:
            versions = {stop.id: stop.version for stop in now.values["stops"]}
            values["stops"] = tuple(
                StopSpec(t.name_ja, t.name_en, t.minutes, t.id, versions[t.id]) if t.id in versions
                else StopSpec(t.name_ja, t.name_en, t.minutes)
                for t in values["stops"]
            )  # fmt: skip
            self.put_state(values)
            self.original, self.version = dict(now.values), now.version
            self.original_stops = {int(sid): int(v) for sid, v in versions.items()}
            self._on_save()

        show: dict[str, Callable[[Any], str]] = {
            "languages": lambda codes: ", ".join(codes),
            "duration_min": lambda minutes: _("{minutes} min").format(minutes=minutes),
            "stops": lambda stops: "\n".join(f"{n}. {t.text()}" for n, t in enumerate(stops, start=1)),
        }
        self.conflict = resolve_stale(
            self, labels, self.original, self.state(), current, merge,
            show_message=self.error.setText, show=show,
            record=_("the course {name}").format(name=self.original.get("name_ja", "")),
        )  # fmt: skip


def show_error(label: QLabel, exc: ServiceError, edits: dict[str, QLineEdit]) -> None:
    """Show a refusal under the form and put the cursor in the field it is about."""
    if isinstance(exc, StaleEditError):
        label.setText(_("Someone else changed this record; close and reload it."))
        return
    label.setText(exc.message)
    if isinstance(exc, ValidationError) and exc.field in edits:
        edits[exc.field].setFocus()


class FacilitiesDialog(QDialog):
    """Facilities: add and edit them, capacity, weekly opening hours, closed dates (年末年始, maintenance) and
    courses with their stops."""

    def __init__(self, sessions: SessionProvider, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("facilities_dialog")
        self.setWindowTitle(_("Facilities"))
        self.sessions = sessions
        self.version = 0
        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        self.list = QListWidget(self)
        left.addWidget(self.list, 1)
        left_buttons = QHBoxLayout()
        self.new_button = QPushButton(_("New facility…"), self)
        self.new_button.clicked.connect(self.new_facility)
        self.edit_button = QPushButton(_("Edit…"), self)
        self.edit_button.clicked.connect(self.edit_facility)
        self.delete_button = QPushButton(_("Delete"), self)
        self.delete_button.clicked.connect(self.delete_facility)
        for button in (self.new_button, self.edit_button, self.delete_button):
            left_buttons.addWidget(button)
        left.addLayout(left_buttons)
        layout.addLayout(left, 1)
        right = QVBoxLayout()
        form = QFormLayout()
        self.capacity = QSpinBox(self)
        self.capacity.setRange(1, 10000)
        save = QPushButton(_("Save capacity"), self)
        save.clicked.connect(self.save_capacity)
        form.addRow(_("Capacity (visitors at once)"), self.capacity)
        form.addRow("", save)
        right.addLayout(form)
        right.addWidget(QLabel(_("Opening hours")))
        self.hours = QTableWidget(7, 3, self)
        self.hours.setObjectName("hours")
        self.hours.setHorizontalHeaderLabels([_("State"), _("Opens"), _("Closes")])
        self.hours.setVerticalHeaderLabels([_(w) for w in WEEKDAYS])
        self.hour_state: list[QComboBox] = []
        self.hour_opens: list[QTimeEdit] = []
        self.hour_closes: list[QTimeEdit] = []
        for w in range(7):
            state = QComboBox(self.hours)
            for value, text in (
                (HOURS_UNSET, _("not set")),
                (HOURS_OPEN, _("open")),
                (HOURS_CLOSED, _("closed")),
            ):
                state.addItem(text, value)
            opens, closes = QTimeEdit(QTime(9, 0), self.hours), QTimeEdit(QTime(17, 0), self.hours)
            for edit in (opens, closes):
                edit.setDisplayFormat("HH:mm")
            state.currentIndexChanged.connect(lambda _i, w=w: self._hours_enabled(w))
            self.hours.setCellWidget(w, 0, state)
            self.hours.setCellWidget(w, 1, opens)
            self.hours.setCellWidget(w, 2, closes)
            self.hour_state.append(state)
            self.hour_opens.append(opens)
            self.hour_closes.append(closes)
        self.hours.setMinimumHeight(230)
        right.addWidget(self.hours)
        save_hours = QPushButton(_("Save opening hours"), self)
        save_hours.setObjectName("save_hours")
        save_hours.clicked.connect(self.save_hours)
        right.addWidget(save_hours)
        right.addWidget(QLabel(_("Courses")))
        self.courses = QListWidget(self)
        self.courses.setObjectName("courses")
        self.courses.itemDoubleClicked.connect(lambda _i: self.edit_course())
        right.addWidget(self.courses)
        course_buttons = QHBoxLayout()
        self.new_course_button = QPushButton(_("New course…"), self)
        self.new_course_button.clicked.connect(self.new_course)
        self.edit_course_button = QPushButton(_("Edit course…"), self)
        self.edit_course_button.clicked.connect(self.edit_course)
        self.delete_course_button = QPushButton(_("Delete course"), self)
        self.delete_course_button.clicked.connect(self.delete_course)
        for button in (self.new_course_button, self.edit_course_button, self.delete_course_button):
            course_buttons.addWidget(button)
        course_buttons.addStretch(1)
        right.addLayout(course_buttons)
        right.addWidget(QLabel(_("Closed dates")))
        self.closed = QListWidget(self)
        right.addWidget(self.closed)
        add_row = QHBoxLayout()
        self.closed_on = QDateEdit(QDate.currentDate(), self)
        self.closed_on.setCalendarPopup(True)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText(_("Reason (年末年始, maintenance…)"))
        add = QPushButton(_("Add closed date"), self)
        add.clicked.connect(self.add_closed)
        remove = QPushButton(_("Remove"), self)
        remove.clicked.connect(self.remove_closed)
        for widget in (self.closed_on, self.reason, add, remove):
            add_row.addWidget(widget)
        right.addLayout(add_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        right.addWidget(buttons)
        layout.addLayout(right, 2)
        self.list.currentRowChanged.connect(lambda _r: self.show_facility())
        self.reload()
        self.resize(900, 760)

    # --- facilities ---------------------------------------------------------------------------------------------
    def reload(self, select_id: int | None = None) -> None:
        keep = select_id if select_id is not None else self.facility_id()
        self.list.blockSignals(True)
        self.list.clear()
        with self.sessions() as s:
            for f in tours.facilities(s, active_only=False):
                text = f.name_ja if f.active else _("{name} (inactive)").format(name=f.name_ja)
                item = QListWidgetItem(text)
                item.setData(ID_ROLE, f.id)
                self.list.addItem(item)
                if f.id == keep:
                    self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self.show_facility()

    def facility_id(self) -> int | None:
        item = self.list.currentItem()
        return int(item.data(ID_ROLE)) if item is not None else None

    def facility_names(self) -> list[str]:
        return [self.list.item(r).text() for r in range(self.list.count())]

    def facility_editor(self, facility_id: int | None) -> FacilityEditor:
        return FacilityEditor(self.sessions, facility_id, self)

    def new_facility(self) -> None:
        editor = self.facility_editor(None)
        if editor.exec():
            self.reload(editor.saved_id)

    def edit_facility(self) -> None:
        fid = self.facility_id()
        if fid is None:
            return
        editor = self.facility_editor(fid)
        if editor.exec():
            self.reload(fid)

    def confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, _("Facilities"), text)
        return answer == QMessageBox.StandardButton.Yes

    def delete_facility(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        fid = int(item.data(ID_ROLE))
        text = _("Delete the facility {name} with its courses, hours and closed dates?").format(
            name=item.text()
        )
        if self.confirm(text):
            self._run(lambda s: tours.delete_facility(s, fid, self.version))
            self.reload()

    def show_facility(self) -> None:
        fid = self.facility_id()
        self.courses.clear()
        self.closed.clear()
        if fid is None:
            return
        with self.sessions() as s:
            f = tours.get_facility(s, fid)
            self.version = f.version
            self.capacity.setValue(f.capacity)
            by_day = {w.weekday: w for w in f.weekdays}
            for w in range(7):
                row = by_day.get(w)
                state = HOURS_UNSET if row is None else HOURS_CLOSED if row.closed else HOURS_OPEN
                self.hour_state[w].setCurrentIndex(self.hour_state[w].findData(state))
                if row is not None and row.opens is not None and row.closes is not None:
                    self.hour_opens[w].setTime(QTime(row.opens.hour, row.opens.minute))
                    self.hour_closes[w].setTime(QTime(row.closes.hour, row.closes.minute))
                self._hours_enabled(w)
            for c in f.courses:
                text = _("{name}: {minutes} min, groups of {low}–{high}").format(
                    name=c.name_ja, minutes=c.duration_min, low=c.min_group, high=c.max_group
                )
                if c.stops:
                    text += " — " + " → ".join(stop.name_ja for stop in c.stops)
                item = QListWidgetItem(text)
                item.setData(ID_ROLE, c.id)
                item.setData(VERSION_ROLE, c.version)
                self.courses.addItem(item)
            for row_ in f.closed_dates:
                item = QListWidgetItem(f"{format_date(row_.closed_on)}  {row_.reason}")
                item.setData(ID_ROLE, row_.id)
                self.closed.addItem(item)

    def _run(self, work: Callable[[Session], object]) -> bool:
        try:
            with self.sessions() as s:
                work(s)
        except StaleEditError:
            QMessageBox.warning(self, _("Facilities"), _("Someone else changed this record; reload."))
            self.show_facility()
            return False
        except ServiceError as exc:
            QMessageBox.warning(self, _("Facilities"), exc.message)
            return False
        self.show_facility()
        return True

    def save_capacity(self) -> None:
        fid = self.facility_id()
        if fid is not None:
            self._run(lambda s: tours.update_facility(s, fid, self.version, capacity=self.capacity.value()))

    # --- opening hours ------------------------------------------------------------------------------------------
    def _hours_enabled(self, weekday: int) -> None:
        is_open = self.hour_state[weekday].currentData() == HOURS_OPEN
        self.hour_opens[weekday].setEnabled(is_open)
        self.hour_closes[weekday].setEnabled(is_open)

    def save_hours(self) -> bool:
        fid = self.facility_id()
        if fid is None:
            return False

        def work(s: Session) -> None:
            for w in range(7):
                state = self.hour_state[w].currentData()
                if state == HOURS_UNSET:
                    tours.remove_weekday(s, fid, w)
                    continue
                o, c_ = self.hour_opens[w].time(), self.hour_closes[w].time()
                tours.set_weekday(
                    s, fid, w, closed=state == HOURS_CLOSED,
                    opens=time(o.hour(), o.minute()), closes=time(c_.hour(), c_.minute()),
                )  # fmt: skip

        return self._run(work)

    # --- courses ------------------------------------------------------------------------------------------------
    def course_editor(self, course_id: int | None) -> CourseEditor | None:
        fid = self.facility_id()
        return None if fid is None else CourseEditor(self.sessions, fid, course_id, self)

    def new_course(self) -> None:
        editor = self.course_editor(None)
        if editor is not None and editor.exec():
            self.show_facility()

    def edit_course(self) -> None:
        item = self.courses.currentItem()
        editor = self.course_editor(int(item.data(ID_ROLE))) if item is not None else None
        if editor is not None and editor.exec():
            self.show_facility()

    def delete_course(self) -> None:
        item = self.courses.currentItem()
        if item is None:
            return
        cid, version = int(item.data(ID_ROLE)), int(item.data(VERSION_ROLE))
        if self.confirm(_("Delete the course {name} and its stops?").format(name=item.text())):
            self._run(lambda s: tours.delete_course(s, cid, version))

    # --- closed dates -------------------------------------------------------------------------------------------
    def add_closed(self) -> None:
        fid = self.facility_id()
        d = self.closed_on.date()
        if fid is not None:
            self._run(
                lambda s: tours.add_closed_date(
                    s, fid, date(d.year(), d.month(), d.day()), self.reason.text()
                )
            )

    def remove_closed(self) -> None:
        item = self.closed.currentItem()
        if item is None:
            return
        if self.confirm(_("Remove the closed date {date}?").format(date=item.text())):
            self._run(lambda s: tours.remove_closed_date(s, int(item.data(ID_ROLE))))


class StatsDialog(QDialog):
    """Visitors and groups by country/region, visitor type and fiscal year, and the cumulative headline."""

    def __init__(self, sessions: SessionProvider, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stats_dialog")
        self.setWindowTitle(_("Visit statistics"))
        self.sessions = sessions
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.year = QSpinBox(self)
        self.year.setRange(0, 2100)
        self.year.setSpecialValueText(_("All years"))
        self.year.setValue(fiscal_year(date.today()))
        top.addWidget(QLabel(_("Fiscal year")))
        top.addWidget(self.year)
        top.addStretch(1)
        layout.addLayout(top)
        self.headline = QLabel(self)
        self.headline.setObjectName("stats_headline")
        self.headline.setWordWrap(True)
        layout.addWidget(self.headline)
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels([_("Country/region or type"), _("Visitors"), _("Groups")])
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.year.valueChanged.connect(lambda _v: self.refresh())
        self.refresh()
        self.resize(560, 520)

    def refresh(self) -> None:
        fy = self.year.value() or None
        with self.sessions() as s:
            stats = tour_stats.visit_stats(s, fy)
        period = fiscal_year_label(fy, era=True) if fy else _("All years")
        text = _("{period}: {visitors} visitors in {groups} groups.").format(
            period=period, visitors=format_number(stats.visitors), groups=format_number(stats.groups)
        )
        if stats.first_fiscal_year is not None:
            text += " " + _("Since {year}: {visitors} visitors from {countries} countries and regions.").format(
                year=fiscal_year_label(stats.first_fiscal_year), visitors=format_number(stats.cumulative_visitors),
                countries=format_number(stats.cumulative_countries),
            )  # fmt: skip
        self.headline.setText(text)
        rows = [(country_name(c.key) if c.key else _("Unknown"), c) for c in stats.by_country]
        rows += [(_(VISITOR_TYPE_LABELS[VisitorType(c.key)]), c) for c in stats.by_visitor_type]
        self.table.setRowCount(len(rows))
        for r, (name, c) in enumerate(rows):
            for col, value in enumerate((name, format_number(c.visitors), format_number(c.groups))):
                self.table.setItem(r, col, QTableWidgetItem(value))
