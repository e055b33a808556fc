"""The Visits tab."""

from __future__ import annotations

from kawaoffice.i18n import N_
from kawaoffice.ui.tours.model import VisitsModel
from kawaoffice.ui.widgets.record_tab import RecordTab


class VisitsTab(RecordTab):
    key = "visits"
    title = N_("Visits")
    model_class = VisitsModel
