"""The partner list read from the stored sort key: the first page (one statement) and every later page agree with
the whole order, which is the Japanese dictionary order of ``name_key``; rows written around the services get their
keys from the column default, existing rows from the migration; the detail pane reads three statements whatever
the organization holds."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from kawaoffice.model.base import utcnow
from kawaoffice.model.partners import MembershipStatus, Organization, OrganizationKind, organization_sort_key
from kawaoffice.services import partner_search as ps
from kawaoffice.services import partners
from tests.statements import statements_of as _statements

_READINGS = [
    "カワサキ",
    "かわさき",
    "ｶﾞｽ",
    "ガス",
    "アクア",
    "あくあ",
    "スイドウ",
    "",
    "ナムパパ",
    "ﾃｸﾉ",
    "テクノ",
    "ミズ",
]
_NAMES = ["川崎", "水道", "技研", "Aqua", "テクノ", "工業", "株式会社", "ラオ", "Zeta", "協会"]


def _directory(session: Session, n: int = 75) -> list[int]:
    rng = random.Random(7)
    leak = partners.create_technology(session, code="LEAK", name_ja="漏水探知", name_en="Leak detection")
    uf = partners.create_technology(session, code="UF", name_ja="膜ろ過", name_en="")
    ids = []
    for i in range(n):
        org = partners.create_organization(
            session,
            kind=rng.choice(list(OrganizationKind)),
            name_ja=rng.choice(_NAMES) + rng.choice(_NAMES),
            name_kana=rng.choice(_READINGS),
            name_en=rng.choice(["", "Kawasaki Water", "aqua", "Zeta Gas", f"Org {i % 7}"]),
        )
        ids.append(org.id)
        if i % 3 == 0:
            partners.create_membership(session, organization_id=org.id, joined_on=date(2015, 4, 1))
        if i % 5 == 0:
            partners.create_membership(
                session,
                organization_id=org.id,
                joined_on=date(2010, 4, 1),
                left_on=date(2012, 3, 31),
                status=MembershipStatus.LEFT,
            )
        for tech in (leak, uf)[: i % 3]:
            partners.add_organization_technology(session, organization_id=org.id, technology_id=tech.id)
    session.commit()
    return ids


def _expected_order(session: Session, language: str) -> list[int]:
    rows = session.execute(
        select(Organization.id, Organization.name_kana, Organization.name_ja, Organization.name_en)
    ).all()
    return [
        r.id
        for r in sorted(rows, key=lambda r: (ps.name_key(language, r.name_kana, r.name_ja, r.name_en), r.id))
    ]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_first_page_and_later_pages_follow_the_list_order(session: Session, language: str) -> None:
    _directory(session)
    # a row written around the services (as the demo generator's bulk load does) gets its keys from the default
    session.execute(
        insert(Organization),
        [
            {
                "kind": OrganizationKind.OTHER,
                "name_ja": "あとから協会",
                "name_kana": "アトカラ",
                "name_en": "Afterwards",
                "version": 1,
                "created_at": utcnow(),
                "updated_at": utcnow(),
            }
        ],
    )
    session.commit()
    expected = _expected_order(session, language)
    assert ps.matching_ids(session, ps.PartnerFilter(), language) == expected
    assert ps.PartnerIndex.build(session, language).ids() == expected
    total, first = ps.first_page(session, language, 60)
    assert total == len(expected) == 76
    assert [r.id for r in first] == expected[:60]
    assert first == ps.partner_rows(session, expected[:60])
    assert ps.first_page(session, language, 500)[1] == ps.partner_rows(session, expected)
    # what a row shows: the latest membership's status and the technologies by code
    by_id = {r.id: r for r in ps.partner_rows(session, expected)}
    for org in session.scalars(select(Organization)):
        row = by_id[org.id]
        latest = sorted(org.memberships, key=lambda m: (m.joined_on, m.id))
        assert row.member_status == (latest[-1].status if latest else None)
        techs = sorted(org.technologies, key=lambda t: t.technology.code)
        assert row.technologies == tuple(t.technology.name_ja for t in techs)
        assert row.technologies_en == tuple(t.technology.name_en or t.technology.name_ja for t in techs)


def test_an_edit_moves_the_organization_in_the_list(session: Session) -> None:
    ids = _directory(session, 10)
    org = partners.get_organization(session, ids[3])
    partners.update_organization(session, org.id, org.version, name_kana="ンンン", name_en="zzz")
    session.commit()
    assert ps.matching_ids(session, ps.PartnerFilter(), "ja")[-1] == org.id
    for language in ("ja", "en"):
        assert ps.matching_ids(session, ps.PartnerFilter(), language) == _expected_order(session, language)
    assert org.sort_ja == organization_sort_key("ja", "ンンン", org.name_ja, "zzz")


def test_empty_directory(session: Session) -> None:
    assert ps.first_page(session, "ja", 60) == (0, [])
    assert ps.filter_choices(session) == ps.FilterChoices([], [])
    assert ps.open_list(session, "en", 60) == ps.ListOpening(0, [], ps.FilterChoices([], []))


def test_the_detail_readers_send_as_many_statements_whatever_the_organization_holds(session: Session) -> None:
    ids = _directory(session, 6)
    big, small = ids[0], ids[1]
    for i in range(12):
        person = partners.create_contact(session, family_name=f"山田{i}", email=f"p{i}@example.jp")
        partners.create_employment(session, contact_id=person.id, organization_id=big, title="課長")
        if i:
            partners.update_contact(session, person.id, person.version, successor_id=person.id - 1)
    session.commit()

    def detail(org_id: int) -> Callable[[], object]:
        def work() -> None:
            with Session(session.get_bind()) as fresh:
                org = partners.get_organization(fresh, org_id)
                assert org.memberships is not None and org.technologies is not None
                ps.contact_lines(fresh, org_id)
                ps.timeline(fresh, org_id)

        return work

    assert len(_statements(session, detail(small))) == len(_statements(session, detail(big))) == 3
    one = [ps.organization_detail(session, i) for i in (small, big)]
    assert [
        len(_statements(session, lambda i=i: ps.organization_detail(session, i))) for i in (small, big)
    ] == [1, 1]
    assert one[1] is not None and one[1].contacts == ps.contact_lines(session, big)
    lines = ps.contact_lines(session, big)
    assert len(lines) == 12 and sum(1 for ln in lines if ln.successor_name) == 11
    assert {ln.successor_name for ln in lines} >= {"山田0", "山田10"}


def test_the_filter_choices_in_one_statement(session: Session) -> None:
    _directory(session, 8)
    partners.create_organization(session, kind="counterpart", name_ja="ナムパパ・ラオ", country="LA")
    session.commit()
    statements = _statements(session, lambda: ps.filter_choices(session))
    choices = ps.filter_choices(session)
    assert len(statements) == 1
    assert [t[1] for t in choices.technologies] == ["LEAK", "UF"]
    assert choices.technologies[1][3] == ""
    assert choices.countries == ps.used_countries(session) == ["JP", "LA"]
    # opening the tab reads them with the count and the first page, in one statement
    opened: list[ps.ListOpening] = []
    statements = _statements(session, lambda: opened.append(ps.open_list(session, "ja", 5)))
    assert len(statements) == 1
    assert opened[0].choices == choices
    assert (opened[0].total, opened[0].rows) == ps.first_page(session, "ja", 5)
    assert [r.id for r in opened[0].rows] == ps.matching_ids(session, ps.PartnerFilter(), "ja")[:5]


def test_the_migration_fills_the_keys_of_existing_organizations(tmp_path: Path) -> None:
    from alembic import command

    from kawaoffice.storage.database import create_db_engine
    from kawaoffice.storage.migrate import alembic_config, upgrade_to_head

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_db_engine(url)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(connection=conn), "0002_users_roles")
            for i, (kana, name, en) in enumerate(
                [("カワサキ", "川崎", "Kawasaki"), ("ガス", "ガス技研", ""), ("", "あくあ", "aqua")]
            ):
                conn.execute(
                    text(
                        "INSERT INTO organizations (id, kind, name_ja, name_kana, name_en, name_local, abbreviation,"
                        " country, city, address, phone, email, website, notes, search_text, version, created_at,"
                        " created_by, updated_at, updated_by) VALUES (:id, 'member', :name, :kana, :en, '', '', 'JP',"
                        " '', '', '', '', '', '', '', 1, '2020-01-01 00:00:00', '', '2020-01-01 00:00:00', '')"
                    ),
                    {"id": i + 1, "name": name, "kana": kana, "en": en},
                )
        upgrade_to_head(engine)
        with Session(engine) as s:
            for org in s.scalars(select(Organization)):
                assert org.sort_ja == organization_sort_key("ja", org.name_kana, org.name_ja, org.name_en)
                assert org.sort_en == organization_sort_key("en", org.name_kana, org.name_ja, org.name_en)
            assert ps.matching_ids(s, ps.PartnerFilter(), "ja") == _expected_order(s, "ja") == [3, 2, 1]
    finally:
        engine.dispose()


def test_the_detail_in_one_statement_shows_what_the_separate_readers_show(session: Session) -> None:
    from kawaoffice.services.demo import load_demo

    load_demo(session)
    session.commit()
    checked = 0
    for org_id in session.scalars(select(Organization.id).order_by(Organization.id)):
        statements = _statements(session, lambda org_id=org_id: ps.organization_detail(session, org_id))
        assert len(statements) == 1
        detail = ps.organization_detail(session, org_id)
        assert detail is not None
        org = partners.get_organization(session, org_id)
        assert (detail.kind, detail.name_ja, detail.name_kana, detail.name_en, detail.name_local) == (
            org.kind, org.name_ja, org.name_kana, org.name_en, org.name_local,
        )  # fmt: skip
        assert (detail.country, detail.city, detail.address, detail.phone, detail.email, detail.website) == (
            org.country, org.city, org.address, org.phone, org.email, org.website,
        )  # fmt: skip
        assert (detail.notes, detail.version) == (org.notes, org.version)
        assert detail.memberships == [(m.status, m.joined_on, m.left_on) for m in org.memberships]
        assert sorted(detail.technologies) == sorted(
            (t.technology.name_ja, t.technology.name_en, t.product_name) for t in org.technologies
        )
        assert detail.contacts == ps.contact_lines(session, org_id)
        assert detail.timeline == ps.timeline(session, org_id)
        checked += bool(detail.contacts and detail.timeline and detail.memberships)
    assert checked >= 1, "the demo gives some organization people, a history and a membership"
    assert ps.organization_detail(session, 10**9) is None
