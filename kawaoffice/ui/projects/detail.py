"""The project detail pane: fields, participants with IATI roles, SDG/DAC tags, stage history with the days spent
in each stage, next action, linked dispatches and visits."""

from __future__ import annotations

from datetime import date
from html import escape

from PySide6.QtWidgets import QTextBrowser, QWidget
from sqlalchemy.orm import Session

from kawaoffice import i18n
from kawaoffice.i18n import _, ngettext
from kawaoffice.model.projects import PROJECT_STATE_LABELS, ProjectState
from kawaoffice.model.reference import DAC_SECTORS, IATI_ORGANISATION_ROLE_LABELS
from kawaoffice.services import projects as service
from kawaoffice.ui.widgets.format import country_name, format_date, localized


def _row(label: str, value: str) -> str:
    return f"<tr><th align='left' valign='top'>{escape(label)}</th><td>{escape(value)}</td></tr>"


def _days(n: int | None) -> str:
    return "" if n is None else ngettext("{n} day", "{n} days", n).format(n=n)


def project_html(session: Session, project_id: int, today: date) -> str:
    # one statement for the whole pane
    return detail_html(service.project_detail(session, project_id, today=today), today)


def detail_html(detail: service.ProjectDetail, today: date) -> str:
    """The pane's HTML for a project's detail (read by ``project_detail`` or with the tab's first page)."""
    p = detail.project
    stage = localized(p.stage_ja, p.stage_en) if p.stage_ja is not None else ""
    state = _(PROJECT_STATE_LABELS[p.state])
    history = detail.history
    current_days = detail.days_in_current_stage(today)
    parts = [f"<h3>{escape(localized(p.title_ja, p.title_en))}</h3>", "<table cellspacing='4'>"]
    parts.append(_row(_("Code"), p.code))
    parts.append(_row(_("Title (Japanese)"), p.title_ja))
    parts.append(_row(_("Title (English)"), p.title_en))
    parts.append(_row(_("Scheme"), localized(p.scheme_ja, p.scheme_en)))
    stage_text = stage if p.state == ProjectState.ACTIVE else f"{stage} ({state})"
    parts.append(_row(_("Stage"), stage_text))
    if current_days is not None:
        parts.append(_row(_("Days in stage"), _days(current_days)))
    parts.append(_row(_("Country"), " ".join(x for x in (country_name(p.country), p.region) if x)))
    if p.counterpart_ja is not None:
        parts.append(_row(_("Counterpart"), localized(p.counterpart_ja, p.counterpart_en)))
    parts.append(_row(_("Lead"), p.lead_en if i18n.current_language() != "ja" else p.lead_ja))
    parts.append(_row(_("Period"), f"{format_date(p.start_on)} – {format_date(p.end_on)}"))
    if p.budget_yen is not None:
        parts.append(_row(_("Budget"), i18n.format_yen(p.budget_yen)))
    if p.next_action or p.next_action_on:
        overdue = p.state == ProjectState.ACTIVE and p.next_action_on is not None and p.next_action_on < today
        text = f"{format_date(p.next_action_on)} {p.next_action}".strip()
        value = f"<span style='color:#c62828'>{escape(text)}</span>" if overdue else escape(text)
        parts.append(f"<tr><th align='left'>{escape(_('Next action'))}</th><td>{value}</td></tr>")
    parts.append(_row(_("SDG 6 targets"), i18n.format_list(list(detail.sdg_targets))))
    sectors = [f"{code} {_(DAC_SECTORS[code])}" for code, _percentage in detail.sectors]
    parts.append(
        f"<tr><th align='left' valign='top'>{escape(_('DAC sectors'))}</th>"
        f"<td>{'<br>'.join(escape(x) for x in sectors)}</td></tr>"
    )
    parts.append("</table>")
    if p.description:
        parts.append(f"<p>{escape(p.description)}</p>")

    parts.append(f"<h4>{escape(_('Participants'))}</h4><ul>")
    for part in detail.participants:
        name = localized(part.name_ja, part.name_en)
        role = _(IATI_ORGANISATION_ROLE_LABELS[part.role])
        note = f" ({part.note})" if part.note else ""
        parts.append(f"<li>{escape(name)}: {escape(role)}{escape(note)}</li>")
    parts.append("</ul>")

    parts.append(f"<h4>{escape(_('Stage history'))}</h4>")
    parts.append("<table border='1' cellspacing='0' cellpadding='3'>")
    parts.append(
        "<tr>"
        + "".join(f"<th>{escape(h)}</th>" for h in (_("Date"), _("Stage"), _("Time in stage"), _("Note")))
        + "</tr>"
    )
    for h in history:
        to = localized(h.to_stage_ja, h.to_stage_en)
        if h.state != ProjectState.ACTIVE:
            to = f"{to} → {_(PROJECT_STATE_LABELS[h.state])}" if to else _(PROJECT_STATE_LABELS[h.state])
        note = h.note
        if h.reason:
            note = f"{note} " + _("Reason: {reason}").format(reason=h.reason)
        parts.append(
            f"<tr><td>{escape(format_date(h.occurred_on))}</td><td>{escape(to)}</td>"
            f"<td align='right'>{escape(_days(h.days))}</td><td>{escape(note.strip())}</td></tr>"
        )
    parts.append("</table>")

    dispatches = detail.dispatches
    visits = detail.visits
    parts.append(f"<h4>{escape(_('Dispatches'))}</h4><ul>")
    for d in dispatches:
        parts.append(
            f"<li>{escape(d.code)} {escape(localized(d.title, d.title_en))} "
            f"({escape(format_date(d.first_day))} – {escape(format_date(d.last_day))}, {escape(d.status)})</li>"
        )
    parts.append(f"</ul><h4>{escape(_('Visits'))}</h4><ul>")
    for v in visits:
        parts.append(
            f"<li>{escape(v.code)} {escape(localized(v.title, v.title_en))} "
            f"({escape(format_date(v.first_day))}, {escape(v.status)})</li>"
        )
    parts.append("</ul>")
    return "".join(parts)


class ProjectDetail(QTextBrowser):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("project_detail")
        self.setOpenLinks(False)

    def clear_project(self) -> None:
        hint = _("Select a project to see its details.")
        self.setHtml(f"<p style='color:#666'>{escape(hint)}</p>")
