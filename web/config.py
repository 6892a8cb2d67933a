"""What the web app must know about this installation: a frozen view the root builds once.

It holds no relay password, IMAP URL or database URL.  `secret_key` is here only because
the app signs cookies, sign-in links and feed tokens; templates never see this object, only
`TemplateValues` (public values such as the feed's own URL).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mailfeed.publisher.site import Site


@dataclass(frozen=True)
class WebConfig:
    site: Site  # the publisher's view, built once (views pass it to publisher calls)
    public_url: str  # e.g. https://feed.firma.se, no trailing slash
    default_language: str = "sv"  # sv | en
    auth: str = "magic-link"  # magic-link | header:<Name> | open
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    secret_key: str = ""  # signs the session cookie, sign-in links and feed tokens
    metrics_token: str = ""  # when set, /metrics wants `Authorization: Bearer <token>`
    publish_domains: tuple[str, ...] = ()  # who may sign in and publish
    moderators: tuple[str, ...] = ()  # lower-case addresses
    demo: bool = False
    data_dir: Path = Path("./mailfeed-data")  # raw mail (attachments, the admin's raw view)
    local_outbox: bool = True  # no relay: mail lands in <data>/outbox, shown at /outbox
    search_timeout: float = 5.0  # seconds one search may run before it is stopped; 0 = none
    page_cache_bytes: int = 32 * 1024 * 1024  # per process (web.pagecache); 0 = no cache

    @property
    def primary_address(self) -> str:
        return self.site.gateway_address

    @property
    def gateway_domain(self) -> str:
        return self.site.gateway_domain

    def template_values(self) -> TemplateValues:
        return TemplateValues(
            public_url=self.public_url,
            publish_domains=self.publish_domains,
            default_language=self.default_language,
            demo=self.demo,
        )


@dataclass(frozen=True)
class TemplateValues:
    """The only installation values templates see (as `settings`): nothing secret."""

    public_url: str
    publish_domains: tuple[str, ...]
    default_language: str
    demo: bool
