"""The whole gateway reading a mailbox: `mailfeed serve` with MAILFEED_IMAP_URL against a
real Dovecot.  Mail delivered to the mailbox becomes a thread, the link replies go out,
and the message moves to Mailfeed/Done; a restart publishes nothing twice."""

from __future__ import annotations

import time

from dovecot_support import Dovecot, dovecot  # noqa: F401 - fixture

from tests.conftest import DATA
from tests.gateway_support import gateway_factory, relay_sink  # noqa: F401 - fixtures

CHAIN = (DATA / "e2e" / "outlook_sv_five_days.eml").read_bytes()


def test_a_thread_delivered_to_the_mailbox_reaches_the_feed(
    dovecot: Dovecot, gateway_factory, relay_sink
) -> None:
    gw = gateway_factory(
        {"MAILFEED_IMAP_URL": dovecot.url, "MAILFEED_RELAY": f"127.0.0.1:{relay_sink.port}"}
    )
    # As the MTA's local delivery writes it: the envelope recipient as Delivered-To.
    dovecot.deliver(b"Delivered-To: feed@firma.se\r\n" + CHAIN)
    threads = gw.wait_until(lambda: gw.api("/api/threads")["threads"], timeout=15)
    assert threads[0]["subject"] == "Boka stora konferensrummet för externa gäster?"
    assert threads[0]["posts"] == 5
    assert len(relay_sink.wait_for(4)) == 4  # Johan, Anna, Erik, Maria

    client = dovecot.client()
    try:
        client.select_folder("INBOX")
        assert client.search("ALL") == []
        done = [name for _flags, _sep, name in client.list_folders() if "Done" in name]
        client.select_folder(done[0])
        assert len(client.search("ALL")) == 1
    finally:
        client.logout()

    gw.stop()
    gw.start()
    time.sleep(2)
    assert len(gw.api("/api/threads")["threads"]) == 1
    assert len(relay_sink.mails) == 4
