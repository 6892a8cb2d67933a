"""Decisions for `mailfeed parse`: what the live gateway would do, without storing anything."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from mailfeed.gateway.dkimcheck import REAL_DNS, DnsFunc, verified_domains
from mailfeed.parsers.model import Decision, ParsedMail
from mailfeed.parsers.policy import decide
from mailfeed.publisher.db import Database
from mailfeed.publisher.publish import Envelope, decide_for
from mailfeed.settings import Settings, build_site


def _database_exists(settings: Settings) -> bool:
    url = settings.db_url
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).exists()
    return bool(settings.database_url)


def decide_offline(settings: Settings, parsed: ParsedMail, rcpts: tuple[str, ...],
                   raw: bytes = b"", dnsfunc: DnsFunc = REAL_DNS) -> Decision:
    """The decision under the current settings; consults the feed's history when it exists.
    With MAILFEED_VERIFY_DKIM on, `raw`'s signatures are verified as the worker does."""
    site = build_site(settings)
    dkim_domains = verified_domains(raw, dnsfunc) if settings.verify_dkim and raw else ()
    envelope = Envelope(rcpts=rcpts, source="cli", dkim_domains=dkim_domains)
    if _database_exists(settings):
        database = Database(settings.db_url)
        try:
            with database.sessions() as session:
                decision, _thread = decide_for(session, site, parsed, envelope)
                session.rollback()
                return decision
        except Exception:  # noqa: BLE001 - an unreachable or empty database: decide without it
            pass
        finally:
            database.dispose()
    return decide(parsed, replace(site.policy, envelope_rcpts=rcpts,
                                  verified_dkim_domains=dkim_domains))
