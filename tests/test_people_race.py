"""Two mails from the same new colleague, taken in by two instances at once (issue 11):
both look up the address, find nobody, and insert.  The second insert must take the
first one's row instead of failing its mail (which the worker would quarantine)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from db_support import _pg_database

from mailfeed.publisher.db import Database
from mailfeed.publisher.people import get_or_create


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[Database]:
    for url in _pg_database():
        db = Database(url)
        db.upgrade()
        yield db
        db.dispose()


def test_the_second_of_two_concurrent_inserts_takes_the_first_row(pg: Database) -> None:
    first = pg.sessions()
    anna = get_or_create(first, "Anna.Berg@firma.se", "Anna Berg")  # inserted, not committed
    found: list[int] = []

    def second_instance() -> None:
        with pg.session() as session:  # blocks on the unique index until `first` commits
            found.append(get_or_create(session, "anna.berg@firma.se").id)

    other = threading.Thread(target=second_instance)
    other.start()
    other.join(timeout=1.0)
    assert other.is_alive()  # waiting on the first transaction's row, as PostgreSQL does
    first.commit()
    other.join(timeout=30)
    assert found == [anna.id]
    first.close()
