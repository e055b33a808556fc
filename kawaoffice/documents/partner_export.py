"""Exports of the partner list: the filtered list as XLSX or CSV, and the member mailing list for Outlook."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from kawaoffice import i18n
from kawaoffice.documents.tabular import Sheet, write_csv, write_xlsx
from kawaoffice.i18n import _
from kawaoffice.model.partners import MEMBERSHIP_STATUS_LABELS, ORGANIZATION_KIND_LABELS
from kawaoffice.services.partner_search import DirectoryRecord

__all__ = ["export_headers", "export_rows", "mailing_list_text", "write_list_csv", "write_list_xlsx"]


def export_headers() -> list[str]:
    return [
        _("Kind"),
        _("Name"),
        _("Reading"),
        _("English name"),
        _("Name in local script"),
        _("Country"),
        _("Membership"),
        _("Technologies"),
        _("Address"),
        _("Phone"),
        _("E-mail"),
        _("Website"),
        _("Contacts"),
    ]


def _label(labels: Mapping[Any, str], value: object) -> str:
    return _(labels[value]) if value in labels else ""


def export_rows(records: Sequence[DirectoryRecord]) -> list[list[object]]:
    """One row per organization; the people in current posts in one cell, one per line."""
    english = i18n.current_language() != "ja"
    rows: list[list[object]] = []
    for rec in records:
        r = rec.row
        people = "\n".join(
            " ".join(p for p in ((ln.name_en or ln.name) if english else ln.name, ln.title, ln.email) if p)
            for ln in rec.people
        )
        rows.append(
            [
                _label(ORGANIZATION_KIND_LABELS, r.kind),
                r.name_ja,
                r.name_kana,
                r.name_en,
                rec.name_local,
                i18n.country_name(r.country),
                _label(MEMBERSHIP_STATUS_LABELS, r.member_status),
                i18n.format_list(r.technologies_en if english else r.technologies),
                rec.address,
                rec.phone,
                rec.email,
                rec.website,
                people,
            ]
        )
    return rows


def write_list_xlsx(dest: Path | BinaryIO, records: Sequence[DirectoryRecord]) -> None:
    write_xlsx(dest, [Sheet(_("Partners"), export_headers(), export_rows(records))])


def write_list_csv(dest: Path | BinaryIO, records: Sequence[DirectoryRecord]) -> None:
    """UTF-8 with BOM (Japanese Excel opens it), CRLF, cells starting with = + - @ neutralised."""
    write_csv(dest, export_headers(), export_rows(records))


def mailing_list_text(emails: Sequence[str]) -> str:
    """Addresses for Outlook's BCC field: ``a@x.jp; b@y.jp``."""
    return "; ".join(emails)
