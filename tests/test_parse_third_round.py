"""General rules behind the third independent round of mail cases (r3_*), with other wording.

Each rule has a positive case in different names and words than the fixture that exposed it,
and a negative case: text that must not trigger it.
"""

from __future__ import annotations

from email.message import EmailMessage

from mailfeed.parsers.mail import parse_mail

_REPLY_HTML = (
    "<html><body><p>Hi Oskar,</p><p>The invoice was sent twice by mistake; pay the first one"
    " and ignore the second, we have cancelled it.</p><p>Kind regards<br>Maja Holm</p>"
    "<div id=\"divRplyFwdMsg\"><b>From:</b> Oskar Nyberg &lt;oskar@kund.example&gt;<br>"
    "<b>Sent:</b> Monday, November 23, 2026 8:15 AM<br><b>To:</b> Billing"
    " &lt;billing@lev.example&gt;<br><b>Subject:</b> Invoice twice</div><br>"
    "<p>Hello,</p><p>We got the same invoice twice this month. Which one should we pay?</p>"
    "</div></body></html>"
)


def _alternative(plain: str, html: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Maja Holm <maja@lev.example>"
    message["To"] = "Oskar Nyberg <oskar@kund.example>"
    message["Subject"] = "RE: Invoice twice"
    message["Date"] = "Mon, 23 Nov 2026 11:30:00 +0100"
    message.set_content(plain)
    message.add_alternative(html, subtype="html")
    return message.as_bytes()


def test_plain_stub_saying_use_html_reads_the_html() -> None:
    for stub in ("Your mail client does not support HTML messages.",
                 "This message is in HTML format. Please use an HTML-capable e-mail program."):
        mail = parse_mail(_alternative(stub, _REPLY_HTML))
        assert mail.html
        assert [m.author.email for m in mail.chain] == ["oskar@kund.example", "maja@lev.example"]
        assert "Which one should we pay?" in mail.chain[0].body


def test_plain_far_shorter_than_quoting_html_reads_the_html() -> None:
    mail = parse_mail(_alternative("See below.", _REPLY_HTML))
    assert mail.html
    assert len(mail.chain) == 2


def test_real_plain_part_is_kept_even_if_it_mentions_html() -> None:
    plain = ("Hi Oskar,\n\nThe HTML version of the newsletter is broken in Outlook, can you "
             "check the template? The plain one is fine.\n\nMaja\n")
    html = "<html><body><p>" + plain.replace("\n\n", "</p><p>") + "</p></body></html>"
    mail = parse_mail(_alternative(plain, html))
    assert not mail.html
    assert "HTML version of the newsletter" in mail.chain[-1].body
    # The same length on both sides, and a quoting HTML: the plain part is the mail.
    plain_reply = "Pay the first one, we cancelled the second.\n\nMaja\n"
    html_reply = ("<p>Pay the first one, we cancelled the second.</p><p>Maja</p>"
                  "<blockquote>x</blockquote>")
    assert not parse_mail(_alternative(plain_reply, html_reply)).html


def test_closing_with_a_nickname_is_a_sign_off() -> None:
    from mailfeed.parsers.signatures import strip_signature

    cases = [
        ("Hej Olle,\n\nkan du skicka protokollet?\n\nTack,\nKalle", "Karl Lund", "Tack,\nKalle"),
        ("Hi all,\n\nthe build is green again.\n\nThanks,\nBob", "Robert Hale", "Thanks,\nBob"),
        ("Hej,\n\nmötet flyttas till tisdag.\n\nHälsningar\nMicke", "Mikael Sjö",
         "Hälsningar\nMicke"),
        ("Cześć,\n\nsala jest zarezerwowana.\n\nDzięki!\nGosia", "Małgorzata Wiśniewska",
         "Dzięki!\nGosia"),
    ]
    for body, author, removed in cases:
        own, cut = strip_signature(body, author)
        assert cut == removed, body
        assert own == body[: -len(removed)].rstrip()


def test_answer_after_a_closing_word_is_not_a_sign_off() -> None:
    from mailfeed.parsers.signatures import strip_signature

    for body in ("Hej,\n\nTack!\n\nNej.", "Hej,\n\nTack!\n\nJa.",
                 "Hi Bob,\n\nThanks!\nI'll be there at five.",
                 "Hej,\n\nTack,\nkommer du också?"):
        assert strip_signature(body, "Karl Lund") == (body, ""), body


def test_one_line_pipe_signature_goes_with_the_sign_off() -> None:
    from mailfeed.parsers.signatures import strip_signature

    for row in ("Sara Lind | Ekonomichef | Byggbolaget AB | 08-555 123 45",
                "Tom Green • Head of Sales • Northwind Inc • tom.green@northwind.example",
                "Jan Kowalski | Kierownik projektu | Tel: +48 22 555 12 34"):
        body = f"Hi,\n\nthe delivery is confirmed for Friday.\n\nBest,\nSara\n\n{row}"
        own, removed = strip_signature(body, "Sara Lind")
        assert own == "Hi,\n\nthe delivery is confirmed for Friday.", row
        assert row in removed


def test_a_table_row_with_pipes_is_not_a_signature() -> None:
    from mailfeed.parsers.signatures import strip_signature

    for row in ("Revenue | 1 200 000 | 1 350 000 | +12%", "Option A | Option B | Option C",
                "Room | Monday | Tuesday | Wednesday"):
        body = f"Hi,\n\nhere are the numbers:\n\n{row}"
        assert strip_signature(body, "Sara Lind") == (body, ""), row


def test_notes_header_block_flattened_onto_one_line_is_a_boundary() -> None:
    from mailfeed.parsers.mail import parse_text

    text = (
        "Ola,\n\nthe keys are with the caretaker.\n\nSara\n\n"
        "From: Ola Ås/Bolag@Bolag To: Sara Ek/Bolag@Bolag, Cc: Per Holm/Bolag@Bolag "
        "Date: 2026-03-02 14:10 Subject: Keys to the archive\n\n"
        "Sara,\n\nwho has the keys to the archive?\n\nOla\n"
    )
    mail = parse_text(text)
    assert len(mail.chain) == 2
    earlier = mail.chain[0]
    assert earlier.author.name == "Ola Ås"
    assert earlier.date == "2026-03-02T14:10:00"
    assert earlier.subject == "Keys to the archive"
    assert earlier.body.startswith("Sara,\n\nwho has the keys to the archive?")
    assert mail.chain[1].body.startswith("Ola,\n\nthe keys are with the caretaker.")


def test_prose_starting_with_from_is_not_a_flattened_header_block() -> None:
    from mailfeed.parsers.quotes import unflatten_header_lines

    for line in ("From: my side it is fine, to: be honest. Date: tomorrow Subject: none",
                 "From: Sara To: Ola, the date: is not set yet Subject: later",
                 "From: Ola Ås To: Sara Ek Subject: Keys"):
        assert unflatten_header_lines([line]) == [line], line
