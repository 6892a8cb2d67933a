"""Times and lengths of time in words, formatted by Babel for a reader's language and zone.

`when` says a moment the way a colleague would: "just now", "3 hr ago", "yesterday 14:05",
"Mon 14:05", then the date.  `duration` says how long something took ("1 hour", "2 timmar"),
with CLDR's plural rules, so no "1 hours" in any language.  Stored datetimes are naive UTC;
the reader's zone only changes how they are shown.  Pure: `now` is passed in.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from babel.dates import format_skeleton, format_timedelta

from mailfeed.publisher.catalogue import language_for, translations

# Day-first formats for English too: our readers are European (en_GB: "2 Nov 2026 09:00").
FORMAT_LOCALES = {"sv": "sv_SE", "en": "en_GB"}


def format_locale(language: str) -> str:
    return FORMAT_LOCALES[language_for(language, "en")]


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _clock(moment: datetime, locale: str) -> str:
    return format_skeleton("Hm", moment, locale=locale)


def absolute(
    moment: datetime,
    language: str,
    zone: tzinfo = UTC,
    *,
    clock: bool = True,
    weekday: bool = False,
) -> str:
    """`2 Nov 2026 09:00` (or `mån 2 nov. 2026 09:00` with `weekday`) in `zone`."""
    locale = format_locale(language)
    local = _aware(moment).astimezone(zone)
    day = format_skeleton("yMMMEd" if weekday else "yMMMd", local, locale=locale)
    return f"{day} {_clock(local, locale)}" if clock else day


def when(moment: datetime, now: datetime, language: str, zone: tzinfo = UTC) -> str:
    """A moment relative to `now` while that reads better, the date after that."""
    locale = format_locale(language)
    moment, now = _aware(moment), _aware(now)
    age = now - moment
    if abs(age) < timedelta(minutes=1):
        return translations(language_for(language, "en")).gettext("just now")
    if age < timedelta(0):
        return absolute(moment, language, zone)  # in the future: a clock, not a guess
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    if local.date() == today:
        return format_timedelta(
            -age,
            granularity="minute",
            threshold=1,
            add_direction=True,
            format="short",
            locale=locale,
        )
    if local.date() == today - timedelta(days=1):
        text = translations(language_for(language, "en")).gettext("yesterday %(time)s")
        return text % {"time": _clock(local, locale)}
    if today - local.date() < timedelta(days=6):
        return f"{format_skeleton('E', local, locale=locale)} {_clock(local, locale)}"
    if local.year == today.year:
        return f"{format_skeleton('MMMd', local, locale=locale)} {_clock(local, locale)}"
    return absolute(moment, language, zone, clock=False)


def duration(delta: timedelta, language: str) -> str:
    """How long: "less than a minute", "40 minutes", "1 hour", "5 days" (and in Swedish)."""
    if delta < timedelta(minutes=1):
        return translations(language_for(language, "en")).gettext("less than a minute")
    return format_timedelta(
        delta, granularity="minute", threshold=1, format="long", locale=format_locale(language)
    )


def written(date_text: str | None, moment: datetime, language: str) -> str:
    """A post's date as the writer's clock showed it (with its offset), else UTC, said so."""
    if date_text:
        try:
            parsed = datetime.fromisoformat(date_text)
        except ValueError:
            return date_text
        offset = parsed.strftime("%z")
        if not offset:
            return absolute(parsed, language)
        return f"{absolute(parsed, language, parsed.tzinfo or UTC)} ({offset[:3]}:{offset[3:]})"
    return absolute(moment, language) + " UTC"
