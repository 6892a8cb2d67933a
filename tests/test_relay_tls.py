"""Outbound mail over TLS to the relay, with the relay's certificate verified (and login).

The relay is a real aiosmtpd server with a certificate the test makes; the gateway's
outbound sender runs for real against it, STARTTLS and implicit TLS both.
"""

from __future__ import annotations

import ssl
import time
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from mailfeed.gateway.outbound import OutboundSender
from mailfeed.publisher.db import Database
from mailfeed.publisher.models import OutboundMail
from mailfeed.publisher.outbox import enqueue
from mailfeed.publisher.outgoing import compose
from mailfeed.settings import build_gateway_config, load_settings
from tests.conftest import free_port
from tests.gateway_support import SinkHandler


def authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data == LoginPassword(b"feed", b"s3cret")
    return AuthResult(success=ok)


@pytest.mark.parametrize("mode", ["starttls", "implicit"])
def test_replies_go_to_the_relay_over_verified_tls_with_login(
    tmp_path: Path, certificate: tuple[str, str], mode: str
) -> None:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler, port = SinkHandler(), free_port()
    options: dict[str, Any] = {"authenticator": authenticator, "auth_require_tls": True}
    if mode == "starttls":
        relay = Controller(
            handler,
            hostname="127.0.0.1",
            port=port,
            tls_context=context,
            require_starttls=True,
            **options,
        )
    else:
        # aiosmtpd does not count implicit TLS as TLS for AUTH; the socket is TLS anyway.
        relay = Controller(
            handler,
            hostname="127.0.0.1",
            port=port,
            ssl_context=context,
            **{**options, "auth_require_tls": False},
        )
    relay.start()
    try:
        settings = load_settings(
            {
                "MAILFEED_DATA_DIR": str(tmp_path / "data"),
                "MAILFEED_RELAY": f"127.0.0.1:{port}",
                "MAILFEED_RELAY_TLS": mode,
                "MAILFEED_RELAY_CA": cert,
                "MAILFEED_RELAY_USER": "feed",
                "MAILFEED_RELAY_PASSWORD": "s3cret",
                "MAILFEED_GATEWAY_ADDRESSES": "feed@firma.se",
            }
        )
        db = Database(settings.db_url)
        db.upgrade()
        with db.session() as session:
            message = compose(
                sender="feed@firma.se",
                sender_name="Mailfeed",
                recipient="anna.berg@firma.se",
                recipient_name="Anna Berg",
                subject="Hej",
                body="Länken: https://feed.firma.se/t/1",
                message_id="tls.1@firma.se",
            )
            enqueue(
                session,
                key="tls-test",
                purpose="link",
                recipient="anna.berg@firma.se",
                message=message,
            )
        sender = OutboundSender(build_gateway_config(settings), db)
        assert sender.run_once() == 1
        assert [m.rcpts for m in handler.mails] == [["anna.berg@firma.se"]]
        assert "Länken" in handler.mails[0].message.get_content()

        # Without the CA the relay's certificate is not trusted: the mail waits, unsent.
        with db.session() as session:
            enqueue(
                session,
                key="tls-test-2",
                purpose="link",
                recipient="erik@firma.se",
                message=message,
            )
        untrusting = OutboundSender(build_gateway_config(settings.with_overrides(relay_ca="")), db)
        assert untrusting.run_once() == 0
        with db.session() as session:
            row = session.query(OutboundMail).filter_by(idempotency_key="tls-test-2").one()
            assert row.state == "queued" and "CERTIFICATE_VERIFY_FAILED" in row.last_error
        time.sleep(0.1)
        assert len(handler.mails) == 1
        db.dispose()
    finally:
        relay.stop()
