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

from mailfeed.publisher.fts_sqlite import INDEX_LIMIT, MARK_END, MARK_START

# The first INDEX_LIMIT characters of each post are searched (and shown in snippets):
# one 18 MB post must not make every search for a common word read 18 MB.
_BODY = f"left(post.body, {INDEX_LIMIT})"
_TRIMMED = f"left(post.trimmed, {INDEX_LIMIT})"
_POST_TEXT = {"all": f"{_BODY} || ' ' || {_TRIMMED}", "own": _BODY, "trimmed": _TRIMMED}


def _post_doc(scope: str = "all") -> str:
    """Both configurations over the scope's text; the "all" form is the indexed one."""
    source = _POST_TEXT.get(scope, _POST_TEXT["all"])
    return f"(to_tsvector('swedish', {source}) || to_tsvector('english', {source}))"


_POST_DOC = _post_doc()
_SUBJECT_DOC = "(to_tsvector('swedish', thread.subject) || to_tsvector('english', thread.subject))"
_QUERY = "(plainto_tsquery('swedish', :q) || plainto_tsquery('english', :q))"
_HEADLINE_OPTS = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=10"


def install(connection: Connection) -> None:
    connection.execute(
        text(f"CREATE INDEX IF NOT EXISTS ix_post_fts ON post USING gin ({_POST_DOC})")
    )
    connection.execute(
        text(f"CREATE INDEX IF NOT EXISTS ix_thread_fts ON thread USING gin ({_SUBJECT_DOC})")
    )


def uninstall(connection: Connection) -> None:
    connection.execute(text("DROP INDEX IF EXISTS ix_post_fts"))
    connection.execute(text("DROP INDEX IF EXISTS ix_thread_fts"))


def _query_text(terms: list[str]) -> str:
    return " ".join(terms)


def thread_ids_clause(terms: list[str], scope: str = "all") -> TextualSelect:
    doc = _post_doc(scope)
    sql = f"SELECT post.thread_id AS id FROM post WHERE {doc} @@ {_QUERY} AND NOT post.hidden"
    if scope not in ("own", "trimmed"):
        sql += f" UNION SELECT thread.id AS id FROM thread WHERE {_SUBJECT_DOC} @@ {_QUERY}"
    return text(sql).bindparams(q=_query_text(terms)).columns(id=Integer)


def ranked_hits(
    session: Session, terms: list[str], limit: int, scope: str = "all"
) -> list[dict[str, Any]]:
    """Same shape as `fts_sqlite.ranked_hits`; ts_rank is higher-is-better, so negate it."""
    q = _query_text(terms)
    doc = _post_doc(scope)
    shown = _TRIMMED if scope == "trimmed" else _BODY
    posts = session.execute(
        text(
            "SELECT post.thread_id, post.id, "
            f"ts_headline('english', {shown}, {_QUERY}, '{_HEADLINE_OPTS}'), "
            f"ts_rank({doc}, {_QUERY}) AS r FROM post "
            f"WHERE {doc} @@ {_QUERY} AND NOT post.hidden ORDER BY r DESC LIMIT :n"
        ),
        {"q": q, "n": limit * 4},
    ).all()
    hits = [
        {"thread_id": t, "post_id": p, "snippet": s, "score": -float(r)} for t, p, s, r in posts
    ]
    if scope in ("own", "trimmed"):
        return hits
    subjects = session.execute(
        text(
            "SELECT thread.id, "
            f"ts_headline('english', thread.subject, {_QUERY}, '{_HEADLINE_OPTS}'), "
            f"ts_rank({_SUBJECT_DOC}, {_QUERY}) AS r FROM thread "
            f"WHERE {_SUBJECT_DOC} @@ {_QUERY} ORDER BY r DESC LIMIT :n"
        ),
        {"q": q, "n": limit * 4},
    ).all()
    hits += [
        {"thread_id": t, "post_id": None, "title": s, "score": -float(r) * 2.0}
        for t, s, r in subjects
    ]
    return hits
