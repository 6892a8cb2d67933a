"""A corpus of hostile mail, generated in code (no large files in the repository).

Each mail is one of the ways a single message tried to freeze, stall or speak for
someone else in the fault pass of issue 15.  `corpus()` yields them all with what may
become of each; `tests/test_hostile.py` runs them through a real gateway.
"""

from __future__ import annotations

import base64
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass

from mailfeed.parsers.mail import parse_mail
from mailfeed.parsers.model import ParsedMail

GATEWAY = "feed@firma.se"


@dataclass(frozen=True)
class Hostile:
    name: str
    mail_from: str  # the SMTP envelope sender
    raw: bytes
    rcpts: tuple[str, ...] = (GATEWAY,)


def _mail(headers: list[tuple[str, str]], body: str, base64_body: bool = False) -> bytes:
    if base64_body:
        # SMTP lines stop at 64 KB; a sender makes one huge line of text by encoding it.
        encoded = base64.encodebytes(body.encode("utf-8")).decode().replace("\n", "\r\n")
        headers = [*headers, ("Content-Transfer-Encoding", "base64")]
        body = encoded
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return (head + "\r\n" + body).encode("utf-8")


VERIFIER = "mx.firma.se"  # the border MTA's authserv-id (MAILFEED_TRUSTED_AUTHSERV_IDS)


def _base(
    message_id: str,
    subject: str,
    sender: str = "Anna Berg <anna.berg@firma.se>",
    extra: list[tuple[str, str]] | None = None,
) -> list[tuple[str, str]]:
    # The border MTA's verdict on top, as it adds it: every mail here is authentic for
    # its From: domain, so what decides is the hostile part alone.
    domain = sender.rpartition("@")[2].rstrip(">")
    return [
        ("Authentication-Results", f"{VERIFIER}; dmarc=pass header.from={domain}"),
        ("From", sender),
        ("To", GATEWAY),
        ("Subject", subject),
        ("Date", "Tue, 24 Nov 2026 09:00:00 +0100"),
        ("Message-ID", f"<{message_id}>"),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=utf-8"),
        *(extra or []),
    ]


def long_word(letters: int = 100_000) -> Hostile:
    """Item 1: a question whose one line holds a run of letters without a space."""
    rng = random.Random(15)
    word = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzåäö") for _ in range(letters))
    body = "Hej! Vet någon varför det här händer? " + word + "\r\n"
    return Hostile(
        "long_word",
        "anna.berg@firma.se",
        _mail(_base("long-word@firma.se", "Konstigt fel?"), body, True),
    )


def huge_line(size: int = 3 * 1024 * 1024) -> Hostile:
    """Item 1: a body of several megabytes on one line (under the size limit)."""
    unit = "aaaa bbbb@cccc dddd: eeee > ffff wrote "
    body = (unit * (size // len(unit) + 1))[:size] + "\r\n"
    return Hostile(
        "huge_line",
        "anna.berg@firma.se",
        _mail(_base("huge-line@firma.se", "Stor rad?"), body, True),
    )


def display_name_from() -> Hostile:
    """Item 2: a display name that looks like an internal address, from outside."""
    return Hostile(
        "display_name_from",
        "attacker@evil.example",
        _mail(
            _base(
                "display-name@evil.example",
                "Brådskande: betala fakturan?",
                sender='"vd@firma.se" <attacker@evil.example>',
            ),
            "Kan någon betala fakturan i dag?\r\n",
        ),
    )


def encoded_display_to() -> Hostile:
    """Item 2: an address inside an encoded display name in To:."""
    headers = _base("encoded-to@firma.se", "Fråga om resor?")
    headers[2] = ("To", f"{GATEWAY}, =?utf-8?q?Erik=2C_ceo=40firma=2Ese?= <erik.ek@firma.se>")
    return Hostile(
        "encoded_display_to", "anna.berg@firma.se", _mail(headers, "Vem bokar resor numera?\r\n")
    )


def many_references(count: int = 300_000) -> Hostile:
    """Item 3: References with 300,000 Message-IDs (about 5 MB of header)."""
    refs = "\r\n ".join(f"<r{i}@x.example>" for i in range(count))
    return Hostile(
        "many_references",
        "anna.berg@firma.se",
        _mail(
            _base("many-refs@firma.se", "Många referenser?", extra=[("References", refs)]),
            "Vet någon hur man gör?\r\n",
        ),
    )


def same_body_twice() -> list[Hostile]:
    """Item 7: the same person, the same short body, two different questions."""
    return [
        Hostile(
            f"same_body_{n}",
            "anna.berg@firma.se",
            _mail(_base(f"same-body-{n}@firma.se", subject), "Vet någon?\r\n"),
        )
        for n, subject in (
            (1, "Var är nycklarna till förrådet?"),
            (2, "Hur bokar man konferensrummet?"),
        )
    ]


def many_cc(count: int = 5000) -> Hostile:
    """Item 10: one mail with thousands of colleagues in Cc."""
    cc = ",\r\n ".join(f"kollega{i}@firma.se" for i in range(count))
    return Hostile(
        "many_cc",
        "anna.berg@firma.se",
        _mail(
            _base("many-cc@firma.se", "Alla: vem har laddaren?", extra=[("Cc", cc)]),
            "Vem har lånat laddaren?\r\n",
        ),
        rcpts=(GATEWAY,),
    )


def forged_authresults() -> Hostile:
    """Item 11: the sender's own Authentication-Results with the trusted id, below the
    receiving server's real verdict (dmarc=none)."""
    headers = _base("forged-ar@firma.se", "Löneutbetalning?", sender="VD <vd@firma.se>")
    headers[0] = ("Authentication-Results", f"{VERIFIER}; dmarc=none header.from=firma.se")
    headers.insert(
        1,
        (
            "Authentication-Results",
            f"{VERIFIER}; spf=pass smtp.mailfrom=firma.se; dkim=pass "
            "header.d=firma.se; dmarc=pass header.from=firma.se",
        ),
    )
    return Hostile(
        "forged_authresults", "vd@firma.se", _mail(headers, "Vet någon när lönen kommer?\r\n")
    )


def corpus() -> Iterator[Hostile]:
    yield long_word()
    yield huge_line()
    yield display_name_from()
    yield encoded_display_to()
    yield many_references()
    yield from same_body_twice()
    yield many_cc()
    yield forged_authresults()


SPIN = b"X-Test-Spin: forever"


def spinning(mail: Hostile) -> Hostile:
    """The same mail, marked for `spin_parse` to never finish parsing it."""
    return Hostile(mail.name + "_spinning", mail.mail_from, SPIN + b"\r\n" + mail.raw, mail.rcpts)


def spin_parse(raw: bytes) -> ParsedMail:
    """`parse_mail`, except that a marked mail burns CPU for ever: the worst a regular
    expression can do, on demand (the real parser may be fixed; this one never is)."""
    if raw.startswith(SPIN):
        while True:
            time.monotonic()
    return parse_mail(raw)
