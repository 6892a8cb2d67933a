"""Every mail the gateway sends, composed in one place and queued once.

Link mails, refusals, invitations, web-reply copies, mentions, "answered" notices,
digests and sign-in links all pass through `compose_mail`/`queue_mail`: one renderer
(`render_for`), one language rule (`mail_language`), one set of headers.  Every mail is
automatic and says so (RFC 3834 §5: `Auto-Submitted: auto-replied` when it answers a
mail, `auto-generated` when something else caused it), asks Exchange for no auto-replies
of its own (`X-Auto-Response-Suppress`), and has a Message-ID derived from its
idempotency key, so the same mail keeps the same id and a double submit queues nothing
twice.  The envelope sender is a VERP address per queued row (`return_path`), so a DSN
names the mail.

The words come from the one catalogue (`publisher.catalogue.render_mail`: one template
per mail, `templates/mail/<name>.txt`, subject on its first line, gettext for the text).
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

from mailfeed.publisher import bounces, outbox
from mailfeed.publisher.catalogue import RenderedMail, language_for, render_mail
from mailfeed.publisher.models import OutboundMail
from mailfeed.publisher.site import Site

__all__ = [
    "ANSWERS",
    "RenderedMail",
    "compose",
    "compose_each",
    "compose_mail",
    "mail_language",
    "message_id_for",
    "queue_mail",
    "render_for",
    "render_mail",
    "return_path",
]

# Mail sent in answer to a mail (RFC 3834 §5: auto-replied); the rest is auto-generated.
ANSWERS = frozenset({"link", "reject", "suggest"})


def mail_language(language: str | None, default: str = "sv") -> str:
    """The one language rule for mail (the catalogue's): the reader's or thread's language
    when known, else the site's default; Swedish for sv/no/da, English otherwise."""
    return language_for(language, default)


def render_for(site: Site, template: str, language: str | None, **values: Any) -> RenderedMail:
    """`template` in the reader's language, with what every mail may show of the site."""
    return render_mail(
        template,
        mail_language(language, site.default_language),
        site_name=site.name,
        gateway=site.gateway_address,
        public_url=site.base_url,
        **values,
    )


def message_id_for(domain: str, *parts: object) -> str:
    """A stable Message-ID in the gateway's domain: the same mail gets the same id."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:24]
    return f"mailfeed.{digest}@{domain}"


def return_path(site: Site, row_id: int) -> str:
    """The VERP envelope sender (MAIL FROM) of queued mail `row_id`."""
    return bounces.bounce_address(site, row_id)


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
    auto_submitted: str = "auto-replied",
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    date: datetime | None = None,
    extra_headers: Sequence[tuple[str, str]] = (),
) -> EmailMessage:
    msg = EmailMessage()
    # Address objects, not formataddr: an internationalised address (RFC 6532,
    # åsa.öberg@firma.se) is legal in mail, and formataddr refuses it.
    msg["From"] = _address(sender_name, sender)
    msg["To"] = _address(recipient_name or "", recipient)
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{message_id}>"
    msg["Date"] = format_datetime(date or datetime.now(UTC))
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
    refs = [r for r in references if r]
    if in_reply_to and in_reply_to not in refs:
        refs.append(in_reply_to)
    if refs:
        # RFC 5322 §3.6.4: the parent's References followed by the parent's id.
        msg["References"] = " ".join(f"<{r}>" for r in refs[-20:])
    msg["Auto-Submitted"] = auto_submitted  # RFC 3834 §5
    msg["X-Auto-Response-Suppress"] = "All"  # Exchange: no OOF or read receipts to us
    for name, value in extra_headers:
        msg[name] = value
    msg.set_content(body)
    return msg


PLACEHOLDER_TO = "recipient@placeholder.invalid"
PLACEHOLDER_ID = "message-id@placeholder.invalid"


def compose_each(
    recipients: Sequence[tuple[str, str | None, str]], **common: Any
) -> dict[str, bytes]:
    """The same mail to several people, as wire bytes per address.

    Composed and serialised once; each copy differs only in its To and Message-ID header
    lines, each folded by the same policy the whole message would use, so the bytes are
    what `compose(...)` serialised by `outbox.wire_bytes` gives for that person (so pass
    `date`, or the copies would differ from it by their Date).  `recipients` are (address,
    name, message id); an internationalised address (SMTPUTF8) is composed on its own."""
    out: dict[str, bytes] = {}
    template = compose(
        recipient=PLACEHOLDER_TO, recipient_name=None, message_id=PLACEHOLDER_ID, **common
    )
    wire = template.as_bytes(policy=outbox.WIRE)
    to_line = outbox.WIRE.fold_binary(
        "To", outbox.WIRE.header_factory("To", _address("", PLACEHOLDER_TO))
    )
    id_line = outbox.WIRE.fold_binary(
        "Message-ID", outbox.WIRE.header_factory("Message-ID", f"<{PLACEHOLDER_ID}>")
    )
    usable = (
        wire.count(to_line) == 1
        and wire.count(id_line) == 1
        and outbox.needs_smtputf8(str(template["From"])) is False
    )
    for address, name, message_id in recipients:
        if not usable or outbox.needs_smtputf8(address):
            msg = compose(recipient=address, recipient_name=name, message_id=message_id, **common)
            out[address] = outbox.wire_bytes(msg, address)
            continue
        to = outbox.WIRE.fold_binary(
            "To", outbox.WIRE.header_factory("To", _address(name or "", address))
        )
        mid = outbox.WIRE.fold_binary(
            "Message-ID", outbox.WIRE.header_factory("Message-ID", f"<{message_id}>")
        )
        out[address] = wire.replace(to_line, to, 1).replace(id_line, mid, 1)
    return out


def compose_mail(
    site: Site,
    *,
    template: str,
    key: str,
    recipient: str,
    language: str | None = None,
    rendered: RenderedMail | None = None,
    recipient_name: str | None = None,
    sender_name: str | None = None,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    extra_headers: Sequence[tuple[str, str]] = (),
    date: datetime | None = None,
    **values: Any,
) -> EmailMessage:
    """The finished message: `rendered` (the same text for many readers) or `template`
    rendered here with `values`; the Message-ID follows from `key`."""
    mail = rendered or render_for(site, template, language, **values)
    return compose(
        sender=site.gateway_address,
        sender_name=sender_name or site.name,
        recipient=recipient,
        recipient_name=recipient_name,
        subject=mail.subject,
        body=mail.body,
        message_id=message_id_for(site.gateway_domain, key),
        auto_submitted="auto-replied" if template in ANSWERS else "auto-generated",
        in_reply_to=in_reply_to,
        references=references,
        extra_headers=extra_headers,
        date=date,
    )


def queue_mail(
    session: Session,
    site: Site,
    *,
    template: str,
    key: str,
    recipient: str,
    thread_id: int | None = None,
    purpose: str | None = None,
    **options: Any,
) -> OutboundMail:
    """Compose (see `compose_mail`) and queue once per `key`; the purpose is the template's
    name unless given.  Nothing is rendered when the key was queued before."""
    existing = outbox.queued(session, key)
    if existing is not None:
        return existing
    message = compose_mail(site, template=template, key=key, recipient=recipient, **options)
    return outbox.enqueue(
        session,
        key=key,
        purpose=purpose or template,
        recipient=recipient,
        message=message,
        thread_id=thread_id,
    )
