"""The Dispatches tab."""

from __future__ import annotations

from kawaoffice.i18n import N_
from kawaoffice.ui.dispatch.model import DispatchesModel
from kawaoffice.ui.widgets.record_tab import RecordTab


class DispatchesTab(RecordTab):
    key = "dispatches"
    title = N_("Dispatches")
    model_class = DispatchesModel
