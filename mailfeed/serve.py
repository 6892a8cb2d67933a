"""Process wiring: `mailfeed serve` runs every role in one process; `mailfeed smtp`,
`imap`, `worker`, `sender` and `web` run one role each, so an operator scales each on
its own (`mailfeed news` polls news feeds on its own).  Any number of each may run
against one database (publisher.claims); the spool is local to the host whose listener
acknowledged the mail, so a worker runs beside each SMTP or IMAP role.

Each part runs in its own thread (parsing in a child process: gateway/parsing.py);
SIGTERM/SIGINT stop them in order within a few seconds (stop accepting mail, abandon a
parse in progress — its mail stays spooled — stop the sender, stop the web server).

One rule for the schema, whatever the role: an embedded SQLite is upgraded by the process
itself (a lock file serialises concurrent starts); PostgreSQL is upgraded by the operator
with `mailfeed db upgrade`, and a process finding it outdated refuses to start.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Iterable
from dataclasses import replace
from types import FrameType
from typing import Any

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
from mailfeed.settings import (
    Settings,
    build_gateway_config,
    build_site,
    build_web_config,
    parse_hostport,
)

log = logging.getLogger(__name__)
DEMO_DOMAIN = "firma.se"
ROLES = ("smtp", "imap", "worker", "sender", "web")
EVERYTHING = (*ROLES, "news")  # `serve`: news feeds too, when configured
STOP_SECONDS = 5
DIGEST_CHECK = 300.0  # seconds between looks for due daily digests


def demo_settings(settings: Settings) -> Settings:
    """`serve --demo`: open access on loopback, and the demo organisation may publish."""
    host, _ = parse_hostport(settings.web_listen)
    auth = settings.auth
    if host in {"127.0.0.1", "localhost", "::1"} and auth == "magic-link":
        auth = "open"
    allowed = settings.allowed_domains or (*settings.publish_domains, DEMO_DOMAIN)
    gateways = settings.gateway_addresses
    if gateways == Settings().gateway_addresses:
        # The demo organisation's own gateway address, as its mail (and the README's
        # example thread) CCs it; feed@localhost keeps working for swaks.
        gateways = (*gateways, f"feed@{DEMO_DOMAIN}")
    return replace(
        settings, demo=True, auth=auth, allowed_domains=allowed, gateway_addresses=gateways
    )


class SchemaOutdated(RuntimeError):
    """A shared database (PostgreSQL) must be upgraded by the operator, not by a role."""


def open_database(settings: Settings, *, pool_size: int | None = None) -> Database:
    """The database for a running role, with the schema rule applied."""
    db = Database(
        settings.db_url,
        pool_size=pool_size or settings.database_pool_size,
        statement_timeout=settings.statement_timeout,
    )
    if settings.db_url.startswith("sqlite"):
        db.upgrade()
    elif not db.is_current():
        db.dispose()
        raise SchemaOutdated("the database schema is not current: run `mailfeed db upgrade`")
    return db


class Gateway:
    """The roles asked for, built from one settings object (all of them: `serve`)."""

    def __init__(self, settings: Settings, roles: Iterable[str] = EVERYTHING) -> None:
        self.settings = settings
        self.roles = frozenset(roles)
        unknown = self.roles - set(EVERYTHING)
        if unknown:
            raise ValueError(f"unknown roles: {', '.join(sorted(unknown))}")
        config = build_gateway_config(settings)
        # The SMTP listener alone needs no database: it only spools.
        self.db = open_database(settings) if self.roles - {"smtp"} else None
        self.spool = Spool(config.spool_dir)
        self.stop_event = threading.Event()
        self.threads: list[threading.Thread] = []
        self.worker = (
            Worker(config, self.db, self.spool) if "worker" in self.roles and self.db else None
        )
        self.sender = (
            OutboundSender(config, self.db) if "sender" in self.roles and self.db else None
        )
        self.smtp: SMTPListener | None = None
        if "smtp" in self.roles:
            handler = GatewayHandler(
                self.spool,
                address_matcher(config),
                max_queue=settings.max_queue,
                rate=SenderRate(settings.rate_limit),
                on_spooled=self.worker.wake.set if self.worker else None,
                dkim_deferred=key_lookup_timed_out if settings.verify_dkim else None,
            )
            self.smtp = SMTPListener(config, handler)
        self.imap: ImapPoller | None = None
        if "imap" in self.roles and settings.imap_url:
            self.imap = ImapPoller.from_settings(config, self.spool)
        self.news = (
            NewsPoller(config, self.db)
            if "news" in self.roles and config.news_feeds and self.db
            else None
        )
        self.web: Any = None
        if "web" in self.roles and self.db:
            from waitress.server import create_server

            from mailfeed.web import create_app  # the web ring: kept off the mail roles

            self.app = create_app(build_web_config(settings), self.db, spool=self.spool)
            host, port = parse_hostport(settings.web_listen)
            self.web = create_server(
                self.app,
                host=host,
                port=port,
                threads=8,
                ident="Mailfeed",
                # The app decides whom to believe (TrustedProxyFix), and
                # must see a proxy's headers to know it is not local.
                clear_untrusted_proxy_headers=False,
            )

    def seed_demo(self) -> None:
        from mailfeed.gateway.demo import seed

        assert self.db is not None
        with self.db.session() as session:
            if session.query(Thread).first() is not None:
                return
        count = seed(self.spool, self.settings.primary_address)
        log.info("seeded %d demo threads", count)

    def start(self) -> None:
        if self.settings.demo and self.db is not None:
            self.seed_demo()
        if self.smtp is not None:
            self.smtp.start()
        loops: list[tuple[str, Any]] = []
        if self.worker is not None:
            loops.append(("worker", self.worker.run))
        if self.sender is not None:  # the digests are queued where mail is sent
            loops += [("outbound", self.sender.run), ("digests", self.digests)]
        if self.news is not None:
            loops.append(("news", self.news.run))
        for name, target in loops:
            t = threading.Thread(target=target, args=(self.stop_event,), name=name, daemon=True)
            t.start()
            self.threads.append(t)
        if self.imap is not None:
            self.imap.start()
        if self.web is not None:
            web = threading.Thread(target=self.web.run, name="web", daemon=True)
            web.start()
            self.threads.append(web)
        log.info("running: %s", ", ".join(r for r in EVERYTHING if r in self.roles))

    def digests(self, stop: threading.Event) -> None:
        """Daily notification digests and the weekly digest: looked for every few minutes,
        each sent once per person and period (their idempotency keys say so)."""
        site = build_site(self.settings)
        assert self.db is not None and self.sender is not None
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
        if self.smtp is not None:
            self.smtp.stop()
        if self.imap is not None:
            self.imap.stop()
        if self.worker is not None:
            self.worker.stop()  # abandons a parse in progress: its mail stays spooled
        if self.sender is not None:
            self.sender.wake.set()
        if self.web is not None:
            self.web.close()
        # A few seconds in all: a thread still busy then (a relay that hangs mid-command)
        # is a daemon and ends with the process; its mail is sent again after the restart.
        deadline = time.monotonic() + STOP_SECONDS
        for t in self.threads:
            t.join(timeout=max(0.1, deadline - time.monotonic()))
        if self.db is not None:
            self.db.dispose()

    def banner(self) -> str:
        parts = []
        if self.smtp is not None:
            parts.append(f"SMTP {self.settings.smtp_listen}")
        parts += [
            name
            for name, part in (
                ("IMAP", self.imap),
                ("worker", self.worker),
                ("sender", self.sender),
                ("news", self.news),
            )
            if part is not None
        ]
        if self.web is not None:
            parts.append(f"feed {self.settings.public_url}")
        return "Mailfeed is running: " + ", ".join(parts)

    def serve_forever(self) -> None:
        done = threading.Event()

        def _stop(signum: int, _frame: FrameType | None) -> None:
            done.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        self.start()
        print(self.banner(), flush=True)
        done.wait()
        self.stop()
