"""The benchmarks' bulk seeder leaves what publishing would (benchmarks/seed.py).

The scale figures (issues 11 and 12) are measured on an archive written in bulk, not
through the worker; they mean something only if that archive is one the app could have
made: the feed counters the triggers keep equal a recount, seeded threads render, and
search finds a seeded thread by a word only it has.  Counted, never timed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from mailfeed.publisher.db import Database
from mailfeed.publisher.models import FeedStats, MailMessage, Post, Thread
from tests.db_support import database  # noqa: F401 - fixture

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import seed  # noqa: E402


def test_a_seeded_archive_is_consistent(database: Database, tmp_path: Path) -> None:  # noqa: F811
    size = seed.Size(threads=60, posts=4)
    database.dispose()  # a bulk load wants the database to itself
    counts = seed.load(database.url, size)
    assert counts["thread"] == 60
    assert counts["person"] == size.people
    with database.session() as session:
        assert session.scalar(select(func.count(Post.id))) == counts["post"] > 60
        # Every post came in a mail of its own thread, as the worker records them.
        assert (
            session.scalar(
                select(func.count(Post.id))
                .join(MailMessage, MailMessage.id == Post.mail_id)
                .where(MailMessage.thread_id == Post.thread_id)
            )
            == counts["post"]
        )
        answered = session.scalar(select(func.count(Thread.id)).where(Thread.state == "answered"))
        assert answered == 20  # a third
    verified = seed.check(database.url, tmp_path)
    assert verified["pages"] >= 3 and verified["searched"] == verified["pages"]
    assert verified["counters"]["threads"] == 60 - sum(1 for t in range(60) if t % 199 == 5)


def test_the_check_sees_counters_that_drifted(database: Database, tmp_path: Path) -> None:  # noqa: F811
    database.dispose()
    seed.load(database.url, seed.Size(threads=20, posts=3))
    with database.session() as session:
        session.execute(update(FeedStats).where(FeedStats.shard == 1).values(threads=999))
    with pytest.raises(AssertionError, match="feed counters"):
        seed.check(database.url, tmp_path)


def test_the_same_seed_gives_the_same_archive() -> None:
    size = seed.Size(threads=30, posts=3)
    first = [sorted(b.get("post", []), key=lambda r: r["id"]) for b in seed.rows(size)]
    again = [sorted(b.get("post", []), key=lambda r: r["id"]) for b in seed.rows(size)]
    assert first == again and sum(len(b) for b in first) > 30
