"""Bounces: the VERP return path on what we send, and the DSNs that come back to it.

Every outbound mail leaves with its own envelope sender, `feed+bounce-<id>.<hmac>@firma.se`
(VERP), so a delivery status notification names the very mail that failed, whatever the
reporting MTA puts in its text.  A DSN (RFC 3464: multipart/report with a
message/delivery-status part) that reports `Action: failed` with a 5.x.x status marks that
mail `bounced` and counts a hard bounce against its address; from `HARD_BOUNCE_LIMIT`
on, mail to the address is no longer sent (sign-in links excepted: a person asks for them).
Delays (4.x.x) and relayed/delivered reports change nothing.  Parsing the report here, not
in `parsers/`, keeps it beside the only code that needs it; it is pure all the same.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import Message

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailfeed.publisher import replyaddr
from mailfeed.publisher.models import AddressBounce, OutboundMail, utcnow
from mailfeed.publisher.site import Site

HARD_BOUNCE_LIMIT = 2
ALWAYS_SENT = frozenset({"signin"})  # asked for by the person, just now
_TAG = re.compile(r"^bounce-(?P<id>\d{1,12})\.(?P<mac>[a-z2-7]{8})$")


@dataclass(frozen=True)
class Report:
    """One per-recipient block of a DSN (RFC 3464 §2.3)."""

    recipient: str
    action: str  # failed / delayed / delivered / relayed / expanded
    status: str  # e.g. 5.1.1
    diagnostic: str

    @property
    def hard(self) -> bool:
        return self.action == "failed" and self.status.startswith("5")


def _mac(site: Site, outbound_id: int) -> str:
    return replyaddr.sign(site, f"bounce:{outbound_id}")


def bounce_address(site: Site, outbound_id: int) -> str:
    """The envelope sender (MAIL FROM) for outbound mail `outbound_id`."""
    return replyaddr.tagged(site, f"bounce-{outbound_id}.{_mac(site, outbound_id)}")


def outbound_for(site: Site, address: str) -> int | None:
    """The outbound mail a bounce address names; None for other or forged addresses."""
    match = _TAG.match(replyaddr.tag_of(site, address) or "")
    if match is None:
        return None
    outbound_id = int(match["id"])
    return outbound_id if hmac.compare_digest(match["mac"], _mac(site, outbound_id)) else None


def _field(block: Message, name: str) -> str:
    value = str(block.get(name, "") or "")
    # "rfc822; anna@firma.se", "smtp; 550 5.1.1 ...": the type before ';' is not the value.
    return " ".join(value.partition(";")[2].split()) if ";" in value else value.strip()


def parse_dsn(raw: bytes) -> list[Report] | None:
    """The per-recipient reports of a DSN, or None when the mail is no DSN."""
    message = message_from_bytes(raw, policy=policy.compat32)
    if message.get_content_type() != "multipart/report":
        return None
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        if not isinstance(blocks, list):
            return None
        return [
            Report(
                recipient=_field(b, "Final-Recipient").lower(),
                action=str(b.get("Action", "")).strip().lower(),
                status=str(b.get("Status", "")).strip(),
                diagnostic=_field(b, "Diagnostic-Code"),
            )
            for b in blocks[1:]  # the first block is about the message, not a recipient
            if isinstance(b, Message) and b.get("Action")
        ]
    return None


def record(session: Session, outbound_id: int, raw: bytes) -> str:
    """Apply a mail to the bounce address of `outbound_id`; returns what was done."""
    row = session.get(OutboundMail, outbound_id)
    if row is None:
        return f"bounce for unknown outbound mail {outbound_id}"
    reports = parse_dsn(raw)
    if reports is None:
        return f"mail to the bounce address of outbound {outbound_id} is no DSN"
    hard = [r for r in reports if r.hard]
    if not hard:
        states = ", ".join(f"{r.action} {r.status}".strip() for r in reports) or "empty"
        return f"DSN for outbound {outbound_id}: {states}"
    report = hard[0]
    if row.state != "bounced":  # the same DSN twice counts once
        row.state = "bounced"
        row.last_error = f"{report.status} {report.diagnostic}".strip()[:1000]
        counter = session.get(AddressBounce, row.recipient)
        if counter is None:
            counter = AddressBounce(email=row.recipient, bounces=0)
            session.add(counter)
        counter.bounces += 1
        counter.last_bounce = utcnow()
    session.flush()
    return f"DSN: outbound {outbound_id} bounced ({report.status})"


def failing(session: Session, addresses: Iterable[str]) -> set[str]:
    """Those of `addresses` (lower case) that hard-bounced `HARD_BOUNCE_LIMIT` times."""
    wanted = {a.lower() for a in addresses}
    if not wanted:
        return set()
    return set(
        session.scalars(
            select(AddressBounce.email).where(
                AddressBounce.email.in_(wanted), AddressBounce.bounces >= HARD_BOUNCE_LIMIT
            )
        )
    )
