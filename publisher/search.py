"""Full-text search over threads and posts, whichever database we run on.

SQLite uses FTS5 (`fts_sqlite`), PostgreSQL its text search (`fts_postgres`); any other
database, or a SQLite build without the index, falls back to portable LIKE matching.
Results carry snippets with MARK_START/MARK_END around the matched words, so the web layer
escapes the text first and only then turns the markers into <mark>: no HTML from here.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from difflib import get_close_matches
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, and_, func, inspect, or_, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TextualSelect

from mailfeed.publisher import fts_postgres, fts_sqlite
from mailfeed.publisher.fts_sqlite import MARK_END, MARK_START
from mailfeed.publisher.models import Post, Thread

_WORD = re.compile(r"\w+", re.UNICODE)
# How many instructions SQLite runs between looks at the clock (a look costs little).
_PROGRESS_STEPS = 100


class SearchTimeout(Exception):
    """The search ran over its time: the database stopped it (nothing else was held)."""


@contextmanager
def time_limit(session: Session, seconds: float) -> Iterator[None]:
    """Stop the queries inside after `seconds` (0: no limit), raising `SearchTimeout`.

    PostgreSQL: `SET LOCAL statement_timeout` (to the end of the transaction, so a client
    that left does not leave a query running).  SQLite: a progress handler that
    interrupts the statement once the time is up."""
    if seconds <= 0:
        yield
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text(f"SET LOCAL statement_timeout = {max(1, int(seconds * 1000))}"))
        try:
            yield
        except DBAPIError as exc:
            if "statement timeout" in str(exc.orig):
                raise SearchTimeout(str(exc.orig)) from None
            raise
        return
    if dialect != "sqlite":
        yield
        return
    raw = cast(sqlite3.Connection, session.connection().connection.dbapi_connection)
    deadline = time.monotonic() + seconds
    raw.set_progress_handler(lambda: int(time.monotonic() > deadline), _PROGRESS_STEPS)
    try:
        yield
    except DBAPIError as exc:
        if "interrupted" in str(exc.orig):
            raise SearchTimeout("interrupted") from None
        raise
    finally:
        raw.set_progress_handler(None, 0)


MAX_TERMS = 12
SCOPES = ("all", "own", "trimmed")  # own words / trimmed text (signatures, banners, quotes)


@dataclass(frozen=True)
class Hit:
    """One thread that matched, with its best-matching post and the marked-up fragments."""

    thread_id: int
    post_id: int | None
    snippet: str  # text with MARK_START/MARK_END around matches ('' when only the title hit)
    title: str | None  # the subject with markers, when the subject matched
    score: float  # lower is better


def terms_of(query: str) -> list[str]:
    return [t.lower() for t in _WORD.findall(query)][:MAX_TERMS]


def _backend(session: Session) -> str:
    bind = session.get_bind()
    name = bind.dialect.name
    if name == "sqlite":
        has_index = inspect(bind).has_table("post_fts")
        return "sqlite" if has_index else "like"
    return "postgresql" if name == "postgresql" else "like"


def matching_thread_ids(
    session: Session, query: str, scope: str = "all"
) -> Select[int] | TextualSelect:
    """A subquery of thread ids matching `query`, for filtering the keyset feed (API `q`)."""
    terms = terms_of(query)
    backend = _backend(session)
    if not terms:
        return select(Thread.id)
    if backend == "sqlite":
        return fts_sqlite.thread_ids_clause(terms, scope)
    if backend == "postgresql":
        return fts_postgres.thread_ids_clause(terms, scope)
    return _like_thread_ids(terms, scope)


def _like_condition(terms: list[str], scope: str) -> ColumnElement[bool]:
    if scope == "own":
        return and_(*[Post.body.ilike(f"%{t}%") for t in terms])
    if scope == "trimmed":
        return and_(*[Post.trimmed.ilike(f"%{t}%") for t in terms])
    return and_(*[or_(Post.body.ilike(f"%{t}%"), Post.trimmed.ilike(f"%{t}%")) for t in terms])


def _like_thread_ids(terms: list[str], scope: str) -> Select[int]:
    """Threads where each word is in some visible post (or, unscoped, the subject)."""
    wanted: list[ColumnElement[bool]] = []
    for term in terms:
        in_posts = Thread.id.in_(
            select(Post.thread_id).where(Post.hidden.is_(False), _like_condition([term], scope))
        )
        if scope in ("own", "trimmed"):
            wanted.append(in_posts)
        else:
            wanted.append(or_(in_posts, Thread.subject.ilike(f"%{term}%")))
    return select(Thread.id).where(and_(*wanted))


def search(
    session: Session,
    query: str,
    limit: int = 50,
    scope: str = "all",
    timeout: float = 0,
    *,
    with_snippets: bool = True,
) -> list[Hit]:
    """Threads matching `query`, best first, one hit per thread.

    `scope` "own" searches what people wrote, "trimmed" only the trimmed text
    (signatures, banners, quoted history); "all" both and the subjects.  Over `timeout`
    seconds the database stops it and `SearchTimeout` is raised.  `with_snippets=False`
    leaves the snippets empty (a count needs none).
    """
    terms = terms_of(query)
    if not terms:
        return []
    scope = scope if scope in SCOPES else "all"
    backend = _backend(session)
    index = {"sqlite": fts_sqlite, "postgresql": fts_postgres}.get(backend)
    with time_limit(session, timeout):
        if index is None:
            return _merge(_like_hits(session, terms, limit, scope), limit)
        hits = _merge(index.ranked_hits(session, terms, limit, scope), limit)
        if not with_snippets:
            return hits
        # Snippets are the costly part of a search: made for the hits kept, nothing else.
        found = index.snippets(session, terms, scope, [h.post_id for h in hits if h.post_id])
    return [replace(h, snippet=found.get(h.post_id, "")) if h.post_id else h for h in hits]


def _merge(raw: list[dict[str, Any]], limit: int) -> list[Hit]:
    """Keep each thread's best post and its title match; order threads by best score."""
    best: dict[int, dict[str, Any]] = {}
    for row in raw:
        entry = best.setdefault(
            row["thread_id"], {"post_id": None, "snippet": "", "title": None, "score": 0.0}
        )
        if "title" in row:
            entry["title"] = row["title"]
            entry["score"] = min(entry["score"], row["score"])
        elif entry["post_id"] is None or row["score"] < entry.get("post_score", 0.0):
            entry.update(
                post_id=row["post_id"], snippet=row.get("snippet", ""), post_score=row["score"]
            )
            entry["score"] = min(entry["score"], row["score"])
    hits = [Hit(tid, e["post_id"], e["snippet"], e["title"], e["score"]) for tid, e in best.items()]
    hits.sort(key=lambda h: (h.score, -h.thread_id))
    return hits[:limit]


def _like_hits(session: Session, terms: list[str], limit: int, scope: str) -> list[dict[str, Any]]:
    shown = Post.trimmed if scope == "trimmed" else Post.body
    threads = _like_thread_ids(terms, scope)
    any_term = or_(*[_like_condition([t], scope) for t in terms])
    stmt = (
        select(Post.thread_id, Post.id, shown)
        .where(Post.hidden.is_(False), any_term, Post.thread_id.in_(threads))
        .order_by(Post.id.desc())
        .limit(limit * 4)
    )
    hits: list[dict[str, Any]] = [
        {"thread_id": t, "post_id": p, "snippet": mark(excerpt(body, terms), terms), "score": -1.0}
        for t, p, body in session.execute(stmt).all()
    ]
    if scope in ("own", "trimmed"):
        return hits
    subj = select(Thread.id, Thread.subject).where(
        or_(*[Thread.subject.ilike(f"%{t}%") for t in terms]), Thread.id.in_(threads)
    )
    for tid, subject in session.execute(subj.limit(limit * 4)).all():
        title = mark(subject, terms)
        hits.append({"thread_id": tid, "post_id": None, "title": title, "score": -2.0})
    return hits


def excerpt(text: str, terms: list[str], width: int = 160) -> str:
    """About `width` characters of `text` around the first term found."""
    lower = text.lower()
    positions = [lower.find(t) for t in terms if lower.find(t) >= 0]
    start = max(0, min(positions) - width // 3) if positions else 0
    piece = text[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


def mark(text: str, terms: list[str]) -> str:
    """Put the markers around every occurrence of any term (case-insensitive)."""
    if not terms:
        return text
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.I)
    return pattern.sub(lambda m: MARK_START + m.group(0) + MARK_END, text)


@dataclass(frozen=True)
class Suggestion:
    """Another query worth trying when one finds nothing, and how many threads it finds."""

    query: str
    threads: int
    spelling: bool  # a nearby spelling ("did you mean"), else one word of the query alone


def suggestions(
    session: Session, query: str, scope: str = "all", timeout: float = 0
) -> list[Suggestion]:
    """For a query without results: spelling near words the feed uses ("did you mean"),
    then each word alone, when those find something.  Each is a search under `timeout`."""
    terms = terms_of(query)
    if not terms:
        return []
    vocabulary = _vocabulary(session)
    found: list[Suggestion] = []
    corrected = [_closest(t, vocabulary) for t in terms]
    if corrected != terms:
        count = _count(session, " ".join(corrected), scope, timeout)
        if count:
            found.append(Suggestion(" ".join(corrected), count, spelling=True))
    if len(terms) > 1:
        for term in terms:
            count = _count(session, term, scope, timeout)
            if count:
                found.append(Suggestion(term, count, spelling=False))
    return found


def _count(session: Session, query: str, scope: str, timeout: float) -> int:
    return len(search(session, query, limit=200, scope=scope, timeout=timeout, with_snippets=False))


def _closest(term: str, vocabulary: set[str]) -> str:
    if term in vocabulary or len(term) < 4:
        return term
    match = get_close_matches(term, vocabulary, n=1, cutoff=0.75)
    return match[0] if match else term


def _vocabulary(session: Session, posts: int = 400) -> set[str]:
    """Words of the subjects and of the newest posts: what a misspelling is compared with."""
    subjects = session.scalars(select(Thread.subject).where(Thread.hidden.is_(False)).limit(2000))
    bodies = session.scalars(
        select(func.substr(Post.body, 1, 2000))
        .where(Post.hidden.is_(False))
        .order_by(Post.id.desc())
        .limit(posts)
    )
    words: set[str] = set()
    for written in [*subjects, *bodies]:
        words.update(w.lower() for w in _WORD.findall(written or "") if len(w) >= 4)
    return words
