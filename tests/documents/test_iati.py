"""The IATI 2.03 activity XML of the demo projects validates against the official schema and carries the codes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy.orm import Session

from kawaoffice.documents.iati import ReportingOrg, iati_bytes
from kawaoffice.services import projects
from kawaoffice.services.demo import load_demo

REPO = Path(__file__).resolve().parents[2]
SCHEMA_COPY = REPO / "tests" / "data" / "iati" / "iati-activities-schema.xsd"
SCHEMA_SHARED = (
    REPO.parent / "shared" / "iati" / "iati-activities-schema.xsd"
)  # the official files, if checked out
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _schema(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path)))


@pytest.fixture
def demo_xml(session: Session) -> etree._Element:
    load_demo(session)
    session.commit()
    data = iati_bytes(
        projects.projects_for_export(session),
        org=ReportingOrg(ref="JP-TEST-0001"),
        generated=datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
        today=date(2026, 11, 1),
    )
    assert data.startswith(b"<?xml")
    return etree.fromstring(data)


def test_demo_projects_validate_against_the_iati_schema(demo_xml: etree._Element) -> None:
    schema = _schema(SCHEMA_COPY)
    schema.assertValid(demo_xml)
    if SCHEMA_SHARED.exists():  # the copy is the official schema
        assert SCHEMA_SHARED.read_bytes() == SCHEMA_COPY.read_bytes()
        _schema(SCHEMA_SHARED).assertValid(demo_xml)
    assert demo_xml.get("version") == "2.03"


def test_codes_from_the_domain_lists(demo_xml: etree._Element) -> None:
    by_id = {a.findtext("iati-identifier"): a for a in demo_xml.findall("iati-activity")}
    mawasu2 = by_id["JP-TEST-0001-LA-2018-MAWASU2"]
    assert mawasu2.find("activity-status").get("code") == "2"  # implementation stage
    roles = sorted(p.get("role") for p in mawasu2.findall("participating-org"))
    assert roles == ["1", "2", "3", "4", "4"]
    assert [(s.get("vocabulary"), s.get("code"), s.get("percentage")) for s in mawasu2.findall("sector")] == [
        ("1", "14010", "20"),
        ("1", "14021", "60"),
        ("1", "14081", "20"),
    ]
    assert [(t.get("vocabulary"), t.get("code")) for t in mawasu2.findall("tag")] == [
        ("3", "6.1"),
        ("3", "6.4"),
        ("3", "6.a"),
    ]
    assert mawasu2.find("recipient-country").get("code") == "LA"
    titles = {n.get(XML_LANG, "ja"): n.text for n in mawasu2.find("title").findall("narrative")}
    assert "MaWaSU2" in titles["ja"] and "MaWaSU2" in titles["en"]

    bandung = by_id["JP-TEST-0001-ID-2019-BANDUNG"]
    assert bandung.find("activity-status").get("code") == "4"  # completed -> closed
    assert {(d.get("type"), d.get("iso-date")) for d in bandung.findall("activity-date")} == {
        ("2", "2019-07-01"),
        ("4", "2020-03-31"),
    }
    assert bandung.find("budget/value").text == "48000000"
    assert bandung.find("budget/value").get("currency") == "JPY"
    suspended = by_id["JP-TEST-0001-KB-2020-VN-MEMBRANE"]
    assert suspended.find("activity-status").get("code") == "6"
    pipeline = by_id["JP-TEST-0001-LA-2026-GRASS-NRW"]
    assert pipeline.find("activity-status").get("code") == "1"


def test_an_invalid_document_is_refused_by_the_schema(demo_xml: etree._Element) -> None:
    activity = demo_xml.find("iati-activity")
    activity.remove(activity.find("activity-status"))
    assert not _schema(SCHEMA_COPY).validate(demo_xml)
