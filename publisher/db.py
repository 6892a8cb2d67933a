"""Engine, sessions and schema upgrades (Alembic) for whichever database the URL names."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from mailfeed.publisher import sqlite

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, *, pool_size: int = 5, statement_timeout: float = 0) -> Engine:
    """An engine for `url`.  `statement_timeout` (seconds, 0: none) bounds every statement
    and every wait for a lock: PostgreSQL cancels the statement, SQLite stops waiting for
    the write lock; either raises `OperationalError`, which callers treat as transient.
    `pool_size` is per process: a web worker needs one connection per thread it serves."""
    if url.startswith("sqlite"):
        return sqlite.make_engine(url, busy_timeout=statement_timeout or 30.0)
    connect_args: dict[str, object] = {"connect_timeout": 10}
    if statement_timeout and url.startswith("postgresql"):
        ms = int(statement_timeout * 1000)
        connect_args["options"] = f"-c statement_timeout={ms} -c lock_timeout={ms}"
    return create_engine(
        url,
        pool_pre_ping=True,
        future=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=30,
        connect_args=connect_args,
    )


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


# Any constant shared by every Mailfeed process: the key of the migration lock.
MIGRATION_LOCK = 0x6D61696C66656564  # "mailfeed"


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration: idempotent, and safe when several
    processes try at once (the first migrates, the others wait, then find it current)."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with _migration_lock(engine), engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # Held to the end of the migrating transaction (PostgreSQL's DDL is
            # transactional), so a second upgrader reads the version the first wrote.
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """SQLite runs DDL outside a transaction: a lock file beside the database file
    serialises upgrades there (PostgreSQL uses an advisory lock instead)."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def is_current(engine: Engine) -> bool:
    """Whether the schema is at the newest migration."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(str(engine.url)))
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    return set(current) == set(script.get_heads())


class Database:
    """An engine plus a session factory; one per process."""

    def __init__(self, url: str, *, pool_size: int = 5, statement_timeout: float = 0) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size, statement_timeout=statement_timeout)
        # What this process derives from rows and keeps between transactions (each user
        # checks it against the rows it reads): every session sees it as info["shared"].
        self.shared: dict[str, object] = {}
        self.sessions = sessionmaker(
            self.engine, expire_on_commit=False, info={"shared": self.shared}
        )
        self._pool_size = pool_size
        self._single: Engine | None = None

    @property
    def single_reads(self) -> Engine:
        """For one-statement reads that need no transaction (a page cache's version, read
        on every request): on PostgreSQL a small pool of autocommit connections without the
        pre-ping, so such a read is one round trip instead of four (ping, BEGIN, SELECT,
        ROLLBACK).  A connection the server dropped raises a DBAPIError with
        `connection_invalidated` set: the caller tries once more.  On SQLite, the engine."""
        if self.engine.dialect.name != "postgresql":
            return self.engine
        if self._single is None:
            self._single = create_engine(
                self.engine.url,
                isolation_level="AUTOCOMMIT",
                pool_size=self._pool_size,
                max_overflow=self._pool_size,
                connect_args={"connect_timeout": 10},
            )
        return self._single

    def upgrade(self) -> None:
        upgrade(self.engine)

    def is_current(self) -> bool:
        return is_current(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
        if self._single is not None:
            self._single.dispose()
