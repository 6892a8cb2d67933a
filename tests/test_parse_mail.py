"""Anna's and Johan's mails as the gateway sees them: parse_mail and parse_text stories."""

from __future__ import annotations

from mailfeed.parsers.mail import parse_mail, parse_text
from mailfeed.parsers.marks import Work

OUTLOOK_SV = """\
From: Johan Ek <johan@firma.se>
To: Anna Berg <anna@firma.se>
Cc: feed@firma.se
Subject: SV: Var finns nycklarna till förrådet?
Date: Tue, 24 Nov 2026 10:05:00 +0100
Message-ID: <abc123@firma.se>
In-Reply-To: <q1@firma.se>
References: <q1@firma.se>
Content-Type: text/plain; charset=utf-8

De hänger i receptionen, fråga Lisa.

Med vänliga hälsningar
Johan Ek
Fastighetsansvarig
070-123 45 67

Från: Anna Berg
Skickat: den 24 november 2026 09:12
Till: Johan Ek <johan@firma.se>
Ämne: Var finns nycklarna till förrådet?

Hej Johan,

Vet du var nycklarna till förrådet finns?

Skickat från min iPhone
""".encode()

GMAIL_EN = """\
Thanks, that works!

On Mon, Nov 23, 2026 at 4:05 PM Anna Berg <anna@firma.se>
wrote:

> Does anyone know who owns the printer on floor 3?
>
> --
> Anna
"""


def test_johan_answers_annas_question_in_outlook() -> None:
    mail = parse_mail(OUTLOOK_SV)
    assert mail.subject == "Var finns nycklarna till förrådet?"
    assert mail.message_id == "abc123@firma.se"
    assert mail.in_reply_to == "q1@firma.se"
    assert [m.author.email for m in mail.chain] == ["anna@firma.se", "johan@firma.se"]
    question, answer = mail.chain
    assert question.date == "2026-11-24T09:12:00"
    assert question.body == "Hej Johan,\n\nVet du var nycklarna till förrådet finns?"
    assert "iPhone" in question.trimmed
    assert answer.body == "De hänger i receptionen, fråga Lisa."
    assert answer.date == "2026-11-24T10:05:00+01:00"
    assert mail.new_text == answer.body
    assert mail.participants == ("johan@firma.se", "anna@firma.se", "feed@firma.se")
    assert mail.is_question and not mail.is_forward
    assert mail.language == "sv"


def test_gmail_reply_with_wrapped_attribution() -> None:
    mail = parse_text(GMAIL_EN)
    assert mail.new_text == "Thanks, that works!"
    first = mail.chain[0]
    assert first.author.email == "anna@firma.se"
    assert first.body == "Does anyone know who owns the printer on floor 3?"
    assert first.date == "2026-11-23T16:05:00"


def test_forward_note_is_not_a_chain_message() -> None:
    text = (
        "Kan någon svara på detta?\n\n"
        "---------- Vidarebefordrat meddelande ---------\n"
        "Från: Anna Berg <anna@firma.se>\n"
        "Date: tis 24 nov. 2026 kl. 09:12\n"
        "Subject: Nycklar\n"
        "To: Johan Ek <johan@firma.se>\n\n"
        "Var finns nycklarna?\n"
    )
    mail = parse_text(text)
    assert mail.is_forward
    assert mail.note == mail.new_text == "Kan någon svara på detta?"
    assert [m.author.email for m in mail.chain] == ["anna@firma.se"]
    assert mail.chain[0].body == "Var finns nycklarna?"


def test_garbage_never_raises_and_costs_linear_work() -> None:
    for raw in (b"", b"\xff\xfe\x00garbage", b"Content-Type: multipart/mixed; boundary=x\n\n--x\n"):
        parse_mail(raw)
    # Counted, not timed: 400,000 quoted lines (10 MB) cost ten times 40,000, and each
    # line is classified about once per level of the chain, not once per scan.
    small, big = Work(), Work()
    parse_mail(OUTLOOK_SV + b"> quoted line that goes on\n" * 40_000, small)
    mail = parse_mail(OUTLOOK_SV + b"> quoted line that goes on\n" * 400_000, big)
    assert mail.chain
    assert big.lines <= 12 * small.lines and big.carried <= 12 * small.carried
    assert big.lines <= 5 * 400_000, big  # two levels, the signature pass, the header


def test_signatures_go_but_sentences_and_postscripts_stay() -> None:
    from mailfeed.parsers.signatures import strip_signature

    kept, removed = strip_signature(
        "Hej,\n\nNyckeln finns i receptionen.\n\nMed vänliga hälsningar\nAnna Berg\n"
        "Facility Manager\n070-123 45 67",
        "Anna Berg",
    )
    assert kept == "Hej,\n\nNyckeln finns i receptionen."
    assert removed.startswith("Med vänliga hälsningar")
    sentence = "Hej,\n\nNyckeln finns.\n\nAnna will send the key tomorrow."
    assert strip_signature(sentence, "Anna Berg")[0] == sentence
    postscript = "Hej,\n\nNyckeln finns.\n\nHälsningar,\nAnna\n\nPS. Mötet flyttas till 15."
    assert strip_signature(postscript, "Anna Berg")[0] == postscript
    prose = "Here is another email\n\nSent from my desk, is much easier then my mobile phone."
    assert strip_signature(prose)[0] == prose
    assert strip_signature("Tack!\n\nSkickat från min iPhone")[0] == "Tack!"


OUTLOOK_HTML_SV = """<html><body lang=SV><div class=WordSection1>
<p class=MsoNormal>Hej Anna,<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p>
<p class=MsoNormal>Nycklarna finns i receptionen.<o:p></o:p></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>Med vänliga hälsningar<o:p></o:p></p>
<p class=MsoNormal>Johan Ek<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p>
<div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'>
<p class=MsoNormal><b>Från:</b> Anna Berg &lt;anna@firma.se&gt; <br><b>Skickat:</b> den 24
november 2026 09:12<br><b>Till:</b> Johan Ek &lt;johan@firma.se&gt;<br><b>Ämne:</b> Nycklar
<o:p></o:p></p></div><p class=MsoNormal><o:p>&nbsp;</o:p></p>
<p class=MsoNormal>Hej Johan,<o:p></o:p></p><p class=MsoNormal>Var finns nycklarna?<o:p></o:p></p>
<p class=MsoNormal>/Anna<o:p></o:p></p></div></body></html>"""


def test_html_only_outlook_chain() -> None:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "Johan Ek <johan@firma.se>"
    message["To"] = "Anna Berg <anna@firma.se>"
    message["Subject"] = "SV: Nycklar"
    message["Date"] = "Tue, 24 Nov 2026 10:00:00 +0100"
    message.set_content(OUTLOOK_HTML_SV, subtype="html")
    mail = parse_mail(message.as_bytes())
    assert mail.html
    assert [(m.author.email, m.body) for m in mail.chain] == [
        ("anna@firma.se", "Hej Johan,\n\nVar finns nycklarna?"),
        ("johan@firma.se", "Hej Anna,\n\nNycklarna finns i receptionen."),
    ]
    assert mail.chain[0].date == "2026-11-24T09:12:00"


def test_prose_that_mentions_writing_is_not_an_attribution() -> None:
    for text in (
        "Hej,\n\nIn 2019 I wrote:\n\nThe budget is fine.\n",
        "Hej,\n\nHere is what I wrote in 2019:\nThe budget is fine.\n",
        "From: my side it's fine.\nSubject: to approval.\n",
    ):
        mail = parse_text(text)
        assert len(mail.chain) == 1
        assert mail.new_text == text.strip()


def test_forward_attached_as_base64_encoded_rfc822() -> None:
    import base64

    inner = (
        b"From: Anna Berg <anna@firma.se>\nSubject: Nycklar\n"
        b"Date: Tue, 24 Nov 2026 09:12:00 +0100\nMessage-ID: <inner@firma.se>\n\n"
        b"Var finns nycklarna?\n"
    )
    raw = (
        b"From: Johan <johan@firma.se>\nSubject: VB: Nycklar\nMIME-Version: 1.0\n"
        b"Content-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: text/plain\n\n"
        b"Se nedan.\n\n--XX\nContent-Type: message/rfc822\n"
        b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(inner) + b"\n--XX--\n"
    )
    mail = parse_mail(raw)
    assert mail.is_forward and mail.note == "Se nedan."
    (forwarded,) = mail.chain
    assert (forwarded.author.email, forwarded.body, forwarded.message_id) == (
        "anna@firma.se",
        "Var finns nycklarna?",
        "inner@firma.se",
    )
