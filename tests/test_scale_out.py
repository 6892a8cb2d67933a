"""Several instances on one PostgreSQL act as one (issue 11).

Two MX hosts hand the same mail to two gateways at the same moment (a sending server
retries on the other MX, or journaling copies to both): every mail still becomes one
thread, and every colleague on it gets exactly one link reply.
"""

from __future__ import annotations

import smtplib
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from mailfeed.publisher.db import Database
from tests.db_support import _pg_database
from tests.gateway_support import (  # noqa: F401 - fixtures
    GatewayProcess,
    RelaySink,
    gateway_factory,
    relay_sink,
)

MAILS = 40
COLLEAGUES = ("erik.sandberg@firma.se", "maria.holm@firma.se")


def question(i: int) -> bytes:
    return (
        f"From: Anna Berg <anna.berg@firma.se>\r\n"
        f"To: {COLLEAGUES[0]}\r\nCc: {COLLEAGUES[1]}, feed@firma.se\r\n"
        f"Subject: Fråga nummer {i} om projektor {i * 7}\r\n"
        f"Message-ID: <q{i}.scale@firma.se>\r\nDate: Mon, 23 Nov 2026 10:{i % 60:02d}:00 +0100\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Hej, vet någon hur projektor {i * 7} i rum {i} kopplas in?\r\n"
    ).encode()


def send(port: int, raw: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        client.sendmail("anna.berg@firma.se", ["feed@firma.se"], raw)


@pytest.fixture
def shared_pg() -> Iterator[str]:
    gen = _pg_database()
    url = next(gen)
    db = Database(url)
    db.upgrade()
    db.dispose()
    yield url
    gen.close()  # drops the database


def rows(url: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return list(conn.execute(sql).fetchall())


def two_instances(
    factory: Callable[..., GatewayProcess], url: str, sink: RelaySink, **extra: str
) -> tuple[GatewayProcess, GatewayProcess]:
    env = {"MAILFEED_DATABASE_URL": url, "MAILFEED_RELAY": f"127.0.0.1:{sink.port}", **extra}
    return factory(env), factory(env)


def settled(url: str, gateways: tuple[GatewayProcess, ...]) -> bool:
    """Both spools empty and nothing queued or leased: every effect has happened."""
    spools = [list((gw.data_dir / "spool" / "new").glob("*.msg")) for gw in gateways]
    queued = rows(url, "SELECT count(*) FROM outbound_mail WHERE state = 'queued'")[0][0]
    return not any(spools) and queued == 0


def test_same_mails_to_two_instances_make_one_thread_and_one_link_each(
    gateway_factory, relay_sink, shared_pg, tmp_path: Path
):
    a, b = two_instances(gateway_factory, shared_pg, relay_sink)
    mails = [question(i) for i in range(MAILS)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        # Each mail goes to both instances at the same moment.
        list(
            pool.map(
                lambda job: send(*job), [(gw.smtp_port, raw) for raw in mails for gw in (a, b)]
            )
        )

    a.wait_until(lambda: settled(shared_pg, (a, b)), timeout=90)
    assert rows(shared_pg, "SELECT count(*) FROM thread")[0][0] == MAILS
    # The instance that lost the race saw the winner's record: nothing failed, nothing
    # waits for an operator.
    assert not [p for gw in (a, b) for p in (gw.data_dir / "spool" / "failed").iterdir()]
    assert rows(shared_pg, "SELECT count(*) FROM mail_message")[0][0] == MAILS
    links = rows(shared_pg, "SELECT count(*) FROM outbound_mail WHERE purpose = 'link'")
    assert links[0][0] == MAILS * 3

    caught = relay_sink.wait_for(MAILS * 3, timeout=30)
    per_mail_and_person = Counter((m.message["In-Reply-To"], tuple(m.rcpts)) for m in caught)
    assert len(per_mail_and_person) == MAILS * 3
    assert set(per_mail_and_person.values()) == {1}, per_mail_and_person.most_common(3)
    assert {r[0] for r in per_mail_and_person} == {f"<q{i}.scale@firma.se>" for i in range(MAILS)}


def test_two_hosts_of_one_role_per_process_make_one_thread_and_one_link_each(
    relay_sink, shared_pg, tmp_path: Path
):
    """The production layout of docs/deploy.md: each host runs `mailfeed smtp`, `worker`
    and `sender` as separate processes on its own spool; two such hosts share PostgreSQL.
    Two of each role, the same mails to both listeners: still one thread and one link reply
    per mail and person."""
    from tests.gateway_support import wait_port
    from tests.test_roles import Roles, role_env

    hosts: list[tuple[Roles, int, Path]] = []
    try:
        for name in ("mx1", "mx2"):
            data = tmp_path / name / "data"
            data.mkdir(parents=True)
            env = role_env(
                data, MAILFEED_DATABASE_URL=shared_pg, MAILFEED_RELAY=f"127.0.0.1:{relay_sink.port}"
            )
            host = Roles(tmp_path / name, env)
            for role in ("smtp", "worker", "sender"):
                host.start(role)
            port = int(env["MAILFEED_SMTP_LISTEN"].rpartition(":")[2])
            wait_port(port)
            hosts.append((host, port, data))
        mails = [question(i) for i in range(MAILS)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda job: send(*job), [(p, raw) for raw in mails for _, p, _ in hosts]))

        def done() -> bool:
            spooled = [f for _, _, d in hosts for f in (d / "spool" / "new").glob("*.msg")]
            queued = rows(shared_pg, "SELECT count(*) FROM outbound_mail WHERE state = 'queued'")
            return not spooled and queued[0][0] == 0 and len(relay_sink.mails) >= MAILS * 3

        hosts[0][0].wait(done, timeout=120)
        assert rows(shared_pg, "SELECT count(*) FROM thread")[0][0] == MAILS
        assert rows(shared_pg, "SELECT count(*) FROM mail_message")[0][0] == MAILS
        assert not [p for _, _, d in hosts for p in (d / "spool" / "failed").iterdir()]
        per_mail_and_person = Counter(
            (m.message["In-Reply-To"], tuple(m.rcpts)) for m in relay_sink.mails
        )
        assert len(per_mail_and_person) == MAILS * 3
        assert set(per_mail_and_person.values()) == {1}, per_mail_and_person.most_common(3)
    finally:
        for host, _, _ in hosts:
            host.stop_all()
