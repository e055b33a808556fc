"""The Projects tab."""

from __future__ import annotations

from kawaoffice.i18n import N_
from kawaoffice.ui.projects.model import ProjectsModel
from kawaoffice.ui.widgets.record_tab import RecordTab


class ProjectsTab(RecordTab):
    key = "projects"
    title = N_("Projects")
    model_class = ProjectsModel
