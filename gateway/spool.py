"""The durable spool: raw mail on disk, fsync'd, before anyone says `250`.

Layout (Maildir-like, so a crash never leaves a half-written file where the worker looks):
  spool/tmp/<id>.msg      being written
  spool/new/<id>.msg      acknowledged, waiting for the worker
  spool/failed/<id>.msg   quarantined; <id>.json beside it holds the error and attempts
A .msg file is one JSON line (the envelope) followed by the raw mail bytes, so one write
and one fsync make a mail durable.  Processed mail leaves the spool; the worker keeps its
raw bytes under raw/.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STALE_TMP = 600  # seconds after which a half-written spool file is a crash's leftover


@dataclass(frozen=True)
class SpoolEntry:
    id: str
    path: Path
    mail_from: str
    rcpts: tuple[str, ...]
    source: str  # smtp / imap / import / demo
    received: float
    error: str = ""
    attempts: int = 0
    starts: int = 0  # processing begun and never finished (the process died meanwhile)

    def read(self) -> bytes:
        return _split(self.path.read_bytes())[1]


def _split(data: bytes) -> tuple[dict[str, Any], bytes]:
    line, _, raw = data.partition(b"\n")
    try:
        meta = json.loads(line)
    except ValueError:
        return {}, data
    return (meta if isinstance(meta, dict) else {}), raw


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Spool:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"
        self.new = root / "new"
        self.failed = root / "failed"
        for d in (self.tmp, self.new, self.failed):
            d.mkdir(parents=True, exist_ok=True)
        self._last_depth, self._counted_at = 0, 0.0
        # Never acknowledged (the client was told nothing), left by a crash.  Only old
        # ones: another process on this host (`mailfeed smtp` beside `mailfeed imap`)
        # may be writing its own right now.
        cutoff = time.time() - STALE_TMP
        for stale in self.tmp.iterdir():
            try:
                if stale.stat().st_mtime < cutoff:
                    stale.unlink(missing_ok=True)
            except FileNotFoundError:
                pass

    def put(
        self, raw: bytes, *, mail_from: str = "", rcpts: Sequence[str] = (), source: str = "smtp"
    ) -> str:
        """Store a mail durably; when this returns, the mail survives a crash."""
        entry_id = f"{time.time_ns():020d}-{uuid.uuid4().hex[:12]}"
        meta = {
            "mail_from": mail_from,
            "rcpts": list(rcpts),
            "source": source,
            "received": time.time(),
        }
        tmp = self.tmp / f"{entry_id}.msg"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(json.dumps(meta).encode() + b"\n" + raw)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(tmp, self.new / tmp.name)
        _fsync_dir(self.new)  # the rename itself must survive a crash too
        return entry_id

    def _entry(self, path: Path) -> SpoolEntry:
        with path.open("rb") as fh:
            meta, _ = _split(fh.readline())
        try:
            meta.update(json.loads(path.with_suffix(".json").read_text()))
        except (FileNotFoundError, ValueError):
            pass  # no side file (yet, or any more)
        return SpoolEntry(
            id=path.stem,
            path=path,
            mail_from=str(meta.get("mail_from", "")),
            rcpts=tuple(meta.get("rcpts", ())),
            source=str(meta.get("source", "smtp")),
            received=float(meta.get("received", 0.0)),
            error=str(meta.get("error", "")),
            attempts=int(meta.get("attempts", 0)),
            starts=int(meta.get("starts", 0)),
        )

    def pending(self) -> Iterator[SpoolEntry]:
        """Acknowledged mail not yet processed, oldest first."""
        yield from self._entries(self.new)

    def _entries(self, folder: Path) -> Iterator[SpoolEntry]:
        # The worker (or `spool retry`) moves files while others list them: an entry that
        # went between the listing and the read is simply no longer there.
        for path in sorted(folder.glob("*.msg")):
            try:
                yield self._entry(path)
            except FileNotFoundError:
                continue

    def depth(self) -> int:
        """Mail waiting, counted on disk: other processes (`mailfeed spool retry`) count too."""
        with os.scandir(self.new) as it:
            return sum(1 for e in it if e.name.endswith(".msg"))

    def busy(self, limit: int, max_age: float = 0.25) -> bool:
        """Whether `limit` or more mails wait; recounted at most every `max_age` seconds,
        since the SMTP handler asks on every DATA and a directory count grows with the queue."""
        now = time.monotonic()
        if now - self._counted_at > max_age:
            self._last_depth, self._counted_at = self.depth(), now
        return self._last_depth >= limit

    @contextmanager
    def claim(self, entry: SpoolEntry) -> Iterator[bool]:
        """Whether this process may handle `entry` now: several workers may share one
        spool (separate `mailfeed worker` processes on a host), and an entry is one
        worker's while it holds the entry file's lock (released if the worker dies)."""
        try:
            fd = os.open(entry.path, os.O_RDONLY)
        except FileNotFoundError:
            yield False  # another worker finished it meanwhile
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            # Still there once locked: a worker that just finished removed it first.
            yield entry.path.exists()
        finally:
            os.close(fd)

    def _write_side(self, entry: SpoolEntry, meta: dict[str, Any]) -> None:
        side = entry.path.with_suffix(".json")
        tmp = self.tmp / f"{entry.id}.json"
        tmp.write_text(json.dumps(meta))
        os.replace(tmp, side)

    def _side(self, entry: SpoolEntry) -> dict[str, Any]:
        try:
            meta = json.loads(entry.path.with_suffix(".json").read_text())
        except (OSError, ValueError):
            return {}
        return meta if isinstance(meta, dict) else {}

    def begin(self, entry: SpoolEntry) -> None:
        """Note that processing starts: a mail that kills the process every time is
        recognised by its count of starts and quarantined, instead of freezing every
        restart.  Not fsync'd: what a process wrote survives its death (kill -9, out of
        memory) in the kernel's cache, and only an OS crash loses the count, which then
        gives the mail one more start, never loses it.  An fsync here was one of the two
        per mail that the worker waited for."""
        meta = self._side(entry)
        meta["starts"] = int(meta.get("starts", 0)) + 1
        self._write_side(entry, meta)

    def unbegin(self, entry: SpoolEntry) -> None:
        """Processing was put off cleanly (stopping, database away): not a cut-off start."""
        meta = self._side(entry)
        meta["starts"] = max(0, int(meta.get("starts", 1)) - 1)
        self._write_side(entry, meta)

    def done(self, entry: SpoolEntry) -> None:
        """The worker committed this mail's effects; drop it from the spool."""
        entry.path.unlink(missing_ok=True)
        entry.path.with_suffix(".json").unlink(missing_ok=True)

    def quarantine(self, entry: SpoolEntry, error: str) -> None:
        meta = {"attempts": entry.attempts + 1, "error": error, "quarantined": time.time()}
        (self.failed / f"{entry.id}.json").write_text(json.dumps(meta))
        os.rename(entry.path, self.failed / entry.path.name)
        entry.path.with_suffix(".json").unlink(missing_ok=True)
        _fsync_dir(self.failed)

    def quarantined(self) -> Iterator[SpoolEntry]:
        yield from self._entries(self.failed)

    def get(self, entry_id: str) -> SpoolEntry | None:
        for folder in (self.new, self.failed):
            path = folder / f"{entry_id}.msg"
            if path.exists():
                return self._entry(path)
        return None

    def retry(self, entry_id: str) -> bool:
        """Move a quarantined mail back to new/ for another attempt (its attempts are kept)."""
        path = self.failed / f"{entry_id}.msg"
        if not path.exists():
            return False
        side = path.with_suffix(".json")
        if side.exists():  # keeps the attempts count with the mail, starts afresh
            try:
                meta = json.loads(side.read_text())
            except ValueError:
                meta = {}
            if isinstance(meta, dict):
                meta.pop("starts", None)
                side.write_text(json.dumps(meta))
            os.rename(side, self.new / side.name)
        os.rename(path, self.new / path.name)
        _fsync_dir(self.new)
        return True
