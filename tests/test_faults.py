"""Never lose a mail, never answer twice: `mailfeed serve` killed with SIGKILL mid-stream.

Eight clients send 1,000 questions while the gateway is killed at random moments and
restarted on the same data.  Like a real MTA, a client that got no `250` sends the mail
again later.  Afterwards every mail is on the feed exactly once and got its link reply;
the only repeats allowed are replies handed to the relay at the instant of a kill.
"""

from __future__ import annotations

import random
import signal
import smtplib
import sqlite3
import threading
import time
from collections import Counter

from tests.gateway_support import gateway_factory, relay_sink  # noqa: F401 - fixtures

CLIENTS, MAILS, KILLS = 8, 1000, 3


def question(i: int) -> tuple[str, bytes]:
    sender = f"person{i % 37}@firma.se"
    message_id = f"q{i}.fault@firma.se"
    raw = (
        f"From: Person {i % 37} <{sender}>\r\nTo: feed@firma.se\r\n"
        f"Subject: Fraga nummer {i}?\r\nMessage-ID: <{message_id}>\r\n"
        f"Date: Tue, 24 Nov 2026 09:{i % 60:02d}:00 +0100\r\n\r\n"
        f"Vet nagon svaret pa fraga {i}?\r\n"
    ).encode()
    return sender, raw


def test_kill_9_while_eight_clients_send_loses_nothing_and_answers_once(
    gateway_factory, relay_sink
):
    gw = gateway_factory({"MAILFEED_RELAY": f"127.0.0.1:{relay_sink.port}"})
    rng = random.Random(1234)
    todo = list(range(MAILS))
    lock = threading.Lock()
    acked: set[int] = set()
    deadline = time.monotonic() + 240

    def client() -> None:
        conn: smtplib.SMTP | None = None
        while time.monotonic() < deadline:
            with lock:
                if not todo:
                    break
                i = todo.pop()
            sender, raw = question(i)
            while time.monotonic() < deadline:
                try:
                    if conn is None:
                        conn = smtplib.SMTP("127.0.0.1", gw.smtp_port, timeout=10)
                    conn.sendmail(sender, ["feed@firma.se"], raw)
                    with lock:
                        acked.add(i)
                    break
                except (smtplib.SMTPException, OSError):
                    conn = None  # no 250: like an MTA, try again later
                    time.sleep(0.1)
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                pass

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for _ in range(KILLS):
        time.sleep(rng.uniform(0.5, 2.5))
        gw.stop(signal.SIGKILL)
        gw.start()
    for t in threads:
        t.join()
    assert len(acked) == MAILS, f"only {len(acked)} mails acknowledged"

    # Everything acknowledged is processed and answered, then nothing more happens.
    db = sqlite3.connect(gw.data_dir / "mailfeed.sqlite3")

    def settled() -> bool:
        mails = db.execute("select count(*) from mail_message").fetchone()[0]
        queued = db.execute("select count(*) from outbound_mail where state != 'sent'").fetchone()[
            0
        ]
        return mails == MAILS and queued == 0

    gw.wait_until(settled, timeout=120)

    ids = [r[0] for r in db.execute("select message_id from mail_message")]
    assert sorted(ids) == sorted(f"q{i}.fault@firma.se" for i in range(MAILS))
    assert db.execute("select count(*) from thread").fetchone()[0] == MAILS
    assert db.execute("select count(*) from post").fetchone()[0] == MAILS
    assert db.execute("select count(*) from outbound_mail").fetchone()[0] == MAILS

    replies = Counter(m.message["In-Reply-To"] for m in relay_sink.wait_for(MAILS, timeout=30))
    assert set(replies) == {f"<q{i}.fault@firma.se>" for i in range(MAILS)}
    repeats = sum(n - 1 for n in replies.values())
    assert repeats <= KILLS, f"{repeats} link replies sent twice"
    db.close()


CHAIN_TEMPLATE = (
    "From: Anna Berg <anna.berg@firma.se>\r\nTo: Johan Lind <johan.lind@firma.se>\r\n"
    "Cc: {cc}\r\nSubject: {subject}\r\nMessage-ID: <{mid}>\r\n"
    "Date: Tue, 24 Nov 2026 09:00:00 +0100\r\n\r\nVet nagon {subject}?\r\n"
)


def simple(subject: str, mid: str, cc: str = "feed@firma.se") -> bytes:
    return CHAIN_TEMPLATE.format(cc=cc, subject=subject, mid=mid).encode()


def test_a_locked_database_delays_but_loses_nothing(gateway_factory):
    gw = gateway_factory()
    db_path = gw.data_dir / "mailfeed.sqlite3"
    gw.wait_until(db_path.exists)
    lock = sqlite3.connect(db_path, timeout=1, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")  # another process holds the database
    try:
        with smtplib.SMTP("127.0.0.1", gw.smtp_port, timeout=10) as c:
            assert (
                c.sendmail(
                    "anna.berg@firma.se",
                    ["feed@firma.se"],
                    simple("var ar nyckeln", "locked.1@firma.se"),
                )
                == {}
            )
        time.sleep(2)
        assert len(list((gw.data_dir / "spool" / "new").glob("*.msg"))) == 1  # kept, waiting
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    threads = gw.wait_until(lambda: gw.api("/api/threads")["threads"], timeout=60)
    assert [t["subject"] for t in threads] == ["var ar nyckeln"]


def test_relay_down_then_up_delivers_every_reply_once(gateway_factory, relay_sink):
    port = relay_sink.port
    relay_sink.controller.stop()  # the relay is down when the replies are due
    gw = gateway_factory(
        {"MAILFEED_RELAY": f"127.0.0.1:{port}", "MAILFEED_OUTBOUND_RETRY_BASE": "1"}
    )
    with smtplib.SMTP("127.0.0.1", gw.smtp_port, timeout=10) as c:
        for i in range(3):
            c.sendmail(
                "anna.berg@firma.se", ["feed@firma.se"], simple(f"fraga {i}", f"down.{i}@firma.se")
            )
    db = sqlite3.connect(gw.data_dir / "mailfeed.sqlite3")
    gw.wait_until(
        lambda: (
            db.execute(
                "select count(*) from outbound_mail where attempts >= 2 and state = 'queued'"
            ).fetchone()[0]
            == 6
        ),
        timeout=30,
    )  # tried, failed, backing off
    relay_sink.restart()
    gw.wait_until(
        lambda: (
            db.execute("select count(*) from outbound_mail where state = 'sent'").fetchone()[0] == 6
        ),
        timeout=30,
    )
    db.close()
    mails = relay_sink.wait_for(6)
    time.sleep(1.5)
    assert len(relay_sink.mails) == 6
    assert (
        sorted(r for m in mails for r in m.rcpts)
        == ["anna.berg@firma.se"] * 3 + ["johan.lind@firma.se"] * 3
    )


def test_two_gateways_addressed_at_each_other_stop_after_one_exchange(gateway_factory):
    """Gateway A relays through B and B through A; a thread CCs both gateways."""
    a = gateway_factory(
        {
            "MAILFEED_GATEWAY_ADDRESSES": "feed@firma.se",
            "MAILFEED_ALLOWED_DOMAINS": "firma.se,dotter.se",
        }
    )
    b = gateway_factory(
        {
            "MAILFEED_GATEWAY_ADDRESSES": "feed@dotter.se",
            "MAILFEED_ALLOWED_DOMAINS": "firma.se,dotter.se",
            "MAILFEED_RELAY": f"127.0.0.1:{a.smtp_port}",
        }
    )
    a.stop()
    a.env["MAILFEED_RELAY"] = f"127.0.0.1:{b.smtp_port}"
    a.start()
    raw = simple("vem bokar julbordet", "loop.1@firma.se", cc="feed@firma.se, feed@dotter.se")
    with smtplib.SMTP("127.0.0.1", a.smtp_port, timeout=10) as c:
        c.sendmail("anna.berg@firma.se", ["feed@firma.se"], raw)
    with smtplib.SMTP("127.0.0.1", b.smtp_port, timeout=10) as c:
        c.sendmail("anna.berg@firma.se", ["feed@dotter.se"], raw)

    def mails(gw) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
        db = sqlite3.connect(gw.data_dir / "mailfeed.sqlite3")
        try:
            return db.execute("select message_id, action from mail_message order by id").fetchall()
        finally:
            db.close()

    # Each gets the thread, and the other's one automatic link mail, which it ignores.
    a.wait_until(lambda: len(mails(a)) == 2 and len(mails(b)) == 2, timeout=30)
    time.sleep(3)  # would a loop go on, more mail would arrive now
    for gw in (a, b):
        rows = mails(gw)
        assert [action for _, action in rows] == ["publish", "ignore"], rows
        assert len(gw.api("/api/threads")["threads"]) == 1
