"""One frozen settings object: defaults, TOML file, environment (which wins)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from mailfeed.settings import Settings, load_settings, parse_hostport


def test_defaults_are_the_embedded_ones(tmp_path: Path) -> None:
    s = load_settings({"MAILFEED_DATA_DIR": str(tmp_path)})
    assert s.smtp_listen == "127.0.0.1:2525" and s.web_listen == "127.0.0.1:8080"
    assert s.gateway_addresses == ("feed@localhost",)
    assert s.publish_domains == ("localhost",)
    assert s.db_url == f"sqlite:///{(tmp_path / 'mailfeed.sqlite3').resolve()}"
    assert s.public_url == "http://127.0.0.1:8080"
    assert s.auth == "magic-link" and s.relay == ""
    assert len(s.secret_key) >= 32
    # the secret persists, so sign-in links survive a restart
    assert load_settings({"MAILFEED_DATA_DIR": str(tmp_path)}).secret_key == s.secret_key


def test_toml_file_and_environment(tmp_path: Path) -> None:
    config = tmp_path / "mailfeed.toml"
    config.write_text('gateway_addresses = ["Feed@Firma.se", "fragor@firma.se"]\n'
                      'base_url = "https://feed.firma.se/"\nmin_chain_messages = 6\n'
                      'smtp_listen = "0.0.0.0:25"\n')
    s = load_settings({"MAILFEED_DATA_DIR": str(tmp_path), "MAILFEED_SMTP_LISTEN": ":2626",
                       "MAILFEED_ALLOWED_DOMAINS": "firma.se, dotter.se"}, config_file=config)
    assert s.gateway_addresses == ("feed@firma.se", "fragor@firma.se")
    assert s.public_url == "https://feed.firma.se"
    assert s.min_chain_messages == 6
    assert s.smtp_listen == ":2626" and parse_hostport(s.smtp_listen) == ("127.0.0.1", 2626)
    assert s.publish_domains == ("firma.se", "dotter.se")


def test_settings_are_frozen(tmp_path: Path) -> None:
    s = load_settings({"MAILFEED_DATA_DIR": str(tmp_path)})
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.relay = "x:25"  # type: ignore[misc]
    assert isinstance(s, Settings)


def test_ipv6_listen_address() -> None:
    assert parse_hostport("[::1]:2525") == ("::1", 2525)
