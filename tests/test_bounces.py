"""Bounces: each mail leaves with its own VERP return path, and DSNs to it count.

Story: Olle left the company, but colleagues still CC him.  Anna's question reaches the
gateway with Olle on CC; the link mail to him comes back from the company's MX as a
delivery status notification (RFC 3464) to that mail's own return path.  The gateway
marks that mail bounced with the MX's status and diagnostic.  A second question, a second
bounce; from then on, link mails to Olle are no longer sent, while everyone else's are.
A delay notice, a DSN sent twice, and a forged bounce address change nothing.
"""

from __future__ import annotations

import smtplib
import sqlite3
import time

from aiosmtpd.controller import Controller

from tests.conftest import free_port
from tests.gateway_support import Caught, GatewayProcess, gateway_factory, relay_sink  # noqa: F401

ANNA, OLLE = "anna.berg@firma.se", "olle.gammal@firma.se"


def question(n: int) -> bytes:
    return (
        f"From: Anna Berg <{ANNA}>\r\nTo: feed@firma.se\r\nCc: Olle <{OLLE}>\r\n"
        f"Subject: Fraga {n}: var ar nyckeln?\r\nMessage-ID: <q{n}.bounce@firma.se>\r\n"
        f"Date: Tue, 24 Nov 2026 09:0{n}:00 +0100\r\n\r\nVet nagon var nyckel {n} ar?\r\n"
    ).encode()


def dsn(return_path: str, n: int, *, action: str = "failed", status: str = "5.1.1") -> bytes:
    """What Postfix sends back: multipart/report with a message/delivery-status part."""
    return f"""From: MAILER-DAEMON@mx.firma.se (Mail Delivery System)\r
To: {return_path}\r
Subject: Undelivered Mail Returned to Sender\r
Message-ID: <dsn{n}.{action}@mx.firma.se>\r
Date: Tue, 24 Nov 2026 09:10:00 +0100\r
Auto-Submitted: auto-replied\r
MIME-Version: 1.0\r
Content-Type: multipart/report; report-type=delivery-status; boundary="dsnb"\r
\r
--dsnb\r
Content-Type: text/plain; charset=us-ascii\r
\r
I'm sorry to have to inform you that your message could not be delivered.\r
\r
--dsnb\r
Content-Type: message/delivery-status\r
\r
Reporting-MTA: dns; mx.firma.se\r
Arrival-Date: Tue, 24 Nov 2026 09:09:59 +0100\r
\r
Final-Recipient: rfc822; {OLLE}\r
Original-Recipient: rfc822;{OLLE}\r
Action: {action}\r
Status: {status}\r
Remote-MTA: dns; exchange.firma.se\r
Diagnostic-Code: smtp; 550 5.1.1 <{OLLE}>: Recipient address rejected: User unknown\r
\r
--dsnb\r
Content-Type: text/rfc822-headers\r
\r
From: Mailfeed <feed@firma.se>\r
Subject: Re: Fraga {n}\r
\r
--dsnb--\r
""".encode()


def send(gw: GatewayProcess, sender: str, rcpt: str, raw: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", gw.smtp_port, timeout=10) as c:
        c.sendmail(sender, [rcpt], raw)


def link_to(mails: list[Caught], address: str, n: int) -> Caught | None:
    return next(
        (
            m
            for m in mails
            if m.rcpts == [address] and m.message["In-Reply-To"] == f"<q{n}.bounce@firma.se>"
        ),
        None,
    )


def test_hard_bounces_mark_the_mail_and_stop_mail_to_a_dead_address(gateway_factory, relay_sink):
    gw = gateway_factory({"MAILFEED_RELAY": f"127.0.0.1:{relay_sink.port}"})
    db = sqlite3.connect(gw.data_dir / "mailfeed.sqlite3")

    def outbound(address: str, n: int) -> tuple[str, str]:
        return db.execute(
            "select o.state, o.last_error from outbound_mail o join thread t on o.thread_id = t.id"
            " where o.recipient = ? and t.subject like ?",
            (address, f"Fraga {n}:%"),
        ).fetchone()

    def bounces() -> int:
        return db.execute(
            "select coalesce(max(bounces), 0) from address_bounce where email = ?", (OLLE,)
        ).fetchone()[0]

    send(gw, ANNA, "feed@firma.se", question(1))
    first = gw.wait_until(lambda: link_to(relay_sink.mails, OLLE, 1), timeout=15)
    local, _, domain = first.mail_from.partition("@")
    assert domain == "firma.se" and local.startswith("feed+bounce-"), first.mail_from
    anna_link = gw.wait_until(lambda: link_to(relay_sink.mails, ANNA, 1))
    assert anna_link.mail_from != first.mail_from  # one return path per mail

    # A delay is no bounce; nor is a DSN to a return path with a forged signature.
    send(gw, "", first.mail_from, dsn(first.mail_from, 1, action="delayed", status="4.4.1"))
    forged = first.mail_from.replace("bounce-", "bounce-9")
    send(gw, "", forged, dsn(forged, 1).replace(b"<dsn1", b"<dsn1forged"))
    gw.wait_until(lambda: db.execute("select count(*) from mail_message").fetchone()[0] == 3)
    assert outbound(OLLE, 1)[0] == "sent" and bounces() == 0

    send(gw, "", first.mail_from, dsn(first.mail_from, 1))
    send(gw, "", first.mail_from, dsn(first.mail_from, 1).replace(b"<dsn1", b"<dsn1b"))  # twice
    gw.wait_until(lambda: outbound(OLLE, 1)[0] == "bounced")
    gw.wait_until(lambda: db.execute("select count(*) from mail_message").fetchone()[0] == 5)
    state, error = outbound(OLLE, 1)
    assert error.startswith("5.1.1 550 5.1.1") and "User unknown" in error
    assert bounces() == 1  # the same bounce reported twice counts once
    assert outbound(ANNA, 1)[0] == "sent"
    reasons = [
        r
        for (r,) in db.execute(
            "select reason from mail_message where action = 'ignore' order by id"
        )
    ]
    assert len(reasons) == 4 and "bounced (5.1.1)" in reasons[2]
    assert db.execute("select count(*) from thread").fetchone()[0] == 1  # DSNs are no posts
    assert (
        db.execute("select count(*) from person where email = ?", (OLLE,)).fetchone()[0] == 0
    )  # a bounce makes no person of an address

    send(gw, ANNA, "feed@firma.se", question(2))
    second = gw.wait_until(lambda: link_to(relay_sink.mails, OLLE, 2), timeout=15)
    send(gw, "", second.mail_from, dsn(second.mail_from, 2))
    gw.wait_until(lambda: bounces() == 2)

    send(gw, ANNA, "feed@firma.se", question(3))
    gw.wait_until(lambda: link_to(relay_sink.mails, ANNA, 3), timeout=15)
    gw.wait_until(lambda: outbound(OLLE, 3)[0] == "failed")
    assert outbound(OLLE, 3)[1].startswith("not sent: the address bounced")
    time.sleep(1.5)  # another sender round: still nothing for Olle
    assert link_to(relay_sink.mails, OLLE, 3) is None
    db.close()


class RefusingRelay:
    """A real relay that knows Olle is gone: RCPT answers 550 5.1.1 for him."""

    def __init__(self) -> None:
        self.rcpt_attempts: list[str] = []
        self.delivered: list[list[str]] = []

    async def handle_RCPT(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
        self.rcpt_attempts.append(address)
        if address == OLLE:
            return "550 5.1.1 <olle.gammal@firma.se>: Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.delivered.append(list(envelope.rcpt_tos))
        return "250 2.0.0 Ok"


def test_a_recipient_the_relay_refuses_for_good_is_not_retried(gateway_factory):
    handler = RefusingRelay()
    relay = Controller(handler, hostname="127.0.0.1", port=free_port())
    relay.start()
    try:
        gw = gateway_factory(
            {"MAILFEED_RELAY": f"127.0.0.1:{relay.port}", "MAILFEED_OUTBOUND_RETRY_BASE": "1"}
        )
        send(gw, ANNA, "feed@firma.se", question(1))
        db = sqlite3.connect(gw.data_dir / "mailfeed.sqlite3")
        row = gw.wait_until(
            lambda: db.execute(
                "select state, attempts, last_error from outbound_mail where recipient = ? and "
                "state != 'queued'",
                (OLLE,),
            ).fetchone()
        )
        gw.wait_until(lambda: handler.delivered == [[ANNA]])
        time.sleep(2.5)  # with a 1 s retry base, a retry would have come by now
        db.close()
    finally:
        relay.stop()
    assert row[0] == "failed" and row[1] == 1 and "550" in row[2]
    assert handler.rcpt_attempts.count(OLLE) == 1
