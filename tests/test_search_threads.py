"""Search finds threads, not single posts: on SQLite (FTS5) and PostgreSQL (tsvector).

Story: Lena asks about the Christmas dinner ("julbord"); two replies later Omar says the
food is gluten-free ("glutenfritt").  A search for "julbord glutenfritt" finds that
thread though no post has both words; "nyckel" finds "Nycklarna till förrådet"; a hidden
post's words do not count; a misspelling gets a "did you mean".
"""

from __future__ import annotations

import pytest
from db_support import database  # noqa: F401 - fixture: SQLite and PostgreSQL
from web_support import DOMAIN, add_thread, app, client, web_db, web_settings  # noqa: F401

from mailfeed.publisher.db import Database
from mailfeed.publisher.feed import list_threads
from mailfeed.publisher.fts_sqlite import MARK_END, MARK_START
from mailfeed.publisher.models import Post
from mailfeed.publisher.search import matching_thread_ids, search, suggestions
from mailfeed.publisher.stems import prefixes


@pytest.fixture
def corpus(database: Database) -> dict[str, int]:  # noqa: F811
    ids = {
        "julbord": add_thread(
            database,
            "Julbordet den 12 december",
            [
                (f"lena@{DOMAIN}", "Lena Holm", "Vi bokar restaurangen vid kajen för julbord."),
                (f"bo@{DOMAIN}", "Bo Ling", "Kommer det finnas vegetariskt?"),
                (f"omar@{DOMAIN}", "Omar Said", "Ja, och allt är glutenfritt i år."),
            ],
        ),
        "only_julbord": add_thread(
            database,
            "Julbord förra året",
            [
                (f"bo@{DOMAIN}", "Bo Ling", "Julbord på hotellet, minns ni det?"),
            ],
        ),
        "keys": add_thread(
            database,
            "Nycklarna till förrådet",
            [
                (f"anna@{DOMAIN}", "Anna Berg", "Vem har dem?"),
            ],
        ),
        "keycabinet": add_thread(
            database,
            "Lås",
            [
                (f"johan@{DOMAIN}", "Johan Ek", "Koden till nyckelskåpet är bytt."),
            ],
        ),
        "hidden": add_thread(
            database,
            "Sommarfesten",
            [
                (f"anna@{DOMAIN}", "Anna Berg", "Var ska vi vara?"),
                (f"bo@{DOMAIN}", "Bo Ling", "Glutenfritt och julbord mitt i juli!"),
            ],
        ),
    }
    with database.session() as session:
        post = session.query(Post).filter(Post.thread_id == ids["hidden"], Post.position == 1).one()
        post.hidden = True
    return ids


def _threads(database: Database, query: str, scope: str = "all") -> list[int]:  # noqa: F811
    with database.session() as session:
        return [h.thread_id for h in search(session, query, scope=scope)]


def test_words_spread_over_posts_find_the_thread(
    database: Database,  # noqa: F811
    corpus: dict[str, int],
) -> None:
    assert _threads(database, "julbord glutenfritt") == [corpus["julbord"]]
    assert _threads(database, "julbord glutenfritt", scope="own") == [corpus["julbord"]]
    assert set(_threads(database, "julbord")) == {corpus["julbord"], corpus["only_julbord"]}
    with database.session() as session:
        hit = search(session, "glutenfritt julbord")[0]
        marked = (hit.snippet or "") + (hit.title or "")
        assert MARK_START in marked and MARK_END in marked
        # the API's filter uses the same thread-level rule
        within = matching_thread_ids(session, "julbord glutenfritt")
        assert [c.id for c in list_threads(session, within=within).cards] == [corpus["julbord"]]


def test_compounds_and_inflections(database: Database, corpus: dict[str, int]) -> None:  # noqa: F811
    assert set(_threads(database, "nyckel")) == {corpus["keys"], corpus["keycabinet"]}
    assert corpus["keys"] in _threads(database, "nycklar")
    assert corpus["keycabinet"] in _threads(database, "nycklarna")
    assert _threads(database, "hotell") == [corpus["only_julbord"]]


def test_hidden_posts_do_not_count(database: Database, corpus: dict[str, int]) -> None:  # noqa: F811
    assert corpus["hidden"] not in _threads(database, "glutenfritt")


def test_suggestions_for_nothing_found(database: Database, corpus: dict[str, int]) -> None:  # noqa: F811
    with database.session() as session:
        assert search(session, "glutenfrit julbrod vegansk") == []
        tips = suggestions(session, "julbrod")
        assert tips and tips[0].query == "julbord" and tips[0].threads == 2
        alone = {t.query: t.threads for t in suggestions(session, "julbord vegansk")}
        assert alone.get("julbord") == 2


def test_prefixes_pure() -> None:
    assert prefixes("nyckel") == ["nyckel", "nyckl"]
    assert prefixes("Nycklar") == ["nyckl", "nyckel"]
    assert prefixes("is") == ["is"]


def test_search_page(client, web_db: Database) -> None:  # noqa: F811
    from web_support import sign_in

    thread = add_thread(
        web_db,
        "Julbordet",
        [
            (f"lena@{DOMAIN}", "Lena Holm", "Julbord på kajen."),
            (f"omar@{DOMAIN}", "Omar Said", "Allt är glutenfritt."),
        ],
    )
    sign_in(client, web_db, f"lena@{DOMAIN}")
    page = client.get("/search?q=julbord+glutenfritt").get_data(as_text=True)
    assert page.count('type="search"') == 1  # one search box: the header's
    assert f'href="/t/{thread}-julbordet"' in page
    assert "<mark>" in page and "Question" in page and "1 reply" in page
    assert "<time datetime=" in page and "last reply by Omar Said" in page
    empty = client.get("/search?q=").get_data(as_text=True)
    assert "Search every thread on the feed" in empty
    nothing = client.get("/search?q=julbrod", headers={"Accept-Language": "sv"})
    html = nothing.get_data(as_text=True)
    assert "Ingen tråd har alla de här orden." in html and "Menade du" in html
    assert "Färre ord" not in html  # one word: nothing to leave out
    assert 'href="/search?q=julbord"' in html and "andra språket" in html
