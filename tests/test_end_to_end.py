"""The walking skeleton, end to end, with every real part: SMTP in, web and link mail out.

Anna's question about the conference room went around by mail for five days; Johan CCs
the gateway.  The thread appears on the feed with five posts, oldest first, and everyone
on the mail gets one link reply, threaded under Johan's mail.
"""

from __future__ import annotations

import smtplib
import sqlite3
from email import message_from_bytes, message_from_string, policy
from email.utils import getaddresses
from pathlib import Path

import pytest

from tests.conftest import DATA
from tests.gateway_support import gateway_factory, relay_sink  # noqa: F401 - fixtures

CHAIN = (DATA / "e2e" / "outlook_sv_five_days.eml").read_bytes()
GATEWAY = "feed@firma.se"


def send(
    port: int, raw: bytes, sender: str = "johan.lind@firma.se", rcpts: tuple[str, ...] = (GATEWAY,)
) -> dict[str, tuple[int, bytes]]:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        return client.sendmail(sender, list(rcpts), raw)


def participants(raw: bytes) -> set[str]:
    msg = message_from_bytes(raw, policy=policy.compat32)
    fields = msg.get_all("From", []) + msg.get_all("To", []) + msg.get_all("Cc", [])
    return {a.lower() for _, a in getaddresses(fields)} - {GATEWAY}


def test_cc_thread_becomes_feed_thread_and_everyone_gets_one_link(gateway_factory, relay_sink):
    gw = gateway_factory({"MAILFEED_RELAY": f"127.0.0.1:{relay_sink.port}"})
    send(gw.smtp_port, CHAIN)

    threads = gw.wait_until(lambda: gw.api("/api/threads")["threads"], timeout=5)
    assert len(threads) == 1
    thread = threads[0]
    assert thread["subject"] == "Boka stora konferensrummet för externa gäster?"
    assert thread["posts"] == 5
    assert thread["url"].startswith(gw.base_url + "/t/")

    detail = gw.api(f"/api/threads/{thread['id']}")
    authors = [p["author"]["email"] for p in detail["posts"]]
    assert authors == [
        "anna.berg@firma.se",
        "johan.lind@firma.se",
        "erik.sandberg@firma.se",
        "maria.holm@firma.se",
        "johan.lind@firma.se",
    ]
    assert detail["posts"][0]["author"]["name"] == "Anna Berg"
    assert detail["posts"][0]["date"].startswith("2026-11-19T09:12")
    assert detail["posts"][-1]["date"] == "2026-11-23T16:40:11+01:00"
    assert "konferensrummet på plan 5" in detail["posts"][0]["body"]
    for post in detail["posts"]:
        assert "Från:" not in post["body"] and "Skickat:" not in post["body"]
    assert "070-123 45 67" not in detail["posts"][3]["body"]  # Maria's signature is trimmed

    status, page, _ = gw.get(thread["url"].removeprefix(gw.base_url))
    html = page.decode()
    assert status == 200
    assert "Boka stora konferensrummet för externa gäster?" in html
    for name in ("Anna Berg", "Johan Lind", "Erik Sandberg", "Maria Holm"):
        assert name in html

    # One link reply per internal participant, threaded under Johan's mail.
    expected = participants(CHAIN)
    mails = relay_sink.wait_for(len(expected))
    assert sorted(r for m in mails for r in m.rcpts) == sorted(expected)
    original_id = "<DB9PR07MB7771A0C5B2E8F1A0D3C4E5F6A7B8@DB9PR07MB7771.eurprd07.prod.outlook.com>"
    for caught in mails:
        msg = caught.message
        assert msg["In-Reply-To"] == original_id
        assert msg["References"].split()[-1] == original_id
        first = "<AM0PR07MB1111ANNA@AM0PR07MB1111.eurprd07.prod.outlook.com>"
        assert msg["References"].split()[0] == first
        assert msg["Auto-Submitted"] == "auto-replied"
        assert msg["X-Auto-Response-Suppress"] == "All"
        assert msg["Message-ID"].endswith("@firma.se>")
        assert msg["Subject"].startswith("SV: ")  # Swedish thread, Swedish reply
        assert thread["url"] in msg.get_content()
        assert "flödet" in msg.get_content()

    # The same mail again (a retry, a second CC) makes no second thread and no second link.
    send(gw.smtp_port, CHAIN)
    marker = (
        b"From: Anna Berg <anna.berg@firma.se>\r\nTo: feed@firma.se\r\n"
        b"Subject: Var parkerar gaster?\r\nMessage-ID: <marker.1@firma.se>\r\n"
        b"Date: Tue, 24 Nov 2026 08:00:00 +0100\r\n\r\nVet nagon var gaster parkerar?\r\n"
    )
    send(gw.smtp_port, marker, sender="anna.berg@firma.se")  # processed after the duplicate
    gw.wait_until(lambda: len(gw.api("/api/threads")["threads"]) >= 2 or None, timeout=5)
    assert len(gw.api("/api/threads")["threads"]) == 2
    assert len(relay_sink.wait_for(len(expected) + 1)) == len(expected) + 1  # Anna's link only


def test_rcpt_to_unknown_address_is_refused(gateway_factory):
    gw = gateway_factory()
    with smtplib.SMTP("127.0.0.1", gw.smtp_port, timeout=10) as client:
        client.ehlo("test")
        client.mail("anna.berg@firma.se")
        code, text = client.rcpt("someone.else@firma.se")
        assert code == 550 and text.startswith(b"5.1.1")
        code, _ = client.rcpt("feed+t12.abc@firma.se")  # per-thread reply address
        assert code == 250


def test_oversize_mail_is_refused_with_552_5_3_4(gateway_factory):
    gw = gateway_factory({"MAILFEED_MAX_MESSAGE_SIZE": "100000"})
    big = CHAIN + b"\r\n" + (b"x" * 70 + b"\r\n") * 2000
    # A client that declares SIZE (RFC 1870) is refused at MAIL FROM ...
    with pytest.raises(smtplib.SMTPSenderRefused) as refused:
        send(gw.smtp_port, big)
    assert refused.value.smtp_code == 552 and refused.value.smtp_error.startswith(b"5.3.4")
    # ... one that does not, after DATA.
    with smtplib.SMTP("127.0.0.1", gw.smtp_port, timeout=10) as client:
        client.ehlo("test")
        assert client.mail("johan.lind@firma.se")[0] == 250
        assert client.rcpt(GATEWAY)[0] == 250
        code, text = client.data(big)
        assert code == 552 and text.startswith(b"5.3.4")
    with smtplib.SMTP("127.0.0.1", gw.smtp_port, timeout=10) as client:
        client.ehlo("test")
        assert client.has_extn("size") and client.esmtp_features["size"] == "100000"
        assert client.has_extn("smtputf8") and client.has_extn("8bitmime")


def test_long_lines_are_accepted(gateway_factory):
    gw = gateway_factory()
    one_line_html = CHAIN.replace(
        b"Jag l=C3=A4gger in", b"Jag " + b"la " * 2000 + b"l=C3=A4gger in"
    )
    long_line = b"X-Long: " + b"a" * 5000 + b"\r\n"
    assert send(gw.smtp_port, long_line + one_line_html) == {}


def test_auto_reply_gets_no_answer(gateway_factory, relay_sink):
    gw = gateway_factory({"MAILFEED_RELAY": f"127.0.0.1:{relay_sink.port}"})
    auto = (
        b"Auto-Submitted: auto-replied\r\nFrom: Erik Sandberg <erik.sandberg@firma.se>\r\n"
        b"To: feed@firma.se\r\nSubject: Automatiskt svar: Boka rummet\r\n"
        b"Message-ID: <oof.1@firma.se>\r\nDate: Mon, 23 Nov 2026 16:41:00 +0100\r\n\r\n"
        b"Jag \xc3\xa4r ledig till och med 30 november.\r\n"
    )
    send(gw.smtp_port, auto, sender="erik.sandberg@firma.se")
    send(gw.smtp_port, CHAIN)  # processed after the auto-reply
    gw.wait_until(lambda: gw.api("/api/threads")["threads"], timeout=5)
    mails = relay_sink.wait_for(len(participants(CHAIN)))
    assert all(m.message["In-Reply-To"] != "<oof.1@firma.se>" for m in mails)
    assert len(gw.api("/api/threads")["threads"]) == 1
    assert len(relay_sink.mails) == len(participants(CHAIN))


def test_demo_mode_seeds_threads_and_the_readme_swaks_command_works(gateway_factory):
    """The README's quick start: `serve --demo`, then swaks with the example thread."""
    import subprocess

    from tests.conftest import require_tool

    swaks = require_tool("swaks")
    gw = gateway_factory(
        {"MAILFEED_GATEWAY_ADDRESSES": "feed@localhost", "MAILFEED_AUTH": "magic-link"}, "--demo"
    )
    demo = gw.wait_until(lambda: len(gw.api("/api/threads")["threads"]) >= 5 or None)
    assert demo
    subjects = {t["subject"] for t in gw.api("/api/threads")["threads"]}
    assert "Vem har nyckel till förrådet på plan 3?" in subjects  # Swedish demo
    assert "Who owns the printer on floor 2?" in subjects  # and English
    done = subprocess.run(
        [
            swaks,
            "--server",
            f"127.0.0.1:{gw.smtp_port}",
            "--from",
            "johan.lind@firma.se",
            "--to",
            "feed@localhost",
            "--data",
            str(DATA / "e2e" / "outlook_sv_five_days.eml"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "250 2.0.0 Ok: queued" in done.stdout, done.stdout + done.stderr
    gw.wait_until(lambda: len(gw.api("/api/threads")["threads"]) == 6 or None)
    status, page, _ = gw.get("/outbox")
    assert status == 200
    for person in ("anna.berg@firma.se", "erik.sandberg@firma.se", "maria.holm@firma.se"):
        assert person.encode() in page
    assert b"feed@firma.se</td>" not in page  # no link mail to the gateway itself


def test_confidential_mail_is_refused_and_only_its_headers_are_kept(gateway_factory, relay_sink):
    # A notice goes only to an authenticated sender (no backscatter): the border MTA says so.
    gw = gateway_factory(
        {
            "MAILFEED_RELAY": f"127.0.0.1:{relay_sink.port}",
            "MAILFEED_TRUSTED_AUTHSERV_IDS": "mx.firma.se",
        }
    )
    secret = (
        b"Authentication-Results: mx.firma.se; dmarc=pass header.from=firma.se\r\n"
        b"From: Anna Berg <anna.berg@firma.se>\r\nTo: feed@firma.se\r\n"
        b"Subject: [Konfidentiellt] Omorganisation av ekonomi\r\n"
        b"Sensitivity: Company-Confidential\r\n"
        b"Message-ID: <secret.1@firma.se>\r\nDate: Tue, 24 Nov 2026 09:00:00 +0100\r\n\r\n"
        b"Vet n\xc3\xa5gon hur vi ber\xc3\xa4ttar om neddragningen?\r\n"
    )
    send(gw.smtp_port, secret, sender="anna.berg@firma.se")
    [notice] = relay_sink.wait_for(1)
    assert notice.rcpts == ["anna.berg@firma.se"]  # told why, in one plain mail
    # Told why, in the sender's language (the reason comes from the deciding rule).
    assert "märkt som konfidentiellt" in notice.message.get_content()
    assert gw.api("/api/threads")["threads"] == []
    stored = [p.read_bytes() for p in (gw.data_dir / "raw").rglob("*.eml")]
    assert len(stored) == 1
    assert b"neddragningen" not in stored[0] and b"Subject: [Konfidentiellt]" in stored[0]


def test_smtputf8_mail_with_raw_utf8_headers_is_published(gateway_factory, relay_sink):
    """RFC 6531/6532: an internationalised sender and raw UTF-8 headers, end to end, and
    the link reply goes back to that address with SMTPUTF8."""
    gw = gateway_factory({"MAILFEED_RELAY": f"127.0.0.1:{relay_sink.port}"})
    raw = (
        "From: Åsa Öberg <åsa.öberg@firma.se>\r\nTo: feed@firma.se\r\n"
        "Subject: Vem äger skrivaren på plan två?\r\nMessage-ID: <utf8.1@firma.se>\r\n"
        "Date: Tue, 24 Nov 2026 09:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\nVet någon vem som äger skrivaren?\r\n"
    ).encode()
    with smtplib.SMTP("127.0.0.1", gw.smtp_port, timeout=10) as client:
        assert (
            client.sendmail(
                "åsa.öberg@firma.se", [GATEWAY], raw, mail_options=["SMTPUTF8", "BODY=8BITMIME"]
            )
            == {}
        )
    threads = gw.wait_until(lambda: gw.api("/api/threads")["threads"], timeout=5)
    assert threads[0]["subject"] == "Vem äger skrivaren på plan två?"
    post = gw.api(f"/api/threads/{threads[0]['id']}")["posts"][0]
    assert post["author"] == {"name": "Åsa Öberg", "email": "åsa.öberg@firma.se"}
    [link] = relay_sink.wait_for(1)
    assert link.rcpts == ["åsa.öberg@firma.se"]
    # Raw UTF-8 headers (the stdlib's bytes parser would read them as escaped ASCII).
    sent = message_from_string(link.raw.decode("utf-8"), policy=policy.default)
    assert sent["To"].addresses[0].addr_spec == "åsa.öberg@firma.se"
    assert sent["To"].addresses[0].display_name == "Åsa Öberg"


BAD_INPUT = {
    "garbage": b"\x00\xff\xfe not a mail at all \x81\x82\r\n\r\n\xc3\x28",
    "unknown_charset": (
        b"From: Anna Berg <anna.berg@firma.se>\r\nTo: feed@firma.se\r\n"
        b"Subject: =?x-klingon?Q?Fr=E5ga?=\r\n"
        b"Message-ID: <bad.charset@firma.se>\r\n"
        b"Content-Type: text/plain; charset=x-klingon\r\n\r\n"
        b"Vet n\xe5gon var nyckeln \xe4r?\r\n"
    ),
    "broken_mime": (
        b"From: Erik Sandberg <erik.sandberg@firma.se>\r\nTo: feed@firma.se\r\n"
        b"Subject: Trasig bilaga\r\nMessage-ID: <bad.mime@firma.se>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="nope"\r\n\r\n'
        b"--nope\r\nContent-Type: text/plain\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        b"VmV0IG7DpWdvbiB2YXIg!!!not base64###\r\n"
    ),  # and no closing boundary
}


def test_bad_input_is_kept_explained_and_the_gateway_keeps_running(gateway_factory):
    gw = gateway_factory()
    for raw in BAD_INPUT.values():
        assert send(gw.smtp_port, raw, sender="anna.berg@firma.se") == {}  # accepted, kept
    send(gw.smtp_port, CHAIN)  # a good mail after them still works
    gw.wait_until(lambda: any(t["posts"] == 5 for t in gw.api("/api/threads")["threads"]))
    db = sqlite3.connect(gw.data_dir / "mailfeed.sqlite3")
    rows = db.execute("select message_id, action, reason, raw_path from mail_message").fetchall()
    db.close()
    assert len(rows) == 4
    for _mid, action, reason, raw_path in rows:
        assert action in {"publish", "reject", "ignore"} and reason  # a stated decision
        assert Path(raw_path).is_file()  # the raw mail is kept
    by_id = {mid: action for mid, action, _r, _p in rows}
    assert by_id["bad.charset@firma.se"] == "publish"  # readable despite the charset
    assert by_id["bad.mime@firma.se"] == "publish"
    subjects = [t["subject"] for t in gw.api("/api/threads")["threads"]]
    assert any("Fr" in s and "ga" in s for s in subjects)
    assert list((gw.data_dir / "spool" / "failed").glob("*.msg")) == []
