"""The understanding stage is linear in its input: proven by counting work, not by a clock.

Issue 15 found single mails that froze the service (a 100,000-letter word: 44 s; a
17 MB line: forever) and issue 10 repeated full scans of 400,000-line bodies.  Each
hostile shape is parsed at 1× and 10× size with a `Work` counter injected; ten times the
input may cost at most twelve times the work (lines classified, characters looked at,
lines carried between levels of the chain), and the number of passes may not grow.
"""

from __future__ import annotations

import pytest
from hostile_bodies import HEAD, SHAPES

from mailfeed.parsers.mail import parse_mail, parse_text
from mailfeed.parsers.marks import MAX_CUE_LINE, Work

SIZE = 1000


def _work(body: str) -> Work:
    work = Work()
    parsed = parse_mail((HEAD + body).encode("utf-8", "surrogateescape"), work)
    assert parsed.chain or parsed.is_forward  # understood, not given up on
    return work


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_ten_times_the_body_costs_at_most_twelve_times_the_work(shape: str) -> None:
    small, large = _work(SHAPES[shape](SIZE)), _work(SHAPES[shape](10 * SIZE))
    assert large.lines <= 12 * max(small.lines, 1), (small, large)
    assert large.chars <= 12 * max(small.chars, 1), (small, large)
    assert large.carried <= 12 * max(small.carried, 1), (small, large)
    assert large.passes <= small.passes, (small, large)


def test_a_line_is_looked_at_only_up_to_a_bound() -> None:
    work = _work(SHAPES["long word"](20 * MAX_CUE_LINE))
    assert work.chars <= 4 * MAX_CUE_LINE + 1000, work


def test_the_work_counter_counts() -> None:
    # The guard above can fail: a body of 400 lines is read, and more than 40 lines are.
    work = Work()
    parse_text("Hej\n\n" + "> citat\n" * 400, work)
    assert work.lines >= 400 and work.passes >= 2 and work.chars >= 400 * len("> citat")


@pytest.mark.parametrize("shape", ["quoted garbage", "random text", "long word"])
@pytest.mark.parametrize("encoding", ["8bit", "base64", "quoted-printable"])
def test_a_large_single_part_reads_as_the_ordinary_parser_reads_it(
    shape: str, encoding: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import base64
    import quopri

    from mailfeed.parsers import mime

    body = SHAPES[shape](4_000).encode("utf-8", "surrogateescape")
    if encoding == "base64":
        body = base64.encodebytes(body)
    elif encoding == "quoted-printable":
        body = quopri.encodestring(body)
    raw = (
        HEAD.replace("charset=utf-8", "charset=iso-8859-1").encode()[:-2]
        + f"Content-Transfer-Encoding: {encoding}\r\n\r\n".encode()
        + body
    )
    monkeypatch.setattr(mime, "_LARGE", 1000)  # the large-mail path for this small mail
    assert mime._large_single_part(raw) is not None
    fast = mime.read_mime(raw)
    monkeypatch.setattr(mime, "_LARGE", 1 << 40)
    assert mime.read_mime(raw) == fast


def test_a_chain_of_header_blocks_classifies_each_line_about_once() -> None:
    # Outlook quotes a mail under a "From:/Sent:/To:/Subject:" block, without '>': every
    # level of the chain is the rest of the same lines, whose marks the level above has
    # read already.  Forty levels of ten lines: each line classified about once (it was
    # up to forty times, once per level: most of the understanding stage's time).
    levels = 40
    body = "Ja, det går bra.\n\nAnna\n\n"
    for n in range(levels):
        body += (
            f"From: Person {n} <p{n}@firma.se>\nSent: den 24 november 2026 09:{n:02d}\n"
            f"To: Anna Berg <anna.berg@firma.se>\nSubject: RE: Leverans\n\n"
            f"Svar nummer {n}, med lite text.\nHälsningar\nPerson {n}\n\n"
        )
    work = _work(body)
    lines = body.count("\n")
    assert work.lines <= 2 * lines, (work, lines)
