"""The entry points: `parse_mail(raw)` and `parse_text(text)` → `ParsedMail`.

Owns putting the pieces together: the MIME layer (`mime.py`), the chain split
(`chains.py`), subjects, participants, language and the question signal.  Pure and
total: no I/O, no clock, deterministic, and it never raises; problems go to `defects`.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from mailfeed.parsers.addresses import (
    header_people,
    name_looks_like_address,
    raw_address_headers,
)
from mailfeed.parsers.chains import AddressBook, Segment, build_chain, fill_book, split_segments
from mailfeed.parsers.headers import clean, parse_date, parse_people, parse_person
from mailfeed.parsers.locales import LANGUAGE_WORDS
from mailfeed.parsers.marks import Work
from mailfeed.parsers.mime import MimeMail, read_mime
from mailfeed.parsers.model import ChainMessage, ParsedMail, Person
from mailfeed.parsers.questions import asks
from mailfeed.parsers.signatures import strip_signature
from mailfeed.parsers.subjects import is_forward_subject, is_reply_subject, normalize_subject

NOBODY = Person(None, None)
QUESTION_SCAN = 20_000  # a question is asked early; bounds the time on huge bodies
_ID_RE = re.compile(r"<([^<>\s]+)>")


def _ids(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    found = _ID_RE.findall(value)
    return tuple(found) if found else tuple(value.split())


def guess_language(text: str, own: str = "") -> str:
    """A simple best guess from frequent words; Swedish wins ties (our users' default).

    `own` is the writer's own words, weighted up: a Swede answering an English chain
    should be answered in Swedish.
    """
    words = Counter(re.findall(r"[^\W\d_]+", text[:20000].casefold()))
    for word in re.findall(r"[^\W\d_]+", own[:5000].casefold()):
        words[word] += 3
    scores = {lang: sum(words[w] for w in vocab) for lang, vocab in LANGUAGE_WORDS.items()}
    best = max(scores, key=lambda lang: (scores[lang], lang == "sv", lang == "en"))
    return best if scores[best] else "en"


def _normalize_text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _first_boundary_is_forward(segments: list[Segment], subject: str | None) -> bool:
    if len(segments) < 2 or segments[1].boundary is None:
        return False
    boundary = segments[1].boundary
    if boundary.forward:
        return True
    if boundary.forward_unless_reply:
        return not is_reply_subject(subject)
    # Outlook writes forwards with the same "From:/Sent:" block as replies; only the
    # subject ("VB:", "FW:", "WG:") tells them apart.
    return boundary.kind == "header" and is_forward_subject(subject)


def _split(
    text: str,
    author: Person,
    date: str | None,
    subject: str | None,
    book: AddressBook,
    embedded_chain: list[ChainMessage],
    to: tuple[Person, ...] = (),
    work: Work | None = None,
) -> tuple[list[ChainMessage], str | None, bool]:
    """(chain oldest first, forwarder's note or None, is_forward)."""
    segments = split_segments(_normalize_text(text), work)
    fill_book(book, segments)
    forward = _first_boundary_is_forward(segments, subject) or (
        bool(embedded_chain) and len(segments) == 1
    )
    if forward:
        note, _trimmed = strip_signature(segments[0].text, author.name, work)
        earlier = (
            build_chain(segments[1:], author, date, book, work=work) if len(segments) > 1 else []
        )
        return embedded_chain + earlier, note or None, True
    readers = tuple(p for p in to if p.email != author.email or p.email is None)
    chain = build_chain(segments, author, date, book, subject, readers, work)
    return embedded_chain + chain, None, False


def _asks(chain: Sequence[ChainMessage], subject: str) -> bool:
    """The policy's question signal (`chain_signals(...).question`, which reads the
    subject as the root's first line), on the root's first QUESTION_SCAN characters."""
    if not chain:
        return False
    return asks([replace(chain[0], body=chain[0].body[:QUESTION_SCAN])], subject)


def _participants(people: list[Person]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for person in people:
        if person.email:
            seen.setdefault(person.email.lower(), None)
    return tuple(seen)


def parse_text(text: str, work: Work | None = None) -> ParsedMail:
    """Understand a bare plain-text body (no headers): authors only where the text says.

    `work`, when given, counts the lines the understanding stage reads (tests use it to
    prove that stage linear)."""
    try:
        book = AddressBook()
        chain, note, forward = _split(text, NOBODY, None, None, book, [], work=work)
        defects: tuple[str, ...] = ()
    except RecursionError:
        chain, note, forward, defects = [], None, False, ("too deeply nested",)
    if not chain and not forward:
        chain = [ChainMessage(NOBODY, None, text.strip())]
    new_text = note if forward else chain[-1].body
    return ParsedMail(
        message_id=None,
        subject="",
        raw_subject="",
        sender=NOBODY,
        date=None,
        chain=tuple(chain),
        new_text=new_text or "",
        note=note,
        participants=_participants([m.author for m in chain]),
        is_forward=forward,
        is_question=_asks(chain, ""),
        language=guess_language(text, new_text or ""),
        defects=defects,
        content_hash=hashlib.sha256(text.encode("utf-8", "replace")).hexdigest(),
    )


def _header(mime: MimeMail, name: str) -> str | None:
    for key, value in mime.headers:
        if key == name:
            return value
    return None


_ADDRESS_HEADERS = ("from", "to", "cc", "reply-to")


def _people(mime: MimeMail) -> dict[str, tuple[Person, ...]]:
    """The people of each address header, parsed once per message."""
    return {name: tuple(parse_people(_header(mime, name) or "")) for name in _ADDRESS_HEADERS}


def _mime_chain(
    mime: MimeMail,
    book: AddressBook,
    people: dict[str, tuple[Person, ...]] | None = None,
    work: Work | None = None,
) -> tuple[list[ChainMessage], str | None, bool]:
    """Chain of one MIME message, including messages attached as message/rfc822."""
    if people is None:
        people = _people(mime)
        sender = parse_person(_header(mime, "from") or "")
    else:  # the outer mail: its From's addr-spec, never an address found in a name
        sender = people["from"][0] if people["from"] else NOBODY
    for name in _ADDRESS_HEADERS:
        for person in people[name]:
            book.add(person)
    embedded: list[ChainMessage] = []
    for inner in mime.embedded:
        inner_chain, inner_note, _ = _mime_chain(inner, book, work=work)
        embedded.extend(inner_chain)
        if inner_note:
            embedded.append(
                ChainMessage(
                    parse_person(_header(inner, "from") or ""),
                    parse_date(_header(inner, "date") or ""),
                    inner_note,
                    subject=_header(inner, "subject"),
                )
            )
    date = parse_date(_header(mime, "date") or "")
    subject = _header(mime, "subject")
    chain, note, forward = _split(
        mime.text, book.resolve(sender), date, subject, book, embedded, people["to"], work
    )
    message_id = _ids(_header(mime, "message-id"))
    if chain and not forward:
        newest = chain[-1]
        chain[-1] = ChainMessage(
            newest.author,
            newest.date,
            newest.body,
            newest.trimmed,
            newest.subject,
            message_id[0] if message_id else None,
            people["to"],
            people["cc"],
        )
    return chain, note, forward


def parse_mail(raw: bytes, work: Work | None = None) -> ParsedMail:
    """Understand one raw RFC 5322 mail.  Never raises.

    `work`, when given, counts the lines the understanding stage reads."""
    content_hash = hashlib.sha256(raw).hexdigest()
    mime = read_mime(raw)
    defects = list(mime.defects)
    book = AddressBook()
    headers = raw_address_headers(raw)
    people = {name: header_people(headers.get(name, "")) for name in _ADDRESS_HEADERS}
    for name in _ADDRESS_HEADERS:
        if any(name_looks_like_address(p) for p in people[name]):
            defects.append(f"display name looks like an address: {name}")
    try:
        chain, note, forward = _mime_chain(mime, book, people, work)
    except RecursionError:
        defects.append("too deeply nested")
        chain, note, forward = [], None, False
    # Only the From's addr-spec names the sender: no guess from a name in quoted text.
    sender = people["from"][0] if people["from"] else NOBODY
    to, cc = people["to"], people["cc"]
    raw_subject = _header(mime, "subject") or ""
    message_ids = _ids(_header(mime, "message-id"))
    in_reply_to = _ids(_header(mime, "in-reply-to"))
    forward = forward or (bool(mime.embedded) and is_forward_subject(raw_subject))
    if not chain and not forward:
        chain = [ChainMessage(sender, parse_date(_header(mime, "date") or ""), "")]
    new_text = (note or "") if forward else (chain[-1].body if chain else "")
    everyone = [sender, *to, *cc, *(m.author for m in chain)]
    subject = normalize_subject(raw_subject)
    return ParsedMail(
        message_id=message_ids[0] if message_ids else None,
        subject=subject,
        raw_subject=raw_subject,
        sender=sender,
        date=parse_date(_header(mime, "date") or ""),
        chain=tuple(chain),
        new_text=new_text,
        note=note if forward else None,
        participants=_participants(everyone),
        to=to,
        cc=cc,
        reply_to=people["reply-to"],
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=_ids(_header(mime, "references")),
        thread_index=_header(mime, "thread-index"),
        headers=mime.headers,
        is_forward=forward,
        is_question=_asks(chain, subject),
        language=guess_language(clean(mime.text[:20000]), new_text),
        attachments=mime.attachments,
        html=mime.html,
        defects=tuple(defects),
        content_hash=content_hash,
    )
