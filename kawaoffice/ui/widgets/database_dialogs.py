"""Dialogs of the File menu: which database is open, switching between the local and the shared one, restoring a
backup, the counts after copying local data to a shared database, and the warning about a file on a network share."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kawaoffice.i18n import N_, _, format_datetime
from kawaoffice.storage import Database
from kawaoffice.storage.backup import BackupFile
from kawaoffice.storage.transfer import TransferReport
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


def connection_text(db: Database) -> str:
    """What the status bar says about the connection: the local file, or the server's database and host."""
    if db.is_local:
        where = db.display_name
    else:
        url = db.engine.url
        where = f"{url.database or ''} @ {url.host or 'localhost'}" + (f":{url.port}" if url.port else "")
    return f"{database_kind(db)}: {where}"


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


# --- restore from backup ------------------------------------------------------------------------------------------

BACKUP_KINDS = {
    "daily": N_("Daily"),
    "before-upgrade": N_("Before an upgrade"),
    "before-restore": N_("Before a restore"),
    "manual": N_("Made by hand"),
}


class RestoreDialog(QDialog):
    """Choose a backup to restore (newest first). The caller confirms, saves the current file and reopens."""

    def __init__(
        self, backups: list[BackupFile], current: Path | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("restore_dialog")
        self.setWindowTitle(_("Restore from backup"))
        self.backups = backups
        intro = QLabel(
            _(
                "Choose the backup to restore. The current database {path} is saved to the backup folder first, "
                "so the restore can be undone."
            ).format(path=str(current) if current else "-"),
            self,
        )
        intro.setWordWrap(True)
        self.list = QTreeWidget(self)
        self.list.setObjectName("backups")
        self.list.setRootIsDecorated(False)
        self.list.setAlternatingRowColors(True)
        self.list.setHeaderLabels([_("Taken"), _("Kind"), _("Size"), _("File")])
        for backup in backups:
            item = QTreeWidgetItem(
                [
                    format_datetime(backup.taken),
                    _(BACKUP_KINDS.get(backup.kind, backup.kind)),
                    _("{size} KB").format(size=format_number(max(backup.size_bytes // 1024, 1))),
                    backup.path.name,
                ]
            )
            item.setToolTip(3, str(backup.path))
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.list.addTopLevelItem(item)
        for column in range(4):
            self.list.resizeColumnToContents(column)
        self.empty = QLabel(_("There are no backups yet."), self)
        self.empty.setVisible(not backups)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("&Restore..."))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.list.currentItemChanged.connect(lambda *_args: self._update())
        self.list.itemDoubleClicked.connect(lambda *_args: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list)
        layout.addWidget(self.empty)
        layout.addWidget(self.buttons)
        self.resize(720, 380)
        first = self.list.topLevelItem(0)
        if first is not None:
            self.list.setCurrentItem(first)
        self._update()

    def _update(self) -> None:
        self.ok_button.setEnabled(self.chosen() is not None)

    def chosen(self) -> BackupFile | None:
        item = self.list.currentItem()
        if item is None:
            return None
        index = self.list.indexOfTopLevelItem(item)
        return self.backups[index] if 0 <= index < len(self.backups) else None

    def select_path(self, path: Path) -> None:
        for index, backup in enumerate(self.backups):
            item = self.list.topLevelItem(index)
            if backup.path == path and item is not None:
                self.list.setCurrentItem(item)


# --- copy to a shared database: the counts ------------------------------------------------------------------------


class TransferReportDialog(QDialog):
    """The row counts of every table after "Copy local data to a new shared database"."""

    def __init__(self, report: TransferReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transfer_report")
        self.setWindowTitle(_("Copy local data to a new shared database"))
        headline = QLabel(
            _("Copied {count} records to {target}. The row counts of every table match.").format(
                count=format_number(report.total), target=report.target
            ),
            self,
        )
        headline.setWordWrap(True)
        self.table = QTreeWidget(self)
        self.table.setObjectName("counts")
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.setHeaderLabels([_("Table"), _("Local"), _("Shared")])
        for name, (local, shared) in report.counts.items():
            item = QTreeWidgetItem([name, format_number(local), format_number(shared)])
            for column in (1, 2):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.addTopLevelItem(item)
        self.table.resizeColumnToContents(0)
        self.question = QLabel(_("Use the shared database from now on?"), self)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Yes | QDialogButtonBox.StandardButton.No, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(headline)
        layout.addWidget(self.table)
        layout.addWidget(self.question)
        layout.addWidget(buttons)
        self.resize(460, 480)


# --- a database file on a network share ---------------------------------------------------------------------------


def network_share_message(path: Path, share: str) -> str:
    return _(
        "The database file {path} is on a network share ({share}). SQLite's own documentation advises against "
        "this: when several PCs use the file at once, its locking can fail and the data can be damaged. For "
        "working together, use a shared PostgreSQL database (File > Connect to shared database...)."
    ).format(path=str(path), share=share)


class NetworkShareWarning(QMessageBox):
    """Warn once per file (unless the user asks to be warned again) and offer the shared-server mode."""

    def __init__(self, path: Path, share: str, parent: QWidget | None = None) -> None:
        super().__init__(
            QMessageBox.Icon.Warning, _("Database on a network share"), network_share_message(path, share),
            QMessageBox.StandardButton.NoButton, parent,
        )  # fmt: skip
        self.setObjectName("network_share_warning")
        self.connect_button = self.addButton(
            _("Connect to shared database..."), QMessageBox.ButtonRole.AcceptRole
        )
        self.continue_button = self.addButton(_("Continue with this file"), QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.connect_button)
        self.dont_warn = QCheckBox(_("Do not warn again for this file"), self)
        self.setCheckBox(self.dont_warn)

    def wants_server(self) -> bool:
        return self.clickedButton() is self.connect_button
