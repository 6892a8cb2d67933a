"""Who a mail is from and to, read from the address part of its headers only.

An address header is a list of mailboxes, each a display name and an addr-spec
(RFC 5322 §3.4).  Only the addr-spec says who someone is: `"vd@firma.se"
<attacker@evil.example>` is attacker@evil.example, and `=?utf-8?q?Erik=2C_ceo=40…?=
<erik.ek@…>` is one mailbox, Erik's, whatever its decoded name holds.  So the list is
split and the addr-spec found on the raw, undecoded value; only then are names decoded
(RFC 2047 §5: an encoded-word may stand in a display name, never in an addr-spec).

Linear in the header's length, and pure.
"""

from __future__ import annotations

import re

from mailfeed.parsers.mime import decode_words
from mailfeed.parsers.model import Person

ADDRESS_HEADERS = ("from", "to", "cc", "reply-to")
_ADDR_SPEC = re.compile(r"[^\s<>()\[\]\",;:@]+@[^\s<>()\[\]\",;:@]+")
_EMAIL_IN_NAME = re.compile(r"[^\s<>()\[\]\",;:@]+@[\w-]+(?:\.[\w-]+)+")
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_GROUP = re.compile(r'^[^@<>"]*:|;$')
_FOLD = re.compile(r"\r?\n[ \t]+")


def raw_address_headers(raw: bytes) -> dict[str, str]:
    """The first From/To/Cc/Reply-To of a raw mail, unfolded but not decoded."""
    raw = raw.lstrip(b"\r\n\t ")
    if raw.startswith(b"From "):  # an mbox envelope line, as `read_mime` skips it
        raw = raw.split(b"\n", 1)[1] if b"\n" in raw else b""
    end = _HEADER_END.search(raw)
    head = raw[: end.start()] if end else raw
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = head.decode("cp1252", "replace")
    found: dict[str, str] = {}
    for line in _FOLD.sub(" ", text).splitlines():
        name, sep, value = line.partition(":")
        key = name.strip().lower()
        if sep and key in ADDRESS_HEADERS and key not in found:
            found[key] = value.strip()
    return found


def _split(value: str, separators: str) -> list[str]:
    """Split at separators outside quotes, angle brackets and comments."""
    items: list[str] = []
    start = depth = 0
    quoted = angle = escaped = False
    for i, char in enumerate(value):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif quoted:
            quoted = char != '"'
        elif char == '"':
            quoted = True
        elif char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif depth:
            continue
        elif char == "<":
            angle = True
        elif char == ">":
            angle = False
        elif char in separators and not angle:
            items.append(value[start:i])
            start = i + 1
    items.append(value[start:])
    return [item.strip() for item in items if item.strip()]


def _strip_comments(text: str) -> str:
    return re.sub(r"\([^()]*\)", " ", text)


def _name(text: str) -> str | None:
    text = decode_words(_strip_comments(text)).strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    text = " ".join(text.strip(" '\"").split())
    return text or None


def _mailbox(item: str) -> Person:
    """One mailbox: the addr-spec inside <…>, or a bare addr-spec; never one in a name."""
    angle = item.rfind("<")
    if angle >= 0:
        close = item.find(">", angle)
        inside = item[angle + 1 : close if close >= 0 else len(item)].strip()
        if inside.lower().startswith("mailto:"):
            inside = inside[7:]
        spec = _ADDR_SPEC.fullmatch(inside)
        return Person(_name(item[:angle]), spec.group(0).lower() if spec else None)
    bare = _strip_comments(item).strip()
    if _ADDR_SPEC.fullmatch(bare):
        return Person(None, bare.lower())
    # "Anna Berg anna@firma.se": a bare address written after a name, the only one.
    words = bare.split()
    if len(words) > 1 and _ADDR_SPEC.fullmatch(words[-1]) and not any("@" in w for w in words[:-1]):
        return Person(_name(" ".join(words[:-1])), words[-1].lower())
    return Person(_name(item), None)


def header_people(value: str) -> tuple[Person, ...]:
    """The mailboxes of one raw address header value (From, To, Cc, Reply-To).

    Outlook separates with ';' and leaves commas in names ("Berg, Anna <a@b>"); a
    ','-separated piece without any address is such a name's first half.
    """
    items = _split(value, ";")
    if len(items) < 2:
        items = _split(value, ",")
    merged: list[str] = []
    for item in items:
        item = _GROUP.sub("", item).strip()  # RFC 5322 §3.4 group: "Team: a@b, c@d;"
        if not item:
            continue
        if merged and "@" not in merged[-1] and "<" not in merged[-1]:
            merged[-1] = f"{merged[-1]}, {item}"
        else:
            merged.append(item)
    return tuple(p for p in (_mailbox(item) for item in merged) if p.name or p.email)


def name_looks_like_address(person: Person) -> bool:
    """A display name holding an address other than the mailbox's own: a disguise."""
    if not person.name:
        return False
    return any(found.lower() != person.email for found in _EMAIL_IN_NAME.findall(person.name))
