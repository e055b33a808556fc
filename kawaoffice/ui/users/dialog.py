"""Users and roles (admins only): every login that has used the database with its role and whether it is active.

A change of role or of the Active tick is saved at once through ``services.users.update_user`` (which keeps at
least one active admin); a refused change is explained below the table and the row shows the stored value again.
An admin can also register a colleague in advance with a role. Non-admins see the list read-only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kawaoffice import i18n
from kawaoffice.i18n import _
from kawaoffice.model.users import ROLE_LABELS, Role
from kawaoffice.services import users
from kawaoffice.services.errors import ServiceError
from kawaoffice.ui.widgets.forms import error_label
from kawaoffice.ui.widgets.paged_model import SessionProvider

LOGIN, NAME, ROLE, ACTIVE, SINCE = range(5)


class UsersDialog(QDialog):
    def __init__(self, sessions: SessionProvider, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("users_dialog")
        self.setWindowTitle(_("Users and roles"))
        self.sessions = sessions
        self.ids: list[int] = []
        self.versions: dict[int, int] = {}
        with self.sessions() as session:
            self.my_role = users.current_role(session)
        self.is_admin = self.my_role is Role.ADMIN

        intro = QLabel(
            _(
                "Viewers read, print and export. Editors also create and edit records. Administrators also delete "
                "records, change stage templates, facilities and tour courses, and manage users."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.note = QLabel(self)
        self.note.setObjectName("note")
        self.note.setWordWrap(True)
        if not self.is_admin:
            self.note.setText(_("Only an administrator can change roles; you can see the list."))

        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("users_table")
        self.table.setHorizontalHeaderLabels([_("Login"), _("Name"), _("Role"), _("Active"), _("Registered")])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        for col in (LOGIN, ROLE, ACTIVE, SINCE):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)

        self.error_label = error_label(self)
        self.error_label.hide()

        self.new_login = QLineEdit(self)
        self.new_login.setObjectName("new_login")
        self.new_login.setPlaceholderText(_("Login (as shown in the status bar)"))
        self.new_name = QLineEdit(self)
        self.new_name.setObjectName("new_name")
        self.new_name.setPlaceholderText(_("Name"))
        self.new_role = self._role_combo(Role.EDITOR)
        self.new_role.setObjectName("new_role")
        self.add_button = QPushButton(_("Add user"), self)
        self.add_button.setObjectName("add_user")
        self.add_button.clicked.connect(self.add_user)
        adding = QHBoxLayout()
        adding.addWidget(self.new_login, 2)
        adding.addWidget(self.new_name, 2)
        adding.addWidget(self.new_role, 1)
        adding.addWidget(self.add_button)
        for widget in (self.new_login, self.new_name, self.new_role, self.add_button):
            widget.setEnabled(self.is_admin)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error_label)
        layout.addLayout(adding)
        layout.addWidget(buttons)
        self.resize(720, 420)
        self.refresh()

    def _role_combo(self, role: Role) -> QComboBox:
        combo = QComboBox(self)
        for each in Role:
            combo.addItem(_(ROLE_LABELS[each]), each.value)
        combo.setCurrentIndex(combo.findData(role.value))
        return combo

    def refresh(self) -> None:
        with self.sessions() as session:
            rows = [
                (u.id, u.version, u.login, u.display_name, u.role, u.active, u.created_at)
                for u in users.list_users(session)
            ]
        for row in range(self.table.rowCount()):  # the old row widgets are deleted later: unname them now
            for col in (ROLE, ACTIVE):
                old = self.table.cellWidget(row, col)
                for widget in (old, *(old.findChildren(QWidget) if old is not None else ())):
                    if widget is not None:
                        widget.setObjectName("")
        self.ids = [r[0] for r in rows]
        self.versions = {r[0]: r[1] for r in rows}
        self.table.setRowCount(len(rows))
        for row, (user_id, _version, login, name, role, active, since) in enumerate(rows):
            self.table.setItem(row, LOGIN, QTableWidgetItem(login))
            self.table.setItem(row, NAME, QTableWidgetItem(name))
            self.table.setItem(row, SINCE, QTableWidgetItem(i18n.format_date(since)))
            combo = self._role_combo(role)
            combo.setObjectName(f"role_{login}")
            combo.setEnabled(self.is_admin)
            combo.currentIndexChanged.connect(
                lambda _i, uid=user_id, box=combo: self.change(uid, role=Role(box.currentData()))
            )
            self.table.setCellWidget(row, ROLE, combo)
            tick = QCheckBox(self.table)
            tick.setObjectName(f"active_{login}")
            tick.setChecked(active)
            tick.setEnabled(self.is_admin)
            tick.toggled.connect(lambda checked, uid=user_id: self.change(uid, active=checked))
            holder = QWidget(self.table)
            box = QHBoxLayout(holder)
            box.setContentsMargins(0, 0, 0, 0)
            box.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.addWidget(tick)
            self.table.setCellWidget(row, ACTIVE, holder)

    def role_box(self, login: str) -> QComboBox:
        box = self.findChild(QComboBox, f"role_{login}")
        assert box is not None
        return box

    def active_box(self, login: str) -> QCheckBox:
        box = self.findChild(QCheckBox, f"active_{login}")
        assert box is not None
        return box

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def change(self, user_id: int, *, role: Role | None = None, active: bool | None = None) -> bool:
        """Save a role or Active change at once; on refusal say why and show the stored values again."""
        try:
            with self.sessions() as session:
                users.update_user(session, user_id, self.versions[user_id], role=role, active=active)
                session.commit()
        except ServiceError as exc:
            self.show_error(exc.message)
            self.refresh()
            return False
        self.show_error("")
        self.refresh()
        return True

    def add_user(self) -> bool:
        try:
            with self.sessions() as session:
                users.add_user(
                    session, self.new_login.text(), Role(self.new_role.currentData()), self.new_name.text()
                )
                session.commit()
        except ServiceError as exc:
            self.show_error(exc.message)
            self.new_login.setFocus()
            return False
        self.show_error("")
        self.new_login.clear()
        self.new_name.clear()
        self.refresh()
        return True
