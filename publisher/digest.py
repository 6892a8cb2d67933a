"""The weekly digest: one mail per colleague that reminds the quiet majority the feed exists.

What it holds, for one person and one ISO week: questions waiting for someone like them
(their department's, or from people they answered before), the week's answered
questions, the week's praise, and — for ambassadors — the long mail threads in their
department that the monitor suggested moving.  Nothing to say means no mail.

Opt-out, never opt-in-by-default-forever: every digest carries a signed one-click
unsubscribe link (RFC 8058) that needs no sign-in; a person who opted out gets none.
The idempotency key (person, ISO week) makes `queue_digests` safe to run every hour.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailfeed.publisher import outbox, outgoing, replyaddr, timewords
from mailfeed.publisher.models import (
    AddressBounce,
    Event,
    Invitation,
    MailMessage,
    OutboundMail,
    Person,
    Post,
    Thread,
)
from mailfeed.publisher.site import Site

LIMIT = 5  # items per section: a digest is read in a minute or not at all
SEND_FROM = (0, 6)  # (weekday, hour UTC): the running service sends from Monday 06:00 on
_TOKEN = re.compile(r"^p(?P<person>\d{1,12})\.(?P<mac>[a-z2-7]{16})$")


def digest_token(site: Site, person_id: int) -> str:
    return f"p{person_id}.{replyaddr.sign(site, f'digest:{person_id}', 16)}"


def read_digest_token(site: Site, token: str) -> int | None:
    match = _TOKEN.match(token.strip().lower())
    if match is None:
        return None
    person_id = int(match["person"])
    expected = replyaddr.sign(site, f"digest:{person_id}", 16)
    return person_id if hmac.compare_digest(match["mac"], expected) else None


@dataclass
class Digest:
    person: Person
    week: str  # ISO week, e.g. 2026-W48
    waiting: list[Thread] = field(default_factory=list)
    answered: list[Thread] = field(default_factory=list)
    praise: list[Thread] = field(default_factory=list)
    could_move: list[MailMessage] = field(default_factory=list)  # for ambassadors
    events: list[tuple[Thread, Event]] = field(default_factory=list)  # invited, coming up

    @property
    def empty(self) -> bool:
        return not (self.waiting or self.answered or self.praise or self.could_move or self.events)


def _department(person: Person | None) -> str | None:
    return person.department if person is not None else None


def build_digest(session: Session, person: Person, now: datetime) -> Digest:
    week_ago = now - timedelta(days=7)
    year, week, _ = now.isocalendar()
    digest = Digest(person=person, week=f"{year}-W{week:02d}")
    visible = Thread.hidden.is_(False)
    # People this person answered before: their new questions are likely for them too.
    helped = {
        asker
        for (asker,) in session.execute(
            select(Thread.asker_id)
            .join(Post, Post.thread_id == Thread.id)
            .where(Post.author_id == person.id, Post.position > 0, Thread.asker_id != person.id)
            .distinct()
        )
    }
    open_questions = session.scalars(
        select(Thread)
        .where(
            visible,
            Thread.kind == "question",
            Thread.state == "open",
            Thread.created >= now - timedelta(days=14),
            Thread.asker_id != person.id,
        )
        .order_by(Thread.created.desc())
        .limit(200)
    ).all()
    department = _department(person)
    digest.waiting = [
        t
        for t in open_questions
        if t.asker_id in helped or (department is not None and _department(t.asker) == department)
    ][:LIMIT]
    digest.answered = list(
        session.scalars(
            select(Thread)
            .join(Post, Post.id == Thread.answer_post_id)
            .where(
                visible, Thread.kind == "question", Post.created >= week_ago, Post.created <= now
            )
            .order_by(Post.created.desc())
            .limit(LIMIT)
        )
    )
    digest.praise = list(
        session.scalars(
            select(Thread)
            .where(
                visible,
                Thread.kind.in_(("praise", "kudos")),
                Thread.created >= week_ago,
                Thread.created <= now,
            )
            .order_by(Thread.created.desc())
            .limit(LIMIT)
        )
    )
    # Upcoming events this person is invited to and has not declined.
    digest.events = [
        (thread, event)
        for thread, event in session.execute(
            select(Thread, Event)
            .join(Event, Event.thread_id == Thread.id)
            .join(Invitation, Invitation.thread_id == Thread.id)
            .where(
                visible,
                Invitation.person_id == person.id,
                Invitation.status != "declined",
                Event.cancelled.is_(False),
                Event.starts >= now,
                Event.starts <= now + timedelta(days=14),
            )
            .order_by(Event.starts)
            .limit(LIMIT)
        )
    ]
    if person.ambassador:
        senders = {p.email.lower(): p for p in session.scalars(select(Person))}
        digest.could_move = [
            m
            for m in session.scalars(
                select(MailMessage)
                .where(MailMessage.action == "suggest", MailMessage.received >= week_ago)
                .order_by(MailMessage.received.desc())
                .limit(200)
            )
            if department is None or _department(senders.get(m.sender.lower())) == department
        ][:LIMIT]
    return digest


def due(now: datetime) -> bool:
    """Whether this week's digests may go out yet (from Monday 06:00 UTC; missed ones later
    in the week still go, once: the idempotency key is per ISO week)."""
    return (now.weekday(), now.hour) >= SEND_FROM


def queue_digests(session: Session, site: Site, now: datetime) -> int:
    """Queue this week's digest for everyone who wants one; returns how many were queued."""
    bounced = {
        e for (e,) in session.execute(select(AddressBounce.email).where(AddressBounce.bounces >= 2))
    }
    queued = 0
    for person in session.scalars(
        select(Person).where(Person.internal.is_(True), Person.digest_opt_out.is_(False))
    ):
        if person.email.lower() in bounced:
            continue
        digest = build_digest(session, person, now)
        if digest.empty:
            continue
        key = f"digest:{person.id}:{digest.week}"
        if session.scalar(select(OutboundMail.id).where(OutboundMail.idempotency_key == key)):
            continue
        outbox.enqueue(
            session,
            key=key,
            purpose="digest",
            recipient=person.email,
            message=compose_digest(site, digest, now),
        )
        queued += 1
    session.flush()
    return queued


def compose_digest(site: Site, digest: Digest, now: datetime) -> EmailMessage:
    language = outgoing.mail_language(digest.person.language, site.default_language)
    person = digest.person
    token = digest_token(site, person.id)
    unsubscribe = f"{site.base_url}/digest/{token}"
    key = f"digest:{person.id}:{digest.week}"
    return outgoing.compose_mail(
        site,
        template="digest",
        language=person.language,
        key=key,
        recipient=person.email,
        recipient_name=person.name,
        date=now,
        name=person.name or person.email,
        week=digest.week,
        base=site.base_url,
        waiting=digest.waiting,
        answered=digest.answered,
        praise=digest.praise,
        could_move=digest.could_move,
        events=[
            (thread, timewords.absolute(event.starts, language) + " UTC")
            for thread, event in digest.events
        ],
        unsubscribe=unsubscribe,
        extra_headers=[
            ("List-Id", f"<digest.{site.gateway_domain}>"),  # RFC 2919
            ("List-Unsubscribe", f"<{unsubscribe}>"),  # RFC 2369 §3.2
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),  # RFC 8058 §3.1
            ("Precedence", "bulk"),
        ],
    )
