"""Time to produce the annual report from the demo data at ``--scale 10`` (target: under 5 s).

One run = what ``kawaoffice-cli print annual-report --fiscal-year YYYY -o FILE.pdf`` and the statistics window's
"Export PDF..." do: compute the figures of the fiscal year (``services.reports.annual_report``) and lay out the
PDF (``documents.annual_report.build_annual_report_pdf``). The statistics workbook and the "since the beginning"
figures are timed too. Prints the median and p95 of each.

    .venv/bin/python benchmarks/annual_report.py [--database FILE] [--scale 10] [--fiscal-year 2025] [--runs 7]

The database is created with the demo data (``scale`` units of 1,000 bookings, 200 dispatches, 50 projects...)
when the file does not exist yet.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from kawaoffice.documents.annual_report import build_annual_report_pdf
from kawaoffice.documents.stats_export import build_stats_xlsx
from kawaoffice.i18n import set_language
from kawaoffice.model.dispatch import Dispatch
from kawaoffice.model.tours import Booking
from kawaoffice.services.demo import load_demo
from kawaoffice.services.reports import AnnualReport, annual_report
from kawaoffice.storage import Database, open_database

TARGET_S = 5.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(runs: int, work: Callable[[], object]) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        out.append(time.perf_counter() - start)
    return out


def line(label: str, seconds: list[float], target: float | None = None) -> str:
    text = f"{label:<44} median {statistics.median(seconds):6.2f} s  p95 {percentile(seconds, 0.95):6.2f} s"
    if target is not None:
        verdict = "OK" if percentile(seconds, 0.95) < target else "OVER"
        text += f"  (target < {target:.0f} s: {verdict})"
    return text


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="/tmp/kawaoffice-bench-reports.sqlite3")
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--fiscal-year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--lang", default="ja", choices=("ja", "en"))
    args = parser.parse_args()
    set_language(args.lang)
    path = Path(args.database)
    db: Database = open_database(f"sqlite:///{path}", "bench")
    try:
        with db.session() as s:
            if not s.scalar(select(func.count()).select_from(Booking)):
                print(f"creating {path} (scale {args.scale}) ...", flush=True)
                load_demo(s, scale=args.scale)
                s.commit()
            bookings = s.scalar(select(func.count()).select_from(Booking))
            dispatches = s.scalar(select(func.count()).select_from(Dispatch))
        print(
            f"{bookings:,} bookings, {dispatches:,} dispatches; fiscal year {args.fiscal_year} ({args.lang})"
        )

        def figures(year: int | None) -> AnnualReport:
            with db.session() as s:
                return annual_report(s, year)

        sample = figures(args.fiscal_year)
        print(
            f"the year: {sample.visitors:,} visitors in {sample.groups:,} groups, {sample.person_trips:,} "
            f"person-trips, {len(sample.visits):,} visits and {len(sample.dispatch_list):,} dispatches listed"
        )

        def whole_pdf() -> None:
            build_annual_report_pdf(io.BytesIO(), figures(args.fiscal_year))

        print(line("figures of the year", timed(args.runs, lambda: figures(args.fiscal_year))))
        print(
            line("PDF layout only", timed(args.runs, lambda: build_annual_report_pdf(io.BytesIO(), sample)))
        )
        print(line("annual report (figures + PDF)", timed(args.runs, whole_pdf), TARGET_S))
        print(line("workbook (figures + XLSX)", timed(args.runs, lambda: build_stats_xlsx(
            io.BytesIO(), figures(args.fiscal_year)))))  # fmt: skip
        print(line("figures since the beginning", timed(max(1, args.runs // 2), lambda: figures(None))))
    finally:
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
