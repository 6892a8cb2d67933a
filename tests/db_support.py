"""A real database per test: SQLite in a temp dir, and PostgreSQL where it runs here.

PostgreSQL runs on this machine (127.0.0.1:5432, trust auth); each test gets a fresh
database that is dropped afterwards.  Without a server the PostgreSQL cases skip, except
under CI=true, where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from mailfeed.publisher.db import Database

PG_ADMIN = os.environ.get("MAILFEED_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_database() -> Iterator[str]:
    import psycopg

    base = PG_ADMIN.replace("postgresql+psycopg://", "postgresql://")
    name = f"mailfeed_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(base, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'mailfeed.sqlite3'}")
        db.upgrade()
        yield db
        db.dispose()
        return
    for url in _pg_database():
        db = Database(url)
        db.upgrade()
        yield db
        db.dispose()


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    """The SQL statements sent to the database while inside (through either engine of
    `db`): work counted, not timed."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engines = {db.engine, db.single_reads}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)
