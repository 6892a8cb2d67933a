"""Who was asked into a thread: invitations to answer a question or to come to an event.

The thread shows everyone invited (`invited` in the API), the feed's answer to "who was
asked?".  For an event an invitation also holds the person's answer, as iCalendar's
PARTSTAT (RFC 5545 §3.2.12) in lower case.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mailfeed.publisher import notifications
from mailfeed.publisher.models import Invitation, Person, Post, Thread, utcnow
from mailfeed.publisher.site import Site

STATUSES = ("needs-action", "accepted", "declined", "tentative")


def invite(
    session: Session,
    site: Site,
    thread: Thread,
    people: Iterable[Person],
    inviter: Person | None,
    post: Post | None = None,
    *,
    mail: bool = True,
) -> list[Person]:
    """Invite each person once and notify them; returns the newly invited.

    `mail=False` when the invitation brings its own mail (an event's iMIP request)."""
    known = set(
        session.scalars(select(Invitation.person_id).where(Invitation.thread_id == thread.id))
    )
    added = []
    for person in people:
        if person.id in known:
            continue
        session.add(
            Invitation(
                thread_id=thread.id, person_id=person.id, inviter_id=inviter.id if inviter else None
            )
        )
        known.add(person.id)
        added.append(person)
    session.flush()
    for person in added:
        notifications.notify_person(
            session, site, person, "invitation", thread, actor=inviter, post=post, mail=mail
        )
    return added


def for_thread(session: Session, thread_id: int) -> list[Invitation]:
    """Everyone invited, with their person loaded in the same round trip (no N+1)."""
    stmt = (
        select(Invitation)
        .where(Invitation.thread_id == thread_id)
        .options(selectinload(Invitation.person))
        .order_by(Invitation.id)
    )
    return list(session.scalars(stmt))


def answer(session: Session, thread: Thread, person: Person, status: str) -> Invitation:
    """Record a person's answer; someone not invited who answers joins the list."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    row = session.scalar(
        select(Invitation).where(
            Invitation.thread_id == thread.id, Invitation.person_id == person.id
        )
    )
    if row is None:
        row = Invitation(thread_id=thread.id, person_id=person.id)
        session.add(row)
    row.status, row.responded = status, utcnow()
    session.flush()
    return row


def for_person(session: Session, person_id: int) -> list[Invitation]:
    stmt = select(Invitation).where(Invitation.person_id == person_id).order_by(Invitation.id)
    return list(session.scalars(stmt))
