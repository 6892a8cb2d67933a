"""Types and lint are part of the suite: ruff on everything, mypy --strict on the pure and
data rings (STYLE.md §8).  Both come with the test extra, so CI always has them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

BIN = Path(sys.executable).parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_is_clean() -> None:
    done = run(str(BIN / "ruff"), "check", "gateway", "parsers", "publisher", "web", "tests",
               "benchmarks")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_on_parsers_and_publisher() -> None:
    done = run(str(BIN / "mypy"))
    assert done.returncode == 0, done.stdout + done.stderr
