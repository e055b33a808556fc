"""The dialog of a local need (現地ニーズ): country, counterpart, topic, DAC sector, source, dates, technologies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from kawaoffice import i18n
from kawaoffice.i18n import _
from kawaoffice.model.projects import NEED_SOURCE_LABELS, NeedSource
from kawaoffice.model.reference import DAC_SECTORS
from kawaoffice.services.projects import Choice
from kawaoffice.ui.projects.dialogs import OptionalDate, ServiceDialog, date_edit, fill_combo, from_qdate
from kawaoffice.ui.widgets.format import localized


class NeedDialog(ServiceDialog):
    """A need's fields. ``initial`` holds the current values when editing (empty for a new need)."""

    def __init__(
        self,
        *,
        organizations: list[Choice],
        projects: list[Choice],
        technologies: list[Choice],
        initial: dict[str, Any],
        save: Callable[[dict[str, Any]], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(save, parent)
        self.setObjectName("need_dialog")
        self.creating = "id" not in initial
        self.setWindowTitle(_("New local need") if self.creating else _("Edit local need"))
        self.country = QComboBox()
        self.country.addItem("", "")
        for code, name in i18n.country_choices():
            self.country.addItem(name, code)
        self.country.setCurrentIndex(max(self.country.findData(initial.get("country", "")), 0))
        self.counterpart = QComboBox()
        fill_combo(self.counterpart, organizations, initial.get("counterpart_id"))
        self.project = QComboBox()
        fill_combo(self.project, projects, initial.get("project_id"))
        self.topic = QLineEdit(initial.get("topic", ""))
        self.dac = QComboBox()
        self.dac.addItem("", None)
        for code, text in DAC_SECTORS.items():
            self.dac.addItem(f"{code} {_(text)}", code)
        self.dac.setCurrentIndex(max(self.dac.findData(initial.get("dac_code")), 0))
        self.source = QComboBox()
        for source, text in NEED_SOURCE_LABELS.items():
            self.source.addItem(_(text), source.value)
        self.source.setCurrentIndex(
            max(self.source.findData(str(initial.get("source", NeedSource.DISPATCH.value))), 0)
        )
        self.learned_on = date_edit(initial.get("learned_on"))
        self.passed_on = OptionalDate(initial.get("passed_on"))
        self.technologies = QListWidget()
        self.technologies.setObjectName("need_technologies")
        chosen = set(initial.get("technology_ids", ()))
        for tech in technologies:
            item = QListWidgetItem(localized(tech.name_ja, tech.name_en))
            item.setData(Qt.ItemDataRole.UserRole, tech.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if tech.id in chosen else Qt.CheckState.Unchecked)
            self.technologies.addItem(item)
        self.technologies.setMinimumHeight(100)
        self.description = QPlainTextEdit(initial.get("description", ""))
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(70)

        form = QFormLayout()
        form.addRow(_("Country"), self.country)
        form.addRow(_("Counterpart"), self.counterpart)
        form.addRow(_("Topic"), self.topic)
        form.addRow(_("DAC sector"), self.dac)
        form.addRow(_("Source"), self.source)
        form.addRow(_("Learnt on"), self.learned_on)
        form.addRow(_("Passed on"), self.passed_on)
        form.addRow(_("Project"), self.project)
        form.addRow(_("Technologies"), self.technologies)
        form.addRow(_("Description"), self.description)
        self.fields = {
            "country": self.country,
            "counterpart_id": self.counterpart,
            "project_id": self.project,
            "topic": self.topic,
            "dac_code": self.dac,
            "source": self.source,
            "learned_on": self.learned_on,
            "passed_on": self.passed_on,
            "technology_ids": self.technologies,
            "description": self.description,
        }
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.topic.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_technology(self, technology_id: int, checked: bool = True) -> None:
        for i in range(self.technologies.count()):
            item = self.technologies.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == technology_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def chosen_technologies(self) -> list[int]:
        ids: list[int] = []
        for i in range(self.technologies.count()):
            item = self.technologies.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                ids.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return ids

    def values(self) -> dict[str, Any]:
        learned: date = from_qdate(self.learned_on.date())
        return {
            "country": self.country.currentData() or "",
            "counterpart_id": self.counterpart.currentData(),
            "project_id": self.project.currentData(),
            "topic": self.topic.text(),
            "dac_code": self.dac.currentData(),
            "source": self.source.currentData(),
            "learned_on": learned,
            "passed_on": self.passed_on.value(),
            "technology_ids": self.chosen_technologies(),
            "description": self.description.toPlainText(),
        }
