"""The outbound queue: every mail the gateway sends is first a row here.

A row's idempotency key (purpose, thread, recipient, ...) is unique, so composing the same
mail twice (a retried spool entry, a double click) never queues it twice.  The sender in
`gateway/outbound.py` delivers rows to the relay, or to the local outbox when none is set.
"""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from mailfeed.publisher.models import OutboundMail, utcnow

# CRLF line ends as SMTP wants them (smtplib sends bytes unchanged), and no folding below
# RFC 5322's 998: the default 78 makes the folder RFC 2047-encode long Message-IDs in
# In-Reply-To/References, which breaks threading in every client.
WIRE = policy.SMTP.clone(max_line_length=998)
# For internationalised addresses: raw UTF-8 headers, sent with SMTPUTF8 (RFC 6531/6532).
WIRE_UTF8 = policy.SMTPUTF8.clone(max_line_length=998)


def needs_smtputf8(*addresses: str) -> bool:
    return not all(a.isascii() for a in addresses)


def queued(session: Session, key: str) -> OutboundMail | None:
    """The mail already queued under this idempotency key, if any."""
    return session.scalar(select(OutboundMail).where(OutboundMail.idempotency_key == key))


def enqueue(
    session: Session,
    *,
    key: str,
    purpose: str,
    recipient: str,
    message: EmailMessage,
    thread_id: int | None = None,
) -> OutboundMail:
    """Queue `message` for `recipient` unless a mail with this key was already queued."""
    existing = queued(session, key)
    if existing is not None:
        return existing
    row = OutboundMail(
        idempotency_key=key,
        purpose=purpose,
        recipient=recipient.lower(),
        thread_id=thread_id,
        message_id=str(message.get("Message-ID", "")).strip("<>"),
        raw=wire_bytes(message, recipient),
    )
    session.add(row)
    session.flush()
    return row


def wire_bytes(message: EmailMessage, recipient: str) -> bytes:
    utf8 = needs_smtputf8(recipient, str(message.get("From", "")))
    return message.as_bytes(policy=WIRE_UTF8 if utf8 else WIRE)


def enqueue_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Queue rows composed already (OutboundMail's columns), whose keys the caller checked
    are new: one INSERT for all of them, as nobody needs their ids now."""
    if rows:
        session.execute(insert(OutboundMail), rows)


def recent(session: Session, limit: int = 100) -> list[OutboundMail]:
    stmt = select(OutboundMail).order_by(OutboundMail.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def requeue(session: Session, ids: list[int] | None = None) -> list[int]:
    """Queue failed mail again, due now with a fresh count of attempts: the named rows,
    or (ids None) every failed one.  Returns the ids queued again."""
    stmt = select(OutboundMail).where(OutboundMail.state == "failed")
    if ids is not None:
        stmt = stmt.where(OutboundMail.id.in_(ids))
    rows = list(session.scalars(stmt.order_by(OutboundMail.id)))
    for row in rows:
        row.state = "queued"
        row.attempts = 0
        row.next_attempt = utcnow()
    session.flush()
    return [row.id for row in rows]
