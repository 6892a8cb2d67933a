"""Cutting a plain-text body into the messages of its reply or forward chain.

Owns the recursion: find the first boundary (see `quotes.py`), keep what is above it
as this level's own words, and read what is below it as the earlier message, which may
itself quote an even earlier one.  Quoted "> " levels are unwrapped one at a time.
Inline (interleaved) replies keep their quotes, because the reply cannot be read
without them; only the attribution line goes.  Signatures are cut per message by
`signatures.py`; names without addresses are resolved against an address book the
caller builds from the mail's own headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from mailfeed.parsers.headers import name_key
from mailfeed.parsers.marks import Marks, Shape, Work, classify, classify_line, fill, is_quoted
from mailfeed.parsers.model import ChainMessage, Person
from mailfeed.parsers.quotes import (
    Boundary,
    find_boundary,
    quoted_mail,
    unflatten_header_lines,
    unquote,
)
from mailfeed.parsers.signatures import list_footer_start, strip_signature

MAX_DEPTH = 40  # deeper chains are real but rare; the rest stays in the oldest body


@dataclass(frozen=True)
class Segment:
    """One level of the chain: how it was introduced and its raw own text."""

    boundary: Boundary | None  # None for the outermost (this mail's own) text
    text: str


def _blank(lines: list[str]) -> bool:
    return not any(line.strip() for line in lines)


def _quote_runs(marks: Marks) -> list[tuple[int, int]]:
    """[start, end) of each run of quoted lines (blank lines inside a run belong to it)."""
    runs: list[tuple[int, int]] = []
    k = 0
    while k < len(marks):
        if marks[k].shape is Shape.QUOTED:
            start = k
            last = k
            while k < len(marks) and marks[k].shape in (Shape.QUOTED, Shape.BLANK):
                if marks[k].shape is Shape.QUOTED:
                    last = k
                k += 1
            runs.append((start, last + 1))
        else:
            k += 1
    return runs


def _quote_run_end(lines: list[str], start: int) -> int:
    """The end of the run of quoted (and blank) lines from `start` (the shape test of
    `marks.classify_line`, inline: the run is often the whole rest of a 10 MB mail)."""
    return next(
        (
            k
            for k in range(start, len(lines))
            if lines[k][:1] != ">" and lines[k].strip() and not is_quoted(lines[k])
        ),
        len(lines),
    )


def _bottom_post(
    own: list[str],
    rest: list[str],
    rest_marks: Marks,
    boundary: Boundary,
    depth: int,
    work: Work | None,
) -> list[Segment] | None:
    """A reply written below (or between) the quote of the earlier message.

    Nothing above the attribution and one quote block followed by new text is a
    bottom-post: the quote is the earlier message.  New text above as well, or several
    quote blocks alternating with new text, is an inline reply, whose quotes stay as
    context because the answers cannot be read without them.  A quote block after the
    last new words (before the signature at most) is history either way.
    """
    fill(rest_marks, rest, len(rest), work)
    runs = _quote_runs(rest_marks)
    if not runs or not _blank(rest[: runs[0][0]]):
        return None
    last_start, last_end = runs[-1]
    if _only_signature(rest[last_end:]):
        rest = rest[:last_start]
        runs = runs[:-1]
    if not runs or _blank(rest[runs[-1][1] :]):
        return None
    quoted = [line for k, line in enumerate(rest) if rest_marks[k].shape is Shape.QUOTED]
    earlier = _split_lines(unquote(quoted), depth + 1, work)
    if len(runs) == 1 and _greeting_only(own):
        # The Bat! and others open with "Hello Anna," above the attribution: a greeting
        # is no answer, so this is still a bottom-post, and the greeting is the reply's.
        start, end = runs[0]
        kept = own + rest[:start] + rest[end:]
        own_text = "\n".join(
            line for k, line in enumerate(kept) if line.strip() or k == 0 or kept[k - 1].strip()
        )
    else:
        own_text = "\n".join(own + rest)
    return [Segment(None, own_text), *_introduce(earlier, boundary)]


_SALUTATION_RE = re.compile(r"^\s*[^\W\d_][^\n.?]{0,40}[,!]\s*$")


def _greeting_only(own: list[str]) -> bool:
    """Nothing above the attribution, or only a salutation line ("Hello Anna,")."""
    content = [line for line in own if line.strip()]
    return not content or (
        len(content) == 1
        and len(content[0].split()) <= 4
        and bool(_SALUTATION_RE.match(content[0]))
    )


def _only_signature(lines: list[str]) -> bool:
    first = next((line for line in lines if line.strip()), None)
    return first is None or bool(re.match(r"^(--|-- |_{3,}|-{4,})\s*$", first))


def split_segments(text: str, work: Work | None = None) -> list[Segment]:
    """Segments of a body, newest first.

    A mailing list's footer at the very end (below the quotes too) is set aside before
    the chain is read and given back to the newest message, whose signature cutter
    removes it: it belongs to no message of the chain."""
    lines = text.split("\n")
    footer_at = list_footer_start(lines)
    footer = lines[footer_at:] if footer_at is not None else []
    if footer_at is not None:
        lines = lines[:footer_at]
    segments = _split_lines(unflatten_header_lines(lines), 0, work)
    if footer:
        newest = segments[0]
        segments[0] = Segment(newest.boundary, "\n".join([newest.text, "", *footer]))
    return segments


def _split_lines(
    lines: list[str], depth: int, work: Work | None, known: Marks | None = None
) -> list[Segment]:
    # Works on lists of lines, never re-joined text, so that a chain forty levels deep
    # in a 10 MB mail costs one pass per level over pointers, not over characters.
    # Each level's lines are classified once (`marks.classify`); the boundary is then
    # found over the marks.  `known`: marks of a prefix of `lines` that the level above
    # classified (a mark depends on its line alone), so that a chain whose levels are not
    # quoted (Outlook's header blocks) classifies each line once, not once per level.
    if depth >= MAX_DEPTH:
        return [Segment(None, "\n".join(lines))]
    if work is not None:
        work.carried += len(lines)
    marks = known if known is not None else classify(lines, work, 0)  # filled as read
    boundary = find_boundary(lines, marks=marks, work=work)
    if boundary is None:
        # Quotes between new text without an attribution stay as the reply's context:
        # nothing says whose words they are.
        return [Segment(None, "\n".join(lines))]
    own = lines[: boundary.start]
    rest = lines[boundary.body_start :]
    rest_marks = marks[boundary.body_start :]
    if boundary.first_line is not None:
        rest = [boundary.first_line, *rest]
        rest_marks = classify(rest, work, 0)
    if depth == 0 and boundary.kind == "attribution" and _blank(own) and not _starts_quoted(rest):
        # An attribution on top of unquoted text with nothing above it: mobile clients
        # put the header of the mail answered above the answer.  A reply is never empty,
        # so the text below is the new message.
        return _split_lines(rest, depth + 1, work)
    if boundary.kind == "header" and classify_line(lines[boundary.start]).separator in (
        "forward",
        "framed",
    ):
        closing = _closing_rule(rest)
        if closing is not None:
            # "----- End forwarded message -----" and the forwarder's words after it
            own = [*own, "", *rest[closing + 1 :]]
            rest = rest[:closing]
    if boundary.stop is not None:
        # the writer's own words go on below the quoted mail
        below = lines[boundary.stop :]
        own = [*own, "", *below] if not _blank(own) else below
        rest = lines[boundary.body_start : boundary.stop]
    if boundary.kind == "quote":
        unquoted = unquote(rest)
        if depth == 0 and _blank(own) and not _opens_with_boundary(unquoted, work):
            return [Segment(None, "\n".join(lines))]  # a mail that is only a quote: keep it
        inner = _split_lines(unquoted, depth + 1, work)
        return [Segment(None, "\n".join(own)), *_introduce(inner, boundary)]
    first = next((k for k, line in enumerate(rest) if line.strip()), None)
    if first is not None and is_quoted(rest[first]):
        end = _quote_run_end(rest, first)
        after = rest[end:]
        if (
            not _blank(after)
            and boundary.kind == "separator"
            and quoted_mail(rest, first, work) is not None
        ):
            # "Begin forwarded message:" over a quoted mail, the forwarder's words below
            own = [*own, "", *after]
            after = []
        if not _blank(after):
            later = find_boundary(after, marks=rest_marks[end:], work=work)
            if later is None or _tail_is_reply(after, later):
                bottom = _bottom_post(own, rest, rest_marks, boundary, depth, work)
                if bottom is not None:
                    return bottom
        rest = unquote(rest[:end]) + after
        rest_marks = classify(rest, work, 0)  # other lines now: classified anew
    inner = _split_lines(rest, depth + 1, work, rest_marks)
    return [Segment(None, "\n".join(own)), *_introduce(inner, boundary)]


_CLOSING_SPAN = 60  # lines from the end where a forward's closing rule is looked for


def _closing_rule(rest: list[str]) -> int | None:
    """The line that closes a forwarded mail framed by an opening marker, when the
    forwarder wrote on below it: the last rule or framed line ("----- Fin del mensaje
    reenviado -----", a rule of dashes) near the end, with the forwarded text above it
    and only plain text (no header block, no quote) below.  Reads a bounded tail."""
    for k in range(len(rest) - 1, max(-1, len(rest) - _CLOSING_SPAN), -1):
        mark = classify_line(rest[k])
        if mark.shape is Shape.QUOTED or mark.header is not None or mark.label is not None:
            return None
        if mark.separator in ("rule", "framed", "forward", "original"):
            if _blank(rest[:k]) or _blank(rest[k + 1 :]):
                return None
            return k
    return None


def _opens_with_boundary(lines: list[str], work: Work | None) -> bool:
    """True when the text starts with an attribution or header block (a quoted mail)."""
    first = next((k for k, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return False
    found = find_boundary(lines[: first + 12], work=work)
    return found is not None and found.start == first and found.kind != "quote"


def _starts_quoted(lines: list[str]) -> bool:
    first = next((line for line in lines if line.strip()), None)
    return first is None or is_quoted(first)


def _tail_is_reply(after: list[str], found: Boundary) -> bool:
    """Text after a quote that is followed by another boundary (`found`) still belongs
    to the reply when it comes before that boundary (bottom-posting above an older
    forward)."""
    return found.start > 0 and not _blank(after[: found.start]) and found.kind == "quote"


def _introduce(inner: list[Segment], boundary: Boundary) -> list[Segment]:
    """Attach the boundary to the first inner segment.

    A bare quote or separator whose content starts right away with a header block adds
    nothing: the header block introduces the message better.
    """
    head, *tail = inner
    if tail and not head.text.strip() and boundary.kind in ("quote", "separator"):
        introduced = tail[0].boundary
        if boundary.forward and introduced is not None and not introduced.forward:
            # "Begin forwarded message:" over a quoted header block: a forward
            tail[0] = Segment(replace(introduced, forward=True), tail[0].text)
        return tail
    if (
        tail
        and not head.text.strip()
        and boundary.kind == "attribution"
        and tail[0].boundary is not None
        and tail[0].boundary.kind == "header"
    ):
        return tail
    return [Segment(boundary, head.text), *tail]


class AddressBook:
    """Display names → addresses, from the headers the mail itself carries."""

    def __init__(self) -> None:
        self._by_name: dict[str, str] = {}

    def add(self, person: Person) -> None:
        if person.name and person.email:
            self._by_name.setdefault(name_key(person.name), person.email)

    def resolve(self, person: Person) -> Person:
        if person.email or not person.name:
            return person
        email = self._by_name.get(name_key(person.name))
        return Person(person.name, email) if email else person


def fill_book(book: AddressBook, segments: list[Segment]) -> None:
    for segment in segments:
        b = segment.boundary
        if b is not None:
            for person in (b.author, *b.to, *b.cc):
                book.add(person)


def _reader(
    segments: list[Segment], index: int, authors: list[Person], newest_to: tuple[Person, ...]
) -> Person:
    """Who "you" is in the attribution of segment `index`: whom the quoting message (one
    newer) was sent to — its own recipients when known, else, in a back-and-forth, the
    author it answered (two newer)."""
    quoting = segments[index - 1].boundary
    recipients = newest_to if quoting is None else quoting.to
    if len(recipients) == 1:
        return recipients[0]
    if quoting is not None and index >= 2 and not recipients:
        return authors[index - 2]
    return Person(None, None)


def build_chain(
    segments: list[Segment],
    newest_author: Person,
    newest_date: str | None,
    book: AddressBook,
    newest_subject: str | None = None,
    newest_to: tuple[Person, ...] = (),
    work: Work | None = None,
) -> list[ChainMessage]:
    """ChainMessages, oldest first; segments come newest first.

    `newest_to` are the recipients of the newest message, whom its attribution may call
    "you".
    """
    messages = []
    authors: list[Person] = []
    for index, segment in enumerate(segments):
        b = segment.boundary
        to: tuple[Person, ...]
        cc: tuple[Person, ...]
        if b is None:
            author, date, subject, to, cc = newest_author, newest_date, newest_subject, (), ()
        else:
            author = book.resolve(b.author)
            if b.addressee and index > 0:
                author = book.resolve(_reader(segments, index, authors, newest_to))
            date, subject, to, cc = b.date, b.subject, b.to, b.cc
        body, trimmed = strip_signature(segment.text, author.name, work)
        if index == 0 and b is None:
            author = book.resolve(author)
        authors.append(author)
        messages.append(
            ChainMessage(
                author=author,
                date=date,
                body=body,
                trimmed=trimmed,
                subject=subject,
                to=tuple(book.resolve(p) for p in to),
                cc=tuple(book.resolve(p) for p in cc),
            )
        )
    messages.reverse()
    return messages
