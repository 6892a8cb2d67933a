"""Finding where an earlier message starts inside a plain-text body.

Owns the recognition of *boundaries*: attribution lines ("On … wrote:", "Den … skrev
…:", wrapped over up to three lines), localized header blocks (Outlook, OWA, Gmail and
Apple forwards, Thunderbird), "-----Original Message-----" / forward markers and
underscore rules, and runs of "> " quoted lines.  It reports where the boundary is and
what the boundary says about the earlier message (author, date, subject, recipients);
cutting the text into a chain is `chains.py`'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from mailfeed.parsers.headers import (
    EMAIL_RE,
    clean,
    header_line,
    names_a_mailbox,
    parse_date,
    parse_people,
    parse_person,
)
from mailfeed.parsers.locales import (
    FROM_LABELS,
    HEADER_FIELDS,
    NAME_NOISE,
    WEEKDAYS,
    WROTE_VERBS,
)
from mailfeed.parsers.marks import (
    LineMark,
    Marks,
    Shape,
    Work,
    classify,
    fill,
    is_quoted,
)
from mailfeed.parsers.model import Person

NOBODY = Person(None, None)


@dataclass(frozen=True)
class Boundary:
    """Where an earlier message starts: lines [start, body_start) are its header."""

    kind: str  # "attribution" | "header" | "separator" | "quote"
    start: int
    body_start: int
    author: Person = NOBODY
    date: str | None = None
    subject: str | None = None
    to: tuple[Person, ...] = ()
    cc: tuple[Person, ...] = ()
    forward: bool = False
    # Thunderbird's "-------- Original Message --------" above a Subject/Date/From/To
    # table: written for inline forwards, and for replies only under a non-default
    # option; a forward unless the mail's own subject says it is a reply ("Re:").
    forward_unless_reply: bool = False
    # The attribution names the reader ("…, you wrote:", The Bat!): the author is the
    # person the quoting message was sent to, which only the caller knows.
    addressee: bool = False
    # Text squashed onto the attribution line after its colon (Yahoo's Android plain
    # text): the first line of the earlier message's body.
    first_line: str | None = None
    # A quoted mail with the writer's own text below it ("Begin forwarded message:" over
    # a "> From: …" block, then the forwarder's question): lines from `stop` on are the
    # quoting writer's again.
    stop: int | None = None


_VERBS = "|".join(re.escape(v) for v in sorted(WROTE_VERBS, key=len, reverse=True))
# A gender suffix in parentheses belongs to the verb ("napsal(a)", "написал(а)",
# "escreveu(a)"): it is not the author's name.
_GENDER = r"(?:\s?\(-?(?:a|а|la|ла|o|ό)\))?"
_VERB_RE = re.compile(r"(?<!\w)((?:" + _VERBS + r")" + _GENDER + r")(?!\w)", re.IGNORECASE)
# Words that open an attribution in the languages we read.
# A weekday only counts when a date follows ("ti 24.11.2026", "ons 4 dec."): short
# weekday names are also common words ("to", "ma", "do").
_LEAD_WORD_RE = re.compile(
    r"^\W{0,3}(?:(?:on|den|am|le|el|op|il giorno|il|w dniu|dnia|em|på|dne|the|в|у|在)(?!\w)"
    r"|\d{1,4}(?!\w))",
    re.IGNORECASE,
)
# A weekday (any CLDR locale's) and a date after it: "ti 24.11.2026", "Τρί 24 Νοε".
_WEEKDAY_LEAD_RE = re.compile(r"^\W{0,3}([^\W\d_]+)\.?,?\s+\d")


def _leads(text: str) -> bool:
    """Whether the text opens like an attribution: "On/Den/Am …", a number, or a weekday
    followed by a date."""
    if _LEAD_WORD_RE.match(text):
        return True
    weekday = _WEEKDAY_LEAD_RE.match(text)
    return weekday is not None and weekday.group(1).lower() in WEEKDAYS


# A clock time with its meridiem and zone, e.g. "9:12 AM", "20.42", "10:23 (CET)".
_TIME_RE = re.compile(
    r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:[aApP]\.?\s?[mM]\.?)?"
    r"(?:\s*\(?(?:[A-Z]{1,4}T|UTC|GMT)?(?:[+-]\d{1,2}(?::?\d{2})?)?\)?)?,?"
)
# Thunderbird frames its marker with eight dashes on each side ("-------- Original Message
# --------", "-------- Originalnachricht --------"); Outlook's reply marker has five.
_MOZ_MARKER_RE = re.compile(r"^\s*-{8}\s+[^-\n]+?\s+-{8}\s*$")


_CLOCK_RE = re.compile(r"(?<!\d)\d{1,2}[:.]\d{2}(?!\d)")
_SUPERCITE_RE = re.compile(r"^[A-Z][A-Za-z]{0,2}>")
_NOISE_RE = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(w) for w in NAME_NOISE) + r")(?!\w)", re.IGNORECASE
)
_VERB_ONLY_RE = re.compile(
    r"^\s*>?\s*((?:" + _VERBS + r")" + _GENDER + r")\s*[:：]\s*$", re.IGNORECASE
)
_CLOSING_BRACKET_RE = re.compile(r"^\s*>\s*[:：]\s*$")
# GroupWise: ">>> Anna Berg 2026-11-24 09:12 >>>", '>>> "Anna Berg" <a@b> 11/24/2026 9:12 AM >>>'.
_GROUPWISE_RE = re.compile(
    r"^\s*>>>\s*(?P<who>[^>\d\s][^\n]*?)\s+(?P<when>\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}[^>]*?)"
    r"\s*>>>\s*$"
)
# mutt's configurable "* Name <a@b> [2026-11-24 09:12 +0100]:" (also "[261124 09:12]").
_BRACKET_DATED_RE = re.compile(
    r"^\s*(?:\*\s*)?(?P<who>[^\s\[\]>*][^\[\]]{0,120}?)\s*\[(?P<when>[^\[\]]{6,60})\]\s*[:：]\s*$"
)
_YYMMDD_RE = re.compile(r"^(\d{2})(\d{2})(\d{2})(?=\s|$)")
# "…wrote:   Hi all," — an attribution with the first line of the quoted text after it.
_SQUASHED_RE = re.compile(
    r"(?<!\w)(?:" + _VERBS + r")(?:[ \t][^:：\n]{1,80}?)?\s*[:：][ \t]+(?=\S)", re.IGNORECASE
)
_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
# Second-person words an attribution uses for the reader ("Tuesday, …, you wrote:").
_READER_WORDS = frozenset(
    (
        "you",
        "du",
        "ni",
        "dig",
        "sie",
        "vous",
        "tu",
        "usted",
        "ustedes",
        "jij",
        "u",
        "voi",
        "ty",
        "wy",
        "sinä",
        "te",
    )
)
# Gmail writes it with an ISO date, and in Japanese/Chinese with a CJK date and weekday:
# "2026年11月24日(火) 9:12 Name <a@b>:", "2026年11月24日周二 上午9:12 Name <a@b>:".
_DATED_NAME_RE = re.compile(
    r"^\s*(?P<when>(?:\d{4}[-/]\d{1,2}[-/]\d{1,2}"
    r"|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:[(（][^)）\d]{1,3}[)）]|(?:周|週|星期)\w)?)"
    r"(?:\s*(?:上午|下午|午前|午後)?\s*\d{1,2}:\d{2}(?::\d{2})?)?"
    r"(?:\s*(?:GMT|UTC)?[+-]\d{1,2}:?\d{2})?)\s+(?P<who>[^\d\s<][^:：]{0,80}?)\s*[:：]?\s*$"
)


def _label(lines: list[str], marks: Marks | None, k: int) -> tuple[str, str] | None:
    if marks is None:
        return header_line(lines[k])
    label = marks[k].header
    return None if label is None else (label.field, label.value)


def header_block(
    lines: list[str], i: int, marks: Marks | None = None
) -> tuple[int, dict[str, str]] | None:
    """(end, fields) when a quoted header block starts at line i.

    Needs a From field plus a date, subject or To field; allows folded values
    (addresses continued on the next lines) and single blank lines between fields,
    which HTML-to-text conversion of Outlook blocks produces.
    """
    first = _label(lines, marks, i)
    if first is None:
        return None
    fields: dict[str, str] = {first[0]: first[1]}
    last_field = first[0]
    j = end = i + 1
    limit = min(len(lines), i + 30)
    while j < limit:
        line = lines[j]
        parsed = _label(lines, marks, j)
        if parsed is not None:
            if parsed[0] in fields:
                break
            fields[parsed[0]] = parsed[1]
            last_field = parsed[0]
            j = end = j + 1
            continue
        following = lines[j + 1] if j + 1 < limit else None
        if not line.strip():
            # one blank line may separate fields; two end the block
            upcoming = _label(lines, marks, j + 1) if following is not None else None
            if upcoming is not None and upcoming[0] not in fields:
                j += 1
                continue
            break
        if not _folded(
            last_field, line, _label(lines, marks, j + 1) if following is not None else None
        ):
            break
        fields[last_field] += " " + line.strip()
        j = end = j + 1
    if "from" not in fields or not ("date" in fields or {"to", "subject"} <= fields.keys()):
        return None
    sender = fields["from"].strip()
    if "@" not in sender and (len(sender.split()) > 6 or sender.endswith((".", "!", "?"))):
        return None  # "From: my side it's fine." is prose, not a sender
    return end, fields


def _any_header_block(lines: list[str], i: int, marks: Marks) -> tuple[int, dict[str, str]] | None:
    """A header block by its labels (`header_block`) or by its shape (`shaped_block`),
    whichever reads further: known labels may stop at the first unknown one."""
    known = header_block(lines, i, marks)
    shaped = shaped_block(lines, i, marks)
    if shaped is not None and (known is None or shaped[0] > known[0]):
        return shaped
    return known


def shaped_block(lines: list[str], i: int, marks: Marks) -> tuple[int, dict[str, str]] | None:
    """(end, fields) of a header block in a language whose labels we do not know.

    Read by shape: three to six `Label: value` lines (single blank lines between them
    allowed), one of the first two naming an address (the sender), one holding a date;
    further addresses are the recipients (To, then Cc) and a value with neither is the
    subject.  Lotus Notes' canonical names ("Name/Org/Domain@Domain") count as
    addresses.  Known labels keep their field."""
    found: list[tuple[str, str]] = []
    j = end = i
    while j < len(lines) and len(found) < 7:
        mark = marks[j]
        label = mark.header or mark.label
        if label is None:
            if (
                mark.shape is Shape.BLANK
                and j + 1 < len(lines)
                and found
                and (marks[j + 1].header or marks[j + 1].label)
            ):
                j += 1
                continue
            break
        found.append((label.field, label.value))
        j = end = j + 1
    if not 3 <= len(found) <= 6:
        return None
    fields: dict[str, str] = {}
    for known, value in found:
        if known:
            field = known
        elif names_a_mailbox(value):
            field = next((f for f in ("from", "to", "cc") if f not in fields), "")
        elif re.search(r"\d", value) and parse_date(value) is not None:
            field = "date"
        else:
            field = "subject"
        if not field or field in fields:
            return None  # two subjects, or a fourth list of addresses: not a header block
        fields[field] = value
    # KMail puts Subject and Date first: the sender is one of the first three lines
    sender_first = [f for f, v in found[:3] if (f or "from") == "from" and names_a_mailbox(v)]
    if "from" not in fields or "date" not in fields or not sender_first:
        return None
    return end, fields


def _folded(field: str, line: str, following: tuple[str, str] | None) -> bool:
    """A value continued on the next line: addresses running on, or a subject wrapped
    just before the next field (`following` is that line's label, if it has one)."""
    if field in ("to", "cc", "from"):
        return bool(EMAIL_RE.search(line)) or line.rstrip().endswith((";", ","))
    return field == "subject" and len(line) < 80 and following is not None


def _author_from_attribution(text: str, verb: re.Match[str]) -> Person:
    after = text[verb.end() :]
    after = re.sub(r"(het volgende|following)?\s*[:：]\s*$", "", after, flags=re.IGNORECASE).strip()
    # "skrev Anna Berg <a@b>:" names after the verb; "bob wrote on 04/03/2012:" dates.
    if re.search(r"[^\W\d_]", after) and ("@" in after or not re.search(r"\d", after)):
        part = after
    else:
        part = text[: verb.start()]
        email = EMAIL_RE.search(part)
        times = list(_TIME_RE.finditer(part))
        if times:
            part = part[times[-1].end() :]
        elif email is None and "," in part:
            part = part.rsplit(",", 1)[1]
        elif email is not None:
            head = part[: email.start()]
            part = head.rsplit(",", 1)[-1] + part[email.start() :]
        # "a écrit", "ha scritto": auxiliaries stay behind the name
        part = re.sub(r"\s+(a|ha|hat|har|has)\s*$", "", part.strip(), flags=re.IGNORECASE)
        part = re.sub(
            r"^\W*(on|den|am|le|el|op|il|em|på)\s+", "", part.strip(), flags=re.IGNORECASE
        )
    part = _NOISE_RE.sub(" ", part)
    email = EMAIL_RE.search(part)
    head = part[: email.start()] if email else part
    bare = head.rstrip(" <([\"'\u202a\u202b\u202c")
    name = name_before(bare)
    if name != bare:
        part = name + part[len(bare) :]
    return parse_person(part)


def _attribution_end(line: str) -> bool:
    """Lines that can end an attribution: "…wrote:", "…skrev …:", "---- … wrote ----"."""
    line = line.rstrip()
    return line.endswith((":", "：", "--"))


def _continuation(lines: list[str], end: int) -> bool:
    """A wrapped "<address\n>:" ending: the '>' closes the address, it is no quote."""
    if _VERB_ONLY_RE.match(lines[end]):
        return True
    return (
        bool(_CLOSING_BRACKET_RE.match(lines[end]))
        and end > 0
        and lines[end - 1].count("<") > lines[end - 1].count(">")
    )


def _scattered(lines: list[str], end: int) -> tuple[int, Person, str | None] | None:
    """ "wrote:" alone on a line, its date and name some lines above, blank lines and
    address brackets in between (mobile Outlook wraps addresses that way)."""
    for start in range(end - 1, max(-1, end - 8), -1):
        line = clean(lines[start]).strip()
        if _leads(line) and re.search(r"\d", line):
            parts = [clean(lines[k]).strip() for k in range(start, end) if lines[k].strip()]
            text = " ".join(parts) + " " + clean(lines[end]).strip().lstrip("> ")
            verbs = list(_VERB_RE.finditer(text))
            verb = verbs[-1] if verbs else None  # the last "wrote" ends the attribution
            if verb is None:
                return None
            return start, _author_from_attribution(text, verb), parse_date(text)
    return None


def attribution(lines: list[str], end: int, marks: Marks) -> tuple[int, Person, str | None] | None:
    """(start, author, date) when lines [start, end] form an attribution line.

    The shape first: one to three unquoted, non-blank lines ending in a colon (or
    dashes) with a verb of writing, and a date, a clock time or an address in them."""
    last = clean(lines[end]).rstrip()
    if not _attribution_end(last) or len(last) > 400:
        return _dated_name(lines, end) if len(last) < 160 and last[:1].isdigit() else None
    wrapped = is_quoted(last) and _continuation(lines, end)
    if is_quoted(last) and not wrapped:
        return None
    if _VERB_ONLY_RE.match(last) and (end == 0 or not lines[end - 1].strip() or wrapped):
        return _scattered(lines, end)
    last = clean(last)
    if marks[end].header is not None and not _VERB_RE.search(last):
        return None
    candidates = []
    for size in (1, 2, 3):
        start = end - size + 1
        if start < 0 or any(
            marks[k].shape is Shape.BLANK or marks[k].shape is Shape.QUOTED and k != end
            for k in range(start, end + 1)
        ):
            break
        text = " ".join(clean(lines[k]).strip() for k in range(start, end + 1))
        if len(text) > 400:
            break
        candidates.append((start, text))
    leading = [c for c in reversed(candidates) if _leads(c[1].lstrip("- "))]
    for start, text in leading + candidates:
        verbs = list(_VERB_RE.finditer(text))
        verb = verbs[-1] if verbs else None  # the last "wrote" ends the attribution
        if verb is None:
            continue
        # Clients always write a clock time or an address, or open with "On/Den/Am…"
        # and a date; "In 2019 I wrote:" in prose has none of these.
        dated = (
            "@" in text
            or _CLOCK_RE.search(text) is not None
            or (_leads(text.lstrip("- ")) and re.search(r"\d", text) is not None)
        )
        if not dated and not _followed_by_quote(lines, end):
            continue
        if not dated and len(text) > 80:
            continue
        if not text[: verb.start()].strip() and not re.search(r"\w", text[verb.end() :]):
            continue
        text = text.strip(" -")
        return start, _author_from_attribution(text, verb), parse_date(text)
    known = _dated_name(lines, end) if last[:1].isdigit() else None
    if known is None and "[" in last:
        known = _bracket_dated(lines, end)
    if known is None:
        known = _shaped_attribution(lines, end, leading + candidates)
    return known if known is not None else _dated_name_by_shape(lines, end, candidates)


def _shaped_attribution(
    lines: list[str],
    end: int,
    candidates: list[tuple[int, str]],
) -> tuple[int, Person, str | None] | None:
    """An attribution known by its shape, in a language whose verb we do not know: one
    to three lines ending in a colon, naming an address and a clock time, directly above
    a quote ("Kovács Péter <p@x.hu> ezt írta (időpont: 2026. nov. 24., K, 9:12):"), or
    opening the text (Apple quotes the attribution with the mail: "> Wiadomość napisana
    przez Kasia <k@x> w dniu 24.11.2026, o godz. 09:12:")."""
    quoted = _followed_by_quote(lines, end) or _followed_by_indent(lines, end)
    for start, text in candidates:
        if len(text) > 300 or not EMAIL_RE.search(text) or not _CLOCK_RE.search(text):
            continue
        if not quoted and any(lines[k].strip() for k in range(start)):
            continue  # above unquoted text, only the first lines of a quoted mail (Apple)
        author = _author_by_shape(text)
        if author.email:
            return start, author, parse_date(text)
    return None


def _dated_name_by_shape(
    lines: list[str], end: int, candidates: list[tuple[int, str]]
) -> tuple[int, Person, str | None] | None:
    """A name-only attribution in a language whose verb we do not know: one line ending
    in a colon directly above a quote, a full date and a clock time first, then a name of
    capitalised words and at most three words of the verb ("2026-11-24 09:12, Gintarė
    Jankauskaitė rašė:", "Στις 24/11/2026 9:12 π.μ., ο/η Άννα Σταύρου έγραψε:").  Cased
    scripts only: without case nothing tells the name from the verb."""
    if not candidates or not _followed_by_quote(lines, end):
        return None
    start, text = candidates[0]
    if len(text) > 200 or "@" in text:
        return None
    times = list(_TIME_RE.finditer(text))
    date = parse_date(text) if times and _YEAR_RE.search(text) else None
    if date is None:
        return None
    words = text[times[-1].end() :].strip(" :：").split()
    verb = 0
    while words and verb < 3 and not words[-1][:1].isupper():
        words.pop()
        verb += 1
    name = name_before(" ".join(words).strip(" ,"))
    named = name.split()
    if not 1 <= len(named) <= 4 or not all(_cased(w) and w[:1].isupper() for w in named):
        return None
    return start, parse_person(name), date


_NAME_CUT_RE = re.compile(r"[,，、;]")


def _author_by_shape(text: str) -> Person:
    """The "Name <address>" of an attribution whatever its words: the name is what stands
    right before the address, after the last clock time or comma, without the lower-case
    words (articles, "user", "sender") that cased scripts put before names."""
    email = EMAIL_RE.search(text)
    if email is None:
        return NOBODY
    head = text[: email.start()].rstrip(" <([\"'\u202a\u202b\u202c")
    times = list(_TIME_RE.finditer(head))
    if times:
        head = head[times[-1].end() :]
    head = _NAME_CUT_RE.split(head)[-1]
    name = name_before(head).strip(" :-–—")
    return parse_person(f"{name} <{email.group(0)}>" if name else email.group(0))


def _cased(word: str) -> bool:
    return any(c.lower() != c.upper() for c in word)


def name_before(text: str) -> str:
    """The name that ends `text` (the words before an address or a verb), without the
    words of the attribution around it, in any language: in cased scripts the trailing
    run of capitalised words ("odesílatel Petra Dvořáková", "Wiadomość napisana przez
    Katarzyna Wiśniewska"; short particles inside stay: "Ludwig van Beethoven"), in
    scripts without case the last two words ("… بواسطة أحمد منصور", "מאת נועה כהן").
    Text without a capitalised word ("bob") is kept as it is."""
    words = text.split()
    if not words:
        return text
    if not any(_cased(w) for w in words):
        return " ".join(words[-2:]) if len(words) > 2 and not text.isascii() else text
    start = len(words)
    for k in range(len(words) - 1, -1, -1):
        word = words[k].strip("\"'()[]«»„“”")
        if word[:1].isupper():
            start = k
        elif start == len(words) or len(word) > 3 or not word.isalpha():
            break  # a short particle inside the name ("van", "de la") goes on
    if start == len(words):
        return text
    return " ".join(words[start:])


def groupwise(line: str) -> tuple[Person, str | None] | None:
    """GroupWise's attribution ">>> Anna Berg 2026-11-24 09:12 >>>": author and date."""
    match = _GROUPWISE_RE.match(clean(line))
    if match is None:
        return None
    date = parse_date(match.group("when"))
    author = parse_person(match.group("who"))
    if date is None or not (author.name or author.email):
        return None
    return author, date


def _bracket_dated(lines: list[str], end: int) -> tuple[int, Person, str | None] | None:
    """An attribution of a name and a bracketed date directly above a quote, as mutt
    users configure it: "* Björn Åkesson <b@c> [2026-11-24 09:12 +0100]:"."""
    match = _BRACKET_DATED_RE.match(clean(lines[end]))
    if match is None or not _followed_by_quote(lines, end):
        return None
    when = _YYMMDD_RE.sub(r"20\1-\2-\3", match.group("when").strip())
    date = parse_date(when)
    author = parse_person(match.group("who"))
    if date is None or not (author.name or author.email):
        return None
    return end, author, date


def squashed(line: str) -> tuple[Person, str | None, str] | None:
    """(author, date, text after it) of an attribution run together with the first line
    of the quoted message, as Yahoo Mail for Android writes plain text:
    "On Tue, Nov 24, 2026 at 9:12, Anna Berg<a@b> wrote:   Hi all,"."""
    match = _SQUASHED_RE.search(line)
    if match is None:
        return None
    head = clean(line[: match.end()]).strip()
    # Prose can say "On Monday Bob wrote: …"; clients write a full date and a clock time,
    # and an address or the gap that their HTML-to-text conversion leaves.
    gap = len(line[: match.end()]) - len(line[: match.end()].rstrip())
    if (
        len(head) > 300
        or not _leads(head)
        or _CLOCK_RE.search(head) is None
        or not _YEAR_RE.search(head)
        or not (gap >= 2 or EMAIL_RE.search(head))
    ):
        return None
    verb = list(_VERB_RE.finditer(head))[-1]
    author = _author_from_attribution(head, verb)
    if not (author.name or author.email):
        return None
    return author, parse_date(head), line[match.end() :]


def _attributed(
    start: int, body_start: int, author: Person, date: str | None, first_line: str | None = None
) -> Boundary:
    reader = author.email is None and (author.name or "").casefold() in _READER_WORDS
    return Boundary(
        kind="attribution",
        start=start,
        body_start=body_start,
        author=NOBODY if reader else author,
        date=date,
        addressee=reader,
        first_line=first_line,
    )


def _dated_name(lines: list[str], end: int) -> tuple[int, Person, str | None] | None:
    """Gmail's locale-neutral form: "2016-03-03 17:21 GMT+01:00 Anna Berg <a@b>:" (the
    colon is sometimes lost), directly above the quote."""
    match = _DATED_NAME_RE.match(clean(lines[end]))
    if match is None or not (":" in match.group("when") or EMAIL_RE.search(match.group("who"))):
        return None  # "2024-01-05 Meeting notes" is a title, not an attribution
    if not _followed_by_quote(lines, end) and end + 1 < len(lines) and lines[end + 1].strip():
        return None
    return end, parse_person(match.group("who")), parse_date(match.group("when"))


def _followed_by_quote(lines: list[str], end: int) -> bool:
    for k in range(end + 1, min(len(lines), end + 4)):
        if lines[k].strip():
            return is_quoted(lines[k])
    return False


def _followed_by_indent(lines: list[str], end: int) -> bool:
    """The next lines are indented deeper than line `end`: Yahoo Mail's plain text
    quotes the earlier message by indenting it, not with '>'."""
    depth = len(lines[end]) - len(lines[end].lstrip())
    for k in range(end + 1, min(len(lines), end + 4)):
        if lines[k].strip():
            return len(lines[k]) - len(lines[k].lstrip()) > depth
    return False


def _skip_blank(lines: list[str], i: int, limit: int = 3) -> int:
    j = i
    while j < len(lines) and j < i + limit and not lines[j].strip():
        j += 1
    return j


def _from_header(
    kind: str, start: int, end: int, fields: dict[str, str], forward: bool
) -> Boundary:
    return Boundary(
        kind=kind,
        start=start,
        body_start=end,
        author=parse_person(fields.get("from", "")),
        date=parse_date(fields["date"]) if "date" in fields else None,
        subject=fields.get("subject"),
        to=tuple(parse_people(fields["to"])) if fields.get("to") else (),
        cc=tuple(parse_people(fields["cc"])) if fields.get("cc") else (),
        forward=forward,
    )


_LOOKAHEAD = 48  # lines a boundary's structure may span (header blocks: 30 and blanks)


def find_boundary(
    lines: list[str], begin: int = 0, marks: Marks | None = None, work: Work | None = None
) -> Boundary | None:
    """The first boundary at or after line `begin` (a run of '>' lines counts only when
    nothing but blank lines follow it; interleaved quotes are part of a reply).

    Reads the lines' marks (`marks.classify`; `marks` may hold the marks of a prefix of
    `lines` and is extended in place as far as the search goes) and looks at the
    structure around a line only where its mark is a cue.
    """
    if marks is None:
        marks = classify(lines, work, 0)
    quote_start: int | None = None
    filled = len(marks)
    for i in range(begin, len(lines)):
        if i + _LOOKAHEAD >= filled and filled < len(lines):
            # a header block or attribution reads up to _LOOKAHEAD lines past line i
            fill(marks, lines, i + _LOOKAHEAD + 256, work)
            filled = len(marks)
        mark = marks[i]
        shape = mark.shape
        if shape is Shape.BLANK:
            continue
        if shape is Shape.QUOTED:
            if mark.groupwise and (gw := groupwise(lines[i])) is not None:
                return _attributed(i, i + 1, gw[0], gw[1])
            if mark.attribution_end and _continuation(lines, i):
                found = attribution(lines, i, marks)
                if found is not None:
                    return _attributed(found[0], i + 1, found[1], found[2])
            if quote_start is None:
                quote_start = i
            continue
        if quote_start is not None and mark.signature:
            # a quote followed only by the writer's "-- " signature is still a trailing quote
            return Boundary(kind="quote", start=quote_start, body_start=quote_start)
        if quote_start is not None:
            inner = quoted_mail(lines, quote_start, work)
            if inner is not None:
                heading = _heading_above(lines, quote_start, marks)
                return Boundary(
                    kind="quote",
                    start=quote_start if heading is None else heading,
                    body_start=quote_start,
                    forward=inner.forward or heading is not None,
                    stop=i,
                )
        quote_start = None
        if shape is Shape.TEXT:
            continue
        found_here = _boundary_at(lines, marks, i, mark)
        if found_here is not None:
            return found_here
    if quote_start is not None:
        return Boundary(kind="quote", start=quote_start, body_start=quote_start)
    return None


def quoted_mail(lines: list[str], start: int, work: Work | None = None) -> Boundary | None:
    """The header block or marker that a quote run from line `start` opens with, if it
    quotes a whole mail ("> From: …", "> -----Original Message-----"), else None: quotes
    of a few lines are the context of an inline reply.  Reads a bounded number of lines."""
    head = unquote(lines[start : start + _LOOKAHEAD])
    first = next((k for k, line in enumerate(head) if line.strip()), None)
    if first is None:
        return None
    head = head[first:]
    # Marks of these few lines only (counted as lines read, not as a pass over a level);
    # the first line alone settles most runs: no label or marker, no quoted mail.
    marks: Marks = []
    fill(marks, head, 1, work)
    if marks[0].header is None and marks[0].label is None and marks[0].separator is None:
        return None
    fill(marks, head, len(head), work)
    found = find_boundary(head, marks=marks, work=work)
    if found is None or found.start != 0 or found.kind not in ("header", "separator"):
        return None
    return found


_HEADING_RE = re.compile(r"^[^\W\d_][^\d@<>:：]{2,60}[:：]$")


def _heading_above(lines: list[str], start: int, marks: Marks) -> int | None:
    """A heading line ending in a colon above a quoted mail, in any language ("Begin
    forwarded message:", "Начало переадресованного сообщения:", "転送されたメッセージ:"):
    the index of that line when only blank lines stand between it and the quote."""
    k = start - 1
    while k >= 0 and marks[k].shape is Shape.BLANK and start - k <= 3:
        k -= 1
    if k < 0 or marks[k].shape is Shape.QUOTED:
        return None
    return k if _HEADING_RE.match(clean(lines[k]).strip()) else None


def _boundary_at(lines: list[str], marks: Marks, i: int, mark: LineMark) -> Boundary | None:
    """The boundary that starts (or, for an attribution, ends) at cue line i, if any."""
    line = lines[i]
    if mark.separator in ("forward", "original"):
        j = _skip_blank(lines, i + 1)
        block = header_block(lines, j, marks) if j < len(lines) else None
        if block is not None:
            header = _from_header("header", i, block[0], block[1], mark.separator == "forward")
            if (
                mark.separator == "original"
                and _MOZ_MARKER_RE.match(clean(line))
                and next(iter(block[1])) == "subject"
            ):
                header = replace(header, forward_unless_reply=True)
            return header
        return Boundary(
            kind="separator", start=i, body_start=i + 1, forward=mark.separator == "forward"
        )
    if mark.separator in ("rule", "framed"):
        j = _skip_blank(lines, i + 1)
        block = _any_header_block(lines, j, marks) if j < len(lines) else None
        if block is not None:
            return _from_header("header", i, block[0], block[1], False)
        if mark.separator == "rule":
            return None
    if mark.header is not None or mark.label is not None:
        block = _any_header_block(lines, i, marks)
        if block is not None:
            return _from_header("header", i, block[0], block[1], False)
    if mark.attribution_end:
        found = attribution(lines, i, marks)
        if found is not None:
            return _attributed(found[0], i + 1, found[1], found[2])
    if mark.run_on:
        run_on = squashed(line)
        if run_on is not None:
            return _attributed(i, i + 1, run_on[0], run_on[1], run_on[2])
    return None


def unquote(lines: list[str]) -> list[str]:
    """Remove one level of '>' (or Supercite 'AB>') quoting."""
    # "> " is the common case, decided inline (10 MB quotes)
    return [line[2:] if line[:2] == "> " else _unquote_line(line) for line in lines]


def _unquote_line(line: str) -> str:
    if line.startswith("> "):
        return line[2:]  # the common case, kept cheap for 10 MB quotes
    stripped = line.lstrip(" ")
    supercite = None if stripped[:1] == ">" else _SUPERCITE_RE.match(stripped)
    if stripped[:1] != ">" and not supercite:
        return line
    stripped = stripped[supercite.end() if supercite else 1 :]
    return stripped[1:] if stripped.startswith(" ") else stripped


# --- header blocks flattened onto one line ------------------------------------------
# HCL Notes (and some gateways converting its mail) run a quoted header block together:
# "From: Johan Lind/Firma@Firma To: Anna Berg/Firma@Firma Cc: … Date: 2026-11-24 09:40
# Subject: Re: …".  Such a line is unfolded into one line per field before the chain is
# split, so the ordinary header-block rule reads it.
_FLAT_PREFIX_RE = re.compile(r"^((?:\s*>)*\s*)")
_FLAT_FROM_RE = re.compile(
    r"^\**("
    + "|".join(re.escape(label) for label in sorted(FROM_LABELS, key=len, reverse=True))
    + r")\**\s*:\s*\**",
    re.IGNORECASE,
)
_FLAT_LABEL_RE = re.compile(
    r"(?:(?<=\s)|(?<=,))\**("
    + "|".join(
        re.escape(label)
        for label in sorted(
            (k for k, v in HEADER_FIELDS.items() if v in ("to", "cc", "date", "subject")),
            key=len,
            reverse=True,
        )
    )
    + r")\**\s*:\s+",
    re.IGNORECASE,
)


def unflatten_header_lines(lines: list[str]) -> list[str]:
    """Lines with each one-line header block ("From: … To: … Date: … Subject: …") unfolded.

    Only a line that starts with a From label and then has, in order and capitalised, a
    date label, a subject label last and a To or Cc label, with a date that parses, is
    unfolded; "From: my side it's fine, to be honest" is prose and stays.
    """
    out: list[str] | None = None
    for k, line in enumerate(lines):
        fields = _flat_fields(line) if ":" in line[:60] and len(line) < 2000 else None
        if fields is None:
            if out is not None:
                out.append(line)
            continue
        if out is None:
            out = lines[:k]
        out.extend(fields)
    return lines if out is None else out


def _flat_fields(line: str) -> list[str] | None:
    prefix = _FLAT_PREFIX_RE.match(line)
    lead = prefix.group(1) if prefix else ""
    text = line[len(lead) :]
    start = _FLAT_FROM_RE.match(text)
    if start is None or not start.group(1)[0].isupper():
        return None
    cuts: list[re.Match[str]] = []
    seen: set[str] = set()
    for label in _FLAT_LABEL_RE.finditer(text, start.end()):
        if not label.group(1)[0].isupper():
            continue
        field = HEADER_FIELDS[label.group(1).lower()]
        if field in seen:
            return None
        seen.add(field)
        cuts.append(label)
        if field == "subject":
            break  # the subject runs to the end of the line, whatever it says
    if "subject" not in seen or "date" not in seen or not seen & {"to", "cc"}:
        return None
    sender = text[start.end() : cuts[0].start()].strip(" ,*")
    if not sender or len(sender) > 100 or sender.endswith((".", "!", "?")):
        return None
    pieces = [text[: cuts[0].start()].rstrip(" ,")]
    for here, after in zip(cuts, [*cuts[1:], None], strict=True):
        end = after.start() if after is not None else len(text)
        value = text[here.end() : end].strip().rstrip(",").strip()
        if HEADER_FIELDS[here.group(1).lower()] == "date" and parse_date(value) is None:
            return None
        pieces.append(f"{here.group(1)}: {value}")
    return [lead + piece for piece in pieces]
