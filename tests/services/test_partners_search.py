"""The partner list: search as you type (SQL and the in-memory index agree), filters, kana order, detail pane data,
duplicates, the April rotation check and the mailing list."""

from __future__ import annotations

import gc
from datetime import date

import pytest
from sqlalchemy.orm import Session

from kawaoffice.model.partners import MembershipStatus, OrganizationKind
from kawaoffice.services import partner_search as ps
from kawaoffice.services import partners


def _directory(session: Session) -> dict[str, int]:
    tech = partners.create_technology(session, code="LEAK", name_ja="漏水探知", name_en="Leak detection")
    kawa = partners.create_organization(
        session,
        kind=OrganizationKind.MEMBER,
        name_ja="川崎水道株式会社",
        name_kana="カワサキスイドウ",
        name_en="Kawasaki Water",
        phone="044-200-2111",
    )
    gas = partners.create_organization(
        session, kind=OrganizationKind.MEMBER, name_ja="ガス技研", name_kana="ガスギケン", name_en="Zeta Gas"
    )
    jica = partners.create_organization(
        session,
        kind=OrganizationKind.COOPERATING,
        name_ja="国際協力機構",
        name_kana="コクサイキョウリョクキコウ",
        name_en="JICA",
    )
    lao = partners.create_organization(
        session,
        kind=OrganizationKind.COUNTERPART,
        name_ja="ナムパパ・ラオ",
        name_kana="ナムパパラオ",
        name_en="Nam Papa Lao",
        country="LA",
    )
    partners.create_membership(session, organization_id=kawa.id, joined_on=date(2015, 4, 1))
    partners.create_membership(
        session,
        organization_id=gas.id,
        joined_on=date(2015, 4, 1),
        left_on=date(2020, 3, 31),
        status=MembershipStatus.LEFT,
    )
    partners.add_organization_technology(session, organization_id=kawa.id, technology_id=tech.id)
    tanaka = partners.create_contact(
        session,
        family_name="田中",
        given_name="一郎",
        family_kana="タナカ",
        given_kana="イチロウ",
        email="tanaka@kawasui.example.jp",
        confirmed_on=date(2026, 4, 10),
    )
    partners.create_employment(session, contact_id=tanaka.id, organization_id=kawa.id, title="課長")
    sato = partners.create_contact(
        session,
        family_name="佐藤",
        given_name="花子",
        family_kana="サトウ",
        email="sato@jica.example.jp",
        confirmed_on=date(2025, 5, 1),
    )
    partners.create_employment(
        session, contact_id=sato.id, organization_id=jica.id, started_on=date(2024, 4, 1)
    )
    session.commit()
    return {
        "kawa": kawa.id,
        "gas": gas.id,
        "jica": jica.id,
        "lao": lao.id,
        "tech": tech.id,
        "sato": sato.id,
        "tanaka": tanaka.id,
    }


@pytest.mark.parametrize("language", ["ja", "en"])
def test_search_filters_and_order_agree_in_sql_and_index(session: Session, language: str) -> None:
    ids = _directory(session)
    index = ps.PartnerIndex.build(session, language)
    cases: list[tuple[ps.PartnerFilter, list[int] | None]] = [
        (ps.PartnerFilter(), None),
        (ps.PartnerFilter(text="ｶﾜｻｷ"), [ids["kawa"]]),
        (ps.PartnerFilter(text="かわさき"), [ids["kawa"]]),
        (ps.PartnerFilter(text="ＫＡＷＡＳＡＫＩ"), [ids["kawa"]]),
        (ps.PartnerFilter(text="０４４２００"), [ids["kawa"]]),  # full-width digits, national form
        (ps.PartnerFilter(text="たなか"), [ids["kawa"]]),  # found through its person
        (ps.PartnerFilter(text="sato@jica"), [ids["jica"]]),
        (ps.PartnerFilter(text="tanaka kawa"), [ids["kawa"]]),
        (ps.PartnerFilter(text="nothing-like-this"), []),
        (ps.PartnerFilter(kinds=frozenset({OrganizationKind.MEMBER})), None),
        (ps.PartnerFilter(countries=frozenset({"LA"})), [ids["lao"]]),
        (ps.PartnerFilter(statuses=frozenset({MembershipStatus.ACTIVE})), [ids["kawa"]]),
        (ps.PartnerFilter(statuses=frozenset({MembershipStatus.LEFT})), [ids["gas"]]),
        (ps.PartnerFilter(technology_ids=frozenset({ids["tech"]})), [ids["kawa"]]),
    ]
    for flt, expected in cases:
        sql = ps.matching_ids(session, flt, language)
        assert index.search(flt) == sql, flt
        if expected is not None:
            assert sql == expected, flt
    everything = ps.matching_ids(session, ps.PartnerFilter(), language)
    if language == "ja":
        # dictionary order of the reading: ガス (primary カス) before カワサキ, not after it as by code point
        assert everything == [ids["gas"], ids["kawa"], ids["jica"], ids["lao"]]
    else:
        assert everything == [ids["jica"], ids["kawa"], ids["lao"], ids["gas"]]
    members = ps.matching_ids(session, ps.PartnerFilter(kinds=frozenset({OrganizationKind.MEMBER})), language)
    assert set(members) == {ids["kawa"], ids["gas"]}


def test_incremental_search_gives_the_same_answers(session: Session) -> None:
    ids = _directory(session)
    index = ps.PartnerIndex.build(session, "ja")
    for typed in ["か", "かわ", "かわさ", "かわさき", "かわ", "", "な", "なむ"]:
        flt = ps.PartnerFilter(text=typed)
        assert index.search(flt) == ps.matching_ids(session, flt, "ja"), typed
    assert index.search(ps.PartnerFilter(text="なむ")) == [ids["lao"]]


def test_rows_detail_and_timeline(session: Session) -> None:
    ids = _directory(session)
    rows = ps.partner_rows(session, [ids["lao"], ids["kawa"]])
    assert [r.id for r in rows] == [ids["lao"], ids["kawa"]]
    assert rows[1].technologies == ("漏水探知",) and rows[1].member_status == MembershipStatus.ACTIVE
    partners.hand_over(session, ids["sato"], 1, successor_id=ids["tanaka"], on=date(2026, 4, 1))
    session.commit()
    lines = ps.contact_lines(session, ids["jica"])
    assert [(ln.name, ln.current, ln.successor_name) for ln in lines] == [("佐藤 花子", False, "田中 一郎")]
    assert lines[0].ended_on == date(2026, 3, 31)
    assert ps.timeline(session, ids["kawa"]) == []


def test_duplicates(session: Session) -> None:
    ids = _directory(session)
    found = ps.duplicate_organizations(session, name_ja="川崎水道(株)")
    assert [o.id for o in found] == [ids["kawa"]]
    assert ps.duplicate_organizations(session, name_ja="ｶﾞｽ技研") and not ps.duplicate_organizations(
        session, name_ja="ガス技研", exclude_id=ids["gas"]
    )
    assert [
        c.id for c in ps.duplicate_contacts(session, family_name="X", email="tanaka@kawasui.example.jp")
    ] == [ids["tanaka"]]
    assert [c.id for c in ps.duplicate_contacts(session, family_name="田中", given_name="一郎")] == [
        ids["tanaka"]
    ]
    assert ps.duplicate_contacts(session, family_name="田中", given_name="次郎") == []


def test_april_rotation_and_mailing_list(session: Session) -> None:
    ids = _directory(session)
    assert ps.last_april_first(date(2026, 3, 31)) == date(2025, 4, 1)
    assert ps.last_april_first(date(2026, 4, 1)) == date(2026, 4, 1)
    due = ps.rotation_due(session, date(2026, 5, 1))
    # the JICA person was confirmed before April 1, 2026; the member company's person is not checked
    assert [(c.id, o.id) for c, o in due] == [(ids["sato"], ids["jica"])]
    assert ps.rotation_due(session, date(2026, 3, 1)) == []
    assert ps.mark_confirmed(session, [ids["sato"]], date(2026, 5, 2)) == 1
    session.commit()
    assert ps.rotation_due(session, date(2026, 5, 3)) == []
    # current members' people only: the company that left and JICA are not on it
    assert ps.mailing_list(session) == ["tanaka@kawasui.example.jp"]


def test_the_index_gives_the_garbage_collector_nothing_to_walk(session: Session) -> None:
    """The index's entries are plain tuples of strings and numbers: after one collection Python's cyclic garbage
    collector stops tracking them (a tuple is untracked once the tuples in it are: a second collection), so 10,000
    organizations add nothing to each full collection's pause."""
    ids = _directory(session)
    index = ps.PartnerIndex.build(session, "ja")
    gc.collect()
    gc.collect()
    entries = index._entries
    assert len(entries) == len(ids) - 3  # the four organizations
    assert [e for e in entries if gc.is_tracked(e)] == []
    assert index.search(ps.PartnerFilter(statuses=frozenset({MembershipStatus.ACTIVE}))) == [ids["kawa"]]


def test_the_cached_statements_bind_each_calls_values(session: Session) -> None:
    """open_list and organization_detail build their statements once and bind the page size and the
    organization per call: successive calls answer for their own values."""
    ids = _directory(session)
    for limit in (1, 3, 2, 10):
        opening = ps.open_list(session, "en", limit)
        assert [r.id for r in opening.rows] == [ids["jica"], ids["kawa"], ids["lao"], ids["gas"]][:limit]
        assert opening.total == 4
    for key, name in (("kawa", "Kawasaki Water"), ("jica", "JICA"), ("lao", "Nam Papa Lao"), ("kawa", "")):
        detail = ps.organization_detail(session, ids[key])
        assert detail is not None and detail.id == ids[key]
        assert detail.name_en == (name or "Kawasaki Water")
    assert ps.organization_detail(session, max(ids.values()) + 1000) is None


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_list_brings_its_first_organizations_detail(session: Session, language: str) -> None:
    """Opening the directory reads the first organization's detail pane in the list's own statement (one round
    trip over a slow link instead of two): the same detail as organization_detail, for the list's first row."""
    assert ps.open_list(session, language, 5, first_detail=True).first_detail is None  # an empty directory
    ids = _directory(session)
    with_detail = ps.open_list(session, language, 2, first_detail=True)
    plain = ps.open_list(session, language, 2)
    assert (with_detail.total, with_detail.rows, with_detail.choices) == (
        plain.total,
        plain.rows,
        plain.choices,
    )
    assert plain.first_detail is None
    first = with_detail.rows[0].id
    assert first == (ids["gas"] if language == "ja" else ids["jica"])
    detail = with_detail.first_detail
    assert detail is not None and detail == ps.organization_detail(session, first)
    if language == "en":  # JICA: its person and nothing else
        assert [c.name for c in detail.contacts] == ["佐藤 花子"]
