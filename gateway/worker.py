"""The ingest worker: spool -> parse -> publish, one mail per transaction.

Order matters for "exactly once": the raw bytes go to the raw store, the publisher's
effects (thread, posts, queued replies, the mail's record) commit in one transaction,
and only then does the spool entry go.  A crash in between repeats the mail, and the
publisher recognizes it by its Message-ID (or hash) and changes nothing.
"""

from __future__ import annotations

import logging
import threading
import traceback

from sqlalchemy.exc import OperationalError

from mailfeed.gateway.dkimcheck import REAL_DNS, DnsFunc, verified_domains
from mailfeed.gateway.rawstore import raw_store
from mailfeed.gateway.spool import Spool, SpoolEntry
from mailfeed.parsers.mail import parse_mail
from mailfeed.publisher import control
from mailfeed.publisher.db import Database
from mailfeed.publisher.publish import Envelope, Outcome, process
from mailfeed.settings import Settings, build_site

log = logging.getLogger(__name__)
CONFIDENTIAL_RULES = frozenset({"sensitivity", "encrypted", "confidential_subject"})


class Worker:
    def __init__(self, settings: Settings, db: Database, spool: Spool,
                 dnsfunc: DnsFunc = REAL_DNS) -> None:
        self.db = db
        self.dnsfunc = dnsfunc  # DKIM keys (MAILFEED_VERIFY_DKIM); tests serve their own
        self.spool = spool
        self.site = build_site(settings)
        self.raw = raw_store(settings, db)
        self.wake = threading.Event()

    def handle(self, entry: SpoolEntry) -> Outcome:
        raw = entry.read()
        locator = self.raw.keep(raw)
        parsed = parse_mail(raw)
        envelope = Envelope(
            mail_from=entry.mail_from if entry.source == "smtp" else None,
            rcpts=entry.rcpts, source=entry.source, raw_path=locator,
            dkim_domains=verified_domains(raw, self.dnsfunc) if self.site.policy.own_dkim else (),
        )
        with self.db.session() as session:
            # Mail to a command address (publisher.control) is no candidate post.
            outcome = (control.process_control(session, self.site, raw, parsed, envelope)
                       or process(session, self.site, parsed, envelope))
        if outcome.decision.rule in CONFIDENTIAL_RULES and not outcome.duplicate:
            # Refused as confidential: nothing of it is stored beyond the audit record.
            self.raw.redact(locator, outcome.decision.reason)
        log.info("mail %s: %s (%s)", entry.id, outcome.decision.action, outcome.decision.reason)
        return outcome

    def run_once(self) -> int:
        """Process everything pending; returns how many entries were handled."""
        count = 0
        for entry in self.spool.pending():
            with self.spool.claim(entry) as mine:
                if not mine:
                    continue  # another worker on this spool has it
                try:
                    self.handle(entry)
                except OperationalError as exc:
                    # The database is locked, full or away: transient.  The mail stays
                    # spooled (it was acknowledged) and is tried again on the next round.
                    log.warning("mail %s deferred: %s", entry.id, exc.__class__.__name__)
                    break
                except Exception as exc:  # noqa: BLE001 - quarantine, never drop, keep going
                    log.error("mail %s quarantined: %s", entry.id, exc.__class__.__name__)
                    detail = "".join(traceback.format_exception_only(exc)).strip()
                    self.spool.quarantine(entry, detail)
                else:
                    self.spool.done(entry)
            count += 1
        return count

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.run_once()
            self.wake.wait(timeout=1.0)
            self.wake.clear()
