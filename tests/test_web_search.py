"""Search on every backend: FTS5 (SQLite), PostgreSQL text search, and the LIKE fallback.

Story: Maria remembers "the key is at the reception" but not the thread; Erik's signature
mentions "reception" too, and she can tell the two apart by searching only what people
wrote or only the trimmed text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from db_support import database  # noqa: F401 - fixture: SQLite and PostgreSQL
from web_support import DOMAIN, add_thread

from mailfeed.publisher import fts_sqlite
from mailfeed.publisher.db import Database
from mailfeed.publisher.feed import list_threads
from mailfeed.publisher.fts_sqlite import MARK_END, MARK_START
from mailfeed.publisher.search import matching_thread_ids, search
from mailfeed.settings import build_web_config


def _corpus(db: Database) -> tuple[int, int]:
    key = add_thread(
        db,
        "Nyckel till förrådet",
        [
            (f"maria@{DOMAIN}", "Maria", "Vem har nyckeln till förrådet?"),
            (f"lena@{DOMAIN}", "Lena", "Receptionen har den, kvittera före kl 16."),
        ],
    )
    printer = add_thread(
        db,
        "Skrivaren på plan 2",
        [
            (f"erik@{DOMAIN}", "Erik", "Skrivaren är trasig igen."),
        ],
        trimmed="--\nErik Sandberg\nFastighet, vid receptionen",
    )
    return key, printer


def test_search_ranks_marks_and_scopes(database: Database) -> None:  # noqa: F811
    key, printer = _corpus(database)
    with database.session() as session:
        everywhere = search(session, "receptionen")
        assert {h.thread_id for h in everywhere} == {key, printer}
        own = search(session, "receptionen", scope="own")
        assert [h.thread_id for h in own] == [key]
        assert f"{MARK_START}Receptionen{MARK_END}" in own[0].snippet
        trimmed = search(session, "receptionen", scope="trimmed")
        assert [h.thread_id for h in trimmed] == [printer]
        titled = search(session, "skrivaren")
        assert titled[0].thread_id == printer and titled[0].title is not None
        assert search(session, "receptionen zebra") == []
        ids = matching_thread_ids(session, "nyckeln")
        assert [c.id for c in list_threads(session, within=ids).cards] == [key]


def test_hostile_query_syntax_is_only_words(database: Database) -> None:  # noqa: F811
    _corpus(database)
    with database.session() as session:
        for query in ['"', "NEAR(a b)", "body: x", "-x OR *", "'; DROP TABLE post; --", "%_"]:
            search(session, query)  # must not raise
        assert search(session, "   ") == []


def test_like_fallback_without_the_index(tmp_path: Path) -> None:
    """A database without the full-text index (or another engine) still searches, by LIKE."""
    db = Database(f"sqlite:///{tmp_path / 'plain.sqlite3'}")
    db.upgrade()
    # The current schema without the index: later migrations add columns the models read,
    # so stopping at an old revision would test an impossible database.
    with db.engine.begin() as connection:
        fts_sqlite.uninstall(connection)
    key, printer = _corpus(db)
    with db.session() as session:
        hits = search(session, "receptionen", scope="own")
        assert [h.thread_id for h in hits] == [key]
        assert f"{MARK_START}Receptionen{MARK_END}" in hits[0].snippet
        assert {h.thread_id for h in search(session, "receptionen")} == {key, printer}
        assert [
            c.id for c in list_threads(session, within=matching_thread_ids(session, "trasig")).cards
        ] == [printer]
    db.dispose()


@pytest.mark.parametrize("scope", ["own", "trimmed"])
def test_search_page_scope_choice(scope: str, data_dir: Path) -> None:
    from web_support import make_settings, sign_in

    from mailfeed.web import create_app

    settings = make_settings(data_dir)
    db = Database(settings.db_url)
    db.upgrade()
    key, printer = _corpus(db)
    client = create_app(build_web_config(settings), db).test_client()
    sign_in(client, db, f"maria@{DOMAIN}")
    page = client.get(f"/search?q=receptionen&in={scope}").get_data(as_text=True)
    expected, other = (
        ("Nyckel till förrådet", "Skrivaren")
        if scope == "own"
        else ("Skrivaren", "Nyckel till förrådet")
    )
    assert expected in page and other not in page
    assert f'value="{scope}" checked' in page
    assert client.get("/search?q=x&in=bogus").status_code == 400
    db.dispose()
