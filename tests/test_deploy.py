"""The deployment guide's snippets, run by the real programs (docs/deploy.md).

* Postfix, with the guide's `main.cf` lines and transport map, relays mail for the gateway
  address — and its `+tag` forms, through `recipient_delimiter` — to the gateway; mail
  for anyone else never reaches it.  A private Postfix instance (`postfix -c DIR`) with
  its own queue and ports, so it never touches the machine's own Postfix.
* The systemd units under deploy/systemd pass `systemd-analyze verify`.
* gunicorn serves the app from the documented factory, `mailfeed.wsgi:create_app()`.
"""

# ruff: noqa: F811 - pytest fixtures arrive as parameters
from __future__ import annotations

import os
import shutil
import signal
import smtplib
import sqlite3
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port, require_tool
from tests.gateway_support import GatewayProcess, gateway_factory, wait_port  # noqa: F401

DEPLOY = ROOT / "deploy"


def private_master_cf(port: int) -> str:
    """The system's master.cf with smtpd on our port only, and nothing chrooted."""
    lines = []
    for line in Path("/etc/postfix/master.cf").read_text().splitlines():
        fields = line.split()
        if line and not line[0].isspace() and not line.startswith("#") and len(fields) >= 8:
            if fields[0] == "smtp" and fields[1] == "inet":
                fields[0] = f"127.0.0.1:{port}"
            fields[4] = "n"
            line = " ".join(fields)
        lines.append(line)
    return "\n".join(lines) + "\n"


@pytest.fixture
def postfix(gateway_factory) -> Iterator[tuple[int, GatewayProcess, Path]]:
    postfix_bin = require_tool("postfix")
    postmap = require_tool("postmap")
    gw = gateway_factory()
    # maillog_file must lie under /var (Postfix refuses it elsewhere).
    base = Path(tempfile.mkdtemp(prefix="mailfeed-postfix-", dir="/var/tmp"))
    base.chmod(0o755)  # Postfix drops to its own user, which must reach data/
    conf, port = base / "etc", free_port()
    for sub in ("etc", "queue", "data"):
        (base / sub).mkdir()
    shutil.chown(base / "data", "postfix")
    transport = (
        (DEPLOY / "postfix" / "transport")
        .read_text()
        .replace("[mailfeed.firma.se]:2525", f"[127.0.0.1]:{gw.smtp_port}")
    )
    (conf / "transport").write_text(transport)
    guide = (
        (DEPLOY / "postfix" / "main.cf")
        .read_text()
        .replace("/etc/postfix/transport", str(conf / "transport"))
    )
    (conf / "main.cf").write_text(f"""compatibility_level = 3.6
queue_directory = {base / "queue"}
data_directory = {base / "data"}
maillog_file = {base / "postfix.log"}
syslog_name = postfix-mailfeed-test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.firma.se
mydestination =
relay_domains = firma.se
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
local_recipient_maps =
default_transport = error:only the gateway address is routed here
alias_maps =
alias_database =
{guide}""")
    (conf / "master.cf").write_text(private_master_cf(port))
    env = {**os.environ, "MAIL_CONFIG": str(conf)}
    subprocess.run(
        [postmap, "-c", str(conf), f"hash:{conf / 'transport'}"],
        check=True,
        env=env,
        capture_output=True,
    )
    checked = subprocess.run(
        [postfix_bin, "-c", str(conf), "check"], env=env, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    started = subprocess.run(
        [postfix_bin, "-c", str(conf), "start"], env=env, capture_output=True, text=True
    )
    try:
        log = base / "postfix.log"
        assert started.returncode == 0, started.stderr + (log.read_text() if log.exists() else "")
        wait_port(port)
        yield port, gw, base
    finally:
        subprocess.run([postfix_bin, "-c", str(conf), "stop"], env=env, capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def question(rcpt: str, n: int) -> bytes:
    return (
        f"From: Anna Berg <anna.berg@firma.se>\r\nTo: {rcpt}\r\n"
        f"Subject: Var finns nyckel {n}?\r\nMessage-ID: <pf{n}@firma.se>\r\n"
        f"Date: Tue, 24 Nov 2026 09:00:00 +0100\r\n\r\nVet nagon var nyckel {n} ar?\r\n"
    ).encode()


def test_postfix_relays_the_gateway_address_and_its_tags_to_the_gateway(postfix):
    port, gw, base = postfix
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as mx:
        mx.sendmail("anna.berg@firma.se", ["feed@firma.se"], question("feed@firma.se", 1))
        # A tagged form (a per-thread reply address) follows through recipient_delimiter.
        mx.sendmail(
            "anna.berg@firma.se", ["feed+t1.abc@firma.se"], question("feed+t1.abc@firma.se", 2)
        )
        refused = mx.sendmail(
            "anna.berg@firma.se",
            ["feed@firma.se", "nobody@firma.se"],
            question("nobody@firma.se", 3),
        )
    assert refused == {}  # Postfix queues; the routing decides where each copy goes

    db_file = gw.data_dir / "mailfeed.sqlite3"

    def received() -> list[tuple[str, str]]:
        with sqlite3.connect(db_file) as db:
            return db.execute(
                "select message_id, rcpts from mail_message order by message_id"
            ).fetchall()

    found = gw.wait_until(lambda: len(received()) == 3 and received(), timeout=60)
    assert found == [
        ("pf1@firma.se", "feed@firma.se"),
        ("pf2@firma.se", "feed+t1.abc@firma.se"),
        ("pf3@firma.se", "feed@firma.se"),
    ]  # nobody@ was not sent to us
    raw = gw.api("/api/threads")
    assert {t["subject"] for t in raw["threads"]} >= {"Var finns nyckel 1?"}
    log = (base / "postfix.log").read_text(errors="replace")
    assert f"relay=127.0.0.1[127.0.0.1]:{gw.smtp_port}" in log


def test_systemd_units_verify() -> None:
    analyze = require_tool("systemd-analyze")
    units = sorted((DEPLOY / "systemd").glob("*.service"))
    roles = {u.stem.removeprefix("mailfeed-") for u in units}
    assert roles == {"smtp", "imap", "worker", "sender", "web", "serve", "migrate"}
    mailfeed = Path(sys.executable).parent / "mailfeed"
    with tempfile.TemporaryDirectory() as tmp:
        for unit in units:
            text = unit.read_text().replace("/opt/mailfeed/venv/bin/mailfeed", str(mailfeed))
            (Path(tmp) / unit.name).write_text(text)
        result = subprocess.run(
            [analyze, "verify", *sorted(str(p) for p in Path(tmp).iterdir())],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_gunicorn_serves_the_documented_factory(tmp_path: Path) -> None:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILFEED_")}
    env.update(
        {"MAILFEED_DATA_DIR": str(tmp_path), "MAILFEED_AUTH": "open", "PYTHONPATH": str(ROOT)}
    )
    proc = subprocess.Popen(
        [
            str(gunicorn),
            "-w",
            "2",
            "--threads",
            "2",
            "-k",
            "gthread",
            "-b",
            f"127.0.0.1:{port}",
            "mailfeed.wsgi:create_app()",
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_port(port)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
            assert (r.status, r.read()) == (200, b"ok")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
            assert r.status == 200 and b"<html" in r.read().lower()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
