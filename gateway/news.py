"""The intranet news poller: MAILFEED_NEWS_FEEDS polled every MAILFEED_NEWS_INTERVAL s.

Conditional GET (If-None-Match / If-Modified-Since, RFC 9110 §13.1): an unchanged feed
answers 304 and costs nothing.  feedparser reads Atom and every RSS dialect.  Each entry
is published in its own transaction (`publisher.news`), so one bad entry or a race with
another instance loses nothing else.  A broken, unreachable or huge feed is logged,
noted on its `news_source` row and tried again next round: never fatal.
"""

from __future__ import annotations

import calendar
import hashlib
import logging
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser
from sqlalchemy.exc import IntegrityError

from mailfeed.gateway.config import GatewayConfig
from mailfeed.parsers.mime import html_to_text
from mailfeed.publisher import news
from mailfeed.publisher.db import Database

log = logging.getLogger(__name__)
MAX_FEED = 5 * 1024 * 1024  # an intranet feed is kilobytes; more is a mistake or an attack
TIMEOUT = 20


class FeedError(Exception):
    """This feed could not be read this round (logged; tried again next round)."""


@dataclass(frozen=True)
class Fetched:
    body: bytes | None  # None: 304 Not Modified
    etag: str | None
    modified: str | None


def fetch(url: str, etag: str | None, modified: str | None) -> Fetched:
    headers = {
        "User-Agent": "Mailfeed news poller",
        "Accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.5",
    }
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            body = response.read(MAX_FEED + 1)
            if len(body) > MAX_FEED:
                raise FeedError(f"feed larger than {MAX_FEED} bytes")
            return Fetched(
                body, response.headers.get("ETag"), response.headers.get("Last-Modified")
            )
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(None, etag, modified)
        raise FeedError(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise FeedError(exc.__class__.__name__) from exc


def _published(entry: Any) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC).replace(tzinfo=None)


def _text(entry: Any) -> str:
    for content in entry.get("content") or []:
        if content.get("value"):
            value = str(content["value"])
            return html_to_text(value) if "html" in str(content.get("type", "")) else value
    summary = str(entry.get("summary") or "")
    return html_to_text(summary) if "<" in summary else summary


def entries(body: bytes) -> tuple[str, list[news.NewsEntry]]:
    """(feed title, entries) of an Atom or RSS document; FeedError if it is not one."""
    parsed = feedparser.parse(body)
    if parsed.get("bozo") and not parsed.entries:
        raise FeedError(f"malformed feed: {parsed.get('bozo_exception').__class__.__name__}")
    if not parsed.get("version") and not parsed.entries:
        raise FeedError("not an Atom or RSS feed")
    title = str(parsed.feed.get("title") or "")
    out = []
    for entry in parsed.entries:
        link = str(entry.get("link") or "")
        ident = str(entry.get("id") or link or "")
        if not ident:
            ident = (
                "sha256:"
                + hashlib.sha256(
                    f"{entry.get('title')}|{entry.get('summary')}".encode()
                ).hexdigest()
            )
        out.append(
            news.NewsEntry(
                entry_id=ident,
                title=str(entry.get("title") or ""),
                link=link,
                text=_text(entry),
                published=_published(entry),
                source_title=title,
            )
        )
    return title, out


class NewsPoller:
    def __init__(self, config: GatewayConfig, db: Database) -> None:
        self.feeds = config.news_feeds
        self.interval = max(config.news_interval, 1)
        self.language = config.site.default_language
        self.db = db

    def poll(self, url: str) -> int:
        """Poll one feed; returns how many new threads it made.  Raises FeedError."""
        with self.db.session() as session:
            etag, modified = news.validators(session, url)
        try:
            fetched = fetch(url, etag, modified)
            if fetched.body is None:
                with self.db.session() as session:
                    news.remember(session, url, keep=True)
                return 0
            _title, found = entries(fetched.body)
        except FeedError as exc:
            with self.db.session() as session:
                news.remember(session, url, error=str(exc), keep=True)
            raise
        made = 0
        # Oldest first, whatever the feed's order, so the newest ends on top of the feed.
        for entry in sorted(found, key=lambda e: e.published or datetime.max):
            try:
                with self.db.session() as session:
                    if news.record(session, url, entry, self.language) is not None:
                        made += 1
            except IntegrityError:
                continue  # another instance published this entry a moment ago
        with self.db.session() as session:
            # Validators only after every entry is in: a crash before means a full re-read.
            news.remember(session, url, etag=fetched.etag, modified=fetched.modified)
        return made

    def poll_all(self) -> int:
        made = 0
        for url in self.feeds:
            try:
                made += self.poll(url)
            except FeedError as exc:
                log.warning("news feed %s not read: %s", url, exc)
            except Exception as exc:  # noqa: BLE001 - one feed must not stop the others
                log.error("news feed %s failed: %s", url, exc.__class__.__name__)
        if made:
            log.info("news: %d new threads", made)
        return made

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.poll_all()
            stop.wait(self.interval)
