"""Real processes for end-to-end tests: a relay sink (aiosmtpd) and `mailfeed serve`.

The sink is a real SMTP server on a loopback port that keeps every mail the gateway
sends; the gateway runs as a subprocess exactly as a user starts it, on free ports, with
its own data directory.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import ROOT, free_port


@dataclass
class Caught:
    mail_from: str
    rcpts: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=policy.default)  # type: ignore[return-value]


@dataclass
class SinkHandler:
    mails: list[Caught] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.mails.append(
                Caught(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 2.0.0 Ok"


class RelaySink:
    """A real SMTP server catching what the gateway sends to its relay."""

    def __init__(self) -> None:
        self.handler = SinkHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def restart(self) -> None:
        """Up again on the same port (a stopped aiosmtpd controller cannot start again)."""
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def mails(self) -> list[Caught]:
        with self.handler.lock:
            return list(self.handler.mails)

    def wait_for(self, count: int, timeout: float = 10) -> list[Caught]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.mails) >= count:
                return self.mails
            time.sleep(0.05)
        return self.mails


@pytest.fixture
def relay_sink() -> Iterator[RelaySink]:
    sink = RelaySink()
    sink.controller.start()
    yield sink
    sink.controller.stop()


def wait_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port}")


def mailfeed_command() -> list[str]:
    script = Path(sys.executable).parent / "mailfeed"
    return [str(script)] if script.exists() else [sys.executable, "-m", "mailfeed.cli"]


@dataclass
class GatewayProcess:
    data_dir: Path
    smtp_port: int
    web_port: int
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None
    logfile: Any = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def start(self, *args: str) -> GatewayProcess:
        self.logfile = open(self.data_dir.parent / "gateway.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [*mailfeed_command(), "serve", *args],
            env=self.env,
            cwd=self.data_dir.parent,
            stdout=self.logfile,
            stderr=self.logfile,
        )
        try:
            wait_port(self.smtp_port)
            wait_port(self.web_port)
        except TimeoutError:
            self.stop()
            raise AssertionError("gateway did not start:\n" + self.log()) from None
        return self

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.logfile is not None:
            self.logfile.close()
            self.logfile = None

    def log(self) -> str:
        path = self.data_dir.parent / "gateway.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def get(self, path: str) -> tuple[int, bytes, dict[str, str]]:
        request = urllib.request.Request(self.base_url + path)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as err:
            return err.code, err.read(), dict(err.headers)

    def api(self, path: str) -> Any:
        status, body, _ = self.get(path)
        assert status == 200, (status, body[:500])
        return json.loads(body)

    def wait_until(self, check: Callable[[], Any], timeout: float = 10) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"condition not met within {timeout}s; gateway log:\n{self.log()}")


@pytest.fixture
def gateway_factory(tmp_path: Path) -> Iterator[Callable[..., GatewayProcess]]:
    started: list[GatewayProcess] = []

    def make(extra_env: dict[str, str] | None = None, *args: str) -> GatewayProcess:
        data = tmp_path / f"data{len(started)}"
        data.mkdir()
        smtp_port, web_port = free_port(), free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("MAILFEED_")}
        env.update(
            {
                "MAILFEED_DATA_DIR": str(data),
                "MAILFEED_SMTP_LISTEN": f"127.0.0.1:{smtp_port}",
                "MAILFEED_WEB_LISTEN": f"127.0.0.1:{web_port}",
                "MAILFEED_GATEWAY_ADDRESSES": "feed@firma.se",
                "MAILFEED_AUTH": "open",
                "PYTHONPATH": str(ROOT),
            }
        )
        env.update(extra_env or {})
        gw = GatewayProcess(data, smtp_port, web_port, env)
        started.append(gw)
        return gw.start(*args)

    yield make
    for gw in started:
        gw.stop()
