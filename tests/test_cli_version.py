"""``billing --version`` prints the installed package's version (its metadata), and exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import billing

ROOT = Path(__file__).resolve().parents[1]


def test_version_comes_from_the_package_metadata() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    run = subprocess.run(
        [sys.executable, "-m", "billing.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"billing {version('billing')}"
    assert billing.__version__ == version("billing")
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert version("billing") == declared
