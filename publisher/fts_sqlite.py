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
    """The best `limit` threads that have every word, ranked inside the index: each
    thread's best-ranked post (bm25 over posts with any of the words), and subjects
    highlighted whole.  No snippets here: `snippets` makes them for the rows shown.

    bm25() is lower-is-better; subjects get a boost because a title match is what a
    reader looking for a question usually means.  A scope searches posts only.
    """
    threads, params = _threads_sql(terms, scope)
    # One word: a post with it is in a thread with every word; more: the threads must
    # have them all, wherever in the thread each one stands.
    within = f"AND post.thread_id IN ({threads}) " if len(terms) > 1 else ""
    q = match_expression(terms, scope, any_term=True)
    # With exactly one min(), SQLite takes the bare post.id from the row of that minimum.
    posts = session.execute(
        text(
            "SELECT post.thread_id, post.id, min(m.r) AS r FROM "
            "(SELECT rowid AS id, rank AS r FROM post_fts WHERE post_fts MATCH :q) "
            "AS m JOIN post ON post.id = m.id "
            f"WHERE post.hidden = 0 {within}"
            "GROUP BY post.thread_id ORDER BY r, post.thread_id DESC LIMIT :n"
        ),
        {"q": q, "n": limit, **(params if within else {})},
    ).all()
    hits = [{"thread_id": t, "post_id": p, "score": float(r)} for t, p, r in posts]
    if scope in SCOPE_COLUMNS:
        return hits
    # ORDER BY rank lets FTS5 hand the rows over best first, so highlight() runs only
    # for the `limit` rows returned.
    within = f"AND rowid IN ({threads}) " if len(terms) > 1 else ""
    subjects = session.execute(
        text(
            f"SELECT rowid, highlight(thread_fts, 0, '{MARK_START}', '{MARK_END}'), rank "
            f"FROM thread_fts WHERE thread_fts MATCH :q {within}"
            "ORDER BY rank LIMIT :n"
        ),
        {"q": match_expression(terms, any_term=True), "n": limit, **(params if within else {})},
    ).all()
    hits += [
        {"thread_id": t, "post_id": None, "title": s, "score": float(r) * 2.0}
        for t, s, r in subjects
    ]
    return hits


def snippets(session: Session, terms: list[str], scope: str, post_ids: list[int]) -> dict[int, str]:
    """The marked-up fragment of each of these posts around the words: snippet() runs for
    these rows only, never for every match."""
    if not post_ids:
        return {}
    ids = ", ".join(str(int(i)) for i in post_ids)
    rows = session.execute(
        text(
            f"SELECT rowid, snippet(post_fts, -1, '{MARK_START}', '{MARK_END}', '…', 16) "
            f"FROM post_fts WHERE post_fts MATCH :q AND rowid IN ({ids})"
        ),
        {"q": match_expression(terms, scope, any_term=True)},
    ).all()
    return {int(i): s for i, s in rows}
