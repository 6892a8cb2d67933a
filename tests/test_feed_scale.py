"""The feed stays cheap as the archive grows (issue 12), measured by counting work.

* The per-filter counts come from counters the database maintains, and always equal a
  recount, whatever wrote to the threads (publishing, hiding, answering, deleting).
* A feed page and a thread page make the same number of queries for 4 threads as for
  40, and for 2 posts as for 20: no N+1.
* The keyset cursor walks every thread exactly once, ties on the timestamp included, and
  on SQLite seeks on the (last_activity, id) index rather than scanning.
"""

# ruff: noqa: F811 - pytest fixtures arrive as parameters
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, select, text
from web_support import DOMAIN, add_thread, make_settings

from mailfeed.publisher import counters, feed
from mailfeed.publisher.db import Database
from mailfeed.publisher.models import Like, Mention, Person, Post, Thread, ThreadFeatures, View
from mailfeed.settings import build_web_config
from mailfeed.web import create_app
from tests.db_support import counting, database  # noqa: F401 - fixture

T0 = datetime(2026, 11, 1, 9, 0)


def recount(session: Any, person_id: int | None) -> dict[str, int]:
    """The old way: one scan of every thread, per filter."""
    columns = [
        func.coalesce(
            func.sum(case((feed.filter_condition(name, person_id), 1), else_=0)), 0
        ).label(name)
        for name in feed.FILTERS
    ]
    row = session.execute(
        select(func.count(Thread.id).label("all"), *columns).where(Thread.hidden.is_(False))
    ).one()
    return {k: int(v) for k, v in row._mapping.items()}


def test_counters_always_equal_a_recount(database: Database) -> None:
    ids = []
    for i, kind in enumerate(["question", "question", "discussion", "praise", "news", "idea"]):
        ids.append(
            add_thread(
                database,
                f"Tråd {i}",
                [(f"p{i}@{DOMAIN}", f"P {i}", "Hej?"), (f"anna@{DOMAIN}", "Anna", "Svar.")],
                kind=kind,
                when=T0 + timedelta(hours=i),
            )
        )
    with database.session() as session:
        anna = session.scalar(select(Person).where(Person.email == f"anna@{DOMAIN}"))
        assert anna is not None
        post = session.scalar(select(Post).where(Post.thread_id == ids[2]))
        assert post is not None
        session.add(Mention(post_id=post.id, person_id=anna.id))
    steps = [
        lambda t: setattr(t[0], "state", "answered"),
        lambda t: setattr(t[1], "hidden", True),
        lambda t: setattr(t[2], "kind", "question"),
        lambda t: setattr(t[1], "hidden", False),
        lambda t: setattr(t[0], "state", "open"),
    ]
    for step in [None, *steps]:
        with database.session() as session:
            threads = [session.get(Thread, i) for i in ids]
            if step is not None:
                step(threads)
        with database.session() as session:
            for person in (None, anna.id):
                assert feed.filter_counts(session, person) == recount(session, person)
    with database.session() as session:
        session.execute(text("DELETE FROM post WHERE thread_id = :t"), {"t": ids[4]})
        session.execute(text("DELETE FROM thread WHERE id = :t"), {"t": ids[4]})
    with database.session() as session:
        assert feed.filter_counts(session, anna.id) == recount(session, anna.id)
        assert feed.filter_counts(session, None)["all"] == len(ids) - 1
        before = counters.read(session.connection())
        counters.rebuild(session.connection())
        assert counters.read(session.connection()) == before


def fill(db: Database, threads: int, posts: int) -> int:
    made = []
    for i in range(threads):
        made.append(
            add_thread(
                db,
                f"Fraga {i}",
                [(f"p{j % 7}@{DOMAIN}", f"P {j % 7}", f"Text {j}") for j in range(posts)],
                when=T0 + timedelta(minutes=i),
            )
        )
    with db.session() as session:
        people = list(session.scalars(select(Person)))
        for post in session.scalars(select(Post).where(Post.thread_id.in_(made))):
            session.add(Like(post_id=post.id, person_id=people[post.id % len(people)].id))
        for thread_id in made:
            session.add(View(thread_id=thread_id, person_id=people[0].id))
    return made[-1]


def page_queries(db: Database, tmp: Path, path: str) -> int:
    # Rendering, not the page cache (tests/test_page_cache.py counts that: one query).
    settings = make_settings(tmp, auth="open", page_cache_mb=0)
    client = create_app(build_web_config(settings), db).test_client()
    client.get(path)  # first request: sessions, caches
    with counting(db) as statements:
        response = client.get(path)
    assert response.status_code == 200, response.status_code
    return len(statements)


def test_pages_make_as_many_queries_for_a_big_archive_as_for_a_small_one(
    database: Database, tmp_path: Path
) -> None:
    thread = fill(database, 4, 2)
    small_feed = page_queries(database, tmp_path, "/")
    small_thread = page_queries(database, tmp_path, f"/t/{thread}-fraga-3")
    big = fill(database, 36, 20)
    assert page_queries(database, tmp_path, "/") == small_feed
    assert page_queries(database, tmp_path, f"/t/{big}-fraga-35") == small_thread
    assert small_feed <= 12 and small_thread <= 25, (small_feed, small_thread)


def test_the_cursor_walks_every_thread_once_with_ties(database: Database) -> None:
    with database.session() as session:
        for i in range(25):  # five threads share each timestamp
            session.add(
                Thread(subject=f"T{i}", slug=f"t{i}", last_activity=T0 + timedelta(minutes=i // 5))
            )
    seen: list[int] = []
    cursor = None
    with database.session() as session:
        while True:
            page = feed.list_threads(session, limit=4, before=cursor)
            seen += [c.id for c in page.cards]
            if page.next is None:
                break
            cursor = page.next
        expected = list(
            session.scalars(
                select(Thread.id).order_by(Thread.last_activity.desc(), Thread.id.desc())
            )
        )
    assert seen == expected and len(seen) == 25
    if database.engine.dialect.name == "sqlite":
        stamp, ident = T0, 10
        with database.engine.connect() as conn:
            plan = " ".join(
                str(r[-1])
                for r in conn.exec_driver_sql(
                    "EXPLAIN QUERY PLAN SELECT id FROM thread WHERE (last_activity, id) < (?, ?) "
                    "ORDER BY last_activity DESC, id DESC LIMIT 31",
                    (stamp.isoformat(sep=" "), ident),
                )
            )
        # A seek on an index led by last_activity (SQLite's indexes carry the rowid, id).
        assert "SEARCH thread USING" in plan and "last_activity" in plan, plan
        assert "SCAN" not in plan, plan


def test_similar_threads_features_are_derived_once(database: Database) -> None:
    from mailfeed.publisher import related

    answered = [
        add_thread(database, subject, [(f"p@{DOMAIN}", "P", body)])
        for subject, body in [
            ("Projektorn i rum 4 startar inte", "Projektorn i rum 4 vill inte starta."),
            ("Parkering vid kontoret", "Var får besökare parkera?"),
            ("Lösenordet till wifi", "Vad är lösenordet till gästnätet?"),
        ]
    ]
    with database.session() as session:
        for tid in answered:
            thread = session.get(Thread, tid)
            assert thread is not None
            thread.state = "answered"
    asks = [
        add_thread(database, "Projektorn startar inte", [(f"q@{DOMAIN}", "Q", body)])
        for body in ("Projektorn i rum 4 startar inte, vet någon?", "Startar projektorn?")
    ]
    found = []
    for ask in asks:
        with counting(database) as statements, database.session() as session:
            thread = session.get(Thread, ask)
            assert thread is not None
            found.append([t.id for t in related.similar_answered(session, thread)])
        derived = [s for s in statements if "thread_features" in s and "INSERT" in s]
        assert len(derived) == (1 if ask == asks[0] else 0)  # once, for all three
    assert found[0][0] == answered[0] and found[1][0] == answered[0]
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(ThreadFeatures)) == 3


def test_link_mails_composed_once_are_the_bytes_composed_one_by_one() -> None:
    from mailfeed.publisher import outbox, outgoing

    people = [
        ("anna.berg@firma.se", "Anna Berg"),
        ("asa.oberg@firma.se", "Åsa Öberg"),
        ("berg@firma.se", "Berg, Anna (IT)"),
        ("x@firma.se", None),
        ("lång@firma.se", "Lång Adress"),
        ("long@firma.se", "Maria-Theresia Alexandra von Habsburg-Lothringen " * 2),
    ]
    common: dict[str, Any] = dict(
        sender="feed@firma.se",
        sender_name="Flödet",
        subject="SV: Fråga om projektorn",
        body="Tråden finns på http://feed.test/t/1\n",
        in_reply_to="q1@firma.se",
        references=["root@firma.se"],
        date=T0,
        extra_headers=[("Reply-To", "feed+t1@firma.se")],
    )
    batch = outgoing.compose_each(
        [(a, n, f"m.{i}@firma.se") for i, (a, n) in enumerate(people)], **common
    )
    for i, (address, name) in enumerate(people):
        alone = outgoing.compose(
            recipient=address, recipient_name=name, message_id=f"m.{i}@firma.se", **common
        )
        assert batch[address] == outbox.wire_bytes(alone, address), address


def test_similar_threads_index_is_kept_while_the_candidates_stay(database: Database) -> None:
    """Questions arriving one after another use the prepared candidates again; a thread
    that becomes answered (a new candidate) prepares them anew, and is found."""
    from mailfeed.publisher import related

    def answered(subject: str, body: str) -> int:
        tid = add_thread(database, subject, [(f"p@{DOMAIN}", "P", body)])
        with database.session() as session:
            thread = session.get(Thread, tid)
            assert thread is not None
            thread.state = "answered"
        return tid

    projector = answered("Projektorn i rum 4 startar inte", "Projektorn vill inte starta.")
    answered("Parkering vid kontoret", "Var får besökare parkera?")

    def ask(subject: str, body: str) -> list[int]:
        tid = add_thread(database, subject, [(f"q@{DOMAIN}", "Q", body)])
        with database.session() as session:
            thread = session.get(Thread, tid)
            assert thread is not None
            return [t.id for t in related.similar_answered(session, thread)]

    with database.session() as session:
        cache = related.cache_for(session)
    assert ask("Projektorn startar inte", "Vet någon?") == [projector]
    assert ask("Startar projektorn?", "I rum 4.") == [projector]
    assert cache.builds == 1
    wifi = answered("Lösenordet till wifi", "Vad är lösenordet till gästnätet?")
    assert ask("Wifi-lösenordet?", "Till gästnätet.") == [wifi]
    assert cache.builds == 2
