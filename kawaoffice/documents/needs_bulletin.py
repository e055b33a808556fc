"""The local needs bulletin for Kawa Biz Net members (現地ニーズ情報): PDF and a plain mail text."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from reportlab.platypus import Flowable

from kawaoffice import i18n
from kawaoffice.documents.pdf import build_pdf, content_width, key_value_table, para, table
from kawaoffice.i18n import _
from kawaoffice.model.projects import NEED_SOURCE_LABELS
from kawaoffice.model.reference import DAC_SECTORS
from kawaoffice.services.needs import BulletinItem, NeedsBulletin


def _loc(ja: str, en: str) -> str:
    return (ja or en) if i18n.current_language() == "ja" else (en or ja)


def bulletin_title(bulletin: NeedsBulletin) -> str:
    return _("Local needs bulletin: needs since {date}").format(date=i18n.format_date(bulletin.since))


def _facts(item: BulletinItem) -> list[tuple[str, str]]:
    n = item.need
    facts = [
        (_("Country"), i18n.country_name(n.country)),
        (_("Learnt on"), i18n.format_date(n.learned_on)),
        (_("Source"), _(NEED_SOURCE_LABELS[n.source])),
    ]
    if n.counterpart_ja:
        facts.append((_("Counterpart"), _loc(n.counterpart_ja, n.counterpart_en)))
    if n.dac_code:
        facts.append((_("Sector"), f"{n.dac_code} {_(DAC_SECTORS[n.dac_code])}"))
    if n.technologies:
        facts.append(
            (_("Technologies"), i18n.format_list([_loc(t.name_ja, t.name_en) for t in n.technologies]))
        )
    if n.project_code:
        facts.append((_("Project"), _loc(n.project_title_ja, n.project_title_en)))
    return facts


def build_needs_bulletin_pdf(dest: Path | BinaryIO, bulletin: NeedsBulletin) -> None:
    width = content_width()
    title = bulletin_title(bulletin)
    story: list[Flowable] = [para(title, "title")]
    story.append(
        para(
            _(
                "{count} needs learnt from {since} to {until}. Members interested in a need, please contact the office."
            ).format(
                count=i18n.format_number(len(bulletin.items)),
                since=i18n.format_date(bulletin.since),
                until=i18n.format_date(bulletin.until),
            ),
            "body",
        )
    )
    if not bulletin.items:
        story.append(para(_("No new local needs."), "body"))
    for number, item in enumerate(bulletin.items, 1):
        story.append(para(f"{number}. {item.need.topic}", "heading"))
        story.append(key_value_table(_facts(item)))
        if item.need.description:
            story.append(para(item.need.description, "body"))
        if item.members:
            rows: list[list[str | Flowable]] = [[_("Member company"), _("Matching technologies")]]
            for m in item.members:
                rows.append(
                    [
                        _loc(m.name_ja, m.name_en),
                        i18n.format_list([_loc(t.name_ja, t.name_en) for t in m.matched]),
                    ]
                )
            story.append(table(rows, [0.45 * width, 0.55 * width]))
    build_pdf(dest, story, title=title, subject=_("Local needs"), language=i18n.current_language())


def needs_mail_text(bulletin: NeedsBulletin) -> str:
    """The bulletin as the body of an e-mail to the members (plain text, CRLF-free, one block per need)."""
    lines = [
        bulletin_title(bulletin),
        "",
        _(
            "{count} needs learnt from {since} to {until}. Members interested in a need, please contact the office."
        ).format(
            count=i18n.format_number(len(bulletin.items)),
            since=i18n.format_date(bulletin.since),
            until=i18n.format_date(bulletin.until),
        ),
    ]
    for number, item in enumerate(bulletin.items, 1):
        lines += ["", f"■ {number}. {item.need.topic}"]
        lines += [f"  {label}: {value}" for label, value in _facts(item)]
        if item.need.description:
            lines.append(f"  {item.need.description}")
    if not bulletin.items:
        lines += ["", _("No new local needs.")]
    return "\n".join(lines) + "\n"
