"""One message's own words (parsers/signatures.py): sign-offs, signatures, footers,
helpdesk markers and banners."""

from __future__ import annotations

import pytest

from mailfeed.parsers.mail import parse_mail, parse_text
from mailfeed.parsers.signatures import strip_signature


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        (
            "Документы во вложении.\n\nС наилучшими пожеланиями,\nДмитрий Орлов\nЮрист",
            "Документы во вложении.",
        ),
        (
            "Надсилаю рахунок.\n\nЗ повагою,\nОксана Шевченко\nМенеджер з продажу",
            "Надсилаю рахунок.",
        ),
        (
            "Segue o contrato em anexo.\n\nAtenciosamente,\nJoão Pereira\nAnalista financeiro",
            "Segue o contrato em anexo.",
        ),
    ],
)
def test_foreign_closing_starts_a_signature(body: str, kept: str) -> None:
    mail = parse_text(body + "\n")
    assert mail.new_text == kept


def test_foreign_closing_followed_by_a_sentence_is_kept() -> None:
    # negative: after "Спасибо!" comes a sentence of the message, not a name or title
    body = "Получил отчёт.\n\nСпасибо!\nЗавтра пришлю замечания по второму разделу.\n"
    mail = parse_text(body)
    assert mail.new_text == body.strip()


def test_proton_footer_is_trimmed() -> None:
    for footer in ("Sent with ProtonMail Secure Email.", "Sent with Proton Mail secure email."):
        parsed = parse_text(f"Looks good to me.\n\n{footer}\n")
        assert (parsed.new_text or "").strip() == "Looks good to me.", footer


def test_sent_with_in_prose_stays() -> None:
    text = "Sent with care by the whole team, so please read it.\nThanks for the gift.\n"
    parsed = parse_text(text)
    assert "Sent with care" in (parsed.new_text or "")


def test_reply_above_marker_elides_what_follows() -> None:
    for marker in (
        "--- Reply ABOVE THIS LINE to send a message ---",
        "##- Please type your reply above this line -##",
        "Svara ovanför den här raden",
        "Bitte oberhalb dieser Zeile antworten",
    ):
        text = (
            f"Works now, thank you.\n\n{marker}\n\nTicket #99 was updated by Kim.\n\n"
            "Kim (Support)\nDec 1, 2026, 10:00\n\nTry restarting the router.\n"
        )
        parsed = parse_text(text)
        assert len(parsed.chain) == 1, marker
        assert (parsed.new_text or "").strip() == "Works now, thank you.", marker
        assert "Try restarting the router." in parsed.chain[-1].trimmed, marker


def test_reply_above_in_prose_stays() -> None:
    text = (
        "In the template we ask customers to reply above this line, but many of them "
        "write below it anyway.\nShould we change that?\n"
    )
    parsed = parse_text(text)
    assert "reply above this line" in (parsed.new_text or "")
    assert "Should we change that?" in (parsed.new_text or "")


def test_quote_below_reply_above_marker_is_still_a_message() -> None:
    text = (
        "Yes.\n\n-- Reply above this line --\n\nOn Tue, Dec 1, 2026 at 10:00 AM Kim Lo "
        "<kim@example.com> wrote:\n> Is it fixed?\n"
    )
    parsed = parse_text(text)
    assert [m.to_json()["from"]["email"] for m in parsed.chain] == ["kim@example.com", None]
    assert (parsed.new_text or "").strip() == "Yes."


def test_digest_history_under_a_rule_is_elided() -> None:
    text = (
        "Count me in.\n\n---\nPrevious Replies\n\nPosted by lena on 12/01/2026\n\n"
        "Who brings the projector?\n\n---\nVisit Message or reply to this email to respond.\n"
    )
    parsed = parse_text(text)
    assert len(parsed.chain) == 1
    assert (parsed.new_text or "").strip() == "Count me in."
    assert "projector" in parsed.chain[-1].trimmed


def test_previous_replies_in_prose_stays() -> None:
    text = "Previous replies\nwere all about the date, so let me ask about the venue.\n"
    parsed = parse_text(text)
    assert "let me ask about the venue" in (parsed.new_text or "")


def test_notification_footers_leave_quoted_bodies() -> None:
    for footer in (
        "This message was sent by Atlassian Jira\n(v9.12.2#9120002-sha1:abc)",
        "You are receiving this because you were mentioned.\n"
        "Reply to this email directly, view it on GitHub",
        "Unsubscribe from these notifications",
    ):
        quoted = "\n".join("> " + ln for ln in f"Build 12 is red.\n\n{footer}".split("\n"))
        text = (
            "Looking.\n\nOn Tue, Dec 1, 2026 at 10:00 AM Bot <bot@example.com> wrote:\n\n"
            + quoted
            + "\n"
        )
        parsed = parse_text(text)
        assert parsed.chain[0].body.strip() == "Build 12 is red.", footer


def test_footer_words_mid_text_stay() -> None:
    text = (
        "You are receiving this because you asked about the plan.\nStep one: order.\n"
        "Step two: ship.\nStep three: bill.\nStep four: wait.\nStep five: audit.\n"
        "Step six: repeat.\nStep seven: review.\nStep eight: rest.\nStep nine: done.\n"
    )
    parsed = parse_text(text)
    assert "You are receiving this because" in (parsed.new_text or "")


def test_closing_with_a_nickname_is_a_sign_off() -> None:
    from mailfeed.parsers.signatures import strip_signature

    cases = [
        ("Hej Olle,\n\nkan du skicka protokollet?\n\nTack,\nKalle", "Karl Lund", "Tack,\nKalle"),
        ("Hi all,\n\nthe build is green again.\n\nThanks,\nBob", "Robert Hale", "Thanks,\nBob"),
        (
            "Hej,\n\nmötet flyttas till tisdag.\n\nHälsningar\nMicke",
            "Mikael Sjö",
            "Hälsningar\nMicke",
        ),
        (
            "Cześć,\n\nsala jest zarezerwowana.\n\nDzięki!\nGosia",
            "Małgorzata Wiśniewska",
            "Dzięki!\nGosia",
        ),
    ]
    for body, author, removed in cases:
        own, cut = strip_signature(body, author)
        assert cut == removed, body
        assert own == body[: -len(removed)].rstrip()


def test_answer_after_a_closing_word_is_not_a_sign_off() -> None:
    from mailfeed.parsers.signatures import strip_signature

    for body in (
        "Hej,\n\nTack!\n\nNej.",
        "Hej,\n\nTack!\n\nJa.",
        "Hi Bob,\n\nThanks!\nI'll be there at five.",
        "Hej,\n\nTack,\nkommer du också?",
    ):
        assert strip_signature(body, "Karl Lund") == (body, ""), body


def test_one_line_pipe_signature_goes_with_the_sign_off() -> None:
    from mailfeed.parsers.signatures import strip_signature

    for row in (
        "Sara Lind | Ekonomichef | Byggbolaget AB | 08-555 123 45",
        "Tom Green • Head of Sales • Northwind Inc • tom.green@northwind.example",
        "Jan Kowalski | Kierownik projektu | Tel: +48 22 555 12 34",
    ):
        body = f"Hi,\n\nthe delivery is confirmed for Friday.\n\nBest,\nSara\n\n{row}"
        own, removed = strip_signature(body, "Sara Lind")
        assert own == "Hi,\n\nthe delivery is confirmed for Friday.", row
        assert row in removed


def test_a_table_row_with_pipes_is_not_a_signature() -> None:
    from mailfeed.parsers.signatures import strip_signature

    for row in (
        "Revenue | 1 200 000 | 1 350 000 | +12%",
        "Option A | Option B | Option C",
        "Room | Monday | Tuesday | Wednesday",
    ):
        body = f"Hi,\n\nhere are the numbers:\n\n{row}"
        assert strip_signature(body, "Sara Lind") == (body, ""), row


@pytest.mark.parametrize(
    "disclaimer",
    [
        "Detta meddelande kan innehålla sekretessbelagd information och är bara avsett "
        "för adressaten.",
        "This message may contain confidential information intended only for the addressee.",
    ],
)
def test_html_newsletter_footer_table_and_disclaimer_go(disclaimer: str) -> None:
    html = (
        "<html><body><table><tr><td><p>Hej alla,</p><p>Kontoret är stängt den 8 december."
        "</p><p>Hälsningar<br>Kansliet</p></td></tr><tr><td><table><tr>"
        "<td>Bolaget AB<br>Storgatan 1, 111 22 Stad</td>"
        "<td>Tel 08-123 456 78<br><a href='mailto:kansli@bolag.se'>kansli@bolag.se</a></td>"
        f"</tr></table><p>{disclaimer}</p></td></tr></table></body></html>"
    )
    raw = (
        "From: Kansliet <kansli@bolag.se>\nTo: alla@bolag.se\nSubject: Stängt\n"
        "Date: Wed, 02 Dec 2026 08:00:00 +0100\nMIME-Version: 1.0\n"
        "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + html
    ).encode()
    body = parse_mail(raw).chain[-1].body
    assert body.split() == "Hej alla, Kontoret är stängt den 8 december.".split()


# When the writer is unknown (a bare body), a sign-off is read by its shape, whatever the
# language: a name line under at most one short closing line.
@pytest.mark.parametrize(
    ("body", "kept"),
    [
        ("Kommer på fredag.\n\nHilsen,\nMaija", "Kommer på fredag."),
        ("Le colis est parti.\n\nBien à toi\nÉlodie Marchand\nLogistique", "Le colis est parti."),
        ("Платёж ушёл вчера.\n\nСергей Иванов", "Платёж ушёл вчера."),
        ("样品今天寄出。\n\n谢谢！\n王芳", "样品今天寄出。"),
        # a lone word may be an answer, and a question is no closing line
        ("Shall we meet?\n\nGladly", "Shall we meet?\n\nGladly"),
        ("Room 4 is free.\n\nCan you?\nMaija", "Room 4 is free.\n\nCan you?\nMaija"),
        ("Room 4 is free.\n\nthe key is at the desk", "Room 4 is free.\n\nthe key is at the desk"),
    ],
)
def test_sign_off_of_an_unknown_writer_by_shape(body: str, kept: str) -> None:
    assert strip_signature(body, None)[0] == kept


# A closing line we may not know, over the author's name and a few short rows of title,
# company or phone, is a sign-off in any language.
@pytest.mark.parametrize(
    ("body", "author", "kept"),
    [
        (
            "Zaplatila jsem.\n\nS úctou,\nJana Malá\nÚčtárna | Firma s.r.o.\n+420 555 123",
            "Jana Malá",
            "Zaplatila jsem.",
        ),
        ("Done.\n\nNa shledanou,\nJana Malá\nSee you at 5?", "Jana Malá", None),
        # unknown writer: a name over rows with a phone, without a closing line
        ("Klart.\n\nJana Malá\nEkonomi\ntel. +46 8 555 01", None, "Klart."),
        # unknown writer: a name over two rows of prose stays
        ("Klart.\n\nJana Malá\nkommer imorgon\noch tar nyckeln", None, None),
        # a closing line left last, its name already cut
        ("Onaylandı.\n\nSaygılarımla,", "Gül Ak", "Onaylandı."),
    ],
)
def test_closing_over_a_name_and_title_rows(
    body: str, author: str | None, kept: str | None
) -> None:
    assert strip_signature(body, author)[0] == (body if kept is None else kept)


def test_a_cjk_sentence_with_dates_is_no_name_line() -> None:
    body = "社員各位\n\n3月5日（木）に大掃除を行います。\n準備をお願いします。\n\n総務部"
    assert strip_signature(body, "総務部")[0].endswith("準備をお願いします。")


# A mobile footer in a language no table lists, by its shape: one short last line naming
# a device.  A question or an exclamation about a device is the writer's.
@pytest.mark.parametrize(
    ("body", "kept"),
    [
        ("Kommer klockan sju.\n\n\nEnviat des del meu iPhone", "Kommer klockan sju."),
        ("Kommer klockan sju.\n\nGalaxy-älypuhelimesta lähetetty.", "Kommer klockan sju."),
        ("Kommer klockan sju.\n\nHar du sett min iPad?", None),
        ("Kommer klockan sju.\n\nGlömde min iPhone hemma!", None),
    ],
)
def test_device_footer_by_shape(body: str, kept: str | None) -> None:
    assert strip_signature(body, "Anna Berg")[0] == (body if kept is None else kept)


def test_cjk_given_name_and_humble_word_sign_off() -> None:
    assert (
        strip_signature("會議室已經預約好了。\n\n謝謝\n怡君", "陳怡君")[0] == "會議室已經預約好了。"
    )
    body = "會議室已經預約好了。\n\n陳怡君 敬上\n行政部"
    assert strip_signature(body, "陳怡君")[0] == "會議室已經預約好了。"


def test_organisation_signing_with_a_word_of_its_name() -> None:
    body = "Fönstren tvättas på lördag.\n\nFörvaltningen «Linden»"
    assert strip_signature(body, "Fastighets AB «Linden»")[0] == "Fönstren tvättas på lördag."
    prose = "Fönstren tvättas på lördag.\n\nlinden blommar"
    assert strip_signature(prose, "Fastighets AB «Linden»")[0] == prose
