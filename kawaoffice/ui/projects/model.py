"""The project stages table: projects by code with scheme, stage, state, lead, days in stage and next action."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor
from sqlalchemy.orm import Session

from kawaoffice.i18n import N_
from kawaoffice.model.projects import PROJECT_STATE_LABELS
from kawaoffice.services import projects as service
from kawaoffice.services.projects import ProjectFilter, ProjectListRow
from kawaoffice.ui.widgets.format import country_name, format_date, label, localized
from kawaoffice.ui.widgets.paged_model import ID_ROLE, AnyIndex, Column, PagedTableModel, SessionProvider

OVERDUE_COLOR = QColor("#c62828")
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
# the roles PagedTableModel answers (display, tooltip, alignment of numbers, the record id)
_BASE_ROLES = frozenset(
    int(r.value)
    for r in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.TextAlignmentRole)
) | {int(ID_ROLE)}


def _days(row: ProjectListRow) -> int | str:
    days = row.days_in_stage(date.today())
    return "" if days is None else days


class ProjectsModel(PagedTableModel):
    columns: ClassVar[tuple[Column, ...]] = (
        Column(N_("Code"), lambda r: r.code, lambda r: r.code),
        Column(N_("Title"), lambda r: localized(r.title_ja, r.title_en)),
        Column(N_("Scheme"), lambda r: localized(r.scheme_ja, r.scheme_en)),
        Column(N_("Stage"), lambda r: localized(r.stage_ja, r.stage_en)),
        Column(N_("State"), lambda r: label(PROJECT_STATE_LABELS, r.state)),
        Column(N_("Country"), lambda r: country_name(r.country)),
        Column(N_("Start"), lambda r: format_date(r.start_on), lambda r: r.start_on),
        Column(N_("End"), lambda r: format_date(r.end_on), lambda r: r.end_on),
        Column(N_("Lead"), lambda r: localized(r.lead_ja, r.lead_en)),
        Column(N_("Days in stage"), _days, lambda r: r.days_in_stage(date.today()), numeric=True),
        Column(N_("Next action"), lambda r: format_date(r.next_action_on), lambda r: r.next_action_on),
    )
    natural_sort = (0, Qt.SortOrder.AscendingOrder)

    def __init__(self, sessions: SessionProvider, parent: QObject | None = None) -> None:
        super().__init__(sessions, parent)
        self.filters = ProjectFilter()
        self._prefetched: tuple[ProjectFilter, int, list[ProjectListRow]] | None = None

    def set_filters(self, filters: ProjectFilter) -> None:
        self.filters = filters
        if self._started:
            self.reload()

    def prefetch(self, filters: ProjectFilter, limit: int, rows: list[ProjectListRow]) -> None:
        """The first ``limit`` rows for ``filters``, read by the tab with its filter choices in one statement:
        the next reload uses them instead of asking the database again (once)."""
        self._prefetched = (filters, limit, rows)

    def fetch_page(self, session: Session, offset: int, limit: int) -> list[ProjectListRow]:
        prefetched, self._prefetched = self._prefetched, None
        if prefetched is not None and offset == 0 and prefetched[:2] == (self.filters, limit):
            return prefetched[2]
        return service.list_projects(session, self.filters, offset=offset, limit=limit)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Qt asks every cell for a dozen roles when it sizes the columns: answer the unused ones at once
        if role == _FOREGROUND:
            if (
                index.isValid()
                and 0 <= index.row() < self.rowCount()
                and index.column() == len(self.columns) - 1
                and self.row_at(index.row()).overdue(date.today())
            ):
                return QBrush(OVERDUE_COLOR)
            return None
        if role not in _BASE_ROLES:
            return None
        return super().data(index, role)
