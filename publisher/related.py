"""Threads related to a new one: "This may already be answered" in the link reply."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailfeed.parsers.similar import rank_similar
from mailfeed.publisher.models import Post, Thread

CANDIDATES = 500  # the most recently active answered threads; bounded work per new thread


def similar_answered(session: Session, thread: Thread, limit: int = 3) -> list[Thread]:
    """Up to `limit` answered threads that ask much the same, best first."""
    rows = session.execute(
        select(Thread, Post.body)
        .join(Post, (Post.thread_id == Thread.id) & (Post.position == 0))
        .where(Thread.state == "answered", Thread.id != thread.id, Thread.hidden.is_(False))
        .order_by(Thread.last_activity.desc())
        .limit(CANDIDATES)
    ).all()
    if not rows:
        return []
    question = thread.subject + "\n" + (thread.posts[0].body if thread.posts else "")
    by_id = {t.id: t for t, _body in rows}
    ranked = rank_similar(question, [(t.id, f"{t.subject}\n{body}") for t, body in rows],
                          limit=limit)
    return [by_id[thread_id] for thread_id, _score in ranked]
