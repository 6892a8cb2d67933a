"""The IMAP poller against a real Dovecot: mail in the mailbox ends up in the spool exactly once.

Every story here runs a private Dovecot on a loopback port (tests/dovecot_support.py) and a real
spool on disk; waits are bounded so a regression fails instead of hanging.
"""

from __future__ import annotations

import errno
import logging
import ssl
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from urllib.parse import quote

import pytest
from dovecot_support import (  # noqa: F401 - fixtures
    Dovecot,
    dovecot,
    dovecot_imap4rev1,
    dovecot_tls,
)

from mailfeed.gateway.imap import (
    CONNECTION_ERRORS,
    ImapPoller,
    ImapState,
    describe_mail,
    parse_imap_url,
)
from mailfeed.gateway.spool import Spool
from mailfeed.settings import Settings, build_gateway_config

DONE = "Mailfeed.Done"  # Dovecot's Maildir++ layout uses "." where the URL says "/"


def mail(n: int | str, *, to: str = "feed@firma.test", extra: str = "") -> bytes:
    return (
        f"Delivered-To: {to}\r\n"
        f"From: Anna Berg <anna@firma.test>\r\n"
        f"To: team@firma.test\r\nCc: {to}\r\n"
        f"Subject: Fråga {n}\r\n"
        f"Message-ID: <q{n}.20261126@firma.test>\r\n"
        f"Date: Thu, 26 Nov 2026 10:00:00 +0100\r\n{extra}"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Vet någon hur man bokar rum {n}?\r\n"
    ).encode()


def message_ids(spool: Spool) -> list[str]:
    ids = []
    for entry in spool.pending():
        key, _hash, _rcpts = describe_mail(entry.read())
        ids.append(key)
    return ids


def folder_uids(server: Dovecot, folder: str) -> list[int]:
    client = server.client()
    try:
        client.select_folder(folder, readonly=True)
        return sorted(client.search())
    finally:
        client.logout()


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def spool(tmp_path: Path) -> Spool:
    return Spool(tmp_path / "spool")


@pytest.fixture
def make_poller(data_dir: Path, spool: Spool) -> Iterator[Callable[..., ImapPoller]]:
    made: list[ImapPoller] = []

    def make(url: str, **options: object) -> ImapPoller:
        options = {
            "backoff_initial": 0.1,
            "backoff_max": 0.5,
            "timeout": 5.0,
            "idle_renew": 60.0,
            **options,
        }
        poller = ImapPoller(url, data_dir, options.pop("spool", spool), **options)  # type: ignore[arg-type]
        made.append(poller)
        return poller

    yield make
    for poller in made:
        poller.stop()


# -- the URL ------------------------------------------------------------------------------


def test_url_forms_and_percent_decoded_credentials() -> None:
    t = parse_imap_url("imaps://feed%40firma.se:p%40ss%3Aw%2Fd@mail.firma.se/INBOX")
    assert (t.host, t.port, t.username, t.password, t.folder, t.tls) == (
        "mail.firma.se",
        993,
        "feed@firma.se",
        "p@ss:w/d",
        "INBOX",
        "implicit",
    )
    t = parse_imap_url("imap://u:p@Mail.Firma.se:1143/Shared%20Feed?done=Arkiv/Klart")
    assert (t.host, t.port, t.folder, t.tls, t.done_folder) == (
        "mail.firma.se",
        1143,
        "Shared Feed",
        "auto",
        "Arkiv/Klart",
    )
    assert parse_imap_url("imap://u:p@h").port == 143
    assert parse_imap_url("imap://u:p@h").folder == "INBOX"
    assert parse_imap_url("imap://u:p@127.0.0.1:1/INBOX?tls=none").tls == "none"
    assert "p@ss" not in repr(parse_imap_url("imaps://u:p%40ss@h/INBOX"))
    for bad in (
        "http://u:p@h/INBOX",
        "imap://h/INBOX",
        "imap://u:p@h/?tls=maybe",
        "imaps://u:p@h/?tls=none",
        "imap://u:p@h/?colour=blue",
        "imap://u:p@h:99999/",
    ):
        with pytest.raises(ValueError):
            parse_imap_url(bad)


def test_from_settings_keeps_state_in_the_data_dir(data_dir: Path, spool: Spool) -> None:
    settings = Settings(data_dir=data_dir, imap_url="imap://u:p@127.0.0.1:1/INBOX?tls=none")
    poller = ImapPoller.from_settings(build_gateway_config(settings), spool)
    assert poller.state_path.parent == data_dir
    with pytest.raises(ValueError):
        ImapPoller.from_settings(build_gateway_config(Settings(data_dir=data_dir)), spool)


# -- the stories ----------------------------------------------------------------------------


def test_mail_in_the_inbox_is_spooled_and_moved_to_done(
    dovecot: Dovecot, spool: Spool, make_poller: Callable[..., ImapPoller]
) -> None:  # noqa: F811
    dovecot.deliver(mail(1))
    dovecot.deliver(mail(2, to="feed+t42.k7c9@firma.test"))
    poller = make_poller(dovecot.url)

    assert poller.run_once() == 2

    entries = sorted(spool.pending(), key=lambda e: e.rcpts)
    assert [e.source for e in entries] == ["imap", "imap"]
    assert [e.rcpts for e in entries] == [("feed+t42.k7c9@firma.test",), ("feed@firma.test",)]
    assert entries[1].read() == mail(1)
    assert folder_uids(dovecot, "INBOX") == []
    assert len(folder_uids(dovecot, DONE)) == 2
    state = ImapState.load(poller.state_path)
    assert state.uidvalidity and state.last_uid == 2


def test_a_restarted_poller_spools_nothing_twice(
    dovecot: Dovecot, spool: Spool, make_poller: Callable[..., ImapPoller]
) -> None:  # noqa: F811
    dovecot.deliver(mail(1))
    dovecot.deliver(mail(2))
    assert make_poller(dovecot.url).run_once() == 2
    # Someone copies a handled mail back into the inbox (or a move was lost): a new UID,
    # but the same Message-ID.
    client = dovecot.client()
    client.select_folder(DONE)
    client.copy(client.search()[:1], "INBOX")
    client.logout()
    dovecot.deliver(mail(3))

    again = make_poller(dovecot.url)  # a new process: only the state file connects them
    assert again.run_once() == 1

    assert sorted(message_ids(spool)) == sorted(set(message_ids(spool)))
    assert spool.depth() == 3
    assert folder_uids(dovecot, "INBOX") == []
    assert len(folder_uids(dovecot, DONE)) == 4


def test_idle_picks_up_new_mail_within_seconds_and_stop_is_prompt(
    dovecot: Dovecot, spool: Spool, make_poller: Callable[..., ImapPoller]
) -> None:  # noqa: F811
    poller = make_poller(dovecot.url, poll_interval=600.0)  # only IDLE can be this quick
    poller.start()
    time.sleep(0.5)  # connected and idling
    dovecot.deliver(mail(1))
    # The poll interval is ten minutes: within a generous bound only IDLE brings it (no
    # clock is asserted; a loaded machine only makes this slower, never wrong).
    wait_for(lambda: spool.depth() == 1, 60.0, "the IDLE push")
    wait_for(lambda: folder_uids(dovecot, "INBOX") == [], 60.0, "the move to Done")

    # Stopping leaves IDLE instead of waiting out the poll interval or the IDLE renewal.
    poller.stop(timeout=30.0)
    assert not poller.is_alive()


def test_mail_arriving_while_the_poller_works_is_not_left_for_the_next_idle_renewal(
    dovecot: Dovecot, spool: Spool, make_poller: Callable[..., ImapPoller]
) -> None:  # noqa: F811
    class BusyMailbox(Spool):
        """While the first mail is being spooled, the next one lands in the Maildir."""

        def put(
            self,
            raw: bytes,
            *,
            mail_from: str = "",
            rcpts: Sequence[str] = (),
            source: str = "smtp",
        ) -> str:
            if self.depth() == 0:
                dovecot.deliver(mail(2))
            return super().put(raw, mail_from=mail_from, rcpts=rcpts, source=source)

    dovecot.deliver(mail(1))
    # The server announces mail 2 in its reply to the MOVE of mail 1; IDLE will not repeat it.
    poller = make_poller(dovecot.url, spool=BusyMailbox(spool.root), idle_renew=600.0)
    poller.start()
    wait_for(lambda: spool.depth() == 2, 3.0, "the mail that came in meanwhile")


def test_polling_without_idle_still_finds_mail(
    dovecot: Dovecot, spool: Spool, make_poller: Callable[..., ImapPoller]
) -> None:  # noqa: F811
    poller = make_poller(dovecot.url, use_idle=False, poll_interval=0.3)
    poller.start()
    time.sleep(0.3)
    dovecot.deliver(mail(1))
    wait_for(lambda: spool.depth() == 1, 3.0, "the next poll")


def test_a_plain_imap4rev1_server_is_polled_and_gets_copy_delete_expunge(
    dovecot_imap4rev1: Dovecot,
    spool: Spool,  # noqa: F811
    make_poller: Callable[..., ImapPoller],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="mailfeed.gateway.imap")
    server = dovecot_imap4rev1
    client = server.client()
    assert not client.has_capability("IDLE") and not client.has_capability("MOVE")
    client.select_folder("INBOX")
    client.append("INBOX", b"Subject: a user's own deleted mail\r\n\r\nx\r\n", flags=[b"\\Deleted"])
    client.logout()
    poller = make_poller(server.url, poll_interval=0.3)  # IDLE allowed, but not offered
    poller.start()
    time.sleep(0.3)
    server.deliver(mail(1))
    server.deliver(mail(2))
    wait_for(lambda: spool.depth() == 2, 3.0, "the next poll")
    wait_for(lambda: len(folder_uids(server, DONE)) == 2, 3.0, "the copy to Done")
    assert caplog.records == []  # polled in one session, not by failing and reconnecting
    # Without UIDPLUS an EXPUNGE would also destroy the user's own \Deleted mail, so the
    # handled copies are left flagged until the user's client expunges.
    wait_for(lambda: unflagged(server) == [], 3.0, "the \\Deleted flags")
    assert len(folder_uids(server, "INBOX")) == 3
    poller.stop()

    client = server.client()
    client.select_folder("INBOX")
    client.expunge()  # the user's client empties the trash
    client.logout()
    server.deliver(mail(3))
    assert make_poller(server.url).run_once() == 1
    assert folder_uids(server, "INBOX") == []  # alone with its own mail, it expunges
    assert len(folder_uids(server, DONE)) == 3


def unflagged(server: Dovecot) -> list[int]:
    client = server.client()
    try:
        client.select_folder("INBOX", readonly=True)
        return sorted(client.search(["NOT", "DELETED"]))
    finally:
        client.logout()


def test_dovecot_killed_mid_idle_then_back_no_mail_lost_or_doubled(
    dovecot: Dovecot, spool: Spool, make_poller: Callable[..., ImapPoller]
) -> None:  # noqa: F811
    poller = make_poller(dovecot.url)
    poller.start()
    dovecot.deliver(mail(1))
    wait_for(lambda: spool.depth() == 1, 5.0, "the first mail")
    time.sleep(0.3)  # back in IDLE

    dovecot.kill()
    dovecot.deliver(mail(2))  # arrives while the server is down
    time.sleep(1.0)  # the poller notices and backs off, more than once
    assert poller.is_alive()
    dovecot.start()
    wait_for(lambda: spool.depth() == 2, 5.0, "the reconnect")
    time.sleep(0.3)
    dovecot.deliver(mail(3))
    wait_for(lambda: spool.depth() == 3, 5.0, "IDLE after the reconnect")

    keys = message_ids(spool)
    assert len(keys) == len(set(keys)) == 3
    wait_for(lambda: folder_uids(dovecot, "INBOX") == [], 3.0, "the moves")
    assert len(folder_uids(dovecot, DONE)) == 3


def test_uidvalidity_change_rescans_without_doubles(
    dovecot: Dovecot, spool: Spool, make_poller: Callable[..., ImapPoller]
) -> None:  # noqa: F811
    client = dovecot.client()
    client.create_folder("Feed")
    client.append("Feed", mail(1))
    client.append("Feed", mail(2))
    url = dovecot.url.replace("/INBOX?", "/Feed?")
    poller = make_poller(url)
    assert poller.run_once() == 2
    before = ImapState.load(poller.state_path)
    assert before.last_uid == 2

    # The folder is rebuilt (restored from a backup, migrated server): UIDs start over,
    # and one already handled mail is back.
    client.delete_folder("Feed")
    client.create_folder("Feed")
    client.append("Feed", mail(1))
    client.append("Feed", mail(3))
    assert client.folder_status("Feed", [b"UIDVALIDITY"])[b"UIDVALIDITY"] != before.uidvalidity
    client.logout()

    assert make_poller(url).run_once() == 1  # mail 3 has UID 2: not above the old last UID

    assert spool.depth() == 3
    keys = message_ids(spool)
    assert len(set(keys)) == 3
    assert folder_uids(dovecot, "Feed") == []


def test_mail_the_spool_cannot_take_stays_in_the_mailbox(
    dovecot: Dovecot, spool: Spool, make_poller: Callable[..., ImapPoller]
) -> None:  # noqa: F811
    class FullDisk(Spool):
        """The real spool, with a disk that fills up after the first mail."""

        def put(
            self,
            raw: bytes,
            *,
            mail_from: str = "",
            rcpts: Sequence[str] = (),
            source: str = "smtp",
        ) -> str:
            if self.depth() >= 1:
                raise OSError(errno.ENOSPC, "No space left on device")
            return super().put(raw, mail_from=mail_from, rcpts=rcpts, source=source)

    dovecot.deliver(mail(1))
    dovecot.deliver(mail(2))
    dovecot.deliver(mail(3))
    full = FullDisk(spool.root)
    assert make_poller(dovecot.url, spool=full, retry_interval=0.0).run_once() == 1
    assert len(folder_uids(dovecot, "INBOX")) == 2  # mails 2 and 3 wait in the inbox
    assert len(folder_uids(dovecot, DONE)) == 1

    spool.done(next(spool.pending()))  # the worker took mail 1; there is room again
    assert make_poller(dovecot.url, spool=full).run_once() == 1
    spool.done(next(spool.pending()))
    assert make_poller(dovecot.url, spool=full).run_once() == 1
    assert folder_uids(dovecot, "INBOX") == []
    assert len(folder_uids(dovecot, DONE)) == 3


def test_server_lost_between_spooling_and_moving_spools_once_moves_later(
    dovecot: Dovecot, spool: Spool, make_poller: Callable[..., ImapPoller]
) -> None:  # noqa: F811
    class ServerDiesAfterPut(Spool):
        """The mail is safe on disk, and that very moment Dovecot goes away."""

        def put(
            self,
            raw: bytes,
            *,
            mail_from: str = "",
            rcpts: Sequence[str] = (),
            source: str = "smtp",
        ) -> str:
            entry_id = super().put(raw, mail_from=mail_from, rcpts=rcpts, source=source)
            dovecot.kill()
            return entry_id

    dovecot.deliver(mail(1))
    with pytest.raises(CONNECTION_ERRORS):
        make_poller(dovecot.url, spool=ServerDiesAfterPut(spool.root)).run_once()
    assert spool.depth() == 1
    dovecot.start()
    assert folder_uids(dovecot, "INBOX") != []  # the move never happened

    assert make_poller(dovecot.url).run_once() == 0

    assert spool.depth() == 1
    assert folder_uids(dovecot, "INBOX") == []
    assert len(folder_uids(dovecot, DONE)) == 1


def test_a_broken_message_is_spooled_raw(
    dovecot: Dovecot, spool: Spool, make_poller: Callable[..., ImapPoller]
) -> None:  # noqa: F811
    garbage = b"this is not a mail at all\r\n\xff\xfe\x80 binary:: junk\r\n: : :\r\n\r\n--\r\n"
    dovecot.deliver(garbage)
    dovecot.deliver(garbage)  # twice, byte for byte: the content hash sees one mail

    assert make_poller(dovecot.url).run_once() == 1

    (entry,) = spool.pending()
    assert entry.read() == garbage
    assert entry.rcpts == ()
    assert folder_uids(dovecot, "INBOX") == []


# -- TLS -----------------------------------------------------------------------------------


def tls_url(server: Dovecot, scheme: str, port: int, query: str = "") -> str:
    return f"{scheme}://{server.user}:{quote(server.password, safe='')}@127.0.0.1:{port}/INBOX" + (
        f"?{query}" if query else ""
    )


def test_imaps_and_starttls_verify_the_server_certificate(
    dovecot_tls: Dovecot, spool: Spool, make_poller: Callable[..., ImapPoller]
) -> None:  # noqa: F811
    trusting = ssl.create_default_context(cafile=str(dovecot_tls.cafile))
    dovecot_tls.deliver(mail(1))
    dovecot_tls.deliver(mail(2))

    # imap:// upgrades with STARTTLS because the server offers it, so an untrusted
    # certificate stops it before the password is sent.
    with pytest.raises(ssl.SSLCertVerificationError):
        make_poller(tls_url(dovecot_tls, "imap", dovecot_tls.port)).run_once()
    with pytest.raises(ssl.SSLCertVerificationError):
        make_poller(tls_url(dovecot_tls, "imaps", dovecot_tls.imaps_port)).run_once()
    assert spool.depth() == 0

    imaps = make_poller(tls_url(dovecot_tls, "imaps", dovecot_tls.imaps_port), ssl_context=trusting)
    assert imaps.run_once() == 2
    dovecot_tls.deliver(mail(3))
    starttls = make_poller(
        tls_url(dovecot_tls, "imap", dovecot_tls.port, "tls=starttls"), ssl_context=trusting
    )
    assert starttls.run_once() == 1
    assert spool.depth() == 3


def test_tls_starttls_refuses_a_server_without_it(
    dovecot: Dovecot, spool: Spool, make_poller: Callable[..., ImapPoller]
) -> None:  # noqa: F811
    dovecot.deliver(mail(1))
    with pytest.raises(CONNECTION_ERRORS, match="STARTTLS"):
        make_poller(tls_url(dovecot, "imap", dovecot.port, "tls=starttls")).run_once()
    assert spool.depth() == 0
    # Without the option, imap:// falls back to plain text when STARTTLS is not offered.
    assert make_poller(tls_url(dovecot, "imap", dovecot.port)).run_once() == 1
