"""Our own DKIM verification (RFC 6376), for set-ups without an upstream verifier.

Owns: checking every DKIM-Signature of a raw mail against its signer's key in DNS, with
dkimpy, and returning the signing domains (d=) that verified.  That tuple is all the
policy sees (`PolicyContext.verified_dkim_domains`); the `authentication` rule in
`parsers/policy.py` decides whether one of them aligns with the From: domain.
Must not: change the raw bytes (no Authentication-Results header is added: the raw mail
stays the record), decide anything, or log addresses.

DNS is the only I/O here, and it comes in as `dnsfunc` (dkimpy's interface: a name as
bytes, and a timeout, to the TXT record as bytes or None), so tests can serve keys.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import dkim
from dkim.dnsplug import get_txt

from mailfeed.gateway.failures import describe

log = logging.getLogger(__name__)

DnsFunc = Callable[..., bytes | None]

# dkimpy's resolver (dnspython).  Named here, not taken from `dkim.verify`'s default,
# which becomes an async function when aiodns happens to be installed.
REAL_DNS: DnsFunc = get_txt


def _signature_count(raw: bytes) -> int:
    try:
        headers = dkim.DKIM(raw).headers
    except Exception:  # noqa: BLE001 - mail dkimpy cannot read carries no valid signature
        return 0
    return sum(1 for name, _value in headers if name.lower() == b"dkim-signature")


def verified_domains(
    raw: bytes,
    dnsfunc: DnsFunc = REAL_DNS,
    timeout: int = 5,
) -> tuple[str, ...]:
    """The d= domains (lower case, in header order, each once) whose signature verified.

    A signature counts only when dkimpy verifies it, it signs From: (RFC 6376 §6.1.1:
    a verifier must ignore one that does not) and it has no l= body length: with l=,
    text appended after the signed part would be published under the signer's name
    (RFC 6376 §8.2).  Any error in one signature (a malformed tag, a missing or revoked
    key, a DNS timeout) makes that signature not verified; it never stops the others.
    """
    return _verify(raw, dnsfunc, timeout)[0]


def key_lookup_timed_out(raw: bytes, dnsfunc: DnsFunc = REAL_DNS, timeout: int = 5) -> bool:
    """Whether a signature could not be checked because DNS did not answer in time: a
    temporary state (RFC 6376 §6.1.2 TEMPFAIL), so the mail is deferred, not judged."""
    return _verify(raw, dnsfunc, timeout)[1]


def _verify(raw: bytes, dnsfunc: DnsFunc, timeout: int) -> tuple[tuple[str, ...], bool]:
    found: list[str] = []
    timed_out = False

    def lookup(name: bytes, timeout: int = timeout) -> bytes | None:
        # dkimpy turns a DNS timeout into a plain "not verified"; note it on the way.
        nonlocal timed_out
        try:
            return dnsfunc(name, timeout=timeout)
        except (dkim.DnsTimeoutError, TimeoutError):
            timed_out = True
            raise

    for idx in range(_signature_count(raw)):
        verifier = dkim.DKIM(raw, timeout=timeout)
        try:
            ok = verifier.verify(idx=idx, dnsfunc=lookup)
        except Exception as exc:  # noqa: BLE001 - untrusted input: an error is a failure
            log.info("DKIM signature %d not verified: %s", idx, describe(exc))
            continue
        fields = verifier.signature_fields
        if not ok or b"from" not in verifier.include_headers or b"l" in fields:
            continue
        domain = bytes(fields[b"d"]).decode("ascii", "replace").strip().lower().rstrip(".")
        if domain and domain not in found:
            found.append(domain)
    return tuple(found), timed_out
