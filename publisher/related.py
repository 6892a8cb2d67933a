"""Threads related to a new one: "This may already be answered" in the link reply.

Each candidate's features (the terms and trigrams of its subject and first post,
`parsers.similar.features`) are derived once and kept in `thread_features`, so a new
question costs one read of up to `CANDIDATES` small rows and the cosine arithmetic, not
the text analysis of every answered thread again (180 of 207 s of a 20k-thread run went
there).  A thread's features are written the first time it is a candidate.
"""

from __future__ import annotations

import json
from collections import Counter

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from mailfeed.parsers.similar import features, rank_features
from mailfeed.publisher.models import Post, Thread, ThreadFeatures

CANDIDATES = 500  # the most recently active answered threads; bounded work per new thread


def similar_answered(session: Session, thread: Thread, limit: int = 3) -> list[Thread]:
    """Up to `limit` answered threads that ask much the same, best first."""
    rows = session.execute(
        select(Thread.id, ThreadFeatures.features)
        .outerjoin(ThreadFeatures, ThreadFeatures.thread_id == Thread.id)
        .where(Thread.state == "answered", Thread.id != thread.id, Thread.hidden.is_(False))
        .order_by(Thread.last_activity.desc())
        .limit(CANDIDATES)
    ).all()
    if not rows:
        return []
    missing = [tid for tid, stored in rows if stored is None]
    derived = _derive(session, missing) if missing else {}
    candidates = [
        (tid, json.loads(stored) if stored is not None else derived.get(tid, {}))
        for tid, stored in rows
    ]
    question = thread.subject + "\n" + (thread.posts[0].body if thread.posts else "")
    ranked = rank_features(features(question), candidates, limit=limit)
    # Only the few shown are loaded as objects.
    found = {
        t.id: t
        for t in session.scalars(
            select(Thread).where(Thread.id.in_([tid for tid, _score in ranked]))
        )
    }
    return [found[tid] for tid, _score in ranked if tid in found]


def _derive(session: Session, thread_ids: list[int]) -> dict[int, Counter[str]]:
    """Features of threads that have none stored yet; stored now (once: a concurrent
    worker storing the same thread changes nothing)."""
    texts = session.execute(
        select(Thread.id, Thread.subject, Post.body)
        .join(Post, (Post.thread_id == Thread.id) & (Post.position == 0))
        .where(Thread.id.in_(thread_ids))
    ).all()
    derived = {tid: features(f"{subject}\n{body}") for tid, subject, body in texts}
    if derived:
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        session.execute(
            insert(ThreadFeatures).on_conflict_do_nothing(index_elements=["thread_id"]),
            [
                {
                    "thread_id": tid,
                    "features": json.dumps(bag, ensure_ascii=False, separators=(",", ":")),
                }
                for tid, bag in derived.items()
            ],
        )
    return derived
