"""Build KawaOffice's Windows installer: PyInstaller bundle -> smoke test of the frozen app -> Inno Setup.

    python installer/build.py                      # everything (the installer only where ISCC exists)
    python installer/build.py --bundle-only --smoke   # CI on Linux: bundle + smoke test, no installer
    python installer/build.py --skip-build --smoke    # smoke-test the bundle already in installer/dist

Needs the project installed with the ``installer`` extra (``pip install -e .[installer]``). Writes
``installer/dist/KawaOffice/`` (the one-folder bundle), ``installer/dist/build-report.json`` (bundle size, start-up
times, what the smoke test did) and, on Windows with Inno Setup 6, ``installer/Output/KawaOffice-Setup-<version>.exe``.

The smoke test runs the frozen programs the way a user's PC would: a fresh SQLite database in a temporary folder,
``kawaoffice-cli demo``, PDFs printed, an ICS export whose time zones must come from the bundled tzdata (the system's
zoneinfo is hidden with ``PYTHONTZPATH``), optionally the same on a throw-away PostgreSQL server (where the server
binaries exist), then the windowed app starts offscreen with ``--screenshot`` and must exit 0 with a picture, and
its log must show no warnings about missing fonts or Qt translations.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bundle_config as cfg  # noqa: E402

SPEC = HERE / "kawaoffice.spec"
ISS = HERE / "kawaoffice.iss"
DIST = HERE / "dist"
WORK = HERE / "build"
OUTPUT = HERE / "Output"
BUNDLE = DIST / cfg.BUNDLE_NAME
REPORT = DIST / "build-report.json"
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""
TIMEOUT = 300


class BuildError(Exception):
    pass


def say(message: str) -> None:
    print(f"[build] {message}", flush=True)


# --- steps ------------------------------------------------------------------------------------------------------------


def check_version() -> str:
    """The version in pyproject.toml, which must be the installed one (the frozen app reports the installed one)."""
    declared = cfg.project_version()
    try:
        installed = importlib.metadata.version("kawaoffice")
    except importlib.metadata.PackageNotFoundError as exc:
        raise BuildError("kawaoffice is not installed: run `pip install -e .[installer]` first") from exc
    if declared != installed:
        raise BuildError(
            f"pyproject.toml says {declared} but the installed package is {installed}: "
            "run `pip install -e .[installer]` again"
        )
    return declared


def build_bundle(clean: bool) -> float:
    try:
        import PyInstaller  # noqa: F401
    except ImportError as exc:
        raise BuildError("PyInstaller is missing: pip install -e .[installer]") from exc
    command = [
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
        "--distpath", str(DIST), "--workpath", str(WORK), str(SPEC),
    ]  # fmt: skip
    if clean:
        command.insert(3, "--clean")
    say("PyInstaller: " + " ".join(command[3:]))
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True)
    return time.perf_counter() - started


def internal_dir() -> Path:
    """The folder with the Python side of a one-folder bundle (``_internal`` since PyInstaller 6)."""
    internal = BUNDLE / "_internal"
    return internal if internal.is_dir() else BUNDLE


def folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files), len(files)


def check_contents() -> dict[str, Any]:
    """The files the app needs are there, and the Qt modules it must not carry are not."""
    for name in (cfg.GUI_NAME, cfg.CLI_NAME):
        if not (BUNDLE / f"{name}{EXE_SUFFIX}").is_file():
            raise BuildError(f"the bundle has no {name}{EXE_SUFFIX}")
    internal = internal_dir()
    missing = [rel for rel in cfg.REQUIRED_FILES if not (internal / rel).is_file()]
    if missing:
        raise BuildError("the bundle lacks: " + ", ".join(missing))
    forbidden = sorted(
        str(p.relative_to(BUNDLE))
        for p in BUNDLE.rglob("*")
        if any(fragment.lower() in p.name.lower() for fragment in cfg.FORBIDDEN_FRAGMENTS)
    )
    if forbidden:
        raise BuildError("the bundle carries unused Qt parts: " + ", ".join(forbidden[:10]))
    size, count = folder_size(BUNDLE)
    qt_size = folder_size(internal / "PySide6")[0] if (internal / "PySide6").is_dir() else 0
    say(f"bundle {BUNDLE}: {size / 1e6:.1f} MB in {count} files (Qt {qt_size / 1e6:.1f} MB)")
    return {"bundle_bytes": size, "bundle_files": count, "qt_bytes": qt_size}


@dataclass
class Smoke:
    """Runs the frozen programs in an isolated temporary home."""

    folder: Path
    env: dict[str, str] = field(default_factory=dict)
    steps: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def create(cls, folder: Path) -> Smoke:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("KAWAOFFICE_", "PYTHON", "QT_", "XDG_")) and k not in ("VIRTUAL_ENV",)
        }
        home = folder / "home"
        for sub in ("data", "config", "state", "cache"):
            (home / sub).mkdir(parents=True, exist_ok=True)
        env.update(
            HOME=str(home),
            XDG_DATA_HOME=str(home / "data"),
            XDG_CONFIG_HOME=str(home / "config"),
            XDG_STATE_HOME=str(home / "state"),
            XDG_CACHE_HOME=str(home / "cache"),
            QT_QPA_PLATFORM="offscreen",
            # Hide the system's zoneinfo: every zone must come from the bundled tzdata, as on Windows.
            PYTHONTZPATH=str(folder / "no-system-zoneinfo"),
            PYTHONIOENCODING="utf-8",
            LANG="C.UTF-8",
        )
        return cls(folder, env)

    def run(self, program: str, *args: str, expect_output: bool = True) -> str:
        exe = BUNDLE / f"{program}{EXE_SUFFIX}"
        started = time.perf_counter()
        result = subprocess.run(
            [str(exe), *args], env=self.env, cwd=self.folder, capture_output=True, timeout=TIMEOUT,
            encoding="utf-8", errors="replace",
        )  # fmt: skip
        seconds = time.perf_counter() - started
        shown = " ".join([program, *args])
        self.steps.append({"command": shown, "exit": result.returncode, "seconds": round(seconds, 3)})
        if result.returncode != 0:
            raise BuildError(
                f"`{shown}` exited {result.returncode}\n--- stdout\n{result.stdout[-3000:]}\n"
                f"--- stderr\n{result.stderr[-3000:]}"
            )
        say(f"ok {seconds:5.2f} s  {shown}")
        return result.stdout

    def timed(self, program: str, *args: str) -> float:
        self.run(program, *args)
        return float(self.steps[-1]["seconds"])


def check_pdf(path: Path) -> None:
    data = path.read_bytes() if path.exists() else b""
    if not data.startswith(b"%PDF-") or len(data) < 5000:
        raise BuildError(f"{path.name} is not a PDF ({len(data)} bytes)")
    if b"IPAexGothic" not in data:
        raise BuildError(f"{path.name} does not embed the bundled IPAex Gothic")


def smoke_test(starts: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kawaoffice-smoke-") as tmp:
        folder = Path(tmp)
        smoke = Smoke.create(folder)
        db = str(folder / "smoke.sqlite3")
        result: dict[str, Any] = {}

        smoke.run(cfg.CLI_NAME, "--database", db, "--lang", "ja", "demo")
        info = smoke.run(cfg.CLI_NAME, "--lang", "en", "--database", db, "db", "info")
        if "sqlite" not in info:
            raise BuildError("db info did not describe the SQLite database:\n" + info)
        listing = json.loads(
            smoke.run(cfg.CLI_NAME, "--database", db, "list", "dispatches", "--format", "json")
        )
        if not listing:
            raise BuildError("the demo data has no dispatches")
        partners = json.loads(
            smoke.run(cfg.CLI_NAME, "--database", db, "list", "partners", "--format", "json")
        )
        result["demo_partners"] = len(partners)

        directory = folder / "directory.pdf"
        smoke.run(cfg.CLI_NAME, "--database", db, "--lang", "ja", "print", "directory", "-o", str(directory))
        check_pdf(directory)
        # a dispatch whose itinerary has times abroad: its ICS carries a VTIMEZONE per zone, built from tzdata
        ics = folder / "dispatch.ics"
        dispatch_id = ""
        for row in listing:
            smoke.run(
                cfg.CLI_NAME, "--database", db, "export", "ics", "--dispatch", str(row["id"]), "-o", str(ics)
            )
            text = ics.read_text(encoding="utf-8") if ics.exists() else ""
            if "BEGIN:VCALENDAR" not in text:
                raise BuildError("the ICS export is empty")
            if "BEGIN:VTIMEZONE" in text:
                dispatch_id = str(row["id"])
                result["ics_vtimezones"] = text.count("BEGIN:VTIMEZONE")
                break
        if not dispatch_id:
            raise BuildError("no demo dispatch gave an ICS with time zones")
        itinerary = folder / "itinerary.pdf"
        smoke.run(cfg.CLI_NAME, "--database", db, "--lang", "en", "print", "itinerary", dispatch_id,
                  "-o", str(itinerary))  # fmt: skip
        check_pdf(itinerary)
        result["pdf_bytes"] = {"directory": directory.stat().st_size, "itinerary": itinerary.stat().st_size}

        result["postgresql"] = smoke_postgresql(smoke)

        # the windowed app: --version (boot of the frozen interpreter) and a full start-up to the main window
        version_seconds = smoke.timed(cfg.GUI_NAME, "--version")
        start_seconds = []
        for number in range(starts):
            shot = folder / f"main-window-{number}.png"
            lang = "ja" if number % 2 == 0 else "en"
            start_seconds.append(
                smoke.timed(cfg.GUI_NAME, "--database", db, "--lang", lang, "--screenshot", str(shot))
            )
            if not shot.exists() or shot.stat().st_size < 10_000:
                raise BuildError(f"the screenshot {shot.name} is missing or empty")
            if number == 0:
                keep = DIST / "smoke-main-window.png"
                shutil.copyfile(shot, keep)
                result["screenshot"] = str(keep)
        result["version_seconds"] = round(version_seconds, 3)
        result["start_seconds"] = [round(s, 3) for s in start_seconds]
        result["start_seconds_median"] = round(statistics.median(start_seconds), 3)

        result["log_problems"] = log_problems(folder)
        if result["log_problems"]:
            raise BuildError("the frozen app logged problems:\n" + "\n".join(result["log_problems"]))
        result["steps"] = smoke.steps
        return result


def log_problems(folder: Path) -> list[str]:
    """Warnings in the frozen app's log that mean a file is missing from the bundle. On Windows platformdirs asks
    the shell for the folders, so the log is in the real user's AppData: only this run's lines are read."""
    logs = list((folder / "home").rglob("kawaoffice.log"))
    if sys.platform == "win32":
        sys.path.insert(0, str(ROOT))
        from kawaoffice.paths import user_log_dir

        logs.append(user_log_dir() / "kawaoffice.log")
    problems = []
    for log in logs:
        if not log.exists():
            continue
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines()[-400:]:
            serious = any(level in line for level in (" ERROR ", " CRITICAL ", "Traceback"))
            missing_file = " WARNING " in line and any(
                n in line for n in ("not found", "font", "translation")
            )
            if serious or missing_file:
                problems.append(line)
            elif " WARNING " in line:
                say(f"(warning in the app's log, not failing the build) {line}")
    return problems


def smoke_postgresql(smoke: Smoke) -> dict[str, Any] | str:
    """The frozen CLI on a throw-away PostgreSQL server (psycopg's binary driver and the dialect are bundled)."""
    sys.path.insert(0, str(ROOT))
    try:
        from tests.pgserver import PostgresServer, find_pg_bindir
    except ImportError:
        return "skipped: tests/pgserver.py not found"
    bindir = find_pg_bindir() if sys.platform != "win32" else None  # the helper uses Unix sockets
    if bindir is None:
        say("PostgreSQL server binaries not found: the PostgreSQL part of the smoke test is skipped")
        return "skipped: no initdb/pg_ctl"
    server = PostgresServer(bindir)
    try:
        server.start()
        url = server.create_database("kawaoffice_smoke")
        smoke.run(cfg.CLI_NAME, "--database", url, "demo")
        rows = json.loads(smoke.run(cfg.CLI_NAME, "--database", url, "list", "projects", "--format", "json"))
        if not rows:
            raise BuildError("no projects listed from PostgreSQL")
        return {"projects": len(rows)}
    finally:
        server.stop()


def find_iscc() -> Path | None:
    candidates = [os.environ.get("ISCC", ""), shutil.which("iscc") or "", shutil.which("ISCC") or ""]
    for base in (
        os.environ.get("PROGRAMFILES(X86)"),
        os.environ.get("PROGRAMFILES"),
        os.environ.get("LOCALAPPDATA"),
    ):
        if base:
            candidates.append(str(Path(base) / "Inno Setup 6" / "ISCC.exe"))
            candidates.append(str(Path(base) / "Programs" / "Inno Setup 6" / "ISCC.exe"))
    for cand in candidates:
        if cand and Path(cand).is_file():
            return Path(cand)
    return None


def build_installer(version: str) -> Path | None:
    iscc = find_iscc()
    if iscc is None:
        say(
            "Inno Setup 6 (ISCC.exe) not found: the installer is not built (it is built on Windows; see README)"
        )
        return None
    OUTPUT.mkdir(exist_ok=True)
    command = [
        str(iscc), f"/DAppVersion={version}", f"/DSourceDir={BUNDLE}", f"/O{OUTPUT}", str(ISS),
    ]  # fmt: skip
    say("Inno Setup: " + " ".join(command))
    subprocess.run(command, cwd=HERE, check=True)
    setup = OUTPUT / (cfg.SETUP_BASENAME.format(version=version) + ".exe")
    if not setup.is_file():
        raise BuildError(f"Inno Setup did not write {setup}")
    say(f"installer {setup}: {setup.stat().st_size / 1e6:.1f} MB")
    return setup


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bundle-only", action="store_true", help="do not build the installer")
    parser.add_argument("--skip-build", action="store_true", help="reuse the bundle in installer/dist")
    parser.add_argument("--clean", action="store_true", help="let PyInstaller start from an empty cache")
    smoke_group = parser.add_mutually_exclusive_group()
    smoke_group.add_argument("--smoke", dest="smoke", action="store_true", default=True,
                             help="smoke-test the frozen app (the default)")  # fmt: skip
    smoke_group.add_argument("--no-smoke", dest="smoke", action="store_false", help="skip the smoke test")
    parser.add_argument(
        "--starts", type=int, default=3, help="how many timed start-ups of the GUI (default 3)"
    )
    args = parser.parse_args(argv)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:  # a Windows console in cp1252 cannot show the app's Japanese output
            reconfigure(errors="replace")

    report: dict[str, Any] = {"platform": sys.platform, "python": sys.version.split()[0]}
    try:
        version = check_version()
        report["version"] = version
        say(f"KawaOffice {version} on {sys.platform}")
        if not args.skip_build:
            report["build_seconds"] = round(build_bundle(args.clean), 1)
        elif not BUNDLE.is_dir():
            raise BuildError(f"--skip-build but there is no bundle in {BUNDLE}")
        report.update(check_contents())
        if args.smoke:
            report["smoke"] = smoke_test(max(1, args.starts))
            smoke = report["smoke"]
            say(
                f"smoke test passed: bundle {report['bundle_bytes'] / 1e6:.1f} MB, "
                f"--version {smoke['version_seconds']:.2f} s, start-up to the main window "
                f"{smoke['start_seconds_median']:.2f} s (median of {len(smoke['start_seconds'])})"
            )
        if not args.bundle_only:
            setup = build_installer(version)
            report["installer"] = str(setup) if setup else None
            if setup:
                report["installer_bytes"] = setup.stat().st_size
    except (BuildError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        say(f"FAILED: {exc}")
        report["error"] = str(exc)
        write_report(report)
        return 1
    write_report(report)
    return 0


def write_report(report: dict[str, Any]) -> None:
    DIST.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    say(f"report: {REPORT}")


if __name__ == "__main__":
    raise SystemExit(main())
