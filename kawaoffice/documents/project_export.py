"""Projects as an XLSX workbook: one row per project, participants, stage history."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from kawaoffice import i18n
from kawaoffice.documents.iati import activity_status
from kawaoffice.documents.tabular import Sheet, write_xlsx
from kawaoffice.i18n import _
from kawaoffice.model.projects import PROJECT_STATE_LABELS, Project
from kawaoffice.model.reference import IATI_ORGANISATION_ROLE_LABELS
from kawaoffice.services.projects import staff_name


def _loc(ja: str, en: str) -> str:
    return (ja or en) if i18n.current_language() == "ja" else (en or ja)


def build_projects_xlsx(dest: Path | BinaryIO, projects: Sequence[Project]) -> None:
    english = i18n.current_language() != "ja"
    rows = []
    participants = []
    history = []
    for p in projects:
        rows.append(
            [
                p.code,
                p.title_ja,
                p.title_en,
                _loc(p.scheme.name_ja, p.scheme.name_en),
                _loc(p.stage.name_ja, p.stage.name_en) if p.stage else "",
                _(PROJECT_STATE_LABELS[p.state]),
                activity_status(p),
                i18n.country_name(p.country),
                p.region,
                _loc(p.counterpart.name_ja, p.counterpart.name_en) if p.counterpart else "",
                staff_name(p.lead_staff, english=english),
                p.start_on,
                p.end_on,
                p.budget_yen,
                ", ".join(sorted(t.target for t in p.sdg_targets)),
                ", ".join(
                    f"{s.dac_code} ({s.percentage}%)" if s.percentage is not None else s.dac_code
                    for s in sorted(p.sectors, key=lambda s: s.dac_code)
                ),
                p.next_action,
                p.next_action_on,
                p.description,
            ]
        )
        for part in sorted(p.participants, key=lambda x: (x.role, x.id)):
            participants.append(
                [
                    p.code,
                    _loc(part.organization.name_ja, part.organization.name_en),
                    part.role,
                    _(IATI_ORGANISATION_ROLE_LABELS[part.role]),
                    part.note,
                ]
            )
        for e in sorted(p.events, key=lambda e: (e.occurred_on, e.id)):
            history.append(
                [
                    p.code,
                    e.occurred_on,
                    _loc(e.from_stage.name_ja, e.from_stage.name_en) if e.from_stage else "",
                    _loc(e.to_stage.name_ja, e.to_stage.name_en) if e.to_stage else "",
                    _(PROJECT_STATE_LABELS[e.state]),
                    e.note,
                    e.reason,
                ]
            )
    write_xlsx(
        dest,
        [
            Sheet(
                _("Projects"),
                [
                    _("Code"),
                    _("Title (Japanese)"),
                    _("Title (English)"),
                    _("Scheme"),
                    _("Stage"),
                    _("State"),
                    _("IATI status"),
                    _("Country"),
                    _("Region"),
                    _("Counterpart"),
                    _("Lead"),
                    _("Start"),
                    _("End"),
                    _("Budget (yen)"),
                    _("SDG targets"),
                    _("DAC sectors"),
                    _("Next action"),
                    _("Next action date"),
                    _("Description"),
                ],
                rows,
                {13: "#,##0"},
            ),
            Sheet(
                _("Participants"),
                [_("Project"), _("Organization"), _("Role code"), _("Role"), _("Note")],
                participants,
            ),
            Sheet(
                _("Stage history"),
                [_("Project"), _("Date"), _("From"), _("To"), _("State"), _("Note"), _("Reason")],
                history,
            ),
        ],
    )
