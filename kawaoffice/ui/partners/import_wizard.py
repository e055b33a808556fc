"""The import dialog: choose a file, map its columns (remembered), preview every row, import all or nothing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kawaoffice.i18n import _
from kawaoffice.services import partner_import as pi
from kawaoffice.services.errors import ServiceError
from kawaoffice.ui.widgets.paged_model import SessionProvider

ERROR_BRUSH = QBrush(QColor("#fde2e2"))
DUPLICATE_BRUSH = QBrush(QColor("#fff4d6"))


class ImportDialog(QDialog):
    """``remembered`` is the header -> field mapping saved from earlier imports; ``mapping_memory()`` returns the
    updated one for the tab's settings."""

    def __init__(
        self,
        sessions: SessionProvider,
        remembered: dict[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("import_dialog")
        self.setWindowTitle(_("Import partners"))
        self.sessions = sessions
        self.remembered = dict(remembered or {})
        self.table: pi.Table | None = None
        self.rows: list[pi.PreviewRow] = []
        self.import_result: pi.ImportResult | None = None
        self.file_label = QLabel(_("Choose an Excel (XLSX) or CSV file."), self)
        self.file_label.setObjectName("file_label")
        choose = QPushButton(_("Choose file…"), self)
        choose.clicked.connect(self.choose_file)
        top = QHBoxLayout()
        top.addWidget(self.file_label, 1)
        top.addWidget(choose)
        self.mapping_table = QTableWidget(0, 3, self)
        self.mapping_table.setObjectName("mapping")
        self.mapping_table.setHorizontalHeaderLabels([_("Column in the file"), _("First value"), _("Field")])
        self.mapping_table.horizontalHeader().setStretchLastSection(True)
        self.mapping_table.setMaximumHeight(180)
        self.preview_table = QTableWidget(0, 0, self)
        self.preview_table.setObjectName("preview")
        self.summary = QLabel(self)
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.import_button = self.buttons.addButton(_("Import"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("import_button")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(QLabel(_("Columns"), self))
        layout.addWidget(self.mapping_table)
        layout.addWidget(QLabel(_("Preview"), self))
        layout.addWidget(self.preview_table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.resize(900, 640)

    # --- file and mapping -----------------------------------------------------------------------------------------

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Import partners"), "", _("Spreadsheets (*.xlsx *.csv *.txt);;All files (*)")
        )
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> bool:
        try:
            self.table = pi.read_table(path.read_bytes(), path.name)
        except OSError as exc:
            self._fail(_("Cannot read {path}: {error}").format(path=path, error=exc.strerror or str(exc)))
            return False
        except ServiceError as exc:
            self._fail(exc.message)
            return False
        self.file_label.setText(path.name)
        mapping = pi.guess_mapping(self.table.headers, self.remembered)
        self.mapping_table.blockSignals(True)
        self.mapping_table.setRowCount(len(self.table.headers))
        first = self.table.rows[0] if self.table.rows else []
        for i, header in enumerate(self.table.headers):
            self.mapping_table.setItem(i, 0, QTableWidgetItem(header))
            self.mapping_table.setItem(i, 1, QTableWidgetItem(first[i] if i < len(first) else ""))
            combo = QComboBox(self.mapping_table)
            combo.addItem(_("(not imported)"), "")
            for name in pi.FIELDS:
                combo.addItem(pi.field_label(name), name)
            combo.setCurrentIndex(max(0, combo.findData(mapping.get(i, ""))))
            combo.currentIndexChanged.connect(self.refresh_preview)
            self.mapping_table.setCellWidget(i, 2, combo)
        self.mapping_table.blockSignals(False)
        self.mapping_table.resizeColumnsToContents()
        self.refresh_preview()
        return True

    def _fail(self, message: str) -> None:
        self.table = None
        self.rows = []
        self.summary.setText(message)
        self.import_button.setEnabled(False)

    def mapping(self) -> dict[int, str]:
        result: dict[int, str] = {}
        for i in range(self.mapping_table.rowCount()):
            combo = self.mapping_table.cellWidget(i, 2)
            if (
                isinstance(combo, QComboBox)
                and combo.currentData()
                and combo.currentData() not in result.values()
            ):
                result[i] = str(combo.currentData())
        return result

    def set_field(self, column: int, field: str) -> None:
        combo = self.mapping_table.cellWidget(column, 2)
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(combo.findData(field))

    def mapping_memory(self) -> dict[str, str]:
        memory = dict(self.remembered)
        if self.table is not None:
            for i, name in self.mapping().items():
                memory[self.table.headers[i]] = name
        return memory

    # --- preview ----------------------------------------------------------------------------------------------

    def refresh_preview(self) -> None:
        if self.table is None:
            return
        mapping = self.mapping()
        with self.sessions() as session:
            self.rows = pi.preview(session, self.table, mapping)
        fields = list(dict.fromkeys(mapping.values()))
        self.preview_table.clear()
        self.preview_table.setColumnCount(len(fields) + 2)
        self.preview_table.setHorizontalHeaderLabels(
            [_("Row"), *(pi.field_label(f) for f in fields), _("Errors and duplicates")]
        )
        self.preview_table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            cells = [
                str(row.line),
                *(row.values.get(f, "") for f in fields),
                " / ".join(row.errors + row.duplicates),
            ]
            brush = ERROR_BRUSH if row.errors else DUPLICATE_BRUSH if row.duplicates else None
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if brush is not None:
                    item.setBackground(brush)
                self.preview_table.setItem(r, c, item)
        self.preview_table.resizeColumnsToContents()
        bad = [r for r in self.rows if r.errors]
        dups = [r for r in self.rows if r.duplicates and not r.errors]
        if "name_ja" not in mapping.values() and "name_en" not in mapping.values():
            self.summary.setText(_("Choose which column holds the organization's name."))
            self.import_button.setEnabled(False)
            return
        if bad:
            self.summary.setText(
                _(
                    "{bad} of {total} rows have errors (rows {lines}). Fix the file: nothing is imported while a row has an error."
                ).format(bad=len(bad), total=len(self.rows), lines=", ".join(str(r.line) for r in bad[:20]))
            )
        else:
            self.summary.setText(
                _("{total} rows without errors; {dups} duplicates will be skipped.").format(
                    total=len(self.rows), dups=len(dups)
                )
            )
        self.import_button.setEnabled(bool(self.rows))

    # --- import ---------------------------------------------------------------------------------------------------

    def run_import(self) -> None:
        """All or nothing: a row with an error rejects the file and nothing is written."""
        if any(r.errors for r in self.rows):
            bad = [r for r in self.rows if r.errors]
            QMessageBox.warning(
                self,
                _("Nothing was imported"),
                "\n".join(
                    _("row {line}: {errors}").format(line=r.line, errors=" / ".join(r.errors))
                    for r in bad[:30]
                ),
            )
            return
        progress = QProgressDialog(_("Importing…"), "", 0, len(self.rows), self)
        progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(200)
        with self.sessions() as session:
            try:
                self.import_result = pi.import_rows(
                    session, self.rows, lambda done, total: progress.setValue(done)
                )
                session.commit()
            except ServiceError as exc:
                session.rollback()
                progress.close()
                QMessageBox.warning(self, _("Nothing was imported"), exc.message)
                return
        progress.close()
        self.accept()
