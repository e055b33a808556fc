"""The audit log viewer: a window listing the log newest first, filtered by record type and id, user, date range,
action and text; the selected entry's field-level old/new values (or an override's reason and details) below.

Open it from the menu (all records) or pre-filtered on one record ("History..."): ``open_history``.
Entries come in pages of ``PAGE_SIZE`` ("Load more" continues); "Export CSV..." writes the filtered list.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QIntValidator, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kawaoffice import i18n
from kawaoffice.documents.tabular import write_csv
from kawaoffice.i18n import _
from kawaoffice.model.audit import AuditAction
from kawaoffice.services import audit
from kawaoffice.services.audit import ACTION_LABELS, TABLE_LABELS, AuditFilter, AuditRow
from kawaoffice.ui.widgets.paged_model import SessionProvider

PAGE_SIZE = 200
AnyIndex = QModelIndex | QPersistentModelIndex
WHEN, USER, ACTION, RECORD, RECORD_ID, SUMMARY = range(6)


def table_label(table_name: str) -> str:
    msgid = TABLE_LABELS.get(table_name)
    return _(msgid) if msgid else table_name


def value_text(value: Any) -> str:
    """A logged value as text: lists joined, None empty, booleans as Yes/No."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list | tuple):
        return ", ".join(value_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {value_text(v)}" for k, v in value.items())
    return str(value)


class AuditTableModel(QAbstractTableModel):
    """The entries shown, in the order the service returned them (newest first)."""

    HEADERS = ("When", "User", "Action", "Record", "ID", "Summary")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[AuditRow] = []

    def set_rows(self, rows: list[AuditRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def append_rows(self, rows: list[AuditRow]) -> None:
        if not rows:
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self.rows.extend(rows)
        self.endInsertRows()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _(self.HEADERS[section])
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell(row, index.column())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == SUMMARY:
            return self.cell(row, SUMMARY)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == RECORD_ID:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def cell(row: AuditRow, column: int) -> str:
        if column == WHEN:
            return i18n.format_datetime(row.at)
        if column == USER:
            return row.user
        if column == ACTION:
            return _(ACTION_LABELS[row.action])
        if column == RECORD:
            return table_label(row.table_name)
        if column == RECORD_ID:
            return str(row.row_id) if row.row_id is not None else ""
        if row.action is AuditAction.OVERRIDE and row.reason:
            return _("{check}: {reason}").format(check=row.summary, reason=row.reason)
        return row.summary


class AuditLogDialog(QDialog):
    """The log, filtered; ``table_name``/``row_id`` pre-filter it on one record (the "History..." of a record)."""

    def __init__(
        self,
        sessions: SessionProvider,
        parent: QWidget | None = None,
        *,
        table_name: str | None = None,
        row_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("audit_log_dialog")
        self.setWindowTitle(_("Audit log"))
        self.sessions = sessions
        self.total = 0
        self._exhausted = True

        self.record_type = QComboBox(self)
        self.record_type.setObjectName("record_type")
        self.record_type.addItem(_("All records"), None)
        for name, label in sorted(((n, _(m)) for n, m in TABLE_LABELS.items()), key=lambda p: p[1]):
            self.record_type.addItem(label, name)
        self.record_id = QLineEdit(self)
        self.record_id.setObjectName("record_id")
        self.record_id.setValidator(QIntValidator(1, 2_000_000_000, self))
        self.record_id.setPlaceholderText(_("ID"))
        self.record_id.setMaximumWidth(90)
        self.user = QComboBox(self)
        self.user.setObjectName("user")
        self.action = QComboBox(self)
        self.action.setObjectName("action")
        self.action.addItem(_("All actions"), None)
        for action, msgid in ACTION_LABELS.items():
            self.action.addItem(_(msgid), action.value)
        today = QDate.currentDate()
        self.use_since = QCheckBox(_("From"), self)
        self.use_since.setObjectName("use_since")
        self.since = QDateEdit(today.addMonths(-1), self)
        self.since.setObjectName("since")
        self.use_until = QCheckBox(_("To"), self)
        self.use_until.setObjectName("use_until")
        self.until = QDateEdit(today, self)
        self.until.setObjectName("until")
        for check, edit in ((self.use_since, self.since), (self.use_until, self.until)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
            check.toggled.connect(edit.setEnabled)
        self.text = QLineEdit(self)
        self.text.setObjectName("text")
        self.text.setPlaceholderText(_("Text in the summary, a value or a reason"))
        self.text.setClearButtonEnabled(True)
        self.search_button = QPushButton(_("Search"), self)
        self.search_button.setObjectName("search")
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.search)
        for line in (self.record_id, self.text):
            line.returnPressed.connect(self.search)

        filters = QGridLayout()
        filters.addWidget(QLabel(_("Record"), self), 0, 0)
        record_box = QHBoxLayout()
        record_box.addWidget(self.record_type, 1)
        record_box.addWidget(self.record_id)
        filters.addLayout(record_box, 0, 1)
        filters.addWidget(QLabel(_("User"), self), 0, 2)
        filters.addWidget(self.user, 0, 3)
        filters.addWidget(QLabel(_("Action"), self), 0, 4)
        filters.addWidget(self.action, 0, 5)
        dates = QHBoxLayout()
        for widget in (self.use_since, self.since, self.use_until, self.until):
            dates.addWidget(widget)
        dates.addStretch(1)
        filters.addWidget(QLabel(_("Dates"), self), 1, 0)
        filters.addLayout(dates, 1, 1)
        filters.addWidget(QLabel(_("Text"), self), 1, 2)
        filters.addWidget(self.text, 1, 3, 1, 2)
        filters.addWidget(self.search_button, 1, 5)
        filters.setColumnStretch(1, 2)
        filters.setColumnStretch(3, 2)

        self.model = AuditTableModel(self)
        self.view = QTableView(self)
        self.view.setObjectName("audit_table")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.selectionModel().currentRowChanged.connect(
            lambda current, _prev: self.show_entry(current.row())
        )

        self.detail_title = QLabel(self)
        self.detail_title.setObjectName("detail_title")
        self.detail_title.setWordWrap(True)
        self.detail_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail = QTableWidget(0, 3, self)
        self.detail.setObjectName("detail")
        self.detail.setHorizontalHeaderLabels([_("Field"), _("Old value"), _("New value")])
        self.detail.verticalHeader().hide()
        self.detail.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.detail.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        lower = QWidget(self)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.detail_title)
        lower_layout.addWidget(self.detail)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.view)
        split.addWidget(lower)
        split.setSizes([380, 220])

        self.status = QLabel(self)
        self.status.setObjectName("status")
        self.more_button = QPushButton(_("Load more"), self)
        self.more_button.setObjectName("load_more")
        self.more_button.clicked.connect(self.load_more)
        self.export_button = QPushButton(_("Export CSV..."), self)
        self.export_button.setObjectName("export_csv")
        self.export_button.clicked.connect(self.export_csv)
        close = QPushButton(_("Close"), self)
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.more_button)
        bottom.addWidget(self.export_button)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(self.text.setFocus)
        refresh = QShortcut(QKeySequence("F5"), self)
        refresh.activated.connect(self.search)
        self.resize(1000, 680)

        self._fill_users()
        if table_name:
            index = self.record_type.findData(table_name)
            if index < 0:
                self.record_type.addItem(table_name, table_name)
                index = self.record_type.count() - 1
            self.record_type.setCurrentIndex(index)
        if row_id is not None:
            self.record_id.setText(str(row_id))
        self.search()

    # --- querying -----------------------------------------------------------------------------------------------

    def _fill_users(self) -> None:
        with self.sessions() as session:
            names = audit.log_users(session)
        keep = self.user.currentData()
        self.user.clear()
        self.user.addItem(_("All users"), None)
        for name in names:
            self.user.addItem(name, name)
        self.user.setCurrentIndex(max(0, self.user.findData(keep)))

    @staticmethod
    def _start_of(day: QDate) -> datetime:
        return datetime(day.year(), day.month(), day.day(), tzinfo=ZoneInfo(i18n.DEFAULT_TIMEZONE))

    def current_filter(self) -> AuditFilter:
        row_id = int(self.record_id.text()) if self.record_id.text().strip() else None
        action = self.action.currentData()
        return AuditFilter(
            table_name=self.record_type.currentData(),
            row_id=row_id,
            user=self.user.currentData(),
            since=self._start_of(self.since.date()) if self.use_since.isChecked() else None,
            until=self._start_of(self.until.date()) + timedelta(days=1)
            if self.use_until.isChecked()
            else None,
            text=self.text.text().strip(),
            action=AuditAction(action) if action else None,
        )

    def search(self) -> None:
        flt = self.current_filter()
        with self.sessions() as session:
            rows = audit.search_log(session, flt, limit=PAGE_SIZE)
            self.total = audit.count_log(session, flt)
        self.model.set_rows(rows)
        self._exhausted = len(rows) < PAGE_SIZE
        self._after_load()
        if rows:
            self.view.selectRow(0)
        else:
            self.show_entry(-1)

    def load_more(self) -> None:
        if self._exhausted or not self.model.rows:
            return
        with self.sessions() as session:
            rows = audit.search_log(
                session, self.current_filter(), limit=PAGE_SIZE, before_id=self.model.rows[-1].id
            )
        self.model.append_rows(rows)
        self._exhausted = len(rows) < PAGE_SIZE
        self._after_load()

    def _after_load(self) -> None:
        shown = len(self.model.rows)
        self.status.setText(
            _("{shown} of {total} entries, newest first").format(
                shown=i18n.format_number(shown), total=i18n.format_number(self.total)
            )
        )
        self.more_button.setEnabled(not self._exhausted and shown < self.total)
        self.export_button.setEnabled(shown > 0)
        if self.view.horizontalHeader().sectionSize(WHEN) < 60 or shown <= PAGE_SIZE:
            self.view.resizeColumnsToContents()
            self.view.setColumnWidth(SUMMARY, max(self.view.columnWidth(SUMMARY), 200))

    # --- the selected entry ---------------------------------------------------------------------------------------

    def show_entry(self, row: int) -> None:
        if not (0 <= row < len(self.model.rows)):
            self.detail_title.setText(_("No entry selected."))
            self.detail.setRowCount(0)
            return
        entry = self.model.rows[row]
        title = _("{when}: {user} – {action} {record} {id}").format(
            when=i18n.format_datetime(entry.at, format="medium"),
            user=entry.user or _("(system)"),
            action=_(ACTION_LABELS[entry.action]),
            record=table_label(entry.table_name),
            id=entry.row_id if entry.row_id is not None else "",
        )
        if entry.summary:
            title += f" «{entry.summary}»"
        if entry.action is AuditAction.OVERRIDE:
            title += "\n" + _("Reason for overriding the check: {reason}").format(reason=entry.reason or "")
        self.detail_title.setText(title)
        changes = entry.field_changes()
        self.detail.setRowCount(len(changes))
        for r, change in enumerate(changes):
            for c, text in enumerate((change.field, value_text(change.old), value_text(change.new))):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.detail.setItem(r, c, item)
        self.detail.resizeRowsToContents()

    def detail_rows(self) -> list[tuple[str, str, str]]:
        result = []
        for r in range(self.detail.rowCount()):
            cells = [self.detail.item(r, c) for c in range(3)]
            a, b, c = (cell.text() if cell is not None else "" for cell in cells)
            result.append((a, b, c))
        return result

    # --- export ------------------------------------------------------------------------------------------------------

    def export_rows(self) -> tuple[list[str], list[list[object]]]:
        """Every entry matching the filter (all pages), one line per entry with its field changes as text."""
        with self.sessions() as session:
            rows = audit.search_log(session, self.current_filter(), limit=max(self.total, 1))
        headers = [_(h) for h in AuditTableModel.HEADERS] + [_("Changes"), _("Reason")]
        lines: list[list[object]] = []
        for row in rows:
            changes = "; ".join(
                f"{c.field}: {value_text(c.old)} → {value_text(c.new)}" for c in row.field_changes()
            )
            cells: list[object] = [
                AuditTableModel.cell(row, col) for col in range(len(AuditTableModel.HEADERS))
            ]
            cells[WHEN] = row.at.astimezone(ZoneInfo(i18n.DEFAULT_TIMEZONE)).replace(tzinfo=None)
            lines.append([*cells, changes, row.reason or ""])
        return headers, lines

    def export_csv(self, path: str | None = None) -> Path | None:
        if path is None:
            name = f"audit-log-{date.today().isoformat()}.csv"
            path, _filter = QFileDialog.getSaveFileName(
                self, _("Export the audit log"), name, _("CSV (*.csv)")
            )
            if not path:
                return None
        dest = Path(path)
        headers, lines = self.export_rows()
        try:
            write_csv(dest, headers, lines)
        except OSError as exc:
            QMessageBox.warning(
                self, _("Not exported"), _("The file could not be written: {error}").format(error=exc)
            )
            return None
        return dest


def open_history(
    sessions: SessionProvider, parent: QWidget | None, table_name: str, row_id: int
) -> AuditLogDialog:
    """The "History..." of one record: the viewer filtered on it, shown (not modal)."""
    dialog = AuditLogDialog(sessions, parent, table_name=table_name, row_id=row_id)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
