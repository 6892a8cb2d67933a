"""Understanding time on large and hostile bodies (issues 10 and 15).  Not a test.

Times `parse_mail` (CPU time of this process) on: 10 MB of quoted garbage (400,000
"> " lines under an Outlook reply), a 10 MB reply chain of thousands of attributions,
10 MB of random bytes, a 135 KB mail whose body is one line with a 100,000-letter word,
and a 2 MB one-line body.
Each shape is timed at 1× and 10× size too, so that a super-linear step shows as a ratio
far above 10.  `--tree DIR` times another checkout (e.g. `git archive main`) instead
of this one, for before/after figures.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HEAD = (
    "From: Anna Berg <anna.berg@firma.se>\r\nTo: feed@firma.se\r\nSubject: Fråga\r\n"
    "Date: Tue, 24 Nov 2026 09:12:00 +0100\r\nMessage-ID: <bench@firma.se>\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
)
REPLY = (
    "Hej, vet någon?\r\n\r\nFrån: Johan Lind <johan@firma.se>\r\n"
    "Skickat: den 24 november 2026 09:00\r\nTill: Anna Berg <anna.berg@firma.se>\r\n"
    "Ämne: Fråga\r\n\r\n"
)


def quoted_garbage(lines: int) -> bytes:
    return (HEAD + REPLY + "> quoted line that goes on\r\n" * lines).encode()


def chain(messages: int) -> bytes:
    parts = []
    for i in range(messages):
        prefix = "> " * min(i, 30)
        parts.append(
            f"{prefix}Den tis 24 nov. 2026 kl 09:{i % 60:02d} skrev Person {i} "
            f"<person{i}@firma.se>:\r\n" + f"{prefix}Ett stycke text.\r\n" * 20
        )
    return (HEAD + "".join(parts)).encode()


def random_bytes(size: int) -> bytes:
    rng = random.Random(10)
    return HEAD.encode() + bytes(rng.getrandbits(8) for _ in range(size))


def long_word(letters: int) -> bytes:
    rng = random.Random(15)
    word = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzåäö") for _ in range(letters))
    return (HEAD + "Hej! Vet någon varför det här händer? " + word + "\r\n").encode()


def one_line(size: int) -> bytes:
    unit = "aaaa bbbb@cccc dddd: eeee > ffff wrote "
    return (HEAD + (unit * (size // len(unit) + 1))[:size] + "\r\n").encode()


SHAPES: dict[str, tuple[Callable[[int], bytes], int]] = {
    "quoted garbage (400,000 lines, 10 MB)": (quoted_garbage, 400_000),
    "reply chain (10 MB)": (chain, 12_000),
    "random bytes (10 MB)": (random_bytes, 10_000_000),
    "one word of 100,000 letters (135 KB)": (long_word, 100_000),
    "one line of 2 MB": (one_line, 2_000_000),
}


def timed(parse: Callable[[bytes], object], raw: bytes) -> float:
    start = time.process_time()
    parse(raw)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", type=Path, default=ROOT, help="checkout to time")
    parser.add_argument("--only", default="", help="substring of the shapes to run")
    args = parser.parse_args()
    sys.path.insert(0, str(args.tree.resolve()))
    from mailfeed.parsers.mail import parse_mail

    parse_mail(HEAD.encode() + b"warm-up\r\n")
    for name, (make, size) in SHAPES.items():
        if args.only not in name:
            continue
        full = timed(parse_mail, make(size))
        small = timed(parse_mail, make(size // 10))
        print(
            f"{name:40s} {full:7.2f} s   (1/10 size: {small:6.3f} s, ratio {full / small:5.1f})",
            flush=True,
        )


if __name__ == "__main__":
    main()
