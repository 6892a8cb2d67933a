"""Praise: a thread that thanks one or more colleagues, each a `Praise` row with a badge.

Started on the feed (the composer, the API) or found in mail by the policy (`kudos` in
the parser's words): then the mail's recipients are the ones praised.  Profiles read
praise received and given from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from mailfeed.parsers.model import ParsedMail
from mailfeed.parsers.model import Person as Named
from mailfeed.publisher import notifications, people
from mailfeed.publisher.models import Person, Post, Praise, Thread
from mailfeed.publisher.site import Site

BADGES = ("helpful", "teamwork", "customer-hero", "problem-solver", "mentor", "above-and-beyond")


@dataclass(frozen=True)
class PraiseRef:
    subject: str
    path: str
    when: datetime
    badge: str | None
    other: str  # the giver (for praise received) or the recipient (for praise given)


def give(
    session: Session,
    site: Site,
    thread: Thread,
    recipients: Iterable[Person],
    giver: Person | None,
    badge: str | None,
    post: Post | None = None,
) -> list[Person]:
    """Record praise for each recipient (once per thread) and tell them; returns who is new."""
    if badge is not None and badge not in BADGES:
        raise ValueError(f"unknown badge {badge!r}")
    known = set(session.scalars(select(Praise.recipient_id).where(Praise.thread_id == thread.id)))
    added = []
    for person in recipients:
        if person.id in known or (giver is not None and person.id == giver.id):
            continue
        session.add(
            Praise(
                thread_id=thread.id,
                recipient_id=person.id,
                giver_id=giver.id if giver else None,
                badge=badge,
            )
        )
        known.add(person.id)
        added.append(person)
    session.flush()
    for person in added:
        notifications.notify_person(session, site, person, "praise", thread, actor=giver, post=post)
    return added


def from_mail(session: Session, site: Site, thread: Thread, parsed: ParsedMail) -> list[Person]:
    """Praise found in mail: the praised are the mail's To recipients (its Cc when To
    holds only the gateway), internal people other than the writer."""

    def candidates(group: Iterable[Named]) -> list[tuple[str, str | None]]:
        writer = (parsed.sender.email or "").lower()
        return [
            (p.email, p.name)
            for p in group
            if p.email
            and site.is_internal(p.email)
            and not site.is_gateway(p.email)
            and p.email.lower() != writer
        ]

    chosen = candidates(parsed.to) or candidates(parsed.cc)
    giver = people.find(session, parsed.sender.email) if parsed.sender.email else None
    recipients = [people.get_or_create(session, email, name) for email, name in chosen]
    return give(session, site, thread, recipients, giver, None)


def for_thread(session: Session, thread_id: int) -> list[Praise]:
    return list(
        session.scalars(
            select(Praise)
            .where(Praise.thread_id == thread_id)
            .options(selectinload(Praise.recipient))
            .order_by(Praise.id)
        )
    )


def received(session: Session, person_id: int, limit: int = 50) -> list[PraiseRef]:
    giver = Person
    stmt = (
        select(Praise, Thread, giver)
        .join(Thread, Thread.id == Praise.thread_id)
        .outerjoin(giver, giver.id == Praise.giver_id)
        .where(Praise.recipient_id == person_id, Thread.hidden.is_(False))
        .order_by(Praise.created.desc())
        .limit(limit)
    )
    return [
        PraiseRef(t.subject, t.path, p.created, p.badge, g.display if g else "")
        for p, t, g in session.execute(stmt)
    ]


def given(session: Session, person_id: int, limit: int = 50) -> list[PraiseRef]:
    stmt = (
        select(Praise, Thread, Person)
        .join(Thread, Thread.id == Praise.thread_id)
        .join(Person, Person.id == Praise.recipient_id)
        .where(Praise.giver_id == person_id, Thread.hidden.is_(False))
        .order_by(Praise.created.desc())
        .limit(limit)
    )
    return [
        PraiseRef(t.subject, t.path, p.created, p.badge, r.display)
        for p, t, r in session.execute(stmt)
    ]


def received_count(session: Session, person_id: int) -> int:
    return int(
        session.scalar(select(func.count(Praise.id)).where(Praise.recipient_id == person_id)) or 0
    )


def given_count(session: Session, person_id: int) -> int:
    return int(
        session.scalar(select(func.count(Praise.id)).where(Praise.giver_id == person_id)) or 0
    )
