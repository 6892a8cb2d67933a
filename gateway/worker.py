"""The ingest worker: each spooled mail through `intake.take_in`, one per transaction.

Only after the transaction commits does the spool entry go.  A crash in between repeats
the mail, and the publisher recognizes it by its Message-ID (or hash) and changes nothing.

Errors are sorted by whom they belong to.  One that this mail will meet again (a parse
over its bound, a query only it makes impossible, a bug) quarantines it at once, with the
reason, and the queue moves on.  Only an error of the database as a whole (locked, away,
full) leaves the mail spooled and backs off; it is tried again when the database is back.
An error of a whole round (the spool unreadable) is logged and the round tried again.
"""

from __future__ import annotations

import logging
import threading
import traceback

from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError

from mailfeed.gateway.config import GatewayConfig
from mailfeed.gateway.dkimcheck import REAL_DNS, DnsFunc
from mailfeed.gateway.failures import describe, redact
from mailfeed.gateway.intake import Arrival, take_in
from mailfeed.gateway.parsing import ParseFunc, ParseProcess, ParseStopped
from mailfeed.gateway.rawstore import raw_store
from mailfeed.gateway.spool import Spool, SpoolEntry
from mailfeed.parsers.mail import parse_mail
from mailfeed.publisher.db import Database
from mailfeed.publisher.publish import Outcome

log = logging.getLogger(__name__)
# A mail whose processing was started this often without ending (the process was killed
# each time: out of memory, kill -9 of a frozen service) is quarantined, not tried again.
# Parsing itself runs in a child with its own CPU budget, so this is the last line of
# defence; it is set above a short storm of restarts (an operator's or a supervisor's
# three kill -9s), which otherwise quarantines an innocent mail that was in flight each time.
MAX_STARTS = 5
MAX_BACKOFF = 30.0
# Database errors that only this mail causes: it would meet them on every attempt.
_MAIL_ERRORS = (
    "too many sql variables",
    "too many terms",
    "string or blob too big",
    "expression tree is too large",
    "number of parameters must be between",
    "stack depth limit exceeded",
    "index row size",
    "program limit exceeded",
    "value too long",
    "out of range",
)


def belongs_to_mail(exc: BaseException) -> bool:
    """Whether `exc` will repeat for this mail (quarantine it) rather than being a state
    of the database as a whole (locked, unreachable, full: keep the mail, back off)."""
    if isinstance(exc, DisconnectionError | OSError):
        return False  # the database, the disk or the parse child's pipe: not this mail
    if isinstance(exc, OperationalError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        message = str(exc.orig if isinstance(exc, DBAPIError) else exc).lower()
        return any(marker in message for marker in _MAIL_ERRORS)
    return True


class Worker:
    def __init__(
        self,
        config: GatewayConfig,
        db: Database,
        spool: Spool,
        dnsfunc: DnsFunc = REAL_DNS,
        parse: ParseFunc = parse_mail,
    ) -> None:
        self.db = db
        self.dnsfunc = dnsfunc  # DKIM keys (MAILFEED_VERIFY_DKIM); tests serve their own
        self.spool = spool
        self.site = config.site
        self.raw = raw_store(config, db)
        self.parser = ParseProcess(config.parse_cpu_seconds, parse)
        self.wake = threading.Event()
        self.backoff = 0.0  # seconds to wait after the database as a whole failed

    def handle(self, entry: SpoolEntry) -> Outcome:
        arrival = Arrival(
            source=entry.source,
            rcpts=tuple(entry.rcpts),
            mail_from=entry.mail_from if entry.source == "smtp" else None,
        )
        with self.db.session() as session:
            taken = take_in(
                entry.read(),
                arrival,
                site=self.site,
                session=session,
                raw_store=self.raw,
                parse=self.parser.parse,
                dnsfunc=self.dnsfunc,
            )
        outcome = taken.outcome
        log.info("mail %s: %s (%s)", entry.id, outcome.decision.action, outcome.decision.reason)
        return outcome

    def _quarantine(self, entry: SpoolEntry, reason: str) -> None:
        log.error("mail %s quarantined: %s", entry.id, redact(reason.splitlines()[-1]))
        self.spool.quarantine(entry, reason)

    def run_once(self) -> int:
        """Process everything pending; returns how many entries were handled."""
        count = 0
        for entry in self.spool.pending():  # may raise: `run` keeps going regardless
            with self.spool.claim(entry) as mine:
                if not mine:
                    continue  # another worker sharing this spool has it
                if entry.starts >= MAX_STARTS:
                    self._quarantine(
                        entry,
                        f"processing this mail was cut off {entry.starts} "
                        "times (the gateway was killed or ran out of "
                        "memory)",
                    )
                    count += 1
                    continue
                self.spool.begin(entry)
                try:
                    self.handle(entry)
                except ParseStopped:
                    self.spool.unbegin(entry)
                    break  # stopping: the mail stays spooled as it was
                except Exception as exc:  # noqa: BLE001 - quarantine, never drop, keep running
                    if not belongs_to_mail(exc):
                        # The database is locked, full or away (or the disk): the mail stays
                        # spooled (it was acknowledged) and the round ends; no mail behind it
                        # would fare better.
                        self.spool.unbegin(entry)
                        self.backoff = min(MAX_BACKOFF, max(1.0, self.backoff * 2))
                        log.warning("mail %s deferred: %s", entry.id, describe(exc))
                        break
                    self._quarantine(entry, "".join(traceback.format_exception_only(exc)).strip())
                else:
                    self.spool.done(entry)
                    self.backoff = 0.0
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
            if stop.is_set():
                break
            self.wake.wait(timeout=max(1.0, self.backoff))
            self.wake.clear()

    def stop(self) -> None:
        self.parser.close()
        self.wake.set()
