"""One mail cannot stop the service: parsing runs in a child process with a CPU budget.

A parser that never ends (`tests.hostile.spin_parse` on a marked mail) stands in for a
regular expression with catastrophic backtracking: the test holds whatever the real
parser becomes.  While it spins, SMTP answers `250` and pages answer; over its budget
the mail is quarantined with the reason; stopping does not wait for it; a kill -9 in the
middle does not freeze the next start.
"""

from __future__ import annotations

import json
import os
import signal
import smtplib
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from mailfeed.gateway.parsing import ParseProcess
from mailfeed.gateway.spool import Spool
from mailfeed.gateway.worker import MAX_STARTS, Worker, belongs_to_mail
from mailfeed.publisher.db import Database
from mailfeed.publisher.models import MailMessage
from mailfeed.serve import Gateway
from mailfeed.settings import Settings, build_gateway_config
from tests.conftest import ROOT, free_port
from tests.hostile import GATEWAY, long_word, same_body_twice, spin_parse, spinning

GENEROUS = 60  # seconds: far beyond any answer, and only a freeze would miss it


def settings_for(data_dir: Path, **changes: object) -> Settings:
    return Settings(
        data_dir=data_dir,
        secret_key="test",
        auth="open",
        smtp_listen=f"127.0.0.1:{free_port()}",
        web_listen=f"127.0.0.1:{free_port()}",
        gateway_addresses=(GATEWAY,),
    ).with_overrides(**changes)


def wait_for(check: Callable[[], object], what: str) -> object:
    deadline = time.monotonic() + GENEROUS
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"not within {GENEROUS} s: {what}")


def started(spool_root: Path) -> bool:
    """The worker began a mail (its side file counts a start) and has not finished it."""
    for side in (spool_root / "new").glob("*.json"):
        if json.loads(side.read_text()).get("starts"):
            return True
    return False


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[Callable[..., Gateway]]:
    made: list[Gateway] = []

    def make(cpu_seconds: int) -> Gateway:
        gw = Gateway(settings_for(tmp_path / "data"))
        gw.worker.parser = ParseProcess(cpu_seconds, spin_parse)
        gw.start()
        made.append(gw)
        return gw

    yield make
    for gw in made:
        gw.stop()


def send(gw: Gateway, raw: bytes, sender: str = "anna.berg@firma.se") -> None:
    host, _, port = gw.settings.smtp_listen.rpartition(":")
    with smtplib.SMTP(host, int(port), timeout=GENEROUS) as smtp:
        smtp.sendmail(sender, [GATEWAY], raw)


def page(gw: Gateway) -> int:
    with urllib.request.urlopen(gw.settings.public_url + "/", timeout=GENEROUS) as response:
        return int(response.status)


def test_a_mail_over_its_cpu_budget_is_quarantined_while_smtp_and_pages_answer(gateway):
    gw = gateway(cpu_seconds=2)
    send(gw, spinning(long_word(1000)).raw)
    wait_for(lambda: started(gw.spool.root), "the worker starts on the hostile mail")
    # The parse spins in the child: this process still takes mail and serves pages.
    normal, _ = same_body_twice()
    send(gw, normal.raw)
    assert page(gw) == 200
    failed = wait_for(lambda: list(gw.spool.quarantined()), "the hostile mail is quarantined")
    assert "CPU time" in failed[0].error  # type: ignore[index]

    # ... and the mail behind it is published: the queue moved on.
    def published() -> bool:
        with gw.db.session() as s:
            return s.query(MailMessage).filter_by(message_id="same-body-1@firma.se").count() == 1

    wait_for(published, "the mail behind the hostile one is published")


def test_stopping_does_not_wait_for_a_parse_and_keeps_the_mail(gateway):
    gw = gateway(cpu_seconds=3600)
    send(gw, spinning(long_word(1000)).raw)
    wait_for(lambda: started(gw.spool.root), "the worker starts on the hostile mail")
    stopper = threading.Thread(target=gw.stop)
    stopper.start()
    stopper.join(timeout=GENEROUS)
    assert not stopper.is_alive(), "stop() waited for the parse"
    # Acknowledged mail is never dropped: it waits for the next start, not counted as cut off.
    (entry,) = list(gw.spool.pending())
    assert entry.starts == 0 and not list(gw.spool.quarantined())


KILLABLE = """
import sys
from pathlib import Path
from mailfeed.gateway.spool import Spool
from mailfeed.gateway.worker import Worker
from mailfeed.publisher.db import Database
from mailfeed.settings import Settings, build_gateway_config
from tests.hostile import spin_parse
settings = Settings(data_dir=Path(sys.argv[1]), secret_key="test",
                    gateway_addresses=("feed@firma.se",), parse_cpu_seconds=3600)
db = Database(settings.db_url)
db.upgrade()
Worker(build_gateway_config(settings), db, Spool(settings.data_dir / "spool"),
       parse=spin_parse).run_once()
"""


def test_after_kill_9_mid_parse_the_mail_does_not_freeze_the_next_start(tmp_path):
    data = tmp_path / "data"
    spool = Spool(data / "spool")
    spool.put(spinning(long_word(1000)).raw, mail_from="anna.berg@firma.se", rcpts=(GATEWAY,))
    normal, _ = same_body_twice()
    spool.put(normal.raw, mail_from="anna.berg@firma.se", rcpts=(GATEWAY,))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", KILLABLE, str(data)], env=env, cwd=ROOT)
    try:
        wait_for(lambda: started(spool.root), "the first run starts on the hostile mail")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    # The next start parses it under a budget: quarantined once, then the queue moves.
    settings = Settings(
        data_dir=data, secret_key="test", gateway_addresses=(GATEWAY,), parse_cpu_seconds=2
    )
    db = Database(settings.db_url)
    worker = Worker(build_gateway_config(settings), db, spool, parse=spin_parse)
    try:
        assert worker.run_once() == 2
    finally:
        worker.stop()
    (failed,) = list(spool.quarantined())
    assert "CPU time" in failed.error and failed.starts == 0
    with db.session() as s:
        assert s.query(MailMessage).filter_by(message_id="same-body-1@firma.se").count() == 1
    db.dispose()


def test_a_mail_cut_off_again_and_again_is_quarantined_without_another_try(tmp_path):
    data = tmp_path / "data"
    spool = Spool(data / "spool")
    spool.put(long_word(1000).raw, mail_from="anna.berg@firma.se", rcpts=(GATEWAY,))
    (entry,) = list(spool.pending())
    for _ in range(MAX_STARTS):  # as that many runs killed in the middle leave it
        spool.begin(entry)
    settings = Settings(data_dir=data, secret_key="test", gateway_addresses=(GATEWAY,))
    db = Database(settings.db_url)
    db.upgrade()
    worker = Worker(build_gateway_config(settings), db, spool)
    try:
        worker.run_once()
    finally:
        worker.stop()
    (failed,) = list(spool.quarantined())
    assert f"cut off {MAX_STARTS} times" in failed.error
    with db.session() as s:
        assert s.query(MailMessage).count() == 0  # never parsed again
    db.dispose()


def test_errors_of_one_mail_are_told_from_errors_of_the_database(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}", connect_args={"timeout": 0})
    # A query only this mail makes: too many variables (300,000 References).
    with engine.connect() as conn, pytest.raises(OperationalError) as too_many:
        conn.exec_driver_sql(
            "SELECT 1 WHERE 1 IN (" + ",".join("?" * 300_000) + ")", tuple(range(300_000))
        )
    assert belongs_to_mail(too_many.value)
    # The database as a whole: locked by another writer.
    with engine.connect() as holder:
        holder.execute(text("CREATE TABLE t (x)"))
        holder.commit()
        holder.execute(text("BEGIN EXCLUSIVE"))
        with engine.connect() as other, pytest.raises(OperationalError) as locked:
            other.execute(text("INSERT INTO t VALUES (1)"))
        holder.rollback()
    assert not belongs_to_mail(locked.value)
    # ... or away: nothing listens where the database should be.
    away = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/x")
    with pytest.raises(OperationalError) as refused, away.connect():
        pass
    assert not belongs_to_mail(refused.value)
    assert belongs_to_mail(ValueError("a bug this mail triggers"))
    assert not belongs_to_mail(OSError(28, "No space left on device"))
    engine.dispose()


def test_a_database_that_is_away_defers_the_mail_and_quarantines_nothing(tmp_path):
    spool = Spool(tmp_path / "spool")
    normal, _ = same_body_twice()
    spool.put(normal.raw, mail_from="anna.berg@firma.se", rcpts=(GATEWAY,))
    settings = Settings(
        data_dir=tmp_path,
        secret_key="test",
        gateway_addresses=(GATEWAY,),
        database_url=f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/x",
    )
    db = Database(settings.db_url)
    worker = Worker(build_gateway_config(settings), db, spool)
    try:
        for round_ in range(3):  # round after round: kept, backing off, never quarantined
            assert worker.run_once() == 0
            (entry,) = list(spool.pending())
            assert entry.starts == 0 and not list(spool.quarantined())
            assert worker.backoff == min(30.0, 2.0**round_)
    finally:
        worker.stop()
        db.dispose()
