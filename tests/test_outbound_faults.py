"""Outbound mail against a relay that hangs, and mail that failed for good sent again.

A relay that accepts the connection and never says a word must cost one timeout per
round, not one per mail; when it answers again everything goes.  Mail failed after all
its attempts can be queued again from the CLI (`mailfeed outbound retry ID|--all`) and
from the admin page.
"""

# ruff: noqa: F811 - pytest fixtures imported from web_support arrive as parameters
from __future__ import annotations

import html
import socket
import threading
from email.message import EmailMessage
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select
from web_support import MODERATOR, csrf_from, make_settings, sign_in

from mailfeed.cli import main
from mailfeed.gateway.outbound import OutboundSender
from mailfeed.publisher import outbox
from mailfeed.publisher.db import Database
from mailfeed.publisher.models import OutboundMail
from mailfeed.settings import build_gateway_config, build_web_config
from mailfeed.web import create_app
from tests.gateway_support import RelaySink

GENEROUS = 60


def queue(db: Database, count: int) -> list[int]:
    ids = []
    with db.session() as session:
        for n in range(count):
            msg = EmailMessage()
            msg["From"], msg["To"], msg["Subject"] = "feed@firma.se", f"p{n}@firma.se", "Länk"
            msg["Message-ID"] = f"<out{n}@firma.se>"
            msg.set_content("Tråden finns här.")
            ids.append(
                outbox.enqueue(
                    session,
                    key=f"test:{n}",
                    purpose="link",
                    recipient=f"p{n}@firma.se",
                    message=msg,
                ).id
            )
    return ids


def rows(db: Database) -> list[tuple[str, int, str]]:
    with db.session() as session:
        return [
            (r.state, r.attempts, r.last_error)
            for r in session.scalars(select(OutboundMail).order_by(OutboundMail.id))
        ]


def test_a_relay_that_never_answers_costs_one_timeout_then_all_goes(data_dir: Path) -> None:
    sink = RelaySink()  # not started yet: its port first belongs to a relay that hangs
    port = sink.port
    silent = socket.socket()
    silent.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    silent.bind(("127.0.0.1", port))
    silent.listen(16)  # the kernel completes the handshake; nobody ever speaks
    settings = make_settings(
        data_dir, relay=f"127.0.0.1:{port}", relay_timeout=1, outbound_retry_base=0
    )
    db = Database(settings.db_url)
    db.upgrade()
    queue(db, 3)
    sender = OutboundSender(build_gateway_config(settings), db)
    round_ = threading.Thread(target=sender.run_once)
    round_.start()
    round_.join(timeout=GENEROUS)
    assert not round_.is_alive(), "a silent relay blocked the sender"
    first, *rest = rows(db)
    assert first[:2] == ("queued", 1) and "timed out" in first[2]
    assert rest == [("queued", 0, ""), ("queued", 0, "")]  # not tried against a dead relay

    silent.close()
    sink.controller.start()
    try:
        assert sender.run_once() == 3
        assert sorted(m.rcpts[0] for m in sink.wait_for(3)) == [f"p{n}@firma.se" for n in range(3)]
    finally:
        sink.controller.stop()
    assert [r[0] for r in rows(db)] == ["sent"] * 3
    db.dispose()


def fail_all(db: Database) -> None:
    with db.session() as session:
        for row in session.scalars(select(OutboundMail)):
            row.state, row.attempts, row.last_error = "failed", 12, "TimeoutError: timed out"


def test_failed_mail_is_queued_again_from_the_cli(data_dir: Path) -> None:
    settings = make_settings(data_dir)
    db = Database(settings.db_url)
    db.upgrade()
    first, *_ = queue(db, 3)
    fail_all(db)
    env = {"MAILFEED_DATA_DIR": str(data_dir), "MAILFEED_SECRET_KEY": "x"}
    runner = CliRunner()
    one = runner.invoke(main, ["outbound", "retry", str(first)], env=env)
    assert one.exit_code == 0, one.output
    assert [r[:2] for r in rows(db)] == [("queued", 0), ("failed", 12), ("failed", 12)]
    missing = runner.invoke(main, ["outbound", "retry", "999"], env=env)
    assert missing.exit_code != 0 and "no failed outbound mail 999" in missing.output
    every = runner.invoke(main, ["outbound", "retry", "--all"], env=env)
    assert every.exit_code == 0 and "2 mails queued again" in every.output
    assert [r[:2] for r in rows(db)] == [("queued", 0)] * 3
    # Nothing left to do is success too, for outbound and for the spool.
    assert runner.invoke(main, ["outbound", "retry", "--all"], env=env).exit_code == 0
    nothing = runner.invoke(main, ["spool", "retry", "--all"], env=env)
    assert nothing.exit_code == 0 and "nothing is quarantined" in nothing.output
    db.dispose()


def test_a_moderator_sends_failed_mail_again_from_the_admin_page(data_dir: Path) -> None:
    settings = make_settings(data_dir)
    db = Database(settings.db_url)
    db.upgrade()
    first, second = queue(db, 2)
    fail_all(db)
    client = create_app(build_web_config(settings), db).test_client()
    sign_in(client, db, MODERATOR)
    page = html.unescape(client.get("/admin").get_data(as_text=True))
    assert f'action="/admin/outbound/{first}/retry"' in page
    answer = client.post(f"/admin/outbound/{first}/retry", data={"csrf_token": csrf_from(page)})
    assert answer.status_code == 302
    states = {r.id: r.state for r in db.sessions().scalars(select(OutboundMail))}
    assert states[first] == "queued" and states[second] == "failed"
    # Not failed (any more): nothing to send again.
    again = client.post(f"/admin/outbound/{first}/retry", data={"csrf_token": csrf_from(page)})
    assert again.status_code == 404
    db.dispose()


class Counting:
    """A relay that notes the client port of each session it takes mail in, and refuses
    one recipient (RFC 5321 §4.2.2: 550 for that RCPT, the session goes on)."""

    def __init__(self) -> None:
        self.peers: list[object] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("p2@"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.peers.append(session.peer)
        return "250 OK"


def test_a_round_sends_its_mails_over_one_relay_session(data_dir: Path) -> None:
    """Not a connection, greeting and TLS handshake per mail; a refused recipient costs a
    fresh session for the mails after it, nothing more."""
    from aiosmtpd.controller import Controller

    from tests.conftest import free_port

    handler = Counting()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = make_settings(data_dir, relay=f"127.0.0.1:{port}")
        db = Database(settings.db_url)
        db.upgrade()
        queue(db, 6)
        sender = OutboundSender(build_gateway_config(settings), db)
        assert sender.run_once() == 5
        assert len(handler.peers) == 5
        assert len(set(handler.peers)) == 2  # p0, p1 in one session; p3..p5 in the next
        states = rows(db)
        assert [r[0] for r in states] == ["sent", "sent", "failed", "sent", "sent", "sent"]
        db.dispose()
    finally:
        controller.stop()
