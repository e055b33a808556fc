"""ui.widgets.database_cache: a value read once per database, dropped when one of its tables changes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kawaoffice.services import dispatch, partners
from kawaoffice.storage import Database
from kawaoffice.ui.widgets.database_cache import DatabaseCache
from kawaoffice.ui.widgets.live_refresh import change_hub


def test_kept_per_database_until_a_watched_table_changes(empty_gui_db: Database) -> None:
    cache: DatabaseCache[list[str]] = DatabaseCache(frozenset({"staff"}))
    reads: list[int] = []

    def read(session: Session) -> list[str]:
        reads.append(1)
        return [s.staff_no for s in dispatch.list_staff(session)]

    db = empty_gui_db
    assert cache.get(db.session, read) == []
    assert (
        cache.get(db.session, read) == [] and len(reads) == 1
    )  # kept (a new bound method, the same database)
    with db.session() as s:
        partners.create_organization(s, name_ja="川崎水道テクノ株式会社", kind="member")
        s.commit()
    assert cache.get(db.session, read) == [] and len(reads) == 1  # another table: still kept
    with db.session() as s:
        dispatch.create_staff(s, staff_no="K1003", family_name="伊藤", given_name="誠")
        s.commit()
    assert cache.get(db.session, read) == ["K1003"] and len(reads) == 2  # this process's commit
    change_hub().tables_changed.emit(frozenset({"staff"}))  # someone else's change, announced
    assert cache.get(db.session, read) == ["K1003"] and len(reads) == 3
    assert cache.get(db.session, read, fresh=lambda kept: False) == ["K1003"] and len(reads) == 4
