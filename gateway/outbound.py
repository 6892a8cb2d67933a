"""The outbound sender: delivers queued rows to the relay, or to the local outbox.

With no relay configured (`MAILFEED_RELAY` unset) mail is written to `<data>/outbox/`
and shown at `/outbox`, like a local mail catcher.  A row is marked sent only after the
relay accepted it; a failure is retried with exponential backoff.  Each mail leaves with
its own VERP envelope sender (`feed+bounce-<id>.<mac>@…`), so a DSN names the mail that
bounced; an address that hard-bounced `HARD_BOUNCE_LIMIT` times is not mailed again
(checked here, at sending, so mail queued before the last bounce is held back too).
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import threading
from datetime import timedelta

from sqlalchemy import select

from mailfeed.publisher import bounces
from mailfeed.publisher.db import Database
from mailfeed.publisher.models import OutboundMail, utcnow
from mailfeed.publisher.outbox import needs_smtputf8
from mailfeed.settings import Settings, build_site, parse_hostport

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
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self.site = build_site(settings)
        self.wake = threading.Event()
        settings.outbox_dir.mkdir(parents=True, exist_ok=True)

    def _deliver(self, row: OutboundMail) -> None:
        if not self.settings.relay:
            path = self.settings.outbox_dir / f"{row.id:08d}.eml"
            tmp = path.with_suffix(".tmp")
            with open(tmp, "wb") as fh:
                fh.write(row.raw)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            return
        host, port = parse_hostport(self.settings.relay)
        envelope_from = bounces.bounce_address(self.site, row.id)
        rcpts = [row.recipient]
        # The relay's certificate is verified, against the system's CAs or the
        # organisation's own (MAILFEED_RELAY_CA) for an internal relay.
        context = ssl.create_default_context(cafile=self.settings.relay_ca or None)
        # The timeout holds for the connect, the greeting and each command: a relay that
        # takes the connection and never answers costs one timeout, not a hang.
        timeout = self.settings.relay_timeout
        if self.settings.relay_tls == "implicit":
            client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client:
            client.ehlo(self.settings.gateway_domain)
            if self.settings.relay_tls == "starttls":
                client.starttls(context=context)
                client.ehlo(self.settings.gateway_domain)
            if self.settings.relay_user:
                client.login(self.settings.relay_user, self.settings.relay_password)
            options: list[str] = []
            if needs_smtputf8(envelope_from, *rcpts):
                client.command_encoding = "utf-8"  # smtplib speaks ASCII unless told
                options = ["SMTPUTF8", "BODY=8BITMIME"]
            client.sendmail(envelope_from, rcpts, row.raw, mail_options=options)

    def run_once(self) -> int:
        sent = 0
        with self.db.session() as session:
            due = list(session.scalars(
                select(OutboundMail)
                .where(OutboundMail.state == "queued", OutboundMail.next_attempt <= utcnow())
                .order_by(OutboundMail.id).limit(100)
            ))
            dead = bounces.failing(session, (r.recipient for r in due))
        for row in due:
            if row.recipient in dead and row.purpose not in bounces.ALWAYS_SENT:
                self._failed(row.id, "not sent: the address bounced "
                             f"{bounces.HARD_BOUNCE_LIMIT} times or more", permanent=True)
                continue
            try:
                self._deliver(row)
            except (OSError, smtplib.SMTPException) as exc:
                self._failed(row.id, f"{exc.__class__.__name__}: {exc}", permanent(exc))
                if relay_down(exc):
                    break  # the next mails would wait out the same timeout: next round
                continue
            with self.db.session() as session:
                fresh = session.get(OutboundMail, row.id)
                if fresh is not None:
                    fresh.state = "sent"
                    fresh.sent_at = utcnow()
                    fresh.attempts += 1
            sent += 1
        return sent

    def _failed(self, row_id: int, error: str, permanent: bool) -> None:
        with self.db.session() as session:
            row = session.get(OutboundMail, row_id)
            if row is None:
                return
            row.attempts += 1
            row.last_error = error[:1000]
            if permanent or row.attempts >= MAX_ATTEMPTS:
                row.state = "failed"
            else:
                base = self.settings.outbound_retry_base
                delay = min(base * 2 ** (row.attempts - 1), 3600)
                row.next_attempt = utcnow() + timedelta(seconds=delay)
        log.warning("outbound %s not delivered: %s", row_id, error.split(":")[0])

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.run_once()
            except Exception as exc:  # noqa: BLE001 - the sender must keep running
                log.error("outbound round failed: %s", exc.__class__.__name__)
            self.wake.wait(timeout=1.0)
            self.wake.clear()

