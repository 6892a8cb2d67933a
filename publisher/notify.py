"""Composes the gateway's outbound mail from `templates/mail` and queues it.

The words come from the one catalogue (`publisher.catalogue.render_mail`: one template
per mail, subject on its first line, in the recipient's language).

Every mail we send is automatic, so it says so (RFC 3834 §5: Auto-Submitted), asks
Exchange not to answer it with its own auto-replies (X-Auto-Response-Suppress), and is
threaded under the mail it answers (RFC 5322 §3.6.4: In-Reply-To and References).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from sqlalchemy.orm import Session

from mailfeed.parsers.model import ParsedMail
from mailfeed.publisher import outbox
from mailfeed.publisher.catalogue import RenderedMail, language_for, render_mail
from mailfeed.publisher.site import Site

__all__ = ["answer_mail", "compose", "language_for", "message_id_for", "render"]


def render(template: str, language: str, **context: Any) -> RenderedMail:
    return render_mail(template, language, **context)


def message_id_for(domain: str, *parts: object) -> str:
    """A stable Message-ID in the gateway's domain: the same mail gets the same id."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:24]
    return f"mailfeed.{digest}@{domain}"


def _address(name: str, address: str) -> Address:
    # From its parts: Address(addr_spec=...) refuses a non-ASCII local part outright.
    local, _, domain = address.rpartition("@")
    return Address(name, local, domain)


def compose(
    *,
    sender: str,
    sender_name: str,
    recipient: str,
    recipient_name: str | None,
    subject: str,
    body: str,
    message_id: str,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    date: Any = None,
    extra_headers: Sequence[tuple[str, str]] = (),
) -> EmailMessage:
    msg = EmailMessage()
    # Address objects, not formataddr: an internationalised address (RFC 6532,
    # åsa.öberg@firma.se) is legal in mail, and formataddr refuses it.
    msg["From"] = _address(sender_name, sender)
    msg["To"] = _address(recipient_name or "", recipient)
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{message_id}>"
    if date is not None:
        msg["Date"] = format_datetime(date)
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
    refs = [r for r in references if r]
    if in_reply_to and in_reply_to not in refs:
        refs.append(in_reply_to)
    if refs:
        # RFC 5322 §3.6.4: the parent's References followed by the parent's id.
        msg["References"] = " ".join(f"<{r}>" for r in refs[-20:])
    msg["Auto-Submitted"] = "auto-replied"  # RFC 3834 §5
    msg["X-Auto-Response-Suppress"] = "All"  # Exchange: no OOF or read receipts to us
    for name, value in extra_headers:
        msg[name] = value
    msg.set_content(body)
    return msg


def answer_mail(
    session: Session, site: Site, parsed: ParsedMail, *, template: str, language: str,
    key: str, recipient: str, recipient_name: str | None, **context: Any,
) -> None:
    """Queue one automatic answer to `parsed`, threaded under it, once per `key`."""
    mail = render(template, language, subject=parsed.subject, site_name=site.name,
                  gateway=site.gateway_address, **context)
    msg = compose(
        sender=site.gateway_address, sender_name=site.name, recipient=recipient,
        recipient_name=recipient_name, subject=mail.subject,
        body=mail.body, message_id=message_id_for(site.gateway_domain, key),
        in_reply_to=parsed.message_id, references=parsed.references, date=datetime.now(UTC),
    )
    outbox.enqueue(session, key=key, purpose=template, recipient=recipient, message=msg)
