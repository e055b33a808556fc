"""The staff registry: a filtered list (language and level, skill, active) and the staff dialog (languages, skills,
trainings, passport expiry — never a passport number)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kawaoffice import i18n
from kawaoffice.i18n import _
from kawaoffice.model.dispatch import (
    LANGUAGE_LEVEL_LABELS,
    SKILL_LABELS,
    TRAINING_KIND_LABELS,
    LanguageLevel,
    Skill,
    TrainingKind,
)
from kawaoffice.services import dispatch as svc
from kawaoffice.services.errors import ServiceError, StaleEditError, ValidationError
from kawaoffice.storage.errors import StorageError
from kawaoffice.ui.dispatch.model import StaffModel
from kawaoffice.ui.widgets.conflict_dialog import (
    ConflictDialog,
    CurrentRecord,
    report_storage_error,
    resolve_stale,
)
from kawaoffice.ui.widgets.live_refresh import RecordWatch, watch_record
from kawaoffice.ui.widgets.paged_model import SessionProvider

STAFF_LANGUAGES = ("en", "lo", "vi", "km", "id", "th", "zh", "fr", "es")


class StaffView(QWidget):
    """Filters and the staff table; double-click or Return edits, the buttons add and edit."""

    def __init__(self, sessions: SessionProvider, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("staff_view")
        self.sessions = sessions
        self.model = StaffModel(sessions, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.language = QComboBox(self)
        self.language.setObjectName("staff_language")
        self.language.addItem(_("Any language"), None)
        for code, name in i18n.language_choices(STAFF_LANGUAGES):
            self.language.addItem(name, code)
        self.level = QComboBox(self)
        for level in LanguageLevel:
            self.level.addItem(_("at least {level}").format(level=_(LANGUAGE_LEVEL_LABELS[level])), level)
        self.skill = QComboBox(self)
        self.skill.setObjectName("staff_skill")
        self.skill.addItem(_("Any skill"), None)
        for skill in Skill:
            self.skill.addItem(_(SKILL_LABELS[skill]), skill)
        self.active = QCheckBox(_("Active only"), self)
        self.active.setChecked(True)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(_("Search staff"))
        self.search.setClearButtonEnabled(True)
        new = QPushButton(_("New staff member"), self)
        new.clicked.connect(self.new_staff)
        edit = QPushButton(_("Edit"), self)
        edit.clicked.connect(self.edit_current)
        for w in (self.language, self.level, self.skill, self.active):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(new)
        row.addWidget(edit)
        layout.addLayout(row)
        layout.addWidget(self.search)
        self.table = QTableView(self)
        self.table.setObjectName("staff_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSortingEnabled(True)
        self.table.doubleClicked.connect(lambda _i: self.edit_current())
        layout.addWidget(self.table)
        for box in (self.language, self.level, self.skill):
            box.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.active.toggled.connect(lambda _b: self.apply_filter())
        self.search.textChanged.connect(lambda _t: self.apply_filter())

    def apply_filter(self) -> None:
        f = self.model.filter
        f.language = self.language.currentData()
        f.min_level = self.level.currentData() if f.language else None
        f.skill = self.skill.currentData()
        f.active_only = self.active.isChecked()
        f.text = self.search.text()
        self.model.reload()

    def reload(self) -> None:
        self.model.reload()
        self.table.resizeColumnsToContents()

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.id_at(index.row()) if index.isValid() else None

    def new_staff(self) -> None:
        if StaffDialog(self.sessions, None, self).exec() == QDialog.DialogCode.Accepted:
            self.reload()

    def edit_current(self) -> None:
        staff_id = self.current_id()
        if (
            staff_id is not None
            and StaffDialog(self.sessions, staff_id, self).exec() == QDialog.DialogCode.Accepted
        ):
            self.reload()


class StaffDialog(QDialog):
    """A staff member with languages, skills and trainings."""

    def __init__(
        self, sessions: SessionProvider, staff_id: int | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("staff_dialog")
        self.setWindowTitle(_("New staff member") if staff_id is None else _("Edit staff member"))
        self.sessions = sessions
        self.staff_id = staff_id
        self.version: int | None = None
        self.original: dict[str, Any] = {}  # the saved state when the dialog opened (for edit conflicts)
        self.conflict: ConflictDialog | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.staff_no = QLineEdit(self)
        self.family = QLineEdit(self)
        self.given = QLineEdit(self)
        self.family_kana = QLineEdit(self)
        self.given_kana = QLineEdit(self)
        self.name_en = QLineEdit(self)
        self.department = QLineEdit(self)
        self.position = QLineEdit(self)
        self.email = QLineEdit(self)
        self.phone = QLineEdit(self)
        self.has_passport = QCheckBox(_("Passport expiry known"), self)
        self.passport = QDateEdit(self)
        self.passport.setCalendarPopup(True)
        self.passport.setDisplayFormat("yyyy-MM-dd")
        self.passport.setEnabled(False)
        self.has_passport.toggled.connect(self.passport.setEnabled)
        self.active = QCheckBox(_("Active"), self)
        self.active.setChecked(True)
        passport_row = QHBoxLayout()
        passport_row.addWidget(self.has_passport)
        passport_row.addWidget(self.passport)
        for text, w in (
            (_("Staff no."), self.staff_no),
            (_("Family name"), self.family),
            (_("Given name"), self.given),
            (_("Family name (kana)"), self.family_kana),
            (_("Given name (kana)"), self.given_kana),
            (_("Name (English)"), self.name_en),
            (_("Department"), self.department),
            (_("Position"), self.position),
            (_("E-mail"), self.email),
            (_("Phone"), self.phone),
        ):
            form.addRow(text, w)
        form.addRow(_("Passport expiry"), passport_row)
        form.addRow("", self.active)
        layout.addLayout(form)
        langs = QGroupBox(_("Languages"), self)
        ll = QVBoxLayout(langs)
        self.languages = QTableWidget(0, 2, langs)
        self.languages.setHorizontalHeaderLabels([_("Language"), _("Level")])
        self.languages.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.languages.verticalHeader().setVisible(False)
        ll.addWidget(self.languages)
        lrow = QHBoxLayout()
        add = QPushButton(_("Add language"), langs)
        add.clicked.connect(lambda: self._add_language("en", LanguageLevel.BUSINESS))
        rem = QPushButton(_("Remove language"), langs)
        rem.clicked.connect(lambda: self.languages.removeRow(self.languages.currentRow()))
        lrow.addWidget(add)
        lrow.addWidget(rem)
        ll.addLayout(lrow)
        layout.addWidget(langs)
        skills = QGroupBox(_("Skills"), self)
        grid = QGridLayout(skills)
        self.skill_boxes: dict[Skill, QCheckBox] = {}
        for i, skill in enumerate(Skill):
            box = QCheckBox(_(SKILL_LABELS[skill]), skills)
            self.skill_boxes[skill] = box
            grid.addWidget(box, i // 3, i % 3)
        layout.addWidget(skills)
        trainings = QGroupBox(_("Trainings done"), self)
        tl = QVBoxLayout(trainings)
        self.trainings = QTableWidget(0, 3, trainings)
        self.trainings.setHorizontalHeaderLabels([_("Training"), _("Name"), _("Completed on")])
        self.trainings.horizontalHeader().setStretchLastSection(True)
        self.trainings.verticalHeader().setVisible(False)
        self.trainings.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        tl.addWidget(self.trainings)
        trow = QHBoxLayout()
        self.training_kind = QComboBox(trainings)
        for kind in TrainingKind:
            self.training_kind.addItem(_(TRAINING_KIND_LABELS[kind]), kind)
        self.training_name = QLineEdit(trainings)
        self.training_name.setPlaceholderText(_("Name"))
        self.training_date = QDateEdit(trainings)
        self.training_date.setCalendarPopup(True)
        self.training_date.setDisplayFormat("yyyy-MM-dd")
        self.training_date.setDate(QDate.currentDate())
        add_training = QPushButton(_("Add training"), trainings)
        add_training.clicked.connect(self._add_training_row)
        for widget in (self.training_kind, self.training_name, self.training_date, add_training):
            trow.addWidget(widget)
        tl.addLayout(trow)
        layout.addWidget(trainings)
        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #B71C1C")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._new_trainings: list[tuple[TrainingKind, str, date]] = []
        self.record_watch: RecordWatch | None = None  # told when someone else saves this staff member
        if staff_id is not None:
            self._load(staff_id)
            self.original = self.state()
            self.record_watch = watch_record(self, "staff", staff_id)

    def _add_language(self, code: str, level: LanguageLevel) -> None:
        row = self.languages.rowCount()
        self.languages.insertRow(row)
        box = QComboBox(self.languages)
        box.setEditable(True)
        for c, name in i18n.language_choices(STAFF_LANGUAGES):
            box.addItem(name, c)
        index = box.findData(code)
        if index < 0:
            box.addItem(code, code)
            index = box.count() - 1
        box.setCurrentIndex(index)
        lvl = QComboBox(self.languages)
        for value in LanguageLevel:
            lvl.addItem(_(LANGUAGE_LEVEL_LABELS[value]), value)
        lvl.setCurrentIndex(list(LanguageLevel).index(level))
        self.languages.setCellWidget(row, 0, box)
        self.languages.setCellWidget(row, 1, lvl)

    def _add_training_row(self) -> None:
        q = self.training_date.date()
        entry = (
            self.training_kind.currentData(),
            self.training_name.text(),
            date(q.year(), q.month(), q.day()),
        )
        self._new_trainings.append(entry)
        self._show_training(*entry)

    def _show_training(self, kind: TrainingKind, name: str, day: date) -> None:
        row = self.trainings.rowCount()
        self.trainings.insertRow(row)
        for col, text in enumerate((_(TRAINING_KIND_LABELS[kind]), name, i18n.format_date(day))):
            self.trainings.setItem(row, col, QTableWidgetItem(text))

    def _load(self, staff_id: int) -> None:
        with self.sessions() as s:
            st = svc.get_staff(s, staff_id)
            self.version = st.version
            self.put_state(_state_of(st))
            for t in st.trainings:
                self._show_training(t.kind, t.name, t.completed_on)

    def _line_edits(self) -> dict[str, QLineEdit]:
        return {
            "staff_no": self.staff_no, "family_name": self.family, "given_name": self.given,
            "family_kana": self.family_kana, "given_kana": self.given_kana, "name_en": self.name_en,
            "department": self.department, "position": self.position, "email": self.email, "phone": self.phone,
        }  # fmt: skip

    def values(self) -> dict[str, Any]:
        q = self.passport.date()
        return {
            "staff_no": self.staff_no.text(),
            "family_name": self.family.text(),
            "given_name": self.given.text(),
            "family_kana": self.family_kana.text(),
            "given_kana": self.given_kana.text(),
            "name_en": self.name_en.text(),
            "department": self.department.text(),
            "position": self.position.text(),
            "email": self.email.text(),
            "phone": self.phone.text(),
            "passport_expiry": date(q.year(), q.month(), q.day()) if self.has_passport.isChecked() else None,
            "active": self.active.isChecked(),
        }

    def language_levels(self) -> list[tuple[str, LanguageLevel]]:
        languages = []
        for row in range(self.languages.rowCount()):
            box = self.languages.cellWidget(row, 0)
            lvl = self.languages.cellWidget(row, 1)
            if isinstance(box, QComboBox) and isinstance(lvl, QComboBox):
                code = (
                    box.currentData()
                    if box.itemText(box.currentIndex()) == box.currentText()
                    else box.currentText()
                )
                languages.append((str(code), lvl.currentData()))
        return languages

    def state(self) -> dict[str, Any]:
        """The staff member as the dialog holds it: ``values()`` plus languages and skills."""
        state = self.values()
        state["languages"] = tuple(self.language_levels())
        state["skills"] = tuple(k for k, b in self.skill_boxes.items() if b.isChecked())
        return state

    def put_state(self, state: dict[str, Any]) -> None:
        for key, edit in self._line_edits().items():
            edit.setText(str(state[key]))
        expiry = state["passport_expiry"]
        self.has_passport.setChecked(expiry is not None)
        if expiry is not None:
            self.passport.setDate(QDate(expiry.year, expiry.month, expiry.day))
        self.active.setChecked(bool(state["active"]))
        self.languages.setRowCount(0)
        for code, level in state["languages"]:
            self._add_language(code, level)
        for skill, box in self.skill_boxes.items():
            box.setChecked(skill in state["skills"])

    def save(self) -> None:
        values = self.values()
        languages = self.language_levels()
        try:
            with self.sessions() as s:
                if self.staff_id is None:
                    st = svc.create_staff(s, **values)
                else:
                    st = svc.update_staff(s, self.staff_id, self.version or 0, **values)
                wanted = {code for code, _lvl in languages}
                for lang in list(st.languages):
                    if lang.language not in wanted:
                        svc.remove_staff_language(s, st.id, lang.language)
                for code, level in languages:
                    svc.set_staff_language(s, st.id, code, level)
                svc.set_staff_skills(s, st.id, [k for k, b in self.skill_boxes.items() if b.isChecked()])
                for kind, name, day in self._new_trainings:
                    svc.add_staff_training(s, staff_id=st.id, kind=kind, completed_on=day, name=name)
                s.commit()
        except ValidationError as exc:
            self.error.setText(exc.message)
            return
        except StaleEditError as exc:
            if self.staff_id is None:
                self.error.setText(exc.message)
            else:
                self.resolve_conflict()
            return
        except ServiceError as exc:
            QMessageBox.warning(self, _("Not saved"), exc.message)
            return
        except StorageError as exc:  # the database cannot be reached: the entries stay for a later save
            report_storage_error(self, exc, self.error.setText)
            return
        self.accept()

    def resolve_conflict(self) -> None:
        """Someone else saved this staff member meanwhile: yours and theirs field by field, then save the merge."""
        staff_id = self.staff_id
        assert staff_id is not None
        labels = {
            "staff_no": _("Staff no."), "family_name": _("Family name"), "given_name": _("Given name"),
            "family_kana": _("Family name (kana)"), "given_kana": _("Given name (kana)"),
            "name_en": _("Name (English)"), "department": _("Department"), "position": _("Position"),
            "email": _("E-mail"), "phone": _("Phone"), "passport_expiry": _("Passport expiry"),
            "active": _("Active"), "languages": _("Languages"), "skills": _("Skills"),
        }  # fmt: skip

        def current() -> CurrentRecord:
            with self.sessions() as s:
                st = svc.get_staff(s, staff_id)
                return CurrentRecord.of(st, _state_of(st))

        def merge(values: dict[str, Any], now: CurrentRecord) -> None:
            self.put_state(values)
            self.original, self.version = dict(now.values), now.version
            self.save()

        show: dict[str, Callable[[Any], str]] = {
            "passport_expiry": lambda day: i18n.format_date(day) if day is not None else "",
            "languages": lambda langs: "\n".join(
                f"{i18n.language_name(code)} ({_(LANGUAGE_LEVEL_LABELS[LanguageLevel(level)])})"
                for code, level in langs
            ),
            "skills": lambda skills: i18n.format_list([_(SKILL_LABELS[Skill(k)]) for k in skills]),
        }
        name = f"{self.original.get('family_name', '')} {self.original.get('given_name', '')}".strip()
        self.conflict = resolve_stale(
            self, labels, self.original, self.state(), current, merge,
            show_message=self.error.setText, show=show,
            record=_("the staff member {name}").format(name=name),
        )  # fmt: skip


def _state_of(st: Any) -> dict[str, Any]:
    """A staff member as saved, shaped like ``StaffDialog.state()``."""
    state: dict[str, Any] = {
        key: getattr(st, key)
        for key in ("staff_no", "family_name", "given_name", "family_kana", "given_kana", "name_en", "department",
                    "position", "email", "phone", "passport_expiry", "active")
    }  # fmt: skip
    state["languages"] = tuple((lang.language, lang.level) for lang in st.languages)
    state["skills"] = tuple(skill for skill in Skill if skill in {sk.skill for sk in st.skills})
    return state
