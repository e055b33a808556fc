"""The statistics workbook: the annual report's tables as an Excel file, one sheet per table, with the same
headings and numbers as the PDF and the statistics window."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from kawaoffice import i18n
from kawaoffice.documents.annual_report import (
    country_headers,
    country_label,
    headline,
    loc,
    member_headers,
    period_label,
    summary_figures,
    visit_country_text,
    year_headers,
)
from kawaoffice.documents.tabular import Sheet, write_xlsx
from kawaoffice.i18n import _, pgettext
from kawaoffice.model.dispatch import DISPATCH_PURPOSE_LABELS, DISPATCH_STATUS_LABELS
from kawaoffice.model.projects import PROJECT_STATE_LABELS
from kawaoffice.model.tours import BOOKING_STATUS_LABELS, VISITOR_TYPE_LABELS
from kawaoffice.services.reports import AnnualReport, collections_paused

__all__ = ["build_stats_xlsx", "stats_sheets"]

NUMBER = "#,##0"


def _numbers(first: int, last: int) -> dict[int, str]:
    return dict.fromkeys(range(first, last + 1), NUMBER)


def stats_sheets(report: AnnualReport, *, era: bool = False) -> list[Sheet]:
    """The sheets in order: summary, countries, visitor types, fiscal years, projects by stage, stage changes,
    member companies, local needs, and for a fiscal year the visits and dispatches."""
    summary_rows: list[list[object]] = [[_("Period"), period_label(report, era)]]
    if report.first_day is not None and report.last_day is not None:
        summary_rows.append([_("From"), report.first_day])
        summary_rows.append([_("To"), report.last_day])
    summary_rows.append([_("Summary"), headline(report)])
    # the summary's figures as numbers (the PDF shows the same values formatted)
    values = [
        report.visitors,
        report.groups,
        report.trainees,
        report.visitor_countries,
        report.dispatches,
        report.person_trips,
        report.experts,
        report.person_days,
        report.dispatch_countries,
        report.projects_count,
        len(report.stage_changes),
        report.member_companies,
        report.needs.recorded,
        report.needs.passed_on,
    ]
    summary_rows += [
        [label, value] for (label, _shown), value in zip(summary_figures(report), values, strict=True)
    ]

    countries = [
        [
            country_label(c.country),
            c.country,
            c.visitors,
            c.groups,
            c.dispatches,
            c.person_trips,
            c.experts,
            c.person_days,
        ]
        for c in report.countries
    ]
    country_sheet_headers = [country_headers()[0], _("ISO code"), *country_headers()[1:]]

    sheets = [
        Sheet(_("Summary"), [_("Figure"), _("Value")], summary_rows),
        Sheet(_("Countries and regions"), country_sheet_headers, countries, _numbers(2, 7)),
        Sheet(
            _("Visitor types"),
            [_("Visitor type"), _("Visitors"), _("Groups")],
            [[_(VISITOR_TYPE_LABELS[t.visitor_type]), t.visitors, t.groups] for t in report.visitor_types],
            _numbers(1, 2),
        ),
        Sheet(
            _("By fiscal year"),
            year_headers(),
            [
                [
                    i18n.fiscal_year_label(y.fiscal_year, era=era),
                    y.visitors,
                    y.groups,
                    y.dispatches,
                    y.person_trips,
                    y.experts,
                    y.person_days,
                ]
                for y in report.years
            ],
            _numbers(1, 6),
        ),
        Sheet(
            _("Projects by stage"),
            [_("Scheme"), _("Stage"), _("State"), _("Code"), _("Project"), _("Country")],
            [
                [
                    loc(scheme.name_ja, scheme.name_en),
                    loc(p.stage_ja, p.stage_en),
                    _(PROJECT_STATE_LABELS[p.state]),
                    p.code,
                    loc(p.title_ja, p.title_en),
                    country_label(p.country) if p.country else "",
                ]
                for scheme, p in report.projects_by_scheme()
            ],
        ),
        Sheet(
            _("Stage changes"),
            [_("Date"), _("Code"), _("Project"), _("From"), _("To"), _("State")],
            [
                [
                    e.occurred_on,
                    e.project_code,
                    loc(e.project_title_ja, e.project_title_en),
                    loc(e.from_stage_ja, e.from_stage_en),
                    loc(e.to_stage_ja, e.to_stage_en),
                    _(PROJECT_STATE_LABELS[e.state]),
                ]
                for e in report.stage_changes
            ],
        ),
        Sheet(
            _("Member companies"),
            member_headers(),
            [
                [loc(m.name_ja, m.name_en), m.projects, m.missions, m.presentations, m.total]
                for m in report.members
            ],
            _numbers(1, 4),
        ),
        Sheet(
            _("Local needs"),
            [_("Learnt on"), _("Country"), _("Need"), _("Description"), _("Passed on")],
            [
                [n.learned_on, country_label(n.country), n.topic, n.description, n.passed_on]
                for n in report.needs.needs
            ],
        ),
    ]
    if report.fiscal_year is not None:
        english = i18n.current_language() != "ja"
        sheets.append(
            Sheet(
                _("Visits"),
                [_("Date"), _("Code"), _("Group"), _("Country"), _("Visitor type"), _("People"), _("Status")],
                [
                    [
                        v.visit_date,
                        v.code,
                        loc(v.group_name, v.group_name_en),
                        visit_country_text(report, v),
                        _(VISITOR_TYPE_LABELS[v.visitor_type]),
                        v.headcount,
                        _(BOOKING_STATUS_LABELS[v.status]),
                    ]
                    for v in report.visits
                ],
                {5: NUMBER},
            )
        )
        sheets.append(
            Sheet(
                pgettext("report", "Dispatches"),
                [
                    pgettext("period", "From"),
                    pgettext("period", "To"),
                    _("Code"),
                    pgettext("report", "Dispatch"),
                    _("Country"),
                    _("Purpose"),
                    _("Status"),
                    _("Members"),
                ],
                [
                    [
                        d.departure_on,
                        d.return_on,
                        d.code,
                        loc(d.title, d.title_en),
                        country_label(d.country),
                        _(DISPATCH_PURPOSE_LABELS[d.purpose]),
                        _(DISPATCH_STATUS_LABELS[d.status]),
                        "\n".join(d.members_en if english else d.members),
                    ]
                    for d in report.dispatch_list
                ],
            )
        )
    return sheets


def build_stats_xlsx(dest: Path | BinaryIO, report: AnnualReport, *, era: bool = False) -> None:
    with collections_paused():  # ~130,000 cells at scale 100: a third of the CPU time went to collections
        write_xlsx(dest, stats_sheets(report, era=era))
