"""Kept pages (web.pagecache) are never stale: a new post, a like, a read or an edit shows
on the next request, also in another app instance over the same database (several
gunicorn workers each keep their own pages), and a kept page costs one query.

Each app here is a separate instance with its own cache, like two worker processes; the
writes go through the other instance or straight through the publisher, as the mail
worker's would.
"""

# ruff: noqa: F811 - pytest fixtures arrive as parameters
from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import select, text, update
from web_support import DOMAIN, MODERATOR, add_thread, csrf_from, make_settings, sign_in

from mailfeed.publisher import freshness
from mailfeed.publisher.db import Database
from mailfeed.publisher.models import OutboundMail, Post, Thread
from mailfeed.settings import build_web_config
from mailfeed.web import create_app, pagecache
from mailfeed.web.i18n import text_changes
from tests.db_support import counting, database  # noqa: F401 - fixture


def _app(db: Database, tmp: Path, **changes: Any) -> Flask:
    return create_app(build_web_config(make_settings(tmp, **changes)), db)


def _renders(app: Flask) -> int:
    return int(app.extensions[pagecache.EXTENSION].renders)


def _thread(db: Database, subject: str = "Var finns projektorn?") -> int:
    return add_thread(
        db,
        subject,
        [(f"anna@{DOMAIN}", "Anna", "Var finns projektorn?"), (f"bo@{DOMAIN}", "Bo", "I rum 3.")],
    )


def _likes_on(html: str) -> list[str]:
    return re.findall(r'<span class="like-count">([^<]*)</span>', html)


def test_a_kept_page_costs_one_query_and_a_conditional_get_none_rendered(
    database: Database, tmp_path: Path
) -> None:
    thread = _thread(database)
    app = _app(database, tmp_path, auth="open")
    client = app.test_client()
    for path in ("/", f"/t/{thread}-var-finns-projektorn", "/search?q=projektorn"):
        first = client.get(path)
        assert first.status_code == 200
        with counting(database) as statements:
            again = client.get(path)
        assert again.get_data() == first.get_data()
        assert len(statements) == 1, statements  # the content version, nothing else
        etag = again.headers["ETag"]
        with counting(database) as statements:
            unchanged = client.get(path, headers={"If-None-Match": etag})
        assert unchanged.status_code == 304 and len(statements) == 1
    assert _renders(app) == 3


def test_writes_through_another_instance_show_on_the_next_request(
    database: Database, tmp_path: Path
) -> None:
    thread = _thread(database)
    path = f"/t/{thread}-var-finns-projektorn"
    reader = _app(database, tmp_path / "a", auth="open").test_client()
    writer_app = _app(database, tmp_path / "b")
    writer = writer_app.test_client()
    feed_before = reader.get("/").get_data(as_text=True)
    page = reader.get(path).get_data(as_text=True)
    assert _likes_on(page) == ["", ""]
    etag = reader.get(path).headers["ETag"]

    # A like in the other instance.
    sign_in(writer, database, f"cia@{DOMAIN}")
    own = writer.get(path).get_data(as_text=True)
    with database.session() as session:
        post_id = session.scalars(select(Post.id).where(Post.thread_id == thread)).first()
    liked = writer.post(f"/p/{post_id}/like", data={"csrf_token": csrf_from(own)})
    assert liked.status_code == 302
    assert reader.get(path, headers={"If-None-Match": etag}).status_code == 200
    assert _likes_on(reader.get(path).get_data(as_text=True)) == ["1", ""]
    feed = reader.get("/").get_data(as_text=True)
    assert "i-heart" in feed and "i-heart" not in feed_before
    # A read: Cia (a person since her like) opens the thread in the other instance.
    assert "i-eye" not in feed
    writer.get(path)
    feed = reader.get("/").get_data(as_text=True)
    assert "i-eye" in feed  # her read counts on the card

    # A new thread published straight through the publisher (the mail worker's way).
    assert "Vem har nyckeln?" not in feed
    assert "<mark>" not in reader.get("/search?q=nyckeln").get_data(as_text=True)
    _thread(database, "Vem har nyckeln?")
    assert "Vem har nyckeln?" in reader.get("/").get_data(as_text=True)
    assert "<mark>nyckeln</mark>" in reader.get("/search?q=nyckeln").get_data(as_text=True)

    # An edit: a moderator hides the answer in the other instance.
    writer.post("/logout", data={"csrf_token": csrf_from(own)})
    sign_in(writer, database, MODERATOR)
    with database.session() as session:
        answer = session.scalars(
            select(Post.id).where(Post.thread_id == thread).order_by(Post.position.desc())
        ).first()
    moderator_page = writer.get(path).get_data(as_text=True)
    hidden = writer.post(f"/p/{answer}/hide", data={"csrf_token": csrf_from(moderator_page)})
    assert hidden.status_code == 302
    assert "I rum 3." not in reader.get(path).get_data(as_text=True)

    # Any write a page could show, by whatever means: a subject changed in SQL.
    with database.session() as session:
        session.execute(update(Thread).where(Thread.id == thread).values(subject="Projektorn?"))
    assert "Projektorn?" in reader.get("/").get_data(as_text=True)


def test_one_kept_page_serves_every_guest_with_their_own_token(
    database: Database, tmp_path: Path
) -> None:
    thread = _thread(database)
    app = _app(database, tmp_path, auth="open")
    path = f"/t/{thread}-var-finns-projektorn"
    tokens = set()
    for _ in range(3):
        client = app.test_client()  # a new visitor: a new session
        html = client.get(path).get_data(as_text=True)
        assert app.extensions[pagecache.EXTENSION].placeholder not in html
        tokens.add(csrf_from(html))
        with client.session_transaction() as session:
            assert session["csrf"] == csrf_from(html)  # the token the form will be checked with
    assert len(tokens) == 3
    assert _renders(app) == 1


def test_people_get_their_own_pages(database: Database, tmp_path: Path) -> None:
    thread = _thread(database)
    app = _app(database, tmp_path)
    path = f"/t/{thread}-var-finns-projektorn"
    anna, bo = app.test_client(), app.test_client()
    sign_in(anna, database, f"anna@{DOMAIN}")
    sign_in(bo, database, f"bo@{DOMAIN}")
    assert "Anna" in anna.get(path).get_data(as_text=True).split("</header>")[0]
    assert "Anna" not in bo.get(path).get_data(as_text=True).split("</header>")[0]
    english = anna.get("/").get_data(as_text=True)
    swedish = anna.get("/", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert '<html lang="en">' in english and '<html lang="sv">' in swedish


def _kept_until(app: Flask) -> list[float]:
    store = app.extensions[pagecache.EXTENSION]
    return [until for _text, until in store._texts.values()]


def test_a_page_is_kept_only_while_its_relative_times_read_true(
    database: Database, tmp_path: Path
) -> None:
    old = _thread(database)  # 2 Nov 2026: "Nov 2 08:02" until the reader's day turns
    app = _app(database, tmp_path, auth="open")
    client = app.test_client()
    client.get(f"/t/{old}-var-finns-projektorn")
    now = datetime.now(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    assert _kept_until(app) == [midnight.timestamp()]
    add_thread(
        database,
        "Nyss",
        [(f"anna@{DOMAIN}", "Anna", "Hej")],
        when=now.replace(tzinfo=None) - timedelta(minutes=3),
    )
    assert "min ago" in client.get("/").get_data(as_text=True)  # "2 min ago"
    assert max(_kept_until(app)) == midnight.timestamp()
    assert min(_kept_until(app)) <= time.time() + 60  # the feed: read again within the minute


def test_when_a_relative_time_reads_differently() -> None:
    now = datetime(2026, 12, 4, 18, 30, 20, tzinfo=UTC)
    stockholm = ZoneInfo("Europe/Stockholm")
    cases = [
        (now - timedelta(seconds=30), UTC, now + timedelta(seconds=30)),  # just now
        (now + timedelta(hours=2), UTC, now + timedelta(hours=2, minutes=-1)),  # a clock
        (now - timedelta(hours=3), UTC, datetime(2026, 12, 4, 18, 31, tzinfo=UTC)),  # 3 hr ago
        (now - timedelta(days=1), UTC, datetime(2026, 12, 5, tzinfo=UTC)),  # yesterday
        # 23:00 in Stockholm is tomorrow there: the day turns at 23:00 UTC.
        (now - timedelta(days=3), stockholm, datetime(2026, 12, 4, 23, tzinfo=UTC)),
    ]
    for moment, zone, expected in cases:
        assert text_changes(moment, now, zone) == expected, (moment, zone)


def test_link_mails_count_but_their_delivery_does_not(database: Database) -> None:
    """The thread page's outcome reads who was mailed a link: a new link mail raises the
    version; the sender marking it sent, retried or claimed does not."""
    thread = _thread(database)
    with database.session() as session:
        before = freshness.current(session.connection())
        session.add(
            OutboundMail(
                idempotency_key="link:1",
                purpose="link",
                recipient=f"bo@{DOMAIN}",
                thread_id=thread,
                message_id="<l1@firma.se>",
                raw=b"",
            )
        )
    with database.session() as session:
        queued = freshness.current(session.connection())
        session.execute(update(OutboundMail).values(state="sent", attempts=1))
    with database.session() as session:
        assert queued > before and freshness.current(session.connection()) == queued


def test_the_version_is_read_again_after_the_server_dropped_the_connection(
    database: Database,
) -> None:
    """The version's connections skip the pre-ping (one round trip a read): one the server
    dropped (a restart, an idle timeout) is replaced on the spot, no request fails."""
    if database.engine.dialect.name != "postgresql":
        return  # SQLite has no server to drop anything
    before = freshness.read(database)
    with database.engine.connect() as admin:
        dropped = admin.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    assert dropped >= 1
    assert freshness.read(database) == before


def test_a_transaction_raises_the_version_once_also_after_a_rolled_back_savepoint(
    database: Database,
) -> None:
    """PostgreSQL raises it once per transaction (the triggers fire per statement); a
    savepoint rolled back takes its raise with it, and the next write raises it again."""
    with database.session() as session:
        before = freshness.current(session.connection())
        nested = session.begin_nested()
        session.add(Thread(subject="Ångrad", slug="angrad"))
        session.flush()
        nested.rollback()
        for i in range(3):
            session.add(Thread(subject=f"Tråd {i}", slug=f"trad-{i}"))
            session.flush()
    with database.session() as session:
        after = freshness.current(session.connection())
    if database.engine.dialect.name == "postgresql":
        assert after == before + 1
    else:
        assert after == before + 3  # SQLite: a row each, one writer at a time
    with database.session() as session:
        nested = session.begin_nested()
        session.add(Thread(subject="Ångrad igen", slug="angrad-igen"))
        session.flush()
        nested.rollback()
    with database.session() as session:
        assert freshness.current(session.connection()) == after  # nothing was written
