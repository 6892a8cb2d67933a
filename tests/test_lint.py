"""Types and lint are part of the suite: ruff on everything, mypy --strict on the root and
every ring (README, Architecture).  Both come with the test extra, so CI always has them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

BIN = Path(sys.executable).parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_is_clean() -> None:
    done = run(
        str(BIN / "ruff"),
        "check",
        "mailfeed",
        "gateway",
        "parsers",
        "publisher",
        "web",
        "tests",
        "benchmarks",
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_tree_is_ruff_formatted() -> None:
    """One layout for everyone (issue 13): `ruff format .` before committing."""
    done = run(str(BIN / "ruff"), "format", "--check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_on_the_root_and_every_ring() -> None:
    done = run(str(BIN / "mypy"))
    assert done.returncode == 0, done.stdout + done.stderr
    # `packages = ["mailfeed"]` reaches the rings through the root's links; make sure it
    # still does (a broken link would silently shrink what is checked).
    checked = int(done.stdout.rsplit("in ", 1)[1].split()[0])
    rings = sum(
        len(list((ROOT / r).rglob("*.py"))) for r in ("gateway", "parsers", "publisher", "web")
    )
    assert checked >= rings + len(list((ROOT / "mailfeed").glob("*.py"))), done.stdout
