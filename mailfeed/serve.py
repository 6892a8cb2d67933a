"""`mailfeed serve`: SMTP listener, ingest worker, outbound sender and web app in one process.

Each part runs in its own thread (parsing in a child process: gateway/parsing.py);
SIGTERM/SIGINT stop them in order within a few seconds (stop accepting mail, abandon a
parse in progress — its mail stays spooled — stop the sender, stop the web server).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import replace
from types import FrameType

from waitress.server import create_server

from mailfeed.gateway.dkimcheck import key_lookup_timed_out
from mailfeed.gateway.imap import ImapPoller
from mailfeed.gateway.news import NewsPoller
from mailfeed.gateway.outbound import OutboundSender
from mailfeed.gateway.smtp import GatewayHandler, SenderRate, SMTPListener, address_matcher
from mailfeed.gateway.spool import Spool
from mailfeed.gateway.worker import Worker
from mailfeed.publisher import digest as weekly
from mailfeed.publisher import notifications
from mailfeed.publisher.db import Database
from mailfeed.publisher.models import Thread, utcnow
from mailfeed.settings import Settings, build_site, parse_hostport

log = logging.getLogger(__name__)
DEMO_DOMAIN = "firma.se"
STOP_SECONDS = 5
DIGEST_CHECK = 300.0  # seconds between looks for due daily digests


def demo_settings(settings: Settings) -> Settings:
    """`serve --demo`: open access on loopback, and the demo organisation may publish."""
    changes: dict[str, object] = {"demo": True}
    host, _ = parse_hostport(settings.web_listen)
    if host in {"127.0.0.1", "localhost", "::1"} and settings.auth == "magic-link":
        changes["auth"] = "open"
    if not settings.allowed_domains:
        changes["allowed_domains"] = (*settings.publish_domains, DEMO_DOMAIN)
    if settings.gateway_addresses == Settings().gateway_addresses:
        # The demo organisation's own gateway address, as its mail (and the README's
        # example thread) CCs it; feed@localhost keeps working for swaks.
        changes["gateway_addresses"] = (*settings.gateway_addresses, f"feed@{DEMO_DOMAIN}")
    return replace(settings, **changes)  # type: ignore[arg-type]


class SchemaOutdated(RuntimeError):
    """A shared database (PostgreSQL) must be upgraded by the operator, not by `serve`."""


class Gateway:
    def __init__(self, settings: Settings) -> None:
        from mailfeed.web import (
            create_app,  # the web ring, imported here to keep CLI start-up light
        )

        self.settings = settings
        self.db = Database(settings.db_url)
        if settings.db_url.startswith("sqlite"):
            # An embedded SQLite upgrades itself; PostgreSQL takes `mailfeed db upgrade`.
            self.db.upgrade()
        elif not self.db.is_current():
            raise SchemaOutdated("the database schema is not current: run `mailfeed db upgrade`")
        self.spool = Spool(settings.data_dir / "spool")
        self.worker = Worker(settings, self.db, self.spool)
        self.sender = OutboundSender(settings, self.db)
        self.handler = GatewayHandler(self.spool, address_matcher(settings),
                                      max_queue=settings.max_queue,
                                      rate=SenderRate(settings.rate_limit),
                                      on_spooled=self.worker.wake.set,
                                      dkim_deferred=key_lookup_timed_out
                                      if settings.verify_dkim else None)
        self.smtp = SMTPListener(settings, self.handler)
        self.app = create_app(settings, self.db, spool=self.spool)
        host, port = parse_hostport(settings.web_listen)
        self.web = create_server(self.app, host=host, port=port, threads=8,
                                 ident="Mailfeed",
                                 # The app decides whom to believe (TrustedProxyFix), and
                                 # must see a proxy's headers to know it is not local.
                                 clear_untrusted_proxy_headers=False)
        self.stop_event = threading.Event()
        self.threads: list[threading.Thread] = []
        self.imap: ImapPoller | None = None
        if settings.imap_url:
            self.imap = ImapPoller.from_settings(settings, self.spool)
        self.news = NewsPoller(settings, self.db) if settings.news_feeds else None

    def seed_demo(self) -> None:
        from mailfeed.gateway.demo import seed

        with self.db.session() as session:
            if session.query(Thread).first() is not None:
                return
        count = seed(self.spool, self.settings.primary_address)
        log.info("seeded %d demo threads", count)

    def start(self) -> None:
        if self.settings.demo:
            self.seed_demo()
        self.smtp.start()
        loops = [("worker", self.worker.run), ("outbound", self.sender.run),
                 ("digests", self.digests)]
        if self.news is not None:
            loops.append(("news", self.news.run))
        for name, target in loops:
            t = threading.Thread(target=target, args=(self.stop_event,), name=name, daemon=True)
            t.start()
            self.threads.append(t)
        if self.imap is not None:
            self.imap.start()
        web = threading.Thread(target=self.web.run, name="web", daemon=True)
        web.start()
        self.threads.append(web)
        log.info("SMTP on %s, web on %s", self.settings.smtp_listen, self.settings.public_url)

    def digests(self, stop: threading.Event) -> None:
        """Daily notification digests and the weekly digest: looked for every few minutes,
        each sent once per person and period (their idempotency keys say so)."""
        site = build_site(self.settings)
        while not stop.wait(DIGEST_CHECK):
            try:
                with self.db.session() as session:
                    sent = notifications.send_digests(session, site)
                    now = utcnow()
                    if weekly.due(now):
                        sent += weekly.queue_digests(session, site, now)
            except Exception as exc:  # noqa: BLE001 - a bad round must not stop the loop
                log.error("digest round failed: %s", exc.__class__.__name__)
                continue
            if sent:
                self.sender.wake.set()

    def stop(self) -> None:
        if self.stop_event.is_set():
            return  # stopped already (a second SIGTERM, or a test's clean-up)
        self.stop_event.set()
        self.smtp.stop()
        if self.imap is not None:
            self.imap.stop()
        self.worker.stop()  # abandons a parse in progress: its mail stays spooled
        self.sender.wake.set()
        self.web.close()
        # A few seconds in all: a thread still busy then (a relay that hangs mid-command)
        # is a daemon and ends with the process; its mail is sent again after the restart.
        deadline = time.monotonic() + STOP_SECONDS
        for t in self.threads:
            t.join(timeout=max(0.1, deadline - time.monotonic()))
        self.db.dispose()

    def serve_forever(self) -> None:
        done = threading.Event()

        def _stop(signum: int, _frame: FrameType | None) -> None:
            done.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        self.start()
        print(f"Mailfeed is running: SMTP {self.settings.smtp_listen}, "
              f"feed {self.settings.public_url}", flush=True)
        done.wait()
        self.stop()
