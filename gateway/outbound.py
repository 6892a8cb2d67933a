"""The outbound sender: delivers queued rows to the relay, or to the local outbox.

With no relay configured (`MAILFEED_RELAY` unset) mail is written to `<data>/outbox/`
and shown at `/outbox`, like a local mail catcher.  Rows are leased before the attempt
(`publisher.claims`: any number of senders on one database, none takes another's row),
and the attempt's outcome is written with the lease's release in one transaction, after
the relay answered; a failure is retried with exponential backoff.  Each mail leaves with
its own VERP envelope sender (`feed+bounce-<id>.<mac>@…`), so a DSN names the mail that
bounced; an address that hard-bounced `HARD_BOUNCE_LIMIT` times is not mailed again
(checked here, at sending, so mail queued before the last bounce is held back too).
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import ssl
import threading
import time
import uuid
from datetime import datetime, timedelta

from sqlalchemy.exc import OperationalError

from mailfeed.gateway.config import GatewayConfig, parse_hostport
from mailfeed.gateway.failures import describe, redact
from mailfeed.publisher import bounces, claims, outgoing
from mailfeed.publisher.db import Database
from mailfeed.publisher.models import utcnow
from mailfeed.publisher.outbox import needs_smtputf8

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 12  # with a 30 s base: about 20 hours of trying


def permanent(exc: Exception) -> bool:
    """A 5xx for the recipient or the data: trying again would get the same answer.

    `SMTPRecipientsRefused` carries its codes per recipient, not as `smtp_code`."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500


def relay_down(exc: Exception) -> bool:
    """The relay itself failed (no connection, no answer, hung up), not this one mail."""
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


class OutboundSender:
    def __init__(self, config: GatewayConfig, db: Database, batch: int = 50) -> None:
        self.config = config
        self.db = db
        self.site = config.site
        self.wake = threading.Event()
        # Who holds a lease: unique per process, readable on the admin page and in SQL.
        self.host = socket.gethostname()[:40]
        self.claimer = f"{self.host}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.batch = batch
        self.unsettled: dict[int, tuple[str | None, bool]] = {}
        self._client: smtplib.SMTP | None = None  # the relay session of the current round
        self._context: ssl.SSLContext | None = None
        config.outbox_dir.mkdir(parents=True, exist_ok=True)

    def _deliver(self, row: claims.Claimed) -> None:
        if not self.config.relay:
            path = self.config.outbox_dir / f"{row.id:08d}.eml"
            tmp = path.with_suffix(".tmp")
            with open(tmp, "wb") as fh:
                fh.write(row.raw)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            return
        envelope_from = outgoing.return_path(self.site, row.id)
        rcpts = [row.recipient]
        client = self._client or self._connect()
        try:
            options: list[str] = []
            if needs_smtputf8(envelope_from, *rcpts):
                client.command_encoding = "utf-8"  # smtplib speaks ASCII unless told
                options = ["SMTPUTF8", "BODY=8BITMIME"]
            client.sendmail(envelope_from, rcpts, row.raw, mail_options=options)
            client.command_encoding = "ascii"
        except BaseException:
            # Whatever state the session is in now (a relay that stopped answering would
            # not answer QUIT either), the next mail starts a fresh one.
            self._hang_up(polite=False)
            raise

    def _connect(self) -> smtplib.SMTP:
        """One relay session for a round's mails (RFC 5321 §3.3: a client may send several
        transactions in one session), instead of a connection, greeting and login each."""
        host, port = parse_hostport(self.config.relay)
        # The timeout holds for the connect, the greeting and each command: a relay that
        # takes the connection and never answers costs one timeout, not a hang.
        timeout = self.config.relay_timeout
        if self.config.relay_tls == "implicit":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=self._tls_context()
            )
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        try:
            client.ehlo(self.config.gateway_domain)
            if self.config.relay_tls == "starttls":
                client.starttls(context=self._tls_context())
                client.ehlo(self.config.gateway_domain)
            if self.config.relay_user:
                client.login(self.config.relay_user, self.config.relay_password)
        except BaseException:
            client.close()
            raise
        self._client = client
        return client

    def _tls_context(self) -> ssl.SSLContext:
        """The relay's certificate is verified, against the system's CAs or the
        organisation's own (MAILFEED_RELAY_CA) for an internal relay.  Built once: loading
        the CAs takes tens of milliseconds of CPU that the worker and the SMTP listener
        in this process wait for."""
        if self._context is None:
            self._context = ssl.create_default_context(cafile=self.config.relay_ca or None)
        return self._context

    def _hang_up(self, polite: bool = True) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            if polite:
                client.quit()
        except (OSError, smtplib.SMTPException):
            pass
        finally:
            client.close()

    def run_once(self) -> int:
        """Claim due mail, hand it to the relay, write each outcome; returns how many went.

        Outcomes that could not be written (the database locked or away) are kept and
        written first next round; the lease keeps everyone, this sender too, from sending
        those rows again meanwhile."""
        self._settle_pending()
        if self.unsettled:
            return 0  # the database is still away: claim nothing new
        started = time.monotonic()
        with self.db.session() as session:
            due = claims.claim_outbound(session, self.claimer, self.batch)
            dead = bounces.failing(session, (r.recipient for r in due))
        try:
            return self._send(due, dead, started)
        finally:
            self._hang_up()  # the relay session ends with the round

    def _send(self, due: list[claims.Claimed], dead: set[str], started: float) -> int:
        sent = 0
        for n, row in enumerate(due):
            if self.unsettled or time.monotonic() - started > claims.LEASE.total_seconds() / 2:
                # An outcome is unwritten (the database went away) or half the lease is
                # used up: give back the rest rather than risk sending after it lapsed.
                self._release([r.id for r in due[n:]])
                break
            if row.recipient in dead and row.purpose not in bounces.ALWAYS_SENT:
                self._settle(
                    row.id,
                    f"not sent: the address bounced {bounces.HARD_BOUNCE_LIMIT} times or more",
                    give_up=True,
                )
                continue
            try:
                self._deliver(row)
            except (OSError, smtplib.SMTPException) as exc:
                error = f"{exc.__class__.__name__}: {exc}"
                self._settle(row.id, error, permanent(exc))
                log.warning("outbound %s not delivered: %s", row.id, redact(error))
                if relay_down(exc):
                    # The next mails would wait out the same timeout: give them back now.
                    self._release([r.id for r in due[n + 1 :]])
                    break
                continue
            self._settle(row.id, None)
            sent += 1
        return sent

    def _release(self, row_ids: list[int]) -> None:
        try:
            with self.db.session() as session:
                claims.release_outbound(session, self.claimer, row_ids)
        except OperationalError:
            pass  # the leases lapse by themselves

    def recover(self) -> None:
        """Free the leases of this host's senders that died (kill -9, a crash)."""

        def alive(pid: int) -> bool:
            if pid <= 0:
                return False
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return False
            except PermissionError:
                return True
            return True

        with self.db.session() as session:
            freed = claims.release_dead_claimers(session, self.host, alive)
        if freed:
            log.info("freed the outbound leases of %d stopped sender(s)", freed)

    def _retry_at(self, attempts: int) -> datetime | None:
        if attempts >= MAX_ATTEMPTS:
            return None
        delay = min(self.config.outbound_retry_base * 2 ** (attempts - 1), 3600)
        return utcnow() + timedelta(seconds=delay)

    def _settle(self, row_id: int, error: str | None, give_up: bool = False) -> None:
        self.unsettled[row_id] = (error, give_up)
        self._settle_pending()

    def _settle_pending(self) -> None:
        for row_id, (error, give_up) in list(self.unsettled.items()):
            try:
                with self.db.session() as session:
                    claims.settle_outbound(
                        session,
                        self.claimer,
                        row_id,
                        error,
                        give_up=give_up,
                        retry_at=self._retry_at,
                    )
            except OperationalError as exc:
                log.warning("outbound %s: outcome not written yet: %s", row_id, describe(exc))
                return
            del self.unsettled[row_id]

    def run(self, stop: threading.Event) -> None:
        recovered = 0.0
        while not stop.is_set():
            try:
                if time.monotonic() - recovered > 60:
                    self.recover()
                    recovered = time.monotonic()
                if self.run_once() >= self.batch:
                    continue  # a full batch went: more is probably due, claim again now
            except Exception as exc:  # noqa: BLE001 - the sender must keep running
                log.error("outbound round failed: %s", describe(exc))
            self.wake.wait(timeout=1.0)
            self.wake.clear()
