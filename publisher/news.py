"""Intranet news as feed threads: one `news` thread per feed entry, exactly once.

The entry's identity is (feed URL, entry id); the unique constraint on `news_item` makes
a second insert fail, whether it comes from a restart or another instance polling the
same feed at the same moment, so the caller treats an IntegrityError as "already there".
Plain values in (`NewsEntry`, built by the poller from feedparser), rows out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailfeed.publisher.models import NewsItem, NewsSource, Post, Thread, utcnow
from mailfeed.publisher.publish import slugify

MAX_TEXT = 20_000


@dataclass(frozen=True)
class NewsEntry:
    entry_id: str
    title: str
    link: str
    text: str  # the summary or content as plain text
    published: datetime | None  # naive UTC
    source_title: str


def known(session: Session, source: str, entry_id: str) -> bool:
    return (
        session.scalar(
            select(NewsItem.id).where(NewsItem.source == source, NewsItem.entry_id == entry_id)
        )
        is not None
    )


def record(session: Session, source: str, entry: NewsEntry, language: str) -> Thread | None:
    """The entry's thread, created now; None when it was there already.  The caller
    commits, and an IntegrityError at the commit means another instance was first."""
    entry_id = entry.entry_id[:1000]
    if known(session, source, entry_id):
        return None
    now = utcnow()
    when = min(entry.published or now, now)
    body = entry.text.strip()[:MAX_TEXT]
    if entry.link:
        body = f"{body}\n\n{entry.link}" if body else entry.link
    thread = Thread(
        subject=(entry.title.strip() or entry.link or "News")[:500],
        slug=slugify(entry.title or "news"),
        kind="news",
        origin="news",
        language=language,
        created=when,
        last_activity=when,
    )
    session.add(thread)
    session.flush()
    session.add(
        Post(
            thread_id=thread.id,
            author_name=entry.source_title[:200] or None,
            date=when,
            body=body or entry.title,
            source="news",
            position=0,
        )
    )
    session.add(
        NewsItem(
            source=source[:1000], entry_id=entry_id, link=entry.link[:2000], thread_id=thread.id
        )
    )
    session.flush()
    return thread


def validators(session: Session, url: str) -> tuple[str | None, str | None]:
    """The ETag and Last-Modified the feed sent last time (RFC 9110 §13.1)."""
    row = session.get(NewsSource, url)
    return (row.etag, row.modified) if row is not None else (None, None)


def remember(
    session: Session,
    url: str,
    *,
    etag: str | None = None,
    modified: str | None = None,
    error: str = "",
    keep: bool = False,
) -> None:
    """Note a poll: new validators (unless `keep`), and the error if it failed."""
    row = session.get(NewsSource, url)
    if row is None:
        row = NewsSource(url=url, last_error="")
        session.add(row)
    if not keep:
        row.etag, row.modified = etag, modified
    row.checked, row.last_error = utcnow(), error[:1000]
    session.flush()
