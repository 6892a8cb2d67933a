"""Read queries for the feed: thread cards with counts, keyset pages, filters, one thread.

Everything the web pages and the JSON API show about threads comes from here, so that the
views hold no SQL.  A page of cards is one query (counts are correlated subqueries), and
a thread with its posts and authors is three (selectinload), whatever the size: no N+1.
Must not write anything except a reader's view mark (`record_view`).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    distinct,
    exists,
    func,
    literal,
    or_,
    select,
    tuple_,
    union,
)
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.sql.selectable import TextualSelect

from mailfeed.publisher import counters
from mailfeed.publisher.models import Like, Mention, Person, Post, Thread, View

FILTERS = (
    "questions",
    "unanswered",
    "answered",
    "praise",
    "discussions",
    "events",
    "ideas",
    "news",
    "mine",
    "mentions",
)
_KIND_FILTERS = {"events": "event", "ideas": "idea", "news": "news"}
MAX_LIMIT = 1000


@dataclass(frozen=True)
class ThreadCard:
    """What a feed card (and the API list) needs about one thread."""

    id: int
    subject: str
    path: str
    kind: str
    state: str
    origin: str
    asker: str | None
    created: datetime
    last_activity: datetime
    posts: int
    likes: int
    readers: int
    mail_messages: int
    asker_email: str | None = None
    opening: str = ""  # the start of the first post's text, for the card's excerpt
    last_author: str | None = None  # who wrote the latest post, when it is a reply

    @property
    def from_mail(self) -> bool:
        return self.origin != "web"


@dataclass(frozen=True)
class CardPage:
    cards: list[ThreadCard]
    next: str | None  # opaque keyset cursor for the following page


def encode_cursor(last_activity: datetime, thread_id: int) -> str:
    raw = f"{last_activity.isoformat()}|{thread_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The (last_activity, id) a cursor stands for; ValueError when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _, ident = raw.partition("|")
        return datetime.fromisoformat(stamp), int(ident)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"not a feed cursor: {cursor!r}") from exc


def _mine(person_id: int) -> ColumnElement[bool]:
    wrote = exists().where(Post.thread_id == Thread.id, Post.author_id == person_id)
    return or_(Thread.asker_id == person_id, wrote)


def _mentions(person_id: int) -> ColumnElement[bool]:
    return exists().where(
        Mention.post_id == Post.id, Post.thread_id == Thread.id, Mention.person_id == person_id
    )


def filter_condition(name: str | None, person_id: int | None) -> ColumnElement[bool] | None:
    """The WHERE clause for a named feed filter (None: no filter, or nobody to be 'me')."""
    if name == "questions":
        return Thread.kind == "question"
    if name == "unanswered":
        return and_(Thread.kind == "question", Thread.state != "answered")
    if name == "answered":
        return Thread.state == "answered"
    if name == "praise":
        return Thread.kind == "praise"
    if name == "discussions":
        return Thread.kind == "discussion"
    if name in _KIND_FILTERS:
        return Thread.kind == _KIND_FILTERS[name]
    if name == "mine" and person_id is not None:
        return _mine(person_id)
    if name == "mentions" and person_id is not None:
        return _mentions(person_id)
    if name == "mine" or name == "mentions":
        return Thread.id.is_(None)  # a guest has nothing of their own: an empty list
    return None


def _card_select() -> Select[Thread, int, int, int, str, str]:
    visible_post = and_(Post.thread_id == Thread.id, Post.hidden.is_(False))
    opening = (
        select(func.substr(Post.body, 1, 600))
        .where(visible_post)
        .order_by(Post.position, Post.id)
        .limit(1)
        .correlate(Thread)
        .scalar_subquery()
    )
    last_author = (
        select(func.coalesce(Person.name, Person.email, Post.author_name))
        .select_from(Post)
        .outerjoin(Person, Person.id == Post.author_id)
        .where(visible_post)
        .order_by(Post.date.desc(), Post.position.desc())
        .limit(1)
        .correlate(Thread)
        .scalar_subquery()
    )
    posts = select(func.count(Post.id)).where(visible_post).correlate(Thread).scalar_subquery()
    likes = (
        select(func.count(Like.id))
        .join(Post, Post.id == Like.post_id)
        .where(visible_post)
        .correlate(Thread)
        .scalar_subquery()
    )
    readers = (
        select(func.count(View.id)).where(View.thread_id == Thread.id).correlate(Thread)
    ).scalar_subquery()
    return (
        select(Thread, posts, likes, readers, opening, last_author)
        .options(selectinload(Thread.asker))
        .where(Thread.hidden.is_(False))
    )


def list_threads(
    session: Session,
    *,
    limit: int = 50,
    before: str | None = None,
    filter_name: str | None = None,
    person_id: int | None = None,
    within: Select[int] | TextualSelect | None = None,
) -> CardPage:
    """Threads by latest activity, newest first, one keyset page at a time.

    `within` narrows to a subquery of thread ids (a search); `before` is a cursor from a
    previous page and raises ValueError when malformed.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    stmt = _card_select()
    condition = filter_condition(filter_name, person_id)
    if condition is not None:
        stmt = stmt.where(condition)
    if within is not None:
        stmt = stmt.where(Thread.id.in_(within))
    if before:
        stamp, ident = decode_cursor(before)
        # A row-value comparison: one seek on the (last_activity, id) index, where the
        # equivalent OR made SQLite scan (41 ms at 90 % depth against 6 ms for page one).
        stmt = stmt.where(
            tuple_(Thread.last_activity, Thread.id)
            < tuple_(literal(stamp, Thread.last_activity.type), literal(ident))
        )
    stmt = stmt.order_by(Thread.last_activity.desc(), Thread.id.desc()).limit(limit + 1)
    rows = session.execute(stmt).all()
    cards = [_card(*row) for row in rows]
    following = None
    if len(cards) > limit:
        cards = cards[:limit]
        following = encode_cursor(cards[-1].last_activity, cards[-1].id)
    return CardPage(cards=cards, next=following)


def cards_for(
    session: Session,
    thread_ids: Iterable[int],
    *,
    filter_name: str | None = None,
    person_id: int | None = None,
) -> dict[int, ThreadCard]:
    """Cards for given threads, optionally filtered (search results keep their ranking)."""
    ids = list(thread_ids)
    if not ids:
        return {}
    stmt = _card_select().where(Thread.id.in_(ids))
    condition = filter_condition(filter_name, person_id)
    if condition is not None:
        stmt = stmt.where(condition)
    rows = session.execute(stmt).all()
    return {row[0].id: _card(*row) for row in rows}


def _card(
    thread: Thread,
    posts: int,
    likes: int,
    readers: int,
    opening: str | None,
    last_author: str | None,
) -> ThreadCard:
    return ThreadCard(
        id=thread.id,
        subject=thread.subject,
        path=thread.path,
        kind=thread.kind,
        state=thread.state,
        origin=thread.origin,
        asker=thread.asker.display if thread.asker else None,
        created=thread.created,
        last_activity=thread.last_activity,
        posts=int(posts or 0),
        likes=int(likes or 0),
        readers=int(readers or 0),
        mail_messages=thread.mail_messages,
        asker_email=thread.asker.email if thread.asker else None,
        opening=opening or "",
        last_author=last_author if (posts or 0) > 1 else None,
    )


def filter_counts(session: Session, person_id: int | None) -> dict[str, int]:
    """How many visible threads each filter would show.

    The filters that are the same for everyone come from the counters the database keeps
    (`publisher.counters`), so the cost does not grow with the archive; "mine" and
    "mentions" are counted through the person's own rows (indexed)."""
    shared = counters.read(session.connection())
    counts = {"all": shared["threads"]}
    counts.update({name: shared.get(name, 0) for name in FILTERS})  # mine, mentions: 0
    if person_id is not None:
        own = union(
            select(Thread.id).where(Thread.asker_id == person_id),
            select(Post.thread_id).where(Post.author_id == person_id),
        )
        counts["mine"] = int(
            session.scalar(
                select(func.count())
                .select_from(Thread)
                .where(Thread.hidden.is_(False), Thread.id.in_(own))
            )
            or 0
        )
        counts["mentions"] = int(
            session.scalar(
                select(func.count(distinct(Thread.id)))
                .join(Post, Post.thread_id == Thread.id)
                .join(Mention, Mention.post_id == Post.id)
                .where(Mention.person_id == person_id, Thread.hidden.is_(False))
            )
            or 0
        )
    return counts


def get_thread(session: Session, thread_id: int) -> Thread | None:
    """A visible thread with its posts and their authors loaded up front: two queries
    (the people joined in, one row each)."""
    stmt = (
        select(Thread)
        .where(Thread.id == thread_id, Thread.hidden.is_(False))
        .options(
            joinedload(Thread.asker),
            selectinload(Thread.posts).joinedload(Post.author),
        )
    )
    return session.scalar(stmt)


def visible_posts(thread: Thread) -> list[Post]:
    """The shown posts in the order they were written: by instant (UTC), then position.

    Position is the order the mail chain gave; a mail written at 14:45 +00:00 comes after
    one written at 15:20 +01:00 whatever the chain said."""
    return sorted((p for p in thread.posts if not p.hidden), key=lambda p: (p.date, p.position))


def like_summary(
    session: Session, post_ids: list[int], person_id: int | None
) -> tuple[dict[int, int], set[int]]:
    """Likes per post, and which of them this person liked: two queries for a whole thread."""
    if not post_ids:
        return {}, set()
    counts_stmt = (
        select(Like.post_id, func.count(Like.id))
        .where(Like.post_id.in_(post_ids))
        .group_by(Like.post_id)
    )
    counts = {pid: int(n) for pid, n in session.execute(counts_stmt).all()}
    mine: set[int] = set()
    if person_id is not None:
        stmt = select(Like.post_id).where(Like.post_id.in_(post_ids), Like.person_id == person_id)
        mine = set(session.scalars(stmt))
    return counts, mine


def mentioned_people(session: Session, post_ids: list[int]) -> dict[int, list[Person]]:
    """Who was invited into the talk, per post ("everyone can see who was invited")."""
    if not post_ids:
        return {}
    stmt = (
        select(Mention.post_id, Person)
        .join(Person, Person.id == Mention.person_id)
        .where(Mention.post_id.in_(post_ids))
        .order_by(Mention.id)
    )
    result: dict[int, list[Person]] = {}
    for post_id, person in session.execute(stmt).all():
        result.setdefault(post_id, []).append(person)
    return result


def record_view(session: Session, thread_id: int, person_id: int) -> None:
    """Count a reader once per thread (the caller commits; a racing duplicate fails alone)."""
    seen = session.scalar(
        select(View.id).where(View.thread_id == thread_id, View.person_id == person_id)
    )
    if seen is None:
        session.add(View(thread_id=thread_id, person_id=person_id))
