"""Dialogs of the Projects tab: a project's fields, and a move to another stage (date, note, reason).

An edit dialog given ``sessions`` resolves edit conflicts: when its save hits ``StaleEditError`` (someone else saved
the record after it was opened), the conflict dialog shows the user's values and the current ones field by field;
the chosen merge is saved against the current version. The ``save`` callback saves against ``initial["version"]``,
which the dialog moves to the current version before saving the merge. A database that cannot be reached
(``StorageError``) is said in the dialog, which keeps the user's input; an edit dialog shows a notice when someone
else saves its record while it is open (``ServiceDialog.watch``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kawaoffice import i18n
from kawaoffice.i18n import _
from kawaoffice.model.reference import DAC_SECTORS, SDG6_TARGETS
from kawaoffice.services import projects as service
from kawaoffice.services.errors import ServiceError, StaleEditError, ValidationError
from kawaoffice.services.projects import Choice
from kawaoffice.storage.errors import StorageError
from kawaoffice.ui.widgets.conflict_dialog import (
    ConflictDialog,
    CurrentRecord,
    report_storage_error,
    resolve_stale,
)
from kawaoffice.ui.widgets.format import country_choices, localized
from kawaoffice.ui.widgets.forms import ERROR_STYLE
from kawaoffice.ui.widgets.live_refresh import RecordWatch, watch_record
from kawaoffice.ui.widgets.paged_model import SessionProvider

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def to_qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def from_qdate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def date_edit(value: date | None = None) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDate(to_qdate(value or date.today()))
    return edit


class OptionalDate(QWidget):
    """A date that may be left empty: a check box plus a date edit."""

    def __init__(self, value: date | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox(self)
        self.edit = date_edit(value)
        self.check.setChecked(value is not None)
        self.edit.setEnabled(value is not None)
        self.check.toggled.connect(self.edit.setEnabled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.edit, 1)

    def value(self) -> date | None:
        return from_qdate(self.edit.date()) if self.check.isChecked() else None

    def set_value(self, value: date | None) -> None:
        self.check.setChecked(value is not None)
        if value is not None:
            self.edit.setDate(to_qdate(value))


class ServiceDialog(QDialog):
    """A dialog whose OK runs ``save(values)``; a service error is shown in the dialog, which stays open with the
    user's input (the field named by a ValidationError gets the focus). An edit dialog (``initial`` with "id" and
    "version") given ``sessions`` resolves a ``StaleEditError`` in the conflict dialog (subclasses say how to read
    the current record: ``conflict_labels``, ``current_values``, ``put_values``)."""

    def __init__(
        self,
        save: Callable[[dict[str, Any]], object],
        parent: QWidget | None = None,
        *,
        sessions: SessionProvider | None = None,
    ) -> None:
        super().__init__(parent)
        self._save = save
        self.sessions = sessions
        self.initial: dict[str, Any] = {}
        self.original: dict[str, Any] = {}  # the values when the dialog opened (for edit conflicts)
        self.conflict: ConflictDialog | None = None
        self.record_watch: RecordWatch | None = None  # set by ``watch`` for an existing record
        self.fields: dict[str, QWidget] = {}
        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def values(self) -> dict[str, Any]:
        raise NotImplementedError

    def show_error(self, message: str, field: str | None = None) -> None:
        self.error.setText(message)
        self.error.show()
        widget = self.fields.get(field or "")
        if widget is not None:
            widget.setFocus()

    def accept(self) -> None:
        try:
            values = self.values()
        except ValidationError as exc:
            self.show_error(exc.message, exc.field)
            return
        try:
            self._save(values)
        except ValidationError as exc:
            self.show_error(exc.message, exc.field)
            return
        except StaleEditError as exc:
            if self.resolves_conflicts():
                self.resolve_conflict()
            else:
                self.show_error(exc.message)
            return
        except ServiceError as exc:
            self.show_error(exc.message)
            return
        except StorageError as exc:  # the database cannot be reached: the input stays for a later save
            report_storage_error(self, exc, self.show_error)
            return
        super().accept()

    def watch(self, table: str) -> None:
        """Once the layout is built: for an existing record (``initial`` with "id"), show a notice at the top when
        someone else saves it while the dialog is open."""
        if "id" in self.initial:
            self.record_watch = watch_record(self, table, int(self.initial["id"]))

    # --- edit conflicts -----------------------------------------------------------------------------------------

    def resolves_conflicts(self) -> bool:
        return self.sessions is not None and "id" in self.initial and "version" in self.initial

    def conflict_labels(self) -> dict[str, str]:
        """Key -> label of the fields the conflict dialog compares (the keys of ``values()``)."""
        return {}

    def current_values(self, session: Session) -> CurrentRecord:
        """The record as saved now, shaped like ``values()``."""
        raise NotImplementedError

    def put_values(self, values: dict[str, Any]) -> None:
        """Show ``values`` (shaped like ``values()``) in the widgets."""

    def conflict_display(self) -> dict[str, Callable[[Any], str]]:
        return {}

    def record_name(self) -> str:
        return ""

    def resolve_conflict(self) -> None:
        """Someone else saved the record meanwhile: yours and theirs field by field; save the chosen merge."""
        sessions = self.sessions
        assert sessions is not None

        def current() -> CurrentRecord:
            with sessions() as session:
                return self.current_values(session)

        def merge(values: dict[str, Any], now: CurrentRecord) -> None:
            self.put_values(values)
            self.original = dict(now.values)
            self.initial["version"] = now.version
            self.accept()

        self.conflict = resolve_stale(
            self,
            self.conflict_labels(),
            self.original,
            self.values(),
            current,
            merge,
            show_message=self.show_error,
            show=self.conflict_display(),
            record=self.record_name(),
        )


class MoveStageDialog(ServiceDialog):
    """Move a project to another stage or end state: the date, a note and (for a move back) a reason."""

    def __init__(
        self,
        project_title: str,
        from_label: str,
        to_label: str,
        backward: bool,
        save: Callable[[dict[str, Any]], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(save, parent)
        self.setObjectName("move_stage_dialog")
        self.setWindowTitle(_("Move to stage"))
        form = QFormLayout()
        form.addRow(_("Project"), QLabel(project_title))
        form.addRow(_("From"), QLabel(from_label or "—"))
        to = QLabel(to_label)
        to.setObjectName("to_stage")
        form.addRow(_("To"), to)
        self.date = date_edit()
        self.note = QLineEdit()
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(60)
        form.addRow(_("Date"), self.date)
        form.addRow(_("Note"), self.note)
        reason_label = _("Reason (required for a move back)") if backward else _("Reason")
        form.addRow(reason_label, self.reason)
        self.fields = {"occurred_on": self.date, "note": self.note, "reason": self.reason}
        if backward:
            hint = QLabel(_("This moves the project back to an earlier stage."))
            hint.setStyleSheet(ERROR_STYLE)
            form.addRow("", hint)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.note.setFocus()

    def values(self) -> dict[str, Any]:
        return {
            "occurred_on": from_qdate(self.date.date()),
            "note": self.note.text(),
            "reason": self.reason.toPlainText(),
        }


def fill_combo(combo: QComboBox, choices: list[Choice], current: int | None, *, empty: bool = True) -> None:
    combo.clear()
    if empty:
        combo.addItem("", None)
    for choice in choices:
        combo.addItem(localized(choice.name_ja, choice.name_en), choice.id)
    index = combo.findData(current)
    combo.setCurrentIndex(max(index, 0))


class ProjectDialog(ServiceDialog):
    """A project's fields. ``initial`` holds the current values when editing (empty for a new project)."""

    def __init__(
        self,
        *,
        schemes: list[tuple[int, str, list[tuple[int, str]]]],  # (scheme id, name, [(stage id, name)])
        staff: list[Choice],
        organizations: list[Choice],
        initial: dict[str, Any],
        save: Callable[[dict[str, Any]], object],
        parent: QWidget | None = None,
        sessions: SessionProvider | None = None,
    ) -> None:
        super().__init__(save, parent, sessions=sessions)
        self.setObjectName("project_dialog")
        self.initial = initial
        self.creating = "id" not in initial
        self.setWindowTitle(_("New project") if self.creating else _("Edit project"))
        self._schemes = schemes
        self.code = QLineEdit(initial.get("code", ""))
        self.title_ja = QLineEdit(initial.get("title_ja", ""))
        self.title_en = QLineEdit(initial.get("title_en", ""))
        self.scheme = QComboBox()
        for scheme_id, name, _stages in schemes:
            self.scheme.addItem(name, scheme_id)
        self.scheme.setCurrentIndex(max(self.scheme.findData(initial.get("scheme_id")), 0))
        self.scheme.setEnabled(self.creating)  # a project's scheme is fixed once its stages are recorded
        self.stage = QComboBox()
        self.entered_on = date_edit(initial.get("start_on"))
        self.country = QComboBox()
        self.country.addItem("", "")
        for code, name in country_choices():
            self.country.addItem(name, code)
        self.country.setCurrentIndex(max(self.country.findData(initial.get("country", "")), 0))
        self.region = QLineEdit(initial.get("region", ""))
        self.counterpart = QComboBox()
        fill_combo(self.counterpart, organizations, initial.get("counterpart_id"))
        self.lead = QComboBox()
        fill_combo(self.lead, staff, initial.get("lead_staff_id"))
        self.start_on = OptionalDate(initial.get("start_on"))
        self.end_on = OptionalDate(initial.get("end_on"))
        self.budget = QSpinBox()
        self.budget.setRange(0, 2_000_000_000)
        self.budget.setSingleStep(1_000_000)
        self.budget.setGroupSeparatorShown(True)
        self.budget.setSpecialValueText(" ")
        self.budget.setValue(initial.get("budget_yen") or 0)
        self.description = QPlainTextEdit(initial.get("description", ""))
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(60)
        self.next_action = QLineEdit(initial.get("next_action", ""))
        self.next_action_on = OptionalDate(initial.get("next_action_on"))

        form = QFormLayout()
        form.addRow(_("Code"), self.code)
        form.addRow(_("Title (Japanese)"), self.title_ja)
        form.addRow(_("Title (English)"), self.title_en)
        form.addRow(_("Scheme"), self.scheme)
        if self.creating:
            form.addRow(_("First stage"), self.stage)
            form.addRow(_("In this stage since"), self.entered_on)
        form.addRow(_("Country"), self.country)
        form.addRow(_("Region"), self.region)
        form.addRow(_("Counterpart"), self.counterpart)
        form.addRow(_("Lead"), self.lead)
        form.addRow(_("Start"), self.start_on)
        form.addRow(_("End"), self.end_on)
        form.addRow(_("Budget (yen)"), self.budget)
        form.addRow(_("Description"), self.description)
        form.addRow(_("Next action"), self.next_action)
        form.addRow(_("Next action date"), self.next_action_on)

        sdg_box = QGroupBox(_("SDG 6 targets"))
        sdg_layout = QGridLayout(sdg_box)
        self.sdg: dict[str, QCheckBox] = {}
        chosen = set(initial.get("sdg_targets", ()))
        for i, (code, text) in enumerate(SDG6_TARGETS.items()):
            box = QCheckBox(code)
            box.setToolTip(_(text))
            box.setChecked(code in chosen)
            self.sdg[code] = box
            sdg_layout.addWidget(box, i // 4, i % 4)
        dac_box = QGroupBox(_("DAC sectors"))
        dac_layout = QGridLayout(dac_box)
        self.dac: dict[str, QCheckBox] = {}
        sectors = dict(initial.get("sectors", {}))
        for i, (code, text) in enumerate(DAC_SECTORS.items()):
            box = QCheckBox(f"{code} {_(text)}")
            box.setChecked(code in sectors)
            self.dac[code] = box
            dac_layout.addWidget(box, i // 2, i % 2)
        self._sector_percentages = sectors

        self.fields = {
            "code": self.code,
            "title_ja": self.title_ja,
            "title_en": self.title_en,
            "scheme_id": self.scheme,
            "stage_id": self.stage,
            "country": self.country,
            "region": self.region,
            "counterpart_id": self.counterpart,
            "lead_staff_id": self.lead,
            "start_on": self.start_on,
            "end_on": self.end_on,
            "budget_yen": self.budget,
            "description": self.description,
            "next_action": self.next_action,
            "next_action_on": self.next_action_on,
            "sdg_targets": sdg_box,
            "sectors": dac_box,
        }
        left = QVBoxLayout()
        left.addLayout(form)
        right = QVBoxLayout()
        right.addWidget(sdg_box)
        right.addWidget(dac_box)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.scheme.currentIndexChanged.connect(self._fill_stages)
        self._fill_stages()
        self.code.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.creating:
            self.original = self.values()
        self.watch("projects")

    def _fill_stages(self) -> None:
        self.stage.clear()
        scheme_id = self.scheme.currentData()
        for sid, _name, stages in self._schemes:
            if sid == scheme_id:
                for stage_id, stage_name in stages:
                    self.stage.addItem(stage_name, stage_id)

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "code": self.code.text(),
            "title_ja": self.title_ja.text(),
            "title_en": self.title_en.text(),
            "country": self.country.currentData() or "",
            "region": self.region.text(),
            "counterpart_id": self.counterpart.currentData(),
            "lead_staff_id": self.lead.currentData(),
            "start_on": self.start_on.value(),
            "end_on": self.end_on.value(),
            "budget_yen": self.budget.value() or None,
            "description": self.description.toPlainText(),
            "next_action": self.next_action.text(),
            "next_action_on": self.next_action_on.value(),
            "sdg_targets": [code for code, box in self.sdg.items() if box.isChecked()],
            "sectors": {
                code: self._sector_percentages.get(code) for code, box in self.dac.items() if box.isChecked()
            },
        }
        if self.creating:
            values["scheme_id"] = self.scheme.currentData()
            values["stage_id"] = self.stage.currentData()
            values["entered_on"] = from_qdate(self.entered_on.date())
        return values

    # --- edit conflicts -----------------------------------------------------------------------------------------

    def conflict_labels(self) -> dict[str, str]:
        return {
            "code": _("Code"), "title_ja": _("Title (Japanese)"), "title_en": _("Title (English)"),
            "country": _("Country"), "region": _("Region"), "counterpart_id": _("Counterpart"), "lead_staff_id": _("Lead"),
            "start_on": _("Start"), "end_on": _("End"), "budget_yen": _("Budget (yen)"),
            "description": _("Description"), "next_action": _("Next action"), "next_action_on": _("Next action date"),
            "sdg_targets": _("SDG 6 targets"), "sectors": _("DAC sectors"),
        }  # fmt: skip

    def current_values(self, session: Session) -> CurrentRecord:
        p = service.get_project(session, int(self.initial["id"]))
        values = {
            key: getattr(p, key) for key in self.conflict_labels() if key not in ("sdg_targets", "sectors")
        }
        values["country"] = p.country or ""
        targets = {t.target for t in p.sdg_targets}
        values["sdg_targets"] = [code for code in SDG6_TARGETS if code in targets]
        values["sectors"] = {s.dac_code: s.percentage for s in p.sectors}
        return CurrentRecord.of(p, values)

    def put_values(self, values: dict[str, Any]) -> None:
        for edit, key in (
            (self.code, "code"), (self.title_ja, "title_ja"), (self.title_en, "title_en"), (self.region, "region"),
            (self.next_action, "next_action"),
        ):  # fmt: skip
            edit.setText(str(values[key] or ""))
        self.description.setPlainText(str(values["description"] or ""))
        self.country.setCurrentIndex(max(self.country.findData(values["country"] or ""), 0))
        for combo, key in ((self.counterpart, "counterpart_id"), (self.lead, "lead_staff_id")):
            combo.setCurrentIndex(max(combo.findData(values[key]), 0))
        self.start_on.set_value(values["start_on"])
        self.end_on.set_value(values["end_on"])
        self.next_action_on.set_value(values["next_action_on"])
        self.budget.setValue(values["budget_yen"] or 0)
        for code, box in self.sdg.items():
            box.setChecked(code in values["sdg_targets"])
        sectors = dict(values["sectors"])
        self._sector_percentages = {**self._sector_percentages, **sectors}
        for code, box in self.dac.items():
            box.setChecked(code in sectors)

    def conflict_display(self) -> dict[str, Callable[[Any], str]]:
        def combo_text(combo: QComboBox) -> Callable[[Any], str]:
            return lambda value: combo.itemText(combo.findData(value)) if value is not None else ""

        def sectors(value: dict[str, int | None]) -> str:
            return "\n".join(
                f"{code} {_(DAC_SECTORS[code])}" + (f" ({pct}%)" if pct is not None else "")
                for code, pct in sorted(value.items())
            )

        def day(value: date | None) -> str:
            return i18n.format_date(value) if value is not None else ""

        return {
            "country": lambda code: i18n.country_name(code) if code else "",
            "counterpart_id": combo_text(self.counterpart),
            "lead_staff_id": combo_text(self.lead),
            "start_on": day,
            "end_on": day,
            "next_action_on": day,
            "budget_yen": lambda yen: i18n.format_yen(yen) if yen else "",
            "sdg_targets": lambda codes: ", ".join(codes),
            "sectors": sectors,
        }

    def record_name(self) -> str:
        return _("the project {code}").format(code=self.original.get("code", ""))
