"""Attachments, read from the stored raw mail: listed on the thread, served safely.

The raw mail is the record, so no table holds attachments: a thread page lists the
attachments of the few raw files behind its posts, parsed once per process and kept by
locator (`Listings`: a locator names content by its hash, so what it lists never changes;
an erased mail loses its locator).  Downloads always say `Content-Disposition: attachment`;
only raster images (never SVG, which can carry script) are shown in place, and every
part is served under a `sandbox` CSP with nosniff, so a hostile file cannot act as a page.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from typing import cast

INLINE_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
MAX_RAW_BYTES = 40 * 1024 * 1024  # bigger raw files are not opened for a page view
MAX_LISTED = 30
LISTINGS = "mailfeed_attachment_listings"  # the app's `Listings`


@dataclass(frozen=True)
class Attachment:
    index: int  # position among the mail's leaf parts: stable for a given raw file
    filename: str
    content_type: str
    size: int

    @property
    def inline_image(self) -> bool:
        return self.content_type in INLINE_IMAGES


def safe_filename(name: str | None, index: int) -> str:
    """A download name without paths or control characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[\x00-\x1f\x7f\"]+", "", base).strip(". ")
    return base[:120] or f"attachment-{index}"


def _parts(raw: bytes) -> list[tuple[int, Message]]:
    if len(raw) > MAX_RAW_BYTES:
        return []
    message = BytesParser(policy=policy.default).parsebytes(raw)
    leaves = [part for part in message.walk() if not part.is_multipart()]
    return list(enumerate(leaves))


def _is_attachment(part: Message) -> bool:
    disposition = part.get_content_disposition()
    if disposition == "attachment" or part.get_filename():
        return True
    # Inline images referenced by an HTML body (cid:) are content people sent too.
    return part.get_content_maintype() == "image"


def _payload(part: Message) -> bytes:
    data = cast(EmailMessage, part).get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def list_attachments(raw: bytes) -> list[Attachment]:
    found = [
        Attachment(
            i, safe_filename(part.get_filename(), i), part.get_content_type(), len(_payload(part))
        )
        for i, part in _parts(raw)
        if _is_attachment(part)
    ]
    return found[:MAX_LISTED]


def read_attachment(raw: bytes, index: int) -> tuple[Attachment, bytes] | None:
    for i, part in _parts(raw):
        if i == index and _is_attachment(part):
            data = _payload(part)
            name = safe_filename(part.get_filename(), i)
            return Attachment(i, name, part.get_content_type(), len(data)), data
    return None


class Listings:
    """Each raw mail's attachment list by locator, the most recent `size` of them."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._lists: OrderedDict[str, list[Attachment]] = OrderedDict()
        self._lock = threading.Lock()
        self.parsed = 0  # raw mails parsed (tests count them)

    def of(self, locator: str, load: Callable[[], bytes | None]) -> list[Attachment]:
        """The attachments of the mail at `locator`; `load` reads it when not yet listed."""
        with self._lock:
            found = self._lists.get(locator)
            if found is not None:
                self._lists.move_to_end(locator)
                return found
        raw = load()
        listed = list_attachments(raw) if raw is not None else []
        with self._lock:
            self.parsed += 1
            self._lists[locator] = listed
            while len(self._lists) > self.size:
                self._lists.popitem(last=False)
        return listed
