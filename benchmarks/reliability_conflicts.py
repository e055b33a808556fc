"""Two processes editing random rows of one PostgreSQL database: zero lost updates (issue 7 item 8a).

Each process loops: pick one of a few organizations at random, read it through ``services.partners``
(``get_organization``), add 1 to the counter kept in its ``notes`` field and write that with
``update_organization(..., expected_version)`` (the version check of every save), commit. When the save is refused
with ``StaleEditError`` (the other process saved the row since it was read: a conflicting edit pair), the process
reloads the row and tries again, as a user does after "someone else changed this record; reload".
The processes stop once at least ``--conflicts`` refused saves were counted. Then, for every row, the number of
successful increments both processes counted must equal the stored counter, and the row's version must have moved
by exactly that number: any difference is a lost (or doubled) update.

    .venv/bin/python benchmarks/reliability_conflicts.py            # >= 1,000 conflicting pairs
    .venv/bin/python benchmarks/reliability_conflicts.py --quick    # >= 100, for a quick look

Starts its own PostgreSQL server (tests/pgserver.py) on 127.0.0.1 and removes it afterwards.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

if not __package__:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select, update

from benchmarks.reliability_common import Stopwatch, fresh_postgres_database, postgres_server, report
from kawaoffice.model.partners import Organization, OrganizationKind
from kawaoffice.services import partners
from kawaoffice.services.errors import StaleEditError
from kawaoffice.storage import Database

ROWS = 8  # few rows, so the two processes collide often
PROCESSES = 2


def worker(
    url: str,
    name: str,
    row_ids: list[int],
    seed: int,
    think: float,
    control: bool,
    conflicts: Any,
    stop: Any,
    results: Any,
) -> None:
    """One editor: increments random rows until ``stop`` is set; puts its counts on ``results``. ``control``:
    save with a plain UPDATE and no version check, as an app without optimistic locking would."""
    db = Database.open(url, user=name)
    rng = random.Random(seed)
    successes: Counter[int] = Counter()
    refused = 0
    attempts = 0
    longest_retry_chain = 0
    try:
        while not stop.is_set():
            row = rng.choice(row_ids)
            chain = 0
            while True:  # reload and retry until this increment is saved
                attempts += 1
                try:
                    with db.session() as s:
                        org = partners.get_organization(s, row)
                        value = int(org.notes or "0")
                        version = org.version
                        time.sleep(rng.uniform(0, think))  # the user looks at the record, then saves
                        if control:
                            s.execute(
                                update(Organization.__table__)
                                .where(Organization.__table__.c.id == row)
                                .values(notes=str(value + 1), version=version + 1)
                            )
                        else:
                            partners.update_organization(
                                s, row, version, notes=str(value + 1), city=f"{name} {value + 1}"
                            )
                    successes[row] += 1
                    break
                except StaleEditError:
                    refused += 1
                    chain += 1
                    with conflicts.get_lock():
                        conflicts.value += 1
            longest_retry_chain = max(longest_retry_chain, chain)
    finally:
        db.dispose()
        results.put((name, dict(successes), refused, attempts, longest_retry_chain))


def run(target_conflicts: int, think: float, time_limit: float, control: bool = False) -> dict[str, Any]:
    with postgres_server() as server:
        url = fresh_postgres_database(server, "kawaoffice_conflicts")
        db = Database.open(url, user="setup")
        with db.session() as s:
            orgs = [
                partners.create_organization(
                    s, kind=OrganizationKind.MEMBER, name_ja=f"競合テスト{i}", notes="0"
                )
                for i in range(ROWS)
            ]
        row_ids = [o.id for o in orgs]
        start_versions = {o.id: o.version for o in orgs}

        ctx = mp.get_context("spawn")
        conflicts = ctx.Value("i", 0)
        stop = ctx.Event()
        results = ctx.Queue()
        procs = [
            ctx.Process(
                target=worker,
                args=(url, f"editor{n}", row_ids, 1000 + n, think, control, conflicts, stop, results),
            )
            for n in range(PROCESSES)
        ]
        clock = Stopwatch()
        for p in procs:
            p.start()
        while conflicts.value < target_conflicts and clock.seconds < time_limit:
            if not all(p.is_alive() for p in procs):
                break
            time.sleep(0.1)
        stop.set()
        outcomes = [results.get(timeout=120) for _ in procs]
        for p in procs:
            p.join(timeout=60)
        elapsed = clock.seconds

        counted: Counter[int] = Counter()
        for _name, successes, _refused, _attempts, _chain in outcomes:
            counted.update(successes)
        with db.session() as s:
            stored = {o.id: (int(o.notes), o.version) for o in s.scalars(select(Organization))}
        db.dispose()

    lost = sum(max(0, counted[r] - stored[r][0]) for r in row_ids)
    doubled = sum(max(0, stored[r][0] - counted[r]) for r in row_ids)
    version_mismatch = sum(1 for r in row_ids if stored[r][1] - start_versions[r] != counted[r])
    total_edits = sum(counted.values())
    refused = sum(o[2] for o in outcomes)
    figures = {
        "processes": PROCESSES,
        "rows edited": ROWS,
        "successful edits (both processes)": total_edits,
        "conflicting edit pairs (StaleEditError, reloaded and retried)": refused,
        "save attempts": sum(o[3] for o in outcomes),
        "longest chain of retries for one edit": max(o[4] for o in outcomes),
        "sum of stored counters": sum(v for v, _ in stored.values()),
        "lost updates": lost,
        "doubled updates": doubled,
        "rows whose version moved by a different amount": version_mismatch,
        "elapsed seconds": round(elapsed, 1),
        "edits per second": round(total_edits / elapsed, 1) if elapsed else 0.0,
        "per process (edits, refused)": {o[0]: (sum(o[1].values()), o[2]) for o in outcomes},
    }
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="100 conflicting pairs instead of 1,000")
    parser.add_argument(
        "--conflicts", type=int, help="stop after this many conflicting pairs (default 1,000)"
    )
    parser.add_argument(
        "--think", type=float, default=0.002, help="max seconds between read and save (0.002)"
    )
    parser.add_argument("--time-limit", type=float, default=600, help="stop after this many seconds (600)")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument(
        "--control",
        action="store_true",
        help="control run: save without the version check for 10 seconds; lost updates are expected here",
    )
    args = parser.parse_args(argv)
    if args.control:
        figures = run(10**9, args.think, 10, control=True)
        report("CONTROL: the same edits without the version check", figures, args.json)
        print("RESULT:", f"{figures['lost updates']} lost updates without the version check (control)")
        return 0
    target = args.conflicts or (100 if args.quick else 1000)
    figures = run(target, args.think, args.time_limit)
    report("Two processes editing one PostgreSQL database", figures, args.json)
    ok = (
        figures["lost updates"] == 0
        and figures["doubled updates"] == 0
        and figures["rows whose version moved by a different amount"] == 0
        and figures["conflicting edit pairs (StaleEditError, reloaded and retried)"] >= target
    )
    print("RESULT:", "zero lost updates" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
