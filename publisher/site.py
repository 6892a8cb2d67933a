"""What the publisher must know about this installation, as plain values.

The gateway builds one `Site` from its settings; the publisher never sees the settings
object itself, which keeps the rings apart and makes the publisher easy to test.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailfeed.parsers.policy import PolicyContext


@dataclass(frozen=True)
class Site:
    base_url: str  # e.g. https://feed.firma.se, no trailing slash
    gateway_address: str  # From: of everything we send
    policy: PolicyContext  # settings part of the policy; the envelope is added per mail
    default_language: str = "sv"
    name: str = "Mailfeed"
    external_people: str = "name"  # name | redact
    secret_key: str = ""  # signs invitation links and per-thread reply addresses
    reply_separator: str = "+"  # feed+t42.token@firma.se
    max_link_replies: int = 100  # link mails one incoming mail may cause at most

    @property
    def gateway_domain(self) -> str:
        return self.gateway_address.rpartition("@")[2]

    def is_internal(self, address: str | None) -> bool:
        # The same rule as the policy's sender check: an allowed domain and its subdomains.
        domain = (address or "").rpartition("@")[2].lower()
        return bool(domain) and any(
            domain == d or domain.endswith("." + d) for d in self.policy.allowed_domains
        )

    def is_gateway(self, address: str | None) -> bool:
        address = (address or "").lower()
        known = self.policy.gateway_addresses + self.policy.monitor_addresses
        if address in known:
            return True
        local, _, domain = address.rpartition("@")
        return f"{local.split(self.reply_separator, 1)[0]}@{domain}" in known
