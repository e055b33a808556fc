"""The import's quicker helpers give what the general ones give."""

from __future__ import annotations

import csv
import io
import json
import sys
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Text, cast, event, func, select
from sqlalchemy.orm import Session

from kawaoffice.model.audit import AuditEntry
from kawaoffice.model.partners import (
    Contact,
    Employment,
    Membership,
    Organization,
    OrganizationKind,
    OrganizationTechnology,
)
from kawaoffice.services import audit, partners
from kawaoffice.services import partner_import as pi
from kawaoffice.services.errors import ServiceError
from kawaoffice.services.text import CORPORATE_WORDS, duplicate_key, fold


def _plain_key(name: str) -> str:
    """The duplicate key as defined: folded, without the corporate words, only letters and digits kept."""
    text = fold(name)
    for word in CORPORATE_WORDS:
        text = text.replace(word, "")
    return "".join(ch for ch in text if ch.isalnum())


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=30),
        st.lists(
            st.sampled_from(
                ["Co., Ltd.", "co.,ltd.", "INC.", "Corporation", "Ltd.", "Kawasaki", " ", "\\t", "-"]
            ),
            max_size=6,
        ).map("".join),
        st.text(alphabet="Aaｱア株式会社 　(有)ＡＢ1１", max_size=12),
        st.text(max_size=20),  # any character: letters, digits, marks, "_", symbols of every script
        st.text(alphabet="_-・Ⅻ①²½٣߀ๆ〆々〇ß\u0301\u3099ｶﾞ", max_size=12),
    )
)
def test_the_duplicate_key_is_the_plain_definitions(name: str) -> None:
    assert duplicate_key(name) == _plain_key(name)


def test_duplicate_key_examples() -> None:
    assert duplicate_key("Aqua Giken Co., Ltd.") == "aquagiken" == _plain_key("Aqua Giken Co., Ltd.")
    assert duplicate_key("アクア技研株式会社") == _plain_key("アクア技研株式会社")
    assert duplicate_key(None) == "" and duplicate_key("") == ""


def test_processed_values_once_per_distinct_value_of_one_type() -> None:
    calls: list[object] = []

    def proc(value: object) -> object:
        calls.append(value)
        return f"<{value!r}>"

    assert pi._processed(proc, ["a", "b", "a", "a"]) == ["<'a'>", "<'b'>", "<'a'>", "<'a'>"]
    assert sorted(calls) == ["a", "b"]
    calls.clear()
    # values of several types (1 == True) are each processed as they are
    assert pi._processed(proc, [1, True, 1]) == ["<1>", "<True>", "<1>"]
    assert len(calls) == 3
    calls.clear()
    # unhashable values (JSON) too
    assert pi._processed(proc, [{"a": 1}, {"a": 1}]) == ["<{'a': 1}>", "<{'a': 1}>"]
    assert len(calls) == 2


# --- the bulk write on both backends ----------------------------------------------------------------------------


def _rows(session: Session, count: int) -> list[pi.PreviewRow]:
    lines = ["会社名,区分,電話,メール,担当者,担当者メール,役職"]
    lines += [
        f"検査水道{i:03d}株式会社,会員,044-200-{i:04d},info{i:03d}@check.example.jp,山田　太郎{i:03d},"
        f"taro{i:03d}@check.example.jp,課長"
        for i in range(count)
    ]
    table = pi.read_table("\r\n".join(lines).encode())
    rows = pi.preview(session, table, pi.guess_mapping(table.headers))
    assert all(r.ok and not r.duplicates for r in rows)
    return rows


def _counts(session: Session) -> tuple[int, ...]:
    return tuple(
        int(session.scalar(select(func.count()).select_from(cls)) or 0)
        for cls in (Organization, Contact, Employment, Membership, OrganizationTechnology, AuditEntry)
    )


@pytest.mark.parametrize(
    ("count", "broken", "block"),
    [
        (5, 3, None),
        (7, 5, 2),
    ],  # (one block; with blocks of two, PostgreSQL had already been sent the earlier ones)
    ids=["one-block", "later-block"],
)
def test_a_database_rule_broken_by_the_bulk_write_writes_nothing(
    session: Session, monkeypatch: pytest.MonkeyPatch, count: int, broken: int, block: int | None
) -> None:
    if block is not None:
        monkeypatch.setattr(pi, "_BLOCK_ROWS", block)
    rows = _rows(session, count)
    session.commit()
    before = _counts(session)
    rows[broken].technology_ids.append(987654)  # no such technology: the link breaks the foreign key
    with pytest.raises(ServiceError) as info:
        pi.import_rows(session, rows)
    assert "breaks a rule of the database" in str(info.value)
    assert not _copy_threads()
    session.rollback()
    assert _counts(session) == before


def _copy_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "kawaoffice-import-copy" and t.is_alive()]


def test_an_error_while_a_block_is_prepared_stops_the_writer_and_writes_nothing(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pi, "_BLOCK_ROWS", 2)
    rows = _rows(session, 7)
    session.commit()
    before = _counts(session)
    derived = partners.organization_derived
    calls: list[object] = []

    def failing(org: object) -> dict[str, str]:
        calls.append(org)
        if len(calls) == 5:  # the third block, after two were handed to the writer
            raise RuntimeError("prepared wrongly")
        return derived(org)

    monkeypatch.setattr(partners, "organization_derived", failing)
    with pytest.raises(RuntimeError, match="prepared wrongly"):
        pi.import_rows(session, rows)
    assert not _copy_threads()
    session.rollback()
    assert _counts(session) == before
    monkeypatch.setattr(partners, "organization_derived", derived)
    assert pi.import_rows(session, rows) == pi.ImportResult(7, 7, 0)  # the session works as before
    session.commit()
    assert _counts(session)[:3] == (before[0] + 7, before[1] + 7, before[2] + 7)


@pytest.fixture
def blocks_of_two(backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL's writer thread, with a block of COPYs per two rows (skipped on SQLite)."""
    if backend != "postgresql":
        pytest.skip("COPYs from a writer thread on PostgreSQL only")
    monkeypatch.setattr(pi, "_BLOCK_ROWS", 2)


def _watch_copies(
    monkeypatch: pytest.MonkeyPatch, watch: Callable[[str], object], lost_at: int | None = None
) -> list[object]:
    """What ``watch`` says of each COPY as the writer thread sends it; the connection is lost at the ``lost_at``th."""
    import psycopg

    seen: list[object] = []
    copy_data = pi._copy_data

    def watched(raw: object, statement: str, data: list[str]) -> None:
        seen.append(watch(statement))
        if len(seen) == lost_at:
            raise psycopg.OperationalError("connection lost")
        copy_data(raw, statement, data)

    monkeypatch.setattr(pi, "_copy_data", watched)
    return seen


@pytest.mark.usefixtures("blocks_of_two")
def test_another_error_of_the_writer_thread_is_raised_as_it_is(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    rows = _rows(session, 7)
    session.commit()
    before = _counts(session)
    sent = _watch_copies(monkeypatch, str, lost_at=8)  # in the second block
    with pytest.raises(psycopg.OperationalError, match="connection lost"):
        pi.import_rows(session, rows)
    assert len(sent) == 8  # nothing sent after the error
    assert not _copy_threads()
    session.rollback()
    assert _counts(session) == before


@pytest.mark.usefixtures("blocks_of_two")
def test_the_gil_changes_hands_often_only_while_the_copies_are_sent(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    usual = sys.getswitchinterval()
    assert usual > pi._CopyPipe.SWITCH_INTERVAL
    seen = _watch_copies(monkeypatch, lambda _statement: sys.getswitchinterval())
    rows = _rows(session, 5)
    session.commit()
    assert pi.import_rows(session, rows) == pi.ImportResult(5, 5, 0)
    assert seen and set(seen) == {pi._CopyPipe.SWITCH_INTERVAL}
    assert sys.getswitchinterval() == usual  # restored when the pipe closed
    session.rollback()

    seen = _watch_copies(monkeypatch, lambda _statement: sys.getswitchinterval(), lost_at=3)
    with pytest.raises(psycopg.OperationalError):
        pi.import_rows(session, _rows(session, 5))
    assert len(seen) == 3
    assert sys.getswitchinterval() == usual  # restored after an error too
    session.rollback()


def test_ids_not_reserved_are_taken_between_the_copies(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PostgreSQL: without reserved ids each insert takes its own from the sequence, the writer thread waited for
    monkeypatch.setattr(pi, "_BLOCK_ROWS", 3)
    monkeypatch.setattr(pi._BulkWriter, "reserve", lambda self, counts: None)
    rows = _rows(session, 8)
    before = _counts(session)
    assert pi.import_rows(session, rows) == pi.ImportResult(8, 8, 0)
    session.commit()
    after = _counts(session)
    assert after == (before[0] + 8, before[1] + 8, before[2] + 8, before[3] + 8, before[4], before[5] + 32)
    names = {
        org.name_ja: [e.contact.email for e in org.employments]
        for org in session.scalars(select(Organization).where(Organization.name_ja.like("検査水道%")))
    }
    assert names == {f"検査水道{i:03d}株式会社": [f"taro{i:03d}@check.example.jp"] for i in range(8)}


def test_records_created_after_a_bulk_import_get_new_ids(session: Session) -> None:
    rows = _rows(session, 20)
    result = pi.import_rows(session, rows)
    session.commit()
    assert result == pi.ImportResult(20, 20, 0)
    imported = list(session.scalars(select(Organization.id)))
    later = partners.create_organization(session, kind=OrganizationKind.OTHER, name_ja="後から登録")
    person = partners.create_contact(session, family_name="後藤")
    session.commit()
    assert later.id not in imported and person.id
    assert session.scalar(select(func.count()).select_from(Organization)) == 21
    org = session.scalars(select(Organization).where(Organization.name_ja == "検査水道007株式会社")).one()
    assert org.phone == "+81442000007" and org.email == "info007@check.example.jp"
    assert "0442000007" in org.search_text
    assert [(e.title, e.contact.email) for e in org.employments] == [("課長", "taro007@check.example.jp")]
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.table_name == "organizations", AuditEntry.row_id == org.id)
    ).one()
    assert entry.summary == "検査水道007株式会社" and entry.changes["phone"] == [None, "+81442000007"]
    assert "sort_ja" not in entry.changes and entry.changes["kind"] == [None, "member"]


# --- the audit entries' JSON text -------------------------------------------------------------------------------------

_audit_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),  # also non-ASCII, quotes, backslashes, control characters, lone surrogates
    st.sampled_from(list(OrganizationKind)),
    st.dates(),
    st.datetimes(timezones=st.sampled_from([None, UTC])),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.lists(st.integers(), max_size=3),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.dictionaries(st.sampled_from(["name_ja", "kind", "phone", 'note"s', "番号"]), _audit_values),
        min_size=1,
        max_size=4,
    )
)
def test_audit_changes_text_is_what_json_dumps_gives(records: list[dict[str, object]]) -> None:
    keys = sorted({key for record in records for key in record})
    full = [{key: record.get(key) for key in keys} for record in records]
    expected = [json.dumps({key: [None, audit.jsonable(record[key])] for key in keys}) for record in full]
    assert pi._changes_json(keys, full) == expected


def test_audit_changes_with_percent_signs_in_same_and_different_values() -> None:
    # the columns with one text for every record are written into a %-template: their % signs must stay as they are
    records: list[dict[str, object]] = [
        {"率%": "100%", "name": f"%s%d{i}%%", "same": "%(x)s", "n": 1} for i in range(3)
    ]
    keys = ["率%", "name", "same", "n"]
    expected = [json.dumps({key: [None, record[key]] for key in keys}) for record in records]
    assert pi._changes_json(keys, records) == expected
    assert pi._changes_json(keys, records[:1]) == expected[:1]
    assert pi._changes_json(keys, []) == []


def test_stored_audit_changes_are_json_dumps_text(session: Session) -> None:
    """The entries the import writes hold the same JSON text as those written by the audit hook (json.dumps)."""
    rows = _rows(session, 3)
    pi.import_rows(session, rows)
    session.flush()
    stored = session.execute(
        select(AuditEntry.table_name, cast(AuditEntry.changes, Text)).where(
            AuditEntry.table_name == "organizations"
        )
    ).all()
    assert len(stored) == 3
    for _table, text in stored:
        assert text == json.dumps(json.loads(text))
        assert json.loads(text)["name_ja"][1].startswith("検査水道")


def test_text_with_copy_escapes_is_stored_as_written(session: Session) -> None:
    """Backslashes, tabs, line breaks, a literal \\N and \\. (COPY's NULL and end marker on PostgreSQL) are stored
    as they are, in the records and in their audit entries."""
    tricky = ["a\\b", "tab\there", "two\nlines", "\\N", "\\.", "", "終わり\\"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["会社名", "区分", "住所", "備考"])
    for i, text in enumerate(tricky):
        writer.writerow([f"特殊文字{i}株式会社", "その他", text, f"{text}|{text}"])
    table = pi.read_table(out.getvalue().encode())
    rows = pi.preview(session, table, pi.guess_mapping(table.headers))
    assert all(r.ok and not r.duplicates for r in rows)
    pi.import_rows(session, rows)
    session.flush()
    session.expire_all()
    stored = dict(
        session.execute(
            select(Organization.name_ja, Organization.address).where(Organization.name_ja.like("特殊文字%"))
        ).all()
    )
    assert stored == {f"特殊文字{i}株式会社": text for i, text in enumerate(tricky)}
    notes = {
        o.name_ja: o.notes
        for o in session.scalars(select(Organization).where(Organization.name_ja.like("特殊文字%")))
    }
    assert notes == {f"特殊文字{i}株式会社": f"{text}|{text}" for i, text in enumerate(tricky)}
    logged = {
        e.summary: e.changes["notes"][1]
        for e in session.scalars(select(AuditEntry).where(AuditEntry.table_name == "organizations"))
        if e.summary.startswith("特殊文字")
    }
    assert logged == notes


def test_copy_texts_of_each_kind() -> None:
    assert pi._copy_texts(["a\\b", None, "x\ty\nz\r", ""]) == ["a\\\\b", "\\N", "x\\ty\\nz\\r", ""]
    assert pi._copy_texts([None, None]) == ["\\N", "\\N"]
    assert pi._copy_texts([1, None, -5]) == ["1", "\\N", "-5"]
    assert pi._copy_texts([True, False, None]) == ["t", "f", "\\N"]
    assert pi._copy_texts([date(2026, 4, 1), None]) == ["2026-04-01", "\\N"]
    assert pi._copy_texts([datetime(2026, 4, 1, 9, 30, tzinfo=UTC)]) == ["2026-04-01T09:30:00+00:00"]
    assert pi._copy_texts(["a\x00b"]) is None  # psycopg refuses it with its own error
    assert pi._copy_texts([1, "a"]) is None and pi._copy_texts([1.5]) is None
    assert pi._copy_texts([date(2026, 4, 1), datetime(2026, 4, 1, tzinfo=UTC)]) is None
    assert pi._copy_texts(["a", "b\tc", ""]) == ["a", "b\\tc", ""]
    assert pi._copy_texts([]) == []


def test_copy_texts_of_datetimes_keep_each_ones_own_offset() -> None:
    # written once per distinct object: equal instants in other time zones are not taken for one another
    now = datetime(2026, 4, 1, 0, 30, tzinfo=UTC)
    tokyo = now.astimezone(ZoneInfo("Asia/Tokyo"))
    assert now == tokyo
    assert pi._copy_texts([now, tokyo, None, now]) == [
        "2026-04-01T00:30:00+00:00",
        "2026-04-01T09:30:00+09:00",
        "\\N",
        "2026-04-01T00:30:00+00:00",
    ]
    assert pi._copy_texts([date(2026, 4, 1), date(2026, 4, 1), date(2026, 4, 2)]) == [
        "2026-04-01",
        "2026-04-01",
        "2026-04-02",
    ]


def test_ids_reserved_for_several_tables_in_one_statement(session: Session, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("ids are reserved from sequences on PostgreSQL only")
    first = partners.create_organization(session, kind=OrganizationKind.OTHER, name_ja="予約前")
    session.flush()
    statements: list[str] = []
    conn = session.connection()
    event.listen(conn, "before_cursor_execute", lambda *args: statements.append(args[2]))
    orgs, contacts, entries = pi._reserve_ids(
        conn, [(Organization.__table__, 5), (Contact.__table__, 0), (AuditEntry.__table__, 3)]
    )
    assert len(statements) == 1
    assert len(set(orgs)) == 5 and contacts == [] and len(set(entries)) == 3
    assert min(orgs) > first.id
    later = partners.create_organization(session, kind=OrganizationKind.OTHER, name_ja="予約後")
    session.flush()
    assert later.id > max(orgs)  # the reserved ids are never handed out again
    assert pi._reserve_ids(conn, []) == []


# --- the other instances hear of an import ------------------------------------------------------------------------


def test_an_import_reaches_the_other_instances_and_the_commit_listeners(db_url: str) -> None:
    """As records saved through the ORM: another instance's watcher is told (PostgreSQL: NOTIFY, sent at the
    commit; SQLite: the audit log it polls), and this process's commit listeners hear which tables changed."""
    import threading
    import time

    from kawaoffice.storage import Database, notify

    writer, reader = Database.open(db_url, "aiko"), Database.open(db_url, "kenji")
    seen: list[notify.Change] = []
    arrived = threading.Event()

    def on_change(change: notify.Change) -> None:
        seen.append(change)
        if "organizations" in change.tables or any(t == "organizations" for t, _i in change.records):
            arrived.set()

    told: list[frozenset[str]] = []
    notify.on_own_commit(told.append)
    watcher = reader.watch_changes(on_change, interval=0.2)
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not (
            (watcher.mode == "listen" and watcher._conn is not None)
            or (watcher.mode == "poll" and watcher._last_id is not None)
        ):
            time.sleep(0.02)
        time.sleep(0.1)
        with writer.session() as s:
            rows = _rows(s, 3)
            pi.import_rows(s, rows)
            s.flush()
            time.sleep(0.5)
            assert not arrived.is_set()  # written, not committed: nothing told yet
        assert arrived.wait(5)
        assert {"organizations", "contacts", "employments", "memberships"} <= set().union(*told)
    finally:
        watcher.stop()
        notify._commit_listeners.remove(told.append)
        writer.dispose()
        reader.dispose()
