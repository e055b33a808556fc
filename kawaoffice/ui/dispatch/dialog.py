"""The dispatch dialog: the dispatch's fields, its members (staff chosen by language and skill, or partners'
people), its itinerary legs, and the conflict panel that re-checks live and takes the reason for an override."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimer
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from kawaoffice import i18n
from kawaoffice.i18n import _
from kawaoffice.model.dispatch import (
    DISPATCH_PURPOSE_LABELS,
    DISPATCH_STATUS_LABELS,
    LANGUAGE_LEVEL_LABELS,
    LEG_KIND_LABELS,
    MEMBER_ROLE_LABELS,
    SKILL_LABELS,
    Dispatch,
    DispatchPurpose,
    DispatchStatus,
    LanguageLevel,
    LegKind,
    MemberRole,
    Skill,
)
from kawaoffice.model.projects import PROJECT_STATE_LABELS
from kawaoffice.services import dispatch as svc
from kawaoffice.services import dispatch_checks as checks
from kawaoffice.services.dispatch import LegSpec, MemberSpec, ProjectChoice
from kawaoffice.services.errors import (
    ConflictError,
    NotFoundError,
    ServiceError,
    StaleEditError,
    ValidationError,
)
from kawaoffice.storage.errors import StorageError
from kawaoffice.ui.dispatch.countries import country_model, timezone_choices
from kawaoffice.ui.dispatch.lookup import Choice, LazyCombo, LookupCombo
from kawaoffice.ui.dispatch.staff_cache import first_staff
from kawaoffice.ui.widgets.conflict_dialog import ConflictDialog, ask_merge, report_storage_error
from kawaoffice.ui.widgets.live_refresh import RecordWatch, watch_record
from kawaoffice.ui.widgets.paged_model import SessionProvider

COMMON_ZONES = (
    "Asia/Tokyo",
    "Asia/Vientiane",
    "Asia/Bangkok",
    "Asia/Ho_Chi_Minh",
    "Asia/Phnom_Penh",
    "Asia/Jakarta",
    "Asia/Singapore",
    "Asia/Manila",
    "Asia/Yangon",
    "Asia/Kolkata",
    "Australia/Brisbane",
    "Europe/Stockholm",
    "UTC",
)

PROJECT_LIMIT = 50  # rows a project search shows (type more to narrow)
CONTACT_LIMIT = 50
STAFF_LIMIT = 100

SEVERITY_COLORS = {
    checks.Severity.ERROR: QColor("#B71C1C"),
    checks.Severity.CONFLICT: QColor("#C62828"),
    checks.Severity.INFO: QColor("#1565C0"),
}


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def zone_combo(parent: QWidget, current: str) -> QComboBox:
    box = QComboBox(parent)
    box.setEditable(True)
    for zone, text in timezone_choices(COMMON_ZONES):  # kept per language and day
        box.addItem(text, zone)
    set_zone(box, current)
    return box


def set_zone(box: QComboBox, zone: str) -> None:
    index = box.findData(zone)
    if index < 0:
        box.addItem(zone, zone)
        index = box.count() - 1
    box.setCurrentIndex(index)


def zone_of(box: QComboBox) -> str:
    data = box.currentData()
    text = box.currentText().strip()
    if data and box.itemText(box.currentIndex()) == text:
        return str(data)
    return text.split(" ")[0]


class LegDialog(QDialog):
    """One leg: kind, start and end in the local zone of each place, places, reference, details."""

    def __init__(self, parent: QWidget | None, leg: LegSpec | None, default_tz: str, day: date) -> None:
        super().__init__(parent)
        self.setObjectName("leg_dialog")
        self.setWindowTitle(_("Itinerary leg"))
        self.leg_id = leg.id if leg else None
        form = QFormLayout(self)
        self.kind = QComboBox(self)
        for kind in LegKind:
            self.kind.addItem(_(LEG_KIND_LABELS[kind]), kind)
        self.start = QDateTimeEdit(self)
        self.start.setCalendarPopup(True)
        self.start.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.start_tz = zone_combo(self, leg.start_tz if leg else "Asia/Tokyo")
        self.end = QDateTimeEdit(self)
        self.end.setCalendarPopup(True)
        self.end.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.end_tz = zone_combo(self, leg.end_tz if leg else default_tz)
        self.origin = QLineEdit(self)
        self.destination = QLineEdit(self)
        self.reference = QLineEdit(self)
        self.details = QLineEdit(self)
        self.duration = QLabel(self)
        self.duration.setObjectName("leg_duration")
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #B71C1C")
        self.error.setWordWrap(True)
        start_row = QHBoxLayout()
        start_row.addWidget(self.start)
        start_row.addWidget(self.start_tz, 1)
        end_row = QHBoxLayout()
        end_row.addWidget(self.end)
        end_row.addWidget(self.end_tz, 1)
        form.addRow(_("Kind"), self.kind)
        form.addRow(_("Starts (local time)"), start_row)
        form.addRow(_("Ends (local time)"), end_row)
        form.addRow(_("Duration"), self.duration)
        form.addRow(_("From"), self.origin)
        form.addRow(_("To"), self.destination)
        form.addRow(_("Reference (flight no.)"), self.reference)
        form.addRow(_("Details"), self.details)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        if leg is not None:
            self.kind.setCurrentIndex(list(LegKind).index(leg.kind))
            self._set(self.start, leg.starts_at.astimezone(ZoneInfo(leg.start_tz)))
            self._set(self.end, leg.ends_at.astimezone(ZoneInfo(leg.end_tz)))
            self.origin.setText(leg.origin)
            self.destination.setText(leg.destination)
            self.reference.setText(leg.reference)
            self.details.setText(leg.details)
        else:
            self.start.setDateTime(QDateTime(_qdate(day), QTime(9, 0)))
            self.end.setDateTime(QDateTime(_qdate(day), QTime(12, 0)))
        for w in (self.start, self.end):
            w.dateTimeChanged.connect(self._update_duration)
        for box in (self.start_tz, self.end_tz):
            box.currentTextChanged.connect(self._update_duration)
        self._update_duration()

    @staticmethod
    def _set(edit: QDateTimeEdit, moment: datetime) -> None:
        edit.setDateTime(QDateTime(_qdate(moment.date()), QTime(moment.hour, moment.minute)))

    @staticmethod
    def _aware(edit: QDateTimeEdit, zone: str) -> datetime:
        q = edit.dateTime()
        d, t = q.date(), q.time()
        return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=ZoneInfo(zone))

    def spec(self) -> LegSpec:
        start_tz, end_tz = zone_of(self.start_tz), zone_of(self.end_tz)
        try:
            starts, ends = self._aware(self.start, start_tz), self._aware(self.end, end_tz)
        except (KeyError, ValueError) as exc:
            raise ValidationError("start_tz", _("Choose a time zone.")) from exc
        return LegSpec(
            kind=self.kind.currentData(),
            starts_at=starts,
            start_tz=start_tz,
            ends_at=ends,
            end_tz=end_tz,
            origin=self.origin.text(),
            destination=self.destination.text(),
            reference=self.reference.text(),
            details=self.details.text(),
            id=self.leg_id,
        )

    def _update_duration(self) -> None:
        try:
            leg = self.spec()
        except (ServiceError, Exception):  # an unknown zone while typing
            self.duration.setText("")
            return
        self.duration.setText(i18n.format_duration(leg.ends_at - leg.starts_at))

    def _accept(self) -> None:
        try:
            svc.validate_legs([self.spec()])
        except ValidationError as exc:
            self.error.setText(exc.message)
            return
        self.accept()


class DispatchDialog(QDialog):
    """New or existing dispatch. ``saved_id`` is set after a successful save."""

    def __init__(
        self, sessions: SessionProvider, dispatch_id: int | None = None, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setObjectName("dispatch_dialog")
        self.sessions = sessions
        self.dispatch_id = dispatch_id
        self.version: int | None = None
        self.saved_id: int | None = None
        self.members: list[tuple[MemberSpec, str]] = []
        self.legs: list[LegSpec] = []
        self.issues: list[checks.Issue] = []
        self.overridden: dict[str, checks.OverrideRecord] = {}
        self.original: dict[str, object] = {}  # the saved state when the dialog opened (for edit conflicts)
        self.conflict: ConflictDialog | None = None
        self._overrides_read = dispatch_id is None  # the recorded overrides are read once, when issues show
        self._loading = True  # no checks while the loaded values are put in the fields one by one
        self.setWindowTitle(_("New dispatch") if dispatch_id is None else _("Edit dispatch"))
        self.resize(1100, 760)
        self._build()
        self.record_watch: RecordWatch | None = None  # told when someone else saves this dispatch
        self._load()  # one session: the dispatch, the staff chooser's first rows, the checks
        if dispatch_id is not None:
            self.original = self.state()
            self.record_watch = watch_record(self, "dispatches", dispatch_id)

    # --- layout -------------------------------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        outer.addWidget(split, 1)

        left = QWidget(split)
        form = QFormLayout(left)
        self.code = QLineEdit(left)
        self.code.setObjectName("code")
        self.title_edit = QLineEdit(left)
        self.title_edit.setObjectName("title")
        self.title_en = QLineEdit(left)
        self.purpose = QComboBox(left)
        for p in DispatchPurpose:
            self.purpose.addItem(_(DISPATCH_PURPOSE_LABELS[p]), p)
        self.status = QComboBox(left)
        for s in DispatchStatus:
            self.status.addItem(_(DISPATCH_STATUS_LABELS[s]), s)
        self.country = QComboBox(left)
        self.country.setEditable(True)
        self.country.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.country.setModel(country_model())  # built once per language, shared
        self.city = QLineEdit(left)
        self.timezone = zone_combo(left, "Asia/Vientiane")
        self.departure = QDateEdit(left)
        self.departure.setObjectName("departure")
        self.returning = QDateEdit(left)
        self.returning.setObjectName("return")
        for w in (self.departure, self.returning):
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
        self.project = LookupCombo(self._search_projects, left)
        self.project.setObjectName("project")
        self.project.setToolTip(
            _("Type part of a project's code or title; active projects are listed first.")
        )
        self.notes = QPlainTextEdit(left)
        self.notes.setMaximumHeight(70)
        self.field_error = QLabel(left)
        self.field_error.setObjectName("field_error")
        self.field_error.setStyleSheet("color: #B71C1C")
        self.field_error.setWordWrap(True)
        form.addRow(_("Code"), self.code)
        form.addRow(_("Title"), self.title_edit)
        form.addRow(_("Title (English)"), self.title_en)
        form.addRow(_("Purpose"), self.purpose)
        form.addRow(_("Status"), self.status)
        form.addRow(_("Country"), self.country)
        form.addRow(_("City"), self.city)
        form.addRow(_("Time zone"), self.timezone)
        form.addRow(_("Departure"), self.departure)
        form.addRow(_("Return"), self.returning)
        form.addRow(_("Project"), self.project)
        form.addRow(_("Notes"), self.notes)
        form.addRow(self.field_error)

        middle = QWidget(split)
        mid = QVBoxLayout(middle)
        members_box = QGroupBox(_("Members"), middle)
        mb = QVBoxLayout(members_box)
        self.member_table = QTableWidget(0, 2, members_box)
        self.member_table.setObjectName("member_table")
        self.member_table.setHorizontalHeaderLabels([_("Name"), _("Role")])
        self.member_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.member_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.member_table.verticalHeader().setVisible(False)
        mb.addWidget(self.member_table)
        remove = QPushButton(_("Remove member"), members_box)
        remove.clicked.connect(self.remove_selected_member)
        mb.addWidget(remove)
        chooser = QGroupBox(_("Add staff (filter by language and skill)"), middle)
        cb = QVBoxLayout(chooser)
        row = QHBoxLayout()
        self.language_filter = LazyCombo(self._load_languages, chooser)
        self.language_filter.setObjectName("language_filter")
        self.language_filter.addItem(_("Any language"), None)
        self.level_filter = QComboBox(chooser)
        for level in LanguageLevel:
            self.level_filter.addItem(
                _("at least {level}").format(level=_(LANGUAGE_LEVEL_LABELS[level])), level
            )
        self.skill_filter = QComboBox(chooser)
        self.skill_filter.setObjectName("skill_filter")
        self.skill_filter.addItem(_("Any skill"), None)
        for skill in Skill:
            self.skill_filter.addItem(_(SKILL_LABELS[skill]), skill)
        row.addWidget(self.language_filter)
        row.addWidget(self.level_filter)
        row.addWidget(self.skill_filter)
        cb.addLayout(row)
        self.staff_search = QLineEdit(chooser)
        self.staff_search.setObjectName("staff_search")
        self.staff_search.setPlaceholderText(_("Name, reading, staff number or department"))
        self.staff_search.setClearButtonEnabled(True)
        self._staff_timer = QTimer(self)
        self._staff_timer.setSingleShot(True)
        self._staff_timer.setInterval(200)
        self._staff_timer.timeout.connect(self.refresh_staff)
        self.staff_search.textEdited.connect(lambda _t: self._staff_timer.start())
        self.staff_search.returnPressed.connect(self.refresh_staff)
        cb.addWidget(self.staff_search)
        self.staff_list = QListWidget(chooser)
        self.staff_list.setObjectName("staff_list")
        self.staff_list.itemDoubleClicked.connect(lambda _item: self.add_selected_staff())
        cb.addWidget(self.staff_list)
        self.staff_note = QLabel(chooser)
        self.staff_note.setObjectName("staff_note")
        self.staff_note.setWordWrap(True)
        self.staff_note.setVisible(False)
        cb.addWidget(self.staff_note)
        add_staff = QPushButton(_("Add staff member"), chooser)
        add_staff.setObjectName("add_staff")
        add_staff.clicked.connect(self.add_selected_staff)
        cb.addWidget(add_staff)
        partner_row = QHBoxLayout()
        self.contact_box = LookupCombo(self._search_contacts, chooser, none_text=None)
        self.contact_box.setObjectName("contact_box")
        add_contact = QPushButton(_("Add partner's person"), chooser)
        add_contact.clicked.connect(self.add_selected_contact)
        partner_row.addWidget(self.contact_box, 1)
        partner_row.addWidget(add_contact)
        cb.addLayout(partner_row)
        mid.addWidget(members_box, 1)
        mid.addWidget(chooser, 1)

        right = QWidget(split)
        rl = QVBoxLayout(right)
        legs_box = QGroupBox(_("Itinerary"), right)
        lb = QVBoxLayout(legs_box)
        self.leg_table = QTableWidget(0, 5, legs_box)
        self.leg_table.setObjectName("leg_table")
        self.leg_table.setHorizontalHeaderLabels(
            [_("Kind"), _("Local time"), _("JST"), _("Duration"), _("Place")]
        )
        self.leg_table.horizontalHeader().setStretchLastSection(True)
        self.leg_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.leg_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.leg_table.verticalHeader().setVisible(False)
        self.leg_table.doubleClicked.connect(lambda _i: self.edit_leg())
        lb.addWidget(self.leg_table)
        buttons = QHBoxLayout()
        for text, slot in ((_("Add leg"), self.add_leg), (_("Edit leg"), self.edit_leg),
                           (_("Remove leg"), self.remove_leg)):  # fmt: skip
            b = QPushButton(text, legs_box)
            b.clicked.connect(slot)
            buttons.addWidget(b)
        lb.addLayout(buttons)
        conflicts_box = QGroupBox(_("Checks"), right)
        conflicts_box.setObjectName("conflict_panel")
        cl = QVBoxLayout(conflicts_box)
        self.issue_list = QListWidget(conflicts_box)
        self.issue_list.setObjectName("issue_list")
        self.issue_list.setWordWrap(True)
        cl.addWidget(self.issue_list)
        self.reason = QLineEdit(conflicts_box)
        self.reason.setObjectName("override_reason")
        self.reason.setPlaceholderText(_("Reason for saving despite the conflicts"))
        cl.addWidget(QLabel(_("Override reason (recorded in the audit log)"), conflicts_box))
        cl.addWidget(self.reason)
        rl.addWidget(legs_box, 1)
        rl.addWidget(conflicts_box, 1)
        split.setSizes([360, 360, 380])

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        save_shortcut = QShortcut(QKeySequence("Ctrl+S"), self)
        save_shortcut.activated.connect(self.save)

        for w in (self.departure, self.returning):
            w.dateChanged.connect(lambda _d: self.refresh_checks())
        self.status.currentIndexChanged.connect(lambda _i: self.refresh_checks())
        self.country.currentIndexChanged.connect(lambda _i: self.refresh_checks())
        for box in (self.language_filter, self.level_filter, self.skill_filter):
            box.currentIndexChanged.connect(lambda _i: self.refresh_staff())

    # --- loading --------------------------------------------------------------------------------------------------

    def _load(self) -> None:
        with self.sessions() as s:
            if self.dispatch_id is None:
                today = date.today()
                self.departure.setDate(_qdate(today + timedelta(days=30)))
                self.returning.setDate(_qdate(today + timedelta(days=37)))
                self._select(self.country, "LA")
            else:
                d = svc.dispatch_for_edit(s, self.dispatch_id)
                self.version = d.version
                self.code.setText(d.code)
                self.title_edit.setText(d.title)
                self.title_en.setText(d.title_en)
                self.purpose.setCurrentIndex(list(DispatchPurpose).index(d.purpose))
                self.status.setCurrentIndex(list(DispatchStatus).index(d.status))
                self._select(self.country, d.country)
                self.city.setText(d.city)
                set_zone(self.timezone, d.timezone)
                self.departure.setDate(_qdate(d.departure_on))
                self.returning.setDate(_qdate(d.return_on))
                if d.project is not None:  # shown whatever its state (a completed project stays chosen)
                    p = d.project
                    self.project.set_choice(p.id, project_label(p.code, p.title_ja, p.title_en))
                self.notes.setPlainText(d.notes)
                self.members = _members_of(d)
                self.legs = _legs_of(d)
            self._show_members()
            self._show_legs()
            self.refresh_staff(s)
            self._loading = False
            self.refresh_checks(s)

    # --- choosers (each search reads at most a page of rows) ------------------------------------------------------

    def _search_projects(self, text: str) -> list[Choice]:
        try:
            with self.sessions() as s:
                found = svc.project_choices(s, text, limit=PROJECT_LIMIT)
        except StorageError as exc:
            report_storage_error(self, exc, self.field_error.setText)
            return []
        return [(p.id, choice_label(p)) for p in found]

    def _search_contacts(self, text: str) -> list[Choice]:
        try:
            with self.sessions() as s:
                found = svc.contact_choices(s, text, limit=CONTACT_LIMIT)
        except StorageError as exc:
            report_storage_error(self, exc, self.field_error.setText)
            return []
        out: list[Choice] = []
        for c in found:
            name = c.name if i18n.current_language() == "ja" else (c.name_en or c.name)
            out.append((c.id, f"{name} ({c.organization})" if c.organization else name))
        return out

    def _load_languages(self) -> list[Choice]:
        try:
            with self.sessions() as s:
                codes = svc.staff_languages(s)
        except StorageError as exc:
            report_storage_error(self, exc, self.field_error.setText)
            return []
        return [(code, i18n.language_name(code)) for code in codes]

    @staticmethod
    def _select(box: QComboBox, value: object) -> None:
        index = box.findData(value)
        if index >= 0:
            box.setCurrentIndex(index)

    def refresh_staff(self, session: Session | None = None) -> None:
        """The staff chooser: the first ``STAFF_LIMIT`` active staff matching the filters and the typed text."""
        self._staff_timer.stop()
        filters = {
            "language": self.language_filter.currentData(),
            "min_level": self.level_filter.currentData() if self.language_filter.currentData() else None,
            "skill": self.skill_filter.currentData(),
            "text": self.staff_search.text(),
            "limit": STAFF_LIMIT,
        }
        unfiltered = not any(filters[k] for k in ("language", "skill")) and not str(filters["text"]).strip()
        if session is None:
            try:
                if unfiltered:  # the chooser as it opens: kept for the process (dropped when staff change)
                    rows, total = first_staff(self.sessions, STAFF_LIMIT)
                else:
                    with self.sessions() as s:
                        rows, total = svc.staff_picks(s, **filters)
            except StorageError as exc:
                report_storage_error(self, exc, self.field_error.setText)
                return
        elif unfiltered:
            rows, total = first_staff(self.sessions, STAFF_LIMIT, session)
        else:
            rows, total = svc.staff_picks(session, **filters)
        self.staff_list.clear()
        for r in rows:
            name = r.name if i18n.current_language() == "ja" else (r.name_en or r.name)
            item = QListWidgetItem(f"{name}  {r.department}".strip())
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, r.name)
            self.staff_list.addItem(item)
        self.staff_note.setVisible(total > len(rows))
        if total > len(rows):
            self.staff_note.setText(
                _("{shown} of {total} staff shown: type a name to find the others.").format(
                    shown=i18n.format_number(len(rows)), total=i18n.format_number(total)
                )
            )

    # --- members ------------------------------------------------------------------------------------------------

    def _show_members(self) -> None:
        self.member_table.setRowCount(len(self.members))
        for row, (spec, name) in enumerate(self.members):
            self.member_table.setItem(row, 0, QTableWidgetItem(name))
            role = QComboBox(self.member_table)
            for r in MemberRole:
                role.addItem(_(MEMBER_ROLE_LABELS[r]), r)
            role.setCurrentIndex(list(MemberRole).index(spec.role))
            role.currentIndexChanged.connect(
                lambda _i, row=row, box=role: self._set_role(row, box.currentData())
            )
            self.member_table.setCellWidget(row, 1, role)

    def _set_role(self, row: int, role: MemberRole) -> None:
        spec, name = self.members[row]
        self.members[row] = (MemberSpec(spec.staff_id, spec.contact_id, role), name)

    def add_staff(self, staff_id: int, name: str) -> None:
        if any(spec.staff_id == staff_id for spec, _n in self.members):
            return
        role = MemberRole.LEADER if not self.members else MemberRole.MEMBER
        self.members.append((MemberSpec(staff_id=staff_id, role=role), name))
        self._show_members()
        self.refresh_checks()

    def add_selected_staff(self) -> None:
        item = self.staff_list.currentItem()
        if item is not None:
            self.add_staff(
                int(item.data(Qt.ItemDataRole.UserRole)), str(item.data(Qt.ItemDataRole.UserRole + 1))
            )

    def add_selected_contact(self) -> None:
        contact_id = self.contact_box.currentData()
        if contact_id is None or any(spec.contact_id == contact_id for spec, _n in self.members):
            return
        name = _("{name} (partner)").format(name=self.contact_box.currentText())
        self.members.append((MemberSpec(contact_id=int(contact_id)), name))
        self._show_members()
        self.refresh_checks()

    def remove_selected_member(self) -> None:
        row = self.member_table.currentRow()
        if 0 <= row < len(self.members):
            del self.members[row]
            self._show_members()
            self.refresh_checks()

    # --- legs -------------------------------------------------------------------------------------------------------

    def _show_legs(self) -> None:
        self.legs.sort(key=lambda lg: lg.starts_at)
        self.leg_table.setRowCount(len(self.legs))
        for row, leg in enumerate(self.legs):
            view = svc.leg_view(leg)
            local = (f"{i18n.format_datetime(view.start_local, view.start_tz)} – "
                     f"{i18n.format_datetime(view.end_local, view.end_tz)}")  # fmt: skip
            jst = f"{i18n.format_datetime(view.start_jst)} – {i18n.format_datetime(view.end_jst)}"
            place = leg.origin if leg.origin == leg.destination or not leg.destination else (
                f"{leg.origin} → {leg.destination}")  # fmt: skip
            for col, text in enumerate(
                (_(LEG_KIND_LABELS[leg.kind]), local, jst, i18n.format_duration(view.duration), place)
            ):
                self.leg_table.setItem(row, col, QTableWidgetItem(text))
        self.leg_table.resizeColumnsToContents()

    def add_leg(self) -> None:
        day = _pydate(self.departure.date())
        if self.legs:
            day = self.legs[-1].ends_at.astimezone(ZoneInfo(self.legs[-1].end_tz)).date()
        dialog = LegDialog(self, None, zone_of(self.timezone), day)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.add_leg_spec(dialog.spec())

    def add_leg_spec(self, leg: LegSpec) -> None:
        self.legs.append(leg)
        self._show_legs()

    def edit_leg(self) -> None:
        row = self.leg_table.currentRow()
        if not (0 <= row < len(self.legs)):
            return
        dialog = LegDialog(self, self.legs[row], zone_of(self.timezone), date.today())
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.legs[row] = dialog.spec()
            self._show_legs()

    def remove_leg(self) -> None:
        row = self.leg_table.currentRow()
        if 0 <= row < len(self.legs):
            del self.legs[row]
            self._show_legs()

    # --- checks -----------------------------------------------------------------------------------------------------

    def candidate(self) -> checks.DispatchCandidate:
        return checks.DispatchCandidate(
            departure_on=_pydate(self.departure.date()),
            return_on=_pydate(self.returning.date()),
            staff_ids=tuple(spec.staff_id for spec, _n in self.members if spec.staff_id is not None),
            dispatch_id=self.dispatch_id,
            status=self.status.currentData(),
            country=str(self.country.currentData() or ""),
        )

    def refresh_checks(self, session: Session | None = None) -> None:
        if self._loading:
            return
        if session is None:
            with self.sessions() as s:
                self._check(s)
        else:
            self._check(session)
        self._show_issues()

    def _check(self, s: Session) -> None:
        # the recorded overrides come with the checks' statement the first time (no round trip of their own)
        self.issues, records = checks.check_dispatch_reading_overrides(
            s, self.candidate(), overrides=not self._overrides_read
        )
        if records is not None:
            self.overridden = checks.overridden_keys(records)
            self._overrides_read = True
        # overrides are recorded only for blocking issues (conflicts): information alone needs no read
        if checks.blocking(self.issues) and not self._overrides_read:
            assert self.dispatch_id is not None
            self.overridden = checks.overridden_keys(checks.overrides_of(s, self.dispatch_id))
            self._overrides_read = True

    def _show_issues(self) -> None:
        self.issue_list.clear()
        if not self.issues:
            item = QListWidgetItem(_("No conflicts."))
            self.issue_list.addItem(item)
            return
        for issue in self.issues:
            prefix = {
                checks.Severity.ERROR: _("Error"),
                checks.Severity.CONFLICT: _("Conflict"),
                checks.Severity.INFO: _("Information"),
            }[issue.severity]
            text = f"{prefix}: {issue.message}"
            record = self.overridden.get(issue.key)
            if record is not None:
                text += "\n" + _("Overridden by {user}: {reason}").format(
                    user=record.user, reason=record.reason
                )
            item = QListWidgetItem(text)
            item.setForeground(SEVERITY_COLORS[issue.severity])
            item.setData(Qt.ItemDataRole.UserRole, issue.kind)
            self.issue_list.addItem(item)

    def issue_texts(self) -> list[str]:
        return [self.issue_list.item(i).text() for i in range(self.issue_list.count())]

    # --- saving -----------------------------------------------------------------------------------------------------

    def values(self) -> dict[str, object]:
        return {
            "code": self.code.text(),
            "title": self.title_edit.text(),
            "title_en": self.title_en.text(),
            "purpose": self.purpose.currentData(),
            "status": self.status.currentData(),
            "country": self.country.currentData() or self.country.currentText(),
            "city": self.city.text(),
            "timezone": zone_of(self.timezone),
            "departure_on": _pydate(self.departure.date()),
            "return_on": _pydate(self.returning.date()),
            "project_id": self.project.currentData(),
            "notes": self.notes.toPlainText(),
        }

    def save(self) -> bool:
        """Save; on failure the dialog stays open with the user's edits and the reason shown."""
        self.field_error.clear()
        reason = self.reason.text().strip() or None
        try:
            with self.sessions() as s:
                d = svc.save_dispatch(
                    s,
                    self.dispatch_id,
                    self.version,
                    self.values(),
                    [spec for spec, _n in self.members],
                    self.legs,
                    override_reason=reason,
                )
                s.commit()
                self.saved_id = d.id
        except ConflictError as exc:
            self.refresh_checks()
            messages = exc.details.get("messages") or [exc.message]
            if exc.overridable:
                text = _("Saving needs a reason because of these conflicts:") + "\n" + "\n".join(messages)
                self.reason.setFocus()
            else:
                text = "\n".join(messages)
            self.field_error.setText(text)
            return False
        except ValidationError as exc:
            self.field_error.setText(exc.message)
            self._focus_field(exc.field)
            return False
        except StaleEditError:
            self.resolve_conflict()
            return False
        except ServiceError as exc:
            QMessageBox.warning(self, _("Not saved"), exc.message)
            return False
        except StorageError as exc:  # the database cannot be reached: the entries stay for a later save
            report_storage_error(self, exc, self.field_error.setText)
            return False
        self.accept()
        return True

    # --- edit conflicts -------------------------------------------------------------------------------------------

    def state(self) -> dict[str, object]:
        """The dispatch as the dialog holds it: ``values()`` plus the members and the legs."""
        state = dict(self.values())
        state["members"] = tuple(spec for spec, _n in self.members)
        state["legs"] = tuple(self.legs)
        return state

    def resolve_conflict(self) -> None:
        """Someone else saved the dispatch meanwhile: show both versions field by field, save the chosen merge."""
        assert self.dispatch_id is not None
        try:
            with self.sessions() as s:
                d = svc.get_dispatch(s, self.dispatch_id)
                members = _members_of(d)
                theirs: dict[str, object] = {key: getattr(d, key) for key in self.values()}
                theirs["members"] = tuple(spec for spec, _n in members)
                theirs["legs"] = tuple(_legs_of(d))
                version, who, when = d.version, d.updated_by, d.updated_at
                if d.project is not None:  # listed so that both sides can be shown and chosen
                    p = d.project
                    self.project.add_choice(p.id, project_label(p.code, p.title_ja, p.title_en))
        except NotFoundError:
            self.field_error.setText(
                _("Someone else deleted this record meanwhile; your changes were not saved.")
            )
            return
        except StorageError as exc:
            report_storage_error(self, exc, self.field_error.setText)
            return
        names = {(spec.staff_id, spec.contact_id): name for spec, name in (*self.members, *members)}
        labels = {
            "code": _("Code"),
            "title": _("Title"),
            "title_en": _("Title (English)"),
            "purpose": _("Purpose"),
            "status": _("Status"),
            "country": _("Country"),
            "city": _("City"),
            "timezone": _("Time zone"),
            "departure_on": _("Departure"),
            "return_on": _("Return"),
            "project_id": _("Project"),
            "notes": _("Notes"),
            "members": _("Members"),
            "legs": _("Itinerary"),
        }

        def project(pid: object) -> str:
            index = self.project.findData(pid)
            return self.project.itemText(index) if index >= 0 and pid is not None else ""

        def member_names(specs: object) -> str:
            assert isinstance(specs, tuple)
            return "\n".join(names.get((m.staff_id, m.contact_id), "?") for m in specs)

        def leg_lines(legs: object) -> str:
            assert isinstance(legs, tuple)
            return "\n".join(
                f"{_(LEG_KIND_LABELS[lg.kind])} {i18n.format_datetime(lg.starts_at, lg.start_tz)} "
                f"{lg.origin}{' → ' + lg.destination if lg.destination and lg.destination != lg.origin else ''}"
                for lg in legs
            )

        show: dict[str, Callable[[Any], str]] = {
            "purpose": lambda p: _(DISPATCH_PURPOSE_LABELS[DispatchPurpose(p)]),
            "status": lambda st: _(DISPATCH_STATUS_LABELS[DispatchStatus(st)]),
            "country": lambda code: i18n.country_name(code),
            "departure_on": lambda day: i18n.format_date(day),
            "return_on": lambda day: i18n.format_date(day),
            "project_id": project,
            "members": member_names,
            "legs": leg_lines,
        }

        def merge(values: dict[str, object]) -> None:
            self._put_state(values, names)
            self.original = theirs
            self.version = version
            self.save()

        self.field_error.setText(_("Someone else changed this record: choose which values to keep."))
        self.conflict = ask_merge(
            self,
            labels,
            self.original,
            self.state(),
            theirs,
            merge,
            show=show,
            record=_("the dispatch {code}").format(code=self.code.text()),
            changed_by=who,
            changed_at=when,
        )

    def _put_state(self, values: dict[str, object], names: dict[tuple[int | None, int | None], str]) -> None:
        for edit, key in ((self.code, "code"), (self.title_edit, "title"), (self.title_en, "title_en")):
            edit.setText(str(values[key]))
        self.city.setText(str(values["city"]))
        self.notes.setPlainText(str(values["notes"]))
        self.purpose.setCurrentIndex(list(DispatchPurpose).index(DispatchPurpose(str(values["purpose"]))))
        self.status.setCurrentIndex(list(DispatchStatus).index(DispatchStatus(str(values["status"]))))
        self._select(self.country, values["country"])
        set_zone(self.timezone, str(values["timezone"]))
        for date_edit, key in ((self.departure, "departure_on"), (self.returning, "return_on")):
            day = values[key]
            assert isinstance(day, date)
            date_edit.setDate(_qdate(day))
        self.project.set_choice(values["project_id"])
        members = values["members"]
        legs = values["legs"]
        assert isinstance(members, tuple) and isinstance(legs, tuple)
        self.members = [(spec, names.get((spec.staff_id, spec.contact_id), "?")) for spec in members]
        self.legs = list(legs)
        self._show_members()
        self._show_legs()
        self.refresh_checks()

    def _focus_field(self, field: str) -> None:
        widgets = {
            "code": self.code,
            "title": self.title_edit,
            "country": self.country,
            "timezone": self.timezone,
            "departure_on": self.departure,
            "return_on": self.returning,
            "members": self.member_table,
            "legs": self.leg_table,
        }
        widget = widgets.get(field)
        if widget is not None:
            widget.setFocus()


def project_label(code: str, title_ja: str, title_en: str) -> str:
    name = title_ja if i18n.current_language() == "ja" else (title_en or title_ja)
    return f"{code} {name}"


def choice_label(p: ProjectChoice) -> str:
    label = project_label(p.code, p.title_ja, p.title_en)
    return (
        label
        if p.active
        else _("{project} ({state})").format(project=label, state=_(PROJECT_STATE_LABELS[p.state]))
    )


def _members_of(d: Dispatch) -> list[tuple[MemberSpec, str]]:
    members: list[tuple[MemberSpec, str]] = []
    for m in d.members:
        person = m.staff or m.contact
        name = svc.person_name(person.family_name, person.given_name) if person else ""
        if m.contact is not None:
            name = _("{name} (partner)").format(name=name)
        members.append((MemberSpec(m.staff_id, m.contact_id, m.role), name))
    return members


def _legs_of(d: Dispatch) -> list[LegSpec]:
    return [
        LegSpec(
            lg.kind,
            lg.starts_at,
            lg.start_tz,
            lg.ends_at,
            lg.end_tz,
            lg.origin,
            lg.destination,
            lg.reference,
            lg.details,
            lg.id,
        )
        for lg in sorted(d.legs, key=lambda lg: (lg.starts_at, lg.position))
    ]
