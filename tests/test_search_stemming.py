"""Swedish word forms find each other in search on SQLite (FTS5 + Snowball stems)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailfeed.publisher.db import Database
from mailfeed.publisher.models import Post, Thread
from mailfeed.publisher.search import search


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'search.sqlite3'}")
    database.upgrade()
    with database.session() as s:
        for subject, body in [
            ("Skrivaren på plan två", "Vem har hand om skrivarna? Den fastnar hela tiden."),
            ("Frågor om parkeringen", "Får gäster parkera i garaget?"),
            ("Julbordet", "Vi bokar restaurangen i år."),
        ]:
            s.add(Thread(subject=subject, slug="x", posts=[Post(body=body, position=0)]))
    return database


@pytest.mark.parametrize(
    ("query", "subject"),
    [
        ("skrivaren", "Skrivaren på plan två"),  # definite form finds the plural in the text
        ("frågorna", "Frågor om parkeringen"),
        ("parkering", "Frågor om parkeringen"),
        ("restauranger", "Julbordet"),
    ],
)
def test_word_forms_find_each_other(db: Database, query: str, subject: str) -> None:
    with db.session() as s:
        hits = search(s, query)
        subjects = {s.get(Thread, h.thread_id).subject for h in hits}
    assert subject in subjects
    assert len(subjects) == 1  # and nothing else
