"""Attribution forms of clients outside the big four: GroupWise, mutt's bracketed date,
Yahoo for Android's run-on line, and The Bat!'s "you wrote:".

Each test writes its own mail with other people and wording than the fixtures in
tests/data/mail, so that the rule is tested, not one text.
"""

from __future__ import annotations

import pytest

from mailfeed.parsers.mail import parse_mail, parse_text


def _mail(body: str, to: str = "Karin Holm <karin.holm@bolag.se>") -> bytes:
    return (
        "From: Per Nord <per.nord@bolag.se>\n"
        f"To: {to}\n"
        "Cc: feed@bolag.se\n"
        "Subject: Re: Lokalbokning\n"
        "Date: Wed, 02 Dec 2026 14:05:00 +0100\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n\n" + body
    ).encode()


@pytest.mark.parametrize(
    ("line", "name", "email", "date"),
    [
        ('>>> "Karin Holm" <karin.holm@bolag.se> 12/2/2026 1:47 PM >>>',
         "Karin Holm", "karin.holm@bolag.se", "2026-12-02T13:47:00"),
        (">>> Karin Holm 2026-12-02 13:47 >>>", "Karin Holm", None, "2026-12-02T13:47:00"),
        (">>> Karin Holm<karin.holm@bolag.se> 02.12.2026 13:47 >>>",
         "Karin Holm", "karin.holm@bolag.se", "2026-12-02T13:47:00"),
    ],
)
def test_groupwise_attribution(line: str, name: str, email: str | None, date: str) -> None:
    parsed = parse_text(f"Stora salen är ledig.\n\n{line}\nÄr stora salen ledig på fredag?\n")
    assert [m.body for m in parsed.chain] == [
        "Är stora salen ledig på fredag?", "Stora salen är ledig."]
    assert (parsed.chain[0].author.name, parsed.chain[0].author.email) == (name, email)
    assert parsed.chain[0].date == date


def test_quoted_lines_starting_with_three_marks_stay_quotes() -> None:
    parsed = parse_text("Ja.\n\n>>> so nested it shows three marks\n>>> and no date >>>\n")
    assert parsed.chain[-1].body == "Ja."
    assert "so nested" in parsed.chain[0].body and parsed.chain[0].author.name is None


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("* Karin Holm <karin.holm@bolag.se> [2026-12-02 13:47 +0100]:",
         "2026-12-02T13:47:00+01:00"),
        ("* Karin Holm <karin.holm@bolag.se> [261202 13:47]:", "2026-12-02T13:47:00"),
        ("Karin Holm <karin.holm@bolag.se> [2026-12-02 13:47]:", "2026-12-02T13:47:00"),
    ],
)
def test_mutt_bracketed_date_attribution(line: str, date: str) -> None:
    parsed = parse_text(f"{line}\n> Är stora salen ledig?\n\nJa, hela dagen.\n")
    assert [m.body for m in parsed.chain] == ["Är stora salen ledig?", "Ja, hela dagen."]
    assert parsed.chain[0].author.email == "karin.holm@bolag.se"
    assert parsed.chain[0].date == date


def test_a_bracketed_note_before_prose_is_no_attribution() -> None:
    parsed = parse_text("Agenda [draft 2026-12-02]:\n- budget\n- lokaler\n")
    assert len(parsed.chain) == 1


@pytest.mark.parametrize(
    "line",
    [
        "On Wednesday, December 2, 2026, 1:47 PM, Karin Holm<karin.holm@bolag.se> wrote:",
        "On Wed, Dec 2, 2026 at 13:47, Karin Holm<karin.holm@bolag.se> wrote:",
        "Den ons 2 dec. 2026 kl. 13:47 skrev Karin Holm<karin.holm@bolag.se>:",
    ],
)
def test_yahoo_android_attribution_run_on_with_the_quote(line: str) -> None:
    raw = _mail(
        "Jag tar fredagen.\n\nSent from Yahoo Mail for iPhone\n \n"
        f"  {line}   Hej,\nVem kan ta fredagen?\nKarin\n  \n"
    )
    parsed = parse_mail(raw)
    assert [(m.author.name, m.author.email) for m in parsed.chain] == [
        ("Karin Holm", "karin.holm@bolag.se"), ("Per Nord", "per.nord@bolag.se")]
    assert parsed.chain[0].date == "2026-12-02T13:47:00"
    assert parsed.chain[0].body.split() == ["Hej,", "Vem", "kan", "ta", "fredagen?", "Karin"]
    assert parsed.chain[1].body == "Jag tar fredagen."


@pytest.mark.parametrize(
    "text",
    [
        "On Monday Bob wrote: the budget is fine.\nLet us meet at 10:00.\n",
        "On 24 Nov 2026 at 9:12 the backup job wrote: disk full.\nI have cleaned it.\n",
    ],
)
def test_prose_with_wrote_and_a_colon_is_no_attribution(text: str) -> None:
    parsed = parse_text(text)
    assert len(parsed.chain) == 1 and parsed.chain[-1].body == text.strip()


def test_the_bat_you_wrote_is_the_recipient() -> None:
    raw = _mail(
        "Hello Karin,\n\nWednesday, December 2, 2026, 1:47:05 PM, you wrote:\n\n"
        "KH> Is the large room free on Friday?\n\nKH> Karin\n\n"
        "Yes, all day.\n\n-- \nBest regards,\n Per\n"
    )
    parsed = parse_mail(raw)
    first, reply = parsed.chain
    assert (first.author.name, first.author.email) == ("Karin Holm", "karin.holm@bolag.se")
    assert first.date == "2026-12-02T13:47:05"
    assert reply.body == "Hello Karin,\n\nYes, all day."


def test_you_wrote_with_several_recipients_names_nobody() -> None:
    raw = _mail(
        "Wednesday, December 2, 2026, 1:47:05 PM, you wrote:\n\n"
        "> Is the large room free on Friday?\n\nYes, all day.\n",
        to="Karin Holm <karin.holm@bolag.se>, Eva Ek <eva.ek@bolag.se>",
    )
    first = parse_mail(raw).chain[0]
    assert (first.author.name, first.author.email) == (None, None)

