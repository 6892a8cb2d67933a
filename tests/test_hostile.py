"""Hostile mail through a real gateway: nothing freezes, stalls or speaks for another.

The corpus (tests/hostile.py) holds the mails of issue 15's fault pass.  They go to a
real `mailfeed serve` over SMTP; while the worker is busy with them, other clients must
still get `250` and pages must still answer, and afterwards every mail is published,
refused with a reason, or quarantined with a reason.  Nothing is lost.
"""

from __future__ import annotations

import json
import re
import signal
import smtplib
import sqlite3
import threading
import time
import urllib.request
from pathlib import Path

from tests.gateway_support import gateway_factory, relay_sink  # noqa: F401 - fixtures
from tests.hostile import GATEWAY, VERIFIER, corpus

GENEROUS = 60  # seconds a probe may wait: far beyond any answer, well below a freeze


def _send(port: int, mail_from: str, rcpts: tuple[str, ...], raw: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=GENEROUS) as smtp:
        smtp.sendmail(mail_from, list(rcpts), raw)


def _probe_mail(n: int) -> bytes:
    return (
        f"Authentication-Results: {VERIFIER}; dmarc=pass header.from=firma.se\r\n"
        f"From: Bo Ek <bo.ek@firma.se>\r\nTo: {GATEWAY}\r\nSubject: Probe {n}?\r\n"
        f"Message-ID: <probe-{n}@firma.se>\r\n"
        "Date: Tue, 24 Nov 2026 10:00:00 +0100\r\n\r\nVet någon om mötet flyttats?\r\n"
    ).encode()


def _quarantined(data_dir: Path) -> dict[str, str]:
    """Message-ID -> the reason, for every mail the worker quarantined."""
    found: dict[str, str] = {}
    for path in (data_dir / "spool" / "failed").glob("*.msg"):
        raw = path.read_bytes()
        marker = raw.find(b"Message-ID: <")
        message_id = raw[marker + 13 : raw.find(b">", marker)].decode() if marker >= 0 else ""
        found[message_id] = json.loads(path.with_suffix(".json").read_text())["error"]
    return found


def test_the_hostile_corpus_through_a_real_gateway(gateway_factory, relay_sink):  # noqa: F811
    gw = gateway_factory(
        {
            "MAILFEED_RELAY": f"127.0.0.1:{relay_sink.port}",
            "MAILFEED_TRUSTED_AUTHSERV_IDS": VERIFIER,
        }
    )
    mails = list(corpus())
    sending_done = threading.Event()
    errors: list[BaseException] = []

    def send_all() -> None:
        try:
            for hostile in mails:
                _send(gw.smtp_port, hostile.mail_from, hostile.rcpts, hostile.raw)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            sending_done.set()

    sender = threading.Thread(target=send_all)
    sender.start()
    # While the hostile mail is sent and processed, another client and a reader are served.
    probes = 0
    spool_new = gw.data_dir / "spool" / "new"
    while not sending_done.is_set() or any(spool_new.glob("*.msg")) or probes < 3:
        _send(gw.smtp_port, "bo.ek@firma.se", (GATEWAY,), _probe_mail(probes))
        with urllib.request.urlopen(gw.base_url + "/", timeout=GENEROUS) as page:
            assert page.status == 200
        probes += 1
        assert probes < 500, "the queue never drained:\n" + gw.log()
        time.sleep(0.2)
    sender.join()
    assert not errors, errors

    db = sqlite3.connect(gw.data_dir / "mailfeed.sqlite3")
    decided = {
        row[0]: (row[1], row[2])
        for row in db.execute("SELECT message_id, action, reason FROM mail_message")
    }
    quarantined = _quarantined(gw.data_dir)
    # Every mail: decided with a reason, or quarantined with one.  Nothing lost.
    for hostile in mails:
        message_id = hostile.raw.split(b"Message-ID: <", 1)[1].split(b">", 1)[0].decode()
        if message_id in decided:
            action, reason = decided[message_id]
            assert action in {"publish", "append", "reject", "ignore", "suggest"} and reason
        else:
            assert quarantined.get(message_id), f"{hostile.name} was lost:\n{gw.log()}"
    for n in range(probes):  # the probes behind the hostile mail all went through
        assert decided[f"probe-{n}@firma.se"][0] == "publish"

    # Item 2: a display name is never the sender, nor a recipient.
    action, reason = decided["display-name@evil.example"]
    assert action == "reject" and "display name looks like an address: from" in reason
    assert db.execute("SELECT count(*) FROM person WHERE email = 'vd@firma.se'").fetchone() == (0,)
    recipients = {r for (r,) in db.execute("SELECT recipient FROM outbound_mail")}
    assert "ceo@firma.se" not in recipients and "vd@firma.se" not in recipients
    # Item 11: the forged pass below the verifier's own verdict counts for nothing.
    assert decided["forged-ar@firma.se"][0] == "reject"
    assert "no notice" in decided["forged-ar@firma.se"][1]  # nor a notice to vd@firma.se
    # Item 7: the same words under two subjects are two threads, each with its link.
    threads = [
        db.execute(
            "SELECT thread_id FROM mail_message WHERE message_id = ?", (f"same-body-{n}@firma.se",)
        ).fetchone()[0]
        for n in (1, 2)
    ]
    assert None not in threads and threads[0] != threads[1]
    for thread_id in threads:
        assert db.execute(
            "SELECT count(*) FROM post WHERE thread_id = ?", (thread_id,)
        ).fetchone() == (1,)
        assert db.execute(
            "SELECT count(*) FROM outbound_mail WHERE purpose = 'link' AND thread_id = ?",
            (thread_id,),
        ).fetchone() == (1,)
    # Item 10: 5,000 colleagues in Cc: at most 100 link mails; the page tells the rest.
    (cc_thread,) = db.execute(
        "SELECT thread_id FROM mail_message WHERE message_id = 'many-cc@firma.se'"
    ).fetchone()
    links = db.execute(
        "SELECT count(*) FROM outbound_mail WHERE thread_id = ?", (cc_thread,)
    ).fetchone()[0]
    (unsent,) = db.execute("SELECT links_unsent FROM thread WHERE id = ?", (cc_thread,)).fetchone()
    assert links == 100 and links + unsent == 5001
    status, body, _ = gw.get(f"/t/{cc_thread}")
    assert status == 200 and f"{unsent} " in body.decode()
    # Item 3: the mail with 300,000 References went through (or out), the queue moved on.
    assert "many-refs@firma.se" in decided or "many-refs@firma.se" in quarantined

    # Item 1: SIGTERM in the middle of hostile mail ends the service, and loses nothing.
    for hostile in mails[:2]:
        _send(
            gw.smtp_port,
            hostile.mail_from,
            hostile.rcpts,
            re.sub(rb"Message-ID: <([^@>]+)@", rb"Message-ID: <\1.again@", hostile.raw),
        )
    assert gw.proc is not None
    gw.proc.send_signal(signal.SIGTERM)
    assert gw.proc.wait(timeout=GENEROUS) == 0
    left = len(list(spool_new.glob("*.msg")))
    done = db.execute(
        "SELECT count(*) FROM mail_message WHERE message_id LIKE '%.again@firma.se'"
    ).fetchone()[0]
    assert left + done + len(_quarantined(gw.data_dir)) - len(quarantined) == 2
