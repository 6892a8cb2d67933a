"""The ingest worker: spool -> parse -> publish, one mail per transaction.

Order matters for "exactly once": the raw bytes go to the raw store, the publisher's
effects (thread, posts, queued replies, the mail's record) commit in one transaction,
and only then does the spool entry go.  A crash in between repeats the mail, and the
publisher recognizes it by its Message-ID (or hash) and changes nothing.

Errors are sorted by whom they belong to.  One that this mail will meet again (a parse
over its bound, a query only it makes impossible, a bug) quarantines it at once, with the
reason, and the queue moves on.  Only an error of the database as a whole (locked, away,
full) leaves the mail spooled and backs off; it is tried again when the database is back.
"""

from __future__ import annotations

import logging
import threading
import traceback

from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError

from mailfeed.gateway.dkimcheck import REAL_DNS, DnsFunc, verified_domains
from mailfeed.gateway.parsing import ParseFunc, ParseProcess, ParseStopped
from mailfeed.gateway.rawstore import raw_store
from mailfeed.gateway.spool import Spool, SpoolEntry
from mailfeed.parsers.mail import parse_mail
from mailfeed.publisher import control, events
from mailfeed.publisher.db import Database
from mailfeed.publisher.publish import Envelope, Outcome, process
from mailfeed.settings import Settings, build_site

log = logging.getLogger(__name__)
CONFIDENTIAL_RULES = frozenset({"sensitivity", "encrypted", "confidential_subject"})
# A mail whose processing was started this often without ending (the process was killed
# each time: out of memory, kill -9 of a frozen service) is quarantined, not tried again.
MAX_STARTS = 3
MAX_BACKOFF = 30.0
# Database errors that only this mail causes: it would meet them on every attempt.
_MAIL_ERRORS = (
    "too many sql variables", "too many terms", "string or blob too big",
    "expression tree is too large", "number of parameters must be between",
    "stack depth limit exceeded", "index row size", "program limit exceeded",
    "value too long", "out of range",
)


def belongs_to_mail(exc: BaseException) -> bool:
    """Whether `exc` will repeat for this mail (quarantine it) rather than being a state
    of the database as a whole (locked, unreachable, full: keep the mail, back off)."""
    if isinstance(exc, DisconnectionError | OSError):
        return False  # the database, the disk or the parse child's pipe: not this mail
    if isinstance(exc, OperationalError) or (
            isinstance(exc, DBAPIError) and exc.connection_invalidated):
        message = str(exc.orig if isinstance(exc, DBAPIError) else exc).lower()
        return any(marker in message for marker in _MAIL_ERRORS)
    return True


class Worker:
    def __init__(self, settings: Settings, db: Database, spool: Spool,
                 dnsfunc: DnsFunc = REAL_DNS, parse: ParseFunc = parse_mail) -> None:
        self.db = db
        self.dnsfunc = dnsfunc  # DKIM keys (MAILFEED_VERIFY_DKIM); tests serve their own
        self.spool = spool
        self.site = build_site(settings)
        self.raw = raw_store(settings, db)
        self.parser = ParseProcess(settings.parse_cpu_seconds, parse)
        self.wake = threading.Event()
        self.backoff = 0.0  # seconds to wait after the database as a whole failed

    def handle(self, entry: SpoolEntry) -> Outcome:
        raw = entry.read()
        locator = self.raw.keep(raw)
        parsed = self.parser.parse(raw)
        envelope = Envelope(
            mail_from=entry.mail_from if entry.source == "smtp" else None,
            rcpts=entry.rcpts, source=entry.source, raw_path=locator,
            dkim_domains=verified_domains(raw, self.dnsfunc) if self.site.policy.own_dkim else (),
        )
        with self.db.session() as session:
            # Mail to a command address (publisher.control) is no candidate post, nor is
            # a calendar's answer to an event invitation (iTIP REPLY).
            outcome = (control.process_control(session, self.site, raw, parsed, envelope)
                       or events.process_reply(session, self.site, raw, parsed, envelope)
                       or process(session, self.site, parsed, envelope))
        if outcome.decision.rule in CONFIDENTIAL_RULES and not outcome.duplicate:
            # Refused as confidential: nothing of it is stored beyond the audit record.
            self.raw.redact(locator, outcome.decision.reason)
        log.info("mail %s: %s (%s)", entry.id, outcome.decision.action, outcome.decision.reason)
        return outcome

    def _quarantine(self, entry: SpoolEntry, reason: str) -> None:
        log.error("mail %s quarantined: %s", entry.id, reason.splitlines()[-1][:200])
        self.spool.quarantine(entry, reason)

    def run_once(self) -> int:
        """Process everything pending; returns how many entries were handled."""
        count = 0
        for entry in self.spool.pending():
            with self.spool.claim(entry) as mine:
                if not mine:
                    continue  # another worker sharing this spool has it
                if entry.starts >= MAX_STARTS:
                    self._quarantine(entry, f"processing this mail was cut off {entry.starts} "
                                            "times (the gateway was killed or ran out of "
                                            "memory)")
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
                        log.warning("mail %s deferred: %s", entry.id, exc.__class__.__name__)
                        break
                    self._quarantine(entry, "".join(traceback.format_exception_only(exc)).strip())
                else:
                    self.spool.done(entry)
                    self.backoff = 0.0
                count += 1
        return count

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.run_once()
            if stop.is_set():
                break
            self.wake.wait(timeout=max(1.0, self.backoff))
            self.wake.clear()

    def stop(self) -> None:
        self.parser.close()
        self.wake.set()
