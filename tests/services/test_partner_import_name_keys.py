"""The organizations' stored duplicate keys (``name_keys``): kept by the partner services on every write, filled
for existing rows by revision 0004 (its own copy of the key function), and what the import's duplicate check
compares the directory by; a record written around the services (no keys) is still found."""

from __future__ import annotations

from types import ModuleType

from alembic import command
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from kawaoffice.model.partners import Organization, OrganizationKind
from kawaoffice.services import partner_import as pi
from kawaoffice.services import partner_search, partners
from kawaoffice.services.text import CORPORATE_WORDS, duplicate_key, organization_name_keys, split_name_keys
from kawaoffice.storage import open_database
from kawaoffice.storage.migrate import alembic_config
from tests.storage.revision_files import imported_names, revision_module


def _revision() -> ModuleType:
    return revision_module("0004_partners_name_keys")


def test_the_revisions_corporate_words_are_the_services_of_today() -> None:
    assert _revision()._CORPORATE == CORPORATE_WORDS


def test_the_revision_does_not_import_the_app() -> None:
    imported = imported_names("0004_partners_name_keys")
    assert imported and not [name for name in imported if name.startswith("kawaoffice")]


_NAMES = st.one_of(
    st.text(alphabet="あがぁアガァｶﾞｰ・（）() 　ABcé川崎水道株式会社(有)Co., Ltd.-ヴゔ123_", max_size=16),
    st.text(max_size=12),
)


@settings(max_examples=200, deadline=None)
@given(ja=_NAMES, en=_NAMES)
def test_the_revisions_keys_are_the_services_of_today(ja: str, en: str) -> None:
    stored = organization_name_keys(ja, en)
    assert _revision().name_keys(ja, en) == stored
    assert split_name_keys(stored) == (duplicate_key(ja), duplicate_key(en))
    assert " " not in duplicate_key(ja) + duplicate_key(en)


def _stored_keys(session: Session, org_id: int) -> str | None:
    return session.scalar(select(Organization.name_keys).where(Organization.id == org_id))


def _duplicates(session: Session, csv_text: str) -> list[list[str]]:
    table = pi.read_table(csv_text.encode())
    return [row.duplicates for row in pi.preview(session, table, pi.guess_mapping(table.headers))]


def test_the_services_keep_the_keys_and_the_import_finds_duplicates_by_them(session: Session) -> None:
    org = partners.create_organization(
        session, kind=OrganizationKind.MEMBER, name_ja="アクア技研株式会社", name_en="Aqua Giken Co., Ltd."
    )
    session.flush()
    assert _stored_keys(session, org.id) == "あくあ技研 aquagiken"
    partners.update_organization(session, org.id, org.version, name_en="Aqua Engineering")
    session.flush()
    assert _stored_keys(session, org.id) == "あくあ技研 aquaengineering"
    pi.forget_remembered_values()
    found = _duplicates(
        session, "会社名,英語名\r\n水研,Aqua Engineering Inc.\r\n別の会社,Aqua Giken\r\nｱｸｱ技研,\r\n"
    )
    already = "Already in the directory: アクア技研株式会社"
    assert found == [[already], [], [already]]
    # the directory's own duplicate check (the edit dialog) reads the same stored keys
    assert [o.id for o in partner_search.duplicate_organizations(session, name_en="Aqua Engineering")] == [
        org.id
    ]
    assert partner_search.duplicate_organizations(session, name_en="Aqua Giken") == []


def test_an_organization_written_around_the_services_is_still_found(session: Session) -> None:
    # a bulk load that does not know the column (e.g. an older tool): no keys stored
    session.execute(
        insert(Organization).values(
            kind=OrganizationKind.OTHER, name_ja="株式会社ナガセ水処理", name_en="Nagase Water", version=1
        )
    )
    org_id = session.scalar(select(Organization.id).where(Organization.name_en == "Nagase Water"))
    assert org_id is not None and _stored_keys(session, org_id) is None
    pi.forget_remembered_values()
    found = _duplicates(session, "会社名,英語名\r\nナガセ水処理(株),\r\nその他,NAGASE  water\r\n")
    assert found == [["Already in the directory: 株式会社ナガセ水処理"]] * 2
    assert [o.id for o in partner_search.duplicate_organizations(session, name_en="NAGASE water")] == [org_id]


def test_an_imported_organization_stores_its_keys(session: Session) -> None:
    pi.forget_remembered_values()
    table = pi.read_table("会社名,英語名\r\n東京水道サービス株式会社,Tokyo Water Service\r\n".encode())
    rows = pi.preview(session, table, pi.guess_mapping(table.headers))
    pi.import_rows(session, rows)
    keys = session.scalar(select(Organization.name_keys).where(Organization.name_en == "Tokyo Water Service"))
    assert keys == "東京水道さーびす tokyowaterservice"


def test_the_revision_fills_the_keys_of_existing_organizations(empty_db_url: str) -> None:
    db = open_database(empty_db_url)  # at the head
    try:
        with db.engine.begin() as conn:
            command.downgrade(alembic_config(connection=conn), "0003_partners_sort_keys")
            conn.execute(
                text(
                    "INSERT INTO organizations (kind, name_ja, name_kana, name_en, name_local, abbreviation,"
                    " country, city, address, phone, email, website, notes, search_text, sort_ja, sort_en,"
                    " version, created_at, created_by, updated_at, updated_by) VALUES ('member', :ja, '', :en,"
                    " '', '', 'JP', '', '', '', '', '', '', '', '', '', 1, :now, '', :now, '')"
                ),
                [
                    {"ja": "川崎テスト工業株式会社", "en": "Kawasaki Test Co., Ltd.", "now": "2026-01-01"},
                    {"ja": "ｶﾜｻｷ", "en": "", "now": "2026-01-01"},
                ],
            )
            command.upgrade(alembic_config(connection=conn), "0004_partners_name_keys")
            stored = conn.execute(text("SELECT name_keys FROM organizations ORDER BY id")).scalars().all()
        assert stored == ["川崎てすと工業 kawasakitest", "かわさき "]
    finally:
        db.dispose()
