"""Claims on the outbound queue, on SQLite and PostgreSQL (publisher.claims).

Two senders never hold the same row; a sender that died leaves a lease that lapses; and
a database lock longer than every timeout, starting right after the relay said 250, does
not make the gateway send the mail again (issue 15 item 6).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import psycopg
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from mailfeed.gateway.outbound import OutboundSender
from mailfeed.publisher import claims, outbox
from mailfeed.publisher.db import Database
from mailfeed.publisher.models import OutboundMail, utcnow
from mailfeed.settings import Settings, build_gateway_config
from tests.conftest import free_port
from tests.db_support import _pg_database, database  # noqa: F401 - fixture


def queue(db: Database, count: int) -> None:
    with db.session() as session:
        for i in range(count):
            msg = EmailMessage()
            msg["From"], msg["To"], msg["Subject"] = "feed@firma.se", f"p{i}@firma.se", "Hej"
            msg["Message-ID"] = f"<out{i}@firma.se>"
            msg.set_content("En länk.")
            outbox.enqueue(
                session, key=f"test:{i}", purpose="link", recipient=f"p{i}@firma.se", message=msg
            )


def test_two_senders_claim_disjoint_rows_and_a_lapsed_lease_frees_them(database):
    queue(database, 10)
    with database.session() as session:
        first = claims.claim_outbound(session, "a", 6)
    with database.session() as session:
        second = claims.claim_outbound(session, "b", 6)
    assert len(first) == 6 and len(second) == 4
    assert not {r.id for r in first} & {r.id for r in second}
    with database.session() as session:
        assert claims.claim_outbound(session, "c", 10) == []  # all leased

    # "a" died: once its lease lapses, "c" takes its rows, and "a" can no longer settle.
    later = utcnow() + claims.LEASE + timedelta(seconds=1)
    with database.session() as session:
        taken = claims.claim_outbound(session, "c", 10, now=later)
    assert {r.id for r in taken} == {r.id for r in first} | {r.id for r in second}
    with database.session() as session:
        assert not claims.settle_outbound(session, "a", first[0].id)
        assert claims.settle_outbound(session, "c", first[0].id)
    with database.session() as session:
        row = session.get(OutboundMail, first[0].id)
        assert row is not None
        assert (row.state, row.attempts, row.claimed_by, row.claimed_until) == (
            "sent",
            1,
            None,
            None,
        )


@pytest.fixture
def postgresql() -> Iterator[Database]:
    """PostgreSQL alone: SQLite runs one claimer, SKIP LOCKED is PostgreSQL's."""
    for url in _pg_database():
        db = Database(url)
        db.upgrade()
        yield db
        db.dispose()


def test_concurrent_claims_on_postgresql_skip_locked_rows(postgresql):
    database = postgresql
    queue(database, 6)
    holder = database.sessions()
    try:
        held = claims.claim_outbound(holder, "a", 4)  # not committed: rows locked
        with database.session() as session:
            other = claims.claim_outbound(session, "b", 6)  # does not wait, skips them
        assert len(held) == 4 and len(other) == 2
        assert not {r.id for r in held} & {r.id for r in other}
    finally:
        holder.rollback()
        holder.close()


class LockingSink:
    """A relay that accepts the mail and, while answering 250, has the database locked by
    someone else: the sender's outcome cannot be written until `release()`."""

    def __init__(self, lock: Any, release: Any) -> None:
        self.mails: list[bytes] = []
        self.lock, self.release = lock, release

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(envelope.original_content)
        if len(self.mails) == 1:
            self.lock()
        return "250 2.0.0 Ok"


def test_a_lock_longer_than_every_timeout_after_250_does_not_resend(database, tmp_path: Path):
    queue(database, 1)
    url = database.url
    locker: dict[str, Any] = {}

    def lock() -> None:
        if url.startswith("sqlite"):
            conn = sqlite3.connect(
                url.split("///", 1)[1], check_same_thread=False, isolation_level=None
            )
            conn.execute("BEGIN EXCLUSIVE")
        else:
            conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
            conn.execute("LOCK TABLE outbound_mail IN EXCLUSIVE MODE")
        locker["conn"] = conn

    def release() -> None:
        conn = locker.pop("conn")
        if url.startswith("sqlite"):
            conn.execute("ROLLBACK")
        else:
            conn.rollback()
        conn.close()

    sink = LockingSink(lock, release)
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    impatient = Database(url, statement_timeout=0.3)  # gives up on a lock after 0.3 s
    try:
        settings = Settings(
            data_dir=tmp_path,
            relay=f"127.0.0.1:{port}",
            secret_key="k",
            gateway_addresses=("feed@firma.se",),
        )
        sender = OutboundSender(build_gateway_config(settings), impatient)
        assert sender.run_once() == 1
        assert len(sink.mails) == 1 and sender.unsettled  # delivered, outcome not written
        for _ in range(3):  # rounds while the lock lasts: nothing is sent again
            assert sender.run_once() == 0
        assert len(sink.mails) == 1
        sink.release()
        sender.run_once()  # writes the kept outcome
        assert not sender.unsettled
        assert sender.run_once() == 0
        assert len(sink.mails) == 1
        with database.session() as session:
            row = session.scalars(select(OutboundMail)).one()
            assert (row.state, row.attempts, row.claimed_by) == ("sent", 1, None)
    finally:
        if "conn" in locker:
            sink.release()
        controller.stop()
        impatient.dispose()


def test_a_killed_senders_leases_on_this_host_are_freed_at_the_next_start(database):
    queue(database, 3)
    with database.session() as session:
        claims.claim_outbound(session, "mx1:999999:dead", 2)
        claims.claim_outbound(session, "mx1:4242:live", 1)
        claims.claim_outbound(session, "mx2:999999:other", 0)
    with database.session() as session:
        freed = claims.release_dead_claimers(session, "mx1", lambda pid: pid == 4242)
    assert freed == 1
    with database.session() as session:
        holders = sorted(str(r.claimed_by) for r in session.scalars(select(OutboundMail)))
    assert holders == ["None", "None", "mx1:4242:live"]
