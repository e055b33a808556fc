from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kawaoffice.model.audit import AuditAction, AuditEntry, ConflictOverride
from kawaoffice.model.partners import MembershipStatus, OrganizationKind
from kawaoffice.services import audit, partners


def _entries(session: Session, table: str) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(AuditEntry.table_name == table).order_by(AuditEntry.id)
    return list(session.scalars(stmt))


def test_insert_update_delete_are_logged_with_user_and_fields(session: Session) -> None:
    org = partners.create_organization(session, kind=OrganizationKind.MEMBER, name_ja="川崎水道株式会社")
    session.commit()
    assert org.created_by == "tester" and org.updated_by == "tester"
    m = partners.create_membership(session, organization_id=org.id, joined_on=date(2020, 4, 1))
    session.commit()
    partners.update_membership(
        session, m.id, m.version, status=MembershipStatus.LEFT, left_on=date(2025, 3, 31)
    )
    partners.update_organization(session, org.id, org.version, name_en="Kawa Water Co.")
    session.commit()
    partners.delete_membership(session, m.id)
    session.commit()

    inserted, updated, deleted = _entries(session, "memberships")
    assert [e.action for e in (inserted, updated, deleted)] == [
        AuditAction.INSERT,
        AuditAction.UPDATE,
        AuditAction.DELETE,
    ]
    assert {e.user for e in (inserted, updated, deleted)} == {"tester"}
    assert inserted.row_id == m.id
    assert inserted.changes["joined_on"] == [None, "2020-04-01"]
    assert inserted.changes["status"] == [None, "active"]
    assert updated.changes == {"status": ["active", "left"], "left_on": [None, "2025-03-31"]}
    assert deleted.changes["status"] == ["left", None]
    org_update = _entries(session, "organizations")[-1]
    assert org_update.action == AuditAction.UPDATE
    assert org_update.changes == {"name_en": ["", "Kawa Water Co."]}
    assert org_update.summary == "川崎水道株式会社"


def test_derived_columns_of_an_organization_are_not_logged(session: Session) -> None:
    org = partners.create_organization(
        session, kind=OrganizationKind.MEMBER, name_ja="川崎水道株式会社", name_kana="カワサキスイドウ"
    )
    session.commit()
    assert org.sort_ja and org.sort_en and org.search_text
    partners.update_organization(
        session, org.id, org.version, name_kana="カワスイ", name_en="Kawa Water Co.", city="川崎市"
    )
    session.commit()
    created, changed = _entries(session, "organizations")
    assert created.changes["name_kana"] == [None, "カワサキスイドウ"]
    assert changed.changes == {
        "name_kana": ["カワサキスイドウ", "カワスイ"],
        "name_en": ["", "Kawa Water Co."],
        "city": ["", "川崎市"],
    }
    for entry in (created, changed):
        assert not {"sort_ja", "sort_en", "search_text", "version", "updated_at"} & set(entry.changes)


def test_record_override_writes_override_and_audit_entry(session: Session) -> None:
    org = partners.create_organization(session, kind=OrganizationKind.OTHER, name_ja="テスト")
    audit.record_override(session, "test_rule", org, None, "承認済み", {"on": date(2026, 5, 1)})
    session.commit()
    override = session.scalars(select(ConflictOverride)).one()
    assert (override.kind, override.subject_table, override.subject_id) == (
        "test_rule",
        "organizations",
        org.id,
    )
    assert override.reason == "承認済み" and override.user == "tester"
    assert override.details == {"on": "2026-05-01"}
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.OVERRIDE)).one()
    assert entry.reason == "承認済み" and entry.summary == "test_rule" and entry.row_id == org.id


def test_jsonable() -> None:
    assert audit.jsonable({"a": (date(2026, 1, 2), MembershipStatus.ACTIVE)}) == {
        "a": ["2026-01-02", "active"]
    }
