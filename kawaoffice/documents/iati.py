"""IATI activity standard 2.03 XML of projects, for reporting to partners.

Each project is an ``iati-activity``: identifier (reporting organisation ref + project code), titles and
description (ja/en narratives), participating organisations with their OrganisationRole (1 funding, 2 accountable,
3 extending, 4 implementing), ActivityStatus from the stage (or the end state), dates, recipient country, OECD DAC
5-digit sectors (vocabulary 1) and SDG targets as tags (vocabulary 3), and the budget in yen.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO

from kawaoffice.model.partners import OrganizationKind
from kawaoffice.model.projects import PROJECT_STATE_IATI_STATUS, Project, ProjectState

IATI_VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# IATI OrganisationType codes for the directory's organization kinds
ORGANISATION_TYPE: dict[OrganizationKind, str] = {
    OrganizationKind.CITY: "11",  # local government
    OrganizationKind.COOPERATING: "10",  # government (JICA, ministries)
    OrganizationKind.COUNTERPART: "15",  # other public sector (water utilities, city governments abroad)
    OrganizationKind.MEMBER: "70",  # private sector
    OrganizationKind.ACADEMIC: "80",  # academic, training and research
    OrganizationKind.OTHER: "90",
}

SECTOR_VOCABULARY_DAC5 = "1"
TAG_VOCABULARY_SDG_TARGETS = "3"


@dataclass(frozen=True)
class ReportingOrg:
    ref: str = "XI-KAWAOFFICE"  # replace with the organisation identifier registered for the bureau
    type: str = "11"
    name_ja: str = "川崎市上下水道局"
    name_en: str = "Kawasaki City Waterworks Bureau"


def activity_status(project: Project) -> int:
    """The IATI ActivityStatus code: the end state's (4 closed, 5 cancelled, 6 suspended) or the stage's."""
    if project.state != ProjectState.ACTIVE:
        return PROJECT_STATE_IATI_STATUS[project.state]
    return project.stage.iati_status if project.stage is not None else 1


def _narratives(parent: ET.Element, tag: str, ja: str, en: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    texts = [(lang, text) for lang, text in (("ja", ja), ("en", en)) if text]
    for lang, text in texts or [("ja", "-")]:
        narrative = ET.SubElement(element, "narrative")
        if lang != "ja":  # the activity's default language is Japanese
            narrative.set(XML_LANG, lang)
        narrative.text = text
    return element


def _dates(project: Project, today: date) -> list[tuple[str, date]]:
    events = sorted(project.events, key=lambda e: (e.occurred_on, e.id))
    result: list[tuple[str, date]] = []
    if project.start_on is not None:
        result.append(("2" if project.start_on <= today else "1", project.start_on))
    elif events:
        result.append(("2", events[0].occurred_on))
    else:
        result.append(("1", project.created_at.date() if project.created_at else today))
    if project.end_on is not None:
        ended = project.state != ProjectState.ACTIVE and project.end_on <= today
        result.append(("4" if ended else "3", project.end_on))
    return result


def activity_element(project: Project, org: ReportingOrg, today: date) -> ET.Element:
    activity = ET.Element("iati-activity")
    activity.set(XML_LANG, "ja")
    activity.set("default-currency", "JPY")
    updated = project.updated_at or datetime.now(UTC)
    activity.set("last-updated-datetime", updated.astimezone(UTC).replace(microsecond=0).isoformat())
    ET.SubElement(activity, "iati-identifier").text = f"{org.ref}-{project.code}"
    reporting = _narratives(activity, "reporting-org", org.name_ja, org.name_en)
    reporting.set("ref", org.ref)
    reporting.set("type", org.type)
    _narratives(activity, "title", project.title_ja, project.title_en)
    description = _narratives(
        activity,
        "description",
        project.description or project.title_ja,
        "" if project.description else project.title_en,
    )
    description.set("type", "1")
    participants = sorted(project.participants, key=lambda p: (p.role, p.organization.name_ja, p.id))
    if not participants:
        reporting_as_participant = _narratives(activity, "participating-org", org.name_ja, org.name_en)
        reporting_as_participant.set("ref", org.ref)
        reporting_as_participant.set("role", "4")
        reporting_as_participant.set("type", org.type)
    for participant in participants:
        o = participant.organization
        element = _narratives(activity, "participating-org", o.name_ja, o.name_en)
        element.set("role", str(participant.role))
        element.set("type", ORGANISATION_TYPE.get(o.kind, "90"))
    ET.SubElement(activity, "activity-status").set("code", str(activity_status(project)))
    for kind, day in _dates(project, today):
        element = ET.SubElement(activity, "activity-date")
        element.set("type", kind)
        element.set("iso-date", day.isoformat())
    if project.country:
        country = ET.SubElement(activity, "recipient-country")
        country.set("code", project.country)
        country.set("percentage", "100")
    sectors = sorted(project.sectors, key=lambda s: s.dac_code)
    with_pct = (
        all(s.percentage is not None for s in sectors) and sum(s.percentage or 0 for s in sectors) == 100
    )
    for sector in sectors:
        element = ET.SubElement(activity, "sector")
        element.set("vocabulary", SECTOR_VOCABULARY_DAC5)
        element.set("code", sector.dac_code)
        if with_pct and len(sectors) > 0:
            element.set("percentage", str(sector.percentage))
    for target in sorted(project.sdg_targets, key=lambda t: t.target):
        element = ET.SubElement(activity, "tag")
        element.set("vocabulary", TAG_VOCABULARY_SDG_TARGETS)
        element.set("code", target.target)
    if project.budget_yen is not None and project.start_on is not None and project.end_on is not None:
        budget = ET.SubElement(activity, "budget")
        budget.set("type", "1")
        budget.set("status", "1")
        ET.SubElement(budget, "period-start").set("iso-date", project.start_on.isoformat())
        ET.SubElement(budget, "period-end").set("iso-date", project.end_on.isoformat())
        value = ET.SubElement(budget, "value")
        value.set("currency", "JPY")
        value.set("value-date", project.start_on.isoformat())
        value.text = str(project.budget_yen)
    return activity


def iati_bytes(
    projects: Sequence[Project],
    *,
    org: ReportingOrg | None = None,
    generated: datetime | None = None,
    today: date | None = None,
) -> bytes:
    """The ``iati-activities`` document (UTF-8, with XML declaration) of ``projects``."""
    org = org or ReportingOrg()
    generated = generated or datetime.now(UTC)
    root = ET.Element("iati-activities")
    root.set("version", IATI_VERSION)
    root.set("generated-datetime", generated.astimezone(UTC).replace(microsecond=0).isoformat())
    for project in projects:
        root.append(activity_element(project, org, today or date.today()))
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def write_iati(
    dest: Path | BinaryIO,
    projects: Sequence[Project],
    *,
    org: ReportingOrg | None = None,
    generated: datetime | None = None,
    today: date | None = None,
) -> None:
    data = iati_bytes(projects, org=org, generated=generated, today=today)
    if isinstance(dest, Path):
        dest.write_bytes(data)
    else:
        dest.write(data)
