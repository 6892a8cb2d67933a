"""The SMTP listener at the protocol level, on a real loopback socket (in-process).

Each test cites what it checks: RFC 5321 replies, RFC 3463 enhanced codes, RFC 3207
STARTTLS, and the gateway's own limits.
"""

from __future__ import annotations

import shutil
import smtplib
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mailfeed.gateway.smtp import GatewayHandler, SenderRate, SMTPListener, address_matcher
from mailfeed.gateway.spool import Spool
from mailfeed.settings import Settings, build_gateway_config, load_settings
from tests.conftest import free_port

MAIL = b"From: anna.berg@firma.se\r\nTo: feed@firma.se\r\nSubject: Hej\r\n\r\nHej?\r\n"


@pytest.fixture
def listen(tmp_path: Path) -> Iterator[Callable[..., tuple[Settings, Spool]]]:
    started: list[SMTPListener] = []

    def start(*, rate: int = 0, max_queue: int = 5000, **env: str) -> tuple[Settings, Spool]:
        port = free_port()
        settings = load_settings(
            {
                "MAILFEED_DATA_DIR": str(tmp_path),
                "MAILFEED_SMTP_LISTEN": f"127.0.0.1:{port}",
                "MAILFEED_GATEWAY_ADDRESSES": "feed@firma.se",
                **env,
            }
        )
        spool = Spool(tmp_path / "spool")
        config = build_gateway_config(settings)
        listener = SMTPListener(
            config,
            GatewayHandler(
                spool, address_matcher(config), max_queue=max_queue, rate=SenderRate(rate)
            ),
        )
        listener.start()
        started.append(listener)
        return settings, spool

    yield start
    for listener in started:
        listener.stop()


def port_of(settings: Settings) -> int:
    return int(settings.smtp_listen.rpartition(":")[2])


def test_bounces_with_the_null_reverse_path_are_accepted(listen) -> None:
    # RFC 5321 §4.5.5: DSNs come from <>; refusing them would lose the news that mail failed.
    settings, spool = listen()
    with smtplib.SMTP("127.0.0.1", port_of(settings)) as c:
        assert c.sendmail("<>", ["feed@firma.se"], MAIL) == {}
    [entry] = list(spool.pending())
    assert entry.mail_from == "" and entry.read() == MAIL


def test_a_sender_over_its_hourly_rate_gets_a_temporary_450_4_7_1(listen) -> None:
    settings, spool = listen(rate=3)
    with smtplib.SMTP("127.0.0.1", port_of(settings)) as c:
        for _ in range(3):
            c.sendmail("anna.berg@firma.se", ["feed@firma.se"], MAIL)
        with pytest.raises(smtplib.SMTPSenderRefused) as err:
            c.sendmail("anna.berg@firma.se", ["feed@firma.se"], MAIL)
        assert err.value.smtp_code == 450 and err.value.smtp_error.startswith(b"4.7.1")
        c.sendmail("erik.sandberg@firma.se", ["feed@firma.se"], MAIL)  # others unaffected
    assert spool.depth() == 4


def test_a_full_queue_answers_451_4_3_2(listen) -> None:
    settings, spool = listen(max_queue=2)
    with smtplib.SMTP("127.0.0.1", port_of(settings)) as c:
        c.sendmail("anna.berg@firma.se", ["feed@firma.se"], MAIL)
        c.sendmail("anna.berg@firma.se", ["feed@firma.se"], MAIL)
        import time

        time.sleep(0.3)  # the queue check recounts at most every 250 ms
        with pytest.raises(smtplib.SMTPDataError) as err:
            c.sendmail("anna.berg@firma.se", ["feed@firma.se"], MAIL)
    assert err.value.smtp_code == 451 and err.value.smtp_error.startswith(b"4.3.2")
    assert spool.depth() == 2


def test_a_spool_that_cannot_write_answers_451_and_keeps_running(listen, tmp_path) -> None:
    settings, spool = listen()
    shutil.rmtree(spool.tmp)
    spool.tmp.write_text("not a directory")  # every write now fails with ENOTDIR
    with smtplib.SMTP("127.0.0.1", port_of(settings)) as c:
        with pytest.raises(smtplib.SMTPDataError) as err:
            c.sendmail("anna.berg@firma.se", ["feed@firma.se"], MAIL)
        assert err.value.smtp_code == 451 and err.value.smtp_error.startswith(b"4.3.0")
        spool.tmp.unlink()
        spool.tmp.mkdir()
        assert c.sendmail("anna.berg@firma.se", ["feed@firma.se"], MAIL) == {}
    assert spool.depth() == 1


def test_starttls_offered_and_required(listen, certificate) -> None:
    cert, key = certificate
    settings, spool = listen(
        MAILFEED_TLS_CERT=cert, MAILFEED_TLS_KEY=key, MAILFEED_REQUIRE_TLS="true"
    )
    context = ssl.create_default_context(cafile=cert)
    with smtplib.SMTP("127.0.0.1", port_of(settings)) as c:
        c.ehlo("client")
        assert c.has_extn("starttls")
        code, _ = c.mail("anna.berg@firma.se")
        assert code == 530  # RFC 3207 §4: must issue STARTTLS first
        c.starttls(context=context)
        c.ehlo("client")
        assert c.sendmail("anna.berg@firma.se", ["feed@firma.se"], MAIL) == {}
    assert spool.depth() == 1
