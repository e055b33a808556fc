"""The Partners tab."""

from __future__ import annotations

from kawaoffice.i18n import N_
from kawaoffice.ui.partners.model import PartnersModel
from kawaoffice.ui.widgets.record_tab import RecordTab


class PartnersTab(RecordTab):
    key = "partners"
    title = N_("Partners")
    model_class = PartnersModel
