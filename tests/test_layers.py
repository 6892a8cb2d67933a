"""The rings: imports point downwards only (README: Architecture); parsers imports no ring.

The rings install as `mailfeed.parsers`, `mailfeed.publisher`, `mailfeed.gateway` and
`mailfeed.web`; the rest of `mailfeed.*` is the composition root, which may import every
ring but which no ring may import (settings reach a ring as a narrow view)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

RINGS = {"parsers", "publisher", "gateway", "web"}
ALLOWED = {
    "parsers": set(),
    "publisher": {"parsers"},
    "gateway": {"parsers", "publisher"},
    "web": {"parsers", "publisher"},
}


def imported_rings(path: Path) -> set[tuple[str, str]]:
    """(ring or "root", module) for every `mailfeed.*` module that `path` imports."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] in RINGS:
                raise AssertionError(f"{path} imports {name}: use mailfeed.{name}")
            if parts[0] != "mailfeed":
                continue
            ring = parts[1] if len(parts) > 1 and parts[1] in RINGS else "root"
            found.add((ring, name))
    return found


@pytest.mark.parametrize("ring", sorted(RINGS))
def test_imports_point_downwards(ring: str) -> None:
    for path in sorted((ROOT / ring).rglob("*.py")):
        for top, name in imported_rings(path):
            if top == ring:
                continue
            assert top in ALLOWED[ring], f"{path.relative_to(ROOT)} imports {name}"


def test_no_ring_imports_the_root() -> None:
    """Settings reach a ring as its own view (`Site`, `WebConfig`, `GatewayConfig`); a ring
    that imported `mailfeed.settings` could read the relay password or the IMAP URL."""
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for ring in sorted(RINGS)
        for path in sorted((ROOT / ring).rglob("*.py"))
        for top, name in imported_rings(path)
        if top == "root"
    ]
    assert offenders == []


def test_the_checker_sees_a_root_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from mailfeed.settings import Settings\nimport mailfeed.web.config\n")
    assert imported_rings(module) == {("root", "mailfeed.settings"), ("web", "mailfeed.web.config")}


def test_migrations_import_no_live_code() -> None:
    """A migration records what the schema became then; live code may change later."""
    for path in sorted((ROOT / "publisher" / "migrations" / "versions").glob("*.py")):
        assert imported_rings(path) == set(), path.name


def test_parsers_do_no_io() -> None:
    forbidden = {
        "socket",
        "sqlite3",
        "sqlalchemy",
        "smtplib",
        "imaplib",
        "imapclient",
        "requests",
        "urllib.request",
        "subprocess",
        "logging.config",
    }
    for path in sorted((ROOT / "parsers").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                for name in names:
                    assert name not in forbidden, f"{path.name} imports {name}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "open", f"{path.name} opens files"
