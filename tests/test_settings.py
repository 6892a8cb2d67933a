"""One frozen settings object: defaults, TOML file, environment (which wins)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailfeed.cli import main
from mailfeed.settings import (
    Settings,
    SettingsError,
    build_gateway_config,
    build_web_config,
    load_settings,
    parse_hostport,
)


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
    config.write_text(
        'gateway_addresses = ["Feed@Firma.se", "fragor@firma.se"]\n'
        'base_url = "https://feed.firma.se/"\nmin_chain_messages = 6\n'
        'smtp_listen = "0.0.0.0:25"\n'
    )
    s = load_settings(
        {
            "MAILFEED_DATA_DIR": str(tmp_path),
            "MAILFEED_SMTP_LISTEN": ":2626",
            "MAILFEED_ALLOWED_DOMAINS": "firma.se, dotter.se",
        },
        config_file=config,
    )
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


# ------------------------------------------------ unknown keys and bad values are errors


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"MAILFEED_RELAY_TLS": "startls"}, "MAILFEED_RELAY_TLS"),
        ({"MAILFEED_AUTH": "magiclink"}, "MAILFEED_AUTH"),
        ({"MAILFEED_AUTH": "header:"}, "MAILFEED_AUTH"),
        ({"MAILFEED_MONITOR_POLICY": "publsh"}, "MAILFEED_MONITOR_POLICY"),
        ({"MAILFEED_EXTERNAL_PEOPLE": "hide"}, "MAILFEED_EXTERNAL_PEOPLE"),
        ({"MAILFEED_DEFAULT_LANGUAGE": "de"}, "MAILFEED_DEFAULT_LANGUAGE"),
        ({"MAILFEED_MAX_QUEUE": "many"}, "MAILFEED_MAX_QUEUE"),
        ({"MAILFEED_RATE_LIMIT": "-1"}, "MAILFEED_RATE_LIMIT"),
        ({"MAILFEED_REQUIRE_TLS": "maybe"}, "MAILFEED_REQUIRE_TLS"),
        ({"MAILFEED_SMTP_LISTEN": "localhost"}, "MAILFEED_SMTP_LISTEN"),
        ({"MAILFEED_RELAY_PASWORD": "x"}, "MAILFEED_RELAY_PASWORD"),
    ],
)
def test_a_bad_setting_is_an_error_naming_its_key(
    tmp_path: Path, environ: dict[str, str], named: str
) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings({"MAILFEED_DATA_DIR": str(tmp_path), **environ})


def test_a_misspelt_tls_mode_names_the_allowed_ones(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"MAILFEED_DATA_DIR": str(tmp_path), "MAILFEED_RELAY_TLS": "startls"})
    assert "'startls'" in str(caught.value)
    assert all(mode in str(caught.value) for mode in ("none", "starttls", "implicit"))


def test_an_unknown_toml_key_is_an_error(tmp_path: Path) -> None:
    config = tmp_path / "mailfeed.toml"
    config.write_text('base_url = "https://feed.firma.se"\nbase_ulr = "typo"\n')
    with pytest.raises(SettingsError, match="base_ulr"):
        load_settings({"MAILFEED_DATA_DIR": str(tmp_path)}, config_file=config)
    config.write_text("relay_tls = 1\n")
    with pytest.raises(SettingsError, match="MAILFEED_RELAY_TLS"):
        load_settings({"MAILFEED_DATA_DIR": str(tmp_path)}, config_file=config)


def test_good_values_pass(tmp_path: Path) -> None:
    s = load_settings(
        {
            "MAILFEED_DATA_DIR": str(tmp_path),
            "MAILFEED_RELAY_TLS": "starttls",
            "MAILFEED_AUTH": "header:X-Remote-User",
            "MAILFEED_REQUIRE_TLS": "yes",
            "MAILFEED_DEFAULT_LANGUAGE": "en",
            "MAILFEED_MAX_QUEUE": "10",
        }
    )
    assert (s.relay_tls, s.auth, s.require_tls, s.max_queue) == (
        "starttls",
        "header:X-Remote-User",
        True,
        10,
    )
    assert not hasattr(s, "extra")


def test_the_cli_reports_a_bad_setting_with_exit_status_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["spool", "list"],
        env={"MAILFEED_DATA_DIR": str(tmp_path), "MAILFEED_RELAY_TLS": "startls"},
    )
    assert result.exit_code == 2
    assert "MAILFEED_RELAY_TLS" in result.output and "starttls" in result.output
    assert "Traceback" not in result.output


# ------------------------------------------------------------ each ring gets its own view


def test_the_views_hold_no_secret_they_do_not_use(tmp_path: Path) -> None:
    s = load_settings(
        {
            "MAILFEED_DATA_DIR": str(tmp_path),
            "MAILFEED_RELAY": "smtp.firma.se:587",
            "MAILFEED_RELAY_PASSWORD": "relay-secret-1",
            "MAILFEED_IMAP_URL": "imaps://feed:imap-secret-2@imap.firma.se/INBOX",
            "MAILFEED_DATABASE_URL": "postgresql://u:db-secret-3@db/mailfeed",
            "MAILFEED_SECRET_KEY": "signing-secret-4",
        }
    )
    web = build_web_config(s)
    assert web.public_url == s.public_url and web.default_language == s.default_language
    assert web.site.gateway_address == s.primary_address and not web.local_outbox
    flat = repr(web)
    for secret in ("relay-secret-1", "imap-secret-2", "db-secret-3"):
        assert secret not in flat
    assert "signing-secret-4" not in repr(web.template_values())
    gateway = build_gateway_config(s)
    assert gateway.relay_password == "relay-secret-1" and "db-secret-3" not in repr(gateway)
    with pytest.raises(dataclasses.FrozenInstanceError):
        web.public_url = "x"  # type: ignore[misc]


def test_the_tools_own_variables_are_no_settings(tmp_path: Path) -> None:
    """CI exports MAILFEED_CORPORA to every process (the accuracy report reads it), and the
    tests read MAILFEED_TEST_PG: neither is a gateway setting nor a typo of one."""
    s = load_settings(
        {
            "MAILFEED_DATA_DIR": str(tmp_path),
            "MAILFEED_SECRET_KEY": "x",
            "MAILFEED_CORPORA": "/srv/corpora",
            "MAILFEED_TEST_PG": "postgresql+psycopg://postgres@127.0.0.1/test",
        }
    )
    assert s.data_dir == tmp_path
    with pytest.raises(SettingsError, match="MAILFEED_CORPUS"):
        load_settings({"MAILFEED_DATA_DIR": str(tmp_path), "MAILFEED_CORPUS": "x"})


def test_processes_starting_at_once_on_a_new_data_dir_agree_on_one_secret(tmp_path: Path) -> None:
    """Roles (or `mailfeed db upgrade` run twice) start together on a fresh data dir: none
    fails on the other's key file, and all sign links with the same key."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(4) as pool:
        keys = list(pool.map(_secret_in, [tmp_path] * 16))
    assert len(set(keys)) == 1 and keys[0] == (tmp_path / "secret_key").read_text().strip()
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temp files left


def _secret_in(data_dir: Path) -> str:
    from mailfeed.settings import _persistent_secret

    return _persistent_secret(data_dir)
