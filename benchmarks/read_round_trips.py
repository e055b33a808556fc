"""What a read costs over the slow link: a unit of work with two plain reads behind the 30 ms proxy, with
SQLAlchemy's defaults (``pool_pre_ping``, ``BEGIN`` ... ``COMMIT``) and with KawaOffice's engine
(``storage.database.install_lazy_transactions``: reads in autocommit, a ping only after 10 s idle).

    .venv/bin/python benchmarks/read_round_trips.py      # needs the PostgreSQL server binaries (initdb, pg_ctl)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from benchmarks.proxy import LatencyProxy
from kawaoffice.storage.database import PG_CONNECT_ARGS, create_db_engine
from tests.pgserver import PostgresServer, find_pg_bindir


def median_ms(engine: Engine, runs: int = 8) -> float:
    times = []
    for run in range(runs + 1):
        start = time.perf_counter()
        with Session(engine) as session:
            session.execute(text("SELECT 1")).all()
            session.execute(text("SELECT 2")).all()
            session.commit()
        if run:  # the first run connects
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    bindir = find_pg_bindir()
    if bindir is None:
        print("skipped: no PostgreSQL server binaries")
        return 0
    server = PostgresServer(bindir)
    server.start()
    try:
        url = server.create_database("round_trips")
        port = urlsplit(url.replace("postgresql+psycopg", "http")).port
        with LatencyProxy("127.0.0.1", port or 5432, delay=0.030) as proxy:
            remote = url.replace(f":{port}/", f":{proxy.port}/")
            engines = {
                "SQLAlchemy defaults with pool_pre_ping": create_engine(
                    remote, pool_pre_ping=True, connect_args=dict(PG_CONNECT_ARGS)
                ),
                "KawaOffice's engine (reads without transaction round trips)": create_db_engine(remote),
            }
            for label, engine in engines.items():
                print(f"{label}: a unit of work with two reads, median {median_ms(engine):.0f} ms")
                engine.dispose()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
