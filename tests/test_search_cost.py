"""A search ranks and limits inside the full-text index, and marks up only what it shows
(issue 12), counted rather than timed: the snippet is made for the hits kept, never for
every post that matched, and on PostgreSQL no post's text is analysed again to match or
rank (the analysed documents are stored).
"""

# ruff: noqa: F811 - pytest fixtures arrive as parameters
from __future__ import annotations

from typing import Any

from sqlalchemy import event
from web_support import DOMAIN, add_thread

from mailfeed.publisher import search
from mailfeed.publisher.db import Database
from tests.db_support import database  # noqa: F401 - fixture


def _marked_rows(statement: str, parameters: Any) -> int:
    """How many posts one snippet statement marks up (ids bound, or listed inline)."""
    if "ANY(" in statement:
        return len(parameters["ids"])
    return len(statement.rsplit("IN (", 1)[1].split(")")[0].split(","))


def test_snippets_only_for_the_hits_shown(database: Database) -> None:
    for i in range(30):
        add_thread(
            database,
            f"Fråga {i}",
            [
                (f"p{i}@{DOMAIN}", f"P {i}", f"Projektorn i rum {i} är trasig, projektor igen."),
                (f"svar{i}@{DOMAIN}", f"S {i}", "Projektorn är lagad nu."),
            ],
        )
    statements: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        with database.session() as session:
            hits = search.search(session, "projektorn", limit=5)
            everything = search.search(session, "projektorn trasig", limit=50)
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    assert len(hits) == 5 and all("\x02" in h.snippet for h in hits)
    assert len(everything) == 30
    marked = [
        _marked_rows(s, p)
        for s, p in statements
        if "snippet(" in s or "ts_headline('simple', left(post" in s
    ]
    assert marked == [5, 30]  # one statement per search, one row per thread shown (not 60)
    if database.engine.dialect.name == "postgresql":
        assert not [s for s, _ in statements if "to_tsvector" in s]


def test_counting_needs_no_snippets(database: Database) -> None:
    add_thread(database, "Nyckeln", [(f"anna@{DOMAIN}", "Anna", "Var är nyckeln?")])
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        with database.session() as session:
            tips = search.suggestions(session, "nyckeln projektor")
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    assert [t.query for t in tips] == ["nyckeln"]
    assert not [s for s in statements if "snippet(" in s or "ts_headline('simple', left(" in s]
