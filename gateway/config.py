"""What the gateway must know: listeners, relay, IMAP and limits, as a frozen view.

The composition root (`mailfeed.settings`) builds it once from the settings; the gateway's
modules never see the settings object.  The publisher's own view, `Site`, rides inside.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mailfeed.publisher.site import Site


def parse_hostport(value: str, default_host: str = "127.0.0.1") -> tuple[str, int]:
    """`host:port`, `[v6]:port` or `:port` -> (host, port); ValueError when it is neither."""
    value = value.strip()
    if value.startswith("["):
        host, _, port = value[1:].partition("]:")
    else:
        host, _, port = value.rpartition(":")
    return (host or default_host, int(port))


@dataclass(frozen=True)
class GatewayConfig:
    site: Site
    data_dir: Path
    smtp_listen: str = "127.0.0.1:2525"
    gateway_addresses: tuple[str, ...] = ("feed@localhost",)
    monitor_addresses: tuple[str, ...] = ()
    reply_separator: str = "+"
    tls_cert: str = ""
    tls_key: str = ""
    require_tls: bool = False
    max_message_size: int = 25 * 1024 * 1024
    max_line_length: int = 64 * 1024
    relay: str = ""  # host:port; empty = local outbox in data_dir
    relay_user: str = ""
    relay_password: str = ""
    relay_tls: str = "none"  # none | starttls | implicit (validated by the root)
    relay_ca: str = ""
    outbound_retry_base: int = 30
    imap_url: str = ""
    verify_dkim: bool = False
    parse_cpu_seconds: int = 30  # CPU time one mail may take to parse; over it: quarantined
    max_connections: int = 200  # SMTP sessions at once; more are answered 421 4.7.0
    relay_timeout: int = 30  # seconds for connect, greeting and each command to the relay
    news_feeds: tuple[str, ...] = ()  # Atom/RSS URLs of intranet news, one thread per entry
    news_interval: int = 300  # seconds between polls of the news feeds
    raw_store: str = "files"  # where raw mail is kept: files (in data_dir/raw) | database

    @property
    def primary_address(self) -> str:
        return self.gateway_addresses[0]

    @property
    def gateway_domain(self) -> str:
        return self.primary_address.rpartition("@")[2]

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def spool_dir(self) -> Path:
        return self.data_dir / "spool"
