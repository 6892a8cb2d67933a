"""Reading people and dates as mail clients write them inside a body.

Owns: addresses ("Name <a@b>", "Name [mailto:a@b]", Exchange X.500 paths, folded
lists), localized dates ("den 5 juni 2017 12:22", "Tue, Jan 01, 2019 at 12:00 PM",
"Den 15. jun. 2016 kl. 20.42") turned into ISO-8601 *as written* (never converted to
UTC), and single header-block lines ("Från: …", "*From:* …").  Recognizing whole
blocks and attribution lines is `quotes.py`'s job; this module only reads values.
"""

from __future__ import annotations

import html
import re
from email.utils import getaddresses, parsedate_tz

from mailfeed.parsers.locales import (
    HEADER_FIELDS,
    LEADING_MERIDIEMS,
    MERIDIEMS,
    MONTH_PREFIXES,
    MONTHS,
    WEEKDAYS,
    ZONE_OFFSETS,
)
from mailfeed.parsers.model import Person

# Invisible marks that Windows 8 Mail and others scatter through dates and names.
INVISIBLE = dict.fromkeys(
    map(ord, "\u200e\u200f\u200b\u202a\u202b\u202c\u202d\u202e\u00ad\ufeff"), None
)

# Linear time (issue 15): a match may only start where a run of address characters
# starts, so a 100,000-letter word is read once, not once per position; quantified
# parts never overlap (the Notes name keeps its trailing blanks, `_tidy_name` drops them).
EMAIL_RE = re.compile(r"(?<![\w.+'=-])[\w.+'=-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_NOTES_RE = re.compile(r"^\s*\"?([^/@<>\"\s][^/@<>\"]*)\"?(?:/[\w-]+)+(?:@[\w-]+)?\s*$")
_X500_RE = re.compile(r"/o=[^/\s]+(?:/ou=[^/]+)*/cn=", re.IGNORECASE)

_LABELS = sorted(HEADER_FIELDS, key=len, reverse=True)
# "*From:* Anna", "From: Anna", "Från : Anna", "发件人：Anna" (bold markers from HTML→text).
HEADER_LINE_RE = re.compile(
    r"^[ \t]*[*_]{0,2}[ \t]*(" + "|".join(re.escape(lbl) for lbl in _LABELS) + r")"
    r"[ \t]*[*_]{0,2}[ \t]*[:：][ \t]*[*_]{0,2}[ \t]*(.*)$",
    re.IGNORECASE,
)


def clean(text: str) -> str:
    """Drop invisible direction marks and non-breaking spaces that break matching."""
    if text.isascii():
        return text
    return text.translate(INVISIBLE).replace("\u00a0", " ")


def header_line(line: str) -> tuple[str, str] | None:
    """(field, value) when the line is one header line of a quoted block."""
    if ":" not in line[:40] and "：" not in line[:40]:
        return None
    match = HEADER_LINE_RE.match(clean(line))
    if not match:
        return None
    return HEADER_FIELDS[match.group(1).lower()], match.group(2).strip(" \t*_")


# --- people -----------------------------------------------------------------------


def _tidy_name(name: str) -> str | None:
    name = clean(name).strip().strip("\"'*_ ,;:<>()[]，：").strip()
    name = re.sub(r"\s+", " ", name)
    if not name or not re.search(r"[^\W\d_]", name) or EMAIL_RE.fullmatch(name):
        return None
    if _X500_RE.match(name):
        return None
    return name


def names_a_mailbox(value: str) -> bool:
    """Whether a header value names someone's mailbox: an address, or a Lotus Notes
    canonical name ("吉田 美穂/Osaka/HIKARI@HIKARI")."""
    return EMAIL_RE.search(value) is not None or _NOTES_RE.match(clean(value)) is not None


def parse_person(value: str) -> Person:
    """One person from a header value or attribution fragment."""
    value = html.unescape(clean(value)).strip()
    x500 = _X500_RE.search(value)
    if x500:
        # Exchange X.500 path ("/O=EXCHANGELABS/OU=…/CN=RECIPIENTS/CN=abc-anna"): the
        # path is no address; keep whatever display name stands before it.
        return Person(_tidy_name(value[: x500.start()]), None)
    notes = _NOTES_RE.match(value)
    if notes:
        # Lotus Notes canonical name "David Miller/MI/FIRMA" (or "…@FIRMA"): no address.
        return Person(_tidy_name(notes.group(1)), None)
    email_match = EMAIL_RE.search(value)
    email = email_match.group(0).lower().strip(".") if email_match else None
    name_part = value
    if email_match:
        name_part = value[: email_match.start()]
        # "Name [mailto:a@b]", "Name <mailto:a@b>", "Name (a@b)", "a@b <mailto:a@b>"
        # "Name <mailto:…", "Name (<a@b>)", "Name < mailto:Name <a@b>" (wrapped Outlook)
        name_part = re.sub(r"\s*[\[<(].*$", "", name_part.strip(), flags=re.S)
        if not name_part.strip():
            tail = value[email_match.end() :]
            tail = re.sub(r"^\s*[>\])]?", "", tail)
            tail = re.sub(r"[\[<(]\s*mailto:.*$", "", tail, flags=re.I)
            name_part = tail if not EMAIL_RE.search(tail) else ""
    name = _tidy_name(name_part)
    if name and email and name.lower() == email:
        name = None
    return Person(name, email)


def parse_people(value: str) -> list[Person]:
    """Several people from a To/Cc value; Outlook separates them with ';'."""
    value = clean(value)
    # Outlook lists names "Berg, Anna <a@b>; Ek, Bo <b@c>"; a ',' inside a name must
    # not split, so prefer ';' when present.
    if ";" in value:
        parts = [p for p in value.split(";") if p.strip()]
        return [parse_person(p) for p in parts]
    if "[mailto:" in value.lower() or "<mailto:" in value.lower():
        parts = re.split(r"(?<=[\]>])\s*,\s*", value)
        return [parse_person(p) for p in parts if p.strip()]
    people = []
    for name, addr in getaddresses([value]):
        if addr and "@" in addr:
            people.append(Person(_tidy_name(name), addr.lower()))
        elif name or addr:
            people.append(parse_person(name or addr))
    return people or ([parse_person(value)] if value.strip() else [])


def name_key(name: str) -> str:
    """A comparison key for a display name: 'Berg, Anna' and 'anna berg' agree."""
    name = clean(name).casefold().strip("\"' ")
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first} {last}"
    return " ".join(sorted(re.findall(r"\w+", name)))


# --- dates ------------------------------------------------------------------------

# Chinese, Japanese and Korean write the year, month and day with a mark after each
# number (CLDR's "y年M月d日", "y년 M월 d일"), with or without spaces; Korean and
# Hungarian also write the year first with dots ("2026. 11. 24.").
_ISO_DATE = re.compile(
    r"(?<!\d)(\d{4})(?:[-/]|\.\s?|\s*[年년]\s*)(\d{1,2})(?:[-/]|\.\s?|\s*[月월]\s*)(\d{1,2})"
    r"(?:\s*[日일])?(?!\d)"
)
# Czech and Slovak put a space after each dot ("24. 11. 2026", Thunderbird "24. 11. 26 v 9:12").
_NUM_DATE = re.compile(
    r"(?<!\d)(\d{1,2})(?:[./-]|\.\s)(\d{1,2})(?:[./-]|\.\s(?=\d{4}|\d{2}\s))(\d{4}|\d{2})(?!\d)"
)
_TIME = re.compile(
    r"(?<![\d:.])(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?![\d])\s*(a\.?\s?m\.?|p\.?\s?m\.?)?",
    re.IGNORECASE,
)
_OFFSET = re.compile(r"\s*\(?(?:gmt|utc)?\s*([+-])(\d{1,2}):?(\d{2})?(?!\d)", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+\.?|\d+", re.UNICODE)
_DAY_GAP_RE = re.compile(r"[\s.,/-]*(?:de|del|den|the|of)?[\s.,/-]*")
_RFC_SHAPE = re.compile(r"\d{1,2} [A-Za-z]{3} \d{4} \d{1,2}:\d{2}")


def _iso(y: int, mo: int, d: int, h: int, mi: int, s: int, offset: str) -> str | None:
    if not (1 <= mo <= 12 and 1 <= d <= 31 and 0 <= h <= 23 and 0 <= mi <= 59):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{offset}"


def _format_offset(seconds: int) -> str:
    sign = "+" if seconds >= 0 else "-"
    seconds = abs(seconds)
    return f"{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def parse_date(text: str) -> str | None:
    """ISO-8601 of a date as written in a mail, with its UTC offset only when given."""
    text = clean(text).strip()
    if not text or len(text) > 200:
        return None
    if _RFC_SHAPE.search(text) and not re.search(r"(gmt|utc)\s*[+-]", text, re.I):
        parsed = parsedate_tz(text)
        if parsed is not None:
            y, mo, d, h, mi, s = parsed[:6]
            offset = "" if parsed[9] is None else _format_offset(parsed[9])
            if re.search(r"[+-]\d{4}|\b(gmt|utc|ut|z)\b", text, re.IGNORECASE) is None:
                offset = ""  # parsedate_tz guesses "+0000" for named zones it can't read
            return _iso(y, mo, d, h, mi, s, offset)
    return _parse_loose_date(text)


def _parse_loose_date(text: str) -> str | None:
    lowered = text.lower()
    year = month = day = None
    span: tuple[int, int] | None = None
    if match := _ISO_DATE.search(lowered):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
        span = match.span()
    elif match := _NUM_DATE.search(lowered):
        a, b, year = int(match[1]), int(match[2]), int(match[3])
        year += 2000 if year < 100 else 0
        # Europe writes day first; a first number over 12 can only be a day, a second
        # one over 12 only a day too (US order, "1/27/2016").
        # A 12-hour clock ("10:00 AM") marks the US order when both could be months.
        # (Spanish writes "p.m." with dots and day first, so only the bare form counts.)
        us = re.search(r"\d\s*[ap]m\b", lowered) is not None
        day, month = (b, a) if b > 12 >= a or (us and a <= 12 and b <= 12) else (a, b)
        span = match.span()
    else:
        tokens = list(_WORD.finditer(lowered))
        found = _month_date(tokens)
        if found is None:
            return None
        year, month, day, span = found
    if year is None or month is None or day is None or span is None:
        return None
    rest = lowered[: span[0]] + " " * (span[1] - span[0]) + lowered[span[1] :]
    hour = minute = second = 0
    offset = ""
    if time := _TIME.search(rest, span[1] if _TIME.search(rest, span[1]) else 0):
        hour, minute, second = int(time[1]), int(time[2]), int(time[3] or 0)
        meridiem = (time[4] or "").replace(".", "").replace(" ", "")
        if not meridiem:
            meridiem = _meridiem(rest, time.start(), time.end())
        if meridiem == "pm" and hour < 12:
            hour += 12
        elif meridiem == "am" and hour == 12:
            hour = 0
        if zone := _OFFSET.match(rest, time.end()):
            hours = int(zone[2])
            offset = f"{zone[1]}{hours:02d}:{zone[3] or '00'}"
        elif zone_name := re.match(r"\s*\(?([^\W\d_]{1,5})(?!\w)", rest[time.end() :]):
            offset = ZONE_OFFSETS.get(zone_name.group(1), "")
    return _iso(year, month, day, hour, minute, second, offset)


_SPACES_RE = re.compile(r"\s+")
_MERIDIEM_SPAN = max(map(len, MERIDIEMS))


def _meridiem(text: str, start: int, end: int) -> str:
    """ "am", "pm" or "" from the word a CLDR locale writes for it right after a clock time
    ("3:45 μ.μ.", "9:12 ÖÖ") or, where the locale puts it first, right before ("오후 2:05",
    "下午2:05").  A plain word after the time must end the date ("09:12 Ana wrote" names
    Ana, whatever "ana" means in Ewondo)."""
    after = _SPACES_RE.sub(" ", text[end : end + _MERIDIEM_SPAN + 2]).lstrip()
    for size in range(min(_MERIDIEM_SPAN, len(after)), 0, -1):
        word = after[:size]
        if word in MERIDIEMS and (size == len(after) or not after[size].isalnum()):
            plain = word.isascii() and word.isalpha()
            if not plain or not re.match(r"\s*[^\W\d_]", after[size:]):
                return MERIDIEMS[word]
    before = _SPACES_RE.sub(" ", text[max(0, start - _MERIDIEM_SPAN - 2) : start]).rstrip()
    for size in range(min(_MERIDIEM_SPAN, len(before)), 0, -1):
        word = before[-size:]
        if word in LEADING_MERIDIEMS and (size == len(before) or not before[-size - 1].isalnum()):
            return MERIDIEMS[word]
    return ""


def _numbered_month(tokens: list[re.Match[str]]) -> tuple[int, tuple[int, int]] | None:
    """(month, span) of a month named by a word and its number ("thg 11", "tháng 11")."""
    for here, after in zip(tokens, tokens[1:], strict=False):
        if here.group(0).rstrip(".") in MONTH_PREFIXES and after.group(0).isdigit():
            number = int(after.group(0))
            if 1 <= number <= 12 and len(after.group(0)) <= 2:
                return number, (here.start(), after.end())
    return None


def _month_date(tokens: list[re.Match[str]]) -> tuple[int, int, int, tuple[int, int]] | None:
    """(year, month, day, span) from tokens around a month name ("24 nov. 2026")."""
    candidates = [i for i, t in enumerate(tokens) if t.group(0).rstrip(".") in MONTHS]
    # "mar" is both March and French "mardi": prefer a token that is only a month.
    candidates.sort(key=lambda i: tokens[i].group(0).rstrip(".") in WEEKDAYS)
    years = [t for t in tokens if t.group(0).isdigit() and len(t.group(0)) == 4]
    numbered = _numbered_month(tokens)
    if not (candidates or numbered) or not years:
        return None
    if numbered is not None:
        month, (begin, finish) = numbered
    else:
        token = tokens[candidates[0]]
        month, (begin, finish) = MONTHS[token.group(0).rstrip(".")], token.span()
    # a day is no part of a clock time ("24 Kas 2026 Sal 09:12")
    short = [
        t
        for t in tokens
        if t.group(0).isdigit()
        and len(t.group(0)) <= 2
        and ":" not in t.string[max(0, t.start() - 1) : t.start()] + t.string[t.end() : t.end() + 1]
    ]
    before = [t for t in short if t.end() <= begin]
    after = [t for t in short if t.start() >= finish]
    # "24 nov.", "15. jun.", "24 de nov. de 2026": the day stands right before the month
    if before and _DAY_GAP_RE.fullmatch(before[-1].string[before[-1].end() : begin]):
        day_token = before[-1]
    elif after:
        day_token = after[0]
    else:
        return None
    start = min(day_token.start(), begin)
    end = max(day_token.end(), finish)
    if years[0].start() - end <= 3:
        end = max(end, years[0].end())
    return int(years[0].group(0)), month, int(day_token.group(0)), (start, end)
