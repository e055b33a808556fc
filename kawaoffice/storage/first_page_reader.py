"""The start-up preview's reader process for the shared database (issue 10).

``storage.first_page.begin_preview`` starts this in a separate process before Qt starts, with the request on its
standard input, and reads the rows back as JSON from its standard output once the Qt application is up (the
other core does this work meanwhile; in a thread it would share the interpreter lock with Qt's start). The request
is what the app parsed from the URL and chose for its language, so that this process imports as little as it can:
it is on the way to the first window. Measured on the benchmark machine (issue 10, session 7), it had spent
~0.45 s before the page could be asked for, of which importing psycopg ~0.18 s and the interpreter's exit after
the answer ~0.1 s:

- the login and the statement go through libpq itself (``storage.libpq``: ctypes on the libpq psycopg uses, the
  same login), psycopg only where its bundled libpq is not found;
- keyring only when the URL has no password (``credentials.stored_password_quietly``: as the normal path finds
  it, but never a store's unlock dialog); the password never leaves this process;
- the rows are sent as the server's texts; the app builds the page, checks the schema revision against the
  migration scripts while it waits, and logs what this process logged;
- the process ends at once after its answer (``os._exit``: nothing is left to clean up, the connection is closed).

Request: ``{"connect": {libpq keywords}, "credential_key": str | None, "sql": str, "params": [...]}``;
reply: ``{"rows": [[text or null, ...], ...] or null, "log": [[level, message], ...]}``.

    python -m kawaoffice.storage.first_page_reader        (the frozen app: ``kawaoffice.exe --read-first-page``)
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import types

TYPE_CHECKING = False  # (typing's own costs a few ms of this process's start; mypy reads this name as True)
if TYPE_CHECKING:
    import subprocess
    from typing import Any

INFO = 20  # logging.INFO (logging is imported only with the credential store)

# What the normal path connects with besides the URL (storage.database.PG_CONNECT_ARGS: the same application name,
# and no JIT, which once spent a second compiling a statement like this one); a short timeout: libpq's minimum is 2 s,
# and the app does not wait that long anyway.
CONNECT_ARGS: dict[str, str | int] = {
    "connect_timeout": 2,
    "application_name": "KawaOffice",
    "options": "-c jit=off",
}


def _stored_password(key: str, log: list[tuple[int, str]]) -> str | None:
    """The credential store's password of ``key`` (never with a dialog), what it logged kept in ``log``."""
    import logging

    from kawaoffice.storage.credentials import stored_password_quietly

    class Kept(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            log.append((record.levelno, record.getMessage()))

    kept = Kept(logging.INFO)
    logger = logging.getLogger("kawaoffice")
    logger.addHandler(kept)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        return stored_password_quietly(key)
    finally:
        logger.removeHandler(kept)
        logger.setLevel(level)


def fetch(connect: dict[str, Any], sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` on a new connection with libpq's keywords ``connect`` (plus ``CONNECT_ARGS``), closed
    after: through libpq directly, or psycopg where its bundled libpq is not found. Raises on any failure."""
    from kawaoffice.storage import libpq

    given = {**connect, **CONNECT_ARGS}
    try:
        connection = libpq.connect(given)
    except libpq.LibpqUnavailable:
        return _fetch_with_psycopg(given, sql, params)
    try:
        return connection.fetch_all(sql, params)
    finally:
        connection.close()


def _fetch_with_psycopg(given: dict[str, Any], sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    import psycopg

    kwargs = {k: v for k, v in given.items() if v is not None and v != ""}
    with psycopg.connect(autocommit=True, **kwargs) as connection, psycopg.RawCursor(connection) as cursor:
        cursor.execute(sql.encode(), params)  # ($1 placeholders: RawCursor sends the statement as it is)
        return cursor.fetchall()


def answer(request: dict[str, Any]) -> dict[str, Any]:
    """The reply to one request (see the module's text). Errors are logged by their kind only (their text may name
    the server's user or more)."""
    log: list[tuple[int, str]] = []
    connect = dict(request["connect"])
    where = str(request.get("location") or "the shared database")
    if not connect.get("password") and request.get("credential_key"):
        # as the normal path finds it, but never with a dialog of the store; None: libpq's own (PGPASSWORD, .pgpass)
        connect["password"] = _stored_password(str(request["credential_key"]), log)
    try:
        rows = fetch(connect, str(request["sql"]), list(request.get("params") or []))
    except Exception as exc:  # (the app takes the normal path, which says what is wrong)
        from kawaoffice.storage import libpq

        what = "cannot connect" if isinstance(exc, (libpq.ConnectionFailed, OSError)) else "cannot read"
        if type(exc).__module__.startswith("psycopg"):
            what = "cannot connect" if type(exc).__name__ == "OperationalError" else "cannot read"
        log.append((INFO, f"no start-up preview of {where}: {what} ({type(exc).__name__})"))
        return {"rows": None, "log": log}
    return {"rows": rows, "log": log}


PREPARE_STORE_FLAG = "--prepare-store"
# The frozen app's flag that makes it this reader process instead of the desktop app (installer/entry_gui.py).
READER_FLAG = "--read-first-page"


def command(*, prepare_store: bool = False) -> list[str]:
    """How to start this module as the reader process with this interpreter (or this frozen app); with
    ``prepare_store`` it prepares the credential store while it waits for its request (``prepare``).

    (Measured in session 7: ``-S`` with this process's import path given instead of ``site`` saved ~4 ms, since
    keyring imports most of what ``site`` and the editable install's finder import: not worth a second way to find
    the modules.)"""
    if getattr(sys, "frozen", False):
        started = [sys.executable, READER_FLAG]
    else:
        started = [sys.executable, "-m", "kawaoffice.storage.first_page_reader"]
    return [*started, PREPARE_STORE_FLAG] if prepare_store else started


def spawn(*, prepare_store: bool = False) -> subprocess.Popen[bytes]:
    """The reader process, started (``OSError`` if it cannot be): it waits for its request on standard input.
    Only ``subprocess`` is imported for it, so the entry point (``kawaoffice.launch``) can start it first thing."""
    import subprocess

    return subprocess.Popen(
        command(prepare_store=prepare_store),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),  # (Windows: no console flashes)
    )


def prepare(store: bool) -> None:
    """What can be done before the request comes (``kawaoffice.launch``: a reader started early, while the
    app still imports its modules and reads its settings): libpq loaded, and with ``store`` (the URL has no
    password) keyring imported and the credential store chosen, as the normal path chooses it. Nothing is read from
    the store here and nothing is connected to."""
    from kawaoffice.storage import libpq

    with contextlib.suppress(libpq.LibpqUnavailable):  # (psycopg then; imported when asked)
        libpq.load()
    if store:
        from kawaoffice.storage.credentials import prepare_store

        prepare_store()


# Modules that keyring's own modules import at their top but use only in functions this process never calls:
# jaraco.context's ``urllib.request`` (to download tarballs; it brings http.client, ssl and email), keyring.backend's
# ``importlib_metadata`` (plugins' entry points: the store is chosen by name), jaraco.functools' ``more_itertools``
# and ``inspect``. ~35 ms of this process's ~60 ms of importing keyring (session 8), while the app starts Qt.
DEFERRED_IMPORTS = ("urllib.request", "importlib_metadata", "more_itertools", "inspect")


def defer_imports(names: tuple[str, ...] = DEFERRED_IMPORTS) -> list[str]:
    """Put a stand-in for each of ``names`` not imported yet (and found) in ``sys.modules``: the module is imported
    when an attribute of it is first asked for. Returns the names deferred. This process only: the app imports
    normally. (``importlib.util.LazyLoader`` would not do: the import statement's own check of a module's
    ``__spec__`` loads it at once in Python 3.11.)"""
    import importlib.util

    deferred = []
    for name in names:
        if name in sys.modules:
            continue
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is None:
            continue
        module = _Deferred(name)
        module.__spec__ = spec
        sys.modules[name] = module
        parent, _dot, child = name.rpartition(".")
        if parent:  # (``import urllib.request`` then finds it as the package's attribute, as after an import)
            setattr(sys.modules[parent], child, module)
        deferred.append(name)
    return deferred


class _Deferred(types.ModuleType):
    """A module not imported yet (``defer_imports``): asked for an attribute it does not have, it imports the
    module, takes on its contents and answers."""

    def __getattr__(self, attr: str) -> Any:
        import importlib

        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        real = importlib.import_module(name)
        self.__dict__.update(real.__dict__)
        return getattr(real, attr)


def main() -> int:
    with contextlib.suppress(Exception):  # (done again, and reported, when the request is answered)
        defer_imports()
        prepare(PREPARE_STORE_FLAG in sys.argv[1:])
    try:
        request = json.loads(sys.stdin.read())
        reply = answer(request)
    except (ValueError, KeyError, TypeError):
        return 2
    sys.stdout.write(json.dumps(reply, ensure_ascii=False))
    sys.stdout.flush()
    return 0


def run() -> None:
    """``main()``, then the process ends at once: the interpreter's own exit (finalizing the modules keyring and
    libpq loaded) had taken ~0.1 s after the answer, which the app waited for before it read it."""
    code = main()
    sys.stdout.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
