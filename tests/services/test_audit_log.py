"""Reading the audit log for the viewer (services/audit.py search_log & co.) on SQLite and PostgreSQL: filters by
record, user, date, text (also inside the field values, Japanese included), newest first, paged; overrides too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from kawaoffice.model.audit import AuditAction, AuditEntry
from kawaoffice.services import audit, partners
from kawaoffice.services.audit import AuditFilter
from kawaoffice.storage.database import make_session_factory


def _as(engine: Engine, login: str) -> Session:
    return make_session_factory(engine, user=login)()


def _history(engine: Engine) -> dict[str, int]:
    with _as(engine, "aiko") as s:
        aqua = partners.create_organization(s, kind="member", name_ja="アクア技研", city="川崎市")
        other = partners.create_organization(s, kind="member", name_ja="三機工業")
        s.commit()
        ids = {"aqua": aqua.id, "other": other.id}
    with _as(engine, "ken") as s:
        org = partners.get_organization(s, ids["aqua"])
        partners.update_organization(s, org.id, org.version, city="幸区", website="https://aqua.example")
        audit.record_override(s, "dispatch_overlap", org, None, "先方の了承済み", {"days": 2})
        s.commit()
    return ids


def test_the_log_of_one_record_newest_first_with_field_changes_and_overrides(engine: Engine) -> None:
    ids = _history(engine)
    with _as(engine, "") as s:
        rows = audit.search_log(s, AuditFilter(table_name="organizations", row_id=ids["aqua"]))
        assert [(r.action, r.user) for r in rows] == [
            (AuditAction.OVERRIDE, "ken"),
            (AuditAction.UPDATE, "ken"),
            (AuditAction.INSERT, "aiko"),
        ]
        override, change, created = rows
        assert (override.summary, override.reason) == ("dispatch_overlap", "先方の了承済み")
        assert [(f.field, f.old, f.new) for f in override.field_changes()] == [("days", None, 2)]
        assert {(f.field, f.old, f.new) for f in change.field_changes()} == {
            ("city", "川崎市", "幸区"),
            ("website", "", "https://aqua.example"),
        }
        assert ("name_ja", None, "アクア技研") in {(f.field, f.old, f.new) for f in created.field_changes()}
        assert [o.reason for o in audit.overrides_of(s, "organizations", ids["aqua"])] == ["先方の了承済み"]
        assert audit.count_log(s, AuditFilter(table_name="organizations", row_id=ids["aqua"])) == 3


def test_filters_by_user_text_action_and_date_and_pages(engine: Engine) -> None:
    ids = _history(engine)
    with _as(engine, "") as s:
        assert audit.log_users(s) == ["aiko", "ken"]
        assert audit.log_tables(s) == ["organizations"]
        assert {r.row_id for r in audit.search_log(s, AuditFilter(user="aiko"))} == {
            ids["aqua"],
            ids["other"],
        }
        # text in the summary, in the reason, inside the stored field values (Japanese and case-folded ASCII)
        assert [r.row_id for r in audit.search_log(s, AuditFilter(text="三機"))] == [ids["other"]]
        assert [r.action for r in audit.search_log(s, AuditFilter(text="了承"))] == [AuditAction.OVERRIDE]
        assert [r.action for r in audit.search_log(s, AuditFilter(text="幸区"))] == [AuditAction.UPDATE]
        assert [r.action for r in audit.search_log(s, AuditFilter(text="AQUA.example"))] == [
            AuditAction.UPDATE
        ]
        assert audit.search_log(s, AuditFilter(text="100%")) == []
        assert len(audit.search_log(s, AuditFilter(action=AuditAction.INSERT))) == 2
        # the first entry happened "yesterday": the date range finds it alone
        first = min(r.id for r in audit.search_log(s))
        yesterday = datetime.now(UTC) - timedelta(days=1)
        s.execute(update(AuditEntry).where(AuditEntry.id == first).values(at=yesterday))
        s.commit()
        today = yesterday + timedelta(hours=12)
        assert [r.id for r in audit.search_log(s, AuditFilter(until=today))] == [first]
        assert first not in [r.id for r in audit.search_log(s, AuditFilter(since=today))]
        # newest first, two at a time, "load more" continues after the last one shown
        everything = [r.id for r in audit.search_log(s)]
        assert everything == sorted(everything, reverse=True) and len(everything) == 4
        page1 = audit.search_log(s, limit=2)
        page2 = audit.search_log(s, limit=2, before_id=page1[-1].id)
        page3 = audit.search_log(s, limit=2, before_id=page2[-1].id)
        assert [r.id for r in page1 + page2] == everything and page3 == []
