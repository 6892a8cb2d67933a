"""The benchmark suite (issue 12): every figure against a baseline measured in the same run.

    python benchmarks/run.py [--quick] [--json FILE] [--database sqlite|postgresql] [--only NAME]
                             [--web-threads N]

Generates its own deterministic corpus (benchmarks/corpus.py) and databases, prints one
table, and with `--json` writes {"results": {NAME: {"ours", "baseline", "ratio", "unit",
...}}} (higher is better).  Absolute numbers depend on the machine and its load; the
ratios are what to compare.  `--quick` uses small sizes (1k threads) and finishes in a few
minutes on 2 cores; the full run measures at 100k threads / 1M posts.
PostgreSQL: `--database postgresql` with MAILFEED_BENCH_PG (default: the local server).
"""

from __future__ import annotations

import argparse
import email
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import policy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import corpus, questions  # noqa: E402
from seed import PG, Size, checkout  # noqa: E402
from serving import (  # noqa: E402
    MAILFEED,
    Result,
    blast,
    compare_web,
    env_for,
    gunicorn,
    sink,
    started,
    stop,
    sustained_intake,
    web_cases,
)

from tests.conftest import free_port  # noqa: E402

# -- helpers ------------------------------------------------------------------------------


def rates(
    ours: Callable[[bytes], object],
    baseline: Callable[[bytes], object],
    mails: list[bytes],
    min_seconds: float,
    slices: int = 8,
) -> tuple[float, float]:
    """Mails per second through each, in alternating slices of the corpus, so a burst of
    load on a shared machine falls on both sides alike (for at least `min_seconds` each)."""
    chunk = max(1, len(mails) // slices)
    spent, done = [0.0, 0.0], [0, 0]
    while min(spent) < min_seconds:
        for start in range(0, len(mails), chunk):
            part = mails[start : start + chunk]
            for side, fn in enumerate((ours, baseline)):
                t0 = time.perf_counter()
                for raw in part:
                    fn(raw)
                spent[side] += time.perf_counter() - t0
                done[side] += len(part)
    return done[0] / spent[0], done[1] / spent[1]


class Database:
    """A fresh database for one measurement: a SQLite file or a PostgreSQL database."""

    def __init__(self, kind: str, tmp: Path) -> None:
        self.kind = kind
        if kind == "sqlite":
            self.url = f"sqlite:///{tmp / f'bench-{uuid.uuid4().hex[:6]}.sqlite3'}"
            self.name = ""
        else:
            import psycopg

            self.name = f"mailfeed_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(self._plain(PG), autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self.name}"')
            self.url = PG.rsplit("/", 1)[0] + "/" + self.name
        from mailfeed.publisher.db import Database as Db

        db = Db(self.url)
        db.upgrade()
        db.dispose()

    @staticmethod
    def _plain(url: str) -> str:
        return url.replace("postgresql+psycopg://", "postgresql://")

    def drop(self) -> None:
        if self.kind == "postgresql":
            import psycopg

            with psycopg.connect(self._plain(PG), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def count(self, sql: str) -> int:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                return int(conn.execute(text(sql)).scalar() or 0)
        finally:
            engine.dispose()


# -- understanding and MIME -------------------------------------------------------------


def bench_understanding(mails: list[bytes], seconds: float) -> Result:
    import mailparser
    import quotequail
    from mailparser_reply import EmailReplyParser

    from mailfeed.parsers.mail import parse_mail

    reply_parser = EmailReplyParser(languages=["en", "sv"])

    def glued(raw: bytes) -> object:
        text = "\n".join(mailparser.parse_from_bytes(raw).text_plain)
        latest = reply_parser.parse_reply(text)
        return latest, quotequail.unwrap(text)

    ours, baseline = rates(parse_mail, glued, mails, seconds)
    return Result(
        "understanding_throughput",
        ours,
        baseline,
        "mails/s",
        {"baseline_is": "mail-parser + mail-parser-reply + quotequail", "target": 2.0},
    )


def bench_mime(mails: list[bytes], seconds: float) -> Result:
    from mailfeed.parsers.mime import read_mime

    def compat32(raw: bytes) -> object:
        msg = email.message_from_bytes(raw, policy=policy.compat32)
        return [part.get_payload(decode=True) for part in msg.walk() if not part.is_multipart()]

    ours, baseline = rates(read_mime, compat32, mails, seconds)
    return Result(
        "mime_overhead",
        ours,
        baseline,
        "mails/s",
        {"baseline_is": "email.message_from_bytes(compat32) + walk", "target": 0.5},
    )


# -- SMTP and the pipeline --------------------------------------------------------------


def bench_smtp(tmp: Path, count: int) -> Result:
    mails = corpus(count, seed=3)
    port = free_port()
    bare = sink(port, tmp / "sink.mbox")
    baseline, _ = blast(port, mails)
    bare.communicate(b"", timeout=30)
    data = tmp / "smtp"
    data.mkdir()
    port = free_port()
    gw = started(
        [str(MAILFEED), "serve"],
        env_for(
            data,
            MAILFEED_SMTP_LISTEN=f"127.0.0.1:{port}",
            MAILFEED_WEB_LISTEN=f"127.0.0.1:{free_port()}",
        ),
        port,
    )
    try:
        ours, _ = blast(port, mails)
    finally:
        stop(gw)
    return Result(
        "smtp_ingest",
        ours,
        baseline,
        "mails/s",
        {
            "baseline_is": "bare aiosmtpd handler: append + fsync",
            "clients": 8,
            "mails": count,
            "target": 0.8,
        },
    )


def bench_pipeline(
    tmp: Path, kind: str, existing: int, count: int, intake: float, limit: float
) -> Result:
    """`count` new questions into a seeded archive of `existing` threads (a third
    answered) through one `mailfeed serve`, link replies to a bare relay."""
    db = checkout(kind, Size(existing, 3), tmp)
    try:
        data = tmp / "pipeline"
        data.mkdir()
        port, sink_port = free_port(), free_port()
        relay = sink(sink_port, tmp / "links.mbox")
        gw = started(
            [str(MAILFEED), "serve"],
            env_for(
                data,
                MAILFEED_SMTP_LISTEN=f"127.0.0.1:{port}",
                MAILFEED_DATABASE_URL=db.url,
                MAILFEED_WEB_LISTEN=f"127.0.0.1:{free_port()}",
                MAILFEED_RELAY=f"127.0.0.1:{sink_port}",
            ),
            port,
        )
        try:
            figures = sustained_intake(port, db.url, list(questions(count)), limit)
        finally:
            stop(gw)
            relay.communicate(b"", timeout=30)
        return Result(
            "pipeline",
            figures.pop("visible_per_s"),
            intake,
            "mails/s",
            {
                "baseline_is": "smtp_ingest (ours)",
                "existing_threads": existing,
                **figures,
                "target": 0.5,
            },
        )
    finally:
        db.drop()


# -- the web ----------------------------------------------------------------------------


def bench_web(tmp: Path, kind: str, threads: int, posts: int, seconds: float) -> list[Result]:
    """Feed, thread and search pages of a seeded archive under gunicorn (2 workers ×
    4 threads) at 8 clients, each against a static page of the same size."""
    db = checkout(kind, Size(threads, posts), tmp)
    try:
        data = tmp / f"web-{threads}"
        data.mkdir()
        port = free_port()
        ours = gunicorn(
            "mailfeed.wsgi:create_app()",
            env_for(data, MAILFEED_DATABASE_URL=db.url, MAILFEED_WEB_LISTEN=f"127.0.0.1:{port}"),
            port,
        )
        try:
            return compare_web(
                port,
                web_cases(db.url),
                seconds,
                tmp,
                {"threads_in_db": db.counts["thread"], "posts_in_db": db.counts["post"]},
            )
        finally:
            stop(ours)
    finally:
        db.drop()


# -- import -----------------------------------------------------------------------------


def bench_import(tmp: Path, kind: str, count: int) -> Result:
    mbox = tmp / "archive.mbox"
    with open(mbox, "wb") as fh:
        for raw in corpus(count, seed=11):
            fh.write(b"From bench@firma.se Tue Nov 24 09:00:00 2026\n")
            fh.write(raw.replace(b"\r\n", b"\n").replace(b"\nFrom ", b"\n>From ") + b"\n")
    db = Database(kind, tmp)
    data = tmp / "import"
    data.mkdir()
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [str(MAILFEED), "import", str(mbox)],
            env=env_for(data, MAILFEED_DATABASE_URL=db.url),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        if status != 0:
            raise RuntimeError("mailfeed import failed")
        return Result(
            "import_throughput",
            count / elapsed,
            1000.0,
            "mails/s",
            {
                "baseline_is": "the issue's target, 1,000 mails/s",
                "mails": count,
                "peak_rss_mb": usage.ru_maxrss / 1024,
            },
        )
    finally:
        db.drop()


# -- main -------------------------------------------------------------------------------


@contextmanager
def phase(name: str) -> Iterator[None]:
    start = time.perf_counter()
    print(f"{name} ...", file=sys.stderr, flush=True)
    yield
    print(f"{name}: {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)


NAMES = (
    "understanding_throughput",
    "mime_overhead",
    "smtp_ingest",
    "pipeline",
    "web_feed",
    "web_thread",
    "web_search",
    "import_throughput",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a few minutes)")
    parser.add_argument("--json", type=Path, help="write the results as JSON")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--only", action="append", choices=NAMES, help="run only these")
    parser.add_argument(
        "--web-threads", type=int, help="threads in the web benchmarks' database (any size)"
    )
    args = parser.parse_args()
    only = set(args.only or NAMES)
    quick = args.quick
    sizes = {
        "corpus": 300 if quick else 2000,
        "cpu_seconds": 2.0 if quick else 8.0,
        "smtp": 480 if quick else 2000,
        "existing": 1000 if quick else 10_000,
        "pipeline": 300 if quick else 2000,
        "web_threads": 1000 if quick else 100_000,
        "posts": 3 if quick else 10,
        "web_seconds": 4.0 if quick else 15.0,
        "import": 500 if quick else 100_000,
    }
    if args.web_threads:
        sizes["web_threads"] = args.web_threads
    import logging

    logging.disable(logging.WARNING)
    results: list[Result] = []
    tmp = Path(tempfile.mkdtemp(prefix="mailfeed-bench-"))
    try:
        if only & {"understanding_throughput", "mime_overhead"}:
            mails = corpus(sizes["corpus"])
            if "understanding_throughput" in only:
                with phase("understanding"):
                    results.append(bench_understanding(mails, sizes["cpu_seconds"]))
            if "mime_overhead" in only:
                with phase("mime"):
                    results.append(bench_mime(mails, sizes["cpu_seconds"]))
        intake = 0.0
        if only & {"smtp_ingest", "pipeline"}:
            with phase("smtp"):
                smtp = bench_smtp(tmp, sizes["smtp"])
            intake = smtp.ours
            if "smtp_ingest" in only:
                results.append(smtp)
        if "pipeline" in only:
            with phase("pipeline"):
                results.append(
                    bench_pipeline(
                        tmp,
                        args.database,
                        sizes["existing"],
                        sizes["pipeline"],
                        intake,
                        60.0 if quick else 900.0,
                    )
                )
        if only & {"web_feed", "web_thread", "web_search"}:
            with phase("web"):
                results += [
                    r
                    for r in bench_web(
                        tmp,
                        args.database,
                        sizes["web_threads"],
                        sizes["posts"],
                        sizes["web_seconds"],
                    )
                    if r.name in only
                ]
        if "import_throughput" in only:
            with phase("import"):
                results.append(bench_import(tmp, args.database, sizes["import"]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(
        f"\nMailfeed benchmarks ({'quick' if quick else 'full'}, {args.database}, "
        f"{os.cpu_count()} CPUs)"
    )
    print(f"{'name':26} {'ours':>10} {'baseline':>10} {'ratio':>7}  unit / notes")
    for r in results:
        notes = ", ".join(
            f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
            for k, v in r.extra.items()
            if k != "baseline_is"
        )
        print(f"{r.name:26} {r.ours:10.1f} {r.baseline:10.1f} {r.ratio:7.2f}  {r.unit}; {notes}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "quick": quick,
                    "database": args.database,
                    "cpus": os.cpu_count(),
                    "results": {
                        r.name: {
                            "ours": r.ours,
                            "baseline": r.baseline,
                            "ratio": r.ratio,
                            "unit": r.unit,
                            **r.extra,
                        }
                        for r in results
                    },
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
