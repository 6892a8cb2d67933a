"""General rules behind the sixth round of bare-body cases (tests/data/bodies/r6_*),
each tested with other wording than the case and with a negative case."""

from __future__ import annotations

from mailfeed.parsers.mail import parse_text


def _chain(text: str) -> list[dict]:  # type: ignore[type-arg]
    return [m.to_json() for m in parse_text(text).chain]


def test_czech_and_slovak_attributions() -> None:
    text = ("Díky, podívám se.\n\nDne 3. 2. 2027 v 14:05 Petra Dvořáková napsala:\n\n"
            "> Posílám podklady.\n")
    parsed = parse_text(text)
    assert parsed.new_text.strip() == "Díky, podívám se."
    first = _chain(text)[0]
    assert first["from"]["name"] == "Petra Dvořáková"
    assert first["date"] == "2027-02-03T14:05:00"

    sk = ("Súhlasím.\n\nDňa 5. 3. 2027 o 8:00 Peter Horváth <peter@x.sk> napísal(a):\n\n"
          "> Stretneme sa v piatok?\n")
    first = _chain(sk)[0]
    assert first["from"] == {"name": "Peter Horváth", "email": "peter@x.sk"}


def test_czech_verb_in_prose_is_no_attribution() -> None:
    text = "Jan napsal(a) dopis a poslal ho včera.\nTo je vše.\n"
    parsed = parse_text(text)
    assert len(parsed.chain) == 1
    assert "Jan napsal(a) dopis" in (parsed.new_text or "")


def test_gender_suffix_is_not_the_author() -> None:
    for verb in ("написал(а)", "napisał(a)", "napsal(a)"):
        text = (f"OK.\n\n2 дек. 2026 г., в 18:40, Olga <olga@example.org> {verb}:\n\n"
                "> Текст письма.\n")
        first = _chain(text)[0]
        assert first["from"] == {"name": "Olga", "email": "olga@example.org"}, verb


def test_name_after_verb_still_read() -> None:
    # Swedish-style names after the verb are still the author, not the suffix.
    text = "Ja.\n\nDen 2 dec. 2026 kl. 18:40 skrev Olga Berg <olga@example.org>:\n\n> Hej\n"
    assert _chain(text)[0]["from"] == {"name": "Olga Berg", "email": "olga@example.org"}


def test_marker_with_dash_look_alikes() -> None:
    for dash in ("\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212"):
        rule = dash * 5
        text = (f"Done.\n\n{rule} Original Message {rule}\nOn Monday, December 7, 2026 "
                "10:00 AM, Bo Ek <bo@example.com> wrote:\n\n> Can you check?\n")
        parsed = parse_text(text)
        assert parsed.new_text.strip() == "Done.", repr(dash)
        assert parsed.chain[0].to_json()["from"]["email"] == "bo@example.com"


def test_dashes_in_prose_are_no_marker() -> None:
    text = "The original message \u2010 as I said \u2010 was fine.\nSee you.\n"
    parsed = parse_text(text)
    assert len(parsed.chain) == 1
    assert "original message" in (parsed.new_text or "")


def test_proton_footer_is_trimmed() -> None:
    for footer in ("Sent with ProtonMail Secure Email.", "Sent with Proton Mail secure email."):
        parsed = parse_text(f"Looks good to me.\n\n{footer}\n")
        assert (parsed.new_text or "").strip() == "Looks good to me.", footer


def test_sent_with_in_prose_stays() -> None:
    text = "Sent with care by the whole team, so please read it.\nThanks for the gift.\n"
    parsed = parse_text(text)
    assert "Sent with care" in (parsed.new_text or "")


def test_reply_above_marker_elides_what_follows() -> None:
    for marker in ("--- Reply ABOVE THIS LINE to send a message ---",
                   "##- Please type your reply above this line -##",
                   "Svara ovanför den här raden",
                   "Bitte oberhalb dieser Zeile antworten"):
        text = (f"Works now, thank you.\n\n{marker}\n\nTicket #99 was updated by Kim.\n\n"
                "Kim (Support)\nDec 1, 2026, 10:00\n\nTry restarting the router.\n")
        parsed = parse_text(text)
        assert len(parsed.chain) == 1, marker
        assert (parsed.new_text or "").strip() == "Works now, thank you.", marker
        assert "Try restarting the router." in parsed.chain[-1].trimmed, marker


def test_reply_above_in_prose_stays() -> None:
    text = ("In the template we ask customers to reply above this line, but many of them "
            "write below it anyway.\nShould we change that?\n")
    parsed = parse_text(text)
    assert "reply above this line" in (parsed.new_text or "")
    assert "Should we change that?" in (parsed.new_text or "")


def test_quote_below_reply_above_marker_is_still_a_message() -> None:
    text = ("Yes.\n\n-- Reply above this line --\n\nOn Tue, Dec 1, 2026 at 10:00 AM Kim Lo "
            "<kim@example.com> wrote:\n> Is it fixed?\n")
    parsed = parse_text(text)
    assert [m.to_json()["from"]["email"] for m in parsed.chain] == ["kim@example.com", None]
    assert (parsed.new_text or "").strip() == "Yes."


def test_digest_history_under_a_rule_is_elided() -> None:
    text = ("Count me in.\n\n---\nPrevious Replies\n\nPosted by lena on 12/01/2026\n\n"
            "Who brings the projector?\n\n---\nVisit Message or reply to this email to respond.\n")
    parsed = parse_text(text)
    assert len(parsed.chain) == 1
    assert (parsed.new_text or "").strip() == "Count me in."
    assert "projector" in parsed.chain[-1].trimmed


def test_previous_replies_in_prose_stays() -> None:
    text = "Previous replies\nwere all about the date, so let me ask about the venue.\n"
    parsed = parse_text(text)
    assert "let me ask about the venue" in (parsed.new_text or "")


def test_notification_footers_leave_quoted_bodies() -> None:
    for footer in ("This message was sent by Atlassian Jira\n(v9.12.2#9120002-sha1:abc)",
                   "You are receiving this because you were mentioned.\n"
                   "Reply to this email directly, view it on GitHub",
                   "Unsubscribe from these notifications"):
        quoted = "\n".join("> " + ln for ln in f"Build 12 is red.\n\n{footer}".split("\n"))
        text = ("Looking.\n\nOn Tue, Dec 1, 2026 at 10:00 AM Bot <bot@example.com> wrote:\n\n"
                + quoted + "\n")
        parsed = parse_text(text)
        assert parsed.chain[0].body.strip() == "Build 12 is red.", footer


def test_footer_words_mid_text_stay() -> None:
    text = ("You are receiving this because you asked about the plan.\nStep one: order.\n"
            "Step two: ship.\nStep three: bill.\nStep four: wait.\nStep five: audit.\n"
            "Step six: repeat.\nStep seven: review.\nStep eight: rest.\nStep nine: done.\n")
    parsed = parse_text(text)
    assert "You are receiving this because" in (parsed.new_text or "")
