"""The weekly digest: Ida gets her week on the feed by mail, through the real outbound
sender to a real SMTP relay, with a one-click unsubscribe that works without signing in;
Jonas opted out and gets nothing; a second run queues nothing twice."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

from click.testing import CliRunner
from flask.testing import FlaskClient
from gateway_support import relay_sink  # noqa: F401
from sqlalchemy import func, select
from stats_seed import NOW, address, seed_month
from web_support import app, client, web_db, web_settings  # noqa: F401

from mailfeed.cli import main
from mailfeed.gateway.outbound import OutboundSender
from mailfeed.publisher.db import Database
from mailfeed.publisher.digest import build_digest, queue_digests
from mailfeed.publisher.models import OutboundMail, Person, Thread
from mailfeed.settings import Settings, build_gateway_config, build_site


def test_digest_reaches_the_relay_with_one_click_unsubscribe(
    web_settings: Settings,
    web_db: Database,
    client: FlaskClient,  # noqa: F811
    relay_sink,
    data_dir: Path,
) -> None:  # noqa: F811
    site = build_site(web_settings)
    with web_db.session() as session:
        people = seed_month(session)
        people["Jonas"].digest_opt_out = True
        people["David"].language = "en"
        # David answered Berit before, so Berit's new open question waits for him.
        berit_open = session.scalar(select(Thread).where(Thread.subject == "Parkering"))
        assert berit_open is not None
        berit_open.created = NOW
    with web_db.session() as session:
        ida = session.scalar(select(Person).where(Person.email == address("Ida")))
        assert ida is not None and build_digest(session, ida, NOW).empty  # nothing for Ida
        queued = queue_digests(session, site, NOW)
        assert queue_digests(session, site, NOW) == 0  # idempotent per person and week
        recipients = set(
            session.scalars(select(OutboundMail.recipient).where(OutboundMail.purpose == "digest"))
        )
    assert address("Jonas") not in recipients
    assert queued == len(recipients) > 0

    relayed = web_settings.with_overrides(relay=f"127.0.0.1:{relay_sink.port}")
    sender = OutboundSender(build_gateway_config(relayed), web_db)
    sender.run_once()
    caught = relay_sink.wait_for(queued)
    assert len(caught) == queued
    mail = next(
        message_from_bytes(c.raw, policy=policy.default)
        for c in caught
        if address("David") in c.rcpts
    )
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Auto-Submitted"] == "auto-generated"
    unsubscribe = str(mail["List-Unsubscribe"]).strip("<>")
    assert unsubscribe.startswith("http://feed.test/digest/p")
    text = mail.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert "Questions waiting for someone like you:\n- Parkering" in text
    assert "http://feed.test/t/" in text and unsubscribe in text

    # One-click: a POST without cookie or CSRF token, as a mail client sends it (RFC 8058).
    path = unsubscribe[len("http://feed.test") :]
    assert client.get(path).status_code == 200
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert client.post(path[:-3] + "aaa").status_code == 404  # a forged token
    with web_db.session() as session:
        david = session.scalar(select(Person).where(Person.email == address("David")))
        assert david is not None and david.digest_opt_out
        session.execute(OutboundMail.__table__.delete().where(OutboundMail.purpose == "digest"))
        assert queue_digests(session, site, NOW) == queued - 1  # David is off now


def test_digest_holds_the_weeks_answers_and_praise(
    web_settings: Settings, web_db: Database
) -> None:  # noqa: F811
    with web_db.session() as session:
        seed_month(session)
        hanna = session.scalar(select(Person).where(Person.email == address("Hanna")))
        assert hanna is not None
        # The week up to day 17: Cecilia's praise (day 15) is in it; the answers are older.
        digest = build_digest(session, hanna, NOW.replace(day=19))
        assert [t.subject for t in digest.praise] == ["Tack!"] and digest.answered == []
        elin = session.scalar(select(Person).where(Person.email == address("Elin")))
        assert elin is not None
        early = build_digest(session, elin, NOW.replace(day=6))
        assert [t.subject for t in early.answered] == ["Projektorn", "Nyckeln"]


def test_mailfeed_digest_command_queues(web_settings: Settings, web_db: Database) -> None:  # noqa: F811
    with web_db.session() as session:
        seed_month(session)
    env = {
        "MAILFEED_DATA_DIR": str(web_settings.data_dir),
        "MAILFEED_DATABASE_URL": web_settings.db_url,
        "MAILFEED_SECRET_KEY": "x",
    }
    result = CliRunner().invoke(main, ["digest"], env=env)
    assert result.exit_code == 0, result.output
    with web_db.session() as session:
        count = session.scalar(
            select(func.count()).select_from(OutboundMail).where(OutboundMail.purpose == "digest")
        )
    assert result.output.strip() == f"{count} digests queued"


def test_the_running_service_sends_from_monday_morning() -> None:
    from datetime import datetime

    from mailfeed.publisher.digest import due

    assert not due(datetime(2026, 11, 30, 5, 59))  # Monday before six
    assert due(datetime(2026, 11, 30, 6, 0)) and due(datetime(2026, 12, 3, 1, 0))


def test_the_digest_lists_upcoming_events_one_is_invited_to(
    web_settings: Settings,
    web_db: Database,  # noqa: F811
) -> None:
    from datetime import timedelta

    from mailfeed.publisher.models import Event, Invitation

    with web_db.session() as session:
        people = seed_month(session)
        ida, jonas = people["Ida"], people["Jonas"]
        ida.language = "en"
        for subject, days, who, status in (
            ("Julfika", 3, ida, "accepted"),
            ("Långt bort", 30, ida, "needs-action"),  # too far ahead for this week
            ("Tackat nej", 2, ida, "declined"),
            ("Inte bjuden", 1, jonas, "accepted"),
        ):
            t = Thread(
                subject=subject,
                slug=subject.lower(),
                kind="event",
                origin="web",
                asker=people["Anna"],
                created=NOW,
                last_activity=NOW,
            )
            session.add(t)
            session.flush()
            session.add(
                Event(
                    thread_id=t.id,
                    starts=NOW + timedelta(days=days, hours=2),
                    ends=NOW + timedelta(days=days, hours=3),
                    uid=f"{subject}@x",
                )
            )
            session.add(Invitation(thread_id=t.id, person_id=who.id, status=status))
        session.flush()
        digest = build_digest(session, ida, NOW)
        assert [t.subject for t, _ in digest.events] == ["Julfika"]
        queue_digests(session, build_site(web_settings), NOW)
        row = session.scalar(
            select(OutboundMail).where(
                OutboundMail.purpose == "digest", OutboundMail.recipient == address("Ida")
            )
        )
        assert row is not None
        text = (
            message_from_bytes(row.raw, policy=policy.default)
            .get_body(preferencelist=("plain",))
            .get_content()
        )
    assert "Coming up, and you are invited:\n- Julfika (" in text.replace("\r\n", "\n")
    assert "Långt bort" not in text and "Tackat nej" not in text
