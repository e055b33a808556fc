"""The participants of a project: organizations with their IATI OrganisationRole (funding, accountable, extending,
implementing). Each add or removal is saved at once."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kawaoffice.i18n import _
from kawaoffice.model.reference import IATI_ORGANISATION_ROLE_LABELS
from kawaoffice.services import projects as service
from kawaoffice.services.errors import ServiceError
from kawaoffice.ui.projects.dialogs import fill_combo
from kawaoffice.ui.widgets.format import localized
from kawaoffice.ui.widgets.forms import ERROR_STYLE, ask_yes_no
from kawaoffice.ui.widgets.paged_model import SessionProvider

PARTICIPANT_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class ParticipantsDialog(QDialog):
    def __init__(self, sessions: SessionProvider, project_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("participants_dialog")
        self._sessions = sessions
        self.project_id = project_id
        self.confirm: Callable[[QWidget, str, str], bool] = ask_yes_no
        self.changed = False
        with sessions() as session:
            project = service.get_project(session, project_id)
            title = f"{project.code} {localized(project.title_ja, project.title_en)}"
            organizations = service.organization_choices(session)
        self.setWindowTitle(_("Participants of {project}").format(project=title))
        self.list = QListWidget(self)
        self.list.setObjectName("participants_list")
        self.organization = QComboBox()
        self.organization.setObjectName("participant_organization")
        fill_combo(self.organization, organizations, None)
        self.role = QComboBox()
        self.role.setObjectName("participant_role")
        for role, text in IATI_ORGANISATION_ROLE_LABELS.items():
            self.role.addItem(f"{role} {_(text)}", role)
        self.role.setCurrentIndex(self.role.findData(4))
        self.note = QLineEdit()
        self.add_button = QPushButton(_("Add participant"))
        self.add_button.setObjectName("add_participant")
        self.add_button.clicked.connect(self.add)
        self.remove_button = QPushButton(_("Remove participant"))
        self.remove_button.setObjectName("remove_participant")
        self.remove_button.clicked.connect(self.remove)
        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout()
        form.addRow(_("Organization"), self.organization)
        form.addRow(_("Role"), self.role)
        form.addRow(_("Note"), self.note)
        buttons_row = QHBoxLayout()
        buttons_row.addWidget(self.add_button)
        buttons_row.addWidget(self.remove_button)
        buttons_row.addStretch(1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(form)
        layout.addLayout(buttons_row)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(520, 420)
        self.load()

    def load(self) -> None:
        self.list.clear()
        with self._sessions() as session:
            project = service.get_project(session, self.project_id)
            rows = [
                (
                    p.id,
                    localized(p.organization.name_ja, p.organization.name_en),
                    _(IATI_ORGANISATION_ROLE_LABELS[p.role]),
                    p.note,
                )
                for p in sorted(project.participants, key=lambda x: (x.role, x.id))
            ]
        for pid, name, role, note in rows:
            text = f"{name}: {role}" + (f" ({note})" if note else "")
            item = QListWidgetItem(text)
            item.setData(PARTICIPANT_ID_ROLE, pid)
            self.list.addItem(item)
        self.remove_button.setEnabled(bool(rows))

    def texts(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def add(self) -> None:
        organization_id = self.organization.currentData()
        if organization_id is None:
            self._show_error(_("Choose an organization."))
            self.organization.setFocus()
            return
        try:
            with self._sessions() as session:
                service.add_participant(
                    session,
                    project_id=self.project_id,
                    organization_id=organization_id,
                    role=self.role.currentData(),
                    note=self.note.text(),
                )
        except ServiceError as exc:
            self._show_error(exc.message)
            return
        self.error.hide()
        self.note.clear()
        self.changed = True
        self.load()

    def remove(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        if not self.confirm(
            self, _("Remove participant"), _("Remove {name} from the project?").format(name=item.text())
        ):
            return
        try:
            with self._sessions() as session:
                service.remove_participant(session, int(item.data(PARTICIPANT_ID_ROLE)))
        except ServiceError as exc:
            self._show_error(exc.message)
            return
        self.error.hide()
        self.changed = True
        self.load()
