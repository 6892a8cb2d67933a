"""PostgreSQL full text over posts and subjects: Swedish and English stemming together.

The only place that speaks tsvector.  A document is indexed under both the `swedish` and
the `english` configuration, because a thread's language is a guess and people mix them;
the expression GIN indexes created by `install` make the same expressions fast.  A query
word is searched as its prefixes (`stems`), so compounds and Swedish inflections that the
stemmers leave apart (`nyckel`/`nycklar`) find each other, and a thread matches when each
word is in some post of it, not necessarily all in one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Integer, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TextualSelect

from mailfeed.publisher.fts_sqlite import INDEX_LIMIT, MARK_END, MARK_START, every_term
from mailfeed.publisher.stems import prefixes

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


def tsquery(word: str) -> str:
    """One query word as tsquery text: any of its prefixes (`nyckel:* | nyckl:*`).

    Read with the 'simple' configuration, so the prefixes — already stems — are taken as
    they are and match the swedish and english lexemes of the documents."""
    return " | ".join(f"{p}:*" for p in prefixes(word))


def _threads_sql(terms: list[str], scope: str) -> tuple[str, dict[str, str]]:
    """SQL for the ids of threads where every word occurs in some visible post or (unscoped)
    the subject: the words may be spread over different posts of the thread."""
    doc = _post_doc(scope)
    parts = []
    params: dict[str, str] = {}
    for i, term in enumerate(terms):
        params[f"t{i}"] = tsquery(term)
        parts.append(
            f"SELECT post.thread_id AS id, {i} AS term FROM post "
            f"WHERE {doc} @@ to_tsquery('simple', :t{i}) AND NOT post.hidden"
        )
        if scope not in ("own", "trimmed"):
            parts.append(
                f"SELECT thread.id AS id, {i} AS term FROM thread "
                f"WHERE {_SUBJECT_DOC} @@ to_tsquery('simple', :t{i})"
            )
    return every_term(parts, len(terms)), params


def thread_ids_clause(terms: list[str], scope: str = "all") -> TextualSelect:
    sql, params = _threads_sql(terms, scope)
    return text(sql).bindparams(**params).columns(id=Integer)


def ranked_hits(
    session: Session, terms: list[str], limit: int, scope: str = "all"
) -> list[dict[str, Any]]:
    """Same shape as `fts_sqlite.ranked_hits`; ts_rank is higher-is-better, so negate it."""
    threads, params = _threads_sql(terms, scope)
    any_term = "to_tsquery('simple', :any)"
    doc = _post_doc(scope)
    shown = _TRIMMED if scope == "trimmed" else _BODY
    values = {"any": " | ".join(f"({tsquery(t)})" for t in terms), "n": limit * 8, **params}
    posts = session.execute(
        text(
            "SELECT post.thread_id, post.id, "
            f"ts_headline('simple', {shown}, {any_term}, '{_HEADLINE_OPTS}'), "
            f"ts_rank({doc}, {any_term}) AS r FROM post "
            f"WHERE {doc} @@ {any_term} AND NOT post.hidden AND post.thread_id IN ({threads}) "
            "ORDER BY r DESC LIMIT :n"
        ),
        values,
    ).all()
    hits = [
        {"thread_id": t, "post_id": p, "snippet": s, "score": -float(r)} for t, p, s, r in posts
    ]
    if scope in ("own", "trimmed"):
        return hits
    subjects = session.execute(
        text(
            "SELECT thread.id, "
            f"ts_headline('simple', thread.subject, {any_term}, '{_HEADLINE_OPTS}'), "
            f"ts_rank({_SUBJECT_DOC}, {any_term}) AS r FROM thread "
            f"WHERE {_SUBJECT_DOC} @@ {any_term} AND thread.id IN ({threads}) "
            "ORDER BY r DESC LIMIT :n"
        ),
        values,
    ).all()
    hits += [
        {"thread_id": t, "post_id": None, "title": s, "score": -float(r) * 2.0}
        for t, s, r in subjects
    ]
    return hits
