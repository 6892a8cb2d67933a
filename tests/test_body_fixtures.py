"""Bare plain-text bodies: every `tests/data/bodies/<case>.txt` against its `.json`.

A bare body is what public reply-parsing test suites feed their parsers: one message body
with no MIME headers -- a reply on top and the quoted history below, a forward, a
bottom-post, in many languages.  `parsers.mail.parse_text` must find the same chain a
reader does (see `tests/data/bodies/README.md`).  Compared like `tests/test_chain_fixtures.py`:

- new_text: the reply's own words (a forwarder's cover text for a forward), whitespace-
  normalized, exact;
- note: null, or the forwarder's cover text, compared like a body;
- chain: same number of messages, oldest first; the newest (the reply itself) has a null
  author and date, since a bare body does not say who wrote it;
- author name exact, email lower-cased and exact (null where the text does not say), date
  exact (ISO-8601 as written);
- body: whitespace-normalized and exact, except that a trailing sign-off line naming the
  author's first name (optionally under one short closing line) is tolerated.

Each case must also parse in well under a second.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_chain_fixtures import assert_chain, body_matches, normalize

BODIES_DIR = Path(__file__).resolve().parent / "data" / "bodies"
CASES = sorted(BODIES_DIR.glob("*.txt"))

# Cases we could not fix by a sound general rule: "case" -> why.  Each is a strict xfail,
# so it turns red the day it starts passing and must be taken off this list.
KNOWN_GAPS: dict[str, str] = {}
# The open cases of the independent rounds 8-10, listed in one file for both tests.
_OPEN = Path(__file__).parent / "data" / "open_cases.txt"
for _line in _OPEN.read_text(encoding="utf-8").splitlines():
    if _line.strip() and not _line.startswith("#") and "/" not in _line:
        KNOWN_GAPS.setdefault(_line.strip(), "open case of an independent round")


def _case_param(path: Path) -> Any:
    reason = KNOWN_GAPS.get(path.stem)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(path, id=path.stem, marks=marks)


@pytest.fixture(scope="module")
def parse_text():  # type: ignore[no-untyped-def]
    from mailfeed.parsers.mail import parse_text as parse

    return parse


def test_bodies_corpus_is_complete() -> None:
    assert len(CASES) >= 45
    for txt in CASES:
        assert txt.with_suffix(".json").is_file(), f"{txt.stem} has no expected .json"


def test_known_gaps_exist() -> None:
    ids = {path.stem for path in CASES}
    assert set(KNOWN_GAPS) <= ids, set(KNOWN_GAPS) - ids


@pytest.mark.parametrize("txt", [_case_param(path) for path in CASES])
def test_body(txt: Path, parse_text: Any) -> None:
    expected = json.loads(txt.with_suffix(".json").read_text(encoding="utf-8"))
    text = txt.read_text(encoding="utf-8")

    parsed = parse_text(text)

    assert_chain(parsed, expected["chain"])

    # Issue 3's rule: all of the new text kept; a trailing sign-off may go or stay.
    assert body_matches(parsed.new_text or "", expected["new_text"], None), (
        f"new_text\n--- expected ---\n{expected['new_text']}\n--- got ---\n{parsed.new_text}"
    )
    if expected["note"] is None:
        assert parsed.note is None, f"note should be null, got {parsed.note!r}"
    else:
        assert parsed.note is not None, "note (forwarder's cover text) missing"
        assert normalize(parsed.note) == normalize(expected["note"]), (
            f"note\n--- expected ---\n{expected['note']}\n--- got ---\n{parsed.note}"
        )
