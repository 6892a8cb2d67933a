"""Times as the reader sees them: in their zone, relative when recent, exact on hover.

The database keeps naive UTC (and a post its date as written, with the writer's offset);
only here does a time meet a zone: the reader's profile choice, else the zone their
browser reported (the `tz` cookie app.js sets), else UTC.  Wording comes from CLDR
through Babel, so plurals and month names are right in both languages.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime, format_skeleton, format_time, format_timedelta
from flask import g, request
from markupsafe import Markup

TZ_COOKIE = "tz"
LOCALES = {"sv": "sv_SE", "en": "en_GB"}  # en_GB: day first and a 24-hour clock, as here
YESTERDAY = {"sv": "i går {time}", "en": "yesterday {time}"}
JUST_NOW = {"sv": "nyss", "en": "just now"}
WRITTEN = {"sv": "i mejlet:", "en": "in the mail:"}


def zone_named(name: str | None) -> ZoneInfo | None:
    if not name or len(name) > 64 or ".." in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def browser_zone() -> str | None:
    """The zone the reader's browser reported, if it is a real one."""
    name = request.cookies.get(TZ_COOKIE)
    return name if zone_named(name) is not None else None


def viewer_zone(chosen: str | None) -> ZoneInfo:
    """The profile's zone, else the browser's, else UTC (cached for the request)."""
    if "viewer_zone" not in g:
        g.viewer_zone = zone_named(chosen) or zone_named(browser_zone()) or ZoneInfo("UTC")
    zone: ZoneInfo = g.viewer_zone
    return zone


def relative(moment: datetime, now: datetime, zone: ZoneInfo, lang: str) -> str:
    """'3 hr ago', 'yesterday 14:05', 'Tue 09:12', '28 Nov 14:05', '28 Nov 2025'."""
    locale = LOCALES.get(lang, "en_GB")
    local = moment.astimezone(zone)
    here = now.astimezone(zone)
    age = now - moment
    if timedelta(0) <= age < timedelta(minutes=1):
        return JUST_NOW.get(lang, JUST_NOW["en"])
    if timedelta(0) <= age < timedelta(hours=12) or (
        timedelta(0) <= age and local.date() == here.date()
    ):
        # CLDR's short Swedish form is colloquial ("för 3 min sen"): the long one reads right.
        return format_timedelta(-age, add_direction=True, locale=locale,
                                format="long" if lang == "sv" else "short")
    clock = format_time(local, "HH:mm", locale=locale)
    days = (here.date() - local.date()).days
    if days == 1:
        return YESTERDAY.get(lang, YESTERDAY["en"]).format(time=clock)
    if 1 < days < 7:
        return f"{format_skeleton('EEE', local, locale=locale)} {clock}"
    if local.year == here.year:
        return f"{format_skeleton('MMMd', local, locale=locale)} {clock}"
    return format_skeleton("yMMMd", local, locale=locale)


def absolute(moment: datetime, zone: ZoneInfo, lang: str) -> str:
    """The full date and time in the reader's zone, for the hover title."""
    locale = LOCALES.get(lang, "en_GB")
    return format_datetime(moment.astimezone(zone), "full", locale=locale)


def as_utc(moment: datetime) -> datetime:
    """Naive values from the database are UTC; aware ones keep their instant."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def time_tag(
    moment: datetime | None, zone: ZoneInfo, lang: str, *, written: str | None = None,
    now: datetime | None = None,
) -> Markup:
    """`<time datetime=… title=…>relative</time>`; `written` is the date as the mail gave it
    (ISO with the writer's offset), added to the title so the original is never lost."""
    if moment is None:
        return Markup("")
    instant = as_utc(moment)
    if written:
        try:
            parsed = datetime.fromisoformat(written)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            instant = parsed  # the writer's offset is exact; the stored UTC agrees with it
    current = now or datetime.now(UTC)
    title = absolute(instant, zone, lang)
    if written:
        title += f" · {WRITTEN.get(lang, WRITTEN['en'])} {written}"
    iso = instant.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        iso, title, relative(instant, current, zone, lang)
    )


def exact_tag(moment: datetime | None, zone: ZoneInfo) -> Markup:
    """`2026-12-04 17:20:11` in the reader's zone, for operators' tables (zone on hover)."""
    if moment is None:
        return Markup("")
    instant = as_utc(moment)
    local = instant.astimezone(zone)
    iso = instant.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        iso, f"{zone.key} (UTC{local:%z})", f"{local:%Y-%m-%d %H:%M:%S}"
    )
