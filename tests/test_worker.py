"""The ingest worker outlives a failing round: SMTP keeps answering 250, so it must.

Something unreadable lands in the spool (here a directory named like a mail, as a broken
copy or a stray `mkdir` leaves it): listing the spool fails.  The worker logs why, keeps
going, and takes the mail in once the spool can be read again.
"""

from __future__ import annotations

import logging
import smtplib
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from mailfeed.gateway.failures import describe
from mailfeed.gateway.smtp import GatewayHandler, SenderRate, SMTPListener, address_matcher
from mailfeed.gateway.spool import Spool
from mailfeed.gateway.worker import Worker
from mailfeed.publisher.db import Database
from mailfeed.settings import Settings, build_gateway_config
from tests.conftest import free_port

MAIL = (
    b"From: Anna Berg <anna.berg@firma.se>\r\nTo: feed@firma.se\r\n"
    b"Subject: Var finns nyckeln?\r\nMessage-ID: <nyckel.1@firma.se>\r\n"
    b"Date: Tue, 24 Nov 2026 09:12:00 +0100\r\n\r\nVet nagon var nyckeln finns?\r\n"
)


def wait_for(check, what: str, timeout: float = 20):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"not seen within {timeout}s: {what}")


def test_a_failing_round_does_not_end_the_worker(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        gateway_addresses=("feed@firma.se",),
        secret_key="k",
        smtp_listen=f"127.0.0.1:{free_port()}",
    )
    config = build_gateway_config(settings)
    db = Database(settings.db_url)
    db.upgrade()
    spool = Spool(config.spool_dir)
    broken = spool.new / "00000000000000000000-broken.msg"
    broken.mkdir()  # sorts first: listing the spool raises IsADirectoryError
    worker = Worker(config, db, spool)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    listener = SMTPListener(
        config,
        GatewayHandler(
            spool,
            address_matcher(config),
            max_queue=100,
            rate=SenderRate(0),
            on_spooled=worker.wake.set,
        ),
    )
    caplog.set_level(logging.ERROR, logger="mailfeed.gateway.worker")
    listener.start()
    thread.start()
    try:
        with smtplib.SMTP(listener.hostname, listener.port, timeout=30) as client:
            refused = client.sendmail("anna.berg@firma.se", ["feed@firma.se"], MAIL)
        assert refused == {}  # 250: the mail is ours now
        failed = wait_for(
            lambda: [r for r in caplog.records if "round failed" in r.message],
            "a logged failing round",
        )
        # the log says what went wrong, not only the class
        assert "IsADirectoryError" in failed[0].message and "Is a directory" in failed[0].message
        assert thread.is_alive()

        broken.rmdir()  # the operator clears it
        worker.wake.set()

        def recorded() -> list[tuple[str]]:
            with sqlite3.connect(tmp_path / "mailfeed.sqlite3") as conn:
                return conn.execute("SELECT action FROM mail_message").fetchall()

        assert wait_for(recorded, "the mail taken in") == [("publish",)]
        assert thread.is_alive()
    finally:
        stop.set()
        worker.wake.set()
        thread.join(timeout=10)
        listener.stop()
        db.dispose()


def test_errors_are_described_without_addresses_or_sql_parameters() -> None:
    locked = OperationalError(
        "INSERT INTO post (body) VALUES (?)",
        ("hemliga ord",),
        sqlite3.OperationalError("database is locked"),
    )
    assert describe(locked) == "OperationalError (OperationalError): database is locked"
    refused = smtplib.SMTPRecipientsRefused(
        {"anna.berg@firma.se": (550, b"5.1.1 <anna.berg@firma.se>: no such user")}
    )
    text = describe(refused)
    assert text.startswith("SMTPRecipientsRefused: ") and "no such user" in text
    assert "anna.berg" not in text and "firma.se" in text
