"""What one person did on the feed: asked, answered, praised, and where they were mentioned.

Read-only queries for the person page and the notification list; each list is one query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from mailfeed.publisher.models import Mention, Person, Post, Thread


@dataclass(frozen=True)
class ThreadRef:
    subject: str
    path: str
    when: datetime
    post_id: int | None = None
    by: str | None = None  # for mentions: who mentioned


@dataclass(frozen=True)
class Activity:
    asked: list[ThreadRef]
    answered: list[ThreadRef]
    praised: list[ThreadRef]
    mentions: list[ThreadRef]


def person_activity(session: Session, person_id: int, limit: int = 50) -> Activity:
    asked_stmt = (
        select(Thread)
        .where(Thread.asker_id == person_id, Thread.hidden.is_(False))
        .order_by(Thread.created.desc())
        .limit(limit)
    )
    asked = [ThreadRef(t.subject, t.path, t.created) for t in session.scalars(asked_stmt)]
    answered_stmt = (
        select(Thread, Post)
        .join(Post, Post.id == Thread.answer_post_id)
        .where(Post.author_id == person_id, Thread.hidden.is_(False))
        .order_by(Thread.last_activity.desc())
        .limit(limit)
    )
    answered = [
        ThreadRef(t.subject, t.path, p.date, p.id) for t, p in session.execute(answered_stmt)
    ]
    praised_stmt = (
        select(Thread, Post)
        .join(Post, Post.thread_id == Thread.id)
        .where(Post.author_id == person_id, Thread.hidden.is_(False), Post.hidden.is_(False))
        .where((Post.kind == "praise") | (Thread.kind == "praise"))
        .order_by(Post.date.desc())
        .limit(limit)
    )
    praised = [ThreadRef(t.subject, t.path, p.date, p.id) for t, p in session.execute(praised_stmt)]
    mention_stmt = (
        select(Thread, Post, Person)
        .select_from(Mention)
        .join(Post, Post.id == Mention.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .outerjoin(Person, Person.id == Post.author_id)
        .where(Mention.person_id == person_id, Thread.hidden.is_(False))
        .order_by(Mention.created.desc())
        .limit(limit)
    )
    mentions = [
        ThreadRef(t.subject, t.path, p.date, p.id, by.display if by else p.author_name)
        for t, p, by in session.execute(mention_stmt)
    ]
    return Activity(asked=asked, answered=answered, praised=praised, mentions=mentions)


def unseen_mentions(session: Session, person_id: int) -> int:
    """Mentions the person has not looked at yet (the count beside 'Notifications')."""
    stmt = select(func.count(Mention.id)).where(
        Mention.person_id == person_id, Mention.seen.is_(False)
    )
    return int(session.scalar(stmt) or 0)


def mark_mentions_seen(session: Session, person_id: int) -> None:
    session.execute(
        update(Mention)
        .where(Mention.person_id == person_id, Mention.seen.is_(False))
        .values(seen=True)
    )
