"""`mailfeed import PATH`: migrate an archive (mbox, Maildir, a folder of .eml) to the feed.

Streaming: one message in memory at a time (mailbox keeps only offsets for an mbox),
writes committed in batches.  Threads form through the same Message-ID references the
live gateway uses, so replies join their thread whichever comes first in the archive.
No link mails are sent for imported threads.  Each mail goes through `intake.take_in`,
as live mail does, so a confidential one is forgotten here too.
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from mailfeed.gateway.config import GatewayConfig
from mailfeed.gateway.intake import Arrival, take_in
from mailfeed.gateway.rawstore import raw_store
from mailfeed.publisher.db import Database


class Progress(Protocol):
    """A progress bar (click's, in the CLI)."""

    def update(self, n_steps: int) -> None: ...


@dataclass
class ImportStats:
    messages: int = 0
    published: int = 0
    appended: int = 0
    duplicates: int = 0
    skipped: int = 0
    threads: set[int] | None = None


def _looks_like_mail(path: Path) -> bool:
    if path.suffix == ".eml":
        return True
    if path.name.startswith(".") or path.parent.name == "tmp" or path.suffix in {".json", ".txt"}:
        return False
    with path.open("rb") as fh:
        head = fh.read(4096).lower()
    return b"\nfrom:" in head or head.startswith((b"from:", b"received:", b"return-path:"))


def _mail_files(root: Path) -> Iterator[Path]:
    """Every mail file under `root`: .eml files and Maildir entries, in nested folders too."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and _looks_like_mail(path):
            yield path


def archive_size(path: Path) -> int | None:
    if path.is_dir():
        return sum(1 for _ in _mail_files(path))
    return None  # an mbox: counting would mean reading it twice


def iter_archive(path: Path) -> Iterator[bytes]:
    """Raw messages from an mbox file, or a folder (Maildir or not, nested) of mail files."""
    if path.is_dir():
        for mail_file in _mail_files(path):
            yield mail_file.read_bytes()
        return
    box = mailbox.mbox(path, create=False)
    try:
        for key in box.iterkeys():
            yield box.get_bytes(key)
    finally:
        box.close()


def import_archive(
    config: GatewayConfig,
    db: Database,
    path: Path,
    *,
    batch: int = 200,
    progress: Progress | None = None,
) -> ImportStats:
    store = raw_store(config, db)
    arrival = Arrival(source="import", rcpts=(config.primary_address,))
    stats = ImportStats(threads=set())
    session = db.sessions()
    try:
        for raw in iter_archive(path):
            stats.messages += 1
            outcome = take_in(
                raw, arrival, site=config.site, session=session, raw_store=store
            ).outcome
            if outcome.duplicate:
                stats.duplicates += 1
            elif outcome.decision.action == "publish":
                stats.published += 1
            elif outcome.decision.action == "append":
                stats.appended += 1
            else:
                stats.skipped += 1
            if outcome.thread_id is not None and stats.threads is not None:
                stats.threads.add(outcome.thread_id)
            if stats.messages % batch == 0:
                session.commit()
                session.expunge_all()  # constant memory: forget what is written
            if progress is not None:
                progress.update(1)
        session.commit()
    finally:
        session.close()
    return stats
