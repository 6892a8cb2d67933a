"""Threads related to a new one: "This may already be answered" in the link reply.

Each candidate's features (the terms and trigrams of its subject and first post,
`parsers.similar.features`) are derived once and kept in `thread_features`, so a new
question costs one read of up to `CANDIDATES` small rows and the cosine arithmetic, not
the text analysis of every answered thread again (180 of 207 s of a 20k-thread run went
there).  A thread's features are written the first time it is a candidate.

The candidates change far more seldom than questions arrive (a thread is answered, an
answered one gets a reply), so the prepared set (`parsers.similar.CandidateIndex`) is
kept between questions in the process (`SimilarCache`, shared by the sessions of one
`Database`) and used again while the candidates and their stored features are exactly
the ones it was built from: a question then scores only the candidates that share a
feature with it, instead of every candidate's every feature.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from mailfeed.parsers.similar import CandidateIndex, features
from mailfeed.publisher.models import Post, Thread, ThreadFeatures

CANDIDATES = 500  # the most recently active answered threads; bounded work per new thread


Key = tuple[tuple[int, str], ...]  # the candidates, in order, with their stored features


class SimilarCache:
    """The last candidate set's index, for the next question in this process.  Replaced
    whole (one reference), so threads sharing it never see half an index."""

    def __init__(self) -> None:
        self.current: tuple[Key, CandidateIndex[int], dict[int, tuple[str, Mapping[str, int]]]]
        self.current = ((), CandidateIndex([]), {})
        self.builds = 0  # indexes built: for tests

    def index(self, rows: Key) -> CandidateIndex[int]:
        key, index, bags = self.current
        if key == rows:
            return index
        # Features parsed for the last set are reused where a thread's text is the same.
        fresh = {
            tid: (
                text,
                known[1] if (known := bags.get(tid)) and known[0] == text else json.loads(text),
            )
            for tid, text in rows
        }
        index = CandidateIndex([(tid, fresh[tid][1]) for tid, _text in rows])
        self.current = (rows, index, fresh)
        self.builds += 1
        return index


def cache_for(session: Session) -> SimilarCache:
    """The process's cache (a `Database` shares one with its sessions), or a new one for a
    session made elsewhere (which then prepares the candidates for this question only)."""
    cache = session.info.get("shared", {}).get("similar")
    if cache is None:
        cache = SimilarCache()
        if "shared" in session.info:
            session.info["shared"]["similar"] = cache
    assert isinstance(cache, SimilarCache)
    return cache


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
    candidates = tuple(
        (tid, stored if stored is not None else derived.get(tid, "{}")) for tid, stored in rows
    )
    question = thread.subject + "\n" + (thread.posts[0].body if thread.posts else "")
    ranked = cache_for(session).index(candidates).rank(features(question), limit)
    # Only the few shown are loaded as objects.
    found = {
        t.id: t
        for t in session.scalars(
            select(Thread).where(Thread.id.in_([tid for tid, _score in ranked]))
        )
    }
    return [found[tid] for tid, _score in ranked if tid in found]


def _derive(session: Session, thread_ids: list[int]) -> dict[int, str]:
    """Features (as stored: JSON) of threads that have none stored yet; stored now (once:
    a concurrent worker storing the same thread changes nothing)."""
    texts = session.execute(
        select(Thread.id, Thread.subject, Post.body)
        .join(Post, (Post.thread_id == Thread.id) & (Post.position == 0))
        .where(Thread.id.in_(thread_ids))
    ).all()
    derived = {
        tid: json.dumps(features(f"{subject}\n{body}"), ensure_ascii=False, separators=(",", ":"))
        for tid, subject, body in texts
    }
    if derived:
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        session.execute(
            insert(ThreadFeatures).on_conflict_do_nothing(index_elements=["thread_id"]),
            [{"thread_id": tid, "features": stored} for tid, stored in derived.items()],
        )
    return derived
