"""The one way a mail comes in: keep -> parse -> decide -> redact -> record.

The SMTP/IMAP worker, `mailfeed import` and `mailfeed parse` all call `take_in`, so they
cannot disagree about a mail, and a confidential mail is forgotten whichever way it came:
its words are cut from the raw store after the decision and before anything is recorded.
`mailfeed parse` runs the same steps without storing (no raw store; the session, if any,
is only read and rolled back).

The order matters for "exactly once": the raw bytes are kept before anything refers to
them; the record, thread, posts and queued replies are written in the caller's
transaction; a crash in between repeats the mail, which is then found by its Message-ID
(or hash) and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailfeed.gateway.dkimcheck import REAL_DNS, DnsFunc, verified_domains
from mailfeed.gateway.rawstore import RawStore
from mailfeed.parsers.mail import parse_mail
from mailfeed.parsers.model import ParsedMail
from mailfeed.parsers.policy import decide
from mailfeed.publisher import control, events
from mailfeed.publisher.models import MailMessage
from mailfeed.publisher.publish import (
    Envelope,
    Outcome,
    decide_for,
    mail_key,
    record,
    seen_before,
)
from mailfeed.publisher.site import Site


@dataclass(frozen=True)
class Arrival:
    """How a mail reached us."""

    source: str  # smtp | imap | import | demo | cli
    rcpts: tuple[str, ...] = ()  # RCPT TO (SMTP), Delivered-To (IMAP), --rcpt (parse)
    mail_from: str | None = None  # MAIL FROM; None when unknown


@dataclass(frozen=True)
class Taken:
    parsed: ParsedMail
    outcome: Outcome
    raw_path: str | None  # the locator of the (possibly redacted) bytes; None: not stored


def take_in(
    raw: bytes,
    arrival: Arrival,
    *,
    site: Site,
    session: Session | None,
    raw_store: RawStore | None,
    parse: Callable[[bytes], ParsedMail] = parse_mail,
    dnsfunc: DnsFunc = REAL_DNS,
) -> Taken:
    """Take in one mail.  With `raw_store` None nothing is stored (`mailfeed parse`): the
    decision is taken against `session`'s history when there is one, then rolled back.
    The caller commits `session` when storing."""
    # keep: the raw mail is the record, stored before anything points at it (a file at
    # once; a database row in the same transaction as the record).
    raw_path = raw_store.keep(raw, session) if raw_store is not None else None
    # parse
    parsed = parse(raw)
    dkim_domains = verified_domains(raw, dnsfunc) if site.policy.own_dkim and raw else ()
    envelope = Envelope(
        mail_from=arrival.mail_from,
        rcpts=arrival.rcpts,
        source=arrival.source,
        raw_path=raw_path or "",
        dkim_domains=dkim_domains,
    )
    if raw_store is None or session is None:
        return Taken(parsed, _judge(session, site, parsed, envelope), None)
    assert raw_path is not None
    # Mail to a command address (mute, bounces) is no candidate post, nor is a calendar's
    # answer to an event invitation (iTIP REPLY).
    handled = control.process_control(session, site, raw, parsed, envelope) or events.process_reply(
        session, site, parsed, envelope
    )
    if handled is not None:
        return Taken(parsed, handled, raw_path)
    seen = seen_before(session, parsed)
    if seen is not None:
        _drop_unrecorded_copy(raw_store, raw_path, session, parsed)
        return Taken(parsed, seen, raw_path)
    # decide
    decision, thread = decide_for(session, site, parsed, envelope)
    # redact: a mail refused as confidential keeps its headers (the audit record), no words.
    if decision.confidential:
        raw_store.redact(raw_path, decision.reason, session)
    # record
    return Taken(parsed, record(session, site, parsed, envelope, decision, thread), raw_path)


def _judge(session: Session | None, site: Site, parsed: ParsedMail, envelope: Envelope) -> Outcome:
    """The decision without storing: with the feed's history when it can be read."""
    if session is not None:
        try:
            decision, thread = decide_for(session, site, parsed, envelope)
            return Outcome(decision, thread.id if thread else None, duplicate=False, new_posts=0)
        except Exception:  # noqa: BLE001 - an unreachable or empty database: decide without it
            pass
        finally:
            session.rollback()
    context = replace(
        site.policy,
        envelope_rcpts=envelope.rcpts,
        envelope_from=envelope.mail_from,
        verified_dkim_domains=envelope.dkim_domains,
        source="import" if envelope.source == "import" else "mail",
    )
    return Outcome(decide(parsed, context), None, duplicate=False, new_posts=0)


def _drop_unrecorded_copy(
    raw_store: RawStore, raw_path: str, session: Session, parsed: ParsedMail
) -> None:
    """A second mail with a known Message-ID but other bytes is not recorded; its copy
    would be words in the store that nothing refers to (and that no redaction would reach)."""
    recorded = session.scalar(
        select(MailMessage.raw_path).where(MailMessage.message_id == mail_key(parsed))
    )
    if recorded and recorded != raw_path:
        raw_store.discard(raw_path, session)
