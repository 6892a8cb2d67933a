"""The smaller holes of issue 15, each through the real SMTP listener or the HTTP app.

Logging out ends the session for a saved cookie too; the session cookie is Secure
behind a trusted TLS proxy; /outbox is only for a browser on this machine; the null
sender is rate-limited; too many connections get `421 4.7.0`; a DKIM key that DNS does
not deliver in time defers with `451 4.7.5`; listing the spool survives the worker.
"""

# ruff: noqa: F811 - pytest fixtures imported from web_support arrive as parameters
from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator
from pathlib import Path

import dkim
import pytest
from flask.testing import FlaskClient
from web_support import (  # noqa: F401 - fixtures
    DOMAIN,
    app,
    client,
    csrf_from,
    make_settings,
    sign_in,
    web_db,
    web_settings,
)

from mailfeed.gateway.dkimcheck import key_lookup_timed_out
from mailfeed.gateway.smtp import GatewayHandler, SenderRate, SMTPListener, address_matcher
from mailfeed.gateway.spool import Spool
from mailfeed.publisher.db import Database
from mailfeed.settings import Settings, build_gateway_config, build_web_config
from mailfeed.web import create_app
from tests.conftest import free_port

GENEROUS = 30


def test_a_saved_cookie_stops_working_at_logout(client: FlaskClient, web_db: Database) -> None:
    sign_in(client, web_db, f"anna@{DOMAIN}")
    saved = client.get_cookie("mailfeed_session")
    assert saved is not None and client.get("/").status_code == 200
    page = client.get("/").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_from(page)}).status_code == 302
    thief = client.application.test_client()
    thief.set_cookie("mailfeed_session", saved.value)
    answer = thief.get("/")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    # Signing in again works, with a new cookie.
    sign_in(client, web_db, f"anna@{DOMAIN}")
    assert client.get("/").status_code == 200


def session_cookie(response: object) -> str:
    cookies = [v for k, v in response.headers.items() if k == "Set-Cookie"]  # type: ignore[attr-defined]
    (cookie,) = [c for c in cookies if c.startswith("mailfeed_session=")]
    return cookie


def test_the_session_cookie_is_secure_behind_a_trusted_tls_proxy(
    web_settings: Settings, web_db: Database
) -> None:
    proxy = web_settings.with_overrides(trusted_proxies=("10.0.0.5",))
    app = create_app(build_web_config(proxy), web_db)
    proxied = app.test_client()
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.7"}
    login = proxied.get("/login", headers=https, environ_base={"REMOTE_ADDR": "10.0.0.5"})
    assert "; Secure" in session_cookie(login)
    # The same header from anyone else is not believed.
    direct = app.test_client()
    login = direct.get("/login", headers=https, environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert "; Secure" not in session_cookie(login)


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Forwarded-For": "192.0.2.7"},
        {"Via": "1.1 proxy"},
        {"X-Real-IP": "192.0.2.7"},
        {"Forwarded": "for=192.0.2.7"},
        {"X-Forwarded-Proto": "https"},
    ],
)
def test_the_outbox_is_not_local_through_a_proxy_on_this_machine(
    data_dir: Path, headers: dict[str, str]
) -> None:
    settings = make_settings(data_dir)  # magic-link, no relay: the local catcher
    db = Database(settings.db_url)
    db.upgrade()
    local = create_app(build_web_config(settings), db).test_client()
    assert local.get("/outbox", headers={"Host": "127.0.0.1:8080"}).status_code == 200
    proxied = create_app(build_web_config(settings), db).test_client()
    answer = proxied.get("/outbox", headers={"Host": "127.0.0.1:8080", **headers})
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    db.dispose()


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[tuple[SMTPListener, Spool]]:
    started: list[SMTPListener] = []

    def make(dkim_deferred: object = None, **changes: object) -> tuple[SMTPListener, Spool]:
        settings = Settings(
            data_dir=tmp_path,
            secret_key="x",
            smtp_listen=f"127.0.0.1:{free_port()}",
            gateway_addresses=("feed@firma.se",),
        ).with_overrides(**changes)
        spool = Spool(tmp_path / "spool")
        handler = GatewayHandler(
            spool,
            address_matcher(build_gateway_config(settings)),
            rate=SenderRate(settings.rate_limit),
            dkim_deferred=dkim_deferred,
        )  # type: ignore[arg-type]
        smtp = SMTPListener(build_gateway_config(settings), handler)
        smtp.start()
        started.append(smtp)
        return smtp, spool

    yield make  # type: ignore[misc]
    for smtp in started:
        smtp.stop()


BOUNCE = (
    b"From: MAILER-DAEMON@elsewhere.example\r\nTo: feed@firma.se\r\n"
    b"Subject: Undelivered\r\n\r\nYour mail could not be delivered.\r\n"
)


def test_the_null_sender_has_a_rate_limit_too(listener) -> None:
    smtp, spool = listener(rate_limit=2)
    codes = []
    with smtplib.SMTP(smtp.hostname, smtp.port, timeout=GENEROUS) as client:
        client.ehlo("mx.elsewhere.example")
        for _ in range(3):
            code, _msg = client.mail("<>")
            codes.append(code)
            if code == 250:
                client.rcpt("feed@firma.se")
                client.data(BOUNCE)
    assert codes == [250, 250, 450]
    assert spool.depth() == 2


def test_too_many_connections_get_421(listener) -> None:
    smtp, _spool = listener(max_connections=3)
    idle = []
    try:
        for _ in range(3):
            conn = socket.create_connection((smtp.hostname, smtp.port), timeout=GENEROUS)
            assert conn.recv(512).startswith(b"220")
            idle.append(conn)
        with socket.create_connection((smtp.hostname, smtp.port), timeout=GENEROUS) as extra:
            assert extra.recv(512).startswith(b"421 4.7.0")
    finally:
        for conn in idle:
            conn.close()
    # Once they are gone, there is room again.
    with smtplib.SMTP(smtp.hostname, smtp.port, timeout=GENEROUS) as client:
        assert client.noop()[0] == 250


SIGNED = (
    b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=firma.se; s=sel;\r\n"
    b" h=from:to:subject; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\n"
    b"From: Anna <anna@firma.se>\r\nTo: feed@firma.se\r\nSubject: Hej?\r\n\r\nHej\r\n"
)


def dns_timeout(name: bytes, timeout: int = 5) -> bytes | None:
    raise dkim.DnsTimeoutError(f"no answer for {name!r}")


def dns_no_key(name: bytes, timeout: int = 5) -> bytes | None:
    return None


def test_a_dkim_dns_timeout_defers_with_451(listener) -> None:
    smtp, spool = listener(
        verify_dkim=True, dkim_deferred=lambda raw: key_lookup_timed_out(raw, dns_timeout)
    )
    with (
        smtplib.SMTP(smtp.hostname, smtp.port, timeout=GENEROUS) as client,
        pytest.raises(smtplib.SMTPDataError) as deferred,
    ):
        client.sendmail("anna@firma.se", ["feed@firma.se"], SIGNED)
    assert deferred.value.smtp_code == 451 and b"4.7.5" in deferred.value.smtp_error
    assert spool.depth() == 0
    # A key that does not exist is an answer, not a timeout: the mail is taken (and judged).
    assert not key_lookup_timed_out(SIGNED, dns_no_key)


def test_listing_the_spool_survives_files_that_go_meanwhile(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    ids = [spool.put(b"Subject: x\r\n\r\nx\r\n", rcpts=["feed@firma.se"]) for _ in range(3)]
    listing = spool.pending()
    assert next(listing).id == ids[0]
    (spool.new / f"{ids[1]}.msg").unlink()  # the worker finished it just now
    assert [e.id for e in listing] == [ids[2]]
