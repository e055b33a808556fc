"""The booking dialog: the group, its segments (facility, course, date, times, guides) with live checks, free-slot
suggestions, member companies suggested by technology, and saving with an override reason when a check fails."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractItemModel, QDate, Qt, QTime, QTimer
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from kawaoffice.i18n import _, country_name, format_date, format_time
from kawaoffice.model.audit import AuditAction
from kawaoffice.model.tours import (
    BOOKING_STATUS_LABELS,
    VISITOR_TYPE_LABELS,
    Booking,
    BookingPresenter,
    BookingSegment,
    BookingStatus,
    SegmentStaff,
    VisitorType,
)
from kawaoffice.services import ServiceError, audit, tour_checks, tours
from kawaoffice.services.errors import ConflictError, NotFoundError, StaleEditError, ValidationError
from kawaoffice.storage.errors import StorageError
from kawaoffice.ui.dispatch.countries import country_model
from kawaoffice.ui.tours.choices import (
    NO_STAFF,
    FacilityChoice,
    booking_choices,
    guide_item,
    presenter_catalog,
)
from kawaoffice.ui.widgets.conflict_dialog import (
    ConflictDialog,
    CurrentRecord,
    report_storage_error,
    resolve_stale,
)
from kawaoffice.ui.widgets.forms import ERROR_COLOR
from kawaoffice.ui.widgets.live_refresh import RecordWatch, watch_record
from kawaoffice.ui.widgets.paged_model import SessionProvider

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class SegmentSpec:
    """A part of the visit as the dialog holds it. Two parts are the same if they read the same; the saved ids and
    versions (``staff``: (staff id, assignment id, version)) ride along for saving a merge."""

    facility_id: int
    course_id: int | None
    starts_at: datetime
    ends_at: datetime
    staff_ids: tuple[int, ...]
    id: int | None = field(default=None, compare=False)
    version: int | None = field(default=None, compare=False)
    staff: tuple[tuple[int, int, int], ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class PresenterSpec:
    """A member company presenting to the group (its presenter row's id and version ride along)."""

    organization_id: int
    topic: str
    text: str = field(default="", compare=False)
    id: int | None = field(default=None, compare=False)
    version: int | None = field(default=None, compare=False)


def _set_color(label: QLabel, color: str) -> None:
    """The text colour of a label through its palette (a style sheet costs a restyle of the widget)."""
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor(color))
    label.setPalette(palette)


class SegmentRow(QWidget):
    """One part of the visit: facility, course, date, start and end, two guide pickers."""

    def __init__(
        self,
        facilities: list[FacilityChoice],
        guides: QAbstractItemModel,
        on_change: object,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.segment_id: int | None = None
        self.version: int | None = None
        self.original_staff: dict[int, tuple[int, int]] = {}  # staff id -> (assignment id, version)
        self._facilities = facilities
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)  # room for the outline of a part with a problem
        self.flagged = False
        self.facility = QComboBox(self)
        for f in facilities:
            self.facility.addItem(f.name, f.id)
        self.course = QComboBox(self)
        self.day = QDateEdit(self)
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.start = QTimeEdit(QTime(10, 0), self)
        self.end = QTimeEdit(QTime(11, 30), self)
        for edit in (self.start, self.end):
            edit.setDisplayFormat("HH:mm")
        self.guides = [QComboBox(self), QComboBox(self)]
        for combo in self.guides:
            combo.setModel(guides)  # one list shared by every guide picker (the active staff)
        self.slots = QPushButton(_("Free times…"), self)
        self.slots.setToolTip(_("Suggest free start times for the course on this day"))
        self.remove = QPushButton(_("Remove"), self)
        for w, stretch in ((self.facility, 2), (self.course, 2), (self.day, 1), (self.start, 0), (QLabel("–"), 0),
                           (self.end, 0), (self.guides[0], 1), (self.guides[1], 1), (self.slots, 0),
                           (self.remove, 0)):  # fmt: skip
            layout.addWidget(w, stretch)
        self.facility.currentIndexChanged.connect(self._fill_courses)
        self.course.currentIndexChanged.connect(self._course_changed)
        self._fill_courses()
        for signal in (
            self.facility.currentIndexChanged, self.course.currentIndexChanged, self.day.dateChanged,
            self.start.timeChanged, self.end.timeChanged, self.guides[0].currentIndexChanged,
            self.guides[1].currentIndexChanged,
        ):  # fmt: skip
            signal.connect(on_change)

    def set_flagged(self, bad: bool) -> None:
        """Outline the part's inputs in red (a problem found by the checks). Painted by the row: a style sheet per
        row made Qt polish the row and its children again, ~5 ms a part when the dialog opens."""
        if bad != self.flagged:
            self.flagged = bad
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.flagged:
            return
        painter = QPainter(self)
        painter.setPen(QPen(QColor(ERROR_COLOR), 2))
        for child in (self.facility, self.course, self.day, self.start, self.end, *self.guides):
            if child.isVisible():
                painter.drawRect(child.geometry().adjusted(-1, -1, 1, 1))
        painter.end()

    def _choice(self) -> FacilityChoice | None:
        fid = self.facility.currentData()
        return next((f for f in self._facilities if f.id == fid), None)

    def keep_choice(self, facility: FacilityChoice, course: tuple[int, str, int] | None) -> None:
        """Keep a facility or course that is no longer active on the part that was booked with it (shown marked
        inactive, and saved as it was), in this row's own copy of the lists."""
        known = next((f for f in self._facilities if f.id == facility.id), None)
        if known is None:
            known = FacilityChoice(
                facility.id, _("{name} (inactive)").format(name=facility.name), facility.zone, ()
            )
            self._facilities = [*self._facilities, known]
            self.facility.blockSignals(True)
            self.facility.addItem(known.name, known.id)
            self.facility.blockSignals(False)
        if course is not None and all(cid != course[0] for cid, _n, _m in known.courses):
            inactive = (course[0], _("{name} (inactive)").format(name=course[1]), course[2])
            known_with = FacilityChoice(known.id, known.name, known.zone, (*known.courses, inactive))
            self._facilities = [known_with if f.id == known.id else f for f in self._facilities]
            if self.facility.currentData() == known.id:
                self._fill_courses()

    def _fill_courses(self) -> None:
        self.course.blockSignals(True)
        self.course.clear()
        self.course.addItem(_("(no course)"), None)
        choice = self._choice()
        for cid, name, _minutes in choice.courses if choice else ():
            self.course.addItem(name, cid)
        self.course.blockSignals(False)

    def _course_changed(self) -> None:
        choice = self._choice()
        cid = self.course.currentData()
        for course_id, _name, minutes in choice.courses if choice else ():
            if course_id == cid:
                self.end.setTime(self.start.time().addSecs(minutes * 60))

    def zone(self) -> ZoneInfo:
        choice = self._choice()
        return ZoneInfo(choice.zone if choice else "Asia/Tokyo")

    def set_values(self, facility_id: int, course_id: int | None, starts: datetime, ends: datetime,
                   staff_ids: list[int]) -> None:  # fmt: skip
        self.facility.setCurrentIndex(max(0, self.facility.findData(facility_id)))
        self.course.setCurrentIndex(max(0, self.course.findData(course_id)))
        local_start, local_end = starts.astimezone(self.zone()), ends.astimezone(self.zone())
        self.day.setDate(QDate(local_start.year, local_start.month, local_start.day))
        self.start.setTime(QTime(local_start.hour, local_start.minute))
        self.end.setTime(QTime(local_end.hour, local_end.minute))
        for combo, sid in zip(self.guides, [*staff_ids, NO_STAFF, NO_STAFF], strict=False):
            combo.setCurrentIndex(max(0, combo.findData(sid)))

    def local_day(self) -> date:
        d = self.day.date()
        return date(d.year(), d.month(), d.day())

    def times(self) -> tuple[datetime, datetime]:
        day, zone = self.local_day(), self.zone()
        s, e = self.start.time(), self.end.time()
        return (
            datetime.combine(day, time(s.hour(), s.minute()), zone),
            datetime.combine(day, time(e.hour(), e.minute()), zone),
        )

    def staff_ids(self) -> tuple[int, ...]:
        ids = [c.currentData() for c in self.guides if c.currentData() != NO_STAFF]
        return tuple(dict.fromkeys(ids))

    def plan(self) -> tour_checks.SegmentPlan:
        starts, ends = self.times()
        return tour_checks.SegmentPlan(
            self.facility.currentData(),
            starts,
            ends,
            self.course.currentData(),
            self.staff_ids(),
            self.segment_id,
        )


class BookingDialog(QDialog):
    """New or existing booking. ``save()`` writes it; a failed save keeps every edit on screen."""

    def __init__(
        self, sessions: SessionProvider, booking_id: int | None = None, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setObjectName("booking_dialog")
        self.sessions = sessions
        self.booking_id = booking_id
        self.version: int | None = None
        self.saved_id: int | None = None
        self.setWindowTitle(_("New booking") if booking_id is None else _("Edit booking"))
        choices = booking_choices(sessions)  # kept for the process (facilities, courses, guides)
        self.facilities = choices.facilities
        self.guide_model: QAbstractItemModel = choices.guides
        self._guide_ids = choices.guide_ids
        self.rows: list[SegmentRow] = []
        self.original: dict[str, Any] = {}  # the saved state when the dialog opened (for edit conflicts)
        self.conflict: ConflictDialog | None = None
        self.original_presenters: dict[
            int, tuple[int, int]
        ] = {}  # organization id -> (presenter id, version)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self.run_checks)
        self._build()
        self.record_watch: RecordWatch | None = None  # told when someone else saves this booking
        if booking_id is not None:
            self._load(booking_id)
            self.original = self.state()
            self.record_watch = watch_record(self, "bookings", booking_id)
        else:
            self.add_row()

    # --- layout ---------------------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.code = QLineEdit(self)
        self.group_name = QLineEdit(self)
        self.group_name_en = QLineEdit(self)
        self.visitor_type = QComboBox(self)
        for value, text in VISITOR_TYPE_LABELS.items():
            self.visitor_type.addItem(_(text), value.value)
        self.training_course = QLineEdit(self)
        self.country = QComboBox(self)
        self.country.setModel(country_model(blank=True))  # built once per language, shared
        self.headcount = QSpinBox(self)
        self.headcount.setRange(1, 9999)
        self.headcount.setValue(10)
        self.interpreter = QCheckBox(_("Interpreter needed"), self)
        self.status = QComboBox(self)
        for status, text in BOOKING_STATUS_LABELS.items():
            self.status.addItem(_(text), status.value)
        self.interests = QLineEdit(self)
        self.interests.setPlaceholderText(_("e.g. non-revenue water, sludge treatment"))
        self.transport = QLineEdit(self)
        for text, widget in (
            (_("Booking number"), self.code), (_("Group"), self.group_name), (_("Group (English)"), self.group_name_en),
            (_("Visitor type"), self.visitor_type), (_("JICA training course"), self.training_course),
            (_("Country"), self.country), (_("Headcount"), self.headcount), ("", self.interpreter),
            (_("Status"), self.status), (_("Interests"), self.interests), (_("Transport"), self.transport),
        ):  # fmt: skip
            form.addRow(text, widget)
        layout.addLayout(form)
        self.presenters = QLabel(self)
        self.presenters.setObjectName("presenters")
        self.presenters.setWordWrap(True)
        layout.addWidget(self.presenters)
        presenter_box = QGroupBox(_("Member companies presenting to the group"), self)
        presenter_layout = QHBoxLayout(presenter_box)
        self.presenter_list = QListWidget(presenter_box)
        self.presenter_list.setObjectName("presenter_list")
        self.presenter_list.setMaximumHeight(90)
        presenter_layout.addWidget(self.presenter_list, 2)
        self.presenter_choice = QComboBox(presenter_box)
        self.presenter_choice.setObjectName("presenter_choice")
        self.presenter_choice.setToolTip(_("Member companies whose technologies match the interests"))
        self.add_presenter_button = QPushButton(_("Add as presenter"), presenter_box)
        self.add_presenter_button.clicked.connect(lambda: self.add_presenter())
        self.remove_presenter_button = QPushButton(_("Remove presenter"), presenter_box)
        self.remove_presenter_button.clicked.connect(self.remove_presenter)
        side = QVBoxLayout()
        side.addWidget(self.presenter_choice)
        buttons_row = QHBoxLayout()
        buttons_row.addWidget(self.add_presenter_button)
        buttons_row.addWidget(self.remove_presenter_button)
        side.addLayout(buttons_row)
        side.addStretch(1)
        presenter_layout.addLayout(side, 1)
        layout.addWidget(presenter_box)
        self._refresh_presenter_buttons()
        box = QGroupBox(_("Parts of the visit (facility, course, time, guides)"), self)
        self.rows_layout = QVBoxLayout(box)
        add = QPushButton(_("Add part"), box)
        add.clicked.connect(lambda: self.add_row())
        self.rows_layout.addWidget(add)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(box)
        scroll.setMinimumHeight(160)  # the title, "Add part" and about three parts without scrolling
        layout.addWidget(scroll, 1)
        self.issues = QLabel(self)
        self.issues.setObjectName("issues")
        self.issues.setWordWrap(True)
        self.issues.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.issues)
        self.reason = QLineEdit(self)
        self.reason.setObjectName("override_reason")
        self.reason.setPlaceholderText(
            _("Reason to accept the booking despite the problems above (recorded)")
        )
        layout.addWidget(self.reason)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.headcount.valueChanged.connect(self.schedule_checks)
        self.status.currentIndexChanged.connect(self.schedule_checks)
        self.interests.editingFinished.connect(self.update_presenters)
        self.resize(1100, 620)

    def add_row(self) -> SegmentRow:
        row = SegmentRow(self.facilities, self.guide_model, self.schedule_checks, self)
        row.remove.clicked.connect(lambda: self.remove_row(row))
        row.slots.clicked.connect(lambda: self._slot_menu(row))
        if self.rows:
            row.day.setDate(self.rows[-1].day.date())
        else:
            row.day.setDate(QDate.currentDate())
        self.rows.append(row)
        self.rows_layout.insertWidget(self.rows_layout.count() - 1, row)
        self.schedule_checks()
        return row

    def remove_row(self, row: SegmentRow) -> None:
        self.rows.remove(row)
        row.setParent(None)
        row.deleteLater()
        self.schedule_checks()

    def _load(self, booking_id: int) -> None:
        """The booking, its suggestions and its checks in one session (the checks find the segments' facilities,
        courses and guides among the rows read with the booking)."""
        with self.sessions() as s:
            b = tours.booking_for_edit(s, booking_id)
            self.version = b.version
            self.code.setText(b.code)
            self.group_name.setText(b.group_name)
            self.group_name_en.setText(b.group_name_en)
            self.visitor_type.setCurrentIndex(self.visitor_type.findData(b.visitor_type.value))
            self.training_course.setText(b.training_course)
            self.country.setCurrentIndex(max(0, self.country.findData(b.country)))
            self.headcount.setValue(b.headcount)
            self.interpreter.setChecked(b.interpreter_needed)
            self.status.setCurrentIndex(self.status.findData(b.status.value))
            self.interests.setText(b.interests)
            self.transport.setText(b.transport_notes)
            self._keep_inactive_guides(b)
            for seg in b.segments:
                row = self.add_row()
                course = seg.course
                row.keep_choice(
                    FacilityChoice(seg.facility_id, seg.facility.name_ja, seg.facility.timezone, ()),
                    (course.id, course.name_ja, course.duration_min) if course is not None else None,
                )
                row.set_values(seg.facility_id, seg.course_id, seg.starts_at, seg.ends_at,
                               [a.staff_id for a in seg.staff])  # fmt: skip
                row.segment_id, row.version = seg.id, seg.version
                row.original_staff = {a.staff_id: (a.id, a.version) for a in seg.staff}
            self._show_presenters(b)
            self.update_presenters(s)
            self.run_checks(s)

    def _keep_inactive_guides(self, b: Booking) -> None:
        """A guide who is no longer active stays shown (and saved) on the visits they guided: this dialog then
        uses its own copy of the guide list with them added."""
        missing = {
            a.staff_id: f"{a.staff.family_name} {a.staff.given_name}".strip()
            for seg in b.segments
            for a in seg.staff
            if a.staff_id not in self._guide_ids
        }
        if not missing:
            return
        own = QStandardItemModel(self)
        for row in range(self.guide_model.rowCount()):
            index = self.guide_model.index(row, 0)
            own.appendRow(guide_item(index.data(Qt.ItemDataRole.UserRole), index.data()))
        for sid, name in missing.items():
            own.appendRow(guide_item(sid, _("{name} (inactive)").format(name=name)))
        self.guide_model = own

    # --- live checks ------------------------------------------------------------------------------------------
    def schedule_checks(self) -> None:
        self._timer.start()

    def run_checks(self, session: Session | None = None) -> list[tour_checks.CheckIssue]:
        """Check the booking as it is on screen and list the problems under the segments."""
        self._timer.stop()
        status = BookingStatus(self.status.currentData())

        def check(s: Session) -> list[tour_checks.CheckIssue]:
            return tour_checks.check_plan(
                s, [r.plan() for r in self.rows], headcount=self.headcount.value(),
                booking_id=self.booking_id, status=status,
            )  # fmt: skip

        try:
            if session is not None:
                issues = check(session)
            else:
                with self.sessions() as s:
                    issues = check(s)
        except ServiceError as exc:
            self.issues.setText(exc.message)
            return []
        except StorageError as exc:  # the database cannot be reached: the entries stay
            report_storage_error(self, exc, self.issues.setText)
            return []
        self._show_issues([(i.index, i.message) for i in issues])
        return issues

    def _show_issues(self, issues: list[tuple[int, str]]) -> None:
        if not issues:
            self.issues.setText(_("No problems found."))
            _set_color(self.issues, "#2e7d32")
        else:
            lines = [_("Part {n}: {message}").format(n=i + 1, message=m) for i, m in issues]
            self.issues.setText("\n".join(lines))
            _set_color(self.issues, ERROR_COLOR)
        for n, row in enumerate(self.rows):
            row.set_flagged(any(i == n for i, _m in issues))

    def free_slots(self, row: SegmentRow) -> list[tours.FreeSlot]:
        course_id = row.course.currentData()
        if course_id is None:
            return []
        with self.sessions() as s:
            return tours.suggest_free_slots(
                s, course_id, row.local_day(), self.headcount.value(), exclude_booking_id=self.booking_id
            )

    def _slot_menu(self, row: SegmentRow) -> None:
        slots = self.free_slots(row)
        menu = QMenu(self)
        if not slots:
            action = menu.addAction(_("No free time for this course on this day (choose a course first)."))
            action.setEnabled(False)
        for slot in slots[:16]:
            text = _("{start}–{end} ({free} places left)").format(
                start=format_time(slot.starts_at), end=format_time(slot.ends_at), free=slot.free_places
            )
            action = menu.addAction(text)
            action.triggered.connect(lambda _c=False, sl=slot: self.use_slot(row, sl))
        menu.popup(row.slots.mapToGlobal(row.slots.rect().bottomLeft()))

    def use_slot(self, row: SegmentRow, slot: tours.FreeSlot) -> None:
        zone = row.zone()
        s, e = slot.starts_at.astimezone(zone), slot.ends_at.astimezone(zone)
        row.start.setTime(QTime(s.hour, s.minute))
        row.end.setTime(QTime(e.hour, e.minute))

    def update_presenters(self, session: Session | None = None) -> None:
        text = self.interests.text().strip()
        self.presenter_choice.clear()
        if not text:
            self.presenters.clear()
            self._refresh_presenter_buttons()
            return
        # the member companies' technologies are kept for the process (read the first time they are needed)
        found = (
            tours.rank_presenters(presenter_catalog(self.sessions, session), text, limit=5)
            if tours.interest_words(text)
            else []
        )
        for p in found:
            self.presenter_choice.addItem(
                f"{p.name_ja}（{'・'.join(p.technologies)}）",
                (p.organization_id, p.name_ja, "・".join(p.technologies)),
            )
        self._refresh_presenter_buttons()
        if found:
            names = "、".join(f"{p.name_ja}（{'・'.join(p.technologies)}）" for p in found)
            self.presenters.setText(_("Member companies that could present: {names}").format(names=names))
        else:
            self.presenters.setText(_("No member company matches these interests."))

    # --- presenters ---------------------------------------------------------------------------------------------
    def _load_presenters(self, booking_id: int | None = None) -> None:
        booking_id = booking_id or self.booking_id
        self.presenter_list.clear()
        self.original_presenters = {}
        if booking_id is None:
            return
        with self.sessions() as s:
            self._show_presenters(tours.get_booking(s, booking_id))

    def _show_presenters(self, b: Booking) -> None:
        self.presenter_list.clear()
        self.original_presenters = {}
        for p in b.presenters:
            self.original_presenters[p.organization_id] = (p.id, p.version)
            self._add_presenter_item(p.organization_id, p.organization.name_ja, p.topic)
        self._refresh_presenter_buttons()

    def _add_presenter_item(self, organization_id: int, name: str, topic: str) -> None:
        item = QListWidgetItem(f"{name}（{topic}）" if topic else name)
        item.setData(Qt.ItemDataRole.UserRole, (organization_id, topic))
        self.presenter_list.addItem(item)

    def presenter_ids(self) -> list[int]:
        return [
            self.presenter_list.item(r).data(Qt.ItemDataRole.UserRole)[0]
            for r in range(self.presenter_list.count())
        ]

    def presenter_names(self) -> list[str]:
        return [self.presenter_list.item(r).text() for r in range(self.presenter_list.count())]

    def add_presenter(self) -> None:
        """Add the company chosen among the matching member companies (saved with the booking)."""
        data = self.presenter_choice.currentData()
        if data is None:
            return
        organization_id, name, topic = data
        if organization_id not in self.presenter_ids():
            self._add_presenter_item(organization_id, name, topic)
        self._refresh_presenter_buttons()

    def remove_presenter(self) -> None:
        row = self.presenter_list.currentRow()
        if row >= 0:
            self.presenter_list.takeItem(row)
        self._refresh_presenter_buttons()

    def _refresh_presenter_buttons(self) -> None:
        self.add_presenter_button.setEnabled(self.presenter_choice.count() > 0)
        self.remove_presenter_button.setEnabled(self.presenter_list.count() > 0)

    def _save_presenters(self, s: Session, booking_id: int) -> None:
        wanted = {
            self.presenter_list.item(r).data(Qt.ItemDataRole.UserRole)[0]: self.presenter_list.item(r).data(
                Qt.ItemDataRole.UserRole
            )[1]
            for r in range(self.presenter_list.count())
        }
        for organization_id, (presenter_id, version) in self.original_presenters.items():
            if organization_id not in wanted:
                tours.remove_presenter(s, presenter_id, version)
        for organization_id, topic in wanted.items():
            if organization_id not in self.original_presenters:
                tours.add_presenter(s, booking_id=booking_id, organization_id=organization_id, topic=topic)

    # --- saving -------------------------------------------------------------------------------------------------
    def _values(self) -> dict[str, object]:
        return {
            "code": self.code.text(),
            "group_name": self.group_name.text(),
            "group_name_en": self.group_name_en.text(),
            "visitor_type": VisitorType(self.visitor_type.currentData()),
            "training_course": self.training_course.text(),
            "country": self.country.currentData() or "",
            "headcount": self.headcount.value(),
            "interpreter_needed": self.interpreter.isChecked(),
            "interests": self.interests.text(),
            "transport_notes": self.transport.text(),
        }

    def save(self) -> bool:
        """Write the booking and its parts in one transaction. False (with the message shown) if refused."""
        reason = self.reason.text().strip() or None
        status = BookingStatus(self.status.currentData())
        try:
            with self.sessions() as s:
                values = self._values()
                if self.booking_id is None:
                    booking = tours.create_booking(s, status=BookingStatus.REQUESTED, **values)  # type: ignore[arg-type]
                else:
                    assert self.version is not None
                    booking = tours.update_booking(s, self.booking_id, self.version, override_reason=reason,
                                                   **values)  # fmt: skip
                    kept = {r.segment_id for r in self.rows}
                    for seg in list(booking.segments):
                        if seg.id not in kept:
                            tours.delete_segment(s, seg.id, seg.version)
                    s.expire(booking, ["segments"])
                for row in self.rows:
                    plan = row.plan()
                    if row.segment_id is None:
                        tours.add_segment(
                            s, booking_id=booking.id, facility_id=plan.facility_id, course_id=plan.course_id,
                            starts_at=plan.starts_at, ends_at=plan.ends_at, staff_ids=list(plan.staff_ids),
                            override_reason=reason,
                        )  # fmt: skip
                        continue
                    assert row.version is not None
                    seg = tours.get_segment(s, row.segment_id)
                    changes = {
                        k: v
                        for k, v in (("facility_id", plan.facility_id), ("course_id", plan.course_id),
                                     ("starts_at", plan.starts_at), ("ends_at", plan.ends_at))
                        if getattr(seg, k) != v
                    }  # fmt: skip
                    if changes:
                        tours.update_segment(s, seg.id, row.version, override_reason=reason, **changes)
                    for staff_id, (assignment_id, version) in row.original_staff.items():
                        if staff_id not in plan.staff_ids:
                            tours.remove_segment_staff(s, assignment_id, version)
                    for staff_id in plan.staff_ids:
                        if staff_id not in row.original_staff:
                            tours.assign_segment_staff(s, segment_id=seg.id, staff_id=staff_id,
                                                       override_reason=reason)  # fmt: skip
                self._save_presenters(s, booking.id)
                if status != booking.status:
                    s.refresh(booking)
                    tours.update_booking(
                        s, booking.id, booking.version, status=status, override_reason=reason
                    )
                self.saved_id = booking.id
        except ConflictError as exc:
            lines = [(int(i.get("index", 0)), str(i["message"])) for i in exc.details.get("issues", [])]
            self._show_issues(lines or [(0, exc.message)])
            self.issues.setText(
                self.issues.text()
                + "\n"
                + _("Not saved. Correct the booking, or give a reason to accept it.")
            )
            return False
        except ValidationError as exc:
            self.issues.setText(exc.message)
            _set_color(self.issues, ERROR_COLOR)
            return False
        except (StaleEditError, NotFoundError) as exc:
            # someone else saved (or removed a part of) the booking meanwhile
            if self.booking_id is None:
                self._show_message(exc.message)
            else:
                self.resolve_conflict()
            return False
        except ServiceError as exc:
            self.issues.setText(exc.message)
            _set_color(self.issues, ERROR_COLOR)
            return False
        except StorageError as exc:  # the database cannot be reached: the entries stay for a later save
            report_storage_error(self, exc, self._show_message)
            return False
        self._load_presenters(self.saved_id)
        return True

    def _on_save(self) -> None:
        if self.save():
            self.accept()

    # --- edit conflicts -----------------------------------------------------------------------------------------
    def _show_message(self, text: str) -> None:
        self.issues.setText(text)
        _set_color(self.issues, ERROR_COLOR)

    def state(self) -> dict[str, Any]:
        """The booking as the dialog holds it: the fields, its status, its parts and its presenters."""
        state: dict[str, Any] = dict(self._values())
        state["status"] = BookingStatus(self.status.currentData())
        state["segments"] = tuple(
            SegmentSpec(
                p.facility_id, p.course_id, p.starts_at, p.ends_at, tuple(p.staff_ids), row.segment_id,
                row.version, tuple((sid, aid, v) for sid, (aid, v) in row.original_staff.items()),
            )
            for row, p in ((row, row.plan()) for row in self.rows)
        )  # fmt: skip
        state["presenters"] = tuple(
            PresenterSpec(org_id, topic, item.text())
            for item in (self.presenter_list.item(r) for r in range(self.presenter_list.count()))
            for org_id, topic in [item.data(Qt.ItemDataRole.UserRole)]
        )
        return state

    @staticmethod
    def _state_of(b: Any) -> dict[str, Any]:
        """A booking as saved, shaped like ``state()`` (a part shows at most two guides, as the dialog does)."""
        state: dict[str, Any] = {
            key: getattr(b, key)
            for key in ("code", "group_name", "group_name_en", "visitor_type", "training_course", "headcount",
                        "interpreter_needed", "interests", "transport_notes", "status")
        }  # fmt: skip
        state["country"] = b.country or ""
        state["segments"] = tuple(
            SegmentSpec(
                seg.facility_id, seg.course_id, seg.starts_at, seg.ends_at,
                tuple(dict.fromkeys(a.staff_id for a in seg.staff))[:2], seg.id, seg.version,
                tuple((a.staff_id, a.id, a.version) for a in seg.staff),
            )
            for seg in b.segments
        )  # fmt: skip
        state["presenters"] = tuple(
            PresenterSpec(
                p.organization_id, p.topic,
                f"{p.organization.name_ja}（{p.topic}）" if p.topic else p.organization.name_ja, p.id, p.version,
            )
            for p in b.presenters
        )  # fmt: skip
        return state

    def put_state(self, state: dict[str, Any]) -> None:
        """Show ``state`` (shaped like ``state()``) in the widgets, parts and presenters with their saved ids."""
        for edit, key in (
            (self.code, "code"), (self.group_name, "group_name"), (self.group_name_en, "group_name_en"),
            (self.training_course, "training_course"), (self.interests, "interests"),
            (self.transport, "transport_notes"),
        ):  # fmt: skip
            edit.setText(str(state[key]))
        self.visitor_type.setCurrentIndex(
            self.visitor_type.findData(VisitorType(state["visitor_type"]).value)
        )
        self.country.setCurrentIndex(max(0, self.country.findData(state["country"])))
        self.headcount.setValue(int(state["headcount"]))
        self.interpreter.setChecked(bool(state["interpreter_needed"]))
        self.status.setCurrentIndex(self.status.findData(BookingStatus(state["status"]).value))
        for row in list(self.rows):
            self.remove_row(row)
        for spec in state["segments"]:
            row = self.add_row()
            row.set_values(
                spec.facility_id, spec.course_id, spec.starts_at, spec.ends_at, list(spec.staff_ids)
            )
            row.segment_id, row.version = spec.id, spec.version
            row.original_staff = {sid: (aid, v) for sid, aid, v in spec.staff}
        self.presenter_list.clear()
        for p in state["presenters"]:
            item = QListWidgetItem(p.text)
            item.setData(Qt.ItemDataRole.UserRole, (p.organization_id, p.topic))
            self.presenter_list.addItem(item)
        self._refresh_presenter_buttons()
        self.schedule_checks()

    def resolve_conflict(self) -> None:
        """Someone else saved the booking, one of its parts or presenters meanwhile: show both versions field by
        field (the parts and the presenters as one field each) and save the chosen merge against the current
        booking: a part or presenter kept from this dialog that was removed meanwhile is added again."""
        booking_id = self.booking_id
        assert booking_id is not None
        labels = {
            "code": _("Booking number"), "group_name": _("Group"), "group_name_en": _("Group (English)"),
            "visitor_type": _("Visitor type"), "training_course": _("JICA training course"),
            "country": _("Country"), "headcount": _("Headcount"), "interpreter_needed": _("Interpreter needed"),
            "status": _("Status"), "interests": _("Interests"), "transport_notes": _("Transport"),
            "segments": _("Parts of the visit"),
            "presenters": _("Presenting companies"),
        }  # fmt: skip

        def current() -> CurrentRecord:
            with self.sessions() as s:
                b = tours.get_booking(s, booking_id)
                parts = [b, *b.segments, *(a for seg in b.segments for a in seg.staff), *b.presenters]
                latest = max(parts, key=lambda e: e.updated_at)
                who, when = latest.updated_by, latest.updated_at
                removed = self._removed_meanwhile(s, self._state_of(b))
                if removed is not None and removed.at > when:
                    who, when = removed.user, removed.at
                return CurrentRecord(self._state_of(b), b.version, who, when)

        def merge(values: dict[str, Any], now: CurrentRecord) -> None:
            saved_segments = {seg.id: seg for seg in now.values["segments"]}
            saved_presenters = {p.organization_id: p for p in now.values["presenters"]}
            values["segments"] = tuple(
                SegmentSpec(spec.facility_id, spec.course_id, spec.starts_at, spec.ends_at, spec.staff_ids,
                            saved.id, saved.version, saved.staff)
                if (saved := saved_segments.get(spec.id)) is not None
                else SegmentSpec(spec.facility_id, spec.course_id, spec.starts_at, spec.ends_at, spec.staff_ids)
                for spec in values["segments"]
            )  # fmt: skip
            self.put_state(values)
            self.original_presenters = {
                org_id: (int(p.id), int(p.version))
                for org_id, p in saved_presenters.items()
                if p.id is not None and p.version is not None
            }
            self.original, self.version = dict(now.values), now.version
            self._on_save()

        self.conflict = resolve_stale(
            self, labels, self.original, self.state(), current, merge,
            show_message=self._show_message, show=self._conflict_display(),
            record=_("the booking {code}").format(code=self.original.get("code", "")),
        )  # fmt: skip

    def _removed_meanwhile(self, s: Session, now: dict[str, Any]) -> audit.AuditRow | None:
        """The latest removal, since the dialog opened, of one of the booking's parts, guides or presenters (a
        removal leaves no trace on the booking itself, only in the audit log)."""
        before, after = self.original, now
        gone: list[tuple[str, int | None]] = []
        ids = {spec.id for spec in after["segments"]}
        gone += [(BookingSegment.__tablename__, spec.id) for spec in before["segments"] if spec.id not in ids]
        guides = {aid for spec in after["segments"] for _sid, aid, _v in spec.staff}
        gone += [(SegmentStaff.__tablename__, aid) for spec in before["segments"] for _sid, aid, _v in spec.staff
                 if aid not in guides]  # fmt: skip
        presenters = {p.id for p in after["presenters"]}
        gone += [
            (BookingPresenter.__tablename__, p.id) for p in before["presenters"] if p.id not in presenters
        ]
        found = [
            row
            for table, row_id in gone
            if row_id is not None
            for row in audit.search_log(
                s, audit.AuditFilter(table_name=table, row_id=row_id, action=AuditAction.DELETE), limit=1
            )
        ]
        return max(found, key=lambda row: row.at, default=None)

    def _conflict_display(self) -> dict[str, Callable[[Any], str]]:
        facilities = {f.id: f for f in self.facilities}
        staff = {
            self.guide_model.index(row, 0).data(Qt.ItemDataRole.UserRole): self.guide_model.index(
                row, 0
            ).data()
            for row in range(self.guide_model.rowCount())
        }

        def segment_lines(specs: tuple[SegmentSpec, ...]) -> str:
            lines = []
            for spec in specs:
                facility = facilities.get(spec.facility_id)
                zone = ZoneInfo(facility.zone if facility else "Asia/Tokyo")
                course = (
                    next((n for cid, n, _m in facility.courses if cid == spec.course_id), "")
                    if facility
                    else ""
                )
                start, end = spec.starts_at.astimezone(zone), spec.ends_at.astimezone(zone)
                where = "・".join(x for x in (facility.name if facility else "?", course) if x)
                text = f"{where} {format_date(start.date(), 'short')} {format_time(start)}–{format_time(end)}"
                guides = "、".join(staff.get(sid, "?") for sid in spec.staff_ids)
                lines.append(f"{text} ({guides})" if guides else text)
            return "\n".join(lines)

        return {
            "visitor_type": lambda v: _(VISITOR_TYPE_LABELS[VisitorType(v)]),
            "country": lambda code: country_name(code) if code else "",
            "status": lambda v: _(BOOKING_STATUS_LABELS[BookingStatus(v)]),
            "segments": segment_lines,
            "presenters": lambda ps: "\n".join(p.text for p in ps),
        }
