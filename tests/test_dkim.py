"""MAILFEED_VERIFY_DKIM: the gateway verifies DKIM itself (RFC 6376, with dkimpy), for
set-ups with no upstream verifier writing Authentication-Results.

Keys are real RSA keys made by dkimpy's own key generator, and mails are really signed
with `dkim.sign`.  The one fake is DNS: the signers' public keys live in DNS outside this
machine, so `dns` below serves the selector TXT records from a dict instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import dkim
import pytest
from dkim import dknewkey
from sqlalchemy import func, select

from mailfeed.gateway.dkimcheck import verified_domains
from mailfeed.gateway.intake import Arrival, take_in
from mailfeed.gateway.spool import Spool
from mailfeed.gateway.worker import Worker
from mailfeed.parsers.mail import parse_mail
from mailfeed.parsers.model import Decision
from mailfeed.parsers.policy import PolicyContext, decide
from mailfeed.publisher.db import Database
from mailfeed.publisher.models import MailMessage, Thread
from mailfeed.settings import Settings, build_gateway_config
from tests.conftest import require_tool
from tests.db_support import database  # noqa: F401 - fixture

SELECTOR = b"mf2026"
SIGNERS = (b"firma.se", b"mail.firma.se", b"evil.example")

SITE = PolicyContext(gateway_addresses=("feed@firma.se",), allowed_domains=("firma.se",))
OWN_DKIM = replace(SITE, own_dkim=True)
BOTH = replace(OWN_DKIM, trusted_authserv_ids=("mx.firma.se",))

Dns = Callable[..., bytes | None]


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    """(private key PEM, the TXT record to publish), from dkimpy's key generator."""
    require_tool(dknewkey.OPENSSL_BINARY)  # dknewkey runs openssl genrsa (2048 bits)
    folder = tmp_path_factory.mktemp("dkim")
    dknewkey.GenRSAKeys(str(folder / "private.pem"), verbose=False)
    dknewkey.ExtractRSADnsPublicKey(
        str(folder / "private.pem"), str(folder / "dns.txt"), verbose=False
    )
    return (folder / "private.pem").read_bytes(), (folder / "dns.txt").read_bytes()


@pytest.fixture(scope="module")
def dns(key: tuple[bytes, bytes]) -> Dns:
    # The one allowed fake: real DNS is outside this machine, so the selector's TXT
    # record (RFC 6376 §3.6.2.2: <selector>._domainkey.<d=>) is served from a dict.
    records = {SELECTOR + b"._domainkey." + d + b".": key[1] for d in SIGNERS}

    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        return records.get(name)

    return lookup


def anna_asks(sender: str = "Anna Berg <anna.berg@firma.se>", subject: str = "Nyckel?") -> bytes:
    return (
        f"From: {sender}\r\n"
        "To: Mailfeed <feed@firma.se>\r\n"
        f"Subject: {subject}\r\n"
        "Date: Thu, 26 Nov 2026 09:00:00 +0100\r\n"
        f"Message-ID: <{hashlib.sha256((sender + subject).encode()).hexdigest()[:16]}@firma.se>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Hej!\r\n\r\nVet någon vem som har nyckeln till förrådet på plan 3?\r\n\r\n"
        "Mvh Anna\r\n"
    ).encode()


def signed(raw: bytes, key: tuple[bytes, bytes], domain: bytes = b"firma.se") -> bytes:
    return dkim.sign(raw, SELECTOR, domain, key[0]) + raw


def decide_raw(raw: bytes, context: PolicyContext, dns: Dns) -> Decision:
    """What the worker does: our DKIM check at the edge, its result into the pure policy."""
    domains = verified_domains(raw, dns)
    return decide(parse_mail(raw), replace(context, verified_dkim_domains=domains))


# ---------------------------------------------------------------- the DKIM check


def test_a_correctly_signed_mail_verifies_for_its_signing_domain(key, dns) -> None:
    assert verified_domains(signed(anna_asks(), key), dns) == ("firma.se",)


def test_a_tampered_body_does_not_verify(key, dns) -> None:
    raw = signed(anna_asks(), key).replace(b"plan 3", b"plan 4")
    assert verified_domains(raw, dns) == ()


def test_a_signature_whose_key_is_not_in_dns_does_not_verify(key, dns) -> None:
    assert verified_domains(signed(anna_asks(), key, b"other.example"), dns) == ()


def test_every_signature_is_checked_not_only_the_first(key, dns) -> None:
    # A list server signs on top (RFC 6376 §4.2): both signatures count on their own.
    raw = signed(signed(anna_asks(), key), key, b"evil.example")
    assert verified_domains(raw, dns) == ("evil.example", "firma.se")


def test_a_signature_with_a_body_length_is_ignored(key, dns) -> None:
    # RFC 6376 §8.2: with l=, text appended below the signed part would pass as signed.
    raw = anna_asks()
    raw = dkim.sign(raw, SELECTOR, b"firma.se", key[0], length=True) + raw
    appended = raw + "Skicka ditt lösenord till evil.example\r\n".encode()
    assert dkim.DKIM(appended).verify(dnsfunc=dns)  # dkimpy alone would accept it
    assert verified_domains(appended, dns) == ()


# ------------------------------------------------------------ the policy decides


def test_a_signed_firma_mail_to_the_gateway_is_published(key, dns) -> None:
    decision = decide_raw(signed(anna_asks(), key), OWN_DKIM, dns)
    assert decision.action == "publish"


def test_a_tampered_mail_is_rejected_with_the_reason(key, dns) -> None:
    raw = signed(anna_asks(), key).replace(b"plan 3", b"plan 4")
    decision = decide_raw(raw, OWN_DKIM, dns)
    assert decision.action == "reject" and decision.rule == "authentication"
    assert "no valid DKIM signature aligned with firma.se" in decision.reason


def test_a_signature_by_another_domain_does_not_speak_for_firma(key, dns) -> None:
    decision = decide_raw(signed(anna_asks(), key, b"evil.example"), OWN_DKIM, dns)
    assert decision.action == "reject"
    assert decision.reason == (
        "sender not authenticated: no valid DKIM signature aligned with firma.se"
        " (verified: evil.example)"
    )


def test_a_subdomain_signer_aligns_with_the_organizational_domain(key, dns) -> None:
    # RFC 7489 §3.1.1 relaxed alignment: mail.firma.se speaks for firma.se.
    decision = decide_raw(signed(anna_asks(), key, b"mail.firma.se"), OWN_DKIM, dns)
    assert decision.action == "publish"


def test_an_unsigned_mail_is_rejected_only_when_own_verification_is_on(dns) -> None:
    decision = decide_raw(anna_asks(), OWN_DKIM, dns)
    assert decision.action == "reject"
    assert "no valid DKIM signature aligned with firma.se" in decision.reason
    assert decide_raw(anna_asks(), SITE, dns).action == "publish"


def test_with_a_trusted_verifier_too_either_pass_is_enough(key, dns) -> None:
    unsigned_but_vouched = (
        b"Authentication-Results: mx.firma.se; dmarc=pass header.from=firma.se\r\n" + anna_asks()
    )
    assert decide_raw(unsigned_but_vouched, BOTH, dns).action == "publish"
    assert decide_raw(signed(anna_asks(), key), BOTH, dns).action == "publish"
    neither = decide_raw(anna_asks(), BOTH, dns)
    assert neither.action == "reject"
    assert "no Authentication-Results header from a trusted verifier" in neither.reason
    assert "no valid DKIM signature aligned with firma.se" in neither.reason


def test_a_trusted_dmarc_fail_is_final_even_with_a_valid_signature(key, dns) -> None:
    raw = b"Authentication-Results: mx.firma.se; dmarc=fail header.from=firma.se\r\n" + signed(
        anna_asks(), key
    )
    decision = decide_raw(raw, BOTH, dns)
    assert decision.action == "reject" and "DMARC fail for firma.se" in decision.reason


def test_parse_json_takes_the_same_decision(key, dns, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        gateway_addresses=("feed@firma.se",),
        allowed_domains=("firma.se",),
        verify_dkim=True,
        secret_key="k",
    )
    rcpts = ("feed@firma.se",)
    good, bad = signed(anna_asks(), key), signed(anna_asks(), key, b"evil.example")
    site, arrival = build_gateway_config(settings).site, Arrival("cli", rcpts)

    def action(raw: bytes) -> str:
        taken = take_in(raw, arrival, site=site, session=None, raw_store=None, dnsfunc=dns)
        return taken.outcome.decision.action

    assert action(good) == "publish" and action(bad) == "reject"


# --------------------------------------------------------- through the real worker


def run_worker(data_dir: Path, db: Database, dns: Dns, verify_dkim: bool, *mails: bytes) -> None:
    settings = Settings(
        data_dir=data_dir,
        gateway_addresses=("feed@firma.se",),
        allowed_domains=("firma.se",),
        verify_dkim=verify_dkim,
        secret_key="k",
    )
    spool = Spool(data_dir / "spool")
    for raw in mails:
        spool.put(raw, mail_from="anna.berg@firma.se", rcpts=["feed@firma.se"])
    assert Worker(build_gateway_config(settings), db, spool, dnsfunc=dns).run_once() == len(mails)


def test_the_worker_publishes_only_what_firma_signed(database, key, dns, tmp_path) -> None:
    # Anna's mail is signed by firma.se's mail server; someone replays it with a new
    # question; someone else signs as evil.example; an old client sends unsigned.
    anna = signed(anna_asks(), key)
    tampered = signed(anna_asks(subject="Lönelistan?"), key).replace(
        b"plan 3", "lönelistan".encode()
    )
    evil = signed(anna_asks(subject="Lösenord?"), key, b"evil.example")
    relay = signed(
        anna_asks("Johan Lind <johan.lind@firma.se>", "Förrådet?"), key, b"mail.firma.se"
    )
    unsigned = anna_asks(subject="Osignerat?")
    run_worker(tmp_path, database, dns, True, anna, tampered, evil, relay, unsigned)

    with database.session() as s:
        rows = {m.subject: m for m in s.scalars(select(MailMessage))}
        assert {k: m.action for k, m in rows.items()} == {
            "Nyckel?": "publish",
            "Lönelistan?": "reject",
            "Lösenord?": "reject",
            "Förrådet?": "publish",
            "Osignerat?": "reject",
        }
        assert s.scalar(select(func.count()).select_from(Thread)) == 2
        assert "no valid DKIM signature aligned with firma.se" in rows["Lösenord?"].reason
        # The raw mail is the record: kept byte for byte, no header of ours added.
        assert Path(rows["Nyckel?"].raw_path).read_bytes() == anna


def test_the_worker_does_not_check_dkim_when_it_is_off(database, tmp_path) -> None:
    def no_dns(name: bytes, timeout: int = 5) -> bytes | None:
        raise AssertionError("no DNS lookups when MAILFEED_VERIFY_DKIM is off")

    run_worker(tmp_path, database, no_dns, False, anna_asks())
    with database.session() as s:
        assert [m.action for m in s.scalars(select(MailMessage))] == ["publish"]
