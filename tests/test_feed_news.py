"""Intranet news: Atom and RSS from a real HTTP server on loopback become news threads.

Story: the intranet publishes an Atom feed and an RSS feed.  The poller makes one thread
per entry, once: a second poll gets 304 Not Modified (it sent the ETag and the
Last-Modified it was given) and a restart or a second instance adds nothing.  A
malformed, huge or unreachable feed is noted and tried again, and the good feeds are
read all the same.  People comment on and like a news thread like any other.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import free_port
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from mailfeed.cli import main
from mailfeed.gateway.news import MAX_FEED, NewsPoller
from mailfeed.publisher import news
from mailfeed.publisher.db import Database
from mailfeed.publisher.models import NewsItem, NewsSource, Post, Thread
from mailfeed.settings import Settings, build_gateway_config
from tests.db_support import database  # noqa: F401 - fixture

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Intranätet</title><id>urn:intra</id><updated>2026-11-20T08:00:00Z</updated>
  <entry><title>Nytt kaffe i källaren</title><id>urn:intra:1</id>
    <link href="https://intra.firma.se/nyheter/kaffe"/>
    <updated>2026-11-19T08:00:00Z</updated>
    <summary type="html">&lt;p&gt;Från och med &lt;b&gt;måndag&lt;/b&gt;
      bjuder vi på kaffe.&lt;/p&gt;</summary>
  </entry>
  <entry><title>Julfest 12 december</title><id>urn:intra:2</id>
    <link href="https://intra.firma.se/nyheter/julfest"/>
    <updated>2026-11-20T08:00:00Z</updated><summary>Anmäl dig senast 1 december.</summary>
  </entry>
</feed>""".encode()
RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>HR</title>
<link>https://hr.firma.se</link><description>HR-nytt</description>
<item><title>Ny semesterpolicy</title><guid>hr-17</guid><link>https://hr.firma.se/17</link>
<pubDate>Wed, 18 Nov 2026 09:00:00 GMT</pubDate>
<description>Läs den nya policyn.</description></item>
</channel></rss>""".encode()
MALFORMED = b"<html><body><h1>502 Bad Gateway</h1><p>nginx</p>"
ETAG = '"v1"'
MODIFIED = "Fri, 20 Nov 2026 08:00:00 GMT"


class Site(BaseHTTPRequestHandler):
    requests: list[tuple[str, str | None, str | None]] = []
    bodies: dict[str, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        Site.requests.append(
            (self.path, self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"))
        )
        body = Site.bodies.get(self.path)
        if body is None:
            self.send_error(404)
            return
        if self.path != "/huge" and self.headers.get("If-None-Match") == ETAG:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("ETag", ETAG)
        self.send_header("Last-Modified", MODIFIED)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def intranet() -> Iterator[str]:
    Site.requests = []
    Site.bodies = {
        "/atom": ATOM,
        "/rss": RSS,
        "/broken": MALFORMED,
        "/huge": b"<rss>" + b" " * (MAX_FEED + 10) + b"</rss>",
    }
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def poller(db: Database, tmp_path: Path, *urls: str) -> NewsPoller:
    settings = Settings(data_dir=tmp_path, news_feeds=urls, secret_key="k")
    return NewsPoller(build_gateway_config(settings), db)


def subjects(db: Database) -> list[str]:
    with db.session() as session:
        return list(
            session.scalars(select(Thread.subject).where(Thread.kind == "news").order_by(Thread.id))
        )


def test_atom_and_rss_become_threads_once_with_conditional_get(
    database: Database,
    intranet: str,
    tmp_path: Path,  # noqa: F811
) -> None:
    feeds = (f"{intranet}/atom", f"{intranet}/rss")
    assert poller(database, tmp_path, *feeds).poll_all() == 3
    assert subjects(database) == [
        "Nytt kaffe i källaren",
        "Julfest 12 december",
        "Ny semesterpolicy",
    ]
    with database.session() as session:
        coffee = session.scalar(select(Thread).where(Thread.subject.like("Nytt kaffe%")))
        assert coffee is not None and coffee.origin == "news"
        post = coffee.posts[0]
        assert post.author_name == "Intranätet" and post.source == "news"
        assert "Från och med måndag bjuder vi på kaffe." in post.body  # HTML read as text
        assert "<b>" not in post.body
        assert post.body.endswith("https://intra.firma.se/nyheter/kaffe")
        assert coffee.created.isoformat() == "2026-11-19T08:00:00"
        link = session.scalar(select(NewsItem.link).where(NewsItem.thread_id == coffee.id))
        assert link == "https://intra.firma.se/nyheter/kaffe"
    # The second round sends the validators and gets 304: nothing new, nothing re-read.
    Site.requests.clear()
    assert poller(database, tmp_path, *feeds).poll_all() == 0  # a restart: a new poller
    assert sorted(Site.requests) == [("/atom", ETAG, MODIFIED), ("/rss", ETAG, MODIFIED)]
    # Even a full re-read (validators lost) adds no second thread for an entry.
    with database.session() as session:
        for row in session.scalars(select(NewsSource)):
            row.etag = row.modified = None
    assert poller(database, tmp_path, *feeds).poll_all() == 0
    assert len(subjects(database)) == 3


def test_two_instances_racing_for_one_entry_make_one_thread(
    database: Database,
    tmp_path: Path,  # noqa: F811
) -> None:
    entry = news.NewsEntry("urn:x:1", "Race", "https://intra/x", "text", None, "Intra")
    first, second = database.sessions(), database.sessions()
    assert news.record(first, "https://intra/feed", entry, "sv") is not None
    first.commit()
    try:
        # The second instance checked before the first committed; its insert must fail.
        second.add(NewsItem(source="https://intra/feed", entry_id="urn:x:1", link="", thread_id=1))
        with pytest.raises(IntegrityError):
            second.commit()
    finally:
        first.close()
        second.rollback()
        second.close()
    assert subjects(database) == ["Race"]


def test_bad_feeds_are_noted_and_never_stop_the_good_ones(
    database: Database,
    intranet: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,  # noqa: F811
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/feed"
    feeds = (
        f"{intranet}/broken",
        f"{intranet}/huge",
        f"{intranet}/missing",
        dead,
        f"{intranet}/rss",
    )
    assert poller(database, tmp_path, *feeds).poll_all() == 1
    assert subjects(database) == ["Ny semesterpolicy"]
    with database.session() as session:
        errors = {
            row.url.rsplit("/", 1)[1]: row.last_error for row in session.scalars(select(NewsSource))
        }
    assert errors["broken"].startswith(("malformed feed", "not an Atom or RSS feed"))
    assert errors["huge"] == f"feed larger than {MAX_FEED} bytes"
    assert errors["missing"] == "HTTP 404"
    assert errors["feed"] == "URLError"
    assert errors["rss"] == ""
    assert sum("not read" in r.getMessage() for r in caplog.records) == 4
    # Tried again next round: the broken feed is fixed, its entries arrive.
    Site.bodies["/broken"] = ATOM
    assert poller(database, tmp_path, *feeds).poll_all() == 2


def test_mailfeed_news_once(intranet: str, tmp_path: Path) -> None:
    env = {
        "MAILFEED_DATA_DIR": str(tmp_path / "data"),
        "MAILFEED_SECRET_KEY": "k",
        "MAILFEED_NEWS_FEEDS": f"{intranet}/atom, {intranet}/rss",
    }
    result = CliRunner().invoke(main, ["news", "--once"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "3 new news threads"
    again = CliRunner().invoke(main, ["news", "--once"], env=env)
    assert again.output.strip() == "0 new news threads"
    db = Database(f"sqlite:///{tmp_path / 'data' / 'mailfeed.sqlite3'}")
    with db.session() as session:
        assert session.scalar(select(func.count(Post.id))) == 3
    db.dispose()
    nothing = CliRunner().invoke(main, ["news", "--once"], env={**env, "MAILFEED_NEWS_FEEDS": ""})
    assert nothing.exit_code != 0 and "MAILFEED_NEWS_FEEDS" in nothing.output
