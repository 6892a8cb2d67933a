"""Threading by Message-ID, In-Reply-To and References (JWZ / RFC 5256 REFERENCES).

Small stories first, then the notmuch corpus: real list traffic with its known shape
(README of the corpora: 24 threads in default/, 7 in lkml/ with 100 messages in the
largest and replies 24 deep), and notmuch's two edge cases.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mailfeed.parsers.mail import parse_mail
from mailfeed.parsers.threader import Node, ThreadInput, thread

DEFAULT_CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
CORPORA = Path(os.environ.get("MAILFEED_CORPORA", DEFAULT_CORPORA))
NOTMUCH = CORPORA / "threads-notmuch"


def _tree(node: Node) -> object:
    return (node.message_id, [_tree(c) for c in node.children])


def test_replies_hang_under_the_mail_they_answer() -> None:
    roots = thread(
        [
            ThreadInput("q@firma.se", subject="Var finns nycklarna?"),
            ThreadInput("a1@firma.se", "q@firma.se", ("q@firma.se",), "SV: Var finns nycklarna?"),
            ThreadInput("a2@firma.se", "a1@firma.se", ("q@firma.se", "a1@firma.se")),
            ThreadInput("other@firma.se", subject="Lunch?"),
        ]
    )
    assert [_tree(r) for r in roots] == [
        ("q@firma.se", [("a1@firma.se", [("a2@firma.se", [])])]),
        ("other@firma.se", []),
    ]


def test_missing_root_becomes_a_ghost_that_keeps_siblings_together() -> None:
    roots = thread(
        [
            ThreadInput("b@x", "root@x", ("root@x",)),
            ThreadInput("c@x", "root@x", ("root@x",)),
        ]
    )
    assert len(roots) == 1
    assert roots[0].message is None and roots[0].message_id == "root@x"
    assert [c.message_id for c in roots[0].children] == ["b@x", "c@x"]


def test_a_single_child_of_a_ghost_becomes_the_root() -> None:
    roots = thread([ThreadInput("b@x", "gone@x", ("gone@x",))])
    assert [_tree(r) for r in roots] == [("b@x", [])]


def test_loops_are_refused() -> None:
    roots = thread(
        [
            ThreadInput("a@x", "b@x", ("b@x",)),
            ThreadInput("b@x", "a@x", ("a@x",)),
        ]
    )
    assert sum(r.size() for r in roots) == 2
    assert len(roots) == 1  # one of the two links is dropped, not both


def test_in_reply_to_wins_when_references_misspell_the_parent() -> None:
    roots = thread(
        [
            ThreadInput("root@x"),
            ThreadInput("child@x", "root@x", ("r00t@x",)),
        ]
    )
    assert [_tree(r) for r in roots] == [("root@x", [("child@x", [])])]


def test_duplicates_are_threaded_once() -> None:
    roots = thread([ThreadInput("a@x"), ThreadInput("a@x"), ThreadInput("b@x", "a@x")])
    assert [_tree(r) for r in roots] == [("a@x", [("b@x", [])])]


def test_subject_fallback_only_when_asked() -> None:
    mails = [ThreadInput("a@x", subject="Parkering"), ThreadInput("b@x", subject="SV: Parkering")]
    assert len(thread(mails)) == 2
    roots = thread(mails, by_subject=True)
    assert [_tree(r) for r in roots] == [("a@x", [("b@x", [])])]


def _corpus(folder: str) -> list[ThreadInput]:
    if not NOTMUCH.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"corpora missing at {CORPORA}")
        pytest.skip("shared corpora not available")
    found = []
    for path in sorted(p for p in (NOTMUCH / folder).rglob("*") if p.is_file()):
        mail = parse_mail(path.read_bytes())
        if mail.message_id:
            found.append(
                ThreadInput(mail.message_id, mail.in_reply_to, mail.references, mail.raw_subject)
            )
    return found


def test_notmuch_default_corpus() -> None:
    roots = thread(_corpus("default"))
    assert len(roots) == 24
    assert max(r.size() for r in roots) == 7
    assert max(r.depth() for r in roots) == 4
    assert sum(r.size() for r in roots) == 52


def test_lkml_threads_despite_rewritten_in_reply_to() -> None:
    roots = thread(_corpus("lkml"))
    assert len(roots) == 7
    assert sum(r.size() for r in roots) == 176
    assert max(r.size() for r in roots) == 100
    assert max(r.depth() for r in roots) == 24


def test_notmuch_ghost_root() -> None:
    roots = thread(_corpus("threading/ghost-root"))
    by_id = {r.message_id: r for r in roots}
    real = by_id["000-real-root@example.org"]
    assert real.size() == 6
    child = real.children[0]
    assert child.message_id == "001-child@example.org"
    assert {c.message_id for c in child.children} == {
        "001-fake-message-root@example.org",
        "001-grand-child@example.org",
        "001-grand-child2@example.org",
    }


def test_notmuch_parent_priority() -> None:
    roots = thread(_corpus("threading/parent-priority"))
    assert [_tree(r) for r in roots] == [
        ("B00-root@example.org", [("B01-child@example.org", [("B01-grand-child@example.org", [])])])
    ]
