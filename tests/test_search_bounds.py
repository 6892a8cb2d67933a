"""Search is bounded: a post is indexed up to 64 KB, and a query over its time stops.

Story: someone mailed an 18 MB log as a post.  Searching a common word must not read
it all, and a search that runs over its time answers "took too long", never a hang.
"""

# ruff: noqa: F811 - pytest fixtures imported from support modules arrive as parameters
from __future__ import annotations

import json
from pathlib import Path

import pytest
from db_support import database  # noqa: F401 - fixture: SQLite and PostgreSQL
from web_support import DOMAIN, add_thread, make_settings

from mailfeed.publisher.db import Database
from mailfeed.publisher.fts_sqlite import INDEX_LIMIT
from mailfeed.publisher.search import SearchTimeout, search
from mailfeed.settings import build_web_config
from mailfeed.web import create_app


def test_a_post_is_searched_in_its_first_64_kb_only(database: Database) -> None:
    filler = "loggrad " * (INDEX_LIMIT // 8 + 100)
    huge = add_thread(
        database,
        "Loggen från servern",
        [
            (f"erik@{DOMAIN}", "Erik", "tidigt " + filler + " sentida"),
        ],
    )
    with database.session() as session:
        assert [h.thread_id for h in search(session, "tidigt")] == [huge]
        assert search(session, "sentida") == []  # beyond the cut: not indexed
        # Snippets come from the cut text too.
        (hit,) = search(session, "loggrad")
        assert len(hit.snippet) < 2000


def many_long_posts(db: Database) -> None:
    words = " ".join(f"ord{n} vanlig" for n in range(4000))
    for n in range(40):
        add_thread(db, f"Tråd {n}", [(f"p{n}@{DOMAIN}", "P", words)])


def test_a_search_over_its_time_is_stopped(database: Database) -> None:
    many_long_posts(database)
    with database.session() as session:
        assert search(session, "vanlig", timeout=30)  # in time: answers
    with database.session() as session, pytest.raises(SearchTimeout):
        search(session, "vanlig", timeout=0.000001)


def test_the_pages_say_a_search_took_too_long(data_dir: Path) -> None:
    settings = make_settings(data_dir, auth="open", search_timeout=0.000001)
    db = Database(settings.db_url)
    db.upgrade()
    many_long_posts(db)
    client = create_app(build_web_config(settings), db).test_client()
    page = client.get("/search?q=vanlig")
    assert page.status_code == 503
    assert "The search took too long" in page.get_data(as_text=True)
    api = client.get("/api/threads?q=vanlig")
    assert api.status_code == 503 and "too long" in json.loads(api.data)["error"]
    # ... and the site keeps answering.
    assert client.get("/").status_code == 200
    db.dispose()
