"""`mailfeed import PATH`: migrate an archive (mbox, Maildir, a folder of .eml) to the feed.

Streaming: an mbox is read line by line, so memory stays flat in the archive's size (a
few chunks of mail in flight); writes are committed in batches.  Parsing, the larger
half of the work, runs in `jobs` child processes while this one writes: the mails are
handed out in chunks and their results taken back in archive order, so the outcome is
the same as parsing here.  Threads form through the same Message-ID references the
live gateway uses, so replies join their thread whichever comes first in the archive.
No link mails are sent for imported threads.  Each mail goes through `intake.take_in`,
as live mail does, so a confidential one is forgotten here too.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Protocol

from mailfeed.gateway.config import GatewayConfig
from mailfeed.gateway.intake import Arrival, take_in
from mailfeed.gateway.parsing import parse_all
from mailfeed.gateway.rawstore import raw_store
from mailfeed.parsers.mail import parse_mail
from mailfeed.parsers.model import ParsedMail
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
    yield from iter_mbox(path)


def iter_mbox(path: Path) -> Iterator[bytes]:
    """The messages of an mbox file as `mailbox.mbox` gives them (each without its
    "From " line and without the blank line before the next one; text before the first
    "From " line ignored), read in one pass: `mailbox.mbox` first reads the whole file
    for a table of offsets, then again message by message."""
    with path.open("rb") as fh:
        lines: list[bytes] | None = None  # None until the first "From " line
        last_was_empty = False
        for line in fh:
            if line.startswith(b"From "):
                if lines is not None:
                    yield _mbox_message(lines, last_was_empty)
                lines, last_was_empty = [], False
                continue
            if lines is not None:
                lines.append(line)
            last_was_empty = line == b"\n"
        if lines is not None:
            yield _mbox_message(lines, last_was_empty)


def _mbox_message(lines: list[bytes], last_was_empty: bool) -> bytes:
    data = b"".join(lines)
    return data[:-1] if last_was_empty else data  # the separating blank line


CHUNK = 32  # mails per hand-out to a parsing process: few round trips, little in flight


def parsed_archive(raws: Iterator[bytes], jobs: int) -> Iterator[tuple[bytes, ParsedMail]]:
    """Each mail with its parse, in archive order; parsed by `jobs` processes when there
    is more than one chunk of mail (a handful of mails is not worth starting them)."""
    first = list(islice(raws, CHUNK))
    if jobs <= 1 or len(first) < CHUNK:
        for raw in (*first, *raws):
            yield raw, parse_mail(raw)
        return
    # spawn: this process holds database connections that a forked child must not share.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        pending: deque[tuple[list[bytes], Future[list[ParsedMail]]]] = deque()
        chunk: list[bytes] = first
        while chunk:
            pending.append((chunk, pool.submit(parse_all, chunk)))
            if len(pending) > 2 * jobs:  # bounded: memory stays flat however long the archive
                yield from _taken(pending.popleft())
            chunk = list(islice(raws, CHUNK))
        while pending:
            yield from _taken(pending.popleft())


def _taken(
    item: tuple[list[bytes], Future[list[ParsedMail]]],
) -> Iterator[tuple[bytes, ParsedMail]]:
    raws, future = item
    yield from zip(raws, future.result(), strict=True)


def _already(parsed: ParsedMail) -> Callable[[bytes], ParsedMail]:
    """The parse `take_in` asks for, done already (by a parsing process)."""
    return lambda _raw: parsed


def import_archive(
    config: GatewayConfig,
    db: Database,
    path: Path,
    *,
    batch: int = 200,
    jobs: int = 1,
    progress: Progress | None = None,
) -> ImportStats:
    store = raw_store(config, db)
    arrival = Arrival(source="import", rcpts=(config.primary_address,))
    stats = ImportStats(threads=set())
    session = db.sessions()
    try:
        for raw, parsed in parsed_archive(iter_archive(path), jobs):
            stats.messages += 1
            outcome = take_in(
                raw,
                arrival,
                site=config.site,
                session=session,
                raw_store=store,
                parse=_already(parsed),
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
