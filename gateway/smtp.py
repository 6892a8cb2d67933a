"""The SMTP listener: RCPT and DATA policy, then the durable spool, nothing else.

It answers at protocol time with precise codes (RFC 3463 enhanced status codes) and stays
small: parsing and publishing happen later in the worker, so a slow database never holds
an SMTP session open, and `250` means the raw bytes are fsync'd on disk.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections import deque
from collections.abc import Callable
from typing import Any, AnyStr

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from mailfeed.gateway.config import GatewayConfig, parse_hostport
from mailfeed.gateway.failures import describe
from mailfeed.gateway.spool import Spool

log = logging.getLogger(__name__)

# Reply texts, named so tests and operators can find them.
OK_QUEUED = "250 2.0.0 Ok: queued as {id}"
NO_SUCH_ADDRESS = "550 5.1.1 <{address}>: not a Mailfeed gateway address"
TOO_BIG = "552 5.3.4 Message too big for this gateway (limit {limit} bytes)"
SPOOL_FULL = "451 4.3.2 Gateway busy, please try again later"
SPOOL_ERROR = "451 4.3.0 Could not store the message, please try again later"
RATE_LIMITED = "450 4.7.1 <{sender}>: too many messages from this sender, try again later"
DKIM_DEFERRED = "451 4.7.5 Could not look up the DKIM key (DNS timeout), try again later"
TOO_MANY_CONNECTIONS = "421 4.7.0 Too many connections to this gateway, try again later"
# The null reverse-path (bounces, RFC 5321 §4.5.5) has no sender to count by: its mails
# share one budget per connecting address, so "<>" is no way around the limit.
NULL_SENDER = "<>"


class Connections:
    """Open SMTP sessions, counted on the listener's event loop (one thread)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit  # 0: no cap
        self.open = 0

    def full(self) -> bool:
        return self.limit > 0 and self.open >= self.limit


class GatewaySMTP(SMTP):
    """aiosmtpd's SMTP with enhanced status codes on size errors, longer lines, and a cap
    on open connections."""

    def __init__(
        self,
        handler: Any,
        *,
        line_length_limit: int,
        connections: Connections | None = None,
        **kwargs: Any,
    ) -> None:
        # aiosmtpd sizes its StreamReader from line_length_limit inside __init__, so the
        # instance value must exist first.  RFC 5321 §4.5.3.1.6 says 1000 octets, but real
        # mail (HTML on one line) breaks it; refusing it would lose mail.
        self.line_length_limit = line_length_limit
        self.connections = connections or Connections(0)
        self.refused = False
        super().__init__(handler, **kwargs)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self.connections.full():
            # RFC 5321 §3.8: a server may answer 421 at once and close; a real MTA retries.
            # Hundreds of idle sessions must not use up the process's file descriptors.
            self.refused = True
            assert isinstance(transport, asyncio.WriteTransport)
            transport.write((TOO_MANY_CONNECTIONS + "\r\n").encode())
            transport.close()
            return
        self.connections.open += 1
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        if self.refused:
            return
        self.connections.open -= 1
        super().connection_lost(error)

    async def push(self, status: AnyStr) -> None:
        if isinstance(status, str) and status.startswith("552 Error"):
            # aiosmtpd's own texts carry no enhanced code; RFC 3463 §3.4 names 5.3.4.
            await super().push(TOO_BIG.format(limit=self.data_size_limit))
            return
        await super().push(status)


class SenderRate:
    """A sliding one-hour window of accepted mails per sender address (in memory)."""

    def __init__(self, per_hour: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_hour = per_hour
        self.clock = clock
        self.seen: dict[str, deque[float]] = {}

    def allow(self, sender: str) -> bool:
        if self.per_hour <= 0:
            return True
        now = self.clock()
        window = self.seen.setdefault(sender.lower(), deque())
        while window and now - window[0] > 3600:
            window.popleft()
        if len(window) >= self.per_hour:
            return False
        window.append(now)
        if len(self.seen) > 100_000:  # bounded memory under a flood of forged senders
            self.seen = {k: v for k, v in self.seen.items() if v and now - v[-1] < 3600}
        return True


class GatewayHandler:
    """aiosmtpd handler: accepts only gateway addresses, spools, then acknowledges."""

    def __init__(
        self,
        spool: Spool,
        accepts: Callable[[str], bool],
        *,
        max_queue: int = 5000,
        rate: SenderRate | None = None,
        on_spooled: Callable[[], None] | None = None,
        dkim_deferred: Callable[[bytes], bool] | None = None,
    ) -> None:
        self.dkim_deferred = dkim_deferred  # MAILFEED_VERIFY_DKIM: DNS timeouts defer
        self.spool = spool
        self.accepts = accepts
        self.max_queue = max_queue
        self.rate = rate or SenderRate(0)
        self.on_spooled = on_spooled

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        # Temporary (4xx, RFC 3463 4.7.1): a real MTA retries later, nothing is lost.
        peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer)
        key = address if address != NULL_SENDER else f"{NULL_SENDER}{peer}"
        if not self.rate.allow(key):
            return RATE_LIMITED.format(sender=address)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 Ok"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if not self.accepts(address):
            return NO_SUCH_ADDRESS.format(address=address)
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        loop = asyncio.get_running_loop()
        if self.spool.busy(self.max_queue):
            # Back-pressure: the worker is behind; a real MTA will retry later.
            return SPOOL_FULL
        check = self.dkim_deferred
        if check is not None and await loop.run_in_executor(None, lambda: check(raw)):
            # Judged now, a DNS hiccup would refuse a genuine mail as forged.
            return DKIM_DEFERRED
        try:
            entry_id = await loop.run_in_executor(
                None,
                lambda: self.spool.put(
                    # aiosmtpd keeps the null reverse-path as "<>"; the policy knows it as "".
                    raw,
                    mail_from="" if envelope.mail_from == "<>" else envelope.mail_from or "",
                    rcpts=list(envelope.rcpt_tos),
                    source="smtp",
                ),
            )
        except OSError as exc:
            log.error("spool write failed: %s", describe(exc))
            return SPOOL_ERROR
        if self.on_spooled:
            self.on_spooled()
        return OK_QUEUED.format(id=entry_id)


def address_matcher(config: GatewayConfig) -> Callable[[str], bool]:
    """Gateway and monitor addresses, also with a +tag (per-thread reply addresses)."""
    known = {a.lower() for a in config.gateway_addresses + config.monitor_addresses}
    sep = config.reply_separator

    def accepts(address: str) -> bool:
        address = address.strip().strip("<>").lower()
        if address in known:
            return True
        local, _, domain = address.rpartition("@")
        base = local.split(sep, 1)[0] if sep else local
        return f"{base}@{domain}" in known

    return accepts


def tls_context(config: GatewayConfig) -> ssl.SSLContext | None:
    if not (config.tls_cert and config.tls_key):
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(config.tls_cert, config.tls_key)
    return context


class SMTPListener(Controller):
    """The threaded aiosmtpd controller, configured from config."""

    def __init__(self, config: GatewayConfig, handler: GatewayHandler) -> None:
        host, port = parse_hostport(config.smtp_listen)
        self._config = config
        self._tls = tls_context(config)
        self.connections = Connections(config.max_connections)
        super().__init__(
            handler,
            hostname=host,
            port=port,
            ready_timeout=10,
            server_hostname=config.gateway_domain,
        )

    def factory(self) -> SMTP:
        return GatewaySMTP(
            self.handler,
            line_length_limit=self._config.max_line_length,
            connections=self.connections,
            data_size_limit=self._config.max_message_size,
            enable_SMTPUTF8=True,
            hostname=self._config.gateway_domain,
            ident="Mailfeed",
            tls_context=self._tls,
            require_starttls=bool(self._tls and self._config.require_tls),
        )
