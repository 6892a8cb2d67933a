"""The one settings object, built once from `MAILFEED_*` variables and an optional TOML file.

Only the composition root (`mailfeed/`) sees a `Settings`; it hands each ring its own narrow,
frozen view (`Site` for the publisher, `WebConfig` for the web app, `GatewayConfig` for the
gateway), so no ring holds a secret it does not use.  `mailfeed.toml` (in the working
directory, or the path in `MAILFEED_CONFIG`) uses the same keys in lower case without the
prefix; the environment wins.  An unknown key or a bad value is a `SettingsError` naming
the key: a typo must not silently fall back to a default (`relay_tls = "startls"` would
mean a plaintext login).
"""

from __future__ import annotations

import os
import secrets
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from mailfeed.gateway.config import GatewayConfig, parse_hostport
from mailfeed.parsers.policy import DEFAULT_CONFIDENTIAL_MARKERS, PolicyContext
from mailfeed.publisher.rawstore import KINDS as RAW_STORES
from mailfeed.publisher.site import Site
from mailfeed.web.config import WebConfig

__all__ = [
    "Settings",
    "SettingsError",
    "build_gateway_config",
    "build_site",
    "build_web_config",
    "load_settings",
    "parse_hostport",
]

PREFIX = "MAILFEED_"

# The allowed values of the enum-like settings.  `auth` also takes `header:<Name>`.
CHOICES: dict[str, tuple[str, ...]] = {
    "relay_tls": ("none", "starttls", "implicit"),
    "auth": ("magic-link", "open", "header:<Name>"),
    "monitor_policy": ("suggest", "publish", "off"),
    "external_people": ("name", "redact"),
    "default_language": ("sv", "en"),
    "raw_store": RAW_STORES,
}
# Counts that must be at least one (0 would mean no connection, worker or thread at all).
AT_LEAST_ONE = ("database_pool_size", "web_workers", "web_threads")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingsError(ValueError):
    """A setting that is unknown or has a bad value; the message names the key."""


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


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
    page_cache_mb: int = 32  # rendered pages kept per web process (0: none)
    news_feeds: tuple[str, ...] = ()  # Atom/RSS URLs of intranet news, one thread per entry
    news_interval: int = 300  # seconds between polls of the news feeds

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

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def _coerce(name: str, raw: Any, default: Any) -> Any:
    """`raw` (a TOML value or an environment string) as the type of `default`."""
    key = PREFIX + name.upper()
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text not in _TRUE | _FALSE:
            raise SettingsError(f"{key}: {raw!r} is not a yes/no value (true or false)")
        return text in _TRUE
    if isinstance(default, int):
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise SettingsError(f"{key}: {raw!r} is not a whole number")
        try:
            number = int(raw)
        except ValueError:
            raise SettingsError(f"{key}: {raw!r} is not a whole number") from None
        if number < 0:
            raise SettingsError(f"{key}: {raw!r} must not be negative")
        return number
    if isinstance(default, float):
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise SettingsError(f"{key}: {raw!r} is not a value") from None
        if not value >= 0:  # also refuses NaN
            raise SettingsError(f"{key}: {raw!r} must not be negative")
        return value
    if isinstance(default, tuple):
        if isinstance(raw, list | tuple):
            return tuple(str(x).strip() for x in raw)
        return _split_list(str(raw))
    if isinstance(default, Path):
        return Path(str(raw))
    if not isinstance(raw, str):
        raise SettingsError(f"{key}: {raw!r} is not a string")
    return raw


def _check_choices(settings: Settings) -> None:
    for name, allowed in CHOICES.items():
        value = getattr(settings, name)
        if name == "auth" and value.startswith("header:") and value.partition(":")[2].strip():
            continue
        if value not in allowed:
            raise SettingsError(
                f"{PREFIX}{name.upper()}: {value!r} is not one of {', '.join(allowed)}"
            )
    for name in ("smtp_listen", "web_listen") + (("relay",) if settings.relay else ()):
        try:
            parse_hostport(getattr(settings, name))
        except ValueError:
            raise SettingsError(
                f"{PREFIX}{name.upper()}: {getattr(settings, name)!r} is not host:port"
            ) from None
    if not settings.gateway_addresses:
        raise SettingsError(f"{PREFIX}GATEWAY_ADDRESSES: at least one address is needed")
    for name in AT_LEAST_ONE:
        if getattr(settings, name) < 1:
            raise SettingsError(
                f"{PREFIX}{name.upper()}: {getattr(settings, name)!r} must be at least 1"
            )


# `MAILFEED_*` variables that are no gateway setting: the config file's path, and what the
# development tools read (the accuracy report's corpora, the tests' PostgreSQL server).
# CI sets MAILFEED_CORPORA for every process, the gateways the tests start included.
NOT_SETTINGS = frozenset({PREFIX + "CONFIG", PREFIX + "CORPORA", PREFIX + "TEST_PG"})


def load_settings(
    environ: Mapping[str, str] | None = None, config_file: Path | None = None, **overrides: Any
) -> Settings:
    """Build the settings: defaults < TOML file < environment < explicit overrides.

    Raises `SettingsError` for an unknown key (in the file or as a `MAILFEED_*` variable)
    and for a value of the wrong kind; the message names the key."""
    env = os.environ if environ is None else environ
    values: dict[str, tuple[str, Any]] = {}  # name -> (where it was given, value)
    path = config_file or Path(env.get(PREFIX + "CONFIG", "mailfeed.toml"))
    if path.is_file():
        try:
            with path.open("rb") as fh:
                table = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path}: {exc}") from None
        values.update({k.lower(): (f"{path}: {k}", v) for k, v in table.items()})
    for key, value in env.items():
        if key.startswith(PREFIX) and key not in NOT_SETTINGS:
            values[key[len(PREFIX) :].lower()] = (key, value)
    defaults = Settings()
    known = {f.name for f in fields(Settings)}
    kwargs: dict[str, Any] = {}
    for name, (where, value) in values.items():
        if name not in known:
            raise SettingsError(f"{where}: unknown setting (known: {', '.join(sorted(known))})")
        kwargs[name] = _coerce(name, value, getattr(defaults, name))
    kwargs.update(overrides)
    settings = Settings(**kwargs)
    settings = replace(
        settings,
        gateway_addresses=tuple(a.lower() for a in settings.gateway_addresses),
        monitor_addresses=tuple(a.lower() for a in settings.monitor_addresses),
    )
    _check_choices(settings)
    if not settings.secret_key:
        settings = replace(settings, secret_key=_persistent_secret(settings.data_dir))
    return settings


def _persistent_secret(data_dir: Path) -> str:
    """A secret kept in the data dir, so links stay valid across restarts."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    # Several processes may start at once on a new data dir (roles, `db upgrade` run
    # twice): each writes its key to a private file and links it into place, which only
    # one can do; the others read the winner's complete key instead of failing.
    key = secrets.token_urlsafe(32)
    fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=".secret_key.")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        os.link(tmp, path)
    except FileExistsError:
        return path.read_text().strip()
    finally:
        os.unlink(tmp)
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


def build_web_config(settings: Settings) -> WebConfig:
    """The web app's view: no relay password, no IMAP URL, no database URL."""
    return WebConfig(
        site=build_site(settings),
        public_url=settings.public_url,
        default_language=settings.default_language,
        auth=settings.auth,
        trusted_proxies=settings.trusted_proxies,
        secret_key=settings.secret_key,
        metrics_token=settings.metrics_token,
        publish_domains=settings.publish_domains,
        moderators=tuple(m.lower() for m in settings.moderators),
        demo=settings.demo,
        data_dir=settings.data_dir,
        local_outbox=not settings.relay,
        search_timeout=settings.search_timeout,
        page_cache_bytes=settings.page_cache_mb * 1024 * 1024,
    )


def build_gateway_config(settings: Settings) -> GatewayConfig:
    """The gateway's view: listeners, relay, IMAP, limits; the publisher's `Site` inside."""
    return GatewayConfig(
        site=build_site(settings),
        data_dir=settings.data_dir,
        smtp_listen=settings.smtp_listen,
        gateway_addresses=settings.gateway_addresses,
        monitor_addresses=settings.monitor_addresses,
        reply_separator=settings.reply_separator,
        tls_cert=settings.tls_cert,
        tls_key=settings.tls_key,
        require_tls=settings.require_tls,
        max_message_size=settings.max_message_size,
        max_line_length=settings.max_line_length,
        relay=settings.relay,
        relay_user=settings.relay_user,
        relay_password=settings.relay_password,
        relay_tls=settings.relay_tls,
        relay_ca=settings.relay_ca,
        outbound_retry_base=settings.outbound_retry_base,
        imap_url=settings.imap_url,
        verify_dkim=settings.verify_dkim,
        parse_cpu_seconds=settings.parse_cpu_seconds,
        max_connections=settings.max_connections,
        relay_timeout=settings.relay_timeout,
        news_feeds=settings.news_feeds,
        news_interval=settings.news_interval,
        raw_store=settings.raw_store,
    )
