"""Raw 8-bit header values (RFC 6532 SMTPUTF8 mail, and legacy clients that never
encoded): UTF-8 when the bytes are valid UTF-8, else cp1252; encoded-words beside them
decoded as well."""

from __future__ import annotations

import pytest

from mailfeed.parsers.mail import parse_mail
from mailfeed.parsers.mime import decode_words

HEADERS = (
    "From: \"Jörg Ølstad\" <jorg@bolag.no>\r\n"
    "To: =?utf-8?q?=C3=85sa_Lind?= <asa@bolag.se>, Zoë Ström <zoe@bolag.se>\r\n"
    "Subject: SV: Möte om =?utf-8?q?v=C3=A5rbudget?= – 2027 ✓\r\n"
    "Date: Wed, 02 Dec 2026 08:00:00 +0100\r\n"
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n\r\nHej, går det bra på fredag?\r\n"
)


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_raw_utf8_headers_decode_as_utf8(newline: str) -> None:
    parsed = parse_mail(HEADERS.replace("\r\n", newline).encode("utf-8"))
    assert (parsed.sender.name, parsed.sender.email) == ("Jörg Ølstad", "jorg@bolag.no")
    assert parsed.raw_subject == "SV: Möte om vårbudget – 2027 ✓"
    assert parsed.subject == "Möte om vårbudget – 2027 ✓"
    assert [(p.name, p.email) for p in parsed.to] == [
        ("Åsa Lind", "asa@bolag.se"), ("Zoë Ström", "zoe@bolag.se")]


def test_raw_legacy_bytes_fall_back_to_cp1252() -> None:
    raw = HEADERS.replace(" – 2027 ✓", "").replace("Ø", "O").encode("cp1252")
    parsed = parse_mail(raw)
    assert parsed.sender.name == "Jörg Olstad"
    assert parsed.raw_subject == "SV: Möte om vårbudget"


def test_raw_utf8_headers_of_an_attached_mail() -> None:
    inner = HEADERS.replace("SV: ", "").encode("utf-8")
    raw = (
        b"From: Per Nord <per@bolag.se>\r\nTo: feed@bolag.se\r\nSubject: VB: M\xc3\xb6te\r\n"
        b"Date: Wed, 02 Dec 2026 09:00:00 +0100\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=XYZ\r\n\r\n--XYZ\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nSe nedan.\r\n--XYZ\r\n"
        b"Content-Type: message/rfc822\r\n\r\n" + inner + b"\r\n--XYZ--\r\n"
    )
    parsed = parse_mail(raw)
    assert parsed.raw_subject == "VB: Möte"
    assert parsed.chain[0].author.name == "Jörg Ølstad"
    assert parsed.chain[0].subject == "Möte om vårbudget – 2027 ✓"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("=?iso-8859-1?q?Bj=F6rn?= =?iso-8859-1?q?_=C5kesson?=", "Björn Åkesson"),  # §6.2
        ("=?utf-8*sv?b?w4VzYQ==?= Lind", "Åsa Lind"),  # RFC 2231 language tag
        ("=?utf-8?b?broken", "=?utf-8?b?broken"),
        ("plain ascii", "plain ascii"),
    ],
)
def test_encoded_words(value: str, text: str) -> None:
    assert decode_words(value) == text
