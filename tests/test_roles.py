"""One role per process (issue 11): `mailfeed smtp`, `worker`, `sender` and `web` each do
their one job against a shared data dir and database, and the schema has one rule.

Anna's question reaches `mailfeed smtp`, which only acknowledges it into the spool; the
thread appears once `mailfeed worker` runs; the link mail reaches the relay once
`mailfeed sender` runs; `mailfeed web` (gunicorn, two workers) shows the thread.
"""

from __future__ import annotations

import os
import signal
import smtplib
import sqlite3
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from mailfeed.publisher.db import Database
from mailfeed.settings import load_settings
from tests.conftest import DATA, ROOT, free_port
from tests.db_support import _pg_database
from tests.gateway_support import mailfeed_command, relay_sink, wait_port  # noqa: F401

CHAIN = (DATA / "e2e" / "outlook_sv_five_days.eml").read_bytes()


class Roles:
    """Role processes started as an operator would (systemd units run the same commands)."""

    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.tmp = tmp_path
        self.env = env
        self.procs: list[subprocess.Popen[bytes]] = []
        self.log = tmp_path / "roles.log"

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        with open(self.log, "ab") as out:
            proc = subprocess.Popen(
                [*mailfeed_command(), *args], env=self.env, cwd=self.tmp, stdout=out, stderr=out
            )
        self.procs.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def wait(self, check, timeout: float = 30):  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"not within {timeout}s:\n{self.log.read_text(errors='replace')}")


def role_env(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILFEED_")}
    env.update(
        {
            "MAILFEED_DATA_DIR": str(data),
            "MAILFEED_SMTP_LISTEN": f"127.0.0.1:{free_port()}",
            "MAILFEED_WEB_LISTEN": f"127.0.0.1:{free_port()}",
            "MAILFEED_GATEWAY_ADDRESSES": "feed@firma.se",
            "MAILFEED_AUTH": "open",
            "PYTHONPATH": str(ROOT),
            **extra,
        }
    )
    return env


@pytest.fixture
def roles(tmp_path: Path, relay_sink) -> Iterator[Roles]:  # noqa: F811
    data = tmp_path / "data"
    data.mkdir()
    running = Roles(
        tmp_path,
        role_env(data, MAILFEED_RELAY=f"127.0.0.1:{relay_sink.port}", MAILFEED_WEB_WORKERS="2"),
    )
    yield running
    running.stop_all()


def get(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read(), dict(err.headers)


def test_each_role_alone_does_its_one_job(roles: Roles, relay_sink) -> None:  # noqa: F811
    data = Path(roles.env["MAILFEED_DATA_DIR"])
    smtp_port = int(roles.env["MAILFEED_SMTP_LISTEN"].rpartition(":")[2])
    web_port = int(roles.env["MAILFEED_WEB_LISTEN"].rpartition(":")[2])

    roles.start("smtp")
    wait_port(smtp_port)
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as client:
        client.sendmail("johan.lind@firma.se", ["feed@firma.se"], CHAIN)
    spooled = list((data / "spool" / "new").glob("*.msg"))
    assert len(spooled) == 1  # acknowledged = in the spool; nobody processes it yet
    assert not (data / "mailfeed.sqlite3").exists()  # the listener needs no database

    roles.start("worker")
    db_file = data / "mailfeed.sqlite3"

    def threads() -> list[tuple[int, str]]:
        if not db_file.exists():
            return []
        with sqlite3.connect(db_file) as db:
            try:
                return db.execute("select id, subject from thread").fetchall()
            except sqlite3.OperationalError:
                return []  # the schema is being created

    found = roles.wait(threads)
    assert found[0][1] == "Boka stora konferensrummet för externa gäster?"
    roles.wait(lambda: not list((data / "spool" / "new").glob("*.msg")))
    assert relay_sink.mails == []  # no sender yet: the link mails wait in the queue

    roles.start("sender")
    caught = relay_sink.wait_for(4, timeout=30)
    assert sorted(r for m in caught for r in m.rcpts) == [
        "anna.berg@firma.se",
        "erik.sandberg@firma.se",
        "johan.lind@firma.se",
        "maria.holm@firma.se",
    ]

    web = roles.start("web")
    wait_port(web_port)
    status, body, _ = get(f"http://127.0.0.1:{web_port}/healthz")
    assert (status, body) == (200, b"ok")
    status, body, _ = get(f"http://127.0.0.1:{web_port}/t/{found[0][0]}")
    assert status == 200 and "konferensrummet" in body.decode()
    # gunicorn: a master and the two workers asked for.
    workers = subprocess.run(["pgrep", "-P", str(web.pid)], capture_output=True, text=True)
    assert len(workers.stdout.split()) == 2


def upgrade_twice_at_once(env: dict[str, str]) -> list[subprocess.CompletedProcess[str]]:
    def run(_: int) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*mailfeed_command(), "db", "upgrade"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(run, range(2)))


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_migration_run_concurrently_and_again_is_safe(kind: str, tmp_path: Path) -> None:
    for url in [f"sqlite:///{tmp_path / 'm.sqlite3'}"] if kind == "sqlite" else _pg_database():
        env = role_env(tmp_path, MAILFEED_DATABASE_URL=url)
        results = upgrade_twice_at_once(env) + upgrade_twice_at_once(env)
        assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr for r in results]
        db = Database(url)
        try:
            assert db.is_current()
            with db.engine.connect() as conn:
                versions = conn.exec_driver_sql("select version_num from alembic_version").all()
            assert len(versions) == 1
        finally:
            db.dispose()


def test_postgresql_is_upgraded_by_the_operator_only(tmp_path: Path) -> None:
    from mailfeed.wsgi import create_app

    for url in _pg_database():
        env = role_env(tmp_path, MAILFEED_DATABASE_URL=url)
        for role in ("worker", "sender", "web"):
            refused = subprocess.run(
                [*mailfeed_command(), role], env=env, capture_output=True, text=True, timeout=60
            )
            assert refused.returncode != 0 and "mailfeed db upgrade" in refused.stderr, role
        settings = load_settings(environ={}, data_dir=tmp_path, database_url=url)
        with pytest.raises(RuntimeError, match="mailfeed db upgrade"):
            create_app(settings)  # the web role never migrates by itself
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain) as conn:
            tables = conn.execute(
                "select count(*) from information_schema.tables where table_schema = 'public'"
            ).fetchone()
        assert tables == (0,)
