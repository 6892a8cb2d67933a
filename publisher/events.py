"""Events: an event thread's time, place and invitees, the iMIP mail they get, and answers.

Each invitee gets a `REQUEST` (through the outbound queue, once per sequence); a change
sends a new `REQUEST` with SEQUENCE+1 and a cancellation a `CANCEL` (RFC 5546 §3.2).  An
attendee's answer arrives as a `METHOD:REPLY` mailed to the gateway (`process_reply`,
called by the worker before the publishing policy) or by the buttons on the page; a
REPLY for an unknown UID, or from someone not invited, is recorded as refused and
changes nothing.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailfeed.parsers import authresults
from mailfeed.parsers.model import Decision, ParsedMail
from mailfeed.publisher import claims, imip, invitations, outbox, outgoing
from mailfeed.publisher.models import Event, Invitation, MailMessage, Person, Thread, utcnow
from mailfeed.publisher.publish import Envelope, Outcome, mail_key, mail_record
from mailfeed.publisher.site import Site

log = logging.getLogger(__name__)
MAX_CALENDAR = 256 * 1024  # a calendar reply is a few kB; more is not one


@dataclass(frozen=True)
class EventTimes:
    starts: datetime  # naive UTC
    ends: datetime
    place: str


def check_times(times: EventTimes) -> None:
    if times.ends <= times.starts:
        raise ValueError("an event must end after it starts")


def for_thread(session: Session, thread_id: int) -> Event | None:
    return session.scalar(select(Event).where(Event.thread_id == thread_id))


def attendees(session: Session, thread_id: int) -> list[tuple[Person, str]]:
    return [(i.person, i.status) for i in invitations.for_thread(session, thread_id)]


def create(
    session: Session,
    site: Site,
    thread: Thread,
    times: EventTimes,
    invitees: list[Person],
    organizer: Person | None,
) -> Event:
    """The event of `thread`, its invitations, and an iMIP REQUEST queued for each invitee."""
    check_times(times)
    event = Event(
        thread_id=thread.id,
        starts=times.starts,
        ends=times.ends,
        place=times.place.strip(),
        sequence=0,
        uid=f"{secrets.token_hex(12)}-t{thread.id}@{site.gateway_domain}",
    )
    session.add(event)
    session.flush()
    invitations.invite(session, site, thread, invitees, organizer, mail=False)
    queue_mails(session, site, event, thread, "REQUEST")
    return event


def update(session: Session, site: Site, event: Event, times: EventTimes) -> None:
    """New time or place: SEQUENCE+1 and a new REQUEST to everyone invited."""
    check_times(times)
    if event.cancelled:
        raise ValueError("the event is cancelled")
    event.starts, event.ends, event.place = times.starts, times.ends, times.place.strip()
    event.sequence += 1
    session.flush()
    queue_mails(session, site, event, event.thread, "REQUEST")


def cancel(session: Session, site: Site, event: Event) -> None:
    if event.cancelled:
        return
    event.cancelled = True
    event.sequence += 1
    session.flush()
    queue_mails(session, site, event, event.thread, "CANCEL")


def queue_mails(
    session: Session,
    site: Site,
    event: Event,
    thread: Thread,
    method: str,
    only: list[Person] | None = None,
) -> int:
    """One iMIP mail per invitee for this sequence (the outbox key makes it once)."""
    people = attendees(session, thread.id)
    everyone = [
        imip.Attendee(p.email, p.name, "needs-action" if method == "REQUEST" else status)
        for p, status in people
    ]
    first_post = thread.posts[0] if thread.posts else None
    url = site.base_url + thread.path
    ics = imip.calendar(
        method,
        uid=event.uid,
        sequence=event.sequence,
        summary=thread.subject,
        description=(first_post.body[:2000] + "\n\n" if first_post else "") + url,
        starts=event.starts,
        ends=event.ends,
        place=event.place,
        organizer=site.gateway_address,
        organizer_name=site.name,
        attendees=everyone,
        url=url,
        now=utcnow(),
    )
    label = "UPDATE" if method == "REQUEST" and event.sequence else method
    count = 0
    for person, _status in people:
        if only is not None and person not in only:
            continue
        key = f"imip:{event.id}:{event.sequence}:{method}:{person.id}"
        msg = outgoing.compose_mail(
            site,
            template="event",
            language=person.language or thread.language,
            key=key,
            recipient=person.email,
            recipient_name=person.name,
            method=label,
            subject=thread.subject,
            starts=event.starts.strftime("%Y-%m-%d %H:%M"),
            ends=event.ends.strftime("%Y-%m-%d %H:%M"),
            place=event.place,
            link=url,
        )
        imip.attach(msg, ics, method)
        outbox.enqueue(
            session,
            key=key,
            purpose="event",
            recipient=person.email,
            message=msg,
            thread_id=thread.id,
        )
        count += 1
    return count


CALENDAR_TYPES = frozenset({"text/calendar", "application/ics"})


def calendar_parts(parsed: ParsedMail) -> list[bytes]:
    """The text/calendar parts of a mail (inline or attached), as the parser already found
    them: the mail is not parsed a second time.  Parts of a forwarded mail inside it are
    that mail's, not the sender's answer, and are not among them."""
    return [
        part.payload
        for part in parsed.attachments
        if part.content_type in CALENDAR_TYPES and 0 < len(part.payload) <= MAX_CALENDAR
    ]


def apply_reply(session: Session, reply: imip.Reply, sender: str | None) -> tuple[bool, str]:
    """Record one attendee's PARTSTAT; (done, why) for the mail's record and the log."""
    event = session.scalar(select(Event).where(Event.uid == reply.uid))
    if event is None:
        return False, "calendar reply refused: unknown event UID"
    if sender is not None and sender.lower() != reply.attendee:
        return False, "calendar reply refused: the attendee is not the mail's sender"
    row = session.scalar(
        select(Invitation)
        .join(Person, Person.id == Invitation.person_id)
        .where(Invitation.thread_id == event.thread_id, Person.email == reply.attendee)
    )
    if row is None:
        return False, "calendar reply refused: the attendee was not invited"
    if reply.status not in invitations.STATUSES or reply.status == "needs-action":
        return False, f"calendar reply refused: unusable PARTSTAT {reply.status}"
    row.status, row.responded = reply.status, utcnow()
    session.flush()
    return True, f"calendar reply: {reply.status} for event {event.id}"


def process_reply(
    session: Session, site: Site, parsed: ParsedMail, envelope: Envelope
) -> Outcome | None:
    """A mail carrying a METHOD:REPLY: record the answer, never publish it; None otherwise."""
    replies: list[imip.Reply] = []
    for part in calendar_parts(parsed):
        try:
            method, found = imip.replies(part)
        except ValueError:
            continue
        if method == "REPLY":
            replies.extend(found)
    if not replies:
        return None
    key = mail_key(parsed)
    claims.claim_mail(session, [key])  # the same reply at two instances: one applies it
    seen = session.scalar(select(MailMessage).where(MailMessage.message_id == key))
    if seen is not None:
        return Outcome(
            Decision("ignore", None, seen.reason), seen.thread_id, duplicate=True, new_posts=0
        )
    reasons = []
    thread_id = None
    sender = parsed.sender.email
    if site.policy.trusted_authserv_ids and sender:
        # As for any mail: where a verifier vouches for senders, an unverified From: could
        # be anyone's, and must not answer for a colleague.
        verdict = authresults.evaluate(
            authresults.parse_all(parsed.header_all("authentication-results")),
            sender.rpartition("@")[2],
            site.policy.trusted_authserv_ids,
        )
        if not verdict.passed:
            replies, reasons = [], ["calendar reply refused: the sender is not authenticated"]
            log.warning("%s", reasons[0])
    for reply in replies:
        done, why = apply_reply(session, reply, sender)
        if not done:
            log.warning("%s", why)
        else:
            event = session.scalar(select(Event).where(Event.uid == reply.uid))
            thread_id = event.thread_id if event else None
        reasons.append(why)
    reason = "; ".join(dict.fromkeys(reasons))
    session.add(mail_record(parsed, envelope, action="ignore", reason=reason, thread_id=thread_id))
    session.flush()
    return Outcome(Decision("ignore", None, reason), thread_id, duplicate=False, new_posts=0)
