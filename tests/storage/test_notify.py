"""Live refresh below the UI: a commit in one Database object (one app instance) is seen by a watcher of another
within 2 seconds, on SQLite (polling the audit log) and PostgreSQL (LISTEN/NOTIFY); a rolled back transaction is
not announced; an instance does not hear its own saves."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select, text

from kawaoffice.model.partners import Organization, OrganizationKind
from kawaoffice.services import partners
from kawaoffice.storage import Database
from kawaoffice.storage.notify import LISTENER_NAME, MAX_PAYLOAD, Change, own_change_filter

DEADLINE_S = 2.0


class Inbox:
    def __init__(self) -> None:
        self.changes: list[Change] = []
        self.status: list[tuple[bool, str]] = []
        self._event = threading.Condition()

    def on_change(self, change: Change) -> None:
        with self._event:
            self.changes.append(change)
            self._event.notify_all()

    def on_status(self, online: bool, reason: str) -> None:
        self.status.append((online, reason))

    def records(self) -> set[tuple[str, int]]:
        return {r for c in self.changes for r in c.records}

    def wait_for(self, predicate, timeout: float = DEADLINE_S) -> bool:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        with self._event:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._event.wait(left)
            return True


@pytest.fixture
def two_instances(db_url: str) -> Iterator[tuple[Database, Database]]:
    first, second = Database.open(db_url, "aiko"), Database.open(db_url, "kenji")
    yield first, second
    first.dispose()
    second.dispose()


def _watch(db: Database, inbox: Inbox):  # type: ignore[no-untyped-def]
    watcher = db.watch_changes(inbox.on_change, on_status=inbox.on_status, interval=0.2)
    # the watcher is ready once it has read where the log stands / is listening
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if watcher.mode == "listen" and watcher._conn is not None:
            break
        if watcher.mode == "poll" and watcher._last_id is not None:
            break
        time.sleep(0.02)
    time.sleep(0.1)
    return watcher


def test_a_save_in_one_instance_reaches_the_other_within_two_seconds(
    two_instances: tuple[Database, Database],
) -> None:
    writer, reader = two_instances
    seen, own = Inbox(), Inbox()
    watcher = _watch(reader, seen)
    own_watcher = _watch(writer, own)
    try:
        started = time.monotonic()
        with writer.session() as s:
            org = partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja="北九州ライブ工業")
            org_id = org.id
        assert seen.wait_for(lambda: ("organizations", org_id) in seen.records())
        assert time.monotonic() - started < DEADLINE_S
        assert "organizations" in {t for c in seen.changes for t in c.tables}
        # an update and a delete of that row are announced too
        seen.changes.clear()
        with writer.session() as s:
            current = partners.get_organization(s, org_id)
            partners.update_organization(s, org_id, current.version, city="北九州市")
        assert seen.wait_for(lambda: ("organizations", org_id) in seen.records())
        time.sleep(0.5)
        assert own.changes == []  # the writer's own watcher ignores its own saves
    finally:
        watcher.stop()
        own_watcher.stop()
    assert watcher.state.online
    assert seen.status == []


def test_a_rolled_back_transaction_is_not_announced(two_instances: tuple[Database, Database]) -> None:
    writer, reader = two_instances
    seen = Inbox()
    watcher = _watch(reader, seen)
    try:
        with pytest.raises(RuntimeError), writer.session() as s:
            partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja="取り消し")
            s.flush()
            raise RuntimeError("the user cancelled")
        with writer.session() as s:
            kept = partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja="保存")
            kept_id = kept.id
        assert seen.wait_for(lambda: ("organizations", kept_id) in seen.records())
        with reader.session() as s:
            names = s.scalars(select(Organization.name_ja)).all()
        assert names == ["保存"]
        assert seen.records() == {("organizations", kept_id)} | {
            r for r in seen.records() if r[0] != "organizations"
        }
    finally:
        watcher.stop()


def test_own_filter_by_origin_and_by_recent_keys(two_instances: tuple[Database, Database]) -> None:
    writer, _reader = two_instances
    keep = own_change_filter(writer.origin)
    assert keep(Change(frozenset({"x"}), origin=writer.origin)) is None
    other = Change(frozenset({"x"}), origin="someone-else")
    assert keep(other) == other
    with writer.session() as s:
        org = partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja="自分")
    polled = Change(frozenset({"organizations"}), frozenset({("organizations", org.id)}))
    assert keep(polled) is None
    mixed = Change(
        frozenset({"organizations"}), frozenset({("organizations", org.id), ("organizations", org.id + 1)})
    )
    assert keep(mixed) == Change(frozenset({"organizations"}), frozenset({("organizations", org.id + 1)}))
    assert keep(Change(resync=True)) == Change(resync=True)


def test_payload_round_trip_and_long_lists() -> None:
    change = Change(frozenset({"organizations", "contacts"}), frozenset({("organizations", 3)}), "abc")
    assert Change.from_payload(change.to_payload()) == change
    many = Change(frozenset({"audit_log"}), frozenset(("audit_log", i) for i in range(5000)), "abc")
    payload = many.to_payload()
    assert len(payload.encode()) <= MAX_PAYLOAD
    assert Change.from_payload(payload) == Change(frozenset({"audit_log"}), frozenset(), "abc")
    assert Change.from_payload("organizations, contacts") == Change(frozenset({"organizations", "contacts"}))


@pytest.mark.postgres
def test_postgres_notification_is_sent_only_at_commit(
    backend: str, two_instances: tuple[Database, Database]
) -> None:
    if backend != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    writer, reader = two_instances
    seen = Inbox()
    watcher = _watch(reader, seen)
    try:
        assert watcher.mode == "listen"
        session_cm = writer.session()
        s = session_cm.__enter__()
        org = partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja="コミット待ち")
        s.flush()
        time.sleep(0.6)
        assert seen.changes == []  # flushed, not committed: nothing announced yet
        session_cm.__exit__(None, None, None)
        assert seen.wait_for(lambda: ("organizations", org.id) in seen.records())
        assert all(c.origin == writer.origin for c in seen.changes)
    finally:
        watcher.stop()


@pytest.mark.postgres
def test_listener_survives_its_connection_being_killed(
    backend: str, two_instances: tuple[Database, Database]
) -> None:
    if backend != "postgresql":
        pytest.skip("PostgreSQL only")
    writer, reader = two_instances
    seen = Inbox()
    watcher = _watch(reader, seen)
    try:
        with writer.engine.connect() as conn:
            killed = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = :name"
                ),
                {"name": LISTENER_NAME},
            ).scalar()
        assert killed == 1
        assert seen.wait_for(lambda: any(c.resync for c in seen.changes), timeout=10)
        assert [online for online, _r in seen.status][:1] == [False]
        assert seen.status[-1] == (True, "")
        with writer.session() as s:
            org = partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja="再接続後")
        assert seen.wait_for(lambda: ("organizations", org.id) in seen.records())
    finally:
        watcher.stop()


def test_own_commits_are_told_to_commit_listeners_and_rollbacks_are_not(
    two_instances: tuple[Database, Database],
) -> None:
    from kawaoffice.storage import notify

    writer, _reader = two_instances
    told: list[frozenset[str]] = []
    notify.on_own_commit(told.append)
    try:
        with pytest.raises(RuntimeError), writer.session() as s:
            partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja="取り消し")
            s.flush()
            raise RuntimeError("the user cancelled")
        assert told == []
        with writer.session() as s:
            partners.create_organization(s, kind=OrganizationKind.MEMBER, name_ja="保存")
        assert len(told) == 1 and "organizations" in told[0]
    finally:
        notify._commit_listeners.remove(told.append)
