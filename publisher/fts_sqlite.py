"""SQLite FTS5 full-text index over posts and thread subjects: schema, query, snippets.

The only place that speaks FTS5.  The index tables are external-content tables kept in
step by triggers, so whoever writes posts (the mail publisher, the web) needs to know
nothing about search; `install` runs from a migration and `rebuild` re-reads the rows.
The `porter` tokenizer stems English; for Swedish, each query word is cut to its
Snowball stems and searched as prefixes (`frågorna` → `fråg*` finds `fråga`, `frågan`,
`frågor`; `nyckel` → `nyckel* OR nyckl*` finds `nyckelskåp` and `Nycklarna`; see
`stems`): stemming on the query side, so the index needs nothing SQLite cannot do.
A thread matches when each word is in some post of it (or its subject), not
necessarily all in one post.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Integer, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TextualSelect

from mailfeed.publisher.stems import prefixes

MARK_START = "\x02"  # snippet markers: control characters can never come from escaped text
MARK_END = "\x03"

_TABLES = (
    ("post_fts", "post", ("body", "trimmed")),
    ("thread_fts", "thread", ("subject",)),
)
# Search reads the first INDEX_LIMIT characters of each post: an 18 MB post must not make
# every search for a common word read 18 MB.  The index's content is a view with the
# same cut, so snippets, 'rebuild' and the triggers all see the same text.
INDEX_LIMIT = 65536
_CONTENT = {"post": "post_search"}


def _cut(value: str, table: str) -> str:
    return f"substr({value}, 1, {INDEX_LIMIT})" if table in _CONTENT else value


def _ddl() -> list[str]:
    statements = [
        "CREATE VIEW IF NOT EXISTS post_search AS SELECT id, "
        f"substr(body, 1, {INDEX_LIMIT}) AS body, substr(trimmed, 1, {INDEX_LIMIT}) AS trimmed "
        "FROM post"
    ]
    for fts, table, cols in _TABLES:
        col_list = ", ".join(cols)
        new_vals = ", ".join(_cut(f"new.{c}", table) for c in cols)
        old_vals = ", ".join(_cut(f"old.{c}", table) for c in cols)
        content = _CONTENT.get(table, table)
        statements += [
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({col_list}, "
            f"content='{content}', content_rowid='id', tokenize='porter unicode61')",
            f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts}(rowid, {col_list}) VALUES (new.id, {new_vals}); END",
            f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {col_list}) VALUES ('delete', old.id, {old_vals});"
            " END",
            f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF {col_list} ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {col_list}) VALUES ('delete', old.id, {old_vals});"
            f" INSERT INTO {fts}(rowid, {col_list}) VALUES (new.id, {new_vals}); END",
        ]
    return statements


def install(connection: Connection) -> None:
    """Create the index tables and triggers, then index the rows already there."""
    for statement in _ddl():
        connection.execute(text(statement))
    rebuild(connection)


def uninstall(connection: Connection) -> None:
    for fts, _table, _cols in _TABLES:
        for suffix in ("ai", "ad", "au"):
            connection.execute(text(f"DROP TRIGGER IF EXISTS {fts}_{suffix}"))
        connection.execute(text(f"DROP TABLE IF EXISTS {fts}"))
    connection.execute(text("DROP VIEW IF EXISTS post_search"))


def rebuild(connection: Connection) -> None:
    for fts, _table, _cols in _TABLES:
        connection.execute(text(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')"))


SCOPE_COLUMNS = {"own": "body", "trimmed": "trimmed"}  # anything else: every column


def _term(word: str, column: str | None) -> str:
    """One query word as an FTS5 expression: any of its prefixes (see `stems`).

    Quoting each prefix means no user input is ever read as FTS5 syntax (NEAR, column:, -);
    a scope puts a column filter before it."""
    options = " OR ".join('"' + p.replace('"', '""') + '"*' for p in prefixes(word))
    expression = f"({options})"
    return f"{column} : {expression}" if column else expression


def match_expression(terms: list[str], scope: str = "all", *, any_term: bool = False) -> str:
    """User words -> an FTS5 query: every word required (or, `any_term`, any of them)."""
    column = SCOPE_COLUMNS.get(scope)
    return (" OR " if any_term else " AND ").join(_term(t, column) for t in terms)


def _threads_sql(terms: list[str], scope: str) -> tuple[str, dict[str, str]]:
    """SQL for the ids of threads where every word occurs somewhere: in any visible post,
    or (unscoped) in the subject.  The words may be spread over different posts."""
    column = SCOPE_COLUMNS.get(scope)
    parts = []
    params: dict[str, str] = {}
    for i, term in enumerate(terms):
        params[f"t{i}"] = _term(term, column)
        parts.append(
            f"SELECT post.thread_id AS id, {i} AS term FROM post_fts "
            f"JOIN post ON post.id = post_fts.rowid WHERE post_fts MATCH :t{i} "
            "AND post.hidden = 0"
        )
        if column is None:
            params[f"s{i}"] = _term(term, None)
            parts.append(
                f"SELECT rowid AS id, {i} AS term FROM thread_fts WHERE thread_fts MATCH :s{i}"
            )
    return every_term(parts, len(terms)), params


def every_term(parts: list[str], terms: int) -> str:
    """The ids found by all `terms` numbered queries (each selecting `id` and `term`):
    a thread counts once it has every word, wherever in it each one stands."""
    return (
        f"SELECT id FROM ({' UNION '.join(parts)}) AS found "
        f"GROUP BY id HAVING COUNT(DISTINCT term) = {terms}"
    )


def thread_ids_clause(terms: list[str], scope: str = "all") -> TextualSelect:
    """A subquery of the ids of threads that have every word (see `_threads_sql`)."""
    sql, params = _threads_sql(terms, scope)
    return text(sql).bindparams(**params).columns(id=Integer)


def ranked_hits(
    session: Session, terms: list[str], limit: int, scope: str = "all"
) -> list[dict[str, Any]]:
    """Best-first matches in threads that have every word: the posts with any of the words
    (with a highlighted snippet), and subjects highlighted whole.

    bm25() is lower-is-better; subjects get a boost because a title match is what a
    reader looking for a question usually means.  A scope searches posts only.
    """
    threads, params = _threads_sql(terms, scope)
    q = match_expression(terms, scope, any_term=True)
    posts = session.execute(
        text(
            "SELECT post.thread_id, post.id, "
            f"snippet(post_fts, -1, '{MARK_START}', '{MARK_END}', '…', 16), "
            "bm25(post_fts) FROM post_fts JOIN post ON post.id = post_fts.rowid "
            "WHERE post_fts MATCH :q AND post.hidden = 0 "
            f"AND post.thread_id IN ({threads}) "
            "ORDER BY bm25(post_fts) LIMIT :n"
        ),
        {"q": q, "n": limit * 8, **params},
    ).all()
    hits = [{"thread_id": t, "post_id": p, "snippet": s, "score": float(r)} for t, p, s, r in posts]
    if scope in SCOPE_COLUMNS:
        return hits
    subjects = session.execute(
        text(
            f"SELECT rowid, highlight(thread_fts, 0, '{MARK_START}', '{MARK_END}'), "
            "bm25(thread_fts) FROM thread_fts WHERE thread_fts MATCH :q "
            f"AND rowid IN ({threads}) "
            "ORDER BY bm25(thread_fts) LIMIT :n"
        ),
        {"q": match_expression(terms, any_term=True), "n": limit * 4, **params},
    ).all()
    hits += [
        {"thread_id": t, "post_id": None, "title": s, "score": float(r) * 2.0}
        for t, s, r in subjects
    ]
    return hits
