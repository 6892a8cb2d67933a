"""SQLite FTS5 full-text index over posts and thread subjects: schema, query, snippets.

The only place that speaks FTS5.  The index tables are external-content tables kept in
step by triggers, so whoever writes posts (the mail publisher, the web) needs to know
nothing about search; `install` runs from a migration and `rebuild` re-reads the rows.
The `porter` tokenizer stems English; for Swedish, each query word is cut to its
Snowball stem and searched as a prefix (`frågorna` → `fråg*` finds `fråga`, `frågan`,
`frågor`; `skrivaren` → `skriv*` finds `skrivare`): stemming on the query side, so the
index needs nothing SQLite cannot do.
"""

from __future__ import annotations

from typing import Any

from snowballstemmer import stemmer
from sqlalchemy import Connection, Integer, TextClause, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TextualSelect

_SWEDISH = stemmer("swedish")

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


def match_expression(terms: list[str], scope: str = "all") -> str:
    """User words -> an FTS5 query: every word required, each a quoted prefix term.

    Quoting each word means no user input is ever read as FTS5 syntax (NEAR, column:, -);
    a scope puts a column filter before each term.
    """
    column = SCOPE_COLUMNS.get(scope)
    prefix = f"{column} : " if column else ""
    return " ".join(prefix + '"' + _stem(t).replace('"', '""') + '"*' for t in terms)


def _stem(term: str) -> str:
    """The Swedish Snowball stem (it only ever removes a suffix, so it is a prefix of the
    word), kept at three letters or more so a short stem does not match everything."""
    stem = str(_SWEDISH.stemWord(term.lower()))
    return stem if len(stem) >= 3 else term


def thread_ids_clause(terms: list[str], scope: str = "all") -> TextualSelect:
    """A subquery of the ids of visible threads whose posts (or, unscoped, subject) match."""
    sql = (
        "SELECT post.thread_id AS id FROM post_fts JOIN post ON post.id = post_fts.rowid "
        "WHERE post_fts MATCH :fts_q AND post.hidden = 0"
    )
    if scope not in SCOPE_COLUMNS:
        sql += " UNION SELECT rowid AS id FROM thread_fts WHERE thread_fts MATCH :subject_q"
    clause: TextClause = text(sql).bindparams(fts_q=match_expression(terms, scope))
    if scope not in SCOPE_COLUMNS:
        clause = clause.bindparams(subject_q=match_expression(terms))
    return clause.columns(id=Integer)


def ranked_hits(
    session: Session, terms: list[str], limit: int, scope: str = "all"
) -> list[dict[str, Any]]:
    """Best-first matches: posts with a highlighted snippet, and subjects highlighted whole.

    bm25() is lower-is-better; subjects get a boost because a title match is what a
    reader looking for a question usually means.  A scope searches posts only.
    """
    q = match_expression(terms, scope)
    posts = session.execute(
        text(
            "SELECT post.thread_id, post.id, "
            f"snippet(post_fts, -1, '{MARK_START}', '{MARK_END}', '…', 16), "
            "bm25(post_fts) FROM post_fts JOIN post ON post.id = post_fts.rowid "
            "WHERE post_fts MATCH :q AND post.hidden = 0 ORDER BY bm25(post_fts) LIMIT :n"
        ),
        {"q": q, "n": limit * 4},
    ).all()
    hits = [
        {"thread_id": t, "post_id": p, "snippet": s, "score": float(r)} for t, p, s, r in posts
    ]
    if scope in SCOPE_COLUMNS:
        return hits
    subjects = session.execute(
        text(
            f"SELECT rowid, highlight(thread_fts, 0, '{MARK_START}', '{MARK_END}'), "
            "bm25(thread_fts) FROM thread_fts WHERE thread_fts MATCH :q "
            "ORDER BY bm25(thread_fts) LIMIT :n"
        ),
        {"q": match_expression(terms), "n": limit * 4},
    ).all()
    hits += [
        {"thread_id": t, "post_id": None, "title": s, "score": float(r) * 2.0}
        for t, s, r in subjects
    ]
    return hits

