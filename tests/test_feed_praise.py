"""Praise from mail and from the old schema, on real SQLite and PostgreSQL.

Story: Erik mails "Stort tack till Maria" to Maria with the gateway on CC; the thread is
praise, Maria is the one praised and hears of it.  A database from before has `kudos`
threads and posts: the upgrade makes them `praise`, and changes nothing else.
"""

from __future__ import annotations

import hashlib

from alembic import command
from sqlalchemy import select, text

from mailfeed.parsers.model import ChainMessage, Decision, ParsedMail, Person
from mailfeed.parsers.policy import PolicyContext
from mailfeed.publisher.db import Database, alembic_config
from mailfeed.publisher.models import MailMessage, Notification, Praise, Thread
from mailfeed.publisher.publish import publish_into
from mailfeed.publisher.site import Site
from tests.db_support import database  # noqa: F401 - fixture

SITE = Site(
    base_url="https://feed.firma.se",
    gateway_address="feed@firma.se",
    policy=PolicyContext(gateway_addresses=("feed@firma.se",), allowed_domains=("firma.se",)),
)
ERIK = Person("Erik Sandberg", "erik@firma.se")
MARIA = Person("Maria Holm", "maria@firma.se")
TEAM = Person("Team", "team@firma.se")
GATEWAY = Person("Mailfeed", "feed@firma.se")


def praise_mail(to: tuple[Person, ...], cc: tuple[Person, ...]) -> ParsedMail:
    body = "Stort tack till Maria som fick igång servern mitt i natten!"
    return ParsedMail(
        message_id="tack-1@firma.se",
        subject="Tack Maria",
        raw_subject="Tack Maria",
        sender=ERIK,
        date="2026-11-20T09:00:00+01:00",
        chain=(ChainMessage(author=ERIK, date="2026-11-20T09:00:00+01:00", body=body),),
        new_text=body,
        note=None,
        participants=tuple(p.email for p in (ERIK, *to, *cc) if p.email),
        to=to,
        cc=cc,
        language="sv",
        content_hash=hashlib.sha256(body.encode()).hexdigest(),
    )


def publish(db: Database, parsed: ParsedMail) -> int:
    with db.session() as session:
        mail = MailMessage(
            message_id=parsed.message_id or "",
            content_hash="x",
            raw_path="",
            action="publish",
            kind="praise",
        )
        session.add(mail)
        session.flush()
        thread, _ = publish_into(
            session, SITE, parsed, Decision("publish", "praise", "ok"), mail, None, "smtp"
        )
        assert thread is not None
        return thread.id


def test_praise_in_mail_praises_its_to_recipients(database: Database) -> None:
    thread_id = publish(database, praise_mail(to=(MARIA,), cc=(GATEWAY, TEAM)))
    with database.session() as session:
        rows = session.scalars(select(Praise).where(Praise.thread_id == thread_id)).all()
        assert [(r.recipient.email, r.giver.email if r.giver else None) for r in rows] == [
            ("maria@firma.se", "erik@firma.se")
        ]
        notice = session.scalar(select(Notification).where(Notification.kind == "praise"))
        assert notice is not None and notice.person_id == rows[0].recipient_id


def test_with_only_the_gateway_on_to_the_cc_line_is_praised(database: Database) -> None:
    thread_id = publish(database, praise_mail(to=(GATEWAY,), cc=(MARIA, TEAM)))
    with database.session() as session:
        praised = session.scalars(select(Praise).where(Praise.thread_id == thread_id)).all()
        assert sorted(r.recipient.email for r in praised) == ["maria@firma.se", "team@firma.se"]


def test_upgrade_turns_kudos_into_praise(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    db = Database(url)
    cfg = alembic_config(url)
    with db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0005")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO thread (id, subject, slug, kind, state, origin, language, created, "
                "last_activity, mail_messages, mail_people, hidden) VALUES "
                "(1, 'Tack!', 'tack', 'kudos', 'open', 'cc', 'sv', '2026-01-01', '2026-01-01', "
                "1, 1, 0), (2, 'Fråga', 'fraga', 'question', 'open', 'cc', 'sv', '2026-01-01', "
                "'2026-01-01', 1, 1, 0)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO post (id, thread_id, date, body, trimmed, source, kind, position, "
                "fingerprint, hidden, created) VALUES (1, 2, '2026-01-01', 'Bra jobbat', '', "
                "'web', 'kudos', 0, '', 0, '2026-01-01')"
            )
        )
    db.upgrade()
    with db.session() as session:
        assert dict(session.execute(select(Thread.id, Thread.kind)).all()) == {
            1: "praise",
            2: "question",
        }
        assert session.scalar(text("SELECT kind FROM post WHERE id = 1")) == "praise"
    db.dispose()
