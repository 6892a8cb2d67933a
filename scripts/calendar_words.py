"""Write parsers/calendar_words.py: month and weekday names, the words for a.m./p.m. and
short time-zone names in every locale of the CLDR data that Babel ships.

The parser must stay pure (no I/O, no locale data loaded at run time), so the names are
read from Babel here, once, and committed as a plain Python module;
tests/test_calendar_words.py checks that running this script again gives the same file.
Run: `.venv/bin/python scripts/calendar_words.py` (after a Babel upgrade, say).

What is kept: a name the date reader can see as one word (letters only, a trailing dot
or geresh dropped), lower-cased.  A name that means different months in different
locales ("listopad" is November in Czech and Polish but October in Croatian) is left
out: parsers/locales.py decides such names by hand, where it must.  The same for
a.m./p.m. words.  Month names glued to a literal of the date pattern (Hebrew "d בMMMM y")
are written glued as well.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import babel
from babel import Locale, localedata
from babel.core import get_global

TARGET = Path(__file__).resolve().parent.parent / "parsers" / "calendar_words.py"
_WORD = re.compile(r"[^\W\d_]+")
_SPACES = re.compile(r"\s+")
_TRAILING = ".\u05f3'’"  # "nov.", Hebrew "נוב׳"
# A literal of letters glued before a month in a date pattern ("בMMMM"), outside quotes.
_GLUED = re.compile(r"(?<!')([^\W\d_A-Za-z]+)M{3,4}")


def _key(name: str) -> str | None:
    key = name.lower().strip().rstrip(_TRAILING)
    return key if _WORD.fullmatch(key) else None


def _locales() -> list[Locale]:
    found = []
    for identifier in sorted(localedata.locale_identifiers()):
        try:
            found.append(Locale.parse(identifier))
        except (ValueError, babel.UnknownLocaleError):
            continue
    return found


def _most_languages(readings: dict[int, set[str]]) -> int | None:
    """The month that more languages mean by a name than all other months together."""
    counts = sorted(((len(langs), month) for month, langs in readings.items()), reverse=True)
    best, month = counts[0]
    return month if best > sum(n for n, _ in counts[1:]) else None


def _meridiem_first(locale: Locale) -> bool:
    """Whether the locale writes a.m./p.m. before the hour ("오후 2:05", "午後2:05")."""
    pattern = re.sub(r"'[^']*'", "", locale.datetime_skeletons.get("hm", "h:mm a").pattern)
    hour = min((pattern.find(c) for c in "hK" if c in pattern), default=-1)
    return 0 <= pattern.find("a") < hour


def month_prefixes() -> list[str]:
    """Words that name a month with its number after them in some locale (Vietnamese
    "tháng 11", "thg 11"): every month of the locale's list is the word and the number."""
    found: set[str] = set()
    for locale in _locales():
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                names = locale.months[context][width]
                words = {
                    name.lower().rsplit(" ", 1)[0]
                    for number, name in names.items()
                    if name.lower().rsplit(" ", 1)[-1].lstrip("0") == str(number)
                }
                if len(names) == 12 and len(words) == 1 and (word := words.pop()):
                    if " " not in word and _WORD.fullmatch(word):
                        found.add(word)
    return sorted(found)


def collect() -> tuple[dict[str, int], list[str], dict[str, str], list[str]]:
    months: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    weekdays: set[str] = set()
    meridiems: dict[str, set[str]] = defaultdict(set)
    leading: set[str] = set()
    for locale in _locales():
        glued = set()
        for length in ("long", "medium", "full"):
            glued.update(_GLUED.findall(locale.date_formats[length].pattern))
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in locale.months[context][width].items():
                    for form in (name, *(prefix + name for prefix in glued)):
                        if (key := _key(form)) is not None:
                            months[key][number].add(locale.language)
            for width in ("wide", "abbreviated", "short"):
                for name in locale.days[context][width].values():
                    if (key := _key(name)) is not None:
                        weekdays.add(key)
            for width in ("wide", "abbreviated"):
                periods = locale.day_periods[context][width]
                for period in ("am", "pm"):
                    if period in periods:
                        word = _SPACES.sub(" ", periods[period].lower()).strip()
                        if len(word) > 1 or not word.isascii():
                            meridiems[word].add(period)
                            if _meridiem_first(locale):
                                leading.add(word)
    return (
        {k: month for k, v in sorted(months.items()) if (month := _most_languages(v))},
        sorted(weekdays),
        {
            k: next(iter(v))
            for k, v in sorted(meridiems.items())
            if len(v) == 1 and k and not k.isdigit()
        },
        sorted(leading),
    )


def _metazone_offsets() -> dict[str, tuple[int, int]]:
    """(standard, daylight) UTC offsets in minutes of each CLDR metazone, as most of its
    time zones keep them in 2026 (the zone database of this Python; a metazone none of
    whose zones keeps summer time gets an hour more for its daylight name)."""
    standard: dict[str, Counter[int]] = defaultdict(Counter)
    daylight: dict[str, Counter[int]] = defaultdict(Counter)
    for zone, metazone in get_global("meta_zones").items():
        try:
            tz = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        minutes = []
        for month in (1, 7):
            offset = datetime(2026, month, 15, 12, tzinfo=tz).utcoffset()
            assert offset is not None
            minutes.append(int(offset.total_seconds()) // 60)
        standard[metazone][min(minutes)] += 1
        if max(minutes) != min(minutes):  # only zones that keep summer time say its offset
            daylight[metazone][max(minutes)] += 1
    offsets = {}
    for metazone, counts in standard.items():
        normal = counts.most_common(1)[0][0]
        summer = daylight[metazone].most_common(1)[0][0] if daylight[metazone] else normal + 60
        offsets[metazone] = (normal, summer)
    return offsets


def zones() -> dict[str, str]:
    """Short zone names ("MEZ", "BRT", "JST") of every locale → UTC offset; a name that
    stands for different offsets is left out."""
    offsets = _metazone_offsets()
    readings: dict[str, set[int]] = defaultdict(set)
    for locale in _locales():
        for metazone, names in locale.meta_zones.items():
            if metazone not in offsets:
                continue
            standard, daylight = offsets[metazone]
            for kind, minutes in (("standard", standard), ("daylight", daylight)):
                name = names.get("short", {}).get(kind)
                if name and name.isalpha() and 2 <= len(name) <= 5:
                    readings[name.lower()].add(minutes)
    return {
        name: f"{'-' if m < 0 else '+'}{abs(m) // 60:02d}:{abs(m) % 60:02d}"
        for name, values in sorted(readings.items())
        if len(values) == 1 and (m := next(iter(values))) is not None
    }


def render() -> str:
    months, weekdays, meridiems, leading = collect()
    out = [
        '"""Month and weekday names and a.m./p.m. words of every CLDR locale, lower-case.',
        "",
        f"Generated by scripts/calendar_words.py from Babel {babel.__version__}: do not edit.",
        "A name that means different months in different locales stands for the month",
        "most languages mean by it, or is left out when none has a majority (see",
        "parsers/locales.py for the ones decided by hand).",
        '"""',
        "",
        "MONTHS: dict[str, int] = {",
        *(f'    "{k}": {v},' for k, v in months.items()),
        "}",
        "WEEKDAYS: frozenset[str] = frozenset(",
        "    {",
        *(f'        "{k}",' for k in weekdays),
        "    }",
        ")",
        "MERIDIEMS: dict[str, str] = {",
        *(f'    "{k}": "{v}",' for k, v in meridiems.items()),
        "}",
        '# Words written before a month\'s number to name it (Vietnamese "thg 11").',
        "MONTH_PREFIXES: frozenset[str] = frozenset(",
        "    {",
        *(f'        "{k}",' for k in month_prefixes()),
        "    }",
        ")",
        "# Short zone names of every locale and their offsets (2026's rules).",
        "ZONES: dict[str, str] = {",
        *(f'    "{k}": "{v}",' for k, v in zones().items()),
        "}",
        '# Written before the hour by the locales that say so ("오후 2:05", "午後2:05").',
        "LEADING_MERIDIEMS: frozenset[str] = frozenset(",
        "    {",
        *(f'        "{k}",' for k in leading if k in meridiems),
        "    }",
        ")",
        "",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {TARGET}\n")
