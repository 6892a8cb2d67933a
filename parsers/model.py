"""The dataclasses that `parsers` hands to the rest of Mailfeed.

They are the contract between the pure ring and the publisher; `to_json()` is the
contract of `mailfeed parse --json`.  Keep field names stable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Action = Literal["publish", "suggest", "append", "ignore", "reject"]
Kind = Literal["question", "discussion", "praise"]


@dataclass(frozen=True)
class Person:
    """Someone named in a mail: either part may be unknown (None)."""

    name: str | None
    email: str | None  # lower-cased addr-spec

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "email": self.email}


@dataclass(frozen=True)
class ChainMessage:
    """One message of a reply chain, with only its own words."""

    author: Person
    date: str | None  # ISO-8601 as written: local wall clock + offset, never converted to UTC
    body: str  # own words: quotes, attribution, signature and noise removed
    trimmed: str = ""  # what was removed from this message's own part (signature, banners)
    subject: str | None = None
    message_id: str | None = None  # only known for the outer mail and attached rfc822 parts
    to: tuple[Person, ...] = ()
    cc: tuple[Person, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"from": self.author.to_json(), "date": self.date, "body": self.body}


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    payload: bytes = field(repr=False)
    content_id: str | None = None  # inline images referenced as cid:
    inline: bool = False


@dataclass(frozen=True)
class Decision:
    action: Action
    kind: Kind | None
    reason: str
    rule: str = ""  # the policy rule that decided (e.g. "sensitivity"), shown to operators
    # The sender asked for secrecy (Sensitivity, encryption, a subject marker): the gateway
    # keeps no words of it.  A flag set by the rule itself, never inferred from its name.
    confidential: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "kind": self.kind, "reason": self.reason}


@dataclass(frozen=True)
class ParsedMail:
    """What Mailfeed understands of one raw mail."""

    message_id: str | None  # without angle brackets
    subject: str  # normalized: reply/forward prefixes and list tags removed
    raw_subject: str
    sender: Person  # From:
    date: str | None  # the mail's Date: as written (ISO-8601 with its offset)
    chain: tuple[ChainMessage, ...]  # oldest first, the newest (this mail's own) last
    new_text: str  # the newest message's own words, or a forwarder's note
    note: str | None  # a forwarder's own cover note, not a chain message
    participants: tuple[str, ...]  # lower-case addresses: sender, To, Cc, chain authors
    to: tuple[Person, ...] = ()
    cc: tuple[Person, ...] = ()
    reply_to: tuple[Person, ...] = ()
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    thread_index: str | None = None  # Outlook Thread-Index, base64 as sent
    headers: tuple[tuple[str, str], ...] = ()  # (lower-case name, decoded value) in order
    is_forward: bool = False
    is_question: bool = False
    language: str = "en"  # "sv", "en", "de", ... best guess for replies to people
    attachments: tuple[Attachment, ...] = ()
    html: bool = False  # the text came from an HTML part
    defects: tuple[str, ...] = ()  # MIME problems noticed while parsing
    content_hash: str = ""  # sha256 of the raw bytes, the id of mail without Message-ID

    def header(self, name: str) -> str | None:
        """First value of a header (case-insensitive), or None."""
        lname = name.lower()
        for key, value in self.headers:
            if key == lname:
                return value
        return None

    def header_all(self, name: str) -> list[str]:
        lname = name.lower()
        return [value for key, value in self.headers if key == lname]

    def to_json(self, decision: Decision | None = None) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "subject": self.subject,
            "from": self.sender.to_json(),
            "chain": [m.to_json() for m in self.chain],
            "new_text": self.new_text,
            "note": self.note,
            "participants": list(self.participants),
            "is_question": self.is_question,
            "decision": decision.to_json() if decision else None,
        }
