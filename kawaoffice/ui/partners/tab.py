"""The Partners tab: a search box and filters over the organizations, the list, and a detail pane with the
organization's data, its people (current and past) and its timeline; dialogs to edit; import, export, print."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from kawaoffice import i18n
from kawaoffice.i18n import N_, _, pgettext
from kawaoffice.model.partners import (
    MEMBERSHIP_STATUS_LABELS,
    ORGANIZATION_KIND_LABELS,
    MembershipStatus,
    OrganizationKind,
)
from kawaoffice.services import partner_search as ps
from kawaoffice.services import partners
from kawaoffice.services.errors import ServiceError
from kawaoffice.ui.partners.dialogs import ContactDialog, OrganizationDialog, RotationDialog, i18n_phone
from kawaoffice.ui.partners.import_wizard import ImportDialog
from kawaoffice.ui.partners.model import READING_COLUMN, PartnersModel
from kawaoffice.ui.widgets.format import localized
from kawaoffice.ui.widgets.paged_model import SessionProvider
from kawaoffice.ui.widgets.record_tab import RecordTab, require_role

TIMELINE_KINDS = {
    "project": N_("Project"),
    "dispatch": N_("Dispatch"),
    "visit": N_("Visit"),
    "need": N_("Local need"),
}
SEARCH_DELAY_MS = 120


class PartnersTab(RecordTab):
    key = "partners"
    title = N_("Partners")
    model_class = PartnersModel
    model: PartnersModel

    def __init__(self, sessions: SessionProvider, parent: QWidget | None = None) -> None:
        super().__init__(sessions, parent)
        self._sessions = sessions
        self.import_mapping: dict[str, str] = {}
        self._contacts: list[ps.ContactLine] = []
        self._choices_shown: ps.FilterChoices | None = None

        # toolbar
        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("partners_toolbar")
        self.actions_by_name: dict[str, QAction] = {}
        self._add_action("new", _("New organization"), self.new_organization, "Ctrl+N")
        self._add_action("edit", _("Edit"), self.edit_organization, "F2")
        self._add_action("delete", _("Delete"), self.delete_organization, "Delete")
        self.toolbar.addSeparator()
        self._add_action("new_contact", _("New contact"), self.new_contact, "Ctrl+Shift+N")
        self._add_action("rotation", _("April check"), self.rotation_check)
        self.toolbar.addSeparator()
        self._add_action("import", _("Import…"), self.import_file, "Ctrl+I")
        self._add_action("export", _("Export list…"), self.export_list, "Ctrl+E")
        self._add_action("mailing", _("Copy member mailing list"), self.copy_mailing_list)
        self._add_action("print", _("Print directory…"), self.print_directory, "Ctrl+P")
        for name in ("new", "edit", "new_contact", "rotation", "import"):
            require_role(self.actions_by_name[name], "editor")
        require_role(self.actions_by_name["delete"], "admin")

        # search and filters
        self.search = QLineEdit(self)
        self.search.setObjectName("partners_search")
        self.search.setPlaceholderText(_("Search names, readings, people, e-mail, phone (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self._add_action("find", _("Search"), self.search.setFocus, "Ctrl+F", toolbar=False)
        self.kind_filter = self._combo("kind_filter", _("All kinds"))
        for kind, msgid in ORGANIZATION_KIND_LABELS.items():
            self.kind_filter.addItem(_(msgid), kind.value)
        self.country_filter = self._combo("country_filter", _("All countries"))
        self.status_filter = self._combo("status_filter", _("Any membership"))
        for status, msgid in MEMBERSHIP_STATUS_LABELS.items():
            self.status_filter.addItem(_(msgid), status.value)
        self.technology_filter = self._combo("technology_filter", _("All technologies"))
        self.count_label = QLabel(self)
        self.count_label.setObjectName("partners_count")
        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        for combo in (self.kind_filter, self.country_filter, self.status_filter, self.technology_filter):
            filters.addWidget(combo, 1)
        filters.addWidget(self.count_label)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _text: self._timer.start())

        # detail pane
        self.detail = QTabWidget(self)
        self.detail.setObjectName("partners_detail")
        self.summary = QTextBrowser(self)
        self.summary.setObjectName("partner_summary")
        self.summary.setOpenLinks(False)
        self.contacts = QTableWidget(0, 5, self)
        self.contacts.setObjectName("partner_contacts")
        self.contacts.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.contacts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.contacts.verticalHeader().setVisible(False)
        self.contacts.horizontalHeader().setStretchLastSection(True)
        self.contacts.doubleClicked.connect(lambda _index: self.edit_contact())
        self.timeline = QTableWidget(0, 3, self)
        self.timeline.setObjectName("partner_timeline")
        self.timeline.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timeline.verticalHeader().setVisible(False)
        self.timeline.horizontalHeader().setStretchLastSection(True)
        self.detail.addTab(self.summary, _("Organization"))
        self.detail.addTab(self.contacts, _("Contacts"))
        self.detail.addTab(self.timeline, _("Timeline"))

        # layout: rebuild RecordTab's with toolbar, filters, splitter(table, detail)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.removeWidget(self.view)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("partners_splitter")
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(True)
        self.search.setMinimumWidth(120)
        layout.addWidget(self.toolbar)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)
        self.view.activated.connect(lambda _index: self.edit_organization())
        self.view.selectionModel().selectionChanged.connect(self._on_selection)
        self.model.modelReset.connect(self._after_reset)
        self._update_actions()

    # --- helpers ----------------------------------------------------------------------------------------------

    def _add_action(
        self, name: str, text: str, slot: Any, shortcut: str | None = None, *, toolbar: bool = True
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(f"action_{name}")
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.setToolTip(
                f"{text} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})"
            )
        action.triggered.connect(lambda _checked=False: slot())
        if toolbar:
            self.toolbar.addAction(action)
        else:
            self.addAction(action)
        self.actions_by_name[name] = action
        return action

    def _combo(self, name: str, everything: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.addItem(everything, None)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(6)
        combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        return combo

    def current_filter(self) -> ps.PartnerFilter:
        kind, country = self.kind_filter.currentData(), self.country_filter.currentData()
        status, tech = self.status_filter.currentData(), self.technology_filter.currentData()
        return ps.PartnerFilter(
            text=self.search.text(),
            kinds=frozenset({OrganizationKind(kind)}) if kind else frozenset(),
            countries=frozenset({country}) if country else frozenset(),
            statuses=frozenset({MembershipStatus(status)}) if status else frozenset(),
            technology_ids=frozenset({int(tech)}) if tech else frozenset(),
        )

    # --- loading ----------------------------------------------------------------------------------------------

    def load(self) -> None:
        super().load()  # the model reads the filter choices with the first page (see _after_reset)
        self.view.setColumnHidden(READING_COLUMN, i18n.current_language() != "ja")

    def reload(self) -> None:
        self.model.reload()

    def _fill_filter_choices(self) -> None:
        """The filter boxes' items from the choices the model read with the list's first page (one statement),
        keeping what is chosen."""
        choices = self.model.choices
        if choices is self._choices_shown:
            return
        self._choices_shown = choices
        techs = [(tid, localized(name_ja, name_en)) for tid, _code, name_ja, name_en in choices.technologies]
        countries = choices.countries
        for combo, items in (
            (self.technology_filter, techs),
            (self.country_filter, [(c, i18n.country_name(c)) for c in countries]),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for data, text in items:
                combo.addItem(text, data)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)

    def apply_filter(self) -> None:
        self._timer.stop()
        selected = self.current_id()
        self.model.set_filter(self.current_filter())
        if selected is not None:
            self.select_id(selected)

    def _after_reset(self) -> None:
        self._fill_filter_choices()  # (only after a reload read new choices)
        shown, total = self.model.matched_count(), self.model.total()
        self.count_label.setText(
            _("{shown} of {total}").format(shown=i18n.format_number(shown), total=i18n.format_number(total))
        )
        if self.current_id() is None and self.model.rowCount():
            self.view.selectRow(0)  # the selection change shows the detail (once)
            return
        self._show_detail()

    def select_id(self, organization_id: int) -> bool:
        while True:
            row = self.model.row_for_id(organization_id)
            if row is not None:
                self.view.selectRow(row)
                self.view.scrollTo(self.model.index(row, 0))
                return True
            if not self.model.canFetchMore(QModelIndex()):
                return False
            self.model.fetchMore(QModelIndex())

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_detail()
        self._update_actions()

    def _update_actions(self) -> None:
        has = self.current_id() is not None
        for name in ("edit", "delete", "new_contact"):
            self.actions_by_name[name].setEnabled(has)

    # --- the detail pane ----------------------------------------------------------------------------------------

    def _show_detail(self) -> None:
        org_id = self.current_id()
        self._update_actions()
        if org_id is None:
            self.summary.setHtml("")
            self.contacts.setRowCount(0)
            self.timeline.setRowCount(0)
            self._contacts = []
            return
        org = self.model.take_first_detail(org_id)  # the first row's: read with the list by the reload
        if org is None:
            with self._sessions() as session:
                org = ps.organization_detail(
                    session, org_id
                )  # one statement: a round trip on a shared server
        if org is None:  # deleted meanwhile
            return
        members = [
            (_(MEMBERSHIP_STATUS_LABELS[status]), joined, left) for status, joined, left in org.memberships
        ]
        techs = [(localized(name_ja, name_en), product) for name_ja, name_en, product in org.technologies]
        info = {
            "name": localized(org.name_ja, org.name_en),
            "kana": org.name_kana if i18n.current_language() == "ja" else org.name_ja,
            "en": org.name_en if i18n.current_language() == "ja" else "",
            "local": org.name_local,
            "kind": _(ORGANIZATION_KIND_LABELS[org.kind]),
            "country": i18n.country_name(org.country),
            "address": " ".join(p for p in (org.city, org.address) if p),
            "phone": i18n_phone(org.phone),
            "email": org.email,
            "website": org.website,
            "notes": org.notes,
        }
        self._contacts = org.contacts
        events = org.timeline
        self.summary.setHtml(_summary_html(info, members, techs))
        self._fill_contacts()
        self.timeline.setHorizontalHeaderLabels([_("Date"), _("Kind"), _("Title")])
        self.timeline.setRowCount(len(events))
        for r, e in enumerate(events):
            for c, text in enumerate(
                (i18n.format_date(e.on), _(TIMELINE_KINDS[e.kind]), localized(e.title, e.title_en))
            ):
                self.timeline.setItem(r, c, QTableWidgetItem(text))
        self.timeline.resizeColumnsToContents()

    def _fill_contacts(self) -> None:
        self.contacts.setHorizontalHeaderLabels(
            [_("Name"), pgettext("person", "Title"), _("E-mail"), _("Phone"), _("Status")]
        )
        self.contacts.setRowCount(len(self._contacts))
        for r, ln in enumerate(self._contacts):
            if ln.current:
                status = _("Current") if ln.confirmed_on else _("Not confirmed")
                if ln.confirmed_on:
                    status = _("Confirmed {date}").format(date=i18n.format_date(ln.confirmed_on))
            else:
                status = _("Left {date}").format(date=i18n.format_date(ln.ended_on))
                if ln.successor_name:
                    status += " → " + ln.successor_name
            name = localized(ln.name, ln.name_en)
            title = " ".join(p for p in (ln.department, ln.title) if p)
            for c, text in enumerate((name, title, ln.email, i18n_phone(ln.phone), status)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, ln.contact_id)
                if not ln.current:
                    item.setForeground(Qt.GlobalColor.gray)
                self.contacts.setItem(r, c, item)
        self.contacts.resizeColumnsToContents()

    def contact_rows(self) -> list[list[str]]:
        return [
            [_cell_text(self.contacts.item(r, c)) for c in range(self.contacts.columnCount())]
            for r in range(self.contacts.rowCount())
        ]

    # --- editing ----------------------------------------------------------------------------------------------

    def _after_save(self, dialog: OrganizationDialog | ContactDialog, organization_id: int | None) -> None:
        self.model.reload()
        target = organization_id if organization_id is not None else dialog.saved_id
        if target is not None:
            self.select_id(target)
        self._show_detail()

    def new_organization(self) -> OrganizationDialog:
        dialog = OrganizationDialog(self._sessions, None, self)
        dialog.accepted.connect(lambda: self._after_save(dialog, None))
        dialog.open()
        return dialog

    def edit_organization(self) -> OrganizationDialog | None:
        org_id = self.current_id()
        if org_id is None:
            return None
        try:
            dialog = OrganizationDialog(self._sessions, org_id, self)
        except ServiceError as exc:
            QMessageBox.warning(self, _("Partners"), exc.message)
            self.model.reload()
            return None
        dialog.accepted.connect(lambda: self._after_save(dialog, org_id))
        dialog.open()
        return dialog

    def delete_organization(self) -> bool:
        org_id = self.current_id()
        if org_id is None:
            return False
        row = self.model.row_at(self.view.currentIndex().row())
        answer = QMessageBox.question(
            self,
            _("Delete organization"),
            _("Delete {name}? This cannot be undone.").format(name=localized(row.name_ja, row.name_en)),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        with self._sessions() as session:
            try:
                partners.delete_organization(session, org_id)
                session.commit()
            except ServiceError as exc:
                session.rollback()
                QMessageBox.warning(self, _("Delete organization"), exc.message)
                return False
        self.model.reload()
        return True

    def new_contact(self) -> ContactDialog | None:
        org_id = self.current_id()
        if org_id is None:
            return None
        dialog = ContactDialog(self._sessions, org_id, None, self)
        dialog.accepted.connect(lambda: self._after_save(dialog, org_id))
        dialog.open()
        return dialog

    def edit_contact(self, row: int | None = None) -> ContactDialog | None:
        org_id = self.current_id()
        row = self.contacts.currentRow() if row is None else row
        if org_id is None or not (0 <= row < len(self._contacts)):
            return None
        dialog = ContactDialog(self._sessions, org_id, self._contacts[row].contact_id, self)
        dialog.accepted.connect(lambda: self._after_save(dialog, org_id))
        # a move saved with "New post..." shows in the list even when the contact dialog is then cancelled
        dialog.rejected.connect(lambda: self._after_save(dialog, org_id) if dialog.posts_changed else None)
        dialog.open()
        return dialog

    def rotation_check(self, today: date | None = None) -> RotationDialog:
        dialog = RotationDialog(self._sessions, today, self)
        dialog.finished.connect(lambda _r: self._show_detail())
        dialog.open()
        return dialog

    # --- import, export, print ----------------------------------------------------------------------------------

    def import_file(self, path: Path | None = None) -> ImportDialog:
        dialog = ImportDialog(self._sessions, self.import_mapping, self)

        def done() -> None:
            self.import_mapping = dialog.mapping_memory()
            self.model.reload()
            if dialog.import_result is not None:
                QMessageBox.information(
                    self,
                    _("Import partners"),
                    _(
                        "Imported {orgs} organizations and {contacts} contacts; {skipped} duplicates skipped."
                    ).format(
                        orgs=dialog.import_result.organizations,
                        contacts=dialog.import_result.contacts,
                        skipped=dialog.import_result.skipped,
                    ),
                )

        dialog.accepted.connect(done)
        dialog.open()
        if path is not None:
            dialog.load_file(path)
        return dialog

    def _save_path(self, title: str, name: str, filters: str) -> Path | None:
        path, _selected = QFileDialog.getSaveFileName(self, title, name, filters)
        return Path(path) if path else None

    def _records(self) -> list[ps.DirectoryRecord]:
        with self._sessions() as session:
            return ps.directory_records(session, self.model.matched_ids())

    def export_list(self, path: Path | None = None) -> Path | None:
        """The list as filtered now, to XLSX or CSV (chosen by the file name)."""
        path = path or self._save_path(
            _("Export list"), _("partners") + ".xlsx", _("Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv)")
        )
        if path is None:
            return None
        if path.suffix.lower() not in (".xlsx", ".csv"):
            path = path.with_suffix(".xlsx")
        from kawaoffice.documents.partner_export import write_list_csv, write_list_xlsx  # openpyxl: when used

        try:
            records = self._records()
            (write_list_csv if path.suffix.lower() == ".csv" else write_list_xlsx)(path, records)
        except OSError as exc:
            QMessageBox.warning(
                self, _("Export list"), _("Cannot write {path}: {error}").format(path=path, error=exc)
            )
            return None
        return path

    def copy_mailing_list(self, path: Path | None = None) -> str:
        """Current members' people's e-mail addresses, ``;``-separated for Outlook's BCC, to the clipboard (and a
        text file when ``path`` is given)."""
        from kawaoffice.documents.partner_export import mailing_list_text

        with self._sessions() as session:
            text = mailing_list_text(ps.mailing_list(session))
        QGuiApplication.clipboard().setText(text)
        if path is not None:
            path.write_text(text, encoding="utf-8")
        return text

    def print_directory(self, path: Path | None = None) -> Path | None:
        path = path or self._save_path(_("Print directory"), _("directory") + ".pdf", _("PDF (*.pdf)"))
        if path is None:
            return None
        from kawaoffice.documents.directory import write_directory  # reportlab: imported when printing

        try:
            write_directory(path, self._records())
        except OSError as exc:
            QMessageBox.warning(
                self, _("Print directory"), _("Cannot write {path}: {error}").format(path=path, error=exc)
            )
            return None
        return path

    # --- settings -----------------------------------------------------------------------------------------------

    def save_state(self) -> dict[str, Any]:
        return {
            "splitter": bytes(self.splitter.saveState().toBase64().data()).decode("ascii"),
            "import_mapping": self.import_mapping,
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        from PySide6.QtCore import QByteArray

        splitter = state.get("splitter")
        if isinstance(splitter, str) and splitter:
            self.splitter.restoreState(QByteArray.fromBase64(splitter.encode("ascii")))
        mapping = state.get("import_mapping")
        if isinstance(mapping, dict):
            self.import_mapping = {str(k): str(v) for k, v in mapping.items()}


def _cell_text(item: QTableWidgetItem | None) -> str:
    return item.text() if item is not None else ""


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")


def _summary_html(
    info: dict[str, str],
    members: list[tuple[str, date, date | None]],
    techs: list[tuple[str, str]],
) -> str:
    parts = [f"<h3>{_esc(info['name'])}</h3>"]
    sub = [p for p in (info["kana"], info["en"], info["local"]) if p]
    if sub:
        parts.append(f"<p>{'<br>'.join(_esc(s) for s in sub)}</p>")
    rows = [
        (_("Kind"), info["kind"]),
        (_("Country"), info["country"]),
        (_("Address"), info["address"]),
        (_("Phone"), info["phone"]),
        (_("E-mail"), info["email"]),
        (_("Website"), info["website"]),
    ]
    for status, joined, left in members:
        period = i18n.format_date(joined) + " – " + (i18n.format_date(left) if left else "")
        rows.append((_("Membership"), f"{status} ({period})"))
    if techs:
        rows.append((_("Technologies"), i18n.format_list([f"{n} ({p})" if p else n for n, p in techs])))
    rows.append((_("Notes"), info["notes"]))
    parts.append("<table cellspacing='2'>")
    for label, value in rows:
        if value:
            parts.append(f"<tr><td><b>{_esc(label)}</b></td><td>{_esc(value)}</td></tr>")
    parts.append("</table>")
    return "".join(parts)
