"""Claims that make several gateway instances on one database act as one.

Two claims live here:

* **A mail, by Message-ID, for the publishing transaction.**  When two MX hosts hand the
  same mail to two instances at the same moment, both workers would otherwise read "not
  seen yet" and both publish.  `claim_mail` comes before the publishing transaction reads
  anything: on PostgreSQL a transaction-scoped advisory lock per key
  (`pg_advisory_xact_lock`), released by the commit or rollback, so the second instance
  waits, then reads the first one's committed `mail_message` row and changes nothing.  The
  keys are the mail's own id and its conversation's ids (the root of References and
  In-Reply-To), so a reply racing its parent waits for the parent's thread too.  On SQLite
  (one writer at a time anyway) the claim takes the database's write lock up front, so a
  second process waits for it instead of reading a snapshot that is stale by the time it
  writes.

* **Outbound mail, by lease.**  `claim_outbound` picks due rows with `SELECT … FOR UPDATE
  SKIP LOCKED` (two senders never pick the same row) and writes a lease (`claimed_by`,
  `claimed_until`) in the same short transaction.  The relay attempt happens outside any
  transaction; its outcome and the release of the lease are then written together
  (`settle_outbound`).  A sender that dies leaves a lease that expires, so nothing is
  stranded; a sender that cannot write the outcome (a database lock longer than any
  timeout) keeps it and retries, and no one else may take the row while the lease holds,
  so nothing is sent twice but the mail in flight at a crash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, text, update
from sqlalchemy.orm import Session

from mailfeed.parsers.model import ParsedMail
from mailfeed.publisher.models import OutboundMail, utcnow

# A sender delivers from a claimed batch only while half of this is left, which is far
# more than one relay attempt takes with its timeouts; what it has not reached by then it
# gives back.  A sender killed on this host is detected at the next start (its process
# is gone) and its leases are freed at once; elsewhere they lapse after this long.
LEASE = timedelta(minutes=5)


def lock_key(key: str) -> int:
    """A signed 64-bit number for `pg_advisory_xact_lock`, stable across processes."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


def mail_claim_keys(parsed: ParsedMail, key: str) -> list[str]:
    """The mail's own key and its conversation's: bounded, whatever References holds."""
    keys = [key]
    if parsed.references:
        keys.append(parsed.references[0])
    if parsed.in_reply_to:
        keys.append(parsed.in_reply_to)
    return keys


def claim_mail(session: Session, keys: Iterable[str]) -> None:
    """Serialise the publishing of mails that share a key, across processes.

    Must come before the transaction reads anything (so a SQLite reader never works from
    a snapshot older than another instance's commit); a write before it (the raw mail
    kept in the database store) takes SQLite's write lock just the same."""
    if session.get_bind().dialect.name == "postgresql":
        # Sorted, so two transactions taking overlapping keys never wait on each other.
        for number in sorted({lock_key(k) for k in keys if k}):
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": number})
        return
    # SQLite: a write statement begins the write transaction (and waits out another
    # writer with busy_timeout); it changes no row.
    session.execute(text("UPDATE outbound_mail SET attempts = attempts WHERE id = -1"))


@dataclass(frozen=True)
class Claimed:
    id: int
    recipient: str
    purpose: str
    raw: bytes


def claim_outbound(
    session: Session,
    claimer: str,
    limit: int,
    now: datetime | None = None,
    lease: timedelta = LEASE,
) -> list[Claimed]:
    """Due rows no live lease holds, leased to `claimer`; the caller commits at once."""
    now = now or utcnow()
    rows = list(
        session.scalars(
            select(OutboundMail)
            .where(
                OutboundMail.state == "queued",
                OutboundMail.next_attempt <= now,
                or_(OutboundMail.claimed_until.is_(None), OutboundMail.claimed_until < now),
            )
            .order_by(OutboundMail.id)
            .limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite has one claimer
        )
    )
    for row in rows:
        row.claimed_by = claimer
        row.claimed_until = now + lease
    return [Claimed(r.id, r.recipient, r.purpose, r.raw) for r in rows]


def release_outbound(session: Session, claimer: str, row_ids: Iterable[int]) -> None:
    """Give back leased rows this sender will not attempt now (they are due again at once)."""
    ids = list(row_ids)
    if ids:
        session.execute(
            update(OutboundMail)
            .where(OutboundMail.id.in_(ids), OutboundMail.claimed_by == claimer)
            .values(claimed_by=None, claimed_until=None)
        )


def release_dead_claimers(session: Session, host: str, alive: Callable[[int], bool]) -> int:
    """Free the leases of senders on `host` whose process is gone (killed, crashed): their
    rows are due again now instead of when the lease lapses.  Claimer names are
    `host:pid:nonce`; a reused pid only means the lease lapses as it would anyway."""
    prefix = f"{host}:"
    held = session.scalars(
        select(OutboundMail.claimed_by)
        .distinct()
        .where(OutboundMail.state == "queued", OutboundMail.claimed_by.startswith(prefix))
    )
    dead = [c for c in held if c and not alive(_pid(c[len(prefix) :]))]
    if dead:
        session.execute(
            update(OutboundMail)
            .where(OutboundMail.claimed_by.in_(dead))
            .values(claimed_by=None, claimed_until=None)
        )
    return len(dead)


def _pid(rest: str) -> int:
    head = rest.partition(":")[0]
    return int(head) if head.isdigit() else -1


def settle_outbound(
    session: Session,
    claimer: str,
    row_id: int,
    error: str | None = None,
    *,
    give_up: bool = False,
    retry_at: Callable[[int], datetime | None] = lambda _attempts: None,
) -> bool:
    """Write one relay attempt's outcome and release the lease, in one transaction.

    `error` None means the relay accepted the mail.  Otherwise the row fails for good when
    `give_up`, or when `retry_at(attempts)` names no next time.  Only while `claimer`
    still holds the lease: False if another sender took the row after it lapsed."""
    if error is None:
        # The common case, once per mail sent: one conditional UPDATE (atomic, the lease
        # checked in its WHERE) rather than a locking read, an object and a flush.
        sent = session.execute(
            update(OutboundMail)
            .where(
                OutboundMail.id == row_id,
                OutboundMail.claimed_by == claimer,
                OutboundMail.state == "queued",
            )
            .values(
                attempts=OutboundMail.attempts + 1,
                claimed_by=None,
                claimed_until=None,
                state="sent",
                sent_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
        return bool(sent.rowcount == 1)  # type: ignore[attr-defined]
    row = session.get(OutboundMail, row_id, with_for_update=True)
    if row is None or row.claimed_by != claimer or row.state != "queued":
        return False
    row.attempts += 1
    row.claimed_by = None
    row.claimed_until = None
    row.last_error = error[:1000]
    later = None if give_up else retry_at(row.attempts)
    if later is None:
        row.state = "failed"
    else:
        row.next_attempt = later
    return True
