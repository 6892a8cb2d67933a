"""The pure `decide(parsed, context) -> Decision`: which mail becomes a thread, and why.

One rule per case, checked in order; each returns a Decision with a reason an operator
can read.  No I/O: history the publisher knows (is this a reply to one of our threads?)
comes in through `PolicyContext`.
"""

from __future__ import annotations

from dataclasses import dataclass

from parsers.model import Decision, ParsedMail


@dataclass(frozen=True)
class PolicyContext:
    gateway_addresses: tuple[str, ...]
    monitor_addresses: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    trusted_authserv_ids: tuple[str, ...] = ()
    confidential_markers: tuple[str, ...] = ()
    envelope_rcpts: tuple[str, ...] = ()  # RCPT TO (or --rcpt / Delivered-To for IMAP, parse)
    envelope_from: str | None = None  # MAIL FROM; "" is the null return path; None unknown
    known_thread: bool = False  # the mail replies to a thread the feed already has
    monitor_policy: str = "suggest"
    min_chain_messages: int = 4
    min_participants: int = 4


def _domain(address: str | None) -> str:
    return (address or "").rpartition("@")[2].lower()


def is_automatic(mail: ParsedMail, context: PolicyContext) -> str | None:
    """RFC 3834: why this mail is automatic, or None when a person sent it."""
    auto = (mail.header("auto-submitted") or "no").strip().lower()
    if not auto.startswith("no"):
        return f"automatic mail (Auto-Submitted: {auto}); never answered (RFC 3834)"
    precedence = (mail.header("precedence") or "").strip().lower()
    if precedence in {"bulk", "list", "junk"}:
        return f"bulk or list mail (Precedence: {precedence})"
    if mail.header("list-id"):
        return "mailing-list mail (List-Id)"
    if context.envelope_from == "":
        return "null return path (a bounce or other automatic mail)"
    local = (mail.sender.email or "").partition("@")[0]
    if local in {"mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply"}:
        return f"automatic sender ({local})"
    return None


def decide(mail: ParsedMail, context: PolicyContext) -> Decision:
    automatic = is_automatic(mail, context)
    if automatic:
        return Decision("ignore", None, automatic)
    if _domain(mail.sender.email) not in context.allowed_domains:
        return Decision(
            "reject", None,
            f"sender domain {_domain(mail.sender.email) or '(none)'} may not publish",
        )
    if context.known_thread:
        return Decision("append", None, "reply to a thread already on the feed")
    kind = "question" if mail.is_question else "discussion"
    return Decision("publish", kind, "the gateway address was addressed explicitly")
