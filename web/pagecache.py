"""Whole pages kept per process for the pages read most: the feed, a thread, a search.

A page is kept under everything it depends on: the content version (`publisher.freshness`,
raised by the database in every transaction that writes what pages show, read before any
data, so a cached page is never older than what a fresh render would have seen, whichever
process or worker wrote), the path and query, the page's language and zone (and the `tz`
cookie), and who is asking (address, name, guest, moderator).  The one per-session value
inside such a page, the CSRF token, is rendered as a placeholder and filled in per
response.  What changes by the clock alone
("3 min ago", "yesterday 14:05") tells until when it holds (`good_until`), and the page
is kept no longer.  The ETag is the key, that moment and the session's token, so a
browser's conditional GET is answered 304 without rendering.

Must not: keep a page of a failed request, or serve one past the version it was made at.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

import flask_babel
from flask import current_app, g, make_response, request, session
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from mailfeed.publisher import freshness
from mailfeed.web.state import current_user, database

EXTENSION = "mailfeed_page_cache"
PLACEHOLDER = "csrf_placeholder"  # the `g` attribute security.csrf_token answers with

View = TypeVar("View", bound=Callable[..., ResponseReturnValue])
T = TypeVar("T")


class Kept:
    """Texts by key, each good until a moment (`time.time()`), least recently used out
    first, at most `max_bytes` of text in all."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._texts: OrderedDict[Hashable, tuple[str, float]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[str, float] | None:
        with self._lock:
            found = self._texts.get(key)
            if found is None:
                return None
            if found[1] <= time.time():
                del self._texts[key]
                self._size -= len(found[0])
                return None
            self._texts.move_to_end(key)
            return found

    def put(self, key: Hashable, text: str, until: float) -> None:
        if len(text) > self.max_bytes // 4:
            return
        with self._lock:
            old = self._texts.pop(key, None)
            self._size -= len(old[0]) if old is not None else 0
            self._texts[key] = (text, until)
            self._size += len(text)
            while self._size > self.max_bytes:
                _, dropped = self._texts.popitem(last=False)
                self._size -= len(dropped[0])


class PageCache(Kept):
    """Rendered pages (and the thread cards they are made of, `web.cards`)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(max_bytes)
        # Unguessable per process: no mail or form can contain it by chance or on purpose.
        self.placeholder = f"csrf-{secrets.token_hex(16)}"
        self.cards = Kept(max(max_bytes // 4, 1))
        self.renders = 0  # pages rendered for the cache (tests count them)


def install(app: Any, max_bytes: int) -> None:
    if max_bytes > 0:
        app.extensions[EXTENSION] = PageCache(max_bytes)


FOREVER = float("inf")


def good_until(moment: float) -> None:
    """What is being rendered says something that changes at `moment` by the clock alone
    ("3 min ago"; `web.i18n.when` calls this): the page or card is kept until then."""
    if g.get(UNTIL) is not None:
        setattr(g, UNTIL, min(getattr(g, UNTIL), moment))


UNTIL = "page_good_until"


def rendering(render: Callable[[], T]) -> tuple[T, float]:
    """`render()`, and until when what it rendered holds (the earliest `good_until` said
    inside); what encloses it (a page around a card) holds no longer than that either."""
    outer = g.get(UNTIL)
    setattr(g, UNTIL, FOREVER)
    try:
        result = render()
        until = float(getattr(g, UNTIL))
    finally:
        setattr(g, UNTIL, outer)
    if outer is not None:
        setattr(g, UNTIL, min(outer, until))
    return result, until


def _key() -> tuple[Hashable, ...]:
    # The version first: the data this request may render is then at least as new.
    version = freshness.read(database())
    return (
        version,
        request.host,
        request.path,
        request.query_string,
        str(flask_babel.get_locale()),
        str(flask_babel.get_timezone()),
        request.cookies.get("tz"),
        current_user(),
    )


def _etag(key: tuple[Hashable, ...], until: float) -> str:
    token = session.get("csrf")
    raw = repr((key, until, token if isinstance(token, str) else None)).encode()
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def _fill(cache: PageCache, page: str) -> str:
    if cache.placeholder not in page:
        return page  # no form on it: no token, and no session cookie made for one
    from mailfeed.web.security import csrf_token

    return page.replace(cache.placeholder, csrf_token())


def cached(view: View) -> View:
    """Serve this GET view's page from the cache when nothing it shows can have changed."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        cache = cast(PageCache | None, current_app.extensions.get(EXTENSION))
        if cache is None or request.method != "GET":
            return view(*args, **kwargs)
        key = _key()
        found = cache.get(key)
        if found is None:
            setattr(g, PLACEHOLDER, cache.placeholder)
            try:
                result, until = rendering(lambda: view(*args, **kwargs))
            finally:
                delattr(g, PLACEHOLDER)
            if not isinstance(result, str):
                return _filled(cache, result)
            cache.renders += 1
            cache.put(key, result, until)
            found = (result, until)
        page, until = found
        etag = _etag(key, until)
        if etag in request.if_none_match:
            return Response(status=304, headers={"ETag": f'"{etag}"'})
        response = make_response(_fill(cache, page))
        response.set_etag(_etag(key, until))  # the token may be new: the session's now
        response.headers["Cache-Control"] = "private, no-cache"
        response.vary.update(("Cookie", "Accept-Language"))
        return response

    return cast(View, wrapper)


def _filled(cache: PageCache, result: ResponseReturnValue) -> ResponseReturnValue:
    """A result not kept (a redirect, an error status): its placeholder filled all the same."""
    if isinstance(result, tuple) and result and isinstance(result[0], str):
        return (_fill(cache, result[0]), *result[1:])
    if isinstance(result, Response) and not result.is_streamed and result.mimetype == "text/html":
        result.set_data(_fill(cache, result.get_data(as_text=True)))
    return result
