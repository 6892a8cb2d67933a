"""Load against running Mailfeed processes: SMTP clients, HTTP clients, and what they see.

Shared by `run.py` (issue 12's suite) and `scale.py` (issue 11's layouts): the bare
baselines (an aiosmtpd sink, a static Flask page under the same gunicorn), the clients
that send mail and fetch pages, and the measurement of sustained intake (acknowledged →
visible on the feed).  Every figure here is taken with real processes on loopback.
"""

from __future__ import annotations

import calendar
import http.client
import os
import random
import smtplib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.gateway_support import wait_port  # noqa: E402

MAILFEED = Path(sys.executable).parent / "mailfeed"
GUNICORN = Path(sys.executable).parent / "gunicorn"


@dataclass
class Result:
    name: str
    ours: float
    baseline: float
    unit: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline if self.baseline else 0.0


def env_for(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILFEED_")}
    env.update(
        {
            "MAILFEED_DATA_DIR": str(data),
            "MAILFEED_GATEWAY_ADDRESSES": "feed@firma.se",
            "MAILFEED_AUTH": "open",
            "MAILFEED_RATE_LIMIT": "0",
            "MAILFEED_MAX_QUEUE": "1000000",
            "PYTHONPATH": str(ROOT),
            **extra,
        }
    )
    return env


def count(url: str, sql: str, **params: Any) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql), params).scalar() or 0)
    finally:
        engine.dispose()


def quantile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * q))]


# -- mail -------------------------------------------------------------------------------

SINK = r"""
import asyncio, os, sys
from aiosmtpd.controller import Controller
class Sink:
    def __init__(self, path): self.fh = open(path, "ab")
    async def handle_DATA(self, server, session, envelope):
        self.fh.write(envelope.original_content); self.fh.flush(); os.fsync(self.fh.fileno())
        return "250 OK"
c = Controller(Sink(sys.argv[2]), hostname="127.0.0.1", port=int(sys.argv[1])); c.start()
sys.stdin.read(); c.stop()
"""


def sink(port: int, path: Path) -> subprocess.Popen[bytes]:
    """A bare SMTP server appending to `path` (the relay, or intake's baseline); stop it
    with `.communicate(b"")`."""
    proc = subprocess.Popen(
        [sys.executable, "-c", SINK, str(port), str(path)], stdin=subprocess.PIPE
    )
    wait_port(port)
    return proc


def blast(port: int, mails: list[bytes], clients: int = 8) -> tuple[float, list[float]]:
    """Send every mail once over `clients` connections; (mails/s, ack time per mail)."""
    acked = [0.0] * len(mails)
    lock = threading.Lock()
    todo = list(range(len(mails)))

    def client() -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=120) as s:
            while True:
                with lock:
                    if not todo:
                        return
                    i = todo.pop(0)
                s.sendmail("sender@firma.se", ["feed@firma.se"], mails[i])
                acked[i] = time.time()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(mails) / (time.perf_counter() - start), acked


def sustained_intake(
    port: int,
    url: str,
    mails: list[bytes],
    limit: float,
    clients: int = 8,
    link_wait: float = 30.0,
) -> dict[str, Any]:
    """Send `mails` (benchmarks/corpus.questions: one new thread each, numbered in the
    subject) to the listener on `port` and wait until every one is a thread in the
    database at `url`, then until the link replies are delivered (bounded by `limit`)."""
    last = count(url, "SELECT coalesce(max(id), 0) FROM thread")
    new = "SELECT count(*) FROM thread WHERE id > :last"
    start = time.perf_counter()
    acked_per_s, acked = blast(port, mails, clients)
    while (shown := count(url, new, last=last)) < len(mails):
        if time.perf_counter() - start > limit:
            break
        time.sleep(0.2)
    visible = time.perf_counter() - start  # `limit` bounds a slow worker's run
    queued = "SELECT count(*) FROM outbound_mail WHERE state = 'queued' AND thread_id > :last"
    # Link replies keep being delivered after the threads show; wait for them a bounded
    # while (`link_wait`) and report the rate, so a slow relay path cannot stretch the run.
    while count(url, queued, last=last) and time.perf_counter() - start < visible + link_wait:
        time.sleep(0.2)
    delivered_by = time.perf_counter() - start
    links = "SELECT count(*) FROM outbound_mail WHERE thread_id > :last"
    sent = count(url, links + " AND state = 'sent'", last=last)
    gaps = visible_gaps(url, last, acked)
    return {
        "mails": len(mails),
        "clients": clients,
        "acked_per_s": acked_per_s,
        "visible": shown,
        "visible_per_s": shown / visible,
        "all_visible_s": visible,
        "p50_visible_s": statistics.median(gaps) if gaps else 0.0,
        "p99_visible_s": quantile(gaps, 0.99),
        "link_replies_queued": count(url, links, last=last),
        "link_replies_sent": sent,
        "links_per_s": sent / delivered_by if delivered_by else 0.0,
    }


def visible_gaps(url: str, last: int, acked: list[float]) -> list[float]:
    """Acknowledged -> thread created, per mail (thread.created is naive UTC), sorted."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT subject, created FROM thread WHERE id > :last"), {"last": last}
        ).all()
    engine.dispose()
    gaps = []
    for subject, created in rows:
        if isinstance(created, str):  # SQLite through a textual query
            created = datetime.fromisoformat(created)
        number = subject.rsplit("(", 1)[-1].rstrip(")")
        if number.isdigit() and int(number) < len(acked) and acked[int(number)]:
            gaps.append(
                calendar.timegm(created.timetuple())
                + created.microsecond / 1e6
                - acked[int(number)]
            )
    return sorted(gaps)


# -- the web ----------------------------------------------------------------------------

STATIC_APP = r"""
import os
from flask import Flask, abort, render_template_string
PAGES = {name: open(os.path.join(os.environ["BENCH_PAGES"], name), encoding="utf-8").read()
         for name in os.listdir(os.environ["BENCH_PAGES"])}
def create_app():
    app = Flask(__name__)
    @app.get("/<name>")
    def page(name):
        if name not in PAGES:
            abort(404)
        return render_template_string("{{ page|safe }}", page=PAGES[name])
    return app
"""


def load(
    port: int, paths: list[str], seconds: float, clients: int = 8
) -> tuple[float, list[float], int]:
    """`clients` keep-alive HTTP clients fetching `paths` for `seconds`:
    (requests/s, sorted latencies, requests that failed or were not 200)."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    errors: list[int] = []

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        rng = random.Random(n)
        mine = []
        while time.perf_counter() < stop:
            path = rng.choice(paths)
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()  # the server dropped us (a worker restarted): count, reconnect
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 0
            if status != 200:
                with lock:
                    errors.append(status)
            mine.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies) / (time.perf_counter() - start), sorted(latencies), len(errors)


def gunicorn(app: str, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """`app` under gunicorn as `mailfeed web` runs it by default: 2 workers × 4 threads."""
    return started(
        [
            str(GUNICORN),
            "-w",
            "2",
            "--threads",
            "4",
            "-k",
            "gthread",
            "-b",
            f"127.0.0.1:{port}",
            app,
        ],
        env,
        port,
    )


def started(
    command: list[str], env: dict[str, str], port: int | None = None
) -> subprocess.Popen[bytes]:
    """A process with its output in the benchmark log; waits for `port` to listen."""
    log = open(Path(tempfile.gettempdir()) / "mailfeed-bench.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)
    if port is not None:
        wait_port(port)
    return proc


def stop(*procs: subprocess.Popen[bytes]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(timeout=60)


def compare_web(
    port: int,
    cases: dict[str, list[str]],
    seconds: float,
    tmp: Path,
    extra: dict[str, Any],
    warm: Callable[[], None] | None = None,
) -> list[Result]:
    """Each case's paths on the server at `port` against a static Flask page of the same
    size under the same gunicorn layout, in 8 alternating slices, so a burst of load on
    the shared machine falls on both sides alike."""
    import urllib.request

    pages = tmp / f"pages-{port}"
    pages.mkdir()
    (tmp / "static_app.py").write_text(STATIC_APP)
    for name, paths in cases.items():
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{paths[0]}", timeout=120) as r:
            size = len(r.read())
        (pages / name).write_text("<html><body>" + "x" * max(size - 26, 0) + "</body></html>")
    sport = _free_port()
    static = gunicorn(
        "static_app:create_app()",
        {**os.environ, "BENCH_PAGES": str(pages), "PYTHONPATH": str(tmp)},
        sport,
    )
    results = []
    try:
        for name, paths in cases.items():
            load(port, paths, 1.0)  # warm up
            load(sport, [f"/{name}"], 0.5)
            sides: list[list[float]] = [[], []]
            spent, errors = [0.0, 0.0], 0
            for _ in range(8):
                for side, (p_, ps) in enumerate(((port, paths), (sport, [f"/{name}"]))):
                    rps, latencies, failed = load(p_, ps, seconds / 8)
                    sides[side] += latencies
                    spent[side] += len(latencies) / rps if rps else 0.0
                    errors += failed if side == 0 else 0
            ours = sorted(sides[0])
            results.append(
                Result(
                    name,
                    len(sides[0]) / spent[0],
                    len(sides[1]) / spent[1],
                    "req/s",
                    {
                        "baseline_is": "static Flask page of the same size, same gunicorn",
                        **extra,
                        "page_bytes": (pages / name).stat().st_size,
                        "errors": errors,
                        "p50_ms": 1000 * statistics.median(ours),
                        "p99_ms": 1000 * quantile(ours, 0.99),
                        "target": 0.5,
                    },
                )
            )
    finally:
        stop(static)
    return results


def _free_port() -> int:
    from tests.conftest import free_port

    return free_port()


def web_cases(url: str, samples: int = 200, seed: int = 5) -> dict[str, list[str]]:
    """The pages to fetch: the feed, `samples` visible threads spread over the archive,
    and searches for the seeded topics (benchmarks/seed.SEARCH_WORDS)."""
    from seed import SEARCH_WORDS
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        top = int(conn.execute(text("SELECT max(id) FROM thread")).scalar() or 0)
        rng = random.Random(seed)
        ids = sorted({rng.randint(1, top) for _ in range(samples)})
        found = conn.execute(
            text(
                "SELECT id, slug FROM thread WHERE NOT hidden "
                f"AND id IN ({', '.join(map(str, ids))})"
            )
        ).all()
    engine.dispose()
    return {
        "web_feed": ["/"],
        "web_thread": [f"/t/{i}-{slug}" if slug else f"/t/{i}" for i, slug in found],
        "web_search": [f"/search?q={w}" for w in SEARCH_WORDS],
    }
