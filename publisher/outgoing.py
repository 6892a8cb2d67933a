"""Every mail the gateway sends, composed in one place and queued once.

Link mails, refusals, invitations, web-reply copies, mentions, "answered" notices and
sign-in links all pass through `queue_mail`: one template loader (`render_mail`), one
language rule (`mail_language`), one set of headers.  Every mail is automatic and says so
(RFC 3834 §5: `Auto-Submitted: auto-replied` when it answers a mail, `auto-generated`
when something else caused it), asks Exchange for no auto-replies of its own
(`X-Auto-Response-Suppress`), and has a Message-ID derived from its idempotency key, so
the same mail keeps the same id and a double submit queues nothing twice.  The envelope
sender is a VERP address per queued row (`return_path`), so a DSN names the mail.

Templates live in `templates/mail/<name>.<lang>.txt`; their first line is `Subject: …`,
the rest is the plain-text body.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy.orm import Session

from mailfeed.publisher import bounces, outbox
from mailfeed.publisher.models import OutboundMail
from mailfeed.publisher.site import Site

MAIL_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "mail"
LANGUAGES = ("sv", "en")
# Readers of Norwegian and Danish read Swedish better than English.
_READS_SWEDISH = {"sv", "no", "nb", "nn", "da"}
# Mail sent in answer to a mail (RFC 3834 §5: auto-replied); the rest is auto-generated.
ANSWERS = frozenset({"link", "reject", "suggest"})


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    body: str


def mail_language(language: str | None, default: str = "sv") -> str:
    """The one language rule for mail: the reader's (or thread's) language when known,
    else the site's default; Swedish for sv/no/da, English for everything else."""
    code = (language or default or "sv").strip().lower().replace("_", "-").partition("-")[0]
    return "sv" if code in _READS_SWEDISH else "en"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(MAIL_TEMPLATES)),
        autoescape=False,  # text/plain mail: nothing is rendered as HTML
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render_mail(template: str, lang: str, **values: Any) -> RenderedMail:
    """`templates/mail/<template>.<lang>.txt` rendered: its `Subject:` line and body."""
    lang = mail_language(lang)
    rendered = _environment().get_template(f"{template}.{lang}.txt").render(**values)
    first, _, body = rendered.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"mail template {template}.{lang}.txt must start with 'Subject:'")
    return RenderedMail(first.removeprefix("Subject:").strip(), body.lstrip("\n"))


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


def queue_mail(
    session: Session,
    site: Site,
    *,
    template: str,
    language: str | None,
    key: str,
    recipient: str,
    recipient_name: str | None = None,
    sender_name: str | None = None,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    extra_headers: Sequence[tuple[str, str]] = (),
    thread_id: int | None = None,
    **values: Any,
) -> OutboundMail:
    """Render `template` for the recipient and queue it once per `key` (the purpose is the
    template's name).  Templates always get `site_name`, `gateway` and `public_url`."""
    rendered = render_mail(template, mail_language(language, site.default_language),
                           site_name=site.name, gateway=site.gateway_address,
                           public_url=site.base_url, **values)
    msg = compose(
        sender=site.gateway_address, sender_name=sender_name or site.name,
        recipient=recipient, recipient_name=recipient_name, subject=rendered.subject,
        body=rendered.body, message_id=message_id_for(site.gateway_domain, key),
        auto_submitted="auto-replied" if template in ANSWERS else "auto-generated",
        in_reply_to=in_reply_to, references=references, extra_headers=extra_headers,
    )
    return outbox.enqueue(session, key=key, purpose=template, recipient=recipient,
                          message=msg, thread_id=thread_id)
