"""Faults with two instances on one PostgreSQL (issue 11).

* kill -9 of one instance while both take mail: nothing is lost, and the only link
  replies sent twice are the ones handed to the relay at the instant of a kill (at most
  one per killed sender: it writes each outcome before the next attempt).
* The database goes away (a TCP proxy in front of it is cut): SMTP keeps answering `250`,
  because `250` means the mail is fsync'd in this host's spool, not in the database; the
  worker keeps it there and drains it once the database is back, and the web's
  `/healthz` stays up.
"""

from __future__ import annotations

import signal
import smtplib
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from tests.gateway_support import GatewayProcess, gateway_factory, relay_sink  # noqa: F401
from tests.tcp_proxy import TcpProxy
from tests.test_scale_out import rows, settled, shared_pg  # noqa: F401 - fixture

MAILS, CLIENTS, KILLS = 300, 8, 2


def question(i: int) -> bytes:
    sender = f"person{i % 23}@firma.se"
    return (
        f"From: Person {i % 23} <{sender}>\r\nTo: feed@firma.se\r\n"
        f"Subject: Fraga nummer {i}?\r\nMessage-ID: <q{i}.kill@firma.se>\r\n"
        f"Date: Tue, 24 Nov 2026 09:{i % 60:02d}:00 +0100\r\n\r\n"
        f"Vet nagon svaret pa fraga {i}?\r\n"
    ).encode()


def send_all(gateways: list[GatewayProcess], indices: list[int], deadline: float) -> set[int]:
    """Eight clients, each mail to one instance (alternating), retried until a `250`
    like an MTA that tries the other MX."""
    todo, acked, lock = list(indices), set(), threading.Lock()

    def client(n: int) -> None:
        while time.monotonic() < deadline:
            with lock:
                if not todo:
                    return
                i = todo.pop()
            for attempt in range(1000):
                gw = gateways[(i + attempt + n) % len(gateways)]
                try:
                    with smtplib.SMTP("127.0.0.1", gw.smtp_port, timeout=10) as c:
                        c.sendmail(f"person{i % 23}@firma.se", ["feed@firma.se"], question(i))
                    with lock:
                        acked.add(i)
                    break
                except (smtplib.SMTPException, OSError):
                    time.sleep(0.05)
                if time.monotonic() > deadline:
                    return

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return acked


def test_kill_9_of_one_of_two_instances_loses_nothing(gateway_factory, relay_sink, shared_pg):
    env = {
        "MAILFEED_DATABASE_URL": shared_pg,
        "MAILFEED_RELAY": f"127.0.0.1:{relay_sink.port}",
        "MAILFEED_RATE_LIMIT": "0",
    }
    a, b = gateway_factory(env), gateway_factory(env)
    deadline = time.monotonic() + 180
    result: dict[str, set[int]] = {}
    sender = threading.Thread(
        target=lambda: result.setdefault("acked", send_all([a, b], list(range(MAILS)), deadline))
    )
    sender.start()
    for _ in range(KILLS):
        time.sleep(1.5)
        a.stop(signal.SIGKILL)  # mid-stream: mail in its spool, leases in the database
        time.sleep(0.5)
        a.start()
    sender.join()
    assert result["acked"] == set(range(MAILS))

    a.wait_until(lambda: settled(shared_pg, (a, b)), timeout=120)
    ids = [r[0] for r in rows(shared_pg, "SELECT message_id FROM mail_message")]
    assert sorted(ids) == sorted(f"q{i}.kill@firma.se" for i in range(MAILS))
    assert rows(shared_pg, "SELECT count(*) FROM thread")[0][0] == MAILS
    assert rows(shared_pg, "SELECT count(*) FROM outbound_mail WHERE state = 'sent'")[0][0] == MAILS
    replies = Counter(m.message["In-Reply-To"] for m in relay_sink.wait_for(MAILS, timeout=30))
    assert set(replies) == {f"<q{i}.kill@firma.se>" for i in range(MAILS)}
    repeats = sum(n - 1 for n in replies.values())
    assert repeats <= KILLS, f"{repeats} link replies sent twice"


def test_database_away_mail_is_spooled_and_drained_later(
    gateway_factory, relay_sink, shared_pg, tmp_path: Path
):
    url = urlsplit(shared_pg)
    proxy = TcpProxy(url.hostname or "127.0.0.1", url.port or 5432)
    try:
        proxied = shared_pg.replace(f"{url.hostname}:{url.port}", f"127.0.0.1:{proxy.port}")
        gw = gateway_factory(
            {"MAILFEED_DATABASE_URL": proxied, "MAILFEED_RELAY": f"127.0.0.1:{relay_sink.port}"}
        )
        with smtplib.SMTP("127.0.0.1", gw.smtp_port, timeout=30) as c:
            c.sendmail("person1@firma.se", ["feed@firma.se"], question(1))
        gw.wait_until(lambda: rows(shared_pg, "SELECT count(*) FROM thread")[0][0] == 1)

        proxy.cut()
        answers = []
        for i in range(2, 7):
            with smtplib.SMTP("127.0.0.1", gw.smtp_port, timeout=30) as c:
                c.ehlo()
                c.mail(f"person{i}@firma.se")
                c.rcpt("feed@firma.se")
                answers.append(c.data(question(i))[0])
        assert answers == [250] * 5  # fsync'd in the spool: safe to acknowledge
        status, body, _ = gw.get("/healthz")
        assert (status, body) == (200, b"ok")
        time.sleep(2)  # the worker tries, fails, keeps the mail
        assert len(list((gw.data_dir / "spool" / "new").glob("*.msg"))) == 5
        assert not list((gw.data_dir / "spool" / "failed").glob("*.msg"))  # transient

        proxy.restore()
        gw.wait_until(lambda: rows(shared_pg, "SELECT count(*) FROM thread")[0][0] == 6, timeout=60)
        caught = relay_sink.wait_for(6, timeout=60)
        assert sorted(m.message["In-Reply-To"] for m in caught) == sorted(
            f"<q{i}.kill@firma.se>" for i in range(1, 7)
        )
    finally:
        proxy.cut()
