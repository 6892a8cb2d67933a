"""MIME and encoding rules exposed by the fifth round (`tests/data/mail/mime/r5_*`).

Every rule has a positive case in other words than the fixture, and a negative case
that must not trigger it.
"""

from __future__ import annotations

import pytest

from mailfeed.parsers.mail import parse_mail, parse_text
from mailfeed.parsers.mime import (
    decode_bytes,
    decode_header_value,
    decode_words,
    read_mime,
    unflow,
    unwrap_inline_pgp,
)


def _mail(body: bytes, content_type: str = "text/plain; charset=utf-8",
          cte: str = "8bit", subject: bytes = b"Test") -> bytes:
    return (b"From: Pia Holm <pia@example.org>\r\nTo: Ola <ola@example.org>\r\n"
            b"Subject: " + subject + b"\r\nDate: Mon, 2 Mar 2026 10:00:00 +0100\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: " + content_type.encode() + b"\r\n"
            b"Content-Transfer-Encoding: " + cte.encode() + b"\r\n\r\n" + body)


# --- charsets: WHATWG windows-1252 for latin-1/us-ascii labels, strict fallback ----------

def test_latin1_label_is_read_as_windows_1252() -> None:
    assert decode_bytes(b"It\x92s \x93done\x94 \x96 \x8020", "ISO-8859-1") == \
        "It\u2019s \u201cdone\u201d \u2013 \u20ac20"
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
    parsed = parse_mail(_mail(body, "text/plain; charset=iso-2022-jp", "7bit", word))
    assert parsed.subject == "会議"
    assert parsed.chain[-1].body.strip() == "お疲れ様です。"
    # negative: ASCII text that merely contains "$B" under that label stays as it is
    assert decode_bytes(b"price $B", "iso-2022-jp") == "price $B"


def test_nul_bytes_are_dropped() -> None:
    parsed = parse_mail(_mail(b"Klart.\x00\r\nMvh Pia\r\n"))
    assert "\x00" not in parsed.chain[-1].body
    assert parsed.chain[-1].body.startswith("Klart.")
    assert decode_bytes(b"a\x00b", "utf-8") == "ab"


def test_header_words_in_other_charsets() -> None:
    assert decode_header_value("=?iso-8859-1?q?=93Hej=94?=") == "\u201cHej\u201d"


# --- RFC 2047 §6.2: adjacent encoded-words joined at the byte level ----------------------

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


# --- RFC 3676 format=flowed ---------------------------------------------------------------

def test_flowed_soft_breaks_are_joined_and_delsp_drops_the_space() -> None:
    body = (b"Tack f\xc3\xb6r  \r\nm\xc3\xb6tet, se l\xc3\xa4nken https://ex.org/a?b \r\n=c.\r\n"
            b"\r\nDen m\xc3\xa5n 2 mars 2026 kl 09:00 skrev Ola <ola@example.org>:\r\n"
            b"> Kan du  \r\n> kolla?\r\n")
    parsed = parse_mail(_mail(body, "text/plain; charset=utf-8; format=flowed; DelSp=Yes"))
    assert parsed.chain[-1].body.strip() == "Tack för mötet, se länken https://ex.org/a?b=c."
    assert parsed.chain[0].body.strip() == "Kan du kolla?"


def test_flowed_without_delsp_keeps_the_space_and_depth_changes_end_a_paragraph() -> None:
    assert unflow("one \ntwo\n> three \n> four\n>> five \nsix") == \
        "one two\n> three four\n> > five\nsix"
    assert unflow("-- \nPia") == "-- \nPia"  # the signature separator is never flowed


def test_lines_ending_in_space_without_format_flowed_are_kept() -> None:
    parsed = parse_mail(_mail(b"rad ett \r\nrad tv\xc3\xa5\r\n"))
    assert [line.rstrip() for line in parsed.chain[-1].body.splitlines()] == ["rad ett", "rad två"]


# --- RFC 4880 §7: inline PGP cleartext signatures -----------------------------------------

_SIGNATURE_BLOCK = (b"-----BEGIN PGP SIGNATURE-----\r\n\r\niQEzBAEBCAAdFiEEabc123==\r\n=XyZ9\r\n"
                    b"-----END PGP SIGNATURE-----\r\n")


def test_inline_pgp_armour_dropped_and_dash_escaping_undone() -> None:
    body = (b"-----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA512\r\n\r\nHej Ola,\r\n\r\n"
            b"- - punkt ett\r\nDet blir torsdag.\r\n\r\n"
            b"- -- \r\nPia Holm\r\n+46 70 000 00 00\r\n\r\n"
            b"On Mon, Mar 2, 2026 at 9:00 AM Ola <ola@example.org> wrote:\r\n"
            b"> Vilken dag?\r\n" + _SIGNATURE_BLOCK)
    parsed = parse_mail(_mail(body))
    assert [m.author.name for m in parsed.chain] == ["Ola", "Pia Holm"]
    assert parsed.chain[0].body.strip() == "Vilken dag?"
    assert parsed.chain[-1].body.strip() == "Hej Ola,\n\n- punkt ett\nDet blir torsdag."
    assert "PGP" not in parsed.chain[-1].body


def test_text_that_only_mentions_pgp_is_untouched() -> None:
    text = ("Paste the line -----BEGIN PGP SIGNED MESSAGE----- in the form.\n"
            "- first item\n- second item\n")
    assert unwrap_inline_pgp(text) == text
    # an armour header without its signature block (truncated mail) is left alone too
    truncated = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n- -- \nhej\n"
    assert unwrap_inline_pgp(truncated) == truncated


# --- RFC 2045 §6.8: base64 under a 7bit/8bit label ----------------------------------------

def test_base64_body_under_8bit_label_is_decoded() -> None:
    import base64
    text = "Hej Ola,\r\n\r\nRummet är bokat på torsdag klockan tio.\r\n"
    encoded = base64.encodebytes(text.encode()).replace(b"\n", b"\r\n")
    parsed = parse_mail(_mail(encoded, cte="7bit"))
    assert parsed.chain[-1].body.strip() == "Hej Ola,\n\nRummet är bokat på torsdag klockan tio."


def test_ordinary_text_that_looks_like_base64_is_untouched() -> None:
    for body in (b"Tack\r\n", b"OK\r\n", b"Supercalifragilisticexpialidocious1\r\n",
                 b"AbCdEfGhIjKlMnOpQrStUvWx\r\n", b"Hej Ola, ses p\xc3\xa5 torsdag.\r\n"):
        parsed = parse_mail(_mail(body))
        assert parsed.chain[-1].body.strip() == body.decode().strip()
    # a declared base64 body is the MIME library's business, not this rule's
    assert parse_mail(_mail(b"SGVqIGTDpSBkdQ==\r\n", cte="base64")).chain[-1].body == "Hej då du"


# --- Hebrew and Arabic attribution lines ---------------------------------------------------

@pytest.mark.parametrize(("line", "name", "email", "date"), [
    ("ב-3.2.2026 14:05, Noam Cohen כתב/ה:", "Noam Cohen", None, "2026-02-03T14:05:00"),
    ("בתאריך יום ה׳, 5 במרץ 2026 ב-8:40 מאת Rina Adler <rina@example.co.il>:",
     "Rina Adler", "rina@example.co.il", "2026-03-05T08:40:00"),
    ("في الخميس، 5 مارس 2026 8:40 ص كتب Omar Haddad <omar@example.ae>:",
     "Omar Haddad", "omar@example.ae", "2026-03-05T08:40:00"),
])
def test_rtl_attributions(line: str, name: str, email: str | None, date: str) -> None:
    parsed = parse_text(f"תודה.\n\n{line}\n> שאלה קצרה\n> ועוד שורה\n")
    quoted = parsed.chain[0]
    assert (quoted.author.name, quoted.author.email, quoted.date) == (name, email, date)
    assert quoted.body == "שאלה קצרה\nועוד שורה"
    assert parsed.chain[-1].body.strip() == "תודה."


def test_rtl_prose_with_the_verb_is_no_attribution() -> None:
    text = "דנה כתב מכתב ארוך אתמול:\nהוא היה טוב.\n"
    parsed = parse_text(text)
    assert len(parsed.chain) == 1
    assert parsed.chain[0].body.strip() == text.strip()


# --- RFC 4155 mbox: ">From " unescaped only after an mbox "From " envelope line -----------

_ESCAPED = b"Ses i morgon.\r\n>From nu g\xc3\xa4ller nya tider.\r\n>>From mboxrd.\r\n"


def test_mbox_from_escape_is_undone_after_an_envelope_line() -> None:
    raw = b"From pia@example.org Mon Mar  2 10:00:00 2026\r\n" + _mail(_ESCAPED)
    body = parse_mail(raw).chain[-1].body
    assert "From nu gäller nya tider." in body.splitlines()
    # mboxrd: one level removed per read, so ">>From" comes back as ">From"
    assert ">From mboxrd." in read_mime(raw).text.splitlines()


def test_from_escape_without_envelope_line_is_left_alone() -> None:
    body = parse_mail(_mail(_ESCAPED)).chain[-1].body
    assert "From nu gäller nya tider." not in body.splitlines()
