"""Parsing throughput: `parsers.mail.parse_mail` against stdlib and mail-parser baselines.

Not a test.  Reads every complete message in the project's tests/data/mail and in the
shared corpora (MAILFEED_CORPORA, default ../shared/corpora), parses all of them with
each parser in the same process, and prints mails/s and the ratio to the baselines.
"""

from __future__ import annotations

import email
import os
import sys
import time
from collections.abc import Callable
from email import policy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import mailparser  # noqa: E402

from mailfeed.parsers.mail import parse_mail  # noqa: E402


def corpus() -> list[bytes]:
    shared = Path(os.environ.get("MAILFEED_CORPORA", ROOT.parent / "shared" / "corpora"))
    paths = list((ROOT / "tests" / "data").rglob("*.eml"))
    if shared.is_dir():
        paths += list((shared / "receiver-emails").glob("*.eml"))
        paths += list((shared / "talon").rglob("*.eml"))
        paths += [
            p
            for p in (shared / "threads-notmuch").rglob("*")
            if p.is_file() and not p.name.startswith(("README", "LICENSE"))
        ]
    return [p.read_bytes() for p in sorted(paths)]


def stdlib_default(raw: bytes) -> object:
    msg = email.message_from_bytes(raw, policy=policy.default)
    body = msg.get_body(("plain", "html"))  # type: ignore[attr-defined]
    return body.get_content() if body is not None else None


def stdlib_compat32(raw: bytes) -> object:
    return email.message_from_bytes(raw).get_payload()


def mail_parser(raw: bytes) -> object:
    return mailparser.parse_from_bytes(raw).text_plain


def rate(fn: Callable[[bytes], object], mails: list[bytes], rounds: int = 3) -> float:
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        for raw in mails:
            fn(raw)
        best = max(best, len(mails) / (time.perf_counter() - start))
    return best


def main() -> None:
    import logging

    logging.disable(logging.WARNING)  # mail-parser warns about every unhandled part
    mails = corpus()
    sizes = sorted(len(m) for m in mails)
    print(f"{len(mails)} mails, median {sizes[len(sizes) // 2] / 1024:.1f} KB")
    baseline = rate(stdlib_default, mails)
    rows = [
        ("stdlib policy.default + get_body", baseline),
        ("stdlib compat32", rate(stdlib_compat32, mails)),
        ("mail-parser", rate(mail_parser, mails)),
        ("mailfeed parse_mail (full chain)", rate(parse_mail, mails)),
    ]
    for name, value in rows:
        print(f"{name:36s} {value:8.0f} mails/s   ratio to stdlib default {value / baseline:.2f}")


if __name__ == "__main__":
    main()
