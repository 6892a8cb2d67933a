"""The viewer's language and zone, and the catalogue's words and times on pages.

Flask-Babel picks the locale per request (the `lang` cookie, else Accept-Language, else
the configured default) and installs gettext, `_` and `ngettext` in Jinja; the
translations come from the one catalogue in `publisher.catalogue`, the same one mail
uses.  Times go through `publisher.timewords` in the viewer's zone (the `tz` cookie when
it names a real zone, else UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import flask_babel
from babel.support import Translations
from flask import Flask, request
from flask_babel import lazy_gettext
from markupsafe import Markup, escape

from mailfeed.publisher import catalogue, timewords
from mailfeed.web import pagecache, state

LANGUAGES = catalogue.LANGUAGES

# Labels for the values the database stores as codes.  lazy_gettext keeps the English
# msgid here and translates it when a page shows it, in that page's language.
KIND_LABELS = {
    "question": lazy_gettext("Question"),
    "discussion": lazy_gettext("Discussion"),
    "praise": lazy_gettext("Praise"),
    "event": lazy_gettext("Event"),
    "idea": lazy_gettext("Idea"),
    "news": lazy_gettext("News"),
}
FILTER_LABELS = {
    "questions": lazy_gettext("Questions"),
    "unanswered": lazy_gettext("Unanswered"),
    "answered": lazy_gettext("Answered"),
    "praise": lazy_gettext("Praise"),
    "discussions": lazy_gettext("Discussions"),
    "events": lazy_gettext("Events"),
    "ideas": lazy_gettext("Ideas"),
    "news": lazy_gettext("News"),
    "mine": lazy_gettext("Mine"),
    "mentions": lazy_gettext("Mentioning me"),
}
SCOPE_LABELS = {
    "all": lazy_gettext("Everything"),
    "own": lazy_gettext("What people wrote"),
    "trimmed": lazy_gettext("Trimmed text (signatures, quotes)"),
}


def choose_language(default: str) -> str:
    """The cookie if set, else the browser's best match, else the configured default."""
    chosen = request.cookies.get("lang")
    if chosen in LANGUAGES:
        return chosen
    best = request.accept_languages.best_match(LANGUAGES)
    if best:
        return best
    return default if default in LANGUAGES else "en"


TZ_COOKIE = "tz"  # set by app.js from Intl.DateTimeFormat().resolvedOptions().timeZone


def zone_named(name: str | None) -> ZoneInfo | None:
    """The IANA zone of that name, or None for anything else (junk, paths, '')."""
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


def choose_zone() -> tzinfo:
    """The viewer's zone: the one chosen on their profile, else the browser's (the `tz`
    cookie), else UTC."""
    user = state.current_user()
    person = state.viewer_person() if user is not None and not user.guest else None
    chosen = zone_named(person.timezone) if person is not None else None
    return chosen or zone_named(browser_zone()) or UTC


def language() -> str:
    """The page's language, sv or en (the formatting locale may carry a region)."""
    locale = flask_babel.get_locale()
    return locale.language if locale is not None else "en"


def _zone() -> tzinfo:
    zone = flask_babel.get_timezone()
    return zone if zone is not None else UTC


class _CatalogueDomain(flask_babel.Domain):  # type: ignore[misc]  # flask_babel is untyped
    """Flask-Babel's domain, reading the in-memory catalogue instead of compiled .mo files."""

    def get_translations(self) -> Translations:
        return catalogue.translations(language())


class _Babel(flask_babel.Babel):  # type: ignore[misc]  # flask_babel is untyped
    @property
    def domain_instance(self) -> flask_babel.Domain:
        return _DOMAIN


_DOMAIN = _CatalogueDomain()


def install(app: Flask, default_language: str) -> None:
    """Flask-Babel on `app`, with the catalogue and the time filters in Jinja."""
    _Babel(
        app,
        locale_selector=lambda: timewords.format_locale(choose_language(default_language)),
        timezone_selector=choose_zone,
    )
    app.jinja_env.globals.update(
        lang=language,
        languages=LANGUAGES,
        kind_label=lambda kind: KIND_LABELS.get(kind, kind),
        filter_label=lambda name: FILTER_LABELS.get(name, name),
        scope_label=lambda name: SCOPE_LABELS.get(name, name),
        written_date=lambda text, moment: timewords.written(text, moment, language()),
        # In the reader's zone, like every time the pages show (issue 16).
        local_date=lambda moment, clock=True: timewords.absolute(
            moment, language(), _zone(), clock=clock
        ),
        span_of=span_of,
        browser_zone=browser_zone,
    )
    app.jinja_env.filters.update(
        when=when,
        absolute=lambda moment: timewords.absolute(moment, language(), _zone(), weekday=True),
        duration=lambda delta: timewords.duration(delta, language()),
        time_tag=time_tag,
        exact=exact,
    )


def when(moment: datetime | None, now: datetime | None = None) -> str:
    """`{{ post.date|when }}`: "3 hr ago", "yesterday 14:05", … in the viewer's language."""
    if moment is None:
        return ""
    now = now or datetime.now(UTC)
    zone = _zone()
    pagecache.good_until(text_changes(moment, now, zone).timestamp())
    return timewords.when(moment, now, language(), zone)


def text_changes(moment: datetime, now: datetime, zone: tzinfo) -> datetime:
    """When `timewords.when(moment, now)` will read differently by the clock alone (its
    cases, in its order): a page that says it is kept no longer (`web.pagecache`)."""
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now
    minute = timedelta(minutes=1)
    if abs(now - moment) < minute:
        return moment + minute  # "just now"
    if now < moment:
        return moment - minute  # a clock time until it is "just now"
    local = now.astimezone(zone)
    if moment.astimezone(zone).date() == local.date():
        # "3 min ago", "2 hr ago": read again at the next whole minute.
        return now.replace(second=0, microsecond=0) + minute
    # "yesterday 14:05", "Mon 14:05", "4 Dec": until the reader's day turns.
    tomorrow = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), zone)
    return tomorrow.astimezone(UTC)


def time_tag(moment: datetime | None, written: str | None = None) -> Markup:
    """`{{ card.last_activity|time_tag }}`: <time> with the relative text, absolute on hover.

    `written` is a post's date as its mail gave it (ISO, with the writer's offset): the
    hover shows it too, so the original wall-clock time is never lost in conversion."""
    if moment is None:
        return Markup("")
    stamp = _utc_stamp(moment)
    full = timewords.absolute(moment, language(), _zone(), weekday=True)
    if written:
        full += " · " + flask_babel.gettext("in the mail: %(date)s", date=written)
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        stamp, full, escape(when(moment))
    )


def exact(moment: datetime | None) -> Markup:
    """`2026-12-04 17:20:11` in the viewer's zone, for operators' tables (zone on hover)."""
    if moment is None:
        return Markup("")
    local = (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).astimezone(_zone())
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        _utc_stamp(moment), f"{local.tzname()} (UTC{local:%z})", f"{local:%Y-%m-%d %H:%M:%S}"
    )


def _utc_stamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, for <time datetime> (stored naive times are UTC)."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def span_of(first: datetime | None, last: datetime | None) -> timedelta:
    """The time between two optional moments (none known: no time at all)."""
    if first is None or last is None:
        return timedelta(0)
    return max(timedelta(0), last - first)
