"""Properties of the parser that hold for any input, not just the corpus (hypothesis).

Mail arrives from anywhere: broken MIME, unknown charsets, base64 that is not base64,
parts nested inside forwarded messages inside multiparts.  Whatever comes in,
`parse_mail` must return a `ParsedMail` (never raise), must return the same thing for the
same bytes (the raw mail is the record and everything is rebuilt from it), and must stay
fast on a large message.  `parse_text` gets the same treatment for bare text bodies.
"""

from __future__ import annotations

import base64
import quopri
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailfeed.parsers.chains import MAX_DEPTH
from mailfeed.parsers.mail import parse_mail, parse_text
from mailfeed.parsers.marks import Work

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ------------------------------------------------------------------ building blocks

# Lines that steer a parser down its interesting paths: quote markers, attributions and
# header blocks in several languages, forward markers, signature separators, HTML quoting.
FRAGMENTS = [
    "> ",
    ">> > >",
    "> Hej Anna,",
    "Hej!",
    "-- ",
    "--",
    "/Anna",
    "Med vänliga hälsningar",
    "Skickat från min iPhone",
    "Sent from my iPhone",
    "Von meinem iPhone gesendet",
    "On Tue, Nov 24, 2026 at 9:12 AM Anna Berg <anna.berg@firma.se> wrote:",
    "On Tue, Nov 24, 2026 at 9:12 AM Anna Berg <",
    "anna.berg@firma.se> wrote:",
    "Den tis 24 nov. 2026 kl 09:12 skrev Anna Berg <anna.berg@firma.se>:",
    "Den 2026-11-24 kl. 09:12, skrev Anna Berg:",
    "Am 24.11.2026 um 09:12 schrieb Jürgen Schäfer <j@firma.de>:",
    "24 nov. 2026 kl. 09:12 skrev Anna Berg <anna.berg@firma.se>:",
    "-----Original Message-----",
    "-----Ursprungligt meddelande-----",
    "-----Ursprüngliche Nachricht-----",
    "-------- Original message --------",
    "---------- Forwarded message ---------",
    "-------- Vidarebefordrat meddelande --------",
    "Begin forwarded message:",
    "Vidarebefordrat brev:",
    "________________________________",
    "Från: Anna Berg <anna.berg@firma.se>",
    "From: Anna Berg [mailto:anna.berg@firma.se]",
    "From: Anna </O=EXCHANGELABS/OU=EXCHANGE ADMINISTRATIVE GROUP/CN=RECIPIENTS/CN=X>",
    "Från:",
    "Skickat: den 24 november 2026 09:12",
    "Sent: Tuesday, November 24, 2026 9:12 AM",
    "Gesendet: Dienstag, 24. November 2026 09:12",
    "Datum: 2026-11-24 09:12 (GMT+01:00)",
    "Date: 31/02/2026 25:61",
    "Till: Johan Lind <johan.lind@firma.se>",
    "Ämne: SV: VB: Re: AW: Fwd:",
    "Subject:",
    '<div class="gmail_quote">',
    '<blockquote type="cite">',
    '<div class="moz-cite-prefix">',
    '<div id="divRplyFwdMsg">',
    '<div style="border:none;border-top:solid #E1E1E1 1.0pt">',
    "</blockquote></div></div></div>",
    "<html><body><p>",
    "<!--[if gte mso 9]><xml>",
    "<table><tr><td>",
    "&nbsp;&amp;&#xFFFFFF;&#0;",
    "=?utf-8?B?SGVq?=",
    "=?bogus?Q?=FF=FE?=",
    "\ufeff",
    "\u200b",
    "\x00",
    "\r",
    "\t",
]

TEXT = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=60)),
    max_size=25,
).map("\n".join)

CHARSETS = [
    "utf-8",
    "UTF-8",
    "us-ascii",
    "iso-8859-1",
    "windows-1252",
    "utf-16",
    "utf-7",
    "koi8-r",
    "shift_jis",
    "gb2312",
    "x-unknown-8bit",
    "unknown-8bit",
    "bogus-charset",
    "",
    "utf8",
    "iso-8859-15",
]
ENCODINGS = [
    "7bit",
    "8bit",
    "binary",
    "quoted-printable",
    "base64",
    "BASE64",
    "x-uuencode",
    "nonsense",
]
CTYPES = [
    "text/plain",
    "text/plain",
    "text/html",
    "text/html",
    "text/enriched",
    "text/calendar",
    "application/octet-stream",
    "image/png",
    "application/ms-tnef",
    "",
]


def _encode_text(text: str, charset: str) -> bytes:
    try:
        return text.encode(charset or "utf-8")
    except (LookupError, UnicodeError):
        return text.encode("utf-8", "surrogatepass")


@st.composite
def leaf_parts(draw: Any) -> bytes:
    ctype = draw(st.sampled_from(CTYPES))
    charset = draw(st.sampled_from(CHARSETS))
    cte = draw(st.sampled_from(ENCODINGS))
    payload = _encode_text(draw(TEXT), charset)
    if cte.lower() == "base64":
        body = base64.encodebytes(payload)
        if draw(st.booleans()):  # broken base64: truncated, garbage, bad padding
            cut = draw(st.integers(0, len(body)))
            body = body[:cut] + draw(st.sampled_from([b"", b"!!*&", b"=", b"==\n==", b"\xff\xfe"]))
    elif cte == "quoted-printable":
        body = quopri.encodestring(payload)
        if draw(st.booleans()):  # broken soft breaks and escapes
            body += draw(st.sampled_from([b"=", b"=Z1", b"=\r", b"=4", b"=\n=\n"]))
    else:
        body = payload
    head = []
    if ctype:
        params = f'; charset="{charset}"' if draw(st.booleans()) else f"; charset={charset}"
        if draw(st.booleans()):
            params += '; name="=?utf-8?Q?bilaga_=C3=A5?=.bin"; format=flowed; delsp=yes'
        head.append(f"Content-Type: {ctype}{params}")
    if draw(st.booleans()):
        head.append(f"Content-Transfer-Encoding: {cte}")
    if draw(st.booleans()):
        disp = draw(
            st.sampled_from(["inline", "attachment", "attachment; filename*=utf-8''%E5%\""])
        )
        head.append(f"Content-Disposition: {disp}")
    if draw(st.booleans()):
        head.append("Content-ID: <image001.png@01DB3E5A.5C2F1D40>")
    return "\r\n".join(head).encode() + b"\r\n\r\n" + body


def _headers(draw: Any) -> bytes:
    lines = []
    if draw(st.booleans()):
        name = draw(st.sampled_from(["Anna Berg", "=?utf-8?B?QW5uYSBCZXJn?=", '"Berg, Anna"', ""]))
        addr = draw(st.sampled_from(["anna.berg@firma.se", "", "not an address", "a@b@c", "<>"]))
        lines.append(f"From: {name} <{addr}>")
    if draw(st.booleans()):
        lines.append("To: feed@firma.se, =?utf-8?Q?Bj=C3=B6rn?= <bjorn@firma.se>,\r\n\tx@")
    if draw(st.booleans()):
        subj = draw(
            st.one_of(
                st.sampled_from(["SV: VB: Re: Fwd: AW: WG: Hej", "=?utf-8?Q?", ""]),
                st.text(max_size=40).map(lambda s: s.replace("\n", " ")),
            )
        )
        lines.append(f"Subject: {subj}")
    if draw(st.booleans()):
        lines.append(
            draw(
                st.sampled_from(
                    [
                        "Date: Tue, 24 Nov 2026 09:12:00 +0100",
                        "Date: Tue, 24 Nov 2026 09:12:00 -0000",
                        "Date: 24 Nov 26 09:12 CET",
                        "Date: yesterday",
                        "Date: Tue, 31 Feb 2026 25:61:61 +9999",
                    ]
                )
            )
        )
    if draw(st.booleans()):
        lines.append("Message-ID: <abc@firma.se>")
    if draw(st.booleans()):
        lines.append("In-Reply-To: <x@y>\r\nReferences: <a@b> <c@d> broken <")
    if draw(st.booleans()):
        lines.append("Thread-Index: AQHbPq2x####")
    lines.append("MIME-Version: 1.0")
    return "\r\n".join(lines).encode() + b"\r\n"


def _multipart(children: Any) -> Any:
    @st.composite
    def build(draw: Any) -> bytes:
        subtype = draw(
            st.sampled_from(["mixed", "alternative", "related", "digest", "signed", "x-odd"])
        )
        parts = draw(st.lists(children, max_size=4))
        boundary = draw(
            st.sampled_from(["b1", "=_Part_0", "----=_NextPart_000_0001", "a b", "x" * 80])
        )
        out = f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'.encode()
        out += b"preamble\r\n"
        for part in parts:
            out += f"--{boundary}\r\n".encode() + part + b"\r\n"
        if draw(st.booleans()):  # the closing delimiter is often missing in broken mail
            out += f"--{boundary}--\r\nepilogue\r\n".encode()
        return out

    return build()


def _rfc822(children: Any) -> Any:
    @st.composite
    def build(draw: Any) -> bytes:
        inner = _headers(draw) + draw(children)
        disp = ""
        if draw(st.booleans()):
            disp = 'Content-Disposition: attachment; filename="fwd.eml"\r\n'
        return b"Content-Type: message/rfc822\r\n" + disp.encode() + b"\r\n" + inner

    return build()


MIME_BODIES = st.recursive(
    leaf_parts(),
    lambda children: st.one_of(_multipart(children), _rfc822(children)),
    max_leaves=10,
)


@st.composite
def mime_messages(draw: Any) -> bytes:
    raw = _headers(draw) + draw(MIME_BODIES)
    if draw(st.booleans()):
        raw = raw.replace(b"\r\n", b"\n")
    return raw


# ------------------------------------------------------------------ properties


@SETTINGS
@given(st.binary(max_size=4096))
def test_parse_mail_never_raises_on_arbitrary_bytes(raw: bytes) -> None:
    parse_mail(raw)


@SETTINGS
@given(
    st.sampled_from([b"From: a@b\r\n\r\n", b"Content-Type: multipart/mixed; boundary=x\n\n--x\n"]),
    st.binary(max_size=2048),
)
def test_parse_mail_never_raises_on_headers_then_garbage(prefix: bytes, rest: bytes) -> None:
    parse_mail(prefix + rest)


@SETTINGS
@given(mime_messages())
def test_parse_mail_never_raises_on_arbitrary_mime_trees(raw: bytes) -> None:
    parsed = parse_mail(raw)
    parsed.to_json()  # the contract of `mailfeed parse --json` must serialize too


@SETTINGS
@given(mime_messages())
def test_parse_mail_is_deterministic(raw: bytes) -> None:
    assert parse_mail(raw).to_json() == parse_mail(raw).to_json()


@SETTINGS
@given(st.one_of(TEXT, st.text()))
def test_parse_text_never_raises_and_is_deterministic(text: str) -> None:
    first = parse_text(text)
    assert first.to_json() == parse_text(text).to_json()


def _big_message(size: int = 10 * 1024 * 1024) -> bytes:
    """A 10 MB reply chain in one text part: attributions, quoting up to eight levels deep."""
    head = (
        "From: Anna Berg <anna.berg@firma.se>\r\nTo: Mailfeed <feed@firma.se>\r\n"
        "Subject: SV: Stor tråd\r\nDate: Tue, 24 Nov 2026 09:12:00 +0100\r\n"
        "Message-ID: <big@firma.se>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "Hej alla,\r\n\r\nHär kommer hela historiken.\r\n\r\n/Anna\r\n\r\n"
    )
    paragraph = (
        "Vet någon vem som har hand om nycklarna till förrådet på plan 3? Vi behöver hämta "
        "stolarna till julfesten på fredag och dörren är låst, så jag undrar om Erik på IT vet."
    )
    chunks = [head]
    total = len(head.encode())
    i = 0
    while total < size:
        depth = i % 9
        prefix = "> " * depth
        block = (
            f"{prefix}Den tis 24 nov. 2026 kl 09:{i % 60:02d} skrev Person {i} "
            f"<person{i}@firma.se>:\r\n{prefix}\r\n"
            + "".join(f"{prefix}{paragraph}\r\n" for _ in range(20))
            + f"{prefix}\r\n{prefix}/Person {i}\r\n{prefix}\r\n"
        )
        chunks.append(block)
        total += len(block.encode())
        i += 1
    return "".join(chunks).encode()


def test_a_ten_megabyte_chain_costs_ten_times_the_work_of_one_megabyte() -> None:
    # Counted, not timed (a loaded machine fails clocks): the understanding stage reads
    # a 10 MB chain in about ten times the lines and passes of a 1 MB one.
    raw = _big_message()
    assert len(raw) >= 10 * 1024 * 1024
    small, big = Work(), Work()
    parse_mail(_big_message(1024 * 1024), small)
    parsed = parse_mail(raw, big)
    assert parsed.sender.email == "anna.berg@firma.se"
    assert len(parsed.chain) > 40
    # Each line goes down one level of the chain at a time and is classified once per
    # level, and a chain has at most MAX_DEPTH levels: a constant number of visits per
    # line, whatever the size (the 1 MB chain has fewer levels, so no ratio here).
    lines = raw.count(b"\n")
    assert big.carried <= (MAX_DEPTH + 1) * lines, big
    assert big.lines <= (MAX_DEPTH + 3) * lines and big.chars <= (MAX_DEPTH + 3) * len(raw), big
    assert small.lines <= (MAX_DEPTH + 3) * _big_message(1024 * 1024).count(b"\n"), small
    assert big.passes <= 3 * (MAX_DEPTH + 1), big
