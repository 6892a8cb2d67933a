"""Precision of "This may already be answered" on the paired questions we wrote.

Not a test: prints precision@1 (the twin ranked first among all answered threads and
distractors), recall@3, mean reciprocal rank, and how the unmatched questions score, per
language and overall, for the default threshold.  tests/test_similar.py holds the bar.

    .venv/bin/python benchmarks/similar_precision.py [--threshold 0.2]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mailfeed.parsers.similar import DEFAULT_THRESHOLD, rank_similar  # noqa: E402

PAIRS = ROOT / "tests" / "data" / "similar" / "pairs.json"


@dataclass(frozen=True)
class Measure:
    queries: int
    top1: int  # the twin first, and above the threshold
    top3: int  # the twin among the three shown
    reciprocal_rank: float
    unmatched: int
    unmatched_shown: int  # unmatched questions that still got a suggestion
    misses: tuple[str, ...]

    @property
    def precision_at_1(self) -> float:
        return self.top1 / self.queries if self.queries else 0.0


def measure(threshold: float = DEFAULT_THRESHOLD, lang: str | None = None) -> Measure:
    """Run every paired question against all answered threads (both languages)."""
    data = json.loads(PAIRS.read_text(encoding="utf-8"))
    pairs = [p for p in data["pairs"] if lang in (None, p["lang"])]
    candidates = [(i, p["answered"]) for i, p in enumerate(data["pairs"])]
    candidates += [(-1 - i, text) for i, text in enumerate(data["distractors"])]
    top1 = top3 = 0
    rr = 0.0
    misses: list[str] = []
    for pair in pairs:
        twin = data["pairs"].index(pair)
        ranked = [key for key, _ in rank_similar(pair["question"], candidates, 3, threshold)]
        if ranked[:1] == [twin]:
            top1 += 1
        else:
            misses.append(pair["question"])
        if twin in ranked:
            top3 += 1
            rr += 1 / (ranked.index(twin) + 1)
    unmatched = [u for u in data["unmatched"] if lang in (None, u["lang"])]
    shown = sum(1 for u in unmatched if rank_similar(u["question"], candidates, 3, threshold))
    return Measure(
        len(pairs), top1, top3, rr / max(len(pairs), 1), len(unmatched), shown, tuple(misses)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    args = parser.parse_args()
    for lang in ("sv", "en", None):
        m = measure(args.threshold, lang)
        print(
            f"{lang or 'all':>3}: precision@1 {m.precision_at_1:.2f} ({m.top1}/{m.queries}), "
            f"recall@3 {m.top3 / m.queries:.2f}, MRR {m.reciprocal_rank:.2f}, "
            f"unmatched with a suggestion {m.unmatched_shown}/{m.unmatched}"
        )
        if lang is None:
            for miss in m.misses:
                print(f"     miss: {miss}")


if __name__ == "__main__":
    main()
