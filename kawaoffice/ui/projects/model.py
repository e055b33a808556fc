"""The project stages table: projects by code with scheme, stage and state."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import Qt
from sqlalchemy.orm import Session

from kawaoffice.i18n import N_
from kawaoffice.model.projects import PROJECT_STATE_LABELS
from kawaoffice.services import overview
from kawaoffice.services.overview import ProjectRow
from kawaoffice.ui.widgets.format import country_name, format_date, label, localized
from kawaoffice.ui.widgets.paged_model import Column, PagedTableModel


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
    )
    natural_sort = (0, Qt.SortOrder.AscendingOrder)

    def fetch_page(self, session: Session, offset: int, limit: int) -> list[ProjectRow]:
        return overview.list_projects(session, offset=offset, limit=limit)
