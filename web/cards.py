"""A thread's card, rendered once and reused by every feed and search page that shows it.

Cards are most of a feed or search page's rendering (times, plurals, avatars: ~1 ms
each), and a card changes only when its thread does.  It is kept under everything it
shows: the card's values (counts and latest activity included), the search snippet and
title, the language, the zone, and whether the reader is a guest (addresses are
shortened for guests); and no longer than its relative time reads true.  Kept in the
page cache's store; without one (MAILFEED_PAGE_CACHE_MB=0), rendered each time.
"""

from __future__ import annotations

from typing import cast

import flask_babel
from flask import current_app, render_template
from markupsafe import Markup

from mailfeed.publisher.feed import ThreadCard
from mailfeed.web import pagecache
from mailfeed.web.state import current_user


def card_html(card: ThreadCard, snippet: str | None = None, title: str | None = None) -> Markup:
    """`{{ card_html(card) }}`: web/feed/_card.html for this card, from the store if kept."""
    cache = cast(pagecache.PageCache | None, current_app.extensions.get(pagecache.EXTENSION))
    if cache is None:
        return Markup(_render(card, snippet, title))
    user = current_user()
    key = (
        card,
        snippet,
        title,
        str(flask_babel.get_locale()),
        str(flask_babel.get_timezone()),
        user is None or user.guest,
    )
    found = cache.cards.get(key)
    if found is None:
        html, until = pagecache.rendering(lambda: _render(card, snippet, title))
        cache.cards.put(key, html, until)
        return Markup(html)
    html, until = found
    pagecache.good_until(until)  # the page holds no longer than its cards
    return Markup(html)


def _render(card: ThreadCard, snippet: str | None, title: str | None) -> str:
    return render_template("web/feed/_card.html", card=card, snippet=snippet, title=title)
