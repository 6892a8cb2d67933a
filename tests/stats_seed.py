"""A small, deterministic month on the feed, for the outcome figures of /stats.

Ten colleagues (Anna … Jonas).  Two questions move from mail and are answered on the feed
(one by Elin, who was never on the mail); Berit asks a question nobody answers; Cecilia
praises; Gustav starts a discussion.  Every figure the tests assert is counted by hand in
the comments of `tests/test_outcomes.py` from exactly these rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from mailfeed.publisher.models import (
    Like,
    MailMessage,
    OutboundMail,
    Person,
    Post,
    Thread,
    View,
)

DOMAIN = "firma.se"
START = datetime(2026, 11, 2, 8, 0)  # a Monday: ISO week 45
NOW = START + timedelta(days=28)
NAMES = ("Anna", "Berit", "Cecilia", "David", "Elin", "Fredrik", "Gustav", "Hanna", "Ida", "Jonas")


def address(name: str) -> str:
    return f"{name.lower()}@{DOMAIN}"


def seed_month(session: Session) -> dict[str, Person]:
    people = {n: Person(email=address(n), name=f"{n} Berg") for n in NAMES}
    session.add_all(people.values())

    def thread(
        subject: str, kind: str, asker: str, day: float, origin: str = "web", mail_days: float = 0
    ) -> Thread:
        created = START + timedelta(days=day)
        t = Thread(
            subject=subject,
            slug=subject.lower(),
            kind=kind,
            origin=origin,
            asker=people[asker],
            created=created,
            last_activity=created,
        )
        if origin != "web":
            t.mail_first, t.mail_last = created - timedelta(days=mail_days), created
            t.mail_messages = t.mail_people = 3 if mail_days > 2 else 2
        session.add(t)
        return t

    def post(t: Thread, author: str, position: int, minutes: float, source: str) -> Post:
        p = Post(
            thread=t,
            author=people[author],
            body=f"{author} writes",
            position=position,
            source=source,
            created=t.created + timedelta(minutes=minutes),
            date=t.created + timedelta(minutes=minutes),
        )
        session.add(p)
        return p

    # 1. Anna's question: five days in mail among Anna, Berit, Cecilia (link also to David);
    #    Cecilia CCs the gateway; Elin answers on the feed after 30 minutes.
    t1 = thread("Nyckeln", "question", "Anna", 1, origin="cc", mail_days=5)
    for i, n in enumerate(("Anna", "Berit", "Cecilia")):
        post(t1, n, i, -60 * (3 - i), "mail")
    answer1 = post(t1, "Elin", 3, 30, "web")
    # 2. Berit's question: two days in mail between Berit and David; David answers in 2 h.
    t2 = thread("Projektorn", "question", "Berit", 3, origin="forward", mail_days=2)
    post(t2, "Berit", 0, -120, "mail")
    post(t2, "David", 1, -60, "mail")
    answer2 = post(t2, "David", 2, 120, "web")
    # 3. Berit asks on the feed; nobody replies.  4. Cecilia praises.  5. Gustav discusses.
    t3 = thread("Parkering", "question", "Berit", 10)
    post(t3, "Berit", 0, 0, "web")
    t4 = thread("Tack!", "praise", "Cecilia", 15)
    praise = post(t4, "Cecilia", 0, 0, "web")
    t5 = thread("Julbord", "discussion", "Gustav", 20)
    post(t5, "Gustav", 0, 0, "web")
    post(t5, "Hanna", 1, 10, "web")
    session.flush()
    t1.answer_post_id, t1.state = answer1.id, "answered"
    t2.answer_post_id, t2.state = answer2.id, "answered"
    for t, names in ((t1, ("Anna", "Berit", "Cecilia", "David")), (t2, ("Berit", "David"))):
        for n in names:
            session.add(
                OutboundMail(
                    idempotency_key=f"link-{t.id}-{n}",
                    purpose="link",
                    recipient=address(n),
                    thread_id=t.id,
                    message_id=f"link-{t.id}-{n}@{DOMAIN}",
                    raw=b"",
                    state="sent",
                )
            )
    for t, sender in ((t1, "Cecilia"), (t2, "David")):
        session.add(
            MailMessage(
                message_id=f"m{t.id}@{DOMAIN}",
                content_hash=str(t.id),
                raw_path="",
                action="publish",
                sender=address(sender),
                thread_id=t.id,
                received=t.created,
            )
        )
    # Anna's question came back by mail once after the move (a reply-all on the old chain).
    session.add(
        MailMessage(
            message_id=f"late{t1.id}@{DOMAIN}",
            content_hash="late",
            raw_path="",
            action="append",
            sender=address("Anna"),
            thread_id=t1.id,
            received=t1.created + timedelta(hours=2),
        )
    )
    session.add(
        Like(
            post_id=answer1.id,
            person_id=people["Fredrik"].id,
            created=t1.created + timedelta(hours=1),
        )
    )
    session.add(
        Like(
            post_id=praise.id, person_id=people["Anna"].id, created=t4.created + timedelta(hours=1)
        )
    )
    for t, names in ((t1, ("Anna", "Elin", "Fredrik", "Gustav", "Hanna")), (t2, ("David", "Ida"))):
        for n in names:
            session.add(
                View(thread_id=t.id, person_id=people[n].id, created=t.created + timedelta(hours=2))
            )
    session.flush()
    return people
