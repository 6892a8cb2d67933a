"""PostgreSQL full text over posts and subjects: Swedish and English stemming together.

The only place that speaks tsvector.  A document is analysed under both the `swedish`
and the `english` configuration, because a thread's language is a guess and people mix
them, and stored with a GIN index (`post.search_doc`, `thread.search_doc`).  A query
word is searched as its prefixes (`stems`), so compounds and Swedish inflections that the
stemmers leave apart (`nyckel`/`nycklar`) find each other, and a thread matches when each
word is in some post of it, not necessarily all in one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TextualSelect

from mailfeed.publisher.fts_sqlite import INDEX_LIMIT, MARK_END, MARK_START, every_term
from mailfeed.publisher.stems import prefixes

# The first INDEX_LIMIT characters of each post are searched (and shown in snippets):
# one 18 MB post must not make every search for a common word read 18 MB.
_BODY = f"left(post.body, {INDEX_LIMIT})"
_TRIMMED = f"left(post.trimmed, {INDEX_LIMIT})"
_SCOPE_TEXT = {"own": _BODY, "trimmed": _TRIMMED}
# The analysed documents are stored (generated columns with GIN indexes, migration
# page_freshness): both configurations over the first INDEX_LIMIT characters of body and
# trimmed text, and over the subject.  Matching and ranking read them; nothing analyses
# a post's text at search time except a scope's recheck of the rows the index found.
_POST_DOC = "post.search_doc"
_SUBJECT_DOC = "thread.search_doc"
_HEADLINE_OPTS = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=10"


def _in_scope(scope: str, query: str) -> str:
    """The condition a post must meet: the stored document (the index) matches, and for a
    scope, that scope's own text also does (analysed only for the rows the index found)."""
    condition = f"{_POST_DOC} @@ {query}"
    source = _SCOPE_TEXT.get(scope)
    if source is not None:
        condition += (
            f" AND (to_tsvector('swedish', {source}) || to_tsvector('english', {source}))"
            f" @@ {query}"
        )
    return condition


def tsquery(word: str) -> str:
    """One query word as tsquery text: any of its prefixes (`nyckel:* | nyckl:*`).

    Read with the 'simple' configuration, so the prefixes — already stems — are taken as
    they are and match the swedish and english lexemes of the documents."""
    return " | ".join(f"{p}:*" for p in prefixes(word))


def _threads_sql(terms: list[str], scope: str) -> tuple[str, dict[str, str]]:
    """SQL for the ids of threads where every word occurs in some visible post or (unscoped)
    the subject: the words may be spread over different posts of the thread."""
    parts = []
    params: dict[str, str] = {}
    for i, term in enumerate(terms):
        params[f"t{i}"] = tsquery(term)
        word = f"to_tsquery('simple', :t{i})"
        parts.append(
            f"SELECT post.thread_id AS id, {i} AS term FROM post "
            f"WHERE {_in_scope(scope, word)} AND NOT post.hidden"
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


_ANY = "to_tsquery('simple', :any)"


def _any_term(terms: list[str]) -> str:
    return " | ".join(f"({tsquery(t)})" for t in terms)


def ranked_hits(
    session: Session, terms: list[str], limit: int, scope: str = "all"
) -> list[dict[str, Any]]:
    """Same shape as `fts_sqlite.ranked_hits`: each of the best `limit` threads' best post,
    ranked by ts_rank over the stored documents (higher is better, so negated), and the
    best subjects highlighted.  Post snippets come from `snippets`, for the rows shown."""
    threads, params = _threads_sql(terms, scope)
    within = f"AND post.thread_id IN ({threads}) " if len(terms) > 1 else ""
    values = {"any": _any_term(terms), "n": limit, **(params if within else {})}
    posts = session.execute(
        text(
            "SELECT thread_id, id, r FROM ("
            f"SELECT DISTINCT ON (post.thread_id) post.thread_id, post.id, "
            f"ts_rank({_POST_DOC}, {_ANY}) AS r FROM post "
            f"WHERE {_in_scope(scope, _ANY)} AND NOT post.hidden {within}"
            "ORDER BY post.thread_id, r DESC, post.id) AS best "
            "ORDER BY r DESC, thread_id DESC LIMIT :n"
        ),
        values,
    ).all()
    hits: list[dict[str, Any]] = [
        {"thread_id": t, "post_id": p, "score": -float(r)} for t, p, r in posts
    ]
    if scope in ("own", "trimmed"):
        return hits
    within = f"AND thread.id IN ({threads}) " if len(terms) > 1 else ""
    # The headline is made in the outer query: only for the `limit` subjects kept.
    subjects = session.execute(
        text(
            f"SELECT id, ts_headline('simple', subject, {_ANY}, '{_HEADLINE_OPTS}'), r FROM ("
            f"SELECT thread.id, thread.subject, ts_rank({_SUBJECT_DOC}, {_ANY}) AS r "
            f"FROM thread WHERE {_SUBJECT_DOC} @@ {_ANY} {within}"
            "ORDER BY r DESC, thread.id DESC LIMIT :n) AS best"
        ),
        values,
    ).all()
    hits += [
        {"thread_id": t, "post_id": None, "title": s, "score": -float(r) * 2.0}
        for t, s, r in subjects
    ]
    return hits


def snippets(session: Session, terms: list[str], scope: str, post_ids: list[int]) -> dict[int, str]:
    """ts_headline for these posts only (it re-reads and re-parses the text it marks)."""
    if not post_ids:
        return {}
    shown = _TRIMMED if scope == "trimmed" else _BODY
    rows = session.execute(
        text(
            f"SELECT post.id, ts_headline('simple', {shown}, {_ANY}, '{_HEADLINE_OPTS}') "
            "FROM post WHERE post.id = ANY(:ids)"
        ),
        {"any": _any_term(terms), "ids": list(post_ids)},
    ).all()
    return {int(i): s for i, s in rows}
