"""Dialogs of the File menu: which database is open, and switching between the local and the shared one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from kawaoffice.i18n import _
from kawaoffice.storage import Database, default_sqlite_url
from kawaoffice.ui.widgets.format import format_number

COUNT_LABELS = {
    "partners": "Partners",
    "contacts": "Contacts",
    "projects": "Projects",
    "dispatches": "Dispatches",
    "visits": "Visits",
    "staff": "Staff",
}


def database_kind(db: Database) -> str:
    return _("Local database") if db.is_local else _("Shared database")


class DatabaseInfoDialog(QDialog):
    """Which database is open (local or shared, where it is), its schema revision and how many records it holds."""

    def __init__(
        self,
        db: Database,
        counts: dict[str, int],
        revision: str | None = None,
        size_bytes: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Database information"))
        form = QFormLayout()
        form.addRow(_("Kind:"), QLabel(database_kind(db)))
        location = QLabel(db.display_name)
        location.setObjectName("location")
        location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(_("Location:") if db.is_local else _("Server:"), location)
        if revision:
            form.addRow(_("Schema revision:"), QLabel(revision))
        if size_bytes is not None:
            form.addRow(_("Size:"), QLabel(_("{size} KB").format(size=format_number(size_bytes // 1024))))
        for key, msgid in COUNT_LABELS.items():
            if key in counts:
                form.addRow(_("{what}:").format(what=_(msgid)), QLabel(format_number(counts[key])))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)


class SwitchDatabaseDialog(QDialog):
    """Choose the local default SQLite file or the office's shared PostgreSQL server (URL typed in)."""

    def __init__(self, current: Database, shared_url: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Switch database"))
        self.local = QRadioButton(_("Local database on this PC"))
        self.shared = QRadioButton(_("Shared database (PostgreSQL)"))
        group = QButtonGroup(self)
        group.addButton(self.local)
        group.addButton(self.shared)
        self.url = QLineEdit(shared_url)
        self.url.setPlaceholderText("postgresql://user@server:5432/kawaoffice")
        self.url.setMinimumWidth(420)
        hint = QLabel(_("Local file: {path}").format(path=default_sqlite_url().removeprefix("sqlite:///")))
        hint.setWordWrap(True)
        (self.local if current.is_local else self.shared).setChecked(True)
        self.local.toggled.connect(self._update)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self._ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.url.textChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(self.local)
        layout.addWidget(hint)
        layout.addWidget(self.shared)
        form = QFormLayout()
        form.addRow(_("Server URL:"), self.url)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._update()

    def _update(self) -> None:
        self.url.setEnabled(self.shared.isChecked())
        self._ok.setEnabled(self.local.isChecked() or bool(self.url.text().strip()))

    def chosen_url(self) -> str:
        """``""`` for the local default, else the URL typed in."""
        return "" if self.local.isChecked() else self.url.text().strip()
