"""The fiscal-year progress report (年度進捗報告) for managers: PDF (A4) and XLSX from
:func:`kawaoffice.services.project_report.progress_report`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from kawaoffice import i18n
from kawaoffice.documents.pdf import build_pdf, content_width, key_value_table, para, table
from kawaoffice.documents.tabular import Sheet, write_xlsx
from kawaoffice.i18n import _, pgettext
from kawaoffice.model.projects import NEED_SOURCE_LABELS, PROJECT_STATE_LABELS, ProjectState
from kawaoffice.services.project_report import ProgressReport, ReportEvent


def _loc(ja: str, en: str) -> str:
    return (ja or en) if i18n.current_language() == "ja" else (en or ja)


def _day(d: date | None, era: bool) -> str:
    if d is None:
        return ""
    if era and i18n.current_language() == "ja":
        return i18n.format_japanese_era(d)
    return i18n.format_date(d)


def _state(state: ProjectState) -> str:
    return _(PROJECT_STATE_LABELS[state])


def _move(e: ReportEvent) -> str:
    to = _loc(e.to_stage_ja, e.to_stage_en)
    if e.state != ProjectState.ACTIVE:
        return f"{to} → {_state(e.state)}" if to else _state(e.state)
    frm = _loc(e.from_stage_ja, e.from_stage_en)
    return f"{frm} → {to}" if frm else to


def report_title(report: ProgressReport, era: bool = False) -> str:
    return _("Project progress report {fiscal_year}").format(
        fiscal_year=i18n.fiscal_year_label(report.fiscal_year, era=era)
    )


def build_progress_report_pdf(dest: Path | BinaryIO, report: ProgressReport, *, era: bool = False) -> None:
    """A4 portrait: summary, then per scheme a table of projects grouped by stage (as at the end of the year) with
    the year's stage changes, linked dispatches and visits; then all stage changes and the new local needs."""
    width = content_width()
    title = report_title(report, era)
    story: list[Flowable] = [para(title, "title")]
    story.append(
        key_value_table(
            [
                (_("Fiscal year"), i18n.fiscal_year_label(report.fiscal_year, era=era)),
                (_("Period"), f"{_day(report.first_day, era)} – {_day(report.last_day, era)}"),
                (_("Number of projects"), i18n.format_number(len(report.projects))),
                (_("Stage changes"), i18n.format_number(len(report.stage_changes))),
                (_("New local needs"), i18n.format_number(len(report.new_needs))),
            ]
        )
    )
    story.append(para(_("Stages are as at the end of the fiscal year."), "note"))
    widths = [0.16 * width, 0.32 * width, 0.13 * width, 0.39 * width]
    for scheme in report.schemes:
        story.append(para(_loc(scheme.name_ja, scheme.name_en), "heading"))
        rows: list[list[str | Flowable]] = [[_("Stage"), _("Project"), _("Country"), _("During the year")]]
        for stage in scheme.stages:
            stage_name = _loc(stage.name_ja, stage.name_en) or _("(no stage)")
            for p in stage.projects:
                lines = [
                    _("{date}: {move}").format(date=_day(e.occurred_on, era), move=_move(e))
                    + (f" ({e.note})" if e.note else "")
                    for e in p.events
                ]
                lines += [
                    _("Dispatch {code}: {title} ({start} – {end})").format(
                        code=d.code,
                        title=_loc(d.title, d.title_en),
                        start=_day(d.first_day, era),
                        end=_day(d.last_day, era),
                    )
                    for d in p.dispatches
                ]
                lines += [
                    _("Visit {code}: {title} ({start})").format(
                        code=v.code, title=_loc(v.title, v.title_en), start=_day(v.first_day, era)
                    )
                    for v in p.visits
                ]
                stage_cell = stage_name
                if p.state != ProjectState.ACTIVE:
                    stage_cell = f"{stage_name}\n({_state(p.state)})"
                project_cell = f"{_loc(p.title_ja, p.title_en)}\n{p.code}"
                if p.lead_ja:
                    project_cell += "\n" + _("Lead: {name}").format(name=_loc(p.lead_ja, p.lead_en))
                rows.append([stage_cell, project_cell, i18n.country_name(p.country), "\n".join(lines) or "—"])
        story.append(table(rows, widths))
    story.append(para(_("Stage changes during the year"), "heading"))
    if report.stage_changes:
        change_rows: list[list[str | Flowable]] = [[_("Date"), _("Project"), _("Move"), _("Note")]]
        for e in report.stage_changes:
            note = e.note + (("\n" + _("Reason: {reason}").format(reason=e.reason)) if e.reason else "")
            change_rows.append(
                [
                    _day(e.occurred_on, era),
                    f"{_loc(e.project_title_ja, e.project_title_en)}\n{e.project_code}",
                    _move(e),
                    note,
                ]
            )
        story.append(table(change_rows, [0.15 * width, 0.35 * width, 0.25 * width, 0.25 * width]))
    else:
        story.append(para(_("No stage changes."), "body"))
    story.append(para(_("New local needs"), "heading"))
    if report.new_needs:
        need_rows: list[list[str | Flowable]] = [
            [_("Learnt on"), _("Country"), _("Need"), _("Source"), _("Project")]
        ]
        for n in report.new_needs:
            need_rows.append(
                [
                    _day(n.learned_on, era),
                    i18n.country_name(n.country),
                    n.topic + (f"\n{n.description}" if n.description else ""),
                    _(NEED_SOURCE_LABELS[n.source]),
                    n.project_code,
                ]
            )
        story.append(table(need_rows, [0.14 * width, 0.12 * width, 0.44 * width, 0.1 * width, 0.2 * width]))
    else:
        story.append(para(_("No new local needs."), "body"))
    story.append(Spacer(1, 4 * mm))
    build_pdf(dest, story, title=title, subject=_("Project stages"), language=i18n.current_language())


def build_progress_report_xlsx(dest: Path | BinaryIO, report: ProgressReport) -> None:
    """The same report as a workbook: projects, stage changes, dispatches and visits, new needs."""
    projects_rows = []
    links_rows = []
    for scheme in report.schemes:
        for stage in scheme.stages:
            for p in stage.projects:
                projects_rows.append(
                    [
                        _loc(scheme.name_ja, scheme.name_en),
                        _loc(stage.name_ja, stage.name_en),
                        _state(p.state),
                        p.code,
                        _loc(p.title_ja, p.title_en),
                        i18n.country_name(p.country),
                        _loc(p.lead_ja, p.lead_en),
                        p.start_on,
                        p.end_on,
                        p.budget_yen,
                        len(p.events),
                    ]
                )
                for d in p.dispatches:
                    links_rows.append(
                        [p.code, _("Dispatch"), d.code, _loc(d.title, d.title_en), d.first_day, d.last_day]
                    )
                for v in p.visits:
                    links_rows.append(
                        [p.code, _("Visit"), v.code, _loc(v.title, v.title_en), v.first_day, v.last_day]
                    )
    sheets = [
        Sheet(
            _("Projects"),
            [
                _("Scheme"),
                _("Stage"),
                _("State"),
                _("Code"),
                _("Title"),
                _("Country"),
                _("Lead"),
                _("Start"),
                _("End"),
                _("Budget (yen)"),
                _("Stage changes"),
            ],
            projects_rows,
            {9: "#,##0"},
        ),
        Sheet(
            _("Stage changes"),
            [_("Date"), _("Code"), _("Project"), _("From"), _("To"), _("State"), _("Note"), _("Reason")],
            [
                [
                    e.occurred_on,
                    e.project_code,
                    _loc(e.project_title_ja, e.project_title_en),
                    _loc(e.from_stage_ja, e.from_stage_en),
                    _loc(e.to_stage_ja, e.to_stage_en),
                    _state(e.state),
                    e.note,
                    e.reason,
                ]
                for e in report.stage_changes
            ],
        ),
        Sheet(
            _("Dispatches and visits"),
            [
                _("Project"),
                _("Kind"),
                _("Code"),
                _("Title"),
                pgettext("period", "From"),
                pgettext("period", "To"),
            ],
            links_rows,
        ),
        Sheet(
            _("New local needs"),
            [_("Learnt on"), _("Country"), _("Need"), _("Description"), _("Source"), _("Project")],
            [
                [
                    n.learned_on,
                    i18n.country_name(n.country),
                    n.topic,
                    n.description,
                    _(NEED_SOURCE_LABELS[n.source]),
                    n.project_code,
                ]
                for n in report.new_needs
            ],
        ),
    ]
    write_xlsx(dest, sheets)
