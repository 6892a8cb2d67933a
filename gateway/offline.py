"""Decisions for `mailfeed parse`: what the live gateway would do, without storing anything."""

from __future__ import annotations

from dataclasses import replace

from mailfeed.gateway.config import GatewayConfig
from mailfeed.gateway.dkimcheck import REAL_DNS, DnsFunc, verified_domains
from mailfeed.parsers.model import Decision, ParsedMail
from mailfeed.parsers.policy import decide
from mailfeed.publisher.db import Database
from mailfeed.publisher.publish import Envelope, decide_for


def decide_offline(config: GatewayConfig, database: Database | None, parsed: ParsedMail,
                   rcpts: tuple[str, ...], raw: bytes = b"",
                   dnsfunc: DnsFunc = REAL_DNS) -> Decision:
    """The decision under the current settings; consults the feed's history in `database`
    when there is one.  With MAILFEED_VERIFY_DKIM on, `raw`'s signatures are verified as
    the worker does."""
    site = config.site
    dkim_domains = verified_domains(raw, dnsfunc) if config.verify_dkim and raw else ()
    envelope = Envelope(rcpts=rcpts, source="cli", dkim_domains=dkim_domains)
    if database is not None:
        try:
            with database.sessions() as session:
                decision, _thread = decide_for(session, site, parsed, envelope)
                session.rollback()
                return decision
        except Exception:  # noqa: BLE001 - an unreachable or empty database: decide without it
            pass
    return decide(parsed, replace(site.policy, envelope_rcpts=rcpts,
                                  verified_dkim_domains=dkim_domains))
