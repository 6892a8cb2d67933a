"""The durable spool: raw mail on disk, fsync'd, before anyone says `250`.

Layout (Maildir-like, so a crash never leaves a half-written file where the worker looks):
  spool/tmp/<id>.eml   being written
  spool/new/<id>.eml   acknowledged, waiting for the worker; <id>.json holds the envelope
  spool/failed/<id>.eml + <id>.json   quarantined, with the error in the JSON
Processed mail leaves the spool; its raw bytes are kept under raw/ by the worker.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class SpoolEntry:
    id: str
    path: Path  # the .eml
    mail_from: str
    rcpts: tuple[str, ...]
    source: str  # smtp / imap / import / cli
    received: float
    error: str = ""
    attempts: int = 0

    def read(self) -> bytes:
        return self.path.read_bytes()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_durably(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
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

    def put(
        self, raw: bytes, *, mail_from: str = "", rcpts: Sequence[str] = (), source: str = "smtp"
    ) -> str:
        """Store a mail durably; when this returns, the mail survives a crash."""
        entry_id = f"{time.time_ns():020d}-{uuid.uuid4().hex[:12]}"
        meta = {"mail_from": mail_from, "rcpts": list(rcpts), "source": source,
                "received": time.time(), "attempts": 0, "error": ""}
        _write_durably(self.tmp / f"{entry_id}.json", json.dumps(meta).encode())
        _write_durably(self.tmp / f"{entry_id}.eml", raw)
        # The .json moves first: an .eml in new/ always has its envelope beside it.
        os.rename(self.tmp / f"{entry_id}.json", self.new / f"{entry_id}.json")
        os.rename(self.tmp / f"{entry_id}.eml", self.new / f"{entry_id}.eml")
        _fsync_dir(self.new)
        return entry_id

    def _entry(self, eml: Path) -> SpoolEntry:
        meta: dict[str, Any] = {}
        side = eml.with_suffix(".json")
        if side.exists():
            try:
                meta = json.loads(side.read_text())
            except ValueError:
                meta = {}
        return SpoolEntry(
            id=eml.stem, path=eml, mail_from=str(meta.get("mail_from", "")),
            rcpts=tuple(meta.get("rcpts", ())), source=str(meta.get("source", "smtp")),
            received=float(meta.get("received", eml.stat().st_mtime)),
            error=str(meta.get("error", "")), attempts=int(meta.get("attempts", 0)),
        )

    def pending(self) -> Iterator[SpoolEntry]:
        """Acknowledged mail not yet processed, oldest first."""
        for eml in sorted(self.new.glob("*.eml")):
            yield self._entry(eml)

    def depth(self) -> int:
        return sum(1 for _ in self.new.glob("*.eml"))

    def done(self, entry: SpoolEntry) -> None:
        """The worker committed this mail's effects; drop it from the spool."""
        entry.path.unlink(missing_ok=True)
        entry.path.with_suffix(".json").unlink(missing_ok=True)

    def quarantine(self, entry: SpoolEntry, error: str) -> None:
        meta = {"mail_from": entry.mail_from, "rcpts": list(entry.rcpts), "source": entry.source,
                "received": entry.received, "attempts": entry.attempts + 1, "error": error}
        target = self.failed / entry.path.name
        (self.failed / f"{entry.id}.json").write_text(json.dumps(meta))
        os.rename(entry.path, target)
        entry.path.with_suffix(".json").unlink(missing_ok=True)
        _fsync_dir(self.failed)

    def quarantined(self) -> Iterator[SpoolEntry]:
        for eml in sorted(self.failed.glob("*.eml")):
            yield self._entry(eml)

    def get(self, entry_id: str) -> SpoolEntry | None:
        for folder in (self.new, self.failed):
            eml = folder / f"{entry_id}.eml"
            if eml.exists():
                return self._entry(eml)
        return None

    def retry(self, entry_id: str) -> bool:
        """Move a quarantined mail back to new/ for another attempt."""
        eml = self.failed / f"{entry_id}.eml"
        if not eml.exists():
            return False
        os.rename(self.failed / f"{entry_id}.json", self.new / f"{entry_id}.json")
        os.rename(eml, self.new / f"{entry_id}.eml")
        _fsync_dir(self.new)
        return True
