"""Shared helpers of the benchmarks: timing, percentiles, SQL query counting and the result rows."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) by the nearest-rank method (p95 of 20 values = the 19th smallest)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Result:
    """One line of the table: a figure on one backend, in milliseconds (or MB, or a ratio), against a target."""

    name: str
    backend: str  # "sqlite", "postgresql", "pg+30ms" or "-" (backend-independent)
    values: list[float]
    target: float | None  # upper bound; compared with p95 (or the single value)
    unit: str = "ms"
    queries: int | None = None  # SQL statements per run (the largest seen)
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    @property
    def p95(self) -> float:
        return percentile(self.values, 0.95) if self.values else float("nan")

    @property
    def ok(self) -> bool | None:
        if self.target is None or not self.values:
            return None
        return self.p95 <= self.target if self.unit == "x" else self.p95 < self.target


def timed_runs(
    runs: int, work: Callable[[], object], *, setup: Callable[[], object] | None = None
) -> list[float]:
    """Milliseconds of ``work()`` over ``runs`` runs (``setup()`` before each, not timed)."""
    out = []
    for _ in range(runs):
        if setup is not None:
            setup()
        start = time.perf_counter()
        work()
        out.append((time.perf_counter() - start) * 1000)
    return out


class QueryCounter:
    """Counts the SQL statements an engine sends (``before_cursor_execute``), e.g. to catch N+1 queries."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.count = 0
        self.statements: list[str] = []
        self.keep = False

    def _on_execute(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.count += 1
        if self.keep:
            self.statements.append(statement)

    def __enter__(self) -> QueryCounter:
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_execute)

    @contextmanager
    def measure(self) -> Iterator[QueryCounter]:
        """``with counter.measure() as c: ...`` then ``c.last`` = statements sent inside the block."""
        before = self.count
        try:
            yield self
        finally:
            self.last = self.count - before

    last = 0


def format_value(value: float, unit: str) -> str:
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def render_table(results: list[Result], *, markdown: bool = False) -> str:
    headers = ["figure", "backend", "median", "p95", "target", "result", "queries", "note"]
    rows = []
    for r in results:
        target = (
            "" if r.target is None else ("<= " if r.unit == "x" else "< ") + format_value(r.target, r.unit)
        )
        verdict = {True: "OK", False: "OVER", None: "-"}[r.ok]
        rows.append(
            [
                r.name,
                r.backend,
                format_value(r.median, r.unit) if r.values else "-",
                format_value(r.p95, r.unit) if r.values else "-",
                target,
                verdict,
                "" if r.queries is None else str(r.queries),
                r.note,
            ]
        )
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
        lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(headers)]
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(out)
