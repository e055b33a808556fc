"""Dialogs of the partner directory: an organization, a contact, the April rotation check.

A dialog saves through the services in its own session; a ``ValidationError`` is shown next to its field and the
dialog stays open with the user's edits. A ``StaleEditError`` (someone else saved the record meanwhile) opens the
conflict dialog with the user's values and the current ones field by field; the merge the user chooses is saved
against the current version. A database that cannot be reached (``StorageError``) is said in the dialog too, which
keeps the user's edits for a later save. The edit dialog of an existing organization or contact shows a notice when
someone else saves that record while it is open (``watch_record``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import QDate, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from kawaoffice import i18n
from kawaoffice.i18n import _, pgettext
from kawaoffice.model.partners import (
    MEMBERSHIP_STATUS_LABELS,
    ORGANIZATION_KIND_LABELS,
    Contact,
    MembershipStatus,
    OrganizationKind,
)
from kawaoffice.services import partner_search as ps
from kawaoffice.services import partners
from kawaoffice.services.errors import NotFoundError, ServiceError, StaleEditError, ValidationError
from kawaoffice.storage.errors import StorageError
from kawaoffice.ui.widgets.conflict_dialog import ConflictDialog, conflicts_from, report_storage_error
from kawaoffice.ui.widgets.format import country_choices, localized
from kawaoffice.ui.widgets.forms import ERROR_COLOR, error_label
from kawaoffice.ui.widgets.live_refresh import RecordWatch, watch_record
from kawaoffice.ui.widgets.paged_model import SessionProvider

ERROR_STYLE = f"border: 1px solid {ERROR_COLOR};"
DATE_FORMAT = "yyyy-MM-dd"


_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class EnterTakesCompletion(QObject):
    """Enter in an editable combo box chooses what the user is choosing, not the dialog's default button (Save):
    with the completer's list open it takes the highlighted completion (else the first), and on typed text that
    is not the chosen item yet it chooses the item with that text (or the first completion of it). Enter on text
    that already is the chosen item, or that matches nothing, goes on to the dialog as usual (Save, which then
    says what is wrong)."""

    def __init__(self, combo: QComboBox) -> None:
        super().__init__(combo)
        self.combo = combo
        edit = combo.lineEdit()
        assert edit is not None, "only for editable combo boxes"
        edit.installEventFilter(self)
        completer = combo.completer()
        popup = completer.popup() if completer is not None else None
        if popup is not None:
            # (filters run newest first: this one sees Enter on the list before the completer does)
            popup.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() not in _ENTER_KEYS:
            return False
        combo = self.combo
        completer = combo.completer()
        popup = completer.popup() if completer is not None else None
        if completer is not None and popup is not None and popup.isVisible():
            index = popup.currentIndex()
            text = str(index.data()) if index.isValid() else completer.currentCompletion()
            popup.hide()
            return self._choose(text or combo.currentText()) or True  # the list was open: never Save
        if watched is combo.lineEdit():
            typed = combo.currentText()
            chosen = combo.itemText(combo.currentIndex()) if combo.currentIndex() >= 0 else None
            if typed != chosen:
                return self._choose(typed)
        return False

    def _choose(self, text: str) -> bool:
        """Make the item with ``text`` (or the first completion of it) the current one; False if none."""
        combo = self.combo
        row = combo.findText(text)
        completer = combo.completer()
        if row < 0 and text.strip() and completer is not None:
            completer.setCompletionPrefix(text)
            if completer.completionCount():
                row = combo.findText(completer.currentCompletion())
        if row < 0:
            return False
        combo.setCurrentIndex(row)
        combo.setEditText(combo.itemText(row))
        return True


class _FormDialog(QDialog):
    """Fields by service field name, an error line, Save/Cancel; subclasses implement ``save_values``."""

    def __init__(self, sessions: SessionProvider, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.sessions = sessions
        self.fields: dict[str, QWidget] = {}
        self.form = QFormLayout()
        self.error_label = error_label(self)
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        self.extra = QVBoxLayout()
        layout.addLayout(self.extra)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.saved_id: int | None = None
        self.version = 0
        self.original: dict[str, Any] = {}  # the record's values when the dialog opened (three-way merge)
        self.conflict: ConflictDialog | None = None
        self.record_watch: RecordWatch | None = None  # set for an existing record: told when someone saves it

    def line(self, name: str, label: str, value: str = "") -> QLineEdit:
        edit = QLineEdit(value, self)
        edit.setObjectName(name)
        self.form.addRow(label, edit)
        self.fields[name] = edit
        return edit

    def show_error(self, field: str | None, message: str) -> None:
        for each in self.fields.values():
            each.setStyleSheet("")
            each.setToolTip("")
        widget = self.fields.get(field or "")
        if widget is not None:
            widget.setStyleSheet(ERROR_STYLE)
            widget.setToolTip(message)
            widget.setFocus()
            label = self.form.labelForField(widget)
            if isinstance(label, QLabel):
                message = f"{label.text()}: {message}"
        self.error_label.setText(message)
        self.error_label.show()

    def save_values(self) -> int:
        raise NotImplementedError

    def save(self) -> None:
        try:
            self.saved_id = self.save_values()
        except ValidationError as exc:
            self.show_error(exc.field, exc.message)
            return
        except StaleEditError:
            self.resolve_conflict()
            return
        except ServiceError as exc:
            self.show_error(None, exc.message)
            return
        except StorageError as exc:
            self.report_storage_error(exc)
            return
        self.accept()

    def report_storage_error(self, exc: StorageError) -> None:
        """The database could not be used: say so under the form; the entries stay for a later save."""
        report_storage_error(self, exc, lambda message: self.show_error(None, message))

    # --- edit conflicts -------------------------------------------------------------------------------------------

    def conflict_values(self) -> dict[str, Any]:
        """The user's values of the fields the conflict dialog compares (subclasses that support it)."""
        return {}

    def current_record(self) -> tuple[dict[str, Any], int, str, datetime | None] | None:
        """The record as saved now: values shaped like ``conflict_values``, version, who saved it and when."""
        return None

    def put_values(self, values: dict[str, Any]) -> None:
        """Show ``values`` (shaped like ``conflict_values``) in the widgets."""

    def conflict_display(self) -> dict[str, Callable[[Any], str]]:
        return {}

    def record_name(self) -> str:
        return ""

    def field_label(self, key: str) -> str:
        widget = self.fields.get(key)
        label = self.form.labelForField(widget) if widget is not None else None
        return label.text().rstrip(" *") if isinstance(label, QLabel) else key

    def resolve_conflict(self) -> None:
        """Someone else saved the record: show yours and theirs field by field; save the chosen merge."""
        try:
            current = self.current_record()
        except NotFoundError:
            self.show_error(
                None, _("Someone else deleted this record meanwhile; your changes were not saved.")
            )
            return
        except StorageError as exc:
            self.report_storage_error(exc)
            return
        if current is None or current[1] == self.version:
            # the record itself is unchanged: a part saved with it (e.g. a membership period) was changed
            self.show_error(None, _("Someone else changed this record; reload it and edit again."))
            return
        theirs, version, who, when = current
        mine = self.conflict_values()
        labels = {key: self.field_label(key) for key in mine}
        fields = conflicts_from(labels, self.original, mine, theirs, self.conflict_display())
        self.conflict = ConflictDialog(
            fields, record=self.record_name(), changed_by=who, changed_at=when, parent=self
        )
        self.conflict.accepted.connect(lambda: self._save_merged(version))
        self.show_error(None, _("Someone else changed this record: choose which values to keep."))
        self.conflict.open()

    def _save_merged(self, version: int) -> None:
        assert self.conflict is not None
        merged = self.conflict.merged_values()
        self.put_values(merged)
        self.original = {**self.original, **{f.key: f.theirs for f in self.conflict.fields}}
        self.version = version
        self.save()


def _text(widget: QWidget) -> str:
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    return ""


def _confirm_duplicates(parent: QWidget, names: list[str]) -> bool:
    if not names:
        return True
    answer = QMessageBox.question(
        parent,
        _("Possible duplicate"),
        _("A record with the same name or e-mail already exists: {names}. Save anyway?").format(
            names=i18n.format_list(names[:5])
        ),
    )
    return answer == QMessageBox.StandardButton.Yes


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _pydate(edit: QDateEdit) -> date:
    d = edit.date()
    return date(d.year(), d.month(), d.day())


# the organization's own fields; the membership and technology widgets are saved separately
_EXTRA_FIELDS = ("kind", "country", "membership_status", "joined_on", "left_on", "technologies")
TECH_NAME, TECH_PRODUCT, TECH_NOTES = range(3)


class OrganizationDialog(_FormDialog):
    """Create (``organization_id`` None) or edit an organization."""

    def __init__(
        self, sessions: SessionProvider, organization_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(sessions, parent)
        self.setObjectName("organization_dialog")
        self.organization_id = organization_id
        self.version = 0
        self.setWindowTitle(_("New organization") if organization_id is None else _("Edit organization"))
        self.kind = QComboBox(self)
        self.kind.setObjectName("kind")
        for kind, msgid in ORGANIZATION_KIND_LABELS.items():
            self.kind.addItem(_(msgid), kind)
        self.form.addRow(_("Kind"), self.kind)
        self.fields["kind"] = self.kind
        self.line("name_ja", _("Name (Japanese)") + " *")
        self.line("name_kana", _("Reading (kana)"))
        self.line("name_en", _("English name"))
        self.line("name_local", _("Name in local script"))
        self.line("abbreviation", _("Abbreviation"))
        self.country = QComboBox(self)
        self.country.setObjectName("country")
        self.country.setEditable(False)
        for code, name in country_choices():
            self.country.addItem(f"{name} ({code})", code)
        self.country.setCurrentIndex(max(0, self.country.findData("JP")))
        self.form.addRow(_("Country"), self.country)
        self.fields["country"] = self.country
        self.line("city", _("City"))
        self.line("address", _("Address"))
        self.line("phone", _("Phone"))
        self.line("email", _("E-mail"))
        self.line("website", _("Website"))
        notes = QPlainTextEdit(self)
        notes.setObjectName("notes")
        notes.setFixedHeight(70)
        self.form.addRow(_("Notes"), notes)
        self.fields["notes"] = notes
        self._membership_widgets()
        self._technology_widgets()
        if organization_id is not None:
            self._load()
            self.original = self.conflict_values()
            self.record_watch = watch_record(self, "organizations", organization_id)
        self.resize(620, self.sizeHint().height())

    def _membership_widgets(self) -> None:
        """Kawa Biz Net membership: the latest period (status, joined on, left on)."""
        self.membership: tuple[int, int] | None = None  # id, version of the latest period
        box = QGroupBox(_("Kawa Biz Net membership"), self)
        form = QFormLayout(box)
        self.membership_status = QComboBox(box)
        self.membership_status.setObjectName("membership_status")
        self.membership_status.addItem(_("Not a member"), None)
        for status in MembershipStatus:
            self.membership_status.addItem(_(MEMBERSHIP_STATUS_LABELS[status]), status.value)
        form.addRow(_("Status"), self.membership_status)
        self.joined_on = QDateEdit(QDate.currentDate(), box)
        self.joined_on.setObjectName("joined_on")
        self.joined_on.setCalendarPopup(True)
        self.joined_on.setDisplayFormat(DATE_FORMAT)
        form.addRow(_("Joined on"), self.joined_on)
        self.has_left = QCheckBox(_("Left on"), box)
        self.has_left.setObjectName("has_left")
        self.left_on = QDateEdit(QDate.currentDate(), box)
        self.left_on.setObjectName("left_on")
        self.left_on.setCalendarPopup(True)
        self.left_on.setDisplayFormat(DATE_FORMAT)
        self.left_on.setEnabled(False)
        self.has_left.toggled.connect(self.left_on.setEnabled)
        form.addRow(self.has_left, self.left_on)
        self.membership_status.currentIndexChanged.connect(self._membership_enabled)
        self._membership_enabled()
        self.fields["membership_status"] = self.membership_status
        self.fields["joined_on"] = self.joined_on
        self.fields["left_on"] = self.left_on
        self.extra.addWidget(box)

    def _membership_enabled(self) -> None:
        member = self.membership_status.currentData() is not None
        self.joined_on.setEnabled(member)
        self.has_left.setEnabled(member)
        self.left_on.setEnabled(member and self.has_left.isChecked())

    def _technology_widgets(self) -> None:
        """Every technology with a tick, the organization's product name and notes for the ticked ones."""
        self.links: dict[
            int, tuple[int, int, str, str]
        ] = {}  # technology id -> link id, version, product, notes
        with self.sessions() as session:
            techs = [(t.id, localized(t.name_ja, t.name_en)) for t in partners.list_technologies(session)]
        self.technologies = QTableWidget(len(techs), 3, self)
        self.technologies.setObjectName("technologies")
        self.technologies.setHorizontalHeaderLabels([_("Technology"), _("Product name"), _("Notes")])
        self.technologies.horizontalHeader().setStretchLastSection(True)
        self.technologies.verticalHeader().hide()
        self.technologies.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        for r, (tech_id, name) in enumerate(techs):
            item = QTableWidgetItem(name)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable
            )
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, tech_id)
            self.technologies.setItem(r, TECH_NAME, item)
            self.technologies.setItem(r, TECH_PRODUCT, QTableWidgetItem(""))
            self.technologies.setItem(r, TECH_NOTES, QTableWidgetItem(""))
        self.technologies.itemChanged.connect(self._tick_on_edit)
        self.technologies.resizeColumnToContents(TECH_NAME)
        self.technologies.setColumnWidth(TECH_PRODUCT, 200)
        self.technologies.setMinimumHeight(130)
        self.fields["technologies"] = self.technologies
        self.extra.addWidget(
            QLabel(_("Technologies and products (tick the ones the organization offers)"), self)
        )
        self.extra.addWidget(self.technologies)

    def _tick_on_edit(self, item: QTableWidgetItem) -> None:
        """Typing a product name ticks the technology."""
        if item.column() != TECH_NAME and item.text().strip():
            name = self.technologies.item(item.row(), TECH_NAME)
            if name is not None and name.checkState() != Qt.CheckState.Checked:
                name.setCheckState(Qt.CheckState.Checked)

    def technology_row(self, technology_id: int) -> int:
        for r in range(self.technologies.rowCount()):
            item = self.technologies.item(r, TECH_NAME)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == technology_id:
                return r
        return -1

    def set_technology(self, technology_id: int, checked: bool, product: str = "", notes: str = "") -> None:
        """Tick (or untick) a technology and fill its product name and notes, as a user would in the table."""
        r = self.technology_row(technology_id)
        for col, text in ((TECH_PRODUCT, product), (TECH_NOTES, notes)):
            cell = self.technologies.item(r, col)
            assert cell is not None
            cell.setText(text)
        name = self.technologies.item(r, TECH_NAME)
        assert name is not None
        name.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def ticked_technologies(self) -> dict[int, tuple[str, str]]:
        """Technology id -> (product name, notes) of the ticked rows."""
        ticked: dict[int, tuple[str, str]] = {}
        for r in range(self.technologies.rowCount()):
            name = self.technologies.item(r, TECH_NAME)
            if name is None or name.checkState() != Qt.CheckState.Checked:
                continue
            cells = [self.technologies.item(r, c) for c in (TECH_PRODUCT, TECH_NOTES)]
            product, notes = (cell.text().strip() if cell is not None else "" for cell in cells)
            ticked[int(name.data(Qt.ItemDataRole.UserRole))] = (product, notes)
        return ticked

    def _load(self) -> None:
        assert self.organization_id is not None
        with self.sessions() as session:
            org = partners.get_organization(session, self.organization_id)
            self.version = org.version
            self.kind.setCurrentIndex(self.kind.findData(org.kind))
            self.country.setCurrentIndex(max(0, self.country.findData(org.country)))
            for name in (
                "name_ja",
                "name_kana",
                "name_en",
                "name_local",
                "abbreviation",
                "city",
                "address",
                "email",
            ):
                edit = self.fields[name]
                assert isinstance(edit, QLineEdit)
                edit.setText(getattr(org, name))
            phone = self.fields["phone"]
            assert isinstance(phone, QLineEdit)
            phone.setText(i18n_phone(org.phone))
            website = self.fields["website"]
            assert isinstance(website, QLineEdit)
            website.setText(org.website)
            notes = self.fields["notes"]
            assert isinstance(notes, QPlainTextEdit)
            notes.setPlainText(org.notes)
            if org.memberships:
                latest = max(org.memberships, key=lambda m: (m.joined_on, m.id))
                self.membership = (latest.id, latest.version)
                self.membership_status.setCurrentIndex(self.membership_status.findData(latest.status.value))
                self.joined_on.setDate(_qdate(latest.joined_on))
                self.has_left.setChecked(latest.left_on is not None)
                if latest.left_on is not None:
                    self.left_on.setDate(_qdate(latest.left_on))
                self._membership_enabled()
            for link in org.technologies:
                self.links[link.technology_id] = (link.id, link.version, link.product_name, link.description)
                self.set_technology(link.technology_id, True, link.product_name, link.description)

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            name: _text(widget) for name, widget in self.fields.items() if name not in _EXTRA_FIELDS
        }
        values["kind"] = OrganizationKind(self.kind.currentData())
        values["country"] = self.country.currentData()
        return values

    def conflict_values(self) -> dict[str, Any]:
        values = self.values()
        return {key: values[key] for key in self.fields if key in values}

    def current_record(self) -> tuple[dict[str, Any], int, str, datetime | None] | None:
        assert self.organization_id is not None
        with self.sessions() as session:
            org = partners.get_organization(session, self.organization_id)
            values = {key: getattr(org, key) for key in self.conflict_values()}
            values["phone"] = i18n_phone(org.phone)
            values["kind"] = OrganizationKind(org.kind)
            return values, org.version, org.updated_by, org.updated_at

    def put_values(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            widget = self.fields[key]
            if isinstance(widget, QLineEdit):
                widget.setText(value)
            elif isinstance(widget, QPlainTextEdit):
                widget.setPlainText(value)
        self.kind.setCurrentIndex(self.kind.findData(values["kind"]))
        self.country.setCurrentIndex(max(0, self.country.findData(values["country"])))

    def conflict_display(self) -> dict[str, Callable[[Any], str]]:
        return {
            "kind": lambda kind: _(ORGANIZATION_KIND_LABELS[OrganizationKind(kind)]),
            "country": lambda code: i18n.country_name(code),
        }

    def record_name(self) -> str:
        name = _text(self.fields["name_ja"]) or str(self.original.get("name_ja", ""))
        return _("the organization {name}").format(name=name)

    def save_values(self) -> int:
        values = self.values()
        with self.sessions() as session:
            dups = ps.duplicate_organizations(
                session,
                name_ja=values["name_ja"],
                name_en=values["name_en"],
                email=values["email"],
                exclude_id=self.organization_id,
            )
            names = [d.name_ja for d in dups]
        if not values["name_ja"].strip():
            raise ValidationError("name_ja", _("This field is required."))
        if not _confirm_duplicates(self, names):
            raise ServiceError(_("Not saved: the record may be a duplicate."))
        with self.sessions() as session:
            try:
                if self.organization_id is None:
                    kind, name = values.pop("kind"), values.pop("name_ja")
                    org = partners.create_organization(session, kind=kind, name_ja=name, **values)
                else:
                    org = partners.update_organization(session, self.organization_id, self.version, **values)
                self._save_membership(session, org.id)
                self._save_technologies(session, org.id)
                session.commit()
            except ServiceError:
                session.rollback()
                raise
            return org.id

    def _save_membership(self, session: Session, organization_id: int) -> None:
        status = self.membership_status.currentData()
        if status is None:
            if self.membership is not None:
                partners.delete_membership(session, *self.membership)
            return
        period: dict[str, Any] = {
            "status": MembershipStatus(status),
            "joined_on": _pydate(self.joined_on),
            "left_on": _pydate(self.left_on) if self.has_left.isChecked() else None,
        }
        try:
            if self.membership is None:
                partners.create_membership(session, organization_id=organization_id, **period)
            else:
                partners.update_membership(session, *self.membership, **period)
        except ValidationError as exc:
            field = "membership_status" if exc.field == "status" else exc.field
            raise ValidationError(field, exc.message) from exc

    def _save_technologies(self, session: Session, organization_id: int) -> None:
        ticked = self.ticked_technologies()
        for tech_id, (link_id, version, _product, _notes) in self.links.items():
            if tech_id not in ticked:
                partners.remove_organization_technology(session, link_id, version)
        for tech_id, (product, notes) in ticked.items():
            try:
                if tech_id not in self.links:
                    partners.add_organization_technology(
                        session,
                        organization_id=organization_id,
                        technology_id=tech_id,
                        product_name=product,
                        description=notes,
                    )
                elif (product, notes) != self.links[tech_id][2:]:
                    link_id, version = self.links[tech_id][:2]
                    partners.update_organization_technology(
                        session, link_id, version, product_name=product, description=notes
                    )
            except ValidationError as exc:
                name = self.technologies.item(self.technology_row(tech_id), TECH_NAME)
                label = name.text() if name is not None else ""
                raise ValidationError("technologies", f"{label}: {exc.message}") from exc


def i18n_phone(e164: str) -> str:
    """A stored E.164 number in international form for display (``+81 44-200-2111``)."""
    if not e164:
        return ""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))


class ContactDialog(_FormDialog):
    """Create a person in a post at an organization, or edit a person (and their current post there)."""

    def __init__(
        self,
        sessions: SessionProvider,
        organization_id: int,
        contact_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(sessions, parent)
        self.setObjectName("contact_dialog")
        self.organization_id = organization_id
        self.contact_id = contact_id
        self.version = 0
        self.employment: tuple[int, int] | None = None  # id, version of the post at this organization
        self.setWindowTitle(_("New contact") if contact_id is None else _("Edit contact"))
        self.line("family_name", _("Family name") + " *")
        self.line("given_name", _("Given name"))
        self.line("family_kana", _("Family name (kana)"))
        self.line("given_kana", _("Given name (kana)"))
        self.line("name_en", _("Name in English"))
        self.line("email", _("E-mail"))
        self.line("phone", _("Phone"))
        self.line("mobile", _("Mobile"))
        self.line("department", _("Department"))
        self.line("title", pgettext("person", "Title"))
        self.left = QCheckBox(_("Left this post on"), self)
        self.left.setObjectName("left")
        self.left_on = QDateEdit(QDate.currentDate(), self)
        self.left_on.setCalendarPopup(True)
        self.left_on.setDisplayFormat(DATE_FORMAT)
        self.left_on.setEnabled(False)
        self.left.toggled.connect(self.left_on.setEnabled)
        self.form.addRow(self.left, self.left_on)
        self.successor = QComboBox(self)
        self.successor.setObjectName("successor")
        self.successor.addItem("", None)
        self.form.addRow(_("Successor"), self.successor)
        self.fields["successor_id"] = self.successor
        self.confirmed = QCheckBox(_("Confirmed today that the person holds this post"), self)
        self.confirmed.setObjectName("confirmed")
        self.form.addRow("", self.confirmed)
        self.history = QTableWidget(0, 4, self)
        self.history.setObjectName("history")
        self.history.setHorizontalHeaderLabels(
            [_("Organization"), pgettext("person", "Title"), _("Starts on"), _("Ended on")]
        )
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history.setMaximumHeight(110)
        self.extra.addWidget(QLabel(_("Employment history"), self))
        self.extra.addWidget(self.history)
        self.new_post_button = QPushButton(_("New post..."), self)
        self.new_post_button.setObjectName("new_post")
        self.new_post_button.setToolTip(
            _("Record a move: the current post ends the day before the new one starts")
        )
        self.new_post_button.clicked.connect(self.new_post)
        self.extra.addWidget(self.new_post_button, 0, Qt.AlignmentFlag.AlignRight)
        self.posts_changed = False  # a move was saved: the tab refreshes even if this dialog is cancelled
        self._load()
        if contact_id is not None:
            self.original = self.conflict_values()
            self.record_watch = watch_record(self, "contacts", contact_id)
        self.resize(560, self.sizeHint().height())

    def _load(self) -> None:
        with self.sessions() as session:
            for line in ps.contact_lines(session, self.organization_id):
                if line.contact_id != self.contact_id and line.current:
                    self.successor.addItem(line.name, line.contact_id)
            if self.contact_id is None:
                self.history.hide()
                self.new_post_button.hide()
                return
            contact = partners.get_contact(session, self.contact_id)
            self.version = contact.version
            for name in ("family_name", "given_name", "family_kana", "given_kana", "name_en", "email"):
                edit = self.fields[name]
                assert isinstance(edit, QLineEdit)
                edit.setText(getattr(contact, name))
            for name in ("phone", "mobile"):
                edit = self.fields[name]
                assert isinstance(edit, QLineEdit)
                edit.setText(i18n_phone(getattr(contact, name)))
            if contact.successor_id is not None:
                index = self.successor.findData(contact.successor_id)
                if index < 0:
                    s = contact.successor
                    self.successor.addItem(
                        f"{s.family_name} {s.given_name}".strip() if s else "?", contact.successor_id
                    )
                    index = self.successor.count() - 1
                self.successor.setCurrentIndex(index)
            self._fill_history(contact)

    def _fill_history(self, contact: Contact) -> None:
        self.employment = None
        self.history.setRowCount(len(contact.employments))
        for r, e in enumerate(contact.employments):
            cells = [
                e.organization.name_ja,
                e.title,
                i18n.format_date(e.started_on),
                i18n.format_date(e.ended_on),
            ]
            for col, text in enumerate(cells):
                self.history.setItem(r, col, QTableWidgetItem(text))
            if e.organization_id == self.organization_id and (self.employment is None or e.ended_on is None):
                self.employment = (e.id, e.version)
                for name in ("department", "title"):
                    edit = self.fields[name]
                    assert isinstance(edit, QLineEdit)
                    edit.setText(getattr(e, name))
                self.left.setChecked(e.ended_on is not None)
                if e.ended_on is not None:
                    self.left_on.setDate(QDate(e.ended_on.year, e.ended_on.month, e.ended_on.day))

    def history_rows(self) -> list[list[str]]:
        return [
            [_cell_text(self.history.item(r, c)) for c in range(self.history.columnCount())]
            for r in range(self.history.rowCount())
        ]

    def new_post(self) -> NewPostDialog | None:
        """Open the "New post" dialog; once it saves, the history shows the move."""
        if self.contact_id is None:
            return None
        dialog = NewPostDialog(self.sessions, self.contact_id, self.organization_id, self)
        dialog.accepted.connect(self._after_move)
        dialog.open()
        return dialog

    def _after_move(self) -> None:
        self.posts_changed = True
        assert self.contact_id is not None
        with self.sessions() as session:
            self._fill_history(partners.get_contact(session, self.contact_id))

    # the person's own fields, compared when someone else saved the contact meanwhile (the post has its own row)
    _PERSON_FIELDS = (
        "family_name",
        "given_name",
        "family_kana",
        "given_kana",
        "name_en",
        "email",
        "phone",
        "mobile",
        "successor_id",
    )

    def conflict_values(self) -> dict[str, Any]:
        values = {name: _text(self.fields[name]) for name in self._PERSON_FIELDS if name != "successor_id"}
        values["successor_id"] = self.successor.currentData()
        return values

    def current_record(self) -> tuple[dict[str, Any], int, str, datetime | None] | None:
        assert self.contact_id is not None
        with self.sessions() as session:
            contact = partners.get_contact(session, self.contact_id)
            values = {name: getattr(contact, name) for name in self._PERSON_FIELDS}
            for name in ("phone", "mobile"):
                values[name] = i18n_phone(values[name])
            successor = contact.successor
            if successor is not None and self.successor.findData(successor.id) < 0:
                self.successor.addItem(
                    f"{successor.family_name} {successor.given_name}".strip(), successor.id
                )
            return values, contact.version, contact.updated_by, contact.updated_at

    def put_values(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            widget = self.fields[name]
            if isinstance(widget, QLineEdit):
                widget.setText(value)
        self.successor.setCurrentIndex(max(0, self.successor.findData(values.get("successor_id"))))

    def conflict_display(self) -> dict[str, Callable[[Any], str]]:
        def successor(contact_id: Any) -> str:
            index = self.successor.findData(contact_id) if contact_id is not None else -1
            return self.successor.itemText(index) if index >= 0 else ""

        return {"successor_id": successor}

    def record_name(self) -> str:
        name = f"{_text(self.fields['family_name'])} {_text(self.fields['given_name'])}".strip()
        return _("the contact {name}").format(name=name)

    def save_values(self) -> int:
        values: dict[str, Any] = {
            name: _text(w) for name, w in self.fields.items() if isinstance(w, QLineEdit)
        }
        post = {"department": values.pop("department"), "title": values.pop("title")}
        values["successor_id"] = self.successor.currentData()
        if self.confirmed.isChecked():
            values["confirmed_on"] = date.today()
        ended: date | None = self.left_on.date().toPython() if self.left.isChecked() else None  # type: ignore[assignment]
        with self.sessions() as session:
            names = [
                f"{c.family_name} {c.given_name}".strip()
                for c in ps.duplicate_contacts(
                    session,
                    family_name=values["family_name"],
                    given_name=values["given_name"],
                    email=values["email"],
                    exclude_id=self.contact_id,
                )
            ]
        if not values["family_name"].strip():
            raise ValidationError("family_name", _("This field is required."))
        if not _confirm_duplicates(self, names):
            raise ServiceError(_("Not saved: the record may be a duplicate."))
        with self.sessions() as session:
            try:
                org = partners.get_organization(session, self.organization_id)
                if self.contact_id is None:
                    family = values.pop("family_name")
                    contact = partners.create_contact(
                        session, family_name=family, region=org.country, **values
                    )
                    partners.create_employment(
                        session,
                        contact_id=contact.id,
                        organization_id=org.id,
                        ended_on=ended,
                        department=post["department"],
                        title=post["title"],
                    )
                else:
                    contact = partners.update_contact(
                        session, self.contact_id, self.version, region=org.country, **values
                    )
                    if self.employment is not None:
                        partners.update_employment(
                            session, self.employment[0], self.employment[1], ended_on=ended, **post
                        )
                session.commit()
            except ServiceError:
                session.rollback()
                raise
            return contact.id


def _cell_text(item: QTableWidgetItem | None) -> str:
    return item.text() if item is not None else ""


class NewPostDialog(_FormDialog):
    """Record a move: a new post (organization, department, title, from); the open posts end the day before."""

    def __init__(
        self,
        sessions: SessionProvider,
        contact_id: int,
        organization_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(sessions, parent)
        self.setObjectName("new_post_dialog")
        self.setWindowTitle(_("New post"))
        self.contact_id = contact_id
        self.organization = QComboBox(self)
        self.organization.setObjectName("organization")
        self.organization.setEditable(True)
        self.organization.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        with self.sessions() as session:
            contact = partners.get_contact(session, contact_id)
            person = f"{contact.family_name} {contact.given_name}".strip()
            for org in partners.search_organizations(session, "", limit=1_000_000):
                self.organization.addItem(localized(org.name_ja, org.name_en), org.id)
        completer = QCompleter(self.organization.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.organization.setCompleter(completer)
        EnterTakesCompletion(self.organization)
        self.organization.setCurrentIndex(max(0, self.organization.findData(organization_id)))
        intro = QLabel(
            _("{name} moves to a new post; the current post ends the day before it starts.").format(
                name=person
            ),
            self,
        )
        intro.setWordWrap(True)
        self.form.addRow(intro)
        self.form.addRow(_("Organization") + " *", self.organization)
        self.fields["organization_id"] = self.organization
        self.line("department", _("Department"))
        self.line("title", pgettext("person", "Title"))
        self.started_on = QDateEdit(QDate.currentDate(), self)
        self.started_on.setObjectName("started_on")
        self.started_on.setCalendarPopup(True)
        self.started_on.setDisplayFormat(DATE_FORMAT)
        self.form.addRow(_("Starts on") + " *", self.started_on)
        self.fields["started_on"] = self.started_on
        self.resize(480, self.sizeHint().height())

    def save_values(self) -> int:
        index = self.organization.findText(self.organization.currentText())
        if index < 0 or not self.organization.currentText().strip():
            raise ValidationError("organization_id", _("Choose an organization from the list."))
        organization_id = int(self.organization.itemData(index))
        start = _pydate(self.started_on)
        with self.sessions() as session:
            try:
                contact = partners.get_contact(session, self.contact_id)
                for e in list(contact.employments):
                    if e.ended_on is not None:
                        continue
                    if e.started_on is not None and start <= e.started_on:
                        raise ValidationError(
                            "started_on",
                            _("The new post must start after the current one (from {date}).").format(
                                date=i18n.format_date(e.started_on)
                            ),
                        )
                    partners.update_employment(session, e.id, e.version, ended_on=start - timedelta(days=1))
                post = partners.create_employment(
                    session,
                    contact_id=self.contact_id,
                    organization_id=organization_id,
                    department=_text(self.fields["department"]).strip(),
                    title=_text(self.fields["title"]).strip(),
                    started_on=start,
                )
                session.commit()
            except ServiceError:
                session.rollback()
                raise
            return post.id


class RotationDialog(QDialog):
    """The April rotation check: people at cooperating bodies and counterparts not confirmed since April 1."""

    def __init__(
        self, sessions: SessionProvider, today: date | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("rotation_dialog")
        self.sessions = sessions
        self.today = today or date.today()
        self.setWindowTitle(_("April rotation check"))
        since = ps.last_april_first(self.today)
        intro = QLabel(
            _(
                "People at cooperating bodies and overseas counterparts not confirmed since {date}. "
                "Check who still holds the post, then mark them confirmed; record a successor in the contact."
            ).format(date=i18n.format_date(since)),
            self,
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("rotation_table")
        self.table.setHorizontalHeaderLabels([_("Organization"), _("Name"), _("E-mail"), _("Last confirmed")])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.confirm_button = self.buttons.addButton(
            _("Mark selected confirmed"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.confirm_button.setObjectName("mark_confirmed")
        self.confirm_button.clicked.connect(self.mark_selected)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addWidget(self.buttons)
        self.resize(720, 420)
        self.refresh()

    def refresh(self) -> None:
        with self.sessions() as session:
            due = ps.rotation_due(session, self.today)
            rows = [
                (
                    c.id,
                    localized(o.name_ja, o.name_en),
                    f"{c.family_name} {c.given_name}".strip(),
                    c.email,
                    i18n.format_date(c.confirmed_on),
                )
                for c, o in due
            ]
        self.table.setRowCount(len(rows))
        for r, (cid, *cells) in enumerate(rows):
            for col, text in enumerate(cells):
                item = QTableWidgetItem(str(text))
                item.setData(Qt.ItemDataRole.UserRole, cid)
                self.table.setItem(r, col, item)

    def _id_at(self, row: int) -> int:
        item = self.table.item(row, 0)
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else 0

    def contact_ids(self) -> list[int]:
        return [self._id_at(r) for r in range(self.table.rowCount())]

    def mark_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}) or list(range(self.table.rowCount()))
        ids = [self._id_at(r) for r in rows]
        with self.sessions() as session:
            ps.mark_confirmed(session, ids, self.today)
            session.commit()
        self.refresh()
