"""Monitoring: Prometheus scrapes /metrics without signing in, and only from where it may.

Story: the operator's Prometheus on the gateway host scrapes /metrics; two mails wait in
the spool, one is quarantined, the relay has taken one reply and one is still queued.
The numbers on the page are those, in the text format Prometheus reads (0.0.4).  A
browser from another address gets 403; with a token set, only the bearer of it gets in.
"""

# ruff: noqa: F811 - pytest fixtures imported from web_support arrive as parameters
from __future__ import annotations

import re
import smtplib
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from web_support import add_thread, make_settings

from mailfeed.gateway.spool import Spool
from mailfeed.publisher import claims
from mailfeed.publisher.db import Database
from mailfeed.publisher.models import MailMessage, OutboundMail, utcnow
from mailfeed.settings import Settings, build_web_config
from mailfeed.web import create_app
from mailfeed.web.metrics import spool_metrics
from tests.gateway_support import gateway_factory, relay_sink  # noqa: F401 - fixtures

SAMPLE = re.compile(r"^([a-z_]+)(?:\{([^}]*)\})? (\S+)$")


def scrape_text(text: str) -> dict[tuple[str, str], float]:
    """Parse the exposition format strictly: every sample's family has HELP and TYPE first."""
    described: dict[str, set[str]] = {}
    samples: dict[tuple[str, str], float] = {}
    for line in text.splitlines():
        if line.startswith("# "):
            kind, name, _rest = line[2:].split(" ", 2)
            described.setdefault(name, set()).add(kind)
            continue
        match = SAMPLE.match(line)
        assert match, f"not a sample line: {line!r}"
        name, labels, value = match.groups()
        assert described.get(name) == {"HELP", "TYPE"}, f"{name} lacks HELP/TYPE"
        samples[(name, labels or "")] = float(value)
    return samples


@pytest.fixture
def ops(data_dir: Path) -> tuple[Settings, Database, Spool]:
    settings = make_settings(data_dir)
    db = Database(settings.db_url)
    db.upgrade()
    return settings, db, Spool(data_dir / "spool")


def client_for(
    settings: Settings, db: Database, spool: Spool, remote: str = "127.0.0.1"
) -> FlaskClient:
    client = create_app(build_web_config(settings), db, spool=spool).test_client()
    client.environ_base["REMOTE_ADDR"] = remote
    return client


def test_metrics_count_spool_outbound_mail_threads_and_posts(
    ops: tuple[Settings, Database, Spool],
) -> None:
    settings, db, spool = ops
    # Ages are checked against the clock readings around them, not a slack constant, so a
    # loaded machine cannot make them fail.
    started = time.time()
    spool.put(b"Subject: one\r\n\r\nx\r\n", mail_from="a@firma.se", rcpts=["feed@firma.se"])
    spool.put(b"Subject: two\r\n\r\nx\r\n", mail_from="a@firma.se", rcpts=["feed@firma.se"])
    broken = spool.get(spool.put(b"broken", source="smtp"))
    assert broken is not None
    spool.quarantine(broken, "ValueError: no headers")
    add_thread(
        db,
        "Var är nyckeln?",
        [("anna@firma.se", "Anna", "Vet någon?"), ("johan@firma.se", "Johan", "I lådan.")],
    )
    with db.session() as session:
        for i, action in enumerate(["publish", "publish", "ignore"]):
            session.add(
                MailMessage(
                    message_id=f"m{i}@firma.se", content_hash="h", raw_path="", action=action
                )
            )
        session.add(
            OutboundMail(
                idempotency_key="k1",
                purpose="link",
                recipient="a@firma.se",
                message_id="x1",
                raw=b"x",
                state="sent",
            )
        )
        session.add(
            OutboundMail(
                idempotency_key="k2",
                purpose="link",
                recipient="b@firma.se",
                message_id="x2",
                raw=b"x",
                state="queued",
                created=utcnow() - timedelta(seconds=90),
            )
        )

    response = client_for(settings, db, spool).get("/metrics")
    since_start = time.time() - started + 0.01  # + rounding of stored timestamps
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    samples = scrape_text(response.get_data(as_text=True))
    assert samples[("mailfeed_spool_pending", "")] == 2
    assert samples[("mailfeed_spool_quarantined", "")] == 1
    assert 0 <= samples[("mailfeed_spool_oldest_age_seconds", "")] <= since_start
    assert samples[("mailfeed_outbound", 'state="sent"')] == 1
    assert samples[("mailfeed_outbound", 'state="queued"')] == 1
    assert samples[("mailfeed_outbound", 'state="failed"')] == 0  # present before a failure
    assert 90 <= samples[("mailfeed_outbound_oldest_queued_age_seconds", "")] <= 90 + since_start
    assert samples[("mailfeed_mail_total", 'action="publish"')] == 2
    assert samples[("mailfeed_mail_total", 'action="ignore"')] == 1
    assert samples[("mailfeed_mail_total", 'action="reject"')] == 0
    assert samples[("mailfeed_threads", "")] == 1
    assert samples[("mailfeed_posts", "")] == 2


def test_metrics_answer_while_the_worker_holds_the_write_lock(
    ops: tuple[Settings, Database, Spool],
) -> None:
    """A scrape during a busy worker's transaction reads (WAL: readers never wait for the
    writer), instead of waiting out the lock and answering 500.  The web's database here
    gives up on a lock after a tenth of a second, so a read that waited would fail."""
    settings, db, spool = ops
    spool.put(b"Subject: one\r\n\r\nx\r\n", mail_from="a@firma.se", rcpts=["feed@firma.se"])
    add_thread(db, "Var är nyckeln?", [("anna@firma.se", "Anna", "Vet någon?")])
    impatient = Database(settings.db_url, statement_timeout=0.1)
    with db.session() as worker:
        # As the worker's claim does: the write lock first, then rows written, uncommitted.
        claims.claim_mail(worker, ["m1@firma.se"])
        worker.add(
            MailMessage(message_id="m1@firma.se", content_hash="h", raw_path="", action="publish")
        )
        worker.flush()
        for _ in range(3):
            response = client_for(settings, impatient, spool).get("/metrics")
            assert response.status_code == 200
            samples = scrape_text(response.get_data(as_text=True))
            assert samples[("mailfeed_threads", "")] == 1
            assert samples[("mailfeed_mail_total", 'action="publish"')] == 0  # not committed
    impatient.dispose()


def test_oldest_waiting_mail_ages_with_the_clock(ops: tuple[Settings, Database, Spool]) -> None:
    _settings, _db, spool = ops
    assert {m.name: m.samples[0][1] for m in spool_metrics(spool, time.time())}[
        "mailfeed_spool_oldest_age_seconds"
    ] == 0  # nothing waits
    before = time.time()
    spool.put(b"Subject: waits\r\n\r\nx\r\n")
    after = time.time()
    later = {m.name: m.samples[0][1] for m in spool_metrics(spool, after + 600)}
    assert 600 <= later["mailfeed_spool_oldest_age_seconds"] <= 600 + (after - before)


def test_metrics_refused_to_other_addresses(ops: tuple[Settings, Database, Spool]) -> None:
    settings, db, spool = ops
    response = client_for(settings, db, spool, remote="192.0.2.7").get("/metrics")
    assert response.status_code == 403
    assert b"mailfeed_" not in response.get_data()
    trusted = settings.with_overrides(trusted_proxies=("192.0.2.7",))
    assert client_for(trusted, db, spool, remote="192.0.2.7").get("/metrics").status_code == 200


def test_a_metrics_token_is_required_once_set(ops: tuple[Settings, Database, Spool]) -> None:
    settings, db, spool = ops
    with_token = settings.with_overrides(metrics_token="s3cret-scrape")
    local = client_for(with_token, db, spool)
    # A reverse proxy on this host connects from loopback too: the address is not enough.
    assert local.get("/metrics").status_code == 403
    assert local.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    remote = client_for(with_token, db, spool, remote="198.51.100.3")
    ok = remote.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape"})
    assert ok.status_code == 200 and b"mailfeed_threads 0" in ok.get_data()


def test_metrics_need_no_sign_in_but_pages_still_do(ops: tuple[Settings, Database, Spool]) -> None:
    settings, db, spool = ops
    client = client_for(settings, db, spool)  # magic-link auth, nobody signed in
    assert client.get("/metrics").status_code == 200
    assert client.get("/admin").status_code == 302


def test_serve_reports_published_mail_on_metrics(gateway_factory, relay_sink) -> None:
    gw = gateway_factory({"MAILFEED_RELAY": f"127.0.0.1:{relay_sink.port}"})
    raw = (
        b"From: Anna Berg <anna.berg@firma.se>\r\nTo: feed@firma.se\r\n"
        b"Subject: Var finns nyckeln?\r\nMessage-ID: <metrics.1@firma.se>\r\n"
        b"Date: Tue, 24 Nov 2026 09:00:00 +0100\r\n\r\nVet nagon var nyckeln ar?\r\n"
    )
    with smtplib.SMTP("127.0.0.1", gw.smtp_port, timeout=10) as c:
        c.sendmail("anna.berg@firma.se", ["feed@firma.se"], raw)

    def scraped() -> dict[tuple[str, str], float] | None:
        status, body, headers = gw.get("/metrics")
        assert status == 200, body
        samples = scrape_text(body.decode())
        return samples if samples[("mailfeed_outbound", 'state="sent"')] == 1 else None

    samples = gw.wait_until(scraped, timeout=15)
    assert samples[("mailfeed_spool_pending", "")] == 0
    assert samples[("mailfeed_spool_quarantined", "")] == 0
    assert samples[("mailfeed_mail_total", 'action="publish"')] == 1
    assert samples[("mailfeed_threads", "")] == 1
    assert samples[("mailfeed_posts", "")] == 1
