"""Local needs (現地ニーズ): the list of needs and, for the selected one, the member companies whose technologies
match."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QListWidget,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kawaoffice.i18n import _
from kawaoffice.model.projects import NEED_SOURCE_LABELS
from kawaoffice.services import needs as service
from kawaoffice.services.needs import NeedRow
from kawaoffice.ui.widgets.format import country_name, format_date, join_list, label, localized
from kawaoffice.ui.widgets.paged_model import SessionProvider

NEED_ID_ROLE = Qt.ItemDataRole.UserRole + 1
HEADERS = ("Learnt on", "Country", "Need", "Source", "Technologies", "Project", "Passed on")


class NeedsView(QWidget):
    def __init__(self, sessions: SessionProvider, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("needs_view")
        self._sessions = sessions
        self.rows: list[NeedRow] = []
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setObjectName("needs_table")
        self.table.setHorizontalHeaderLabels([_(h) for h in HEADERS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.currentCellChanged.connect(lambda *_a: self._show_matches())
        self.matches = QListWidget(self)
        self.matches.setObjectName("needs_matches")
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(QLabel(_("Member companies with matching technologies")))
        lower_layout.addWidget(self.matches)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setSizes([300, 150])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def load(self) -> None:
        with self._sessions() as session:
            self.rows = service.list_needs(session)
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            cells = (
                format_date(row.learned_on),
                country_name(row.country),
                row.topic,
                label(NEED_SOURCE_LABELS, row.source),
                join_list([localized(t.name_ja, t.name_en) for t in row.technologies]),
                row.project_code,
                format_date(row.passed_on),
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(NEED_ID_ROLE, row.id)
                if c == 2 and row.description:
                    item.setToolTip(row.description)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self._show_matches()

    def current_need_id(self) -> int | None:
        row = self.table.currentRow()
        return self.rows[row].id if 0 <= row < len(self.rows) else None

    def _show_matches(self) -> None:
        self.matches.clear()
        need_id = self.current_need_id()
        if need_id is None:
            return
        with self._sessions() as session:
            found = service.match_members(session, need_id, on=date.today())
        if not found:
            self.matches.addItem(_("No member company offers these technologies."))
        for m in found:
            techs = join_list([localized(t.name_ja, t.name_en) for t in m.matched])
            self.matches.addItem(f"{localized(m.name_ja, m.name_en)}: {techs}")
