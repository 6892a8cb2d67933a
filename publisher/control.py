"""Mail to the gateway's command addresses: not a post, but an instruction to the gateway.

`feed+mute.<token>@…` is the mailto: half of List-Unsubscribe (RFC 2369 §3.2) on web-reply
mails; `feed+bounce-<id>.<mac>@…` is the VERP return path of outbound mail, where DSNs
arrive (`publisher.bounces`).  Such mail never reaches the publishing policy (an internal
sender writing "mute" to the gateway would otherwise become a thread); it is recorded as
ignored, with what was done as the reason, and handled once per Message-ID like any mail.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailfeed.parsers.model import Decision, ParsedMail
from mailfeed.publisher import bounces, claims, subscriptions
from mailfeed.publisher.models import MailMessage, Person, Thread
from mailfeed.publisher.publish import Envelope, Outcome, mail_key, mail_record
from mailfeed.publisher.site import Site


def _addresses(parsed: ParsedMail, envelope: Envelope) -> tuple[str, ...]:
    """The envelope's recipients; IMAP and imports have none, so then the To: header."""
    if envelope.rcpts:
        return envelope.rcpts
    return tuple(p.email for p in parsed.to if p.email)


def _mute(session: Session, site: Site, token: str) -> tuple[str, int | None]:
    found = subscriptions.read_mute_token(site, token)
    if found is None:
        return "mute request with an invalid token", None
    thread_id, person_id = found
    if session.get(Thread, thread_id) is None or session.get(Person, person_id) is None:
        return "mute request for an unknown thread or person", None
    subscriptions.set_state(session, thread_id, person_id, subscriptions.MUTED)
    return f"mute request: no more web-reply mail in thread {thread_id}", thread_id


def process_control(
    session: Session, site: Site, raw: bytes, parsed: ParsedMail, envelope: Envelope
) -> Outcome | None:
    """Handle mail to a command address and return its outcome; None for any other mail."""
    for address in _addresses(parsed, envelope):
        token = subscriptions.token_in_address(site, address)
        outbound_id = bounces.outbound_for(site, address)
        if token is None and outbound_id is None:
            continue
        key = mail_key(parsed)
        claims.claim_mail(session, [key])
        seen = session.scalar(select(MailMessage).where(MailMessage.message_id == key))
        if seen is not None:
            return Outcome(
                Decision("ignore", None, seen.reason), seen.thread_id, duplicate=True, new_posts=0
            )
        if token is not None:
            reason, thread_id = _mute(session, site, token)
        else:
            assert outbound_id is not None
            reason, thread_id = bounces.record(session, outbound_id, raw), None
        session.add(
            mail_record(parsed, envelope, action="ignore", reason=reason, thread_id=thread_id)
        )
        session.flush()
        return Outcome(
            Decision("ignore", None, reason, rule="control"),
            thread_id,
            duplicate=False,
            new_posts=0,
        )
    return None
