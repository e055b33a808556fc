"""Local needs (現地ニーズ): the list of needs and, for the selected one, the member companies whose technologies
match."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QListWidget,
    QMessageBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from kawaoffice.i18n import N_, _
from kawaoffice.model.projects import NEED_SOURCE_LABELS
from kawaoffice.services import needs as service
from kawaoffice.services import partners as partners_service
from kawaoffice.services import projects as projects_service
from kawaoffice.services.errors import ServiceError
from kawaoffice.services.needs import NeedRow
from kawaoffice.services.projects import Choice
from kawaoffice.ui.projects.needs_dialog import NeedDialog
from kawaoffice.ui.widgets.format import country_name, format_date, join_list, label, localized
from kawaoffice.ui.widgets.forms import ask_yes_no
from kawaoffice.ui.widgets.paged_model import SessionProvider
from kawaoffice.ui.widgets.record_tab import require_role

NEED_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _exec(dialog: QDialog) -> int:
    return dialog.exec()


HEADERS = ("Learnt on", "Country", "Need", "Source", "Technologies", "Project", "Passed on")


class NeedsView(QWidget):
    def __init__(self, sessions: SessionProvider, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("needs_view")
        self._sessions = sessions
        self.rows: list[NeedRow] = []
        # how dialogs and confirmations are shown (tests replace them to drive the real dialog's widgets)
        self.run_dialog: Callable[[QDialog], int] = _exec
        self.confirm: Callable[[QWidget, str, str], bool] = ask_yes_no
        self.today: Callable[[], date] = date.today
        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("needs_toolbar")
        self.actions_: dict[str, QAction] = {}
        for name, text, shortcut, slot in (
            ("new_need", N_("New need"), "Ctrl+Shift+N", self.new_need),
            ("edit_need", N_("Edit need"), "F2|Ctrl+Return", self.edit_need),
            ("delete_need", N_("Delete need"), "Delete|Ctrl+Delete", self.delete_need),
            ("pass_on", N_("Mark passed on"), "Ctrl+Shift+P", self.mark_passed_on),
        ):
            action = QAction(_(text), self)
            action.setObjectName(f"action_{name}")
            action.setShortcuts([QKeySequence(k) for k in shortcut.split("|")])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.toolbar.addAction(action)
            self.addAction(action)
            self.actions_[name] = action
            require_role(action, "admin" if name == "delete_need" else "editor")
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
        self.table.cellDoubleClicked.connect(lambda *_a: self.edit_need())
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
        layout.addWidget(self.toolbar)
        layout.addWidget(splitter)

    def load(self, select: int | None = None) -> None:
        if select is None:
            select = self.current_need_id()
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
        ids = [row.id for row in self.rows]
        if select in ids:
            self.table.setCurrentCell(ids.index(select), 0)
        self._show_matches()
        self._update_actions()

    def _update_actions(self) -> None:
        row = self.current_row()
        for name in ("edit_need", "delete_need"):
            self.actions_[name].setEnabled(row is not None)
        self.actions_["pass_on"].setEnabled(row is not None and row.passed_on is None)

    def current_row(self) -> NeedRow | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    # --- commands -----------------------------------------------------------------------------------------------

    def _choices(self) -> tuple[list[Choice], list[Choice], list[Choice]]:
        with self._sessions() as session:
            orgs = projects_service.organization_choices(session)
            projects = [
                Choice(p.id, f"{p.code} {p.title_ja}", f"{p.code} {p.title_en or p.title_ja}")
                for p in projects_service.list_projects(session)
            ]
            techs = [
                Choice(t.id, t.name_ja, t.name_en or t.name_ja)
                for t in partners_service.list_technologies(session)
            ]
        return orgs, projects, techs

    def _dialog(self, initial: dict[str, Any], save: Callable[[dict[str, Any]], object]) -> bool:
        orgs, projects, techs = self._choices()
        dialog = NeedDialog(
            organizations=orgs,
            projects=projects,
            technologies=techs,
            initial=initial,
            save=save,
            sessions=self._sessions,  # a stale save opens the conflict dialog
            parent=self,
        )
        return self.run_dialog(dialog) == QDialog.DialogCode.Accepted

    def new_need(self) -> None:
        created: list[int] = []

        def save(values: dict[str, Any]) -> None:
            with self._sessions() as session:
                need = projects_service.create_local_need(session, **values)
                created.append(need.id)

        if self._dialog({"learned_on": self.today()}, save) and created:
            self.load(select=created[0])

    def edit_need(self) -> None:
        row = self.current_row()
        if row is None:
            return
        initial: dict[str, Any] = {
            "id": row.id,
            "version": row.version,
            "country": row.country,
            "counterpart_id": row.counterpart_id,
            "project_id": row.project_id,
            "topic": row.topic,
            "dac_code": row.dac_code,
            "source": row.source.value,
            "learned_on": row.learned_on,
            "passed_on": row.passed_on,
            "technology_ids": [t.id for t in row.technologies],
            "description": row.description,
        }

        def save(values: dict[str, Any]) -> None:
            technology_ids = values.pop("technology_ids")
            with self._sessions() as session:
                projects_service.update_local_need(session, row.id, initial["version"], **values)
                projects_service.set_need_technologies(session, row.id, technology_ids)

        if self._dialog(initial, save):
            self.load(select=row.id)

    def delete_need(self) -> None:
        row = self.current_row()
        if row is None:
            return
        question = _("Delete the local need {topic}?").format(topic=row.topic)
        if not self.confirm(self, _("Delete local need"), question):
            return
        try:
            with self._sessions() as session:
                projects_service.delete_local_need(session, row.id, row.version)
        except ServiceError as exc:
            QMessageBox.warning(self, _("Local needs"), exc.message)
        self.load()

    def mark_passed_on(self) -> None:
        row = self.current_row()
        if row is None or row.passed_on is not None:
            return
        try:
            with self._sessions() as session:
                service.mark_passed_on(session, [row.id], self.today())
        except ServiceError as exc:
            QMessageBox.warning(self, _("Local needs"), exc.message)
        self.load(select=row.id)

    def current_need_id(self) -> int | None:
        row = self.table.currentRow()
        return self.rows[row].id if 0 <= row < len(self.rows) else None

    def _show_matches(self) -> None:
        self._update_actions()
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
