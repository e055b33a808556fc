"""The partner directory's table: organizations sorted by kana reading."""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import Qt
from sqlalchemy.orm import Session

from kawaoffice.i18n import N_, current_language
from kawaoffice.model.partners import MEMBERSHIP_STATUS_LABELS, ORGANIZATION_KIND_LABELS
from kawaoffice.services import overview
from kawaoffice.services.overview import PartnerRow
from kawaoffice.ui.widgets.format import country_name, join_list, label, localized, localized_list, sort_text
from kawaoffice.ui.widgets.paged_model import Column, PagedTableModel


def _name_key(row: PartnerRow) -> Any:
    if current_language() == "ja":
        return sort_text(row.name_kana or row.name_ja)
    return sort_text(row.name_en or row.name_ja)


class PartnersModel(PagedTableModel):
    columns: ClassVar[tuple[Column, ...]] = (
        Column(N_("Name"), lambda r: localized(r.name_ja, r.name_en), _name_key),
        Column(N_("Reading"), lambda r: r.name_kana, lambda r: sort_text(r.name_kana or r.name_ja)),
        Column(N_("Kind"), lambda r: label(ORGANIZATION_KIND_LABELS, r.kind)),
        Column(N_("Country"), lambda r: country_name(r.country)),
        Column(N_("Membership"), lambda r: label(MEMBERSHIP_STATUS_LABELS, r.member_status)),
        Column(N_("Technologies"), lambda r: join_list(localized_list(r.technologies, r.technologies_en))),
    )
    natural_sort = (1, Qt.SortOrder.AscendingOrder)  # the service sorts by kana reading

    def fetch_page(self, session: Session, offset: int, limit: int) -> list[PartnerRow]:
        return overview.list_partners(session, offset=offset, limit=limit)
