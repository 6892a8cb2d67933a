"""The ingest worker: each spooled mail through `intake.take_in`, one per transaction.

Only after the transaction commits does the spool entry go.  A crash in between repeats
the mail, and the publisher recognizes it by its Message-ID (or hash) and changes nothing.
"""

from __future__ import annotations

import logging
import threading
import traceback

from sqlalchemy.exc import OperationalError

from mailfeed.gateway.config import GatewayConfig
from mailfeed.gateway.dkimcheck import REAL_DNS, DnsFunc
from mailfeed.gateway.failures import describe
from mailfeed.gateway.intake import Arrival, take_in
from mailfeed.gateway.rawstore import RawStore
from mailfeed.gateway.spool import Spool, SpoolEntry
from mailfeed.publisher.db import Database
from mailfeed.publisher.publish import Outcome

log = logging.getLogger(__name__)


class Worker:
    def __init__(self, config: GatewayConfig, db: Database, spool: Spool,
                 dnsfunc: DnsFunc = REAL_DNS) -> None:
        self.db = db
        self.dnsfunc = dnsfunc  # DKIM keys (MAILFEED_VERIFY_DKIM); tests serve their own
        self.spool = spool
        self.site = config.site
        self.raw = RawStore(config.raw_dir)
        self.wake = threading.Event()

    def handle(self, entry: SpoolEntry) -> Outcome:
        arrival = Arrival(source=entry.source, rcpts=tuple(entry.rcpts),
                          mail_from=entry.mail_from if entry.source == "smtp" else None)
        with self.db.session() as session:
            taken = take_in(entry.read(), arrival, site=self.site, session=session,
                            raw_store=self.raw, dnsfunc=self.dnsfunc)
        outcome = taken.outcome
        log.info("mail %s: %s (%s)", entry.id, outcome.decision.action, outcome.decision.reason)
        return outcome

    def run_once(self) -> int:
        """Process everything pending; returns how many entries were handled."""
        count = 0
        for entry in self.spool.pending():  # may raise: `run` keeps going regardless
            try:
                self.handle(entry)
            except OperationalError as exc:
                # The database is locked, full or away: transient.  The mail stays spooled
                # (it was acknowledged) and is tried again on the next round.
                log.warning("mail %s deferred: %s", entry.id, describe(exc))
                break
            except Exception as exc:  # noqa: BLE001 - quarantine, never drop, keep running
                log.error("mail %s quarantined: %s", entry.id, describe(exc))
                detail = "".join(traceback.format_exception_only(exc)).strip()
                self.spool.quarantine(entry, detail)
            else:
                self.spool.done(entry)
            count += 1
        return count

    def run(self, stop: threading.Event) -> None:
        """Until `stop`: one round, then wait for a wake-up or a second.  Nothing a round
        raises (an unreadable spool directory, a full disk) ends the thread: SMTP keeps
        answering 250, so the worker must keep trying to take that mail in."""
        while not stop.is_set():
            try:
                self.run_once()
            except Exception as exc:  # noqa: BLE001 - the worker must outlive any one round
                log.error("ingest round failed, retrying: %s", describe(exc))
            self.wake.wait(timeout=1.0)
            self.wake.clear()
