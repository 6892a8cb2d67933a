"""One pass over a body's lines: what shape each line has, before anything is decided.

Owns the line classification that the boundary finder (`quotes.py`) and the signature
cutter (`signatures.py`) read: blank, quoted (and how deep), plain text, or a *cue* — a
line that may be part of a boundary: a separator ("-----Original Message-----", a rule
of underscores), a `Label: value` header line, a line that can end an attribution
("…wrote:", "… --", a leading date), a signature rule ("-- ").  Each line is classified
at most once per level of the chain, in time linear in its length; the structure (where
a boundary is, whose message follows) is found afterwards over these marks.  A
message's own lines get `footer` marks ("reply above this line", "You are receiving
this because …") in one pass once the chain is cut.

`Work` counts what the pass reads, so tests can prove the understanding stage linear by
counting, not by a clock.  Must not: decide boundaries or cut text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from mailfeed.parsers.headers import clean, header_line
from mailfeed.parsers.locales import FORWARD_MARKERS, ORIGINAL_MARKERS, REPLY_ABOVE

# Lines longer than this are read as text: no attribution, marker or header line of a
# real client is this long, and it bounds what any one pattern may look at.
MAX_CUE_LINE = 4000

# Dash look-alikes that some clients frame their markers with (ProtonMail writes
# "‐‐‐‐‐‐‐ Original Message ‐‐‐‐‐‐‐" with U+2010): read as an ASCII hyphen.  The one list
# for every module that reads rules and markers.
DASH_LIKE = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_DASHES = str.maketrans(dict.fromkeys(DASH_LIKE, "-"))
_CUE_CHARS = re.compile(r"[-=_:*#：" + DASH_LIKE + r"]")
_SUPERCITE_RE = re.compile(r"^[A-Z][A-Za-z]{0,2}>")
RULE_RE = re.compile(r"^\s*(?:_{8,}|-{8,}|—{4,}|={8,})\s*$")
SIGNATURE_START_RE = re.compile(r"^(--|-- |_{3,})\s*$")
_MARKER_WORDS = "|".join(re.escape(m) for m in ORIGINAL_MARKERS + FORWARD_MARKERS)
_MARKER_RE = re.compile(
    r"^[\s>*_]*(?:[-=_—–]{2,}|\*{1,2})?\s*(" + _MARKER_WORDS + r")\b[^\n]{0,70}?"
    r"\s*(?:[-=_—–]{2,}|:|\*{1,2})?\s*$",
    re.IGNORECASE,
)
_FORWARD_RE = re.compile("|".join(re.escape(m) for m in FORWARD_MARKERS), re.IGNORECASE)
_ABOVE_RE = re.compile("|".join(re.escape(m) for m in REPLY_ABOVE), re.IGNORECASE)
# Notification footers (Jira, GitHub, Discourse): the line and the few lines below it go.
_NOTICE_RE = re.compile(
    r"^\s*(?:this message was sent by atlassian jira|you are receiving this because"
    r"|reply to this email directly|unsubscribe from these notifications"
    r"|visit (?:topic|message) or reply to this email|\(v\d[\w.-]*#\d+[\w.-]*\)\s*$)",
    re.IGNORECASE,
)
# A digest's heading over the earlier posts, under a rule ("---\nPrevious Replies").
_DIGEST_RE = re.compile(
    r"^\s*(?:previous replies|vorherige antworten|tidigare svar|réponses précédentes)\s*$",
    re.IGNORECASE,
)


class Shape(Enum):
    BLANK = "blank"
    QUOTED = "quoted"  # "> …" or Supercite "AB> …"
    TEXT = "text"  # nothing about it can start or end a boundary
    CUE = "cue"  # one of the flags of `LineMark` is set


class Footer(Enum):
    REPLY_ABOVE = "reply above"  # "##- Please type your reply above this line -##"
    NOTICE = "notice"  # "You are receiving this because you were mentioned."
    DIGEST = "digest"  # "Previous Replies" (under a rule)


@dataclass(frozen=True, slots=True)
class HeaderLabel:
    """A `Label: value` line of a quoted header block, label read as its field."""

    field: str  # "from" | "date" | "to" | "cc" | "subject" | "reply-to"
    value: str


# Any short label before a colon, in any script: "Tárgy:", "件名:", "Θέμα:", "Od:".  One
# to three words of letters; the run before a separator and each word after one are
# disjoint, so the pattern cannot backtrack over a long line.
_ANY_LABEL_RE = re.compile(
    r"^[ \t]*[*_]{0,2}([^\W\d_][^\W\d_'’.-]*(?:[ '’.-][^\W\d_]+){0,2})[*_]{0,2}"
    r"[ \t]?[:：][ \t]*(\S.*)$"
)
# A short title framed by dashes or equals signs: "-------- Původní zpráva --------".
_FRAMED_RE = re.compile(r"^\s*[-=_—–]{3,}\s*[^\W\d_][^-=_—–\n]{1,60}[-=_—–]{3,}\s*$")


@dataclass(frozen=True, slots=True)
class LineMark:
    shape: Shape
    separator: str | None = None  # "forward" | "original" (a marker line) | "rule"
    header: HeaderLabel | None = None
    label: HeaderLabel | None = None  # a `Label: value` line in any language (field "")
    attribution_end: bool = False  # may end an attribution ("…:", "… --", or a date first)
    run_on: bool = False  # a colon inside: an attribution run together with the text
    groupwise: bool = False  # ">>> Name date >>>"
    signature: bool = False  # "-- ", "--", "___"


BLANK = LineMark(Shape.BLANK)
TEXT = LineMark(Shape.TEXT)


@dataclass
class Work:
    """What the understanding stage read: lines classified and the characters of them
    that patterns looked at.  Injected by tests; None costs nothing."""

    lines: int = 0  # lines classified (each at most once per level) or scanned for footers
    chars: int = 0  # characters of them that patterns looked at (MAX_CUE_LINE at most each)
    passes: int = 0  # passes over a list of lines (a level of the chain, a message's tail)
    carried: int = 0  # lines carried from one level of the chain to the next (unquoted)


def is_quoted(line: str) -> bool:
    """'> …', and Supercite's initials ('AB> …') that Emacs mailers write."""
    stripped = line.lstrip(" ")
    if stripped[:1] == ">":
        return True
    return ">" in stripped[1:4] and bool(_SUPERCITE_RE.match(stripped))


def marker(line: str) -> str | None:
    """'forward' or 'original' when the line is a separator such as -----Original Message-----."""
    if len(line) > 130 or not _CUE_CHARS.search(line):
        return None
    line = line.translate(_DASHES)
    match = _MARKER_RE.match(clean(line))
    if not match:
        return None  # "reply above this line" is elided with what follows: signatures.py
    return "forward" if _FORWARD_RE.search(match.group(1)) else "original"


def reply_above(line: str) -> bool:
    """A helpdesk's "##- Please type your reply above this line -##" line on its own."""
    if len(line) > 120:
        return False
    core = line.strip(" \t#-=*_>[]()<|~.:" + DASH_LIKE)
    return len(core) <= 60 and bool(_ABOVE_RE.search(core))


# Every footer line holds one of these (lower-case); a text without any has no footer,
# which one C-level search per word over the whole text tells (`may_have_footer`).
_FOOTER_WORDS = (
    *REPLY_ABOVE,
    "atlassian jira",
    "you are receiving this because",
    "reply to this email directly",
    "unsubscribe from these notifications",
    "or reply to this email",
    "(v",
    "previous replies",
    "vorherige antworten",
    "tidigare svar",
    "réponses précédentes",
)


def may_have_footer(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in _FOOTER_WORDS)


def footer(line: str) -> Footer | None:
    if len(line) > 120 or not line.strip():
        return None
    if reply_above(line):
        return Footer.REPLY_ABOVE
    if _NOTICE_RE.match(line):
        return Footer.NOTICE
    if _DIGEST_RE.match(line):
        return Footer.DIGEST
    return None


QUOTED = LineMark(Shape.QUOTED)


def classify_line(line: str) -> LineMark:
    """The mark of one line; every pattern here is linear in the line's length.

    Only the chain's own levels matter here: how deep a quote is needs no mark, because
    the chain is unquoted one level at a time.  Footers are marked by `footer` on a
    message's own lines, after the chain is cut (`signatures.py`)."""
    if line[:1] == ">":
        # the common quoted line, decided with the fewest calls (10 MB quotes)
        end = line.rstrip()
        if end[-1:] not in (":", "：") and line[:3] != ">>>":
            return QUOTED
        return LineMark(
            Shape.QUOTED,
            attribution_end=end.endswith((":", "：")),
            groupwise=line[:3] == ">>>" and not line.endswith((":", "：", ": ")),
        )
    if not line.strip():
        return BLANK
    if ">" in line[:6] and is_quoted(line):
        end = line.rstrip()
        return (
            QUOTED if end[-1:] not in (":", "：") else LineMark(Shape.QUOTED, attribution_end=True)
        )
    if len(line) > MAX_CUE_LINE:
        return TEXT
    end = line.rstrip()
    if end[-1:] in "\u202a\u202b\u202c\u202d\u202e\u200e\u200f":
        end = clean(end).rstrip()  # right-to-left text ends in invisible direction marks
    if not _CUE_CHARS.search(line) and not line[:1].isdigit():
        return TEXT
    kind = marker(line)
    separator = kind if kind is not None else ("rule" if RULE_RE.match(line) else None)
    if separator is None and len(line) <= 130 and _FRAMED_RE.match(line.translate(_DASHES)):
        separator = "framed"
    label = header_line(line)
    any_label = (
        _ANY_LABEL_RE.match(line)
        if label is None and (":" in line[:40] or "：" in line[:40])
        else None
    )
    mark = LineMark(
        Shape.CUE,
        separator=separator,
        header=HeaderLabel(*label) if label is not None else None,
        label=HeaderLabel("", any_label.group(2).strip()) if any_label is not None else None,
        attribution_end=end.endswith((":", "：", "--")) or line[:1].isdigit(),
        run_on=":" in line or "：" in line,
        signature=SIGNATURE_START_RE.match(line) is not None,
    )
    return mark


# The marks of a list of lines, index for index.
Marks = list[LineMark]


def fill(marks: Marks, lines: list[str], upto: int, work: Work | None = None) -> None:
    """Extend `marks` (the marks of a prefix of `lines`) to the first `upto` lines.

    Marks are read in order and only as far as a reader needs: the boundary finder stops
    at the first boundary, so a chain level with its attribution on top does not read
    the 400,000 lines below it.  The two common marks, a plain quoted line and a plain
    text line, are decided inline with the same tests as `classify_line`."""
    start, stop = len(marks), min(upto, len(lines))
    if stop <= start:
        return
    chunk = lines[start:stop]
    if work is not None:
        work.lines += len(chunk)
        work.chars += sum(min(len(line), MAX_CUE_LINE) for line in chunk)
    cue = _CUE_CHARS.search
    marks.extend(
        [
            QUOTED
            if line[:1] == ">" and line[:3] != ">>>" and line.rstrip()[-1] not in ":："
            else TEXT
            if len(line) <= MAX_CUE_LINE
            and ">" not in line[:6]
            and cue(line) is None
            and not line[:1].isdigit()
            and line.strip()
            else classify_line(line)
            for line in chunk
        ]
    )


def classify(lines: list[str], work: Work | None = None, upto: int | None = None) -> Marks:
    """The marks of `lines` (of the first `upto` of them; `fill` adds more later)."""
    if work is not None:
        work.passes += 1
    marks: Marks = []
    fill(marks, lines, len(lines) if upto is None else upto, work)
    return marks
