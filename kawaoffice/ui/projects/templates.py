"""The scheme template editor (admin): each scheme's ordered stages, each mapped to an IATI activity status.
Stages are added, renamed, moved up or down and deleted here; a stage that projects are in cannot be deleted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kawaoffice.i18n import _
from kawaoffice.model.reference import IATI_ACTIVITY_STATUS_LABELS
from kawaoffice.services import projects as service
from kawaoffice.services.errors import ServiceError, ValidationError
from kawaoffice.ui.widgets.format import localized
from kawaoffice.ui.widgets.forms import ERROR_STYLE, ask_yes_no
from kawaoffice.ui.widgets.paged_model import SessionProvider

STAGE_ID_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class StageRow:
    id: int
    version: int
    code: str
    name_ja: str
    name_en: str
    iati_status: int


class SchemeTemplateDialog(QDialog):
    def __init__(self, sessions: SessionProvider, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scheme_template_dialog")
        self.setWindowTitle(_("Scheme templates"))
        self._sessions = sessions
        self.confirm: Callable[[QWidget, str, str], bool] = ask_yes_no
        self.changed = False
        self.stages: list[StageRow] = []
        self.scheme = QComboBox()
        self.scheme.setObjectName("template_scheme")
        self.list = QListWidget(self)
        self.list.setObjectName("template_stages")
        self.code = QLineEdit()
        self.name_ja = QLineEdit()
        self.name_en = QLineEdit()
        self.iati = QComboBox()
        for status, text in IATI_ACTIVITY_STATUS_LABELS.items():
            self.iati.addItem(f"{status} {_(text)}", status)
        self.fields = {
            "code": self.code,
            "name_ja": self.name_ja,
            "name_en": self.name_en,
            "iati_status": self.iati,
        }
        self.add_button = QPushButton(_("Add stage"))
        self.save_button = QPushButton(_("Save stage"))
        self.delete_button = QPushButton(_("Delete stage"))
        self.up_button = QPushButton(_("Move up"))
        self.down_button = QPushButton(_("Move down"))
        for name, button, slot in (
            ("add_stage", self.add_button, self.add_stage),
            ("save_stage", self.save_button, self.save_stage),
            ("delete_stage", self.delete_button, self.delete_stage),
            ("stage_up", self.up_button, lambda: self.move_stage(-1)),
            ("stage_down", self.down_button, lambda: self.move_stage(1)),
        ):
            button.setObjectName(name)
            button.clicked.connect(slot)
        QShortcut(
            QKeySequence("Ctrl+Up"), self.list, lambda: self.move_stage(-1), Qt.ShortcutContext.WidgetShortcut
        )
        QShortcut(
            QKeySequence("Ctrl+Down"),
            self.list,
            lambda: self.move_stage(1),
            Qt.ShortcutContext.WidgetShortcut,
        )
        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout()
        form.addRow(_("Code"), self.code)
        form.addRow(_("Name (Japanese)"), self.name_ja)
        form.addRow(_("Name in English"), self.name_en)
        form.addRow(_("IATI activity status"), self.iati)
        grid = QGridLayout()
        for i, button in enumerate(
            (self.add_button, self.save_button, self.delete_button, self.up_button, self.down_button)
        ):
            grid.addWidget(button, 0, i)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scheme)
        layout.addWidget(self.list, 1)
        layout.addLayout(form)
        layout.addLayout(grid)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(640, 520)
        with sessions() as session:
            if not service.list_schemes(session):
                service.ensure_standard_schemes(session)
            for s in service.list_schemes(session):
                self.scheme.addItem(localized(s.name_ja, s.name_en), s.id)
        self.scheme.currentIndexChanged.connect(lambda _i: self.load())
        self.list.currentRowChanged.connect(self._fill_fields)
        self.load()

    # --- loading --------------------------------------------------------------------------------------------------

    def scheme_id(self) -> int | None:
        value = self.scheme.currentData()
        return value if isinstance(value, int) else None

    def load(self, select: int | None = None) -> None:
        scheme_id = self.scheme_id()
        self.stages = []
        if scheme_id is not None:
            with self._sessions() as session:
                scheme = service.get_scheme(session, scheme_id)
                self.stages = [
                    StageRow(s.id, s.version, s.code, s.name_ja, s.name_en, s.iati_status)
                    for s in sorted(scheme.stages, key=lambda s: (s.position, s.id))
                ]
        self.list.blockSignals(True)
        self.list.clear()
        for i, stage in enumerate(self.stages, start=1):
            status = _(IATI_ACTIVITY_STATUS_LABELS[stage.iati_status])
            item = QListWidgetItem(
                f"{i}. {localized(stage.name_ja, stage.name_en)} ({stage.code}) – IATI {status}"
            )
            item.setData(STAGE_ID_ROLE, stage.id)
            self.list.addItem(item)
        self.list.blockSignals(False)
        ids = [s.id for s in self.stages]
        self.list.setCurrentRow(ids.index(select) if select in ids else (0 if ids else -1))
        self._fill_fields(self.list.currentRow())

    def stage_names(self) -> list[str]:
        return [s.name_ja for s in self.stages]

    def current_stage(self) -> StageRow | None:
        row = self.list.currentRow()
        return self.stages[row] if 0 <= row < len(self.stages) else None

    def select_stage(self, name_ja: str) -> None:
        for i, stage in enumerate(self.stages):
            if stage.name_ja == name_ja:
                self.list.setCurrentRow(i)
                return

    def _fill_fields(self, _row: int) -> None:
        stage = self.current_stage()
        self.code.setText(stage.code if stage else "")
        self.name_ja.setText(stage.name_ja if stage else "")
        self.name_en.setText(stage.name_en if stage else "")
        self.iati.setCurrentIndex(max(self.iati.findData(stage.iati_status if stage else 1), 0))
        for button in (self.save_button, self.delete_button, self.up_button, self.down_button):
            button.setEnabled(stage is not None)

    # --- commands -------------------------------------------------------------------------------------------------

    def _show_error(self, message: str, field: str | None = None) -> None:
        self.error.setText(message)
        self.error.show()
        widget = self.fields.get(field or "")
        if widget is not None:
            widget.setFocus()

    def _run(self, work: Callable[[], int | None]) -> bool:
        try:
            select = work()
        except ValidationError as exc:
            self._show_error(exc.message, exc.field)
            return False
        except ServiceError as exc:
            self._show_error(exc.message)
            return False
        self.error.hide()
        self.changed = True
        self.load(select=select)
        return True

    def add_stage(self) -> None:
        scheme_id = self.scheme_id()
        if scheme_id is None:
            return

        def work() -> int:
            with self._sessions() as session:
                stage = service.create_scheme_stage(
                    session,
                    scheme_id=scheme_id,
                    code=self.code.text(),
                    name_ja=self.name_ja.text(),
                    name_en=self.name_en.text(),
                    position=len(self.stages),
                    iati_status=int(self.iati.currentData()),
                )
                return stage.id

        self._run(work)

    def save_stage(self) -> None:
        stage = self.current_stage()
        if stage is None:
            return

        def work() -> int:
            with self._sessions() as session:
                service.update_scheme_stage(
                    session,
                    stage.id,
                    stage.version,
                    code=self.code.text(),
                    name_ja=self.name_ja.text(),
                    name_en=self.name_en.text(),
                    iati_status=int(self.iati.currentData()),
                )
            return stage.id

        self._run(work)

    def delete_stage(self) -> None:
        stage = self.current_stage()
        if stage is None:
            return
        name = localized(stage.name_ja, stage.name_en)
        try:
            with self._sessions() as session:
                service.check_stage_deletable(session, stage.id)
        except ServiceError as exc:
            self._show_error(exc.message)
            return
        if not self.confirm(self, _("Delete stage"), _("Delete the stage {name}?").format(name=name)):
            return

        def work() -> None:
            with self._sessions() as session:
                service.delete_scheme_stage(session, stage.id, stage.version)

        self._run(work)

    def move_stage(self, offset: int) -> None:
        stage = self.current_stage()
        if stage is None:
            return

        def work() -> int:
            with self._sessions() as session:
                service.move_scheme_stage_position(session, stage.id, offset)
            return stage.id

        self._run(work)
