"""Live refresh: telling the other KawaOffice instances which records a commit changed.

Writers (every ``Session``, installed once when this module is imported):
    ``after_flush`` collects the ``(table, id)`` of the rows the flush inserted, updated or deleted (ORM bulk
    UPDATE/DELETE statements add their table). On PostgreSQL the same hook sends ``pg_notify('kawaoffice', payload)``
    on the flush's own connection: NOTIFY is transactional, so the other instances hear of it only when the
    transaction commits and never when it rolls back. ``after_commit`` remembers the keys as this process's own
    for a few seconds (the polling watcher uses that to tell its own saves from colleagues').

Readers: :class:`ChangeWatcher`, a daemon thread that calls ``on_change(Change)``:
    - PostgreSQL: a separate psycopg connection in autocommit with ``LISTEN kawaoffice`` and
      ``conn.notifies(timeout=...)``; a ``SELECT 1`` every few seconds notices a dead connection while idle;
    - SQLite (and PostgreSQL when LISTEN is not possible, e.g. behind a transaction pooler): a poll of the
      audit log (``audit_log.id > last seen``), every ``interval`` seconds.
    When the connection is lost it calls ``on_status(False, reason)`` and retries with exponential back-off
    (0.5 s doubling up to 10 s); when it is back, ``on_status(True, "")`` and a ``Change(resync=True)``, because
    notifications sent meanwhile were missed.

No Qt here: the UI wraps the callbacks into signals (kawaoffice/ui/widgets/live_refresh.py).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event, func, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from kawaoffice.model.audit import AuditEntry
from kawaoffice.storage.credentials import mask_passwords
from kawaoffice.storage.errors import explain_connection_error

log = logging.getLogger(__name__)

CHANNEL = "kawaoffice"
MAX_PAYLOAD = 7000  # PostgreSQL refuses payloads of 8000 bytes or more; above this only table names are sent
OWN_MEMORY_S = 10.0  # how long a commit's keys count as this process's own (polling mode)
MAX_BACKOFF_S = 10.0
FIRST_BACKOFF_S = 0.5
HEALTH_CHECK_S = 5.0
POLL_BATCH = 5000
INFO_CHANGES = "kawa_changes"
INFO_ORIGIN = "origin"
LISTENER_NAME = "KawaOffice live refresh"  # application_name of the listening connection (pg_stat_activity)

# -------------------------------------------------------------------------------------------------------------
# What changed
# -------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """Rows changed by one or more commits. ``records`` holds the ``(table, id)`` pairs when known; a table in
    ``tables`` without records in ``records`` changed in rows that are not known (bulk statement, long list).
    ``resync``: notifications may have been missed (after a lost connection): reload everything."""

    tables: frozenset[str] = frozenset()
    records: frozenset[tuple[str, int]] = frozenset()
    origin: str = ""
    resync: bool = False

    def __bool__(self) -> bool:
        return bool(self.tables or self.records or self.resync)

    def merged(self, other: Change) -> Change:
        return Change(
            self.tables | other.tables,
            self.records | other.records,
            self.origin if self.origin == other.origin else "",
            self.resync or other.resync,
        )

    def to_payload(self) -> str:
        grouped: dict[str, list[int]] = {t: [] for t in sorted(self.tables)}
        for table, row_id in sorted(self.records):
            grouped.setdefault(table, []).append(row_id)
        payload = json.dumps({"o": self.origin, "t": grouped}, separators=(",", ":"))
        if len(payload.encode("utf-8")) > MAX_PAYLOAD:
            payload = json.dumps({"o": self.origin, "t": {t: [] for t in grouped}}, separators=(",", ":"))
        return payload

    @classmethod
    def from_payload(cls, payload: str) -> Change:
        """Parse a notification; a payload of plain table names (``"a,b"``) is accepted too."""
        try:
            data = json.loads(payload)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            names = frozenset(p.strip() for p in payload.split(",") if p.strip())
            return cls(tables=names)
        tables: set[str] = set()
        records: set[tuple[str, int]] = set()
        raw = data.get("t")
        if isinstance(raw, dict):
            for table, ids in raw.items():
                tables.add(str(table))
                if isinstance(ids, list):
                    records.update((str(table), int(i)) for i in ids if isinstance(i, int))
        return cls(frozenset(tables), frozenset(records), str(data.get("o") or ""))


def _pending(session: Session) -> tuple[set[str], set[tuple[str, int]]]:
    found = session.info.get(INFO_CHANGES)
    if found is None:
        found = (set(), set())
        session.info[INFO_CHANGES] = found
    return found


def _after_flush(session: Session, flush_context: UOWTransaction) -> None:
    tables: set[str] = set()
    records: set[tuple[str, int]] = set()
    for group, only_modified in ((session.new, False), (session.dirty, True), (session.deleted, False)):
        for obj in group:
            table = getattr(obj, "__tablename__", None)
            if not isinstance(table, str):
                continue
            if only_modified and not session.is_modified(obj, include_collections=False):
                continue
            tables.add(table)
            row_id = getattr(obj, "id", None)
            if isinstance(row_id, int):
                records.add((table, row_id))
    if tables:
        record_change(session, tables, records)


def record_change(session: Session, tables: Iterable[str], records: Iterable[tuple[str, int]] = ()) -> None:
    """Tell the other instances (NOTIFY on PostgreSQL, sent in the session's transaction: heard only if it commits)
    and, at the commit, this process's ``on_own_commit`` listeners that ``records`` of ``tables`` changed. The ORM
    flush hook calls it; writes that bypass the ORM (the import's bulk insert) call it themselves."""
    tables = frozenset(tables)
    records = frozenset(records)
    all_tables, all_records = _pending(session)
    all_tables |= tables
    all_records |= records
    _send(session, Change(tables, records, str(session.info.get(INFO_ORIGIN, ""))))


def _send(session: Session, change: Change) -> None:
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    connection.execute(select(func.pg_notify(CHANNEL, change.to_payload())))


def _do_orm_execute(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if isinstance(name, str):
        _pending(state.session)[0].add(name)
        _send(state.session, Change(frozenset({name}), origin=str(state.session.info.get(INFO_ORIGIN, ""))))


_own_lock = threading.Lock()
_own_recent: deque[tuple[float, str, tuple[str, int]]] = deque()


_commit_listeners: list[Callable[[frozenset[str]], None]] = []


def on_own_commit(listener: Callable[[frozenset[str]], None]) -> None:
    """Call ``listener(tables)`` after each commit in this process that changed rows of ``tables`` (in the
    committing thread). Other processes' saves come through ``ChangeWatcher``, which skips this process's own."""
    if listener not in _commit_listeners:
        _commit_listeners.append(listener)


def _after_commit(session: Session) -> None:
    found = session.info.pop(INFO_CHANGES, None)
    if not found:
        return
    if found[0]:
        for listener in list(_commit_listeners):
            try:
                listener(frozenset(found[0]))
            except Exception:  # a listener's failure must not fail the commit that already happened
                log.exception("commit listener failed")
    origin = str(session.info.get(INFO_ORIGIN, ""))
    now = time.monotonic()
    with _own_lock:
        for key in found[1]:
            _own_recent.append((now, origin, key))
        _prune(now)


def _after_rollback(session: Session) -> None:
    session.info.pop(INFO_CHANGES, None)


def _prune(now: float) -> None:
    while _own_recent and now - _own_recent[0][0] > OWN_MEMORY_S:
        _own_recent.popleft()


def recent_own_records(origin: str) -> set[tuple[str, int]]:
    """The ``(table, id)`` pairs committed in the last few seconds by sessions of ``origin`` in this process."""
    now = time.monotonic()
    with _own_lock:
        _prune(now)
        return {key for _at, o, key in _own_recent if o == origin}


_installed = False


def install() -> None:
    """Attach the hooks to every ``Session`` (idempotent; done when this module is imported)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _do_orm_execute)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", lambda session, previous: _after_rollback(session))
    _installed = True


install()

# -------------------------------------------------------------------------------------------------------------
# Watching
# -------------------------------------------------------------------------------------------------------------


def psycopg_conninfo(url: URL, *, connect_timeout: int = 5) -> dict[str, Any]:
    """Keyword arguments for ``psycopg.connect`` from a SQLAlchemy URL (query options such as sslmode kept)."""
    params: dict[str, Any] = {
        "host": url.host or "localhost",
        "dbname": url.database or "",
        "connect_timeout": connect_timeout,
        "application_name": LISTENER_NAME,
    }
    if url.port:
        params["port"] = url.port
    if url.username:
        params["user"] = url.username
    if url.password is not None:
        params["password"] = str(url.password)
    for key, value in url.query.items():
        params[key] = value if isinstance(value, str) else value[-1]
    return params


@dataclass
class WatcherState:
    online: bool = True
    mode: str = ""  # "listen" or "poll"
    reason: str = ""
    attempts: int = 0
    notes: list[str] = field(default_factory=list)


class ChangeWatcher:
    """Calls ``on_change`` with what other sessions committed and ``on_status`` when the database goes away or
    comes back. Callbacks run on the watcher's own thread. ``ignore`` (optional) filters a change before it is
    delivered (the Database uses it to drop this instance's own saves)."""

    def __init__(
        self,
        engine: Engine,
        on_change: Callable[[Change], None],
        *,
        on_status: Callable[[bool, str], None] | None = None,
        interval: float = 1.0,
        mode: str = "auto",
        filter_change: Callable[[Change], Change | None] | None = None,
    ) -> None:
        self.engine = engine
        self.on_change = on_change
        self.on_status = on_status
        self.interval = interval
        self.filter_change = filter_change
        backend = engine.dialect.name
        self.mode = ("listen" if backend == "postgresql" else "poll") if mode == "auto" else mode
        self.state = WatcherState(mode=self.mode)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_id: int | None = None
        self._conn: Any = None

    # --- life cycle -------------------------------------------------------------------------------------------

    def start(self) -> ChangeWatcher:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"kawaoffice-{self.mode}", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def retry_now(self) -> None:
        """Skip the rest of the back-off wait (the user pressed "Retry now")."""
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # --- the thread -------------------------------------------------------------------------------------------

    def _sleep(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()

    def _run(self) -> None:
        delay = FIRST_BACKOFF_S
        missed = False
        while not self._stop.is_set():
            try:
                if self.mode == "listen":
                    self._listen(resync=missed)
                else:
                    self._poll(resync=missed)
                return  # stopped
            except _ListenUnsupported as exc:
                log.warning("LISTEN is not possible (%s); polling the audit log instead", exc)
                self.mode = self.state.mode = "poll"
                continue
            except Exception as exc:
                if self._stop.is_set():
                    return
                missed = True
                reason = explain_connection_error(exc)
                self.state.attempts += 1
                if self.state.online or self.state.reason != reason:
                    log.warning(
                        "database connection lost (%s): %s", self.mode, mask_passwords(str(exc)).strip()
                    )
                self._set_online(False, reason)
                self._close_conn()
                self._sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF_S)
                continue

    def _set_online(self, online: bool, reason: str) -> None:
        changed = online != self.state.online
        self.state.online = online
        self.state.reason = reason
        if online:
            self.state.attempts = 0
        if (changed or not online) and self.on_status is not None:
            self.on_status(online, reason)

    def _deliver(self, change: Change) -> None:
        if self.filter_change is not None:
            filtered = self.filter_change(change)
            if filtered is None:
                return
            change = filtered
        if change:
            try:
                self.on_change(change)
            except Exception:  # a receiver's bug must not stop the watching
                log.exception("a change receiver failed")

    def _came_back(self, resync: bool) -> None:
        if not self.state.online:
            log.info("database connection restored (%s)", self.mode)
            self._set_online(True, "")
        if resync:
            self._deliver(Change(resync=True))

    def _close_conn(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # already broken
                log.debug("closing the listening connection failed", exc_info=True)

    # --- PostgreSQL LISTEN ------------------------------------------------------------------------------------

    def _listen(self, *, resync: bool) -> None:
        import psycopg

        conn = psycopg.connect(**psycopg_conninfo(self.engine.url), autocommit=True)
        self._conn = conn
        try:
            try:
                conn.execute(f"LISTEN {CHANNEL}")
            except psycopg.errors.FeatureNotSupported as exc:  # e.g. a transaction pooler
                raise _ListenUnsupported(str(exc)) from exc
            self._came_back(resync)
            last_check = time.monotonic()
            while not self._stop.is_set():
                pending: Change | None = None
                for notify in conn.notifies(timeout=0.25):
                    change = Change.from_payload(notify.payload)
                    pending = change if pending is None else pending.merged(change)
                if pending is not None:
                    self._deliver(pending)
                if time.monotonic() - last_check >= HEALTH_CHECK_S:
                    conn.execute("SELECT 1")
                    last_check = time.monotonic()
                if self._wake.is_set():
                    self._wake.clear()
        finally:
            self._close_conn()

    # --- polling ----------------------------------------------------------------------------------------------

    def _poll(self, *, resync: bool) -> None:
        if self._last_id is None:
            self._last_id = self._max_id()
        self._came_back(resync)
        while not self._stop.is_set():
            change = self.poll_once()
            if change is not None:
                self._deliver(change)
            self._sleep(self.interval)

    def _max_id(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.coalesce(func.max(AuditEntry.id), 0))).scalar_one())

    def poll_once(self) -> Change | None:
        """Read the audit log entries written since the last poll (raises when the database is unreachable)."""
        if self._last_id is None:
            self._last_id = self._max_id()
            return None
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(AuditEntry.id, AuditEntry.table_name, AuditEntry.row_id)
                    .where(AuditEntry.id > self._last_id)
                    .order_by(AuditEntry.id)
                    .limit(POLL_BATCH)
                ).all()
        except DBAPIError:
            raise
        except SQLAlchemyError:  # pragma: no cover - e.g. a table missing in a half-created database
            log.exception("polling the audit log failed")
            return None
        if not rows:
            return None
        self._last_id = int(rows[-1][0])
        tables = frozenset(str(r[1]) for r in rows)
        records = frozenset((str(r[1]), int(r[2])) for r in rows if r[2] is not None)
        return Change(tables, records)


class _ListenUnsupported(Exception):
    pass


def own_change_filter(origin: str) -> Callable[[Change], Change | None]:
    """A ``filter_change`` that drops what sessions of ``origin`` in this process committed: by the origin in
    the notification (PostgreSQL), else by the ``(table, id)`` pairs committed in the last seconds (polling)."""

    def keep(change: Change) -> Change | None:
        if change.resync:
            return change
        if change.origin:
            return None if change.origin == origin else change
        own = recent_own_records(origin)
        foreign = change.records - own
        if change.records and not foreign:
            return None
        tables = frozenset(t for t, _i in foreign) if change.records else change.tables
        return Change(tables, frozenset(foreign), change.origin)

    return keep


def tables_of(records: Iterable[tuple[str, int]]) -> frozenset[str]:
    return frozenset(t for t, _i in records)


__all__ = [
    "CHANNEL",
    "Change",
    "ChangeWatcher",
    "install",
    "own_change_filter",
    "psycopg_conninfo",
    "recent_own_records",
]
