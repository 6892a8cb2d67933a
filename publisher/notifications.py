"""In-app notifications (mention, invitation, reply, answer, praise) and their mail.

Every notice is a row the person sees at /notifications.  Whether it is also mailed
follows the person's choice: `each` (a mail per notice, through the outbound queue),
`daily` (one digest a day, `send_digests`) or `never`.  Some notices carry their own mail
already (a web reply to the asker goes out through `subscriptions`, an event invitation as
an iMIP mail), so the caller may say `mail=False`; the row is then marked as mailed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from mailfeed.publisher import outgoing
from mailfeed.publisher.models import (
    Notification,
    NotificationSetting,
    OutboundMail,
    Person,
    Post,
    Thread,
    utcnow,
)
from mailfeed.publisher.site import Site

KINDS = ("mention", "invitation", "reply", "answer", "praise")
MAIL_CHOICES = ("each", "daily", "never")


def mail_preference(session: Session, person_id: int) -> str:
    row = session.get(NotificationSetting, person_id)
    return row.mail if row is not None else "each"


def set_mail_preference(session: Session, person_id: int, choice: str) -> None:
    if choice not in MAIL_CHOICES:
        raise ValueError(f"unknown mail preference {choice!r}")
    row = session.get(NotificationSetting, person_id)
    if row is None:
        session.add(NotificationSetting(person_id=person_id, mail=choice))
    else:
        row.mail, row.updated = choice, utcnow()
    session.flush()


def _link(site: Site, thread: Thread, post_id: int | None) -> str:
    return site.base_url + thread.path + (f"#p{post_id}" if post_id else "")


def notify_person(
    session: Session,
    site: Site,
    person: Person,
    kind: str,
    thread: Thread,
    *,
    actor: Person | None,
    post: Post | None = None,
    mail: bool = True,
) -> Notification | None:
    """Record one notice for `person` (never for their own doing) and mail it if they want
    each notice by mail.  A second notice of the same kind for the same post is dropped."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if actor is not None and actor.id == person.id:
        return None
    post_id = post.id if post is not None else None
    seen_before = session.scalar(
        select(Notification.id).where(
            Notification.person_id == person.id,
            Notification.kind == kind,
            Notification.thread_id == thread.id,
            Notification.post_id == post_id
            if post_id is not None
            else Notification.post_id.is_(None),
        )
    )
    if seen_before is not None:
        return None
    row = Notification(
        person_id=person.id,
        kind=kind,
        thread_id=thread.id,
        post_id=post_id,
        actor_id=actor.id if actor else None,
    )
    session.add(row)
    session.flush()
    choice = mail_preference(session, person.id)
    if mail and choice == "each":
        _queue_notice(session, site, row, person, thread, actor, post)
    row.mailed = not mail or choice != "daily"
    return row


def _queue_notice(
    session: Session,
    site: Site,
    row: Notification,
    person: Person,
    thread: Thread,
    actor: Person | None,
    post: Post | None,
) -> None:
    actor_name = actor.display if actor is not None else site.name
    outgoing.queue_mail(
        session,
        site,
        template="notice",
        purpose=f"notice-{row.kind}",
        language=person.language or thread.language,
        key=f"notice:{row.id}",
        recipient=person.email,
        recipient_name=person.name,
        thread_id=thread.id,
        kind=row.kind,
        actor=actor_name,
        subject=thread.subject,
        excerpt=(post.body[:500] if post is not None else ""),
        link=_link(site, thread, row.post_id),
        settings_url=site.base_url + "/settings",
    )


DIGEST_HOUR = 6  # UTC: the digest is there when the Nordic working day starts


def send_digests(session: Session, site: Site, now: datetime | None = None) -> int:
    """One mail a day (from DIGEST_HOUR on) to each `daily` person with notices not yet
    mailed; returns how many went out.  Safe to call as often as one likes."""
    moment = now or utcnow()
    if moment.hour < DIGEST_HOUR:
        return 0
    today = moment.date().isoformat()
    waiting = session.execute(
        select(Notification, Person, Thread)
        .join(Person, Person.id == Notification.person_id)
        .join(Thread, Thread.id == Notification.thread_id)
        .join(NotificationSetting, NotificationSetting.person_id == Person.id)
        .where(NotificationSetting.mail == "daily", Notification.mailed.is_(False))
        .order_by(Person.id, Notification.id)
    ).all()
    by_person: dict[int, list[tuple[Notification, Person, Thread]]] = {}
    for row in waiting:
        by_person.setdefault(row[1].id, []).append(tuple(row))  # type: ignore[arg-type]
    sent = 0
    for person_id, rows in by_person.items():
        key = f"notices:{person_id}:{today}"
        if session.scalar(select(OutboundMail.id).where(OutboundMail.idempotency_key == key)):
            continue  # today's digest went out: these wait for tomorrow's
        person = rows[0][1]
        actors = {n.actor_id for n, _, _ in rows if n.actor_id is not None}
        names = (
            {p.id: p.display for p in session.scalars(select(Person).where(Person.id.in_(actors)))}
            if actors
            else {}
        )
        items = [
            {
                "kind": n.kind,
                "actor": names.get(n.actor_id or 0, site.name),
                "subject": t.subject,
                "link": _link(site, t, n.post_id),
            }
            for n, _, t in rows
        ]
        outgoing.queue_mail(
            session,
            site,
            template="notices",
            purpose="notice-digest",
            language=person.language,
            key=key,
            recipient=person.email,
            recipient_name=person.name,
            items=items,
            settings_url=site.base_url + "/settings",
        )
        for notice, _, _ in rows:
            notice.mailed = True
        sent += 1
    session.flush()
    return sent


def unseen(session: Session, person_id: int) -> int:
    stmt = select(func.count(Notification.id)).where(
        Notification.person_id == person_id, Notification.seen.is_(False)
    )
    return int(session.scalar(stmt) or 0)


def recent(session: Session, person_id: int, limit: int = 100) -> list[Notification]:
    stmt = (
        select(Notification)
        .where(Notification.person_id == person_id)
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def mark_seen(session: Session, person_id: int) -> None:
    session.execute(
        update(Notification)
        .where(Notification.person_id == person_id, Notification.seen.is_(False))
        .values(seen=True)
    )
