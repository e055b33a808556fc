"""SIGKILL in the middle of a write loop on SQLite, 200 times: zero damaged databases, every committed row present
(issue 7 item 8b).

One SQLite file (created through ``kawaoffice.storage.open_database``, WAL mode as the app uses it) takes all runs in
turn. Each run forks a writer that opens it with ``Database.open`` and loops over transactions made through the
services, each of three writes: a new organization (``create_organization``), its membership
(``create_membership``) and the increment of a shared counter kept on another organization
(``update_organization`` with its version check); the audit log rows go into the same transaction. After each
commit the writer writes the new organization's id to a pipe. The parent kills the writer with SIGKILL at a random
moment (most runs 0-250 ms after its first commit, every tenth run 0-60 ms after the fork, i.e. while it starts)
and then checks the file with plain ``sqlite3``:

- ``PRAGMA integrity_check`` says ``ok`` (and ``PRAGMA foreign_key_check`` finds nothing);
- every id the writer reported as committed is there;
- no transaction is half there: each organization of the loop has its membership, and the counter equals the number
  of loop organizations (a commit that the kill interrupted is wholly absent, one that finished is wholly present).

At the end the app's own start-up checks (``open_database``) must open the file.

    .venv/bin/python benchmarks/reliability_sqlite_kill.py            # 200 runs
    .venv/bin/python benchmarks/reliability_sqlite_kill.py --quick    # 20 runs

POSIX only (fork and SIGKILL).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

if not __package__:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.reliability_common import Stopwatch, fresh_sqlite_database, report
from kawaoffice.model.partners import OrganizationKind
from kawaoffice.services import partners
from kawaoffice.storage import Database, open_database

PREFIX = "kill-"


def writer(url: str, counter_id: int, run: int, fd: int) -> None:
    """The child: commit transactions until killed; report each committed organization id on ``fd``."""
    db = Database.open(url, user=f"writer{run}")
    number = 0
    while True:
        number += 1
        with db.session() as s:
            org = partners.create_organization(
                s, kind=OrganizationKind.OTHER, name_ja=f"{PREFIX}{run}-{number}", notes="x" * (number % 200)
            )
            partners.create_membership(s, organization_id=org.id, joined_on=date(2026, 4, 1))
            counter = partners.get_organization(s, counter_id)
            partners.update_organization(s, counter_id, counter.version, notes=str(int(counter.notes) + 1))
            new_id = org.id
        os.write(fd, f"{new_id}\n".encode())


def one_run(url: str, path: Path, counter_id: int, run: int, rng: random.Random) -> dict[str, Any]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        try:
            writer(url, counter_id, run, write_fd)
        finally:
            os._exit(3)
    os.close(write_fd)
    early = run % 10 == 9
    with os.fdopen(read_fd, "rb") as reader:
        if early:
            time.sleep(rng.uniform(0, 0.06))
        else:
            first = reader.readline()  # wait until the writer is in its loop
            if not first:
                raise RuntimeError("the writer died before its first commit")
            time.sleep(rng.uniform(0, 0.25))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        rest = reader.read()
    data = (b"" if early else first) + rest
    reported = [int(line) for line in data.split()]
    if not os.WIFSIGNALED(status) or os.WTERMSIG(status) != signal.SIGKILL:
        raise RuntimeError(f"the writer ended by itself (status {status})")
    return check(path, counter_id, reported)


def check(path: Path, counter_id: int, reported: list[int]) -> dict[str, Any]:
    con = sqlite3.connect(path)  # the first connection after the kill recovers from the WAL
    try:
        integrity = con.execute("PRAGMA integrity_check").fetchall()
        fk_problems = con.execute("PRAGMA foreign_key_check").fetchall()
        present = {
            row[0]
            for row in con.execute(
                "SELECT id FROM organizations WHERE name_ja LIKE ?", (f"{PREFIX}%",)
            ).fetchall()
        }
        without_membership = con.execute(
            "SELECT count(*) FROM organizations o WHERE o.name_ja LIKE ? AND NOT EXISTS "
            "(SELECT 1 FROM memberships m WHERE m.organization_id = o.id)",
            (f"{PREFIX}%",),
        ).fetchone()[0]
        counter = int(
            con.execute("SELECT notes FROM organizations WHERE id = ?", (counter_id,)).fetchone()[0]
        )
    finally:
        con.close()
    return {
        "integrity_ok": integrity == [("ok",)],
        "integrity": integrity[:3],
        "fk_problems": len(fk_problems),
        "reported": len(reported),
        "missing": sorted(set(reported) - present),
        "present_total": len(present),
        "half_written": without_membership,
        "counter_matches": counter == len(present),
        "counter": counter,
    }


def run(runs: int, folder: Path, seed: int) -> dict[str, Any]:
    path = folder / "kill-test.sqlite3"
    url = fresh_sqlite_database(path)
    db = Database.open(url, user="setup")
    with db.session() as s:
        counter_id = partners.create_organization(
            s, kind=OrganizationKind.OTHER, name_ja="counter", notes="0"
        ).id
    db.dispose()

    rng = random.Random(seed)
    clock = Stopwatch()
    damaged = missing = half = counter_bad = fk = committed = 0
    failures: list[str] = []
    last: dict[str, Any] = {}
    for number in range(runs):
        last = one_run(url, path, counter_id, number, rng)
        committed += last["reported"]
        problems = []
        if not last["integrity_ok"]:
            damaged += 1
            problems.append(f"integrity {last['integrity']}")
        if last["missing"]:
            missing += len(last["missing"])
            problems.append(f"missing ids {last['missing'][:5]}")
        if last["half_written"]:
            half += 1
            problems.append(f"{last['half_written']} organizations without their membership")
        if not last["counter_matches"]:
            counter_bad += 1
            problems.append(f"counter {last['counter']} != {last['present_total']} organizations")
        if last["fk_problems"]:
            fk += 1
            problems.append(f"{last['fk_problems']} foreign key problems")
        if problems:
            failures.append(f"run {number}: " + "; ".join(problems))
        if (number + 1) % 20 == 0:
            print(
                f"  {number + 1}/{runs} runs, {committed} committed transactions, {len(failures)} failing runs"
            )
    elapsed = clock.seconds
    app_opens = True
    try:
        open_database(url, "check", backup_dir=folder).dispose()
    except Exception as exc:
        app_opens = False
        failures.append(f"the app cannot open the file: {exc}")
    return {
        "runs (SIGKILL each)": runs,
        "transactions reported committed": committed,
        "loop organizations in the file at the end": last.get("present_total", 0),
        "damaged databases (integrity_check not ok)": damaged,
        "runs with foreign key problems": fk,
        "committed rows missing": missing,
        "runs with a half-written transaction": half,
        "runs whose counter disagrees with the rows": counter_bad,
        "committed but killed before reporting (present, unreported)": last.get("present_total", 0)
        - committed,
        "app's start-up checks open the file afterwards": app_opens,
        "file size MB": round(path.stat().st_size / 1e6, 2),
        "elapsed seconds": round(elapsed, 1),
        "failures": failures[:10],
    }


def main(argv: list[str] | None = None) -> int:
    if not hasattr(os, "fork"):
        print("needs fork and SIGKILL (Linux or macOS)")
        return 2
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="20 runs instead of 200")
    parser.add_argument("--runs", type=int, help="number of runs (default 200)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--keep", help="folder to keep the database file in (default: a temporary folder)")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    runs = args.runs or (20 if args.quick else 200)
    if args.keep:
        folder = Path(args.keep)
        folder.mkdir(parents=True, exist_ok=True)
        figures = run(runs, folder, args.seed)
    else:
        with tempfile.TemporaryDirectory(prefix="kawaoffice-kill-") as tmp:
            figures = run(runs, Path(tmp), args.seed)
    report("SIGKILL during a write loop on SQLite", figures, args.json)
    ok = not figures["failures"]
    print("RESULT:", "zero damaged databases, every committed row present" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
