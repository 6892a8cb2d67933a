"""The raw mail is the record: every accepted mail's bytes, kept by content hash.

Everything on the feed can be rebuilt from these files; the database only points at them.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


class RawStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def path_for(self, digest: str) -> Path:
        return self.root / digest[:2] / f"{digest}.eml"

    def keep(self, raw: bytes) -> tuple[str, Path]:
        """Store `raw` durably (once); return its sha256 and path."""
        digest = hashlib.sha256(raw).hexdigest()
        path = self.path_for(digest)
        if path.exists():
            return digest, path
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        with open(tmp, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        return digest, path
