"""``kawaoffice.__version__`` is written in the package (no metadata look-up at start): it must be the version
declared in pyproject.toml and the one pip installed."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import kawaoffice

ROOT = Path(__file__).resolve().parent.parent


def test_version_is_the_one_declared_in_pyproject() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert kawaoffice.__version__ == declared


def test_version_is_the_installed_one() -> None:
    try:
        installed = importlib.metadata.version("kawaoffice")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("kawaoffice is not installed in this environment")
    assert kawaoffice.__version__ == installed


def test_importing_kawaoffice_reads_no_package_metadata() -> None:
    code = "import sys, kawaoffice; print('importlib.metadata' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"
