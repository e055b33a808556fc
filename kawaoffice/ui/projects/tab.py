"""The Projects tab: a table with filters, a kanban board per scheme and the local needs, with a detail pane."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from kawaoffice import i18n
from kawaoffice.i18n import N_, _
from kawaoffice.model.projects import PROJECT_STATE_LABELS, ProjectState
from kawaoffice.model.reference import SDG6_TARGETS
from kawaoffice.services import projects as service
from kawaoffice.services.errors import ServiceError
from kawaoffice.services.projects import BoardColumn, ProjectFilter
from kawaoffice.ui.projects.board import BoardView, column_title
from kawaoffice.ui.projects.detail import ProjectDetail, detail_html, project_html
from kawaoffice.ui.projects.dialogs import MoveStageDialog, ProjectDialog
from kawaoffice.ui.projects.model import ProjectsModel
from kawaoffice.ui.projects.needs_view import NeedsView
from kawaoffice.ui.projects.participants import ParticipantsDialog
from kawaoffice.ui.projects.templates import SchemeTemplateDialog
from kawaoffice.ui.widgets.busy import run_busy
from kawaoffice.ui.widgets.format import country_choices, localized
from kawaoffice.ui.widgets.forms import ask_yes_no
from kawaoffice.ui.widgets.paged_model import SessionProvider
from kawaoffice.ui.widgets.record_tab import RecordTab, require_role

VIEWS = ("table", "board", "needs")
# How long the first project's detail, read with the table's first page when the tab opens, is shown instead of
# reading it again (the table takes the focus and shows it in the same turn of events).
FIRST_FRESH_S = 5.0


def _exec(dialog: QDialog) -> int:
    return dialog.exec()


# Actions on the selected project (not offered while the needs view is shown).
PROJECT_ACTIONS = ("edit", "move", "delete", "participants")
# Who may use which action (the services refuse the rest anyway): editors edit, admins delete and edit templates.
ROLE_OF_ACTION = {
    "new": "editor",
    "edit": "editor",
    "move": "editor",
    "participants": "editor",
    "delete": "admin",
    "templates": "admin",
}


class ProjectsTab(RecordTab):
    key = "projects"
    title = N_("Projects")
    model_class = ProjectsModel
    model: ProjectsModel

    def __init__(self, sessions: SessionProvider, parent: QWidget | None = None) -> None:
        super().__init__(sessions, parent)
        self.sessions = sessions
        # how dialogs are shown (tests replace it to fill the real dialog's widgets and press its buttons)
        self.run_dialog: Callable[[QDialog], int] = _exec
        self.confirm: Callable[[QWidget, str, str], bool] = ask_yes_no
        self.today: Callable[[], date] = date.today
        self._schemes: list[tuple[int, str, list[tuple[int, str]]]] = []
        self._board_scheme: int | None = None
        self._current: int | None = None
        # the first project's detail read with the table when the tab opened, and when (see _show_detail)
        self._first_detail: tuple[service.ProjectDetail, float] | None = None

        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("projects_toolbar")
        self.actions_: dict[str, QAction] = {}
        for name, text, shortcut, slot in (
            ("new", N_("New project"), "Ctrl+N", self.new_project),
            ("edit", N_("Edit"), "F2", self.edit_project),
            ("move", N_("Move to stage..."), "Ctrl+M", self.move_current),
            ("delete", N_("Delete"), "Delete", self.delete_project),
            ("table", N_("Table"), "Ctrl+1", lambda: self.show_view("table")),
            ("board", N_("Board"), "Ctrl+2", lambda: self.show_view("board")),
            ("needs", N_("Local needs"), "Ctrl+3", lambda: self.show_view("needs")),
            ("report", N_("Progress report..."), "Ctrl+P", self.print_report),
            ("export", N_("Export projects (Excel)..."), "Ctrl+E", self.export_projects),
            ("iati", N_("Export IATI XML..."), "", self.export_iati),
            ("bulletin", N_("Needs bulletin..."), "", self.print_bulletin),
            ("participants", N_("Participants..."), "Ctrl+Shift+O", self.edit_participants),
            ("templates", N_("Scheme templates..."), "", self.edit_templates),
        ):
            action = QAction(_(text), self)
            action.setObjectName(f"action_{name}")
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
                action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.toolbar.addAction(action)
            if name not in PROJECT_ACTIONS:
                self.addAction(action)
            self.actions_[name] = action
            if name in ROLE_OF_ACTION:
                require_role(action, ROLE_OF_ACTION[name])

        # filters
        self.f_scheme = QComboBox()
        self.f_scheme.setObjectName("filter_scheme")
        self.f_stage = QComboBox()
        self.f_stage.setObjectName("filter_stage")
        self.f_country = QComboBox()
        self.f_country.setObjectName("filter_country")
        self.f_sdg = QComboBox()
        self.f_sdg.setObjectName("filter_sdg")
        self.f_year = QComboBox()
        self.f_year.setObjectName("filter_year")
        self.f_text = QLineEdit()
        self.f_text.setObjectName("filter_text")
        self.f_text.setPlaceholderText(_("Search code or title"))
        self.f_text.setClearButtonEnabled(True)
        find = QAction(self)
        find.setShortcut(QKeySequence("Ctrl+F"))
        find.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.triggered.connect(lambda: self.f_text.setFocus())
        self.addAction(find)
        for combo in (self.f_scheme, self.f_stage, self.f_country, self.f_sdg, self.f_year):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(4)
        filters = QHBoxLayout()
        for text, widget in (
            (_("Scheme"), self.f_scheme),
            (_("Stage"), self.f_stage),
            (_("Country"), self.f_country),
            (_("SDG target"), self.f_sdg),
            (_("Fiscal year"), self.f_year),
        ):
            widget.setToolTip(text)
            widget.setAccessibleName(text)
            filters.addWidget(widget, 1)
        filters.addWidget(self.f_text, 1)

        self.board = BoardView(self)
        self.board.move_requested.connect(self.request_move)
        self.board.current_changed.connect(self._show_detail)
        self.board.activated.connect(lambda _pid: self.edit_project())
        self.board.scheme_changed.connect(lambda _sid: self.reload_board())
        self.needs = NeedsView(sessions, self)
        self.needs.today = lambda: self.today()
        # The selected project's actions answer their keys only in the table and the board, so that Delete in the
        # needs view deletes the need, never the project selected behind it.
        for name in PROJECT_ACTIONS:
            self.view.addAction(self.actions_[name])
            self.board.addAction(self.actions_[name])
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.board)
        self.stack.addWidget(self.needs)
        self.detail = ProjectDetail(self)
        self.detail.clear_project()
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.stack)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)

        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.removeWidget(self.view)
        layout.addWidget(self.toolbar)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)

        # fit the columns to the rows on screen only (Qt reads every cell of every loaded row otherwise)
        self.view.horizontalHeader().setResizeContentsPrecision(0)
        self.view.activated.connect(lambda _i: self.edit_project())
        self.view.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: self._table_current(cur.row())
        )
        for combo in (self.f_scheme, self.f_stage, self.f_country, self.f_sdg, self.f_year):
            combo.currentIndexChanged.connect(self._filters_changed)
        self.f_scheme.currentIndexChanged.connect(self._fill_stage_filter)
        self.f_text.textChanged.connect(self._filters_changed)
        self._filling = False

    # --- loading -------------------------------------------------------------------------------------------------

    def load(self) -> None:
        # the filters' choices and the table's first page in one statement (each one a round trip on a server)
        self._load_choices(first_page=True)
        super().load()
        if not self.view.currentIndex().isValid() and self.model.rowCount():
            # the first project chosen, as the Partners tab does: its detail pane was read with the page
            self.view.setCurrentIndex(self.model.index(0, 0))
        if self.stack.currentWidget() is self.board:
            self.reload_board()
        elif self.stack.currentWidget() is self.needs:
            self.needs.load()

    def reload(self) -> None:
        """Re-read the filters, the table and the view on screen; a hidden board or needs view is read when it is
        shown (show_view reloads it), not now."""
        self._load_choices()
        self.model.reload()
        if self.stack.currentWidget() is self.board:
            self.reload_board()
        elif self.stack.currentWidget() is self.needs:
            self.needs.load()
        self._show_detail(self._current)

    def _load_choices(self, first_page: bool = False) -> None:
        # one query for the schemes, their stages and the fiscal years (each round trip counts on a shared server),
        # with the table's first page when the tab opens
        limit = min(self.model.FIRST_PAGE_SIZE, self.model.PAGE_SIZE)
        with self.sessions() as session:
            rows: list[service.ProjectListRow] | None = None
            asked = self.filters()
            if (
                first_page
            ):  # with the detail pane of the page's first project, shown when the table takes focus
                opening = service.projects_tab_open(session, asked, limit, today=self.today())
                choices, rows = opening.choices, opening.rows
                if opening.first_detail is not None:
                    self._first_detail = (opening.first_detail, time.monotonic())
            else:
                choices = service.project_choices(session)
            if not choices.schemes:
                service.ensure_standard_schemes(session)
                choices = service.project_choices(session)
        self._schemes = [
            (
                s.id,
                localized(s.name_ja, s.name_en),
                [(st.id, localized(st.name_ja, st.name_en)) for st in s.stages],
            )
            for s in choices.schemes
        ]
        years = choices.fiscal_years
        self._filling = True
        keep = {c: c.currentData() for c in (self.f_scheme, self.f_country, self.f_sdg, self.f_year)}
        self.f_scheme.clear()
        self.f_scheme.addItem(_("All schemes"), None)
        for sid, name, _stages in self._schemes:
            self.f_scheme.addItem(name, sid)
        self.f_country.clear()
        self.f_country.addItem(_("All countries"), "")
        for code, name in country_choices():
            self.f_country.addItem(name, code)
        self.f_sdg.clear()
        self.f_sdg.addItem(_("All SDG targets"), "")
        for code in SDG6_TARGETS:
            self.f_sdg.addItem(code, code)
        self.f_year.clear()
        self.f_year.addItem(_("All fiscal years"), None)
        for fy in years:
            self.f_year.addItem(i18n.fiscal_year_label(fy), fy)
        for combo, value in keep.items():
            combo.setCurrentIndex(max(combo.findData(value), 0))
        self._fill_stage_filter()
        self._filling = False
        self.board.set_schemes([(sid, name) for sid, name, _s in self._schemes], self._board_scheme)
        if rows is not None:  # used by the reload that follows unless the filters changed meanwhile
            self.model.filters = self.filters()
            self.model.prefetch(asked, limit, rows)

    def _fill_stage_filter(self) -> None:
        previous = self.f_stage.currentData()
        was = self._filling
        self._filling = True
        self.f_stage.clear()
        self.f_stage.addItem(_("All stages"), None)
        scheme_id = self.f_scheme.currentData()
        for sid, _name, stages in self._schemes:
            if sid == scheme_id:
                for stage_id, name in stages:
                    self.f_stage.addItem(name, stage_id)
        self.f_stage.setCurrentIndex(max(self.f_stage.findData(previous), 0))
        self.f_stage.setEnabled(scheme_id is not None)
        self._filling = was

    def filters(self) -> ProjectFilter:
        return ProjectFilter(
            scheme_id=self.f_scheme.currentData(),
            stage_id=self.f_stage.currentData(),
            country=self.f_country.currentData() or "",
            sdg_target=self.f_sdg.currentData() or "",
            fiscal_year=self.f_year.currentData(),
            text=self.f_text.text(),
        )

    def _filters_changed(self) -> None:
        if self._filling:
            return
        self.model.set_filters(self.filters())
        if self.stack.currentWidget() is self.board:
            self.reload_board()

    def reload_board(self, select: int | None = None) -> None:
        scheme_id = self.board.scheme_id()
        self._board_scheme = scheme_id
        if scheme_id is None:
            self.board.set_columns([], self.today())
            return
        with self.sessions() as session:
            columns = service.board(session, scheme_id, filters=self.filters())
        self.board.set_columns(columns, self.today(), select=select)

    def show_view(self, name: str) -> None:
        widget = {"table": self.view, "board": self.board, "needs": self.needs}[name]
        self.stack.setCurrentWidget(widget)
        if name == "board":
            self.reload_board(self._current)
            if not any(v.currentItem() for v in self.board.lists) and self.board.lists:
                for i, view in enumerate(self.board.lists):
                    if view.count():
                        self.board.focus_column(i)
                        break
        elif name == "needs":
            self.needs.load()
            self.needs.table.setFocus()
        else:
            self.view.setFocus()

    def current_view(self) -> str:
        return VIEWS[self.stack.currentIndex()]

    # --- state --------------------------------------------------------------------------------------------------

    def save_state(self) -> dict[str, Any]:
        return {
            "view": self.current_view(),
            "board_scheme": self._board_scheme,
            "splitter": bytes(self.splitter.saveState().toBase64().data()).decode("ascii"),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        from PySide6.QtCore import QByteArray

        if isinstance(state.get("board_scheme"), int):
            self._board_scheme = state["board_scheme"]
        if isinstance(state.get("splitter"), str):
            self.splitter.restoreState(QByteArray.fromBase64(state["splitter"].encode("ascii")))
        if state.get("view") in VIEWS:
            self.stack.setCurrentIndex(VIEWS.index(state["view"]))

    # --- selection and detail -----------------------------------------------------------------------------------

    def _table_current(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self._show_detail(self.model.id_at(row))

    def _show_detail(self, project_id: object) -> None:
        if not isinstance(project_id, int):
            self.detail.clear_project()
            return
        self._current = project_id
        first, self._first_detail = self._first_detail, None
        try:
            if (
                first is not None
                and first[0].project.id == project_id
                and time.monotonic() - first[1] < FIRST_FRESH_S
            ):
                html = detail_html(first[0], self.today())  # read with the table's first page a moment ago
            else:
                with self.sessions() as session:
                    html = project_html(session, project_id, self.today())
        except ServiceError:
            self._current = None
            self.detail.clear_project()
            return
        self.detail.setHtml(html)

    def selected_project(self) -> int | None:
        if self.stack.currentWidget() is self.board:
            return self.board.current_project_id() or self._current
        return self.current_id()

    # --- commands -----------------------------------------------------------------------------------------------

    def _error(self, message: str) -> None:
        QMessageBox.warning(self, _("Projects"), message)

    def _choices(self) -> tuple[list[service.Choice], list[service.Choice]]:
        with self.sessions() as session:
            return service.staff_choices(session), service.organization_choices(session)

    def new_project(self) -> None:
        staff, orgs = self._choices()
        initial: dict[str, Any] = {}
        if self.stack.currentWidget() is self.board and self.board.scheme_id() is not None:
            initial["scheme_id"] = self.board.scheme_id()
        created: list[int] = []

        def save(values: dict[str, Any]) -> None:
            targets = values.pop("sdg_targets")
            sectors = values.pop("sectors")
            with self.sessions() as session:
                project = service.create_project_in_stage(session, **values)
                service.set_sdg_targets(session, project.id, targets)
                service.set_sectors(session, project.id, sectors)
                created.append(project.id)

        dialog = ProjectDialog(
            schemes=self._schemes, staff=staff, organizations=orgs, initial=initial, save=save, parent=self
        )
        if self.run_dialog(dialog) == QDialog.DialogCode.Accepted and created:
            self._current = created[0]
            self.reload()
            if self.stack.currentWidget() is self.board:
                self.reload_board(created[0])

    def edit_project(self) -> None:
        project_id = self.selected_project()
        if project_id is None:
            return
        staff, orgs = self._choices()
        try:
            with self.sessions() as session:
                p = service.get_project(session, project_id)
                initial = {
                    name: getattr(p, name)
                    for name in (
                        "id",
                        "version",
                        "code",
                        "title_ja",
                        "title_en",
                        "scheme_id",
                        "country",
                        "region",
                        "counterpart_id",
                        "lead_staff_id",
                        "start_on",
                        "end_on",
                        "budget_yen",
                        "description",
                        "next_action",
                        "next_action_on",
                    )
                }
                initial["sdg_targets"] = [t.target for t in p.sdg_targets]
                initial["sectors"] = {s.dac_code: s.percentage for s in p.sectors}
        except ServiceError as exc:
            self._error(exc.message)
            return

        def save(values: dict[str, Any]) -> None:
            targets = values.pop("sdg_targets")
            sectors = values.pop("sectors")
            with self.sessions() as session:
                service.update_project(session, project_id, initial["version"], **values)
                service.set_sdg_targets(session, project_id, targets)
                service.set_sectors(session, project_id, sectors)

        dialog = ProjectDialog(
            schemes=self._schemes,
            staff=staff,
            organizations=orgs,
            initial=initial,
            save=save,
            sessions=self.sessions,  # a stale save opens the conflict dialog
            parent=self,
        )
        if self.run_dialog(dialog) == QDialog.DialogCode.Accepted:
            self.reload()
            if self.stack.currentWidget() is self.board:
                self.reload_board(project_id)

    def delete_project(self) -> None:
        project_id = self.selected_project()
        if project_id is None:
            return
        with self.sessions() as session:
            p = service.get_project(session, project_id)
            name, version = f"{p.code} {localized(p.title_ja, p.title_en)}", p.version
        if not self.confirm(
            self, _("Delete project"), _("Delete the project {name} and its stage history?").format(name=name)
        ):
            return
        try:
            with self.sessions() as session:
                service.delete_project(session, project_id, version)
        except ServiceError as exc:
            self._error(exc.message)
            return
        self._current = None
        self.reload()

    def edit_participants(self) -> None:
        project_id = self.selected_project()
        if project_id is None:
            return
        try:
            dialog = ParticipantsDialog(self.sessions, project_id, self)
        except ServiceError as exc:
            self._error(exc.message)
            return
        self.run_dialog(dialog)
        if dialog.changed:
            self._show_detail(project_id)

    def edit_templates(self) -> None:
        dialog = SchemeTemplateDialog(self.sessions, self)
        self.run_dialog(dialog)
        if dialog.changed:
            self.reload()

    def move_current(self) -> None:
        """Move the selected project: on the board ask for the target column; in the table for the target stage."""
        project_id = self.selected_project()
        if project_id is None:
            return
        with self.sessions() as session:
            scheme_id = service.get_project(session, project_id).scheme_id
            columns = service.board(session, scheme_id)
        labels = [column_title(c) for c in columns]
        current = next((i for i, c in enumerate(columns) if any(k.id == project_id for k in c.cards)), 0)
        choice, ok = QInputDialog.getItem(self, _("Move to stage"), _("Stage"), labels, current, False)
        if ok:
            self._move(project_id, columns[labels.index(choice)])

    def request_move(self, project_id: int, column_index: int) -> None:
        """A card was dropped on (or moved by keyboard to) the board's column ``column_index``."""
        if not (0 <= column_index < len(self.board.columns)):
            return
        self._move(project_id, self.board.columns[column_index])

    def _move(self, project_id: int, column: BoardColumn) -> None:
        with self.sessions() as session:
            p = service.get_project(session, project_id)
            version = p.version
            title = localized(p.title_ja, p.title_en)
            from_label = localized(p.stage.name_ja, p.stage.name_en) if p.stage else ""
            if p.state != ProjectState.ACTIVE:
                from_label = f"{from_label} ({_(PROJECT_STATE_LABELS[p.state])})"
            backward = False
            if column.stage_id is not None:
                target = service.get_scheme_stage(session, column.stage_id)
                backward = (p.stage is not None and target.position < p.stage.position) or p.state in (
                    ProjectState.COMPLETED,
                    ProjectState.CANCELLED,
                )

        def save(values: dict[str, Any]) -> None:
            with self.sessions() as session:
                service.move_project_stage(
                    session,
                    project_id,
                    version,
                    to_stage_id=column.stage_id,
                    state=column.state,
                    occurred_on=values["occurred_on"],
                    note=values["note"],
                    reason=values["reason"],
                )

        dialog = MoveStageDialog(title, from_label, column_title(column), backward, save, self)
        if self.run_dialog(dialog) == QDialog.DialogCode.Accepted:
            self._current = project_id
            self.model.reload()
            self.reload_board(project_id)
            self._show_detail(project_id)

    # --- documents ----------------------------------------------------------------------------------------------

    def _save_path(self, title: str, name: str, pattern: str) -> Path | None:
        path, _filter = QFileDialog.getSaveFileName(self, title, name, pattern)
        return Path(path) if path else None

    def _run(self, label: str, work: Callable[[], object]) -> bool:
        try:
            run_busy(self, label, work)
        except (ServiceError, OSError) as exc:
            self._error(str(exc))
            return False
        return True

    def print_report(self) -> None:
        from kawaoffice.documents.progress_report import build_progress_report_pdf, build_progress_report_xlsx
        from kawaoffice.services.project_report import progress_report

        fy = self.f_year.currentData() or i18n.fiscal_year(self.today())
        path = self._save_path(
            _("Progress report"), f"progress-report-{fy}.pdf", _("PDF or Excel (*.pdf *.xlsx)")
        )
        if path is None:
            return

        def work() -> None:
            with self.sessions() as session:
                report = progress_report(session, fy)
            if path.suffix.lower() == ".xlsx":
                build_progress_report_xlsx(path, report)
            else:
                build_progress_report_pdf(path, report)

        self._run(_("Writing the progress report..."), work)

    def export_projects(self) -> None:
        from kawaoffice.documents.project_export import build_projects_xlsx

        path = self._save_path(_("Export projects"), "projects.xlsx", _("Excel workbook (*.xlsx)"))
        if path is None:
            return

        def work() -> None:
            with self.sessions() as session:
                build_projects_xlsx(path, service.projects_for_export(session))

        self._run(_("Exporting projects..."), work)

    def export_iati(self) -> None:
        from kawaoffice.documents.iati import write_iati

        path = self._save_path(_("Export IATI XML"), "iati-activities.xml", _("IATI XML (*.xml)"))
        if path is None:
            return

        def work() -> None:
            with self.sessions() as session:
                write_iati(path, service.projects_for_export(session))

        self._run(_("Exporting IATI XML..."), work)

    def print_bulletin(self) -> None:
        from kawaoffice.documents.needs_bulletin import build_needs_bulletin_pdf, needs_mail_text
        from kawaoffice.services.needs import bulletin

        today = self.today()
        since = date(today.year - 1, today.month, 1)
        path = self._save_path(_("Needs bulletin"), "needs-bulletin.pdf", _("PDF (*.pdf)"))
        if path is None:
            return

        def work() -> None:
            with self.sessions() as session:
                data = bulletin(session, since=since, until=today)
            build_needs_bulletin_pdf(path, data)
            path.with_suffix(".txt").write_text(needs_mail_text(data), encoding="utf-8")

        self._run(_("Writing the needs bulletin..."), work)
