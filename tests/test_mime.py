"""The MIME layer (parsers/mime.py): charsets, encoded words, format=flowed, PGP
armour, HTML against plain parts, mbox escapes."""

from __future__ import annotations

import email
from email.message import EmailMessage

import pytest

from mailfeed.parsers.mail import parse_mail
from mailfeed.parsers.mime import (
    decode_bytes,
    decode_header_value,
    decode_words,
    read_mime,
    unflow,
    unwrap_inline_pgp,
)


def _mime_mail(
    body: bytes,
    content_type: str = "text/plain; charset=utf-8",
    cte: str = "8bit",
    subject: bytes = b"Test",
) -> bytes:
    return (
        b"From: Pia Holm <pia@example.org>\r\nTo: Ola <ola@example.org>\r\n"
        b"Subject: " + subject + b"\r\nDate: Mon, 2 Mar 2026 10:00:00 +0100\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: " + content_type.encode() + b"\r\n"
        b"Content-Transfer-Encoding: " + cte.encode() + b"\r\n\r\n" + body
    )


_SIGNATURE_BLOCK = (
    b"-----BEGIN PGP SIGNATURE-----\r\n\r\niQEzBAEBCAAdFiEEabc123==\r\n=XyZ9\r\n"
    b"-----END PGP SIGNATURE-----\r\n"
)


_ESCAPED = b"Ses i morgon.\r\n>From nu g\xc3\xa4ller nya tider.\r\n>>From mboxrd.\r\n"


_REPLY_HTML = (
    "<html><body><p>Hi Oskar,</p><p>The invoice was sent twice by mistake; pay the first one"
    " and ignore the second, we have cancelled it.</p><p>Kind regards<br>Maja Holm</p>"
    '<div id="divRplyFwdMsg"><b>From:</b> Oskar Nyberg &lt;oskar@kund.example&gt;<br>'
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


HEADERS = (
    'From: "Jörg Ølstad" <jorg@bolag.no>\r\n'
    "To: =?utf-8?q?=C3=85sa_Lind?= <asa@bolag.se>, Zoë Ström <zoe@bolag.se>\r\n"
    "Subject: SV: Möte om =?utf-8?q?v=C3=A5rbudget?= – 2027 ✓\r\n"
    "Date: Wed, 02 Dec 2026 08:00:00 +0100\r\n"
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n\r\nHej, går det bra på fredag?\r\n"
)


def test_latin1_label_is_read_as_windows_1252() -> None:
    assert (
        decode_bytes(b"It\x92s \x93done\x94 \x96 \x8020", "ISO-8859-1")
        == "It\u2019s \u201cdone\u201d \u2013 \u20ac20"
    )
    assert decode_bytes(b"caf\xe9", "latin1") == "café"


def test_us_ascii_label_on_8bit_bytes_tries_utf8_then_cp1252() -> None:
    assert decode_bytes("blåbär".encode(), "us-ascii") == "blåbär"
    assert decode_bytes("blåbär".encode("latin-1"), "us-ascii") == "blåbär"
    assert decode_bytes("smörgås".encode("latin-1"), None) == "smörgås"


def test_label_failing_strictly_falls_back_to_cp1252() -> None:
    # bytes that are not valid Shift_JIS nor UTF-8
    assert decode_bytes(b"gr\xf6n \xe4pple", "shift_jis") == "grön äpple"


def test_correct_labels_still_win() -> None:
    assert decode_bytes("日本語".encode("shift_jis"), "shift_jis") == "日本語"
    assert decode_bytes("日本語".encode("euc_jp"), "euc-jp") == "日本語"
    assert decode_bytes("中文".encode("big5"), "big5") == "中文"
    assert decode_bytes("Привет".encode("koi8-r"), "koi8-r") == "Привет"
    # plain ASCII under any label is just ASCII
    assert decode_bytes(b"hello", "utf-16") == "hello"


def test_iso_2022_jp_in_body_and_header() -> None:
    body = "お疲れ様です。\r\n".encode("iso2022_jp")
    word = b"=?ISO-2022-JP?B?" + __import__("base64").b64encode("会議".encode("iso2022_jp")) + b"?="
    parsed = parse_mail(_mime_mail(body, "text/plain; charset=iso-2022-jp", "7bit", word))
    assert parsed.subject == "会議"
    assert parsed.chain[-1].body.strip() == "お疲れ様です。"
    # negative: ASCII text that merely contains "$B" under that label stays as it is
    assert decode_bytes(b"price $B", "iso-2022-jp") == "price $B"


def test_nul_bytes_are_dropped() -> None:
    parsed = parse_mail(_mime_mail(b"Klart.\x00\r\nMvh Pia\r\n"))
    assert "\x00" not in parsed.chain[-1].body
    assert parsed.chain[-1].body.startswith("Klart.")
    assert decode_bytes(b"a\x00b", "utf-8") == "ab"


def test_header_words_in_other_charsets() -> None:
    assert decode_header_value("=?iso-8859-1?q?=93Hej=94?=") == "\u201cHej\u201d"


def test_multibyte_character_split_across_two_words() -> None:
    import base64

    raw = "Möte på fredag".encode()
    cut = raw.index("ö".encode()) + 1  # inside the two bytes of ö
    first, second = base64.b64encode(raw[:cut]).decode(), base64.b64encode(raw[cut:]).decode()
    value = f"=?UTF-8?B?{first}?=\r\n =?utf-8?B?{second}?="
    assert decode_header_value(value) == "Möte på fredag"
    # Q-encoding, split inside "å", with a plain word after
    assert decode_words("=?utf-8?Q?p=C3?= =?utf-8?Q?=A5?= fredag") == "på fredag"


def test_words_in_different_charsets_are_not_joined() -> None:
    assert decode_words("=?iso-8859-1?Q?=E5?= =?utf-8?Q?=C3=A4?=") == "åä"
    # plain text between words keeps its spaces and separates the words
    assert decode_words("=?utf-8?Q?a?= och =?utf-8?Q?b?=") == "a och b"


def test_flowed_soft_breaks_are_joined_and_delsp_drops_the_space() -> None:
    body = (
        b"Tack f\xc3\xb6r  \r\nm\xc3\xb6tet, se l\xc3\xa4nken https://ex.org/a?b \r\n=c.\r\n"
        b"\r\nDen m\xc3\xa5n 2 mars 2026 kl 09:00 skrev Ola <ola@example.org>:\r\n"
        b"> Kan du  \r\n> kolla?\r\n"
    )
    parsed = parse_mail(_mime_mail(body, "text/plain; charset=utf-8; format=flowed; DelSp=Yes"))
    assert parsed.chain[-1].body.strip() == "Tack för mötet, se länken https://ex.org/a?b=c."
    assert parsed.chain[0].body.strip() == "Kan du kolla?"


def test_flowed_without_delsp_keeps_the_space_and_depth_changes_end_a_paragraph() -> None:
    assert (
        unflow("one \ntwo\n> three \n> four\n>> five \nsix")
        == "one two\n> three four\n> > five\nsix"
    )
    assert unflow("-- \nPia") == "-- \nPia"  # the signature separator is never flowed


def test_lines_ending_in_space_without_format_flowed_are_kept() -> None:
    parsed = parse_mail(_mime_mail(b"rad ett \r\nrad tv\xc3\xa5\r\n"))
    assert [line.rstrip() for line in parsed.chain[-1].body.splitlines()] == ["rad ett", "rad två"]


def test_inline_pgp_armour_dropped_and_dash_escaping_undone() -> None:
    body = (
        b"-----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA512\r\n\r\nHej Ola,\r\n\r\n"
        b"- - punkt ett\r\nDet blir torsdag.\r\n\r\n"
        b"- -- \r\nPia Holm\r\n+46 70 000 00 00\r\n\r\n"
        b"On Mon, Mar 2, 2026 at 9:00 AM Ola <ola@example.org> wrote:\r\n"
        b"> Vilken dag?\r\n" + _SIGNATURE_BLOCK
    )
    parsed = parse_mail(_mime_mail(body))
    assert [m.author.name for m in parsed.chain] == ["Ola", "Pia Holm"]
    assert parsed.chain[0].body.strip() == "Vilken dag?"
    assert parsed.chain[-1].body.strip() == "Hej Ola,\n\n- punkt ett\nDet blir torsdag."
    assert "PGP" not in parsed.chain[-1].body


def test_text_that_only_mentions_pgp_is_untouched() -> None:
    text = (
        "Paste the line -----BEGIN PGP SIGNED MESSAGE----- in the form.\n"
        "- first item\n- second item\n"
    )
    assert unwrap_inline_pgp(text) == text
    # an armour header without its signature block (truncated mail) is left alone too
    truncated = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n- -- \nhej\n"
    assert unwrap_inline_pgp(truncated) == truncated


def test_base64_body_under_8bit_label_is_decoded() -> None:
    import base64

    text = "Hej Ola,\r\n\r\nRummet är bokat på torsdag klockan tio.\r\n"
    encoded = base64.encodebytes(text.encode()).replace(b"\n", b"\r\n")
    parsed = parse_mail(_mime_mail(encoded, cte="7bit"))
    assert parsed.chain[-1].body.strip() == "Hej Ola,\n\nRummet är bokat på torsdag klockan tio."


def test_ordinary_text_that_looks_like_base64_is_untouched() -> None:
    for body in (
        b"Tack\r\n",
        b"OK\r\n",
        b"Supercalifragilisticexpialidocious1\r\n",
        b"AbCdEfGhIjKlMnOpQrStUvWx\r\n",
        b"Hej Ola, ses p\xc3\xa5 torsdag.\r\n",
    ):
        parsed = parse_mail(_mime_mail(body))
        assert parsed.chain[-1].body.strip() == body.decode().strip()
    # a declared base64 body is the MIME library's business, not this rule's
    decoded = parse_mail(_mime_mail(b"SGVqIGTDpSBkdQ==\r\n", cte="base64"))
    assert decoded.chain[-1].body == "Hej då du"


def test_mbox_from_escape_is_undone_after_an_envelope_line() -> None:
    raw = b"From pia@example.org Mon Mar  2 10:00:00 2026\r\n" + _mime_mail(_ESCAPED)
    body = parse_mail(raw).chain[-1].body
    assert "From nu gäller nya tider." in body.splitlines()
    # mboxrd: one level removed per read, so ">>From" comes back as ">From"
    assert ">From mboxrd." in read_mime(raw).text.splitlines()


def test_from_escape_without_envelope_line_is_left_alone() -> None:
    body = parse_mail(_mime_mail(_ESCAPED)).chain[-1].body
    assert "From nu gäller nya tider." not in body.splitlines()


def test_plain_stub_saying_use_html_reads_the_html() -> None:
    for stub in (
        "Your mail client does not support HTML messages.",
        "This message is in HTML format. Please use an HTML-capable e-mail program.",
    ):
        mail = parse_mail(_alternative(stub, _REPLY_HTML))
        assert mail.html
        assert [m.author.email for m in mail.chain] == ["oskar@kund.example", "maja@lev.example"]
        assert "Which one should we pay?" in mail.chain[0].body


def test_plain_far_shorter_than_quoting_html_reads_the_html() -> None:
    mail = parse_mail(_alternative("See below.", _REPLY_HTML))
    assert mail.html
    assert len(mail.chain) == 2


def test_real_plain_part_is_kept_even_if_it_mentions_html() -> None:
    plain = (
        "Hi Oskar,\n\nThe HTML version of the newsletter is broken in Outlook, can you "
        "check the template? The plain one is fine.\n\nMaja\n"
    )
    html = "<html><body><p>" + plain.replace("\n\n", "</p><p>") + "</p></body></html>"
    mail = parse_mail(_alternative(plain, html))
    assert not mail.html
    assert "HTML version of the newsletter" in mail.chain[-1].body
    # The same length on both sides, and a quoting HTML: the plain part is the mail.
    plain_reply = "Pay the first one, we cancelled the second.\n\nMaja\n"
    html_reply = (
        "<p>Pay the first one, we cancelled the second.</p><p>Maja</p><blockquote>x</blockquote>"
    )
    assert not parse_mail(_alternative(plain_reply, html_reply)).html


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_raw_utf8_headers_decode_as_utf8(newline: str) -> None:
    parsed = parse_mail(HEADERS.replace("\r\n", newline).encode("utf-8"))
    assert (parsed.sender.name, parsed.sender.email) == ("Jörg Ølstad", "jorg@bolag.no")
    assert parsed.raw_subject == "SV: Möte om vårbudget – 2027 ✓"
    assert parsed.subject == "Möte om vårbudget – 2027 ✓"
    assert [(p.name, p.email) for p in parsed.to] == [
        ("Åsa Lind", "asa@bolag.se"),
        ("Zoë Ström", "zoe@bolag.se"),
    ]


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


@pytest.mark.parametrize(
    "headers",
    [
        "Content-Type: text/plain; charset=utf-8",
        'Content-Type: text/plain; Charset="ISO-8859-1"  ',
        "Content-Type: text/plain;charset=windows-1252; format=flowed",
        "Content-Type: text/plain; charset = utf-8",
        "Content-Type: text/plain; charset*=utf-8''iso-8859-15",
        "Content-Type: text/plain; charset*0=utf; charset*1=-8",
        "Content-Type: text/plain; (comment) charset=utf-8",
        'Content-Type: text/plain; charset="utf-8',
        "Content-Type: text/plain;\r\n charset=koi8-r",
        "Content-Type: text/plain",
        "X-Other: charset=utf-8",
        'Content-Type: text/plain; name="a.txt"',
        "Content-Type: application/pdf; NAME*=utf-8''%C3%A5.pdf",
        'Content-Disposition: attachment; FileName="b.txt"',
        "Content-Disposition: inline; filename*0=a; filename*1=.txt",
        "Content-Disposition: attachment\r\nContent-Type: text/plain; charset=utf-8",
        "Content-Disposition: attachment; file(x)name=c.txt",
    ],
)
def test_part_parameters_are_read_as_the_standard_library_reads_them(headers: str) -> None:
    # The charset and filename are read without the parameter parser where that gives
    # the same answer; the standard library's reading is the oracle.
    from mailfeed.parsers.mime import _charset, _filename

    part = email.message_from_bytes(headers.encode() + b"\r\n\r\nbody\r\n")
    charset = part.get_param("charset")
    if isinstance(charset, tuple):
        charset = charset[2]
    assert _charset(part) == (charset if isinstance(charset, str) else None)
    assert _filename(part) == part.get_filename()
