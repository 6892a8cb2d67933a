"""Process wiring: `mailfeed serve` runs every role in one process; `mailfeed smtp`,
`imap`, `worker`, `sender` and `web` run one role each, so an operator scales each on
its own.  Any number of each may run against one database (publisher.claims); the spool
is local to the host whose listener acknowledged the mail, so a worker runs beside each
SMTP or IMAP role.

Each part runs in its own thread; SIGTERM/SIGINT stop them in order (stop accepting mail,
let the worker finish its mail, stop the sender, stop the web server).

One rule for the schema, whatever the role: an embedded SQLite is upgraded by the process
itself (a lock file serialises concurrent starts); PostgreSQL is upgraded by the operator
with `mailfeed db upgrade`, and a process finding it outdated refuses to start.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterable
from dataclasses import replace
from types import FrameType
from typing import Any

from mailfeed.gateway.imap import ImapPoller
from mailfeed.gateway.outbound import OutboundSender
from mailfeed.gateway.smtp import GatewayHandler, SenderRate, SMTPListener, address_matcher
from mailfeed.gateway.spool import Spool
from mailfeed.gateway.worker import Worker
from mailfeed.publisher.db import Database
from mailfeed.publisher.models import Thread
from mailfeed.settings import Settings, parse_hostport

log = logging.getLogger(__name__)
DEMO_DOMAIN = "firma.se"
ROLES = ("smtp", "imap", "worker", "sender", "web")


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
    """A shared database (PostgreSQL) must be upgraded by the operator, not by a role."""


def open_database(settings: Settings, *, pool_size: int | None = None) -> Database:
    """The database for a running role, with the schema rule applied."""
    db = Database(settings.db_url, pool_size=pool_size or settings.database_pool_size,
                  statement_timeout=settings.statement_timeout)
    if settings.db_url.startswith("sqlite"):
        db.upgrade()
    elif not db.is_current():
        db.dispose()
        raise SchemaOutdated("the database schema is not current: run `mailfeed db upgrade`")
    return db


class Gateway:
    """The roles asked for, built from one settings object (all of them: `serve`)."""

    def __init__(self, settings: Settings, roles: Iterable[str] = ROLES) -> None:
        self.settings = settings
        self.roles = frozenset(roles)
        unknown = self.roles - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles: {', '.join(sorted(unknown))}")
        # The SMTP listener alone needs no database: it only spools.
        self.db = open_database(settings) if self.roles - {"smtp"} else None
        self.spool = Spool(settings.data_dir / "spool")
        self.stop_event = threading.Event()
        self.threads: list[threading.Thread] = []
        self.worker = Worker(settings, self.db, self.spool) \
            if "worker" in self.roles and self.db else None
        self.sender = OutboundSender(settings, self.db) \
            if "sender" in self.roles and self.db else None
        self.smtp: SMTPListener | None = None
        if "smtp" in self.roles:
            handler = GatewayHandler(self.spool, address_matcher(settings),
                                     max_queue=settings.max_queue,
                                     rate=SenderRate(settings.rate_limit),
                                     on_spooled=self.worker.wake.set if self.worker else None)
            self.smtp = SMTPListener(settings, handler)
        self.imap: ImapPoller | None = None
        if "imap" in self.roles and settings.imap_url:
            self.imap = ImapPoller.from_settings(settings, self.spool)
        self.web: Any = None
        if "web" in self.roles and self.db:
            from waitress.server import create_server

            from mailfeed.web import create_app  # the web ring: kept off the mail roles

            self.app = create_app(settings, self.db, spool=self.spool)
            host, port = parse_hostport(settings.web_listen)
            self.web = create_server(self.app, host=host, port=port, threads=8,
                                     ident="Mailfeed", clear_untrusted_proxy_headers=True)

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
        for name, part in (("worker", self.worker), ("outbound", self.sender)):
            if part is not None:
                t = threading.Thread(target=part.run, args=(self.stop_event,), name=name,
                                     daemon=True)
                t.start()
                self.threads.append(t)
        if self.imap is not None:
            self.imap.start()
        if self.web is not None:
            web = threading.Thread(target=self.web.run, name="web", daemon=True)
            web.start()
            self.threads.append(web)
        log.info("running: %s", ", ".join(r for r in ROLES if r in self.roles))

    def stop(self) -> None:
        if self.smtp is not None:
            self.smtp.stop()
        if self.imap is not None:
            self.imap.stop()
        self.stop_event.set()
        for part in (self.worker, self.sender):
            if part is not None:
                part.wake.set()
        if self.web is not None:
            self.web.close()
        for t in self.threads:
            t.join(timeout=10)
        if self.db is not None:
            self.db.dispose()

    def banner(self) -> str:
        parts = []
        if self.smtp is not None:
            parts.append(f"SMTP {self.settings.smtp_listen}")
        if self.imap is not None:
            parts.append("IMAP")
        if self.worker is not None:
            parts.append("worker")
        if self.sender is not None:
            parts.append("sender")
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
