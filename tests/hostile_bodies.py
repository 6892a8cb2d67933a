"""Bodies shaped to make a text parser work hard, generated in code at any size.

Each shape is one way a body can be long: many lines, one long line, deep quoting,
many boundaries, runs of characters that regular expressions backtrack over.  Used by
`tests/test_linear.py` (work counted at 1× and 10× size) and `benchmarks/hostile.py`.
"""

from __future__ import annotations

import random
from collections.abc import Callable

HEAD = (
    "From: Anna Berg <anna.berg@firma.se>\r\nTo: feed@firma.se\r\nSubject: Fråga\r\n"
    "Date: Tue, 24 Nov 2026 09:12:00 +0100\r\nMessage-ID: <hostile@firma.se>\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
)
ATTRIBUTION = "On Tue, 24 Nov 2026 at 09:12, Bo Ek <bo@firma.se> wrote:\n"
OUTLOOK = (
    "Från: Johan Lind <johan@firma.se>\nSkickat: den 24 november 2026 09:00\n"
    "Till: Anna Berg <anna.berg@firma.se>\nÄmne: Fråga\n\n"
)


def _letters(n: int, seed: int = 15) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyzåäö") for _ in range(n))


# name -> body of about n units (lines or characters), for bodies with a reply on top
SHAPES: dict[str, Callable[[int], str]] = {
    "quoted garbage": lambda n: "Hej, vet någon?\n\n" + OUTLOOK + "> quoted line\n" * n,
    "long word": lambda n: "Hej! Vet någon varför? " + _letters(n) + "\n",
    "long word with colon": lambda n: "On 12 " + _letters(n) + " wrote:\n> q\n",
    "long dash run": lambda n: "Hej\n" + "-" * n + "Anna\n",
    "long run of >": lambda n: ">" * n + "\n",
    "long run of =": lambda n: "Hej\n" + "=" * n + "\n",
    "long run of _": lambda n: "Hej\n" + "_" * n + "\n",
    "addresses without dots": lambda n: "a@" * (n // 2) + "\n",
    "header with blanks": lambda n: "Hej\n\nFrom: a" + " " * n + "b\nDate: 2026-01-01\n\nx\n",
    "header with long name": lambda n: "Hej\n\nFrom: " + "a" * n + "\nSent: x\nTo: y\n\nx\n",
    "wrote and blanks": lambda n: "On Tue 24 Nov 2026 09:12 wrote" + " " * n + "x:  x\n",
    "header-like lines": lambda n: "From: a\nTo: b\n" * (n // 2),
    "header blocks": lambda n: ("Hej\n\n" + OUTLOOK + "text\n") * (n // 6),
    "attributions": lambda n: (ATTRIBUTION + "> a\nb\n") * (n // 4),
    "inline replies": lambda n: ATTRIBUTION + "> a\nb\n" * (n // 2),
    "deep quoting": lambda n: "".join(">" * (i % 60) + " text\n" for i in range(n)),
    "quote then signature": lambda n: "> a\n" * n + "--\n",
    "blank lines": lambda n: "a" + "\n" * n + "b\n",
    "notices": lambda n: "Hej\n---\n" + "You are receiving this because\n" * n,
    "colons": lambda n: "a:\n" * n,
    "random text": lambda n: random.Random(10).randbytes(n * 40).decode("latin-1"),
}
