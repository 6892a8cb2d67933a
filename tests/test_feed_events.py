"""Events with real calendar invitations, through the real outbound path and SMTP intake.

Story: Anna invites Johan and Bo to the Christmas lunch.  The gateway (in this process,
with its SMTP listener, worker and sender) mails each an iMIP REQUEST to a real relay
sink; we read the calendar part with icalendar, as a client would.  Johan's calendar
answers ACCEPTED to the gateway by SMTP and the page shows him going; a REPLY for an
unknown UID, or from someone not invited, changes nothing.  Anna moves the lunch (a new
REQUEST with SEQUENCE 1) and then cancels it (CANCEL, SEQUENCE 2).
"""

from __future__ import annotations

import smtplib
import time
from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from conftest import free_port
from icalendar import Calendar
from sqlalchemy import select

from mailfeed.publisher import events, people, starting
from mailfeed.publisher.models import Event, Invitation, MailMessage, Person
from mailfeed.serve import Gateway
from mailfeed.settings import Settings, build_site
from tests.gateway_support import Caught, RelaySink, relay_sink  # noqa: F401 - fixture

ANNA, JOHAN, BO = "anna@firma.se", "johan@firma.se", "bo@firma.se"


@pytest.fixture
def gateway(tmp_path: Path, relay_sink: RelaySink) -> Iterator[Gateway]:  # noqa: F811
    settings = Settings(
        data_dir=tmp_path / "data",
        secret_key="k",
        gateway_addresses=("feed@firma.se",),
        smtp_listen=f"127.0.0.1:{free_port()}",
        web_listen=f"127.0.0.1:{free_port()}",
        relay=f"127.0.0.1:{relay_sink.port}",
        default_language="en",
    )
    gw = Gateway(settings)
    gw.start()
    yield gw
    gw.stop()


def wait(check, timeout: float = 10):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def calendar_of(mail: Caught) -> Calendar:
    message = mail.message
    assert message.get_content_type() == "multipart/alternative"
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") in {"REQUEST", "CANCEL"}
    return Calendar.from_ical(part.get_payload(decode=True))


def start_event(gw: Gateway) -> int:
    with gw.db.session() as session:
        anna = people.get_or_create(session, ANNA, "Anna Berg")
        people.get_or_create(session, JOHAN, "Johan Ek")
        thread = starting.start(
            session,
            build_site(gw.settings),
            anna,
            starting.Draft(
                kind="event",
                subject="Jullunch",
                body="Vi äter på Tre Bröder.",
                invite=(JOHAN, BO),
                event=events.EventTimes(
                    datetime(2026, 12, 18, 11, 30),
                    datetime(2026, 12, 18, 13, 0),
                    "Tre Bröder, Storgatan 1",
                ),
            ),
        )
        thread_id = thread.id
    gw.sender.wake.set()
    return thread_id


def reply_mail(sender: str, uid: str, attendee: str, partstat: str, mid: str) -> bytes:
    ics = (
        "BEGIN:VCALENDAR\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\n"
        "VERSION:2.0\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
        f"ATTENDEE;PARTSTAT={partstat};CN=Someone:mailto:{attendee}\r\n"
        f"UID:{uid}\r\nSEQUENCE:0\r\nDTSTAMP:20261201T100000Z\r\n"
        "ORGANIZER:mailto:feed@firma.se\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    message = EmailMessage()
    message["From"], message["To"] = sender, "feed@firma.se"
    message["Subject"], message["Message-ID"] = "Accepted: Jullunch", f"<{mid}@firma.se>"
    message.set_content("Accepted")
    message.add_alternative(ics, subtype="calendar", params={"method": "REPLY"})
    return message.as_bytes()


def send(gw: Gateway, sender: str, raw: bytes) -> None:
    host, _, port = gw.settings.smtp_listen.rpartition(":")
    with smtplib.SMTP(host, int(port), timeout=10) as client:
        client.sendmail(sender, ["feed@firma.se"], raw)


def status_of(gw: Gateway, address: str) -> str | None:
    with gw.db.session() as session:
        return session.scalar(
            select(Invitation.status)
            .join(Person, Person.id == Invitation.person_id)
            .where(Person.email == address)
        )


def test_invitation_reply_update_and_cancel(gateway: Gateway, relay_sink: RelaySink) -> None:  # noqa: F811
    thread_id = start_event(gateway)
    mails = relay_sink.wait_for(2)
    assert sorted(m.rcpts[0] for m in mails) == [BO, JOHAN]
    cal = calendar_of(mails[0])
    assert str(cal["method"]) == "REQUEST"
    [vevent] = cal.walk("VEVENT")
    assert str(vevent["summary"]) == "Jullunch"
    assert str(vevent["location"]) == "Tre Bröder, Storgatan 1"
    assert int(vevent["sequence"]) == 0
    assert vevent.decoded("dtstart").isoformat() == "2026-12-18T11:30:00+00:00"
    assert vevent.decoded("dtend").isoformat() == "2026-12-18T13:00:00+00:00"
    assert "dtstamp" in vevent
    assert str(vevent["organizer"]) == "mailto:feed@firma.se"
    attendees = {str(a): a.params for a in vevent["attendee"]}
    assert set(attendees) == {f"mailto:{JOHAN}", f"mailto:{BO}"}
    for params in attendees.values():
        assert (params["ROLE"], params["PARTSTAT"], params["RSVP"]) == (
            "REQ-PARTICIPANT",
            "NEEDS-ACTION",
            "TRUE",
        )
    assert attendees[f"mailto:{JOHAN}"]["CN"] == "Johan Ek"
    uid = str(vevent["uid"])

    # Johan's calendar accepts, by mail to the gateway.
    send(gateway, JOHAN, reply_mail(JOHAN, uid, JOHAN, "ACCEPTED", "r1"))
    wait(lambda: status_of(gateway, JOHAN) == "accepted")
    # An unknown UID, and someone who was not invited: refused, nothing changes.
    send(gateway, "eva@firma.se", reply_mail("eva@firma.se", uid, "eva@firma.se", "ACCEPTED", "r2"))
    send(gateway, BO, reply_mail(BO, "no-such-uid@x", BO, "DECLINED", "r3"))
    # Bo's address answering for Johan (a forwarded invitation): refused as well.
    send(gateway, BO, reply_mail(BO, uid, JOHAN, "DECLINED", "r4"))
    reasons = wait(lambda: _reasons(gateway, ["r2@firma.se", "r3@firma.se", "r4@firma.se"]))
    assert reasons == [
        "calendar reply refused: the attendee was not invited",
        "calendar reply refused: unknown event UID",
        "calendar reply refused: the attendee is not the mail's sender",
    ]
    assert status_of(gateway, JOHAN) == "accepted" and status_of(gateway, BO) == "needs-action"

    # Anna moves the lunch: everyone gets a new REQUEST with a higher SEQUENCE.
    with gateway.db.session() as session:
        event = session.scalar(select(Event).where(Event.thread_id == thread_id))
        assert event is not None
        events.update(
            session,
            build_site(gateway.settings),
            event,
            events.EventTimes(
                datetime(2026, 12, 18, 12, 0), datetime(2026, 12, 18, 13, 30), "Matsalen"
            ),
        )
    gateway.sender.wake.set()
    mails = relay_sink.wait_for(4)
    [update] = calendar_of(mails[2]).walk("VEVENT")
    assert int(update["sequence"]) == 1 and str(update["location"]) == "Matsalen"
    assert str(calendar_of(mails[2])["method"]) == "REQUEST"
    with gateway.db.session() as session:
        event = session.scalar(select(Event).where(Event.thread_id == thread_id))
        assert event is not None
        events.cancel(session, build_site(gateway.settings), event)
    gateway.sender.wake.set()
    mails = relay_sink.wait_for(6)
    cancel = calendar_of(mails[4])
    assert str(cancel["method"]) == "CANCEL"
    [vevent] = cancel.walk("VEVENT")
    assert int(vevent["sequence"]) == 2 and str(vevent["status"]) == "CANCELLED"
    assert len(relay_sink.mails) == 6


def _reasons(gw: Gateway, ids: list[str]) -> list[str] | None:
    with gw.db.session() as session:
        rows = {
            m.message_id: m.reason
            for m in session.scalars(select(MailMessage).where(MailMessage.message_id.in_(ids)))
        }
    return [rows[i] for i in ids] if len(rows) == len(ids) else None


def test_a_reply_without_authentication_is_refused_where_a_verifier_vouches(
    tmp_path: Path,
) -> None:
    from mailfeed.parsers.mail import parse_mail
    from mailfeed.parsers.policy import PolicyContext
    from mailfeed.publisher.db import Database
    from mailfeed.publisher.publish import Envelope
    from mailfeed.publisher.site import Site

    site = Site(
        base_url="https://feed.firma.se",
        gateway_address="feed@firma.se",
        policy=PolicyContext(
            gateway_addresses=("feed@firma.se",),
            allowed_domains=("firma.se",),
            trusted_authserv_ids=("mx.firma.se",),
        ),
    )
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    db.upgrade()
    with db.session() as session:
        anna = people.get_or_create(session, ANNA)
        thread = starting.start(
            session,
            site,
            anna,
            starting.Draft(
                kind="event",
                subject="Fika",
                body="Fika!",
                invite=(JOHAN,),
                event=events.EventTimes(datetime(2026, 12, 1, 14), datetime(2026, 12, 1, 15), ""),
            ),
        )
        uid = events.for_thread(session, thread.id).uid  # type: ignore[union-attr]
    forged = reply_mail(JOHAN, uid, JOHAN, "DECLINED", "forged")
    verified = (
        b"Authentication-Results: mx.firma.se; dmarc=pass header.from=firma.se\r\n"
        + reply_mail(JOHAN, uid, JOHAN, "ACCEPTED", "real")
    )
    with db.session() as session:
        outcome = events.process_reply(session, site, parse_mail(forged), Envelope())
        assert outcome is not None and "not authenticated" in outcome.decision.reason
    assert _status(db, JOHAN) == "needs-action"
    with db.session() as session:
        outcome = events.process_reply(session, site, parse_mail(verified), Envelope())
        assert outcome is not None
        assert outcome.decision.reason.startswith("calendar reply: accepted")
    assert _status(db, JOHAN) == "accepted"
    db.dispose()


def _status(db, address: str) -> str | None:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return session.scalar(
            select(Invitation.status)
            .join(Person, Person.id == Invitation.person_id)
            .where(Person.email == address)
        )


def test_calendar_parts_are_found_however_the_type_is_written() -> None:
    ics = b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n"
    head = b"From: bo@firma.se\r\nSubject: x\r\nMIME-Version: 1.0\r\n"

    def mail(ctype: bytes) -> bytes:
        return (
            head + b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
            b"Content-Type: text/plain\r\n\r\nhej\r\n--b\r\n"
            b"Content-Type: " + ctype + b"\r\n\r\n" + ics + b"\r\n--b--\r\n"
        )

    from mailfeed.parsers.mail import parse_mail

    def parts(raw: bytes) -> list[bytes]:
        return events.calendar_parts(parse_mail(raw))

    assert parts(mail(b"TEXT/Calendar; method=REPLY")) == [ics]
    assert parts(mail(b"application/ics")) == [ics]
    assert parts(mail(b"application/octet-stream")) == []
    assert parts(head + b"Content-Type: text/plain\r\n\r\ntopics\r\n") == []
    # A calendar reply inside a forwarded mail is that mail's, not the sender's answer.
    forwarded = (
        head + b'Content-Type: multipart/mixed; boundary="o"\r\n\r\n--o\r\n'
        b"Content-Type: text/plain\r\n\r\nFYI\r\n--o\r\nContent-Type: message/rfc822\r\n\r\n"
        + mail(b"text/calendar; method=REPLY")
        + b"\r\n--o--\r\n"
    )
    assert parts(forwarded) == []
