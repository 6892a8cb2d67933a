"""The MIME layer: raw bytes to headers, one readable text, attachments, embedded mails.

Owns: parsing with the standard library's `compat32` parser (the message tree, without
the header objects and eager decoding of `policy.default`), decoding headers and bodies
under broken or unknown charsets, choosing the text (text/plain first, else HTML made
readable), converting HTML to text with inscriptis after marking quote containers with
lxml, and collecting attachments and `message/rfc822` parts (forwards as attachments,
nested).  Never raises: problems end up in `defects`.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import email
import email.policy
import quopri
import re
from dataclasses import dataclass
from email.header import Header, decode_header
from email.message import Message

from inscriptis import get_text
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.model.config import ParserConfig
from lxml import etree
from lxml import html as lxml_html

from mailfeed.parsers.model import Attachment

MAX_DEPTH = 8  # forwards of forwards as attachments; deeper ones are treated as files
_HTML_CONFIG = ParserConfig(css=CSS_PROFILES["strict"], display_images=False)
# Clients wrap the writer's signature in a named container.
_SIGNATURE_XPATH = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' gmail_signature ')]"
    "|//*[contains(concat(' ', normalize-space(@class), ' '), ' moz-signature ')]"
    "|//*[@id='AppleMailSignature' or @id='Signature' or @id='signature']"
)
_CHARSET_ALIASES = {
    "unicode-1-1-utf-7": "utf-7",
    "utf8": "utf-8",
    "x-unknown": "utf-8",
    "ks_c_5601-1987": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
}


@dataclass(frozen=True)
class MimeMail:
    """One message's MIME content, before any chain understanding."""

    headers: tuple[tuple[str, str], ...]
    text: str
    html: bool
    attachments: tuple[Attachment, ...]
    embedded: tuple[MimeMail, ...]
    defects: tuple[str, ...]


def decode_header_value(value: object) -> str:
    """A header value as text; RFC 2047 words decoded, junk replaced, never raising.

    Raw 8-bit bytes (RFC 6532 UTF-8, or a legacy charset from old clients) are read as
    UTF-8 when they are valid UTF-8, else as cp1252; encoded-words next to them are
    decoded too (the standard library's make_header gives up on such a mix).
    """
    if isinstance(value, Header):
        # compat32 wraps raw 8-bit header bytes as an "unknown-8bit" Header; str() of it
        # would be replacement characters.
        chunks = []
        for data, charset in decode_header(value):
            if isinstance(data, bytes):
                chunks.append(decode_bytes(data, None if charset == "unknown-8bit" else charset))
            else:
                chunks.append(data)
        text = "".join(chunks)
    else:
        text = str(value)
        if not text.isascii() and _SURROGATE_RE.search(text):
            text = decode_bytes(text.encode("utf-8", "surrogateescape"), None)
    return " ".join(decode_words(text).split())


_SURROGATE_RE = re.compile("[\udc80-\udcff]")  # raw bytes the parser smuggled as str
# RFC 2047 §2 encoded-word; §6.2: whitespace between two adjacent encoded-words goes.
_ENCODED_WORD_RE = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS_RE = re.compile(r"(?<=\?=)\s+(?==\?[^?\s]+\?[bBqQ]\?)")


def decode_words(text: str) -> str:
    """Decode the RFC 2047 encoded-words in a header value; other text stays as it is.

    Adjacent encoded-words (RFC 2047 §6.2: the whitespace between them is dropped) in
    the same charset are joined at the byte level before decoding, so a multi-byte
    character that a mailer split across two words (§5 forbids it; many do it) decodes.
    """
    if "=?" not in text:
        return text
    text = _BETWEEN_WORDS_RE.sub("", text)
    out: list[str] = []
    pos = 0
    run: list[tuple[str, bytes]] = []  # (charset, bytes) of adjacent decoded words

    def flush() -> None:
        for charset, raw in _merge_run(run):
            out.append(decode_bytes(raw, charset))
        run.clear()

    for match in _ENCODED_WORD_RE.finditer(text):
        if match.start() != pos:
            flush()
            out.append(text[pos : match.start()])
        raw = _word_bytes(match)
        if raw is None:
            flush()
            out.append(match.group(0))
        else:
            run.append((match.group(1).split("*", 1)[0].lower(), raw))  # RFC 2231 §5
        pos = match.end()
    flush()
    out.append(text[pos:])
    return "".join(out)


def _merge_run(run: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    merged: list[tuple[str, bytes]] = []
    for charset, raw in run:
        if merged and merged[-1][0] == charset:
            merged[-1] = (charset, merged[-1][1] + raw)
        else:
            merged.append((charset, raw))
    return merged


def _word_bytes(match: re.Match[str]) -> bytes | None:
    _charset, encoding, data = match.groups()
    try:
        if encoding in "bB":
            return base64.b64decode(data + "=" * (-len(data) % 4))
        return quopri.decodestring(data.encode("ascii"), header=True)
    except (ValueError, binascii.Error):
        return None


# WHATWG Encoding Standard §4.2 (what every browser and mail client does): the labels
# iso-8859-1, latin1, us-ascii, ascii … all mean windows-1252, a superset whose 0x80-0x9F
# are the curly quotes, dashes and euro sign that Windows mailers send under those labels.
_WINDOWS_1252_LABELS = frozenset(
    {
        "iso-8859-1",
        "iso8859-1",
        "iso_8859-1",
        "latin1",
        "latin-1",
        "l1",
        "cp819",
        "ibm819",
        "iso-ir-100",
        "csisolatin1",
        "iso_8859-1:1987",
        "8859-1",
        "iso88591",
        "us-ascii",
        "ascii",
        "us",
        "ansi_x3.4-1968",
        "iso646-us",
        "cp367",
        "ibm367",
        "windows-1252",
        "cp1252",
        "x-cp1252",
    }
)


# Latin-1 maps each byte to the code point of the same number; this table then moves
# 0x80-0x9F to windows-1252's characters, leaving its five undefined bytes as U+0081 etc.
_CP1252_HIGH = {
    b: bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(0x80, 0xA0)
}


def _cp1252(payload: bytes) -> str:
    """windows-1252 as WHATWG defines it: the five undefined bytes map to U+0081 etc.

    One pass in C over the bytes (a per-byte loop took seconds on 10 MB of garbage)."""
    return payload.decode("latin-1").translate(_CP1252_HIGH)


def decode_bytes(payload: bytes, charset: str | None) -> str:
    """Decode a body or header word; never raises, NUL bytes dropped.

    Pure ASCII bytes are decoded with the label when the label is a codec (that is how
    iso-2022-jp and utf-7, 7-bit encodings, get decoded; RFC 1468).  Otherwise UTF-8
    first (many clients mislabel UTF-8, e.g. as Big5 or latin-1), then the label
    strictly, with latin-1/us-ascii read as windows-1252 (WHATWG); a missing label or
    one that fails strictly falls back to windows-1252.
    """
    name = (charset or "").strip().strip('"').strip("'").lower()
    name = _CHARSET_ALIASES.get(name, name)
    codec = ""
    if name and name not in _WINDOWS_1252_LABELS:
        try:
            codec = codecs.lookup(name).name
        except (LookupError, ValueError):
            codec = ""
    if payload.isascii():
        text = None
        if codec.startswith("iso2022") or codec in ("utf-7", "hz"):
            try:
                text = payload.decode(codec)
            except (UnicodeDecodeError, ValueError, LookupError):
                text = None
        if text is None:
            text = payload.decode("ascii")
        return text.replace("\x00", "")
    try:
        return payload.decode("utf-8").replace("\x00", "")
    except UnicodeDecodeError:
        pass
    if codec:
        try:
            return payload.decode(codec).replace("\x00", "")
        except (UnicodeDecodeError, ValueError, LookupError):
            pass
    return _cp1252(payload).replace("\x00", "")


def _part_text(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    if str(part.get("Content-Transfer-Encoding", "")).strip().lower() in ("7bit", "8bit", ""):
        payload = _lying_base64(payload)
    text = decode_bytes(payload, _charset(part))
    if (
        part.get_content_type() == "text/plain"
        and _mentions(part, "content-type", "format")
        and _param(part, "format") == "flowed"
    ):
        text = unflow(text, delsp=_param(part, "delsp") == "yes")
    return text


# The common Content-Type ("text/plain; charset=utf-8"), read without the parameter
# parser, which handles quoting, comments and RFC 2231 and costs more than the decoding.
_SIMPLE_CHARSET_RE = re.compile(
    r'[\w.+-]+/[\w.+-]+[ \t]*;[ \t]*charset=("?)([\w.:-]+)\1[ \t]*', re.ASCII | re.IGNORECASE
)


def _charset(part: Message) -> str | None:
    value = part.get("Content-Type")
    if isinstance(value, str) and (simple := _SIMPLE_CHARSET_RE.fullmatch(value)):
        return simple.group(2)
    charset = part.get_param("charset")
    if isinstance(charset, tuple):  # RFC 2231 form
        charset = charset[2]
    return charset if isinstance(charset, str) else None


def _mentions(part: Message, header: str, word: str) -> bool:
    """Whether the header's text contains `word` (lower case): parameter names are plain
    tokens, so a parameter whose name is not in the text is absent, and parsing the
    header's parameters (the dearest part of reading a part) can be skipped."""
    value = part.get(header)
    return value is not None and word in str(value).lower()


def _filename(part: Message) -> str | None:
    """`part.get_filename()`, without parsing parameters that cannot name a file."""
    if _mentions(part, "content-disposition", "filename") or _mentions(
        part, "content-type", "name"
    ):
        return part.get_filename()
    return None


_BASE64_LINE_RE = re.compile(rb"[A-Za-z0-9+/]{1,76}={0,2}")
_BASE64_MIN = 24  # shorter "bodies" could be a single ordinary word


def _lying_base64(payload: bytes) -> bytes:
    """The decoded body when a part labelled 7bit/8bit (RFC 2045 §6.2: no encoding) is
    in fact base64 (RFC 2045 §6.8) — some gateways re-label without decoding.  Only when
    every line is ≤ 76 characters of the base64 alphabet, the whole is a multiple of 4
    long with padding only at the end, and it decodes to UTF-8 without control
    characters or to mostly-ASCII windows-1252 text; otherwise the payload as it is."""
    first = payload.lstrip()[:80].split(b"\n", 1)[0].strip()
    if not _BASE64_LINE_RE.fullmatch(first) or len(payload) > 10_000_000:
        return payload  # cheap test first: ordinary text fails on its first line
    lines = payload.split()
    joined = b"".join(lines)
    if (
        len(joined) < _BASE64_MIN
        or len(joined) % 4
        or not all(_BASE64_LINE_RE.fullmatch(line) for line in lines)
        or b"=" in joined.rstrip(b"=")
    ):
        return payload
    if len(lines) > 1 and (
        len({len(line) for line in lines[:-1]}) != 1 or len(lines[-1]) > len(lines[0])
    ):
        return payload  # an encoder wraps at one width
    try:
        data = base64.b64decode(joined, validate=True)
    except (ValueError, binascii.Error):
        return payload
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        if sum(c.isascii() and (c.isprintable() or c in "\r\n\t") for c in text) < 0.9 * len(text):
            return payload
    if any(ord(c) < 32 and c not in "\r\n\t" or c == "\ufffd" for c in text):
        return payload
    return data


def _param(part: Message, name: str) -> str:
    value = part.get_param(name)
    if isinstance(value, tuple):
        value = value[2]
    return str(value).strip().strip('"').lower() if value else ""


_FLOWED_QUOTE_RE = re.compile(r">+")


def unflow(text: str, delsp: bool = False) -> str:
    """Undo RFC 3676 format=flowed: join soft line breaks (a line ending in a space,
    §4.2) of the same quote depth (§4.5), dropping that space when DelSp=yes (§4.2);
    undo space-stuffing (§4.4).  "-- " is a signature separator, never flowed (§4.3).
    Quoted lines come out as "> " per depth, as the quote detection expects."""
    out: list[str] = []
    pending: str | None = None
    pending_depth = 0
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        match = _FLOWED_QUOTE_RE.match(line)
        depth = match.end() if match else 0
        body = line[depth:]
        if body.startswith(" "):
            body = body[1:]
        if pending is not None and depth != pending_depth:
            out.append(_flowed_line(pending_depth, pending))  # §4.5: depth change ends it
            pending = None
        flowed = body.endswith(" ") and body != "-- "
        if flowed and delsp:
            body = body[:-1]
        joined = body if pending is None else pending + body
        if flowed:
            pending, pending_depth = joined, depth
        else:
            out.append(_flowed_line(depth, joined))
            pending = None
    if pending is not None:
        out.append(_flowed_line(pending_depth, pending))
    return "\n".join(out)


def _flowed_line(depth: int, body: str) -> str:
    if not depth:
        return body
    return ("> " * depth + body).rstrip() if body.strip() else ">" * depth


def html_to_text(markup: str) -> str:
    """Readable text of an HTML body; quote containers become '> ' quoted lines."""
    if not markup.strip():
        return ""
    try:
        root = lxml_html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        try:
            return str(get_text(markup, _HTML_CONFIG))
        except Exception:
            return ""
    for bad in root.xpath("//style|//script|//head"):
        bad.drop_tree()
    # Deepest first, so that nested quotes come out as "> > ".
    for quote in reversed(root.xpath("//blockquote")):
        _replace_with_quoted(quote)
    for signature in root.xpath(_SIGNATURE_XPATH):
        # Mark signature containers the way plain text does, so one rule cuts both.
        marker = lxml_html.Element("pre")
        marker.text = "-- "
        signature.addprevious(marker)
    for rule in root.xpath("//hr"):
        rule.tag = "p"
        rule.text = "_" * 32
    try:
        return str(get_text(lxml_html.tostring(root, encoding="unicode"), _HTML_CONFIG))
    except Exception:
        return str(root.text_content())


def _replace_with_quoted(element: etree._Element) -> None:
    inner = (element.text or "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in element
    )
    try:
        text = get_text(f"<div>{inner}</div>", _HTML_CONFIG).strip("\n")
    except Exception:
        text = element.text_content()
    quoted = "\n".join(
        ">" + (" " + line if line and not line.startswith(">") else line)
        for line in text.split("\n")
    )
    pre = lxml_html.Element("pre")
    pre.text = "\n" + quoted + "\n"
    pre.tail = element.tail
    parent = element.getparent()
    if parent is not None:
        parent.replace(element, pre)


def _attachment(part: Message) -> Attachment:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    filename = _filename(part) or ""
    content_id = part.get("Content-ID")
    disposition = (part.get_content_disposition() or "").lower()
    return Attachment(
        filename=decode_header_value(filename) if filename else "",
        content_type=part.get_content_type(),
        payload=payload if isinstance(payload, bytes) else b"",
        content_id=str(content_id).strip().strip("<>") if content_id else None,
        inline=disposition == "inline" or (bool(content_id) and disposition != "attachment"),
    )


def _encoded_inner(part: Message, inner: Message | None) -> Message | None:
    """The attached mail of a message/rfc822 part that a client base64- or QP-encoded
    (RFC 2046 §5.2.1 forbids it; Outlook does it): the parser left it as text."""
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding not in ("base64", "quoted-printable"):
        return inner
    text = inner.get_payload() if inner is not None else part.get_payload()
    if not isinstance(text, str):
        return inner
    try:
        if encoding == "base64":
            data = base64.b64decode(text)
        else:
            data = quopri.decodestring(text.encode("utf-8", "surrogateescape"))
    except (ValueError, binascii.Error):
        return inner
    return email.message_from_bytes(data)


def from_message(message: Message, depth: int = 0) -> MimeMail:
    """Walk one message's MIME tree (not into embedded messages, which recurse)."""
    defects: list[str] = [type(d).__name__ for d in getattr(message, "defects", [])]
    headers = []
    for name, value in message.items():
        headers.append((name.lower(), decode_header_value(value)))
    plain: list[str] = []
    htmls: list[str] = []
    attachments: list[Attachment] = []
    embedded: list[MimeMail] = []
    stack: list[Message] = [message]
    while stack:
        part = stack.pop(0)
        ctype = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        if ctype == "message/rfc822" or (
            part.is_multipart() and part is not message and ctype.startswith("message/")
        ):
            inner = part.get_payload()
            first = inner[0] if isinstance(inner, list) and inner else None
            inner_msg = _encoded_inner(part, first if isinstance(first, Message) else None)
            if isinstance(inner_msg, Message) and depth < MAX_DEPTH:
                embedded.append(from_message(inner_msg, depth + 1))
            else:
                attachments.append(_attachment(part))
            continue
        if part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list):
                stack[0:0] = [p for p in payload if isinstance(p, Message)]
            continue
        is_body = disposition != "attachment" and not _filename(part)
        if ctype.startswith("multipart/"):
            # A multipart whose boundary never appears: its payload is all there is.
            plain.append(_part_text(part))
        elif is_body and ctype == "text/plain":
            plain.append(_part_text(part))
        elif is_body and ctype == "text/html":
            htmls.append(_part_text(part))
        else:
            attachments.append(_attachment(part))
        # After decoding: base64 decoding adds its own defects to the part.
        defects.extend(type(d).__name__ for d in getattr(part, "defects", []))
    text = "\n\n".join(t for t in plain if t.strip())
    from_html = False
    if htmls and (not text.strip() or _plain_is_stub(text, htmls)):
        text = "\n\n".join(html_to_text(h) for h in htmls)
        from_html = True
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    if not from_html:
        text = unwrap_inline_pgp(text)
    return MimeMail(
        tuple(headers),
        text,
        from_html,
        tuple(attachments),
        tuple(embedded),
        tuple(dict.fromkeys(defects)),
    )


# RFC 4880 §7: cleartext signature framework.
_PGP_SIGNED_RE = re.compile(
    r"^-----BEGIN PGP SIGNED MESSAGE-----[ \t]*\n"
    r"(?:[A-Za-z][A-Za-z0-9-]*: [^\n]*\n)*"  # armour headers ("Hash: SHA256")
    r"[ \t]*\n"  # the blank line that ends them
    r"(?P<text>.*?)\n?"
    r"^-----BEGIN PGP SIGNATURE-----[ \t]*\n.*?^-----END PGP SIGNATURE-----[ \t]*$\n?",
    re.MULTILINE | re.DOTALL,
)
_DASH_ESCAPE_RE = re.compile(r"^- ", re.MULTILINE)


def unwrap_inline_pgp(text: str) -> str:
    """The signed text of an inline PGP cleartext-signed message (RFC 4880 §7): armour
    header and signature block dropped, dash-escaping ("- " before a line, §7.1) undone.
    Text without a complete BEGIN…SIGNATURE…END frame is left as it is."""
    if "-----BEGIN PGP SIGNED MESSAGE-----" not in text:
        return text
    return _PGP_SIGNED_RE.sub(
        lambda m: _DASH_ESCAPE_RE.sub("", m.group("text")) + "\n", text, count=1
    )


# What mailers put in the text/plain alternative when the HTML is the real mail.
_STUB_PLAIN = re.compile(
    r"\bthis is an? (?:HTML|MIME)[- ]?(?:formatted )?(?:message|e-?mail|mail)"
    r"|\b(?:message|e-?mail|mail) is in HTML format"
    r"|\bHTML[- ](?:capable|compatible|aware|enabled)"
    r"|\b(?:does|do|can)\s*(?:not|n't)\s+(?:support|display|read|show|view)\s+HTML"
    r"|\bview (?:this|the) (?:message|e-?mail|mail) in (?:a|your) (?:web )?browser",
    re.IGNORECASE,
)
# Quote structure in an HTML part: a quoted message the plain part may have left out.
_HTML_QUOTE = re.compile(
    r"<blockquote|gmail_quote|divRplyFwdMsg|moz-cite-prefix|appendonsend|"
    r"<b>\s*(?:From|Från|Fra|Von|De|Van|Lähettäjä|Od)\s*:?\s*</b>",
    re.IGNORECASE,
)
_STUB_MAX = 400  # a stub is a sentence or two; longer plain text is a real message


def _plain_is_stub(text: str, htmls: list[str]) -> bool:
    """Whether the text/plain part is a placeholder for the HTML part, not the mail itself.

    Either it is short and says "this is an HTML message" / "your client does not support
    HTML", or it is under a quarter of the HTML's visible text while the HTML quotes a
    message (the plain alternative left the conversation out).
    """
    plain = " ".join(text.split())
    if len(plain) > _STUB_MAX:
        return False
    if _STUB_PLAIN.search(plain):
        return True
    if not any(_HTML_QUOTE.search(h) for h in htmls):
        return False
    visible = " ".join(" ".join(html_to_text(h) for h in htmls).split())
    return len(plain) * 4 < len(visible)


_MBOX_FROM_RE = re.compile(rb"^>(>*From )", re.MULTILINE)


_LARGE = 1 << 20  # bytes; below this every mail takes the ordinary path
_HEADER_END_RE = re.compile(rb"\r?\n\r?\n")


def _large_single_part(raw: bytes) -> Message | None:
    """A large mail of one text part, its headers parsed and its body attached as is.

    The standard parser feeds the body through a line-by-line state machine (a second
    for 400,000 lines); a single part needs none of that.  The body becomes the payload
    exactly as `BytesParser` would store it (ASCII with surrogate escapes, line ends
    kept); anything unusual about the headers — a multipart, an attached message, a
    defect, a header section that ran into the body — takes the ordinary path."""
    if len(raw) < _LARGE:
        return None
    cut = _HEADER_END_RE.search(raw)
    if cut is None:
        return None
    message = email.message_from_bytes(raw[: cut.start()] + b"\n\n")
    if (
        message.is_multipart()
        or message.get_content_maintype() in ("multipart", "message")
        or message.get_payload()
        or message.defects
    ):
        return None
    message.set_payload(raw[cut.end() :].decode("ascii", "surrogateescape"))
    return message


def read_mime(raw: bytes) -> MimeMail:
    """Parse raw bytes with the standard library's parser (compat32) and walk the parts."""
    # Blank lines before the headers (saved fixtures) or an mbox "From " line would make
    # every header part of the body.
    raw = raw.lstrip(b"\r\n\t ")
    if raw.startswith(b"From "):
        raw = raw.split(b"\n", 1)[1] if b"\n" in raw else b""
        # Saved from an mbox (RFC 4155): body lines starting "From " were escaped as
        # ">From " (mboxo; mboxrd adds one more ">" per level) — undo one level.  Only
        # here: without the envelope line, ">From " may be a real quote.
        raw = _MBOX_FROM_RE.sub(rb"\1", raw)
    try:
        message = _large_single_part(raw) or email.message_from_bytes(raw)
    except Exception as error:  # a multipart nested beyond the recursion limit
        return MimeMail(
            (), decode_bytes(raw, None), False, (), (), (f"email: {type(error).__name__}",)
        )
    try:
        return from_message(message)
    except Exception as error:
        defect = f"mime walk: {type(error).__name__}"
        return MimeMail((), decode_bytes(raw, None), False, (), (), (defect,))
