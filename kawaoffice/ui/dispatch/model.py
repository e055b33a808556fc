"""The dispatch table: staff dispatches abroad, latest departure first."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import Qt
from sqlalchemy.orm import Session

from kawaoffice.i18n import N_
from kawaoffice.model.dispatch import DISPATCH_PURPOSE_LABELS, DISPATCH_STATUS_LABELS
from kawaoffice.services import overview
from kawaoffice.services.overview import DispatchRow
from kawaoffice.ui.widgets.format import (
    country_name,
    format_date,
    join_list,
    label,
    localized,
    localized_list,
)
from kawaoffice.ui.widgets.paged_model import Column, PagedTableModel


class DispatchesModel(PagedTableModel):
    columns: ClassVar[tuple[Column, ...]] = (
        Column(N_("Departure"), lambda r: format_date(r.departure_on), lambda r: r.departure_on),
        Column(N_("Return"), lambda r: format_date(r.return_on), lambda r: r.return_on),
        Column(N_("Code"), lambda r: r.code, lambda r: r.code),
        Column(N_("Title"), lambda r: localized(r.title, r.title_en)),
        Column(N_("Purpose"), lambda r: label(DISPATCH_PURPOSE_LABELS, r.purpose)),
        Column(N_("Status"), lambda r: label(DISPATCH_STATUS_LABELS, r.status)),
        Column(N_("Country"), lambda r: country_name(r.country)),
        Column(N_("City"), lambda r: r.city),
        Column(N_("Members"), lambda r: join_list(localized_list(r.members, r.members_en))),
    )
    natural_sort = (0, Qt.SortOrder.DescendingOrder)

    def fetch_page(self, session: Session, offset: int, limit: int) -> list[DispatchRow]:
        return overview.list_dispatches(session, offset=offset, limit=limit)
