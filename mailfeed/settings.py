"""The one settings object, built once from `MAILFEED_*` variables and an optional TOML file.

Every other module receives a `Settings` instance as an argument; nothing reads the
environment elsewhere.  `mailfeed.toml` (in the working directory, or the path in
`MAILFEED_CONFIG`) uses the same keys in lower case without the prefix; the environment wins.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from mailfeed.parsers.policy import DEFAULT_CONFIDENTIAL_MARKERS, PolicyContext
from mailfeed.publisher.site import Site

PREFIX = "MAILFEED_"


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def parse_hostport(value: str, default_host: str = "127.0.0.1") -> tuple[str, int]:
    """`host:port`, `[v6]:port` or `:port` -> (host, port)."""
    value = value.strip()
    if value.startswith("["):
        host, _, port = value[1:].partition("]:")
    else:
        host, _, port = value.rpartition(":")
    return (host or default_host, int(port))


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("./mailfeed-data")
    database_url: str = ""  # default: SQLite in data_dir
    smtp_listen: str = "127.0.0.1:2525"
    web_listen: str = "127.0.0.1:8080"
    base_url: str = ""  # default: http://<web_listen>
    gateway_addresses: tuple[str, ...] = ("feed@localhost",)
    monitor_addresses: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()  # default: the gateway addresses' domains
    trusted_authserv_ids: tuple[str, ...] = ()
    relay: str = ""  # host:port; empty = local outbox in data_dir, shown at /outbox
    relay_user: str = ""
    relay_password: str = ""
    relay_tls: str = "none"  # none | starttls | implicit
    relay_ca: str = ""  # CA file for the relay's certificate (default: the system's CAs)
    auth: str = "magic-link"  # magic-link | header:<Name> | open
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    secret_key: str = ""
    max_message_size: int = 25 * 1024 * 1024
    max_line_length: int = 64 * 1024  # real mail breaks RFC 5321's 1000 octets
    min_chain_messages: int = 4
    min_participants: int = 4
    monitor_policy: str = "suggest"  # suggest | publish | off
    confidential_markers: tuple[str, ...] = DEFAULT_CONFIDENTIAL_MARKERS
    external_people: str = "name"  # name | redact
    moderators: tuple[str, ...] = ()
    demo: bool = False
    default_language: str = "sv"
    imap_url: str = ""
    tls_cert: str = ""
    tls_key: str = ""
    require_tls: bool = False
    reply_separator: str = "+"
    rate_limit: int = 120  # mails per sender address per hour; 0 = no limit
    max_queue: int = 5000  # spooled mails waiting before SMTP answers 451 4.3.2
    outbound_retry_base: int = 30  # seconds before the first retry; doubles, capped at 1 h
    metrics_token: str = ""  # when set, /metrics wants `Authorization: Bearer <token>`
    verify_dkim: bool = False  # verify DKIM ourselves (dkimpy), for set-ups without a verifier
    database_pool_size: int = 5  # connections per process (a web worker: one per thread)
    statement_timeout: int = 30  # seconds a statement or lock wait may take (0: no limit)
    web_workers: int = 2  # `mailfeed web`: gunicorn worker processes
    web_threads: int = 4  # threads per web worker (and its connection pool)
    raw_store: str = "files"  # files (under the data dir) | database
    parse_cpu_seconds: int = 30  # CPU time one mail may take to parse; over it: quarantined
    max_link_replies: int = 100  # link mails one incoming mail may cause; the rest are told
    max_connections: int = 200  # SMTP sessions at once; more are answered 421 4.7.0
    relay_timeout: int = 30  # seconds for connect, greeting and each command to the relay
    search_timeout: float = 5.0  # seconds one search may run before it is stopped; 0 = none
    news_feeds: tuple[str, ...] = ()  # Atom/RSS URLs of intranet news, one thread per entry
    news_interval: int = 300  # seconds between polls of the news feeds
    extra: Mapping[str, str] = field(default_factory=dict)

    # -- derived values -------------------------------------------------
    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'mailfeed.sqlite3').resolve()}"

    @property
    def public_url(self) -> str:
        if self.base_url:
            return self.base_url.rstrip("/")
        host, port = parse_hostport(self.web_listen)
        return f"http://{host}:{port}"

    @property
    def publish_domains(self) -> tuple[str, ...]:
        if self.allowed_domains:
            return tuple(d.lower() for d in self.allowed_domains)
        return tuple(sorted({a.rpartition("@")[2].lower() for a in self.gateway_addresses}))

    @property
    def primary_address(self) -> str:
        return self.gateway_addresses[0]

    @property
    def gateway_domain(self) -> str:
        return self.primary_address.rpartition("@")[2]

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def _coerce(name: str, raw: Any, default: Any) -> Any:
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
        return str(raw).strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, tuple):
        if isinstance(raw, list | tuple):
            return tuple(str(x).strip() for x in raw)
        return _split_list(str(raw))
    if isinstance(default, Path):
        return Path(str(raw))
    return str(raw)


def load_settings(
    environ: Mapping[str, str] | None = None, config_file: Path | None = None, **overrides: Any
) -> Settings:
    """Build the settings: defaults < TOML file < environment < explicit overrides."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    path = config_file or Path(env.get(PREFIX + "CONFIG", "mailfeed.toml"))
    if path.is_file():
        with path.open("rb") as fh:
            values.update({k.lower(): v for k, v in tomllib.load(fh).items()})
    for key, value in env.items():
        if key.startswith(PREFIX) and key != PREFIX + "CONFIG":
            values[key[len(PREFIX):].lower()] = value
    defaults = Settings()
    known = {f.name for f in fields(Settings) if f.name != "extra"}
    kwargs: dict[str, Any] = {}
    extra: dict[str, str] = {}
    for key, value in values.items():
        if key in known:
            kwargs[key] = _coerce(key, value, getattr(defaults, key))
        else:
            extra[key] = str(value)
    kwargs.update(overrides)
    settings = Settings(extra=extra, **kwargs)
    settings = replace(
        settings,
        gateway_addresses=tuple(a.lower() for a in settings.gateway_addresses),
        monitor_addresses=tuple(a.lower() for a in settings.monitor_addresses),
    )
    if not settings.secret_key:
        settings = replace(settings, secret_key=_persistent_secret(settings.data_dir))
    return settings


def _persistent_secret(data_dir: Path) -> str:
    """A secret kept in the data dir, so links stay valid across restarts."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def build_site(settings: Settings) -> Site:
    """The plain values the publisher needs (it never sees the settings object)."""
    return Site(
        base_url=settings.public_url,
        gateway_address=settings.primary_address,
        default_language=settings.default_language,
        external_people=settings.external_people,
        secret_key=settings.secret_key,
        reply_separator=settings.reply_separator,
        max_link_replies=settings.max_link_replies,
        policy=PolicyContext(
            gateway_addresses=settings.gateway_addresses,
            monitor_addresses=settings.monitor_addresses,
            allowed_domains=settings.publish_domains,
            trusted_authserv_ids=settings.trusted_authserv_ids,
            own_dkim=settings.verify_dkim,
            confidential_markers=settings.confidential_markers,
            tag_separator=settings.reply_separator,
            monitor_policy=settings.monitor_policy,
            min_chain_messages=settings.min_chain_messages,
            min_participants=settings.min_participants,
        ),
    )
