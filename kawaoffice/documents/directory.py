"""The printed partner directory (名簿): A4, IPAex fonts embedded, Japanese or English."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import BinaryIO

from reportlab.platypus import Flowable, Spacer

from kawaoffice import i18n
from kawaoffice.documents.pdf import build_pdf, content_width, mm, para, table
from kawaoffice.i18n import _
from kawaoffice.model.partners import MEMBERSHIP_STATUS_LABELS, ORGANIZATION_KIND_LABELS, OrganizationKind
from kawaoffice.services.partner_search import DirectoryRecord, display_phone

__all__ = ["write_directory"]

_KIND_ORDER = list(OrganizationKind)


def _people(rec: DirectoryRecord, english: bool) -> str:
    lines = []
    for ln in rec.people:
        name = (ln.name_en or ln.name) if english else ln.name
        lines.append("  ".join(p for p in (name, ln.title, ln.email, display_phone(ln.phone)) if p))
    return "\n".join(lines)


def write_directory(dest: Path | BinaryIO, records: Sequence[DirectoryRecord]) -> None:
    """The directory in the current language, grouped by kind, in the order of ``records`` within a kind."""
    english = i18n.current_language() != "ja"
    story: list[Flowable] = [para(_("Partner directory"), "title")]
    story.append(
        para(
            _("{count} organizations, printed {date}").format(
                count=i18n.format_number(len(records)), date=i18n.format_date(date.today())
            ),
            "subtitle",
        )
    )
    width = content_width()
    widths = [width * 0.34, width * 0.12, width * 0.54]
    for kind in _KIND_ORDER:
        group = [r for r in records if r.row.kind == kind]
        if not group:
            continue
        story.append(Spacer(1, 4 * mm))
        story.append(para(_(ORGANIZATION_KIND_LABELS[kind]), "heading"))
        rows: list[list[str]] = [[_("Name"), _("Country"), _("Address, phone, e-mail, contacts")]]
        for rec in group:
            r = rec.row
            if english:
                name = "\n".join(p for p in (r.name_en or r.name_ja, r.name_ja if r.name_en else "") if p)
            else:
                name = "\n".join(p for p in (r.name_ja, r.name_kana, r.name_en) if p)
            if r.member_status is not None:
                name += "\n" + _(MEMBERSHIP_STATUS_LABELS[r.member_status])
            techs = i18n.format_list(r.technologies_en if english else r.technologies)
            details = "\n".join(
                p
                for p in (
                    rec.address,
                    display_phone(rec.phone),
                    rec.email,
                    rec.website,
                    techs,
                    _people(rec, english),
                )
                if p
            )
            rows.append([name, i18n.country_name(r.country), details])
        story.append(table(rows, widths))
    build_pdf(
        dest,
        story,
        title=_("Partner directory"),
        subject=_("Organizations and contacts"),
        language=i18n.current_language(),
    )
