"""A journal copy of a long unanswered question: one invitation to its asker, whose link
shows the thread and publishes it only when the button is pressed (issue 4's story).

Anna's question went around five days and five mails without an answer.  The gateway
sees the journal copy, mails Anna once; a mail scanner opening the link publishes
nothing; Anna presses the button and the thread is on the feed.
"""

from __future__ import annotations

import http.cookiejar
import re
import smtplib
import urllib.parse
import urllib.request

from tests.conftest import DATA
from tests.gateway_support import gateway_factory, relay_sink  # noqa: F401 - fixtures

CHAIN = (DATA / "e2e" / "outlook_sv_five_days.eml").read_bytes()
JOURNAL = "journal@firma.se"


def test_a_journal_copy_invites_the_asker_once_and_the_button_publishes(
    gateway_factory, relay_sink
):
    gw = gateway_factory(
        {
            "MAILFEED_RELAY": f"127.0.0.1:{relay_sink.port}",
            "MAILFEED_MONITOR_ADDRESSES": JOURNAL,
            "MAILFEED_AUTH": "magic-link",
        }
    )
    with smtplib.SMTP("127.0.0.1", gw.smtp_port, timeout=10) as c:
        c.sendmail("johan.lind@firma.se", [JOURNAL], CHAIN)
        c.sendmail("johan.lind@firma.se", [JOURNAL], CHAIN)  # the journal's second copy
    [invite] = relay_sink.wait_for(1)
    assert invite.rcpts == ["anna.berg@firma.se"]
    text = invite.message.get_content()
    publish_url = re.search(r"http://\S+/suggest/\S+", text).group(0)
    assert publish_url.startswith(gw.base_url)
    assert invite.message["Auto-Submitted"] == "auto-replied"

    # Opening the link (as Safe Links would) shows the thread and publishes nothing.
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(publish_url.replace(gw.base_url, gw.base_url), timeout=10).read().decode()
    assert "Boka stora konferensrummet för externa gäster?" in page
    assert "Maria Holm" in page and "konferensrummet på plan 5" in page
    db = gw.data_dir / "mailfeed.sqlite3"
    import sqlite3

    con = sqlite3.connect(db)
    assert con.execute("select count(*) from thread").fetchone()[0] == 0

    # A forged link is refused.
    status, _, _ = gw.get("/suggest/" + publish_url.rsplit("/", 1)[1][:-3] + "xyz")
    assert status == 410

    # The button (POST with the page's CSRF token) publishes, once.
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf_token": token}).encode()
    done = opener.open(urllib.request.Request(publish_url, data=form), timeout=10)
    assert "/t/1-" in done.geturl()
    opener.open(urllib.request.Request(publish_url, data=form), timeout=10)  # a double click
    assert con.execute("select count(*) from thread").fetchone()[0] == 1
    assert con.execute("select count(*) from post").fetchone()[0] == 5
    assert con.execute("select origin, kind from thread").fetchone() == ("monitor", "question")
    # Now everyone on the chain gets the link, as with a CC; Anna's invite was the only other.
    mails = relay_sink.wait_for(5)
    assert sorted(r for m in mails[1:] for r in m.rcpts) == [
        "anna.berg@firma.se",
        "erik.sandberg@firma.se",
        "johan.lind@firma.se",
        "maria.holm@firma.se",
    ]
    con.close()


def answered_copy() -> bytes:
    """The same five-day chain, but its last message says the question is solved."""
    from email import message_from_bytes, policy

    msg = message_from_bytes(CHAIN, policy=policy.default)
    text = msg.get_body(("plain",)).get_content()
    solved = text.replace(
        "Jag lägger in frågan i flödet, där kanske någon som inte står på listan vet.",
        "Tack Maria, det löste sig! Receptionen fixade det.",
    )
    assert solved != text
    msg.replace_header("Message-ID", "<answered.1@firma.se>")
    msg.clear_content()  # text only now: the HTML part would still say the old words
    msg.set_content(solved.replace("\r\n", "\n"))
    return msg.as_bytes(policy=policy.SMTP)


def test_a_short_or_answered_chain_gets_no_invitation(gateway_factory, relay_sink):
    gw = gateway_factory(
        {"MAILFEED_RELAY": f"127.0.0.1:{relay_sink.port}", "MAILFEED_MONITOR_ADDRESSES": JOURNAL}
    )
    short = (
        b"From: Anna Berg <anna.berg@firma.se>\r\nTo: johan.lind@firma.se\r\n"
        b"Subject: Lunch?\r\nMessage-ID: <short.1@firma.se>\r\n"
        b"Date: Tue, 24 Nov 2026 09:00:00 +0100\r\n\r\nVet nagon var vi ater?\r\n"
    )
    answered = answered_copy()
    with smtplib.SMTP("127.0.0.1", gw.smtp_port, timeout=10) as c:
        c.sendmail("anna.berg@firma.se", [JOURNAL], short)
        c.sendmail("johan.lind@firma.se", [JOURNAL], answered)
    import sqlite3
    import time

    con = sqlite3.connect(gw.data_dir / "mailfeed.sqlite3")
    gw.wait_until(lambda: con.execute("select count(*) from mail_message").fetchone()[0] == 2)
    reasons = [r[0] for r in con.execute("select reason from mail_message order by id")]
    assert "too short" in reasons[0] and "answered" in reasons[1]
    time.sleep(1.5)
    assert relay_sink.mails == []
    con.close()
