"""Helpers shared by the reliability measurements (``benchmarks/reliability_*.py``, issue 7 item 8).

- ``RestartablePostgres``: the tests' throw-away PostgreSQL server (``tests/pgserver.py``: initdb + pg_ctl on
  loopback) that can also be stopped and started again on the same port and data folder;
- ``fresh_postgres_database`` / ``fresh_sqlite_database``: a KawaOffice database created through
  ``kawaoffice.storage.open_database`` (Alembic migrations, as the app does);
- ``report``: prints the figures as an aligned block and returns them for ``--json``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: python benchmarks/reliability_x.py
    sys.path.insert(0, str(ROOT))

from kawaoffice.storage import open_database  # noqa: E402
from tests.pgserver import PostgresServer, find_pg_bindir  # noqa: E402


class RestartablePostgres(PostgresServer):
    """``start()`` once (initdb + start), then ``halt()`` / ``resume()`` as often as needed, ``stop()`` at the end
    (removes the data folder)."""

    def start(self) -> None:
        """initdb and start as the tests do (no fsync, fast), then restart with a production server's durability
        settings: a crash (``-m immediate``) must not lose an acknowledged commit."""
        super().start()
        self.halt("fast")
        self.resume()

    def _options(self) -> str:
        # durable, unlike the tests' server: fsync, synchronous_commit and full_page_writes on (PostgreSQL's defaults)
        return (
            f"-p {self.port} -k {self.sockdir} -c listen_addresses=127.0.0.1 -c fsync=on "
            "-c synchronous_commit=on -c full_page_writes=on -c max_connections=100"
        )

    def halt(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: disconnect clients, roll back open transactions; ``immediate``: like a
        crash, recovery at the next start)."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", mode, "-w", "stop")

    def resume(self) -> None:
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-o", self._options(),
            "-l", str(self.logfile), "-w", "-t", "60", "start",
        )  # fmt: skip


@contextlib.contextmanager
def postgres_server() -> Iterator[RestartablePostgres]:
    bindir = find_pg_bindir()
    if bindir is None:
        raise SystemExit(
            "PostgreSQL server binaries (initdb, pg_ctl) not found; Debian: apt-get install postgresql-15"
        )
    server = RestartablePostgres(bindir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def fresh_postgres_database(server: PostgresServer, name: str) -> str:
    """A new database on ``server`` with KawaOffice's schema (migrated by ``open_database``); returns its URL."""
    url = server.create_database(name)
    open_database(url, "setup").dispose()
    return url


def fresh_sqlite_database(path: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(f"{path}{suffix}")
    url = f"sqlite:///{path}"
    open_database(url, "setup", backup_dir=path.parent).dispose()
    return url


def report(title: str, figures: dict[str, Any], json_path: str | None = None) -> dict[str, Any]:
    width = max(len(k) for k in figures)
    print(f"\n== {title} ==")
    for key, value in figures.items():
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"  {key.ljust(width)}  {shown}")
    if json_path:
        Path(json_path).write_text(json.dumps({"title": title, **figures}, indent=2, default=str) + "\n")
    return figures


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started
