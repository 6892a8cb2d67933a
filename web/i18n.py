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

LANGUAGES = catalogue.LANGUAGES

# Labels for the values the database stores as codes.  lazy_gettext keeps the English
# msgid here and translates it when a page shows it, in that page's language.
KIND_LABELS = {
    "question": lazy_gettext("Question"),
    "discussion": lazy_gettext("Discussion"),
    "kudos": lazy_gettext("Kudos"),
    "praise": lazy_gettext("Praise"),
    "event": lazy_gettext("Event"),
    "idea": lazy_gettext("Idea"),
    "news": lazy_gettext("News"),
}
FILTER_LABELS = {
    "questions": lazy_gettext("Questions"),
    "unanswered": lazy_gettext("Unanswered"),
    "answered": lazy_gettext("Answered"),
    "kudos": lazy_gettext("Kudos"),
    "discussions": lazy_gettext("Discussions"),
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


def choose_zone() -> tzinfo:
    """The viewer's zone: the `tz` cookie when it names a real IANA zone, else UTC."""
    name = request.cookies.get("tz", "")
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def language() -> str:
    """The page's language, sv or en (the formatting locale may carry a region)."""
    locale = flask_babel.get_locale()
    return locale.language if locale is not None else "en"


def _zone() -> tzinfo:
    zone = flask_babel.get_timezone()
    return zone if zone is not None else UTC


class _CatalogueDomain(flask_babel.Domain):
    """Flask-Babel's domain, reading the in-memory catalogue instead of compiled .mo files."""

    def get_translations(self) -> Translations:
        return catalogue.translations(language())


class _Babel(flask_babel.Babel):
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
        local_date=lambda moment, clock=True: timewords.absolute(moment, language(), clock=clock),
        span_of=span_of,
    )
    app.jinja_env.filters.update(
        when=when,
        absolute=lambda moment: timewords.absolute(moment, language(), _zone(), weekday=True),
        duration=lambda delta: timewords.duration(delta, language()),
        time_tag=time_tag,
    )


def when(moment: datetime | None, now: datetime | None = None) -> str:
    """`{{ post.date|when }}`: "3 hr ago", "yesterday 14:05", … in the viewer's language."""
    if moment is None:
        return ""
    return timewords.when(moment, now or datetime.now(UTC), language(), _zone())


def time_tag(moment: datetime | None) -> Markup:
    """`{{ card.last_activity|time_tag }}`: <time> with the relative text, absolute on hover."""
    if moment is None:
        return Markup("")
    stamp = moment.replace(microsecond=0).isoformat() + ("Z" if moment.tzinfo is None else "")
    full = timewords.absolute(moment, language(), _zone(), weekday=True)
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        stamp, full, escape(when(moment)))


def span_of(first: datetime | None, last: datetime | None) -> timedelta:
    """The time between two optional moments (none known: no time at all)."""
    if first is None or last is None:
        return timedelta(0)
    return max(timedelta(0), last - first)
