"""The dialog of a local need (現地ニーズ): country, counterpart, topic, DAC sector, source, dates, technologies.

Given ``sessions`` and an ``initial`` with "id" and "version", a stale save opens the conflict dialog (see
``ServiceDialog``); the ``save`` callback then saves against ``initial["version"]``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

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
from kawaoffice.services import projects as service
from kawaoffice.services.projects import Choice
from kawaoffice.ui.projects.dialogs import (
    OptionalDate,
    ServiceDialog,
    date_edit,
    fill_combo,
    from_qdate,
    to_qdate,
)
from kawaoffice.ui.widgets.conflict_dialog import CurrentRecord
from kawaoffice.ui.widgets.format import country_choices, localized
from kawaoffice.ui.widgets.paged_model import SessionProvider

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


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
        sessions: SessionProvider | None = None,
    ) -> None:
        super().__init__(save, parent, sessions=sessions)
        self.setObjectName("need_dialog")
        self.initial = initial
        self.creating = "id" not in initial
        self.setWindowTitle(_("New local need") if self.creating else _("Edit local need"))
        self.country = QComboBox()
        self.country.addItem("", "")
        for code, name in country_choices():
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
        if not self.creating:
            self.original = self.values()
        self.watch("local_needs")

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

    # --- edit conflicts -----------------------------------------------------------------------------------------

    def conflict_labels(self) -> dict[str, str]:
        return {
            "country": _("Country"), "counterpart_id": _("Counterpart"), "project_id": _("Project"),
            "topic": _("Topic"), "dac_code": _("DAC sector"), "source": _("Source"), "learned_on": _("Learnt on"),
            "passed_on": _("Passed on"), "technology_ids": _("Technologies"), "description": _("Description"),
        }  # fmt: skip

    def current_values(self, session: Session) -> CurrentRecord:
        need = service.get_local_need(session, int(self.initial["id"]))
        values = {key: getattr(need, key) for key in self.conflict_labels() if key != "technology_ids"}
        values["country"] = need.country or ""
        values["source"] = need.source.value
        chosen = {t.technology_id for t in need.technologies}
        order = [
            self.technologies.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.technologies.count())
        ]
        values["technology_ids"] = [tid for tid in order if tid in chosen]
        return CurrentRecord.of(need, values)

    def put_values(self, values: dict[str, Any]) -> None:
        self.country.setCurrentIndex(max(self.country.findData(values["country"] or ""), 0))
        for combo, key in (
            (self.counterpart, "counterpart_id"),
            (self.project, "project_id"),
            (self.dac, "dac_code"),
        ):
            combo.setCurrentIndex(max(combo.findData(values[key]), 0))
        self.source.setCurrentIndex(max(self.source.findData(str(values["source"])), 0))
        self.topic.setText(str(values["topic"]))
        self.description.setPlainText(str(values["description"]))
        self.learned_on.setDate(to_qdate(values["learned_on"]))
        self.passed_on.set_value(values["passed_on"])
        for i in range(self.technologies.count()):
            item = self.technologies.item(i)
            chosen = item.data(Qt.ItemDataRole.UserRole) in values["technology_ids"]
            item.setCheckState(Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked)

    def conflict_display(self) -> dict[str, Callable[[Any], str]]:
        def combo_text(combo: QComboBox) -> Callable[[Any], str]:
            return lambda value: combo.itemText(combo.findData(value)) if value is not None else ""

        def technologies(ids: list[int]) -> str:
            names = {
                self.technologies.item(i).data(Qt.ItemDataRole.UserRole): self.technologies.item(i).text()
                for i in range(self.technologies.count())
            }
            return i18n.format_list([names.get(tid, "?") for tid in ids])

        return {
            "country": lambda code: i18n.country_name(code) if code else "",
            "counterpart_id": combo_text(self.counterpart),
            "project_id": combo_text(self.project),
            "dac_code": combo_text(self.dac),
            "source": lambda value: _(NEED_SOURCE_LABELS[NeedSource(value)]),
            "learned_on": lambda day: i18n.format_date(day),
            "passed_on": lambda day: i18n.format_date(day) if day is not None else "",
            "technology_ids": technologies,
        }

    def record_name(self) -> str:
        return _("the local need {topic}").format(topic=self.original.get("topic", ""))
