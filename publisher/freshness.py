"""The content version: a number the database raises on every write to what pages show.

Triggers (migration page_freshness) raise it in the writing transaction itself, on every
table the feed, thread and search pages read, whoever writes (the worker publishing, the
web, an import, a moderator), so a page cache keyed on it can never serve a page older
than the last commit it could have seen: read the version first, then the data.  On
PostgreSQL the count is spread over shard rows so concurrent writers do not queue on one
row; the version is their sum, which only grows.

Must not: be written by anything but those triggers.
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from mailfeed.publisher.db import Database


def current(connection: Connection) -> int:
    """The version now (one small aggregate over at most 16 rows)."""
    return int(
        connection.execute(text("SELECT coalesce(sum(n), 0) FROM content_version")).scalar_one()
    )


def read(db: Database) -> int:
    """The version now, in one round trip outside any transaction (`Database.single_reads`):
    whatever the caller reads afterwards is at least as new.  A connection the server
    dropped (a restart) is replaced once."""
    try:
        with db.single_reads.connect() as connection:
            return current(connection)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    with db.single_reads.connect() as connection:  # the pool replaced the dropped one
        return current(connection)
