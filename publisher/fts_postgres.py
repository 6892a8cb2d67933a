"""PostgreSQL full text over posts and subjects: Swedish and English stemming together.

The only place that speaks tsvector.  A document is indexed under both the `swedish` and
the `english` configuration, because a thread's language is a guess and people mix them;
the expression GIN indexes created by `install` make the same expressions fast.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Integer, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TextualSelect

from publisher.fts_sqlite import MARK_END, MARK_START

_POST_DOC = (
    "(to_tsvector('swedish', post.body || ' ' || post.trimmed) || "
    "to_tsvector('english', post.body || ' ' || post.trimmed))"
)
_SUBJECT_DOC = "(to_tsvector('swedish', thread.subject) || to_tsvector('english', thread.subject))"
_QUERY = "(plainto_tsquery('swedish', :q) || plainto_tsquery('english', :q))"
_HEADLINE_OPTS = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=10"


def install(connection: Connection) -> None:
    connection.execute(text(f"CREATE INDEX IF NOT EXISTS ix_post_fts ON post USING gin ({_POST_DOC})"))
    connection.execute(
        text(f"CREATE INDEX IF NOT EXISTS ix_thread_fts ON thread USING gin ({_SUBJECT_DOC})")
    )


def uninstall(connection: Connection) -> None:
    connection.execute(text("DROP INDEX IF EXISTS ix_post_fts"))
    connection.execute(text("DROP INDEX IF EXISTS ix_thread_fts"))


def _query_text(terms: list[str]) -> str:
    return " ".join(terms)


def thread_ids_clause(terms: list[str]) -> TextualSelect:
    clause = text(
        f"SELECT post.thread_id AS id FROM post WHERE {_POST_DOC} @@ {_QUERY} "
        f"AND NOT post.hidden UNION SELECT thread.id AS id FROM thread WHERE {_SUBJECT_DOC} @@ "
        f"{_QUERY}"
    ).bindparams(q=_query_text(terms))
    return clause.columns(id=Integer)


def ranked_hits(session: Session, terms: list[str], limit: int) -> list[dict[str, Any]]:
    """Same shape as `fts_sqlite.ranked_hits`; ts_rank is higher-is-better, so negate it."""
    q = _query_text(terms)
    posts = session.execute(
        text(
            "SELECT post.thread_id, post.id, "
            f"ts_headline('english', post.body, {_QUERY}, '{_HEADLINE_OPTS}'), "
            f"ts_rank({_POST_DOC}, {_QUERY}) AS r FROM post "
            f"WHERE {_POST_DOC} @@ {_QUERY} AND NOT post.hidden ORDER BY r DESC LIMIT :n"
        ),
        {"q": q, "n": limit * 4},
    ).all()
    subjects = session.execute(
        text(
            "SELECT thread.id, "
            f"ts_headline('english', thread.subject, {_QUERY}, '{_HEADLINE_OPTS}'), "
            f"ts_rank({_SUBJECT_DOC}, {_QUERY}) AS r FROM thread "
            f"WHERE {_SUBJECT_DOC} @@ {_QUERY} ORDER BY r DESC LIMIT :n"
        ),
        {"q": q, "n": limit * 4},
    ).all()
    hits = [
        {"thread_id": t, "post_id": p, "snippet": s, "score": -float(r)} for t, p, s, r in posts
    ]
    hits += [
        {"thread_id": t, "post_id": None, "title": s, "score": -float(r) * 2.0}
        for t, s, r in subjects
    ]
    return hits
