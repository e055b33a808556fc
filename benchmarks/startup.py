"""Start-up time and memory, each run in a fresh process (offscreen Qt), compared in the same run.

- ``bare``: Python + PySide6 + a QMainWindow with four empty tabs, shown;
- ``app``: KawaOffice's own start-up steps (``kawaoffice.app.Startup``: logging, settings, language, Qt and
  fonts, database check/migrations, main window with its first tab loaded) on the large database.

The parent times from ``Popen`` until the child prints ``READY``: the usable window is shown and painted with the
Partners tab's first page. On a local database at the schema head that is the start-up preview (the page read with
the plain sqlite3 driver, see ``kawaoffice.ui.widgets.first_page``: the list scrolls, rows can be chosen, tabs
switch, while SQLAlchemy and the real window load in a worker thread); otherwise the real main window. ``LOADED``
follows when the real window has replaced the preview ("fully loaded"), and ``GAP`` is the longest time the UI
thread did not answer a 10 ms timer in between ("longest UI stall"). The ``app`` child then opens the other three
tabs, waits for background work (the partner search index) and reports its resident memory (``VmRSS``), which the
parent keeps for the memory figure. Settings, logs and user data go to a temporary HOME so a developer's own settings play no part.
The children import nothing of the benchmark suite but this module (``benchmarks.common`` imports SQLAlchemy:
until session 5 both children paid for it, which made the bare window about 0.3 s slower than it is), and this
module imports only what the children need at its top (until session 6 ``subprocess``, ``tempfile`` and
``dataclasses`` too: ~8 ms in both children, which the app needed only in part, so the ratio looked ~0.02 better).

Both children run with compiled bytecode, as an installed KawaOffice does (pip and the installer ship ``.pyc``
files): ``PYTHONDONTWRITEBYTECODE`` (set in some development shells) is dropped and ``PYTHONPYCACHEPREFIX`` points
into the temporary HOME, so the warm-up runs compile and the measured runs load ``.pyc`` files, without writing
``__pycache__`` folders into the source tree.

    python -m benchmarks.startup bare
    python -m benchmarks.startup app sqlite:////tmp/x.sqlite3
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

# (subprocess, tempfile: imported by the parent's functions; the children must not pay for them)

# not in the children: benchmarks.common imports SQLAlchemy, which a bare window must not pay for
if TYPE_CHECKING:
    from benchmarks.common import Result

RATIO_TARGET = 1.5
RSS_TARGET_MB = 300.0


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _settle(app: object, seconds: float = 0.05) -> None:
    from PySide6.QtCore import QCoreApplication

    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        QCoreApplication.processEvents()
        time.sleep(0.002)


def child_bare() -> None:
    from PySide6.QtWidgets import QApplication, QMainWindow, QTabWidget, QWidget

    app = QApplication([sys.argv[0]])
    window = QMainWindow()
    tabs = QTabWidget(window)
    for name in ("Partners", "Projects", "Dispatches", "Visits"):
        tabs.addTab(QWidget(), name)
    window.setCentralWidget(tabs)
    window.resize(1280, 780)
    window.show()
    app.processEvents()
    print("READY", flush=True)
    print(f"RSS {_rss_mb():.1f}", flush=True)
    os._exit(0)


class _GapMeter:
    """A 10 ms timer on the UI thread from the moment the window is shown until everything is loaded: the largest
    gap between two of its ticks is how long the window could not answer the user (input, painting)."""

    INTERVAL_MS = 10

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.largest = 0.0
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(self.INTERVAL_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.largest = max(self.largest, (now - self._last) * 1000)
        self._last = now

    def stop(self) -> float:
        self._tick()
        self.timer.stop()
        return self.largest


def child_app(url: str) -> None:
    # as the entry point does (kawaoffice.launch.main): a shared database's preview reader is started first
    from kawaoffice.launch import early_reader

    argv = ["--database", url, "--lang", "ja"]
    reader = early_reader(argv)

    from kawaoffice import app
    from kawaoffice.app import Startup, parse_args

    real_show_splash = app.show_splash
    real_show_preview = app.show_preview
    meter: list[_GapMeter] = []

    def show_splash(message: str) -> object:
        splash = real_show_splash(message)  # shown and painted
        print("SPLASH", flush=True)
        return splash

    def show_preview(preview: object) -> None:
        real_show_preview(preview)  # type: ignore[arg-type]  # shown, the first page painted
        print("READY", flush=True)
        meter.append(_GapMeter())

    app.show_splash = show_splash  # type: ignore[assignment]
    app.show_preview = show_preview

    startup = Startup(parse_args(argv), reader=reader)
    startup.run()
    assert startup.app is not None and startup.window is not None
    startup.app.processEvents()
    if meter:  # the preview was the usable window: now the real one has replaced it
        print(f"GAP {meter[0].stop():.1f}", flush=True)
    else:
        print("READY", flush=True)
    print("LOADED", flush=True)
    window = startup.window
    from kawaoffice.ui.main_window import TAB_KEYS

    for key in (*TAB_KEYS[1:], TAB_KEYS[0]):
        window.show_tab(key)
        startup.app.processEvents()
    _settle(startup.app, 0.2)
    wait = getattr(window.tab("partners").model, "wait_for_index", None)
    if callable(wait):
        wait()
    _settle(startup.app, 0.2)
    print(f"RSS {_rss_mb():.1f}", flush=True)
    os._exit(0)


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
        KAWAOFFICE_DATABASE_URL="",
    )
    env.pop("KAWAOFFICE_DATABASE_URL")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(home / "pycache")
    return env


class ChildRun(NamedTuple):
    ready_ms: float  # until the window was shown with the first tab's rows painted (the preview, if any)
    rss: float | None = None
    splash_ms: float | None = None
    loaded_ms: float | None = None  # until the real window with its first tab was shown (everything loaded)
    gap_ms: float | None = None  # the longest the UI thread did not answer between READY and LOADED


def run_child(mode: str, *args: str, home: Path, env: dict[str, str] | None = None) -> ChildRun:
    """What the child said, timed from ``Popen``: READY, SPLASH, LOADED, and the RSS and GAP it reported."""
    import subprocess

    cmd = [sys.executable, "-m", "benchmarks.startup", mode, *args]
    root = Path(__file__).resolve().parent.parent
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**_env(home), **(env or {})},
                            cwd=root)  # fmt: skip
    assert proc.stdout is not None
    ready_ms: float | None = None
    splash_ms: float | None = None
    loaded_ms: float | None = None
    rss: float | None = None
    gap: float | None = None
    for line in proc.stdout:
        elapsed = (time.perf_counter() - start) * 1000
        if line.startswith("READY") and ready_ms is None:
            ready_ms = elapsed
        elif line.startswith("SPLASH") and splash_ms is None:
            splash_ms = elapsed
        elif line.startswith("LOADED") and loaded_ms is None:
            loaded_ms = elapsed
        elif line.startswith("RSS "):
            rss = float(line.split()[1])
        elif line.startswith("GAP "):
            gap = float(line.split()[1])
    err = proc.stderr.read() if proc.stderr else ""
    proc.wait(120)
    if ready_ms is None:
        raise RuntimeError(f"the {mode} start-up failed:\n{err[-2000:]}")
    return ChildRun(ready_ms, rss, splash_ms, loaded_ms, gap)


def measure_startup(url: str, backend: str, runs: int = 5, env: dict[str, str] | None = None) -> list[Result]:
    """Alternate bare and app start-ups (``runs`` each, after one warm-up of each for the disk cache)."""
    import tempfile

    from benchmarks.common import Result

    bare: list[float] = []
    app: list[float] = []
    rss: list[float] = []
    splash: list[float] = []
    loaded: list[float] = []
    gaps: list[float] = []
    with tempfile.TemporaryDirectory(prefix="kawaoffice-bench-home-") as tmp:
        home = Path(tmp)
        for run in range(runs + 1):
            b = run_child("bare", home=home)
            a = run_child("app", url, home=home, env=env)
            if run:
                bare.append(b.ready_ms)
                app.append(a.ready_ms)
                for values, value in (
                    (rss, a.rss),
                    (splash, a.splash_ms),
                    (loaded, a.loaded_ms),
                    (gaps, a.gap_ms),
                ):
                    if value is not None:
                        values.append(value)
    ratios = sorted(a / b for a, b in zip(sorted(app), sorted(bare), strict=True))
    return [
        Result("start-up: bare PySide6 window", backend, bare, None),
        Result("start-up: KawaOffice splash screen", backend, splash, None, note="feedback, not usable yet"),
        Result(
            "start-up: KawaOffice main window",
            backend,
            app,
            None,
            note=f"first page preview ({len(gaps)} of {len(app)} runs)" if gaps else "",
        ),
        Result("start-up: fully loaded", backend, loaded, None, note="the real window and its first tab"),
        *(
            [
                Result(
                    "start-up: longest UI stall", backend, gaps, None, note="while loading behind the preview"
                )
            ]
            if gaps
            else []
        ),
        Result("start-up ratio (app / bare)", backend, ratios, RATIO_TARGET, unit="x", note="sorted pairs"),
        Result("memory (RSS, 4 tabs open)", backend, rss, RSS_TARGET_MB, unit="MB"),
    ]


def main(argv: list[str]) -> int:
    if argv[:1] == ["bare"]:
        child_bare()
    elif argv[:1] == ["app"] and len(argv) == 2:
        child_app(argv[1])
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
