"""Accuracy of Mailfeed's reply-chain parser against the shared corpora and the peers.

Run:  .venv/bin/python benchmarks/accuracy.py [--cases] [--only CORPUS]

Reads corpora from $MAILFEED_CORPORA (default ../shared/corpora next to the repo) and
the project's own tests/data/mail, runs our parser and the peer libraries on the same
inputs (quotequail, mail-parser-reply, email-reply-parser, talon when installed), and
prints per corpus and per client/language class:

- trim: cases whose kept new text is *right* (issue 3): all expected new text kept (a
  trailing sign-off of at most three short lines may go, since a post shows its author)
  and nothing of the elided or quoted part remains; the weaker checks a source makes
  (starts with / contains / nothing to trim / time limit) are applied as written;
- split: cases with an expected chain or embedded message whose earlier messages we
  find with the right author and body (peers that cannot split count as wrong).

A script, not a test: it reads files and a clock.  Never copies corpus files anywhere.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fixture_judge import (  # noqa: E402  (the judge lives with the tests)
    CORPORA,
    SOURCES,
    Case,
    Result,
    Score,
    has_trim_check,
    plain_of,
    run_ours,
    split_right,
    trim_right,
)

from mailfeed.parsers.mime import html_to_text  # noqa: E402


def run_quotequail(case: Case) -> Result:
    import quotequail

    text = plain_of(case)
    unwrapped = quotequail.unwrap(text)
    if unwrapped:
        earlier = [
            (
                str(unwrapped.get("from", "")) + " " + str(unwrapped.get("cc", "")),
                str(unwrapped.get("text", "")),
            )
        ]
        return Result(str(unwrapped.get("text_top", "")), earlier)
    parts = quotequail.quote(text)
    return Result(parts[0][1] if parts and parts[0][0] else "", [])


def run_mailparser_reply(case: Case) -> Result:
    from mailparser_reply import EmailReplyParser

    langs = ["en", "de", "sv", "da", "es", "fr", "it", "nl", "pl", "cs", "ja", "ko", "zh"]
    replies = EmailReplyParser(languages=langs).read(text=plain_of(case)).replies
    if not replies:
        return Result("", [])
    earlier = [(r.headers or "", r.body or "") for r in replies[1:]]
    earlier.reverse()
    return Result(replies[0].body or "", earlier)


def run_email_reply_parser(case: Case) -> Result:
    from email_reply_parser import EmailReplyParser

    return Result(EmailReplyParser.parse_reply(plain_of(case)) or "", None)


def run_talon(case: Case) -> Result:
    from talon import quotations

    if case.kind == "html":
        kept = quotations.extract_from_html(case.data.decode("utf-8", "replace"))
        return Result(html_to_text(kept), None)
    return Result(quotations.extract_from_plain(plain_of(case)) or "", None)


def systems() -> dict[str, Callable[[Case], Result]]:
    found: dict[str, Callable[[Case], Result]] = {"mailfeed": run_ours}
    for label, module, runner in (
        ("quotequail", "quotequail", run_quotequail),
        ("mail-parser-reply", "mailparser_reply", run_mailparser_reply),
        ("email-reply-parser", "email_reply_parser", run_email_reply_parser),
        ("talon", "talon", run_talon),
    ):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                imported = __import__(module)
            if module == "talon":
                imported.init()
        except Exception as error:  # a peer that does not install is left out of the table
            print(f"# {label} not available: {error}", file=sys.stderr)
            continue
        found[label] = runner
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", action="store_true", help="list every case we get wrong")
    parser.add_argument("--only", help="one corpus")
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="print the per-corpus table as Markdown (for the README)",
    )
    args = parser.parse_args()
    if not CORPORA.is_dir():
        sys.exit(f"corpora not found at {CORPORA} (set MAILFEED_CORPORA)")
    runners = systems()
    by_corpus: dict[str, dict[str, Score]] = defaultdict(lambda: defaultdict(Score))
    by_class: dict[str, dict[str, Score]] = defaultdict(lambda: defaultdict(Score))
    wrong: list[str] = []
    for corpus, source in SOURCES.items():
        if args.only and corpus != args.only:
            continue
        for case in source():
            for label, runner in runners.items():
                start = time.perf_counter()
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        result = runner(case)
                except Exception as error:
                    result = Result("", None, error=f"{type(error).__name__}: {error}")
                result.seconds = time.perf_counter() - start
                has_trim = has_trim_check(case)
                for table, key in ((by_corpus, corpus), (by_class, f"{corpus}:{case.klass}")):
                    if has_trim:
                        table[key][label].trim.append(trim_right(result, case))
                    if case.chain:
                        table[key][label].split.append(split_right(result, case))
                trim_wrong = has_trim and not trim_right(result, case)
                split_wrong = bool(case.chain) and not split_right(result, case)
                if label == "mailfeed" and (trim_wrong or split_wrong):
                    wrong.append(
                        f"{corpus}/{case.name}: {result.error or ''}"
                        f"{'trim ' if trim_wrong else ''}{'split' if split_wrong else ''}"
                    )
    labels = list(runners)
    if args.markdown:
        _print_markdown(by_corpus, labels)
        return
    _print_table("per corpus", by_corpus, labels)
    _print_table("per class", by_class, labels)
    if args.cases:
        print("\nmailfeed gets wrong:")
        print("\n".join(f"  {w}" for w in wrong) or "  nothing")


def _cell(values: list[bool]) -> str:
    if not values:
        return "-"
    return f"{sum(values)}/{len(values)} {100 * sum(values) / len(values):5.1f}%"


def _print_markdown(table: dict[str, dict[str, Score]], labels: list[str]) -> None:
    print("| corpus | " + " | ".join(labels) + " |")
    print("|---|" + "---|" * len(labels))
    for key in sorted(table):
        cells = []
        for label in labels:
            score = table[key][label]
            cells.append(f"{_cell(score.trim)} · split {_cell(score.split)}")
        print(f"| {key} | " + " | ".join(cells) + " |")


def _print_table(title: str, table: dict[str, dict[str, Score]], labels: list[str]) -> None:
    print(f"\n## {title}: trim right | split right")
    width = max(len(k) for k in table) + 2
    print("".ljust(width) + "".join(lb.ljust(34) for lb in labels))
    for key in sorted(table, key=lambda k: (k.split(":")[0], k)):
        row = key.ljust(width)
        for label in labels:
            score = table[key][label]
            row += f"{_cell(score.trim)} | {_cell(score.split)}".ljust(34)
        print(row)


if __name__ == "__main__":
    main()
