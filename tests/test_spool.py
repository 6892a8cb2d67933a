"""The spool keeps what it acknowledged: durable put, quarantine with reason, retry."""

from __future__ import annotations

from pathlib import Path

from mailfeed.gateway.spool import Spool


def test_put_then_pending_in_order_with_envelope(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    a = spool.put(b"first", mail_from="anna@firma.se", rcpts=["feed@firma.se"])
    b = spool.put(b"second", source="imap")
    entries = list(spool.pending())
    assert [e.id for e in entries] == [a, b]
    assert entries[0].read() == b"first" and entries[0].rcpts == ("feed@firma.se",)
    assert entries[1].source == "imap"
    assert list((tmp_path / "tmp").iterdir()) == []  # nothing half-written left behind


def test_quarantine_keeps_raw_and_reason_and_retry_requeues(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    entry_id = spool.put(b"broken")
    entry = next(spool.pending())
    spool.quarantine(entry, "ValueError: boom")
    assert spool.depth() == 0
    [q] = list(spool.quarantined())
    assert q.id == entry_id and q.read() == b"broken" and q.error == "ValueError: boom"
    assert q.attempts == 1
    assert spool.retry(entry_id) and spool.depth() == 1
    assert not spool.retry("nope")


def test_done_removes_entry(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.put(b"x")
    spool.done(next(spool.pending()))
    assert spool.depth() == 0 and list((tmp_path / "new").iterdir()) == []
