"""The large benchmark databases, built once from the demo generator and cached under the temp folder.

The cache key is the scale and ``DATA_VERSION`` (raise it when the demo generator's data changes). A newer schema
head is reached by the app's own migrations when the cached database is opened, as an office's database is:

- SQLite: ``<tmp>/kawaoffice-bench/large-s<scale>-d<version>.sqlite3`` (built in a side file, then renamed);
- PostgreSQL: a data folder ``<tmp>/kawaoffice-bench/pg-s<scale>-d<version>/`` with a server started on a free
  loopback port (initdb + pg_ctl found by ``tests/pgserver.py``; as ``postgres`` when run as root) and stopped at
  the end. Skipped, with the reason printed, when no PostgreSQL server binaries are installed.

Several benchmark runs at once (other engineers' on the same machine) take turns: building the SQLite file and
serving the PostgreSQL folder are each held under a file lock (``fcntl.flock``; no lock on Windows).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from sqlalchemy import func, select

from kawaoffice.model.partners import Organization
from kawaoffice.services.demo import load_demo
from kawaoffice.storage import Database, open_database
from tests.pgserver import free_port

CACHE_DIR = Path(tempfile.gettempdir()) / "kawaoffice-bench"
PG_USER = "kawa"
PG_DB = "kawaoffice_bench"
OFFICE_USER = "office"  # the start-up benchmark's login (a password, as on the office network: office_login)
OFFICE_PASSWORD = "Kawa-bench-2026"


DATA_VERSION = (
    2  # raise when services/demo.py generates different data (the cached databases are then rebuilt)
)


def _key(scale: int) -> str:
    return f"s{scale}-d{DATA_VERSION}"


@contextlib.contextmanager
def file_lock(name: str) -> Iterator[None]:
    """Hold ``CACHE_DIR/<name>.lock`` (waiting for another benchmark process that holds it)."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    handle: IO[str] = open(CACHE_DIR / f"{name}.lock", "a")  # noqa: SIM115 (held for the block)
    try:
        if sys.platform != "win32":
            import fcntl

            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print(f"waiting for another benchmark run ({name}) ...", flush=True)
                fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        handle.close()


def build(db: Database, scale: int) -> float:
    """Load the demo data and ``scale`` generated units into an empty database; seconds taken."""
    start = time.perf_counter()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 10:
            last[0] = time.perf_counter()
            print(f"  ... {done}/{total} steps", flush=True)

    with db.session() as s:
        load_demo(s, scale=scale, progress=progress)
    return time.perf_counter() - start


def _filled(db: Database) -> bool:
    with db.session() as s:
        return bool(s.scalar(select(func.count()).select_from(Organization)))


def sqlite_database(scale: int) -> tuple[str, float | None]:
    """URL of the cached SQLite file (built now if missing) and the build time in seconds (None if cached)."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"large-{_key(scale)}.sqlite3"
    with file_lock(f"sqlite-s{scale}"):
        if path.exists():
            open_database(f"sqlite:///{path}", "bench", backup_dir=CACHE_DIR / "backups").dispose()  # to head
            return f"sqlite:///{path}", None
        return _build_sqlite(path, scale)


def _build_sqlite(path: Path, scale: int) -> tuple[str, float | None]:
    side = path.with_suffix(".building")
    for extra in (side, side.with_name(side.name + "-wal"), side.with_name(side.name + "-shm")):
        extra.unlink(missing_ok=True)
    print(f"building the SQLite benchmark database {path} (scale {scale}) ...", flush=True)
    db = open_database(f"sqlite:///{side}", "bench")
    try:
        seconds = build(db, scale)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.dispose()
    for suffix in ("-wal", "-shm"):
        side.with_name(side.name + suffix).unlink(missing_ok=True)
    side.rename(path)
    return f"sqlite:///{path}", seconds


class CachedPostgres:
    """A PostgreSQL server on a data folder kept between runs (the large database is built only once)."""

    def __init__(self, bindir: Path, scale: int) -> None:
        self.bindir = bindir
        self.base = CACHE_DIR / f"pg-{_key(scale)}"
        self.datadir = self.base / "data"
        self.sockdir = Path(tempfile.mkdtemp(prefix="kawaoffice-bench-sock-"))
        self.logfile = self.sockdir / "server.log"
        self.port = free_port()
        self.scale = scale
        self._as_root = hasattr(os, "geteuid") and os.geteuid() == 0
        self.started = False
        self._lock = contextlib.ExitStack()

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self._as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=300)

    def _own(self, path: Path) -> None:
        if self._as_root:
            shutil.chown(path, "postgres")
            os.chmod(path, 0o755)

    def url(self, port: int | None = None) -> str:
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{port or self.port}/{PG_DB}"

    def start(self) -> tuple[str, float | None]:
        """Start the server (initdb first if needed) and build the database if it is empty; held under a file lock
        until ``stop`` (one server on the data folder at a time)."""
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        self._lock.enter_context(file_lock(f"pg-s{self.scale}"))
        self._own(CACHE_DIR)
        self._own(self.sockdir)
        fresh = not (self.datadir / "PG_VERSION").exists()
        if fresh:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base.mkdir(parents=True)
            self._own(self.base)
            self._run(str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", PG_USER, "--auth=trust",
                      "-E", "UTF8", "--locale=C", "--no-sync")  # fmt: skip
        opts = (
            f"-p {self.port} -k {self.sockdir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-o", opts, "-l", str(self.logfile),
                  "-w", "-t", "60", "start")  # fmt: skip
        self.started = True
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user={PG_USER} dbname=postgres", autocommit=True
        ) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DB,)).fetchone():
                conn.execute(f'CREATE DATABASE "{PG_DB}"')
        db = open_database(self.url(), "bench")
        try:
            if _filled(db):
                return self.url(), None
            print(f"building the PostgreSQL benchmark database (scale {self.scale}) ...", flush=True)
            seconds = build(db, self.scale)
            with db.engine.connect() as conn:
                conn.exec_driver_sql("COMMIT")
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
            return self.url(), seconds
        finally:
            db.dispose()

    def office_login(self) -> tuple[str, dict[str, str]]:
        """A login as an office PC makes it: the role ``office`` with a password (scram-sha-256, as a server on
        the office network asks for), the password kept in a credential store (``tests.storage.keyring_file``). The
        URL without the password, and the environment that gives a child process that store."""
        import psycopg

        from kawaoffice.storage.credentials import KEYRING_SERVICE, credential_key
        from tests.storage.keyring_file import child_environment

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user={PG_USER} dbname={PG_DB}", autocommit=True
        ) as conn:
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (OFFICE_USER,)).fetchone():
                conn.execute(f"CREATE ROLE {OFFICE_USER} LOGIN PASSWORD '{OFFICE_PASSWORD}'")
            conn.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {OFFICE_USER}")
            conn.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {OFFICE_USER}")
            hba = self.datadir / "pg_hba.conf"
            rule = f"host all {OFFICE_USER} 127.0.0.1/32 scram-sha-256\n"
            if rule not in hba.read_text():
                hba.write_text(rule + hba.read_text())  # before the trust rules of the benchmark's own user
                conn.execute("SELECT pg_reload_conf()")
        url = f"postgresql+psycopg://{OFFICE_USER}@127.0.0.1:{self.port}/{PG_DB}"
        env = child_environment(
            self.sockdir / "keyring.json", KEYRING_SERVICE, credential_key(url), OFFICE_PASSWORD
        )
        return url, env

    def stop(self) -> None:
        if self.started:
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop")
            self.started = False
        shutil.rmtree(self.sockdir, ignore_errors=True)
        self._lock.close()
