"""Web replies reach the asker's inbox, threaded, with a one-click way out (RFC 8058).

Story: Anna's question went around by mail; Johan CCs the gateway and everyone gets the
link.  Erik answers on the feed: Anna (the asker) gets his answer as a mail from "Erik
Sandberg via Mailfeed", threaded under her link mail, and can answer it by mail.  Her
mail scanner opens the mute link (nothing happens); Johan adds a detail, which she also
gets, threaded under Erik's.  Then she presses "unsubscribe" in her mail client — a
cookieless POST — and Maria's reply no longer reaches her.  Nobody else was mailed:
they did not opt in, and nobody is ever mailed their own reply.
"""

# ruff: noqa: F811 - pytest fixtures imported from web_support arrive as parameters
from __future__ import annotations

import http.cookiejar
import re
import smtplib
import time
import urllib.parse
import urllib.request
from email.utils import parseaddr
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from web_support import (  # noqa: F401 - fixtures
    DOMAIN,
    add_thread,
    app,
    client,
    csrf_from,
    latest_mail,
    sign_in,
    web_db,
    web_settings,
)

from mailfeed.gateway.spool import Spool
from mailfeed.gateway.worker import Worker
from mailfeed.publisher import reactions, subscriptions
from mailfeed.publisher.db import Database
from mailfeed.publisher.models import AddressBounce, MailMessage, OutboundMail, Person, Thread
from mailfeed.settings import Settings, build_gateway_config, build_site
from tests.conftest import DATA
from tests.gateway_support import Caught, GatewayProcess, gateway_factory, relay_sink  # noqa: F401

CHAIN = (DATA / "e2e" / "outlook_sv_five_days.eml").read_bytes()
ANNA, JOHAN, ERIK, MARIA = (
    f"{n}@firma.se" for n in ("anna.berg", "johan.lind", "erik.sandberg", "maria.holm")
)
USER_HEADER = "X-Remote-User"


class Browser:
    """A person at the gateway's web app behind an SSO proxy: cookies and a user header."""

    def __init__(self, gw: GatewayProcess, user: str | None) -> None:
        self.base, self.user = gw.base_url, user
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def open(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(path if "://" in path else self.base + path, data=body)
        if self.user:
            request.add_header(USER_HEADER, self.user)
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    def reply(self, thread_path: str, text: str) -> None:
        status, page = self.open(thread_path)
        assert status == 200, page[:300]
        thread_id = re.match(r"/t/(\d+)", thread_path).group(1)  # type: ignore[union-attr]
        status, page = self.open(
            f"/t/{thread_id}/reply", {"csrf_token": csrf_from(page), "body": text}
        )
        assert status == 200, page[:300]


def comments_to(sink_mails: list[Caught], address: str) -> list[Caught]:
    return [m for m in sink_mails if address in m.rcpts and m.message["List-Id"]]


def settled(gw: GatewayProcess) -> bool:
    status, body, _ = gw.get("/metrics")
    return status == 200 and 'mailfeed_outbound{state="queued"} 0' in body.decode()


def test_web_replies_reach_the_asker_threaded_until_she_mutes(gateway_factory, relay_sink):
    gw = gateway_factory(
        {"MAILFEED_RELAY": f"127.0.0.1:{relay_sink.port}", "MAILFEED_AUTH": f"header:{USER_HEADER}"}
    )
    with smtplib.SMTP("127.0.0.1", gw.smtp_port, timeout=10) as c:
        c.sendmail(JOHAN, ["feed@firma.se"], CHAIN)
    link = gw.wait_until(lambda: [m for m in relay_sink.mails if ANNA in m.rcpts], timeout=15)[0]
    erik, johan, maria = Browser(gw, ERIK), Browser(gw, JOHAN), Browser(gw, MARIA)
    _, listing = erik.open("/api/threads")
    thread_path = urllib.parse.urlparse(re.search(r'"url": ?"([^"]+)"', listing)[1]).path
    thread_id = int(re.match(r"/t/(\d+)", thread_path)[1])  # type: ignore[index]

    erik.reply(thread_path, "Plan 5 är ledigt på torsdag, jag har bokat det.")
    first = gw.wait_until(lambda: comments_to(relay_sink.mails, ANNA), timeout=15)[0].message
    assert parseaddr(first["From"]) == ("Erik Sandberg via Mailfeed", "feed@firma.se")
    assert first["Reply-To"].startswith(f"feed+t{thread_id}.")
    assert first["In-Reply-To"] == link.message["Message-ID"]  # under her link mail
    assert "<DB9PR07MB7771A0C5B2E8F1A0D3C4E5F6A7B8@" in first["References"]
    assert first["Message-ID"].endswith("@firma.se>")
    assert first["List-Id"] == f"<thread-{thread_id}.firma.se>"
    assert first["List-Archive"] == f"<{gw.base_url}{thread_path}>"
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https_url, mailto = re.findall(r"<([^>]+)>", first["List-Unsubscribe"])
    assert https_url.startswith(f"{gw.base_url}/mute/t{thread_id}.")
    assert mailto.startswith(f"mailto:feed+mute.t{thread_id}.")
    assert "Plan 5 är ledigt på torsdag" in first.get_body(("plain",)).get_content()

    scanner = Browser(gw, None)  # Safe Links opens every link in a mail; that must not mute
    status, page = scanner.open(https_url)
    assert status == 200 and 'id="mute"' in page
    johan.reply(thread_path, "Nyckeln hämtas i receptionen.")
    second = gw.wait_until(lambda: comments_to(relay_sink.mails, ANNA)[1:], timeout=15)[0]
    assert second.message["In-Reply-To"] == first["Message-ID"]  # under Erik's mail
    assert parseaddr(second.message["From"])[0] == "Johan Lind via Mailfeed"

    # RFC 8058 §3.2: her mail client POSTs the body below, with no cookie and no token.
    status, page = scanner.open(https_url, {"List-Unsubscribe": "One-Click"})
    assert status == 200 and 'id="resume"' in page
    maria.reply(thread_path, "Glöm inte att anmäla gästerna i receptionen.")
    gw.wait_until(lambda: settled(gw), timeout=15)
    time.sleep(1.5)  # the sender's next round would deliver anything queued late
    assert len(comments_to(relay_sink.mails, ANNA)) == 2
    for writer in (ERIK, JOHAN, MARIA):  # not opted in; and never their own reply
        assert comments_to(relay_sink.mails, writer) == []


# -- the same rules, on the app and the worker directly -----------------------------------

PATH = "/t/{}-skrivaren-p-plan-3"


@pytest.fixture
def question(web_db: Database) -> int:
    return add_thread(
        web_db,
        "Skrivaren på plan 3?",
        [
            (f"anna@{DOMAIN}", "Anna", "Vet någon varför skrivaren strular?"),
            (f"johan@{DOMAIN}", "Johan", "Samma här."),
        ],
    )


def reply_as(client: FlaskClient, db: Database, who: str, thread_id: int, text: str) -> None:
    sign_in(client, db, who)
    page = client.get(PATH.format(thread_id)).get_data(as_text=True)
    response = client.post(
        f"/t/{thread_id}/reply", data={"csrf_token": csrf_from(page), "body": text}
    )
    assert response.status_code == 302


def comment_rows(db: Database) -> list[tuple[str, str]]:
    with db.session() as session:
        return [
            (r.recipient, r.idempotency_key)
            for r in session.scalars(
                select(OutboundMail)
                .where(OutboundMail.purpose == "comment")
                .order_by(OutboundMail.id)
            )
        ]


def test_a_participant_who_opts_in_is_mailed_too(
    client: FlaskClient, web_db: Database, question: int
) -> None:
    sign_in(client, web_db, f"johan@{DOMAIN}")
    page = client.get(PATH.format(question)).get_data(as_text=True)
    assert client.post(f"/t/{question}/mail", data={"state": "on"}).status_code == 400  # CSRF
    assert (
        client.post(
            f"/t/{question}/mail", data={"csrf_token": csrf_from(page), "state": "on"}
        ).status_code
        == 303
    )
    reply_as(client, web_db, f"bo@{DOMAIN}", question, "Byt tonern.")
    assert sorted(r for r, _ in comment_rows(web_db)) == [f"anna@{DOMAIN}", f"johan@{DOMAIN}"]
    assert (
        "Byt tonern." in latest_mail(web_db, f"johan@{DOMAIN}").get_body(("plain",)).get_content()
    )


def test_only_participants_may_opt_in(client: FlaskClient, web_db: Database, question: int) -> None:
    sign_in(client, web_db, f"bo@{DOMAIN}")  # never wrote in the thread
    page = client.get(PATH.format(question)).get_data(as_text=True)
    response = client.post(
        f"/t/{question}/mail", data={"csrf_token": csrf_from(page), "state": "on"}
    )
    assert response.status_code == 403


def test_the_asker_replying_on_the_web_is_not_mailed(
    client: FlaskClient, web_db: Database, question: int
) -> None:
    reply_as(client, web_db, f"anna@{DOMAIN}", question, "Tack, nu fungerar den.")
    assert comment_rows(web_db) == []


def test_one_mail_per_post_and_recipient(
    web_settings: Settings, web_db: Database, question: int
) -> None:
    site = build_site(web_settings)
    with web_db.session() as session:
        thread = session.get(Thread, question)
        bo = Person(email=f"bo@{DOMAIN}", name="Bo")
        session.add(bo)
        session.flush()
        assert thread is not None
        post, _ = reactions.reply(session, thread, bo, "Byt tonern.", site=site)
        subscriptions.queue_reply_mails(session, site, thread, post, bo)  # a retried request
    assert comment_rows(web_db) == [(f"anna@{DOMAIN}", f"comment:{question}:3:{1}")]


def test_mute_link_get_only_asks_and_a_forged_token_is_refused(
    client: FlaskClient, web_settings: Settings, web_db: Database, question: int
) -> None:
    site = build_site(web_settings)
    token = subscriptions.mute_token(site, question, 1)  # Anna
    page = client.get(f"/mute/{token}")
    assert page.status_code == 200 and 'id="mute"' in page.get_data(as_text=True)
    forged = token[:-4] + ("aaaa" if not token.endswith("aaaa") else "bbbb")
    assert client.get(f"/mute/{forged}").status_code == 404
    assert client.post(f"/mute/{forged}", data={"List-Unsubscribe": "One-Click"}).status_code == 404
    assert (
        client.post(f"/mute/{subscriptions.mute_token(site, question, 99)}").status_code == 404
    )  # genuine, but nobody
    reply_as(client, web_db, f"bo@{DOMAIN}", question, "Byt tonern.")
    assert [r for r, _ in comment_rows(web_db)] == [f"anna@{DOMAIN}"]  # still subscribed

    fresh = client.application.test_client()  # no session, no CSRF token
    assert fresh.post(f"/mute/{token}", data={"List-Unsubscribe": "One-Click"}).status_code == 200
    reply_as(client, web_db, f"bo@{DOMAIN}", question, "Eller starta om den.")
    assert len(comment_rows(web_db)) == 1
    assert fresh.post(f"/mute/{token}", data={"action": "resume"}).status_code == 200
    reply_as(client, web_db, f"bo@{DOMAIN}", question, "Nu är den lagad.")
    assert len(comment_rows(web_db)) == 2


def test_a_mail_to_the_mailto_address_mutes(
    web_settings: Settings, web_db: Database, question: int, data_dir: Path
) -> None:
    site = build_site(web_settings)
    token = subscriptions.mute_token(site, question, 1)
    address = subscriptions.mute_address(site, token)
    spool = Spool(data_dir / "spool")
    raw = (
        f"From: Anna <anna@{DOMAIN}>\r\nTo: {address}\r\nSubject: mute\r\n"
        f"Message-ID: <mute.1@{DOMAIN}>\r\n\r\nmute\r\n"
    ).encode()
    spool.put(raw, mail_from=f"anna@{DOMAIN}", rcpts=[address])
    spool.put(raw, mail_from=f"anna@{DOMAIN}", rcpts=[address])  # sent twice
    assert Worker(build_gateway_config(web_settings), web_db, spool).run_once() == 2
    with web_db.session() as session:
        assert subscriptions.state_of(session, question, 1) == subscriptions.MUTED
        mails = list(session.scalars(select(MailMessage)))
        assert [(m.action, m.thread_id) for m in mails] == [("ignore", question)]
        assert "mute" in mails[0].reason
        assert session.scalar(select(func.count()).select_from(Thread)) == 1  # no "mute" thread
    assert list(spool.quarantined()) == []


def test_an_asker_whose_address_keeps_bouncing_is_not_mailed(
    client: FlaskClient, web_db: Database, question: int
) -> None:
    with web_db.session() as session:
        session.add(AddressBounce(email=f"anna@{DOMAIN}", bounces=2))
    reply_as(client, web_db, f"bo@{DOMAIN}", question, "Byt tonern.")
    assert comment_rows(web_db) == []


def test_the_thread_page_offers_mail_replies_and_its_button_switches_them(
    client: FlaskClient, web_db: Database
) -> None:
    """The page's own button: the asker hears replies by default and can stop, then resume."""
    anna = f"anna@{DOMAIN}"
    thread_id = add_thread(web_db, "Var finns nyckeln?", [(anna, "Anna Berg", "Vet någon?")])
    sign_in(client, web_db, anna)
    with web_db.session() as s:
        thread = s.get(Thread, thread_id)
        path, asker_id = thread.path, thread.asker_id
    page = client.get(path).get_data(as_text=True)
    assert "Stop mailing me replies" in page
    client.post(f"/t/{thread_id}/mail", data={"csrf_token": csrf_from(page), "state": "muted"})
    with web_db.session() as s:
        assert not subscriptions.hears(s, s.get(Thread, thread_id), asker_id)
    page = client.get(path).get_data(as_text=True)
    assert "Mail me replies" in page
    client.post(f"/t/{thread_id}/mail", data={"csrf_token": csrf_from(page), "state": "on"})
    with web_db.session() as s:
        assert subscriptions.hears(s, s.get(Thread, thread_id), asker_id)
