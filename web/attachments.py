"""Attachments, read from the stored raw mail: listed on the thread, served safely.

The raw mail is the record, so no table holds attachments: a thread page parses the few
raw files behind its posts.  Downloads always say `Content-Disposition: attachment`;
only raster images (never SVG, which can carry script) are shown in place, and every
part is served under a `sandbox` CSP with nosniff, so a hostile file cannot act as a page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from typing import cast

INLINE_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
MAX_RAW_BYTES = 40 * 1024 * 1024  # bigger raw files are not opened for a page view
MAX_LISTED = 30


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
