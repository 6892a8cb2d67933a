"""The raw mail is the record: every accepted mail's bytes, kept by content hash.

Everything on the feed can be rebuilt from these files; the database only points at them.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def _replace_durably(path: Path, data: bytes) -> None:
    """Write beside, fsync, rename: a reader sees the old bytes or the new, never half."""
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class RawStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def path_for(self, digest: str) -> Path:
        return self.root / digest[:2] / f"{digest}.eml"

    def owns(self, path: Path) -> bool:
        return path.resolve().is_relative_to(self.root.resolve())

    def keep(self, raw: bytes) -> tuple[str, Path]:
        """Store `raw` durably (once); return its sha256 and path."""
        digest = hashlib.sha256(raw).hexdigest()
        path = self.path_for(digest)
        if path.exists():
            return digest, path
        path.parent.mkdir(parents=True, exist_ok=True)
        _replace_durably(path, raw)
        return digest, path

    def redact(self, path: Path, reason: str) -> None:
        """Keep only the header section: what an operator's audit needs, not the words.

        For mail the sender marked confidential: the decision, sender and subject stay on
        record (the header section), the body is gone from disk."""
        raw = path.read_bytes()
        end = min((i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0),
                  default=len(raw))
        _replace_durably(path, raw[:end] + f"\r\n\r\n[body not kept: {reason}]\r\n".encode())
