"""The raw mail is the record: every accepted mail's bytes, kept by content hash.

Everything on the feed can be rebuilt from them; `mail_message.raw_path` holds a locator
that names where the bytes are.  Two stores behind one small interface
(`MAILFEED_RAW_STORE`):

* `files` (the default): `<data>/raw/ab/<sha256>.eml`, fsync'd; the locator is the path.
  One host, or a shared disk.
* `database`: a `raw_mail` row per digest; the locator is `db:<sha256>`.  Instances on
  several hosts without a shared disk then keep one record of each mail, and a backup of
  the database is a backup of the mail.

Whichever store wrote a locator can read it back (`load`), whatever the current setting,
so switching stores needs no migration of old mail.  A mail is kept before the publishing
transaction that points at it, so a crash leaves at most an unreferenced copy.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from mailfeed.publisher.db import Database
from mailfeed.publisher.models import RawMail

DB_PREFIX = "db:"
KINDS = ("files", "database")


class RawStore(Protocol):
    def keep(self, raw: bytes, session: Session | None = None) -> str:
        """Store `raw` durably (once); return its locator.  The database store writes in
        `session`'s transaction when given (so the record and its bytes commit together,
        and an import's open batch transaction does not wait for a second connection)."""

    def redact(self, locator: str, reason: str, session: Session | None = None) -> None:
        """Keep only the header section (mail refused as confidential).  The database
        store writes in `session`'s transaction when given (the caller's, which may hold
        the write lock already)."""

    def discard(self, locator: str, session: Session) -> None:
        """Delete a copy that no record refers to (a file at once; a row in `session`)."""


def _replace_durably(path: Path, data: bytes) -> None:
    """Write beside, fsync, rename: a reader sees the old bytes or the new, never half."""
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def headers_only(raw: bytes, reason: str) -> bytes:
    """The header section and a note: what an operator's audit needs, not the words."""
    end = min((i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0), default=len(raw))
    return raw[:end] + f"\r\n\r\n[body not kept: {reason}]\r\n".encode()


class FileRawStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def path_for(self, digest: str) -> Path:
        return self.root / digest[:2] / f"{digest}.eml"

    def keep(self, raw: bytes, session: Session | None = None) -> str:
        path = self.path_for(hashlib.sha256(raw).hexdigest())
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            _replace_durably(path, raw)
        return str(path)

    def redact(self, locator: str, reason: str, session: Session | None = None) -> None:
        path = Path(locator)
        _replace_durably(path, headers_only(path.read_bytes(), reason))

    def discard(self, locator: str, session: Session) -> None:
        path = Path(locator)
        if path.resolve().is_relative_to(self.root.resolve()):  # only what this store wrote
            path.unlink(missing_ok=True)


class DatabaseRawStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def keep(self, raw: bytes, session: Session | None = None) -> str:
        if session is None:
            with self.db.session() as own:
                return self.keep(raw, own)
        digest = hashlib.sha256(raw).hexdigest()
        insert = pg_insert if self.db.engine.dialect.name == "postgresql" else sqlite_insert
        # Two instances keeping the same mail at once: the second waits for the first's
        # commit, then changes nothing.
        session.execute(
            insert(RawMail)
            .values(digest=digest, data=raw)
            .on_conflict_do_nothing(index_elements=["digest"])
        )
        return DB_PREFIX + digest

    def redact(self, locator: str, reason: str, session: Session | None = None) -> None:
        if session is None:
            with self.db.session() as own:
                self.redact(locator, reason, own)
            return
        row = session.get(RawMail, locator.removeprefix(DB_PREFIX))
        if row is not None:
            row.data = headers_only(row.data, reason)
            session.flush()

    def discard(self, locator: str, session: Session) -> None:
        if locator.startswith(DB_PREFIX):
            session.execute(
                delete(RawMail).where(RawMail.digest == locator.removeprefix(DB_PREFIX))
            )


def open_store(kind: str, root: Path, db: Database) -> RawStore:
    if kind == "database":
        return DatabaseRawStore(db)
    if kind == "files":
        return FileRawStore(root)
    raise ValueError(f"MAILFEED_RAW_STORE must be one of {', '.join(KINDS)}, not {kind!r}")


def load(session: Session, locator: str, root: Path | None = None) -> bytes | None:
    """The bytes a locator names, from whichever store wrote it; None when gone.

    With `root`, a file must lie inside it (a locator is data: no path tricks)."""
    if not locator:
        return None
    if locator.startswith(DB_PREFIX):
        return session.scalar(
            select(RawMail.data).where(RawMail.digest == locator.removeprefix(DB_PREFIX))
        )
    path = Path(locator)
    if root is not None:
        base = root.resolve()
        path = (path if path.is_absolute() else base / path).resolve()
        if not path.is_relative_to(base):
            return None
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def forget(session: Session, locator: str) -> Path | None:
    """Delete a mail's bytes (GDPR erasure): a database row in this transaction, or the
    file to delete once the transaction committed (returned)."""
    if locator.startswith(DB_PREFIX):
        row = session.get(RawMail, locator.removeprefix(DB_PREFIX))
        if row is not None:
            session.delete(row)
        return None
    return Path(locator) if locator else None
