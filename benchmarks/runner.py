"""The benchmark runner: builds (once) the large databases and prints every figure with its median, p95 and target.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m benchmarks [--scale 100] [--backend sqlite|postgresql|both]
                                                            [--only NAME] [--runs N] [--markdown]

Groups (``--only`` takes a group name or a part of a figure's name): ``startup`` (start-up ratio and memory, in
subprocesses), ``search`` (partner search as you type), ``screens`` (each tab and detail view, with SQL counts),
``remote`` (the same screens on PostgreSQL behind a 30 ms latency proxy), ``documents`` (visit schedule PDF,
annual report), ``import`` (10,000-row CSV). PostgreSQL is skipped, with the reason, when no server binaries are
installed (``--backend both`` is the default).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from urllib.parse import urlsplit

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks.common import Result, render_table
from kawaoffice.qtfix import guard_none_refcount

GROUPS = ("startup", "search", "screens", "remote", "documents", "import")
LATENCY_S = 0.030


# The figures each step prints, so that ``--only <part of a name>`` runs just the steps that can print it.
SCREEN_NAMES = ("tab:partners", "tab:projects", "tab:dispatches", "tab:visits", "tab:dispatch", "tab:tours",
                "detail:partner", "detail:project", "detail:dispatch", "detail:booking")  # fmt: skip
STEP_NAMES = {
    "start-up and memory": (
        "start-up: bare PySide6 window",
        "start-up: KawaOffice splash screen",
        "start-up: KawaOffice main window",
        "start-up ratio (app / bare)",
        "memory (RSS, 4 tabs open)",
    ),
    "partner search": (
        "partner search per keystroke",
        "partner list order + first page",
        "partner search index (background)",
    ),
    "tabs and detail views": SCREEN_NAMES,
    "visit schedule PDF": ("visit schedule PDF (1 page)", "schedule"),
    "annual report": ("annual report PDF", "annual"),
    "CSV import": ("import 10,000-row CSV", "import"),
    "tabs and detail views over the slow link": SCREEN_NAMES,
}


def _wanted(only: str | None, group: str, label: str = "") -> bool:
    if not only or only == group:
        return True
    if only in GROUPS:
        return False
    return any(only in name for name in STEP_NAMES.get(label, (label,)))


def _screen(only: str | None) -> str | None:
    return only if only and only not in GROUPS else None


def _filter(results: list[Result], only: str | None) -> list[Result]:
    if not only or only in GROUPS:
        return results
    return [r for r in results if only in r.name]


def run_backend(
    url: str,
    backend: str,
    args: argparse.Namespace,
    out: list[Result],
    remote_url: str | None = None,
    startup_login: tuple[str, dict[str, str]] | None = None,
) -> None:
    """Every figure of one backend. ``startup_login``: the URL and environment the start-up children log in with
    (on PostgreSQL a password login from a credential store, as an office PC: ``CachedPostgres.office_login``)."""
    from PySide6.QtWidgets import QApplication

    from benchmarks import screens, work
    from benchmarks.partners_search import measure_search
    from benchmarks.startup import measure_startup
    from kawaoffice.storage import open_database

    only = args.only

    def step(group: str, label: str, fn: Callable[[], list[Result]]) -> None:
        if not _wanted(only, group, label):
            return
        print(f"[{backend}] {label} ...", flush=True)
        started = time.perf_counter()
        try:
            found = _filter(fn(), only)
        except Exception as exc:  # one broken figure must not hide the others
            found = [Result(label, backend, [], None, note=f"FAILED: {type(exc).__name__}: {exc}"[:120])]
        out.extend(found)
        print(render_table(found), f"\n({time.perf_counter() - started:.0f} s)\n", flush=True)

    startup_url, startup_env = startup_login or (url, None)
    step(
        "startup",
        "start-up and memory",
        lambda: measure_startup(startup_url, backend, args.runs, startup_env),
    )
    app = QApplication.instance() or QApplication(sys.argv[:1])
    step("search", "partner search", lambda: measure_search(url, backend))
    db = open_database(url, "bench")
    try:
        step(
            "screens",
            "tabs and detail views",
            lambda: screens.measure_screens(db, backend, args.runs, only=_screen(only)),
        )
        step("documents", "visit schedule PDF", lambda: work.measure_visit_schedule(db, backend))
        step("documents", "annual report", lambda: work.measure_annual_report(db, backend))
        step("import", "CSV import", lambda: work.measure_import(db, backend, args.runs))
    finally:
        db.dispose()
    if remote_url is not None:
        remote = open_database(remote_url, "bench")
        try:
            label = f"{backend}+{int(LATENCY_S * 1000)}ms"
            step("remote", "tabs and detail views over the slow link",
                 lambda: screens.measure_screens(remote, label, max(3, args.runs // 2),
                                                 target=screens.REMOTE_TARGET_MS, only=_screen(only)))  # fmt: skip
        finally:
            remote.dispose()
    del app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=100, help="demo units (100 = 10,000 organizations...)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--only", metavar="NAME", help=f"one group ({', '.join(GROUPS)}) or part of a figure")
    parser.add_argument("--runs", type=int, default=9, help="timed runs per screen (after a warm-up)")
    parser.add_argument("--lang", default="ja", choices=("ja", "en"))
    parser.add_argument("--markdown", action="store_true", help="print the final table as Markdown")
    args = parser.parse_args(argv)

    guard_none_refcount()
    from benchmarks.databases import CachedPostgres, sqlite_database
    from benchmarks.proxy import LatencyProxy
    from kawaoffice.i18n import set_language
    from tests.pgserver import find_pg_bindir

    set_language(args.lang)
    results: list[Result] = []
    builds: list[str] = []
    started = time.perf_counter()
    if args.backend in ("sqlite", "both"):
        url, built = sqlite_database(args.scale)
        if built is not None:
            builds.append(f"SQLite database built in {built:.0f} s")
        run_backend(url, "sqlite", args, results)
    if args.backend in ("postgresql", "both"):
        bindir = find_pg_bindir()
        if bindir is None:
            print("PostgreSQL skipped: no server binaries (initdb, pg_ctl) found", flush=True)
            results.append(Result("PostgreSQL", "postgresql", [], None, note="skipped: no server binaries"))
        else:
            server = CachedPostgres(bindir, args.scale)
            try:
                url, built = server.start()
                if built is not None:
                    builds.append(f"PostgreSQL database built in {built:.0f} s")
                port = urlsplit(url).port or 5432
                with LatencyProxy("127.0.0.1", port, delay=LATENCY_S) as proxy:
                    remote = server.url(proxy.port)
                    run_backend(url, "postgresql", args, results, remote_url=remote,
                                startup_login=server.office_login())  # fmt: skip
            finally:
                server.stop()
    print(
        f"\nAll figures (scale {args.scale}, {os.cpu_count()} CPUs, {time.perf_counter() - started:.0f} s):"
    )
    for line in builds:
        print(line)
    print(render_table(results, markdown=args.markdown), flush=True)
    failed = [r for r in results if r.ok is False]
    print(f"\n{len(failed)} figure(s) over target" if failed else "\nevery figure within its target")
    sys.stdout.flush()
    os._exit(0)  # skip tearing down Qt widgets and worker threads: the figures are out


if __name__ == "__main__":
    raise SystemExit(main())
