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


def current(connection: Connection) -> int:
    """The version now (one small aggregate over at most 16 rows)."""
    return int(
        connection.execute(text("SELECT coalesce(sum(n), 0) FROM content_version")).scalar_one()
    )
