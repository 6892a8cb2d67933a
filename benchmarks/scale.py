"""Past one machine (issue 11): the process layouts on a seeded 100k-thread archive.

    python benchmarks/scale.py [--threads 100000] [--posts 10] [--mails 2000]
                               [--layouts sqlite-serve,postgresql-roles] [--json FILE]

For each layout, on a fresh copy of the same seeded archive (benchmarks/seed.py, cached):

* **web** — `mailfeed web` (gunicorn, 2 workers × 4 threads) serving the feed, 200
  thread pages spread over the archive, and searches for the seeded topics, at 8
  clients, each against a static Flask page of the same size under the same gunicorn
  (issue 12's baseline); then the feed at 100k against the feed at 1k threads, both
  served at once and loaded in alternating slices ("cost must not grow with the archive").
* **intake** — `--mails` new questions from 8 SMTP clients; acknowledged/s, and
  acknowledged → thread visible (all of them, p50, p99), link replies delivered to a bare
  relay.  `sqlite-serve` is one `mailfeed serve`; `postgresql-roles` is one `mailfeed
  smtp`, two `mailfeed worker` and one `mailfeed sender` sharing a spool, as
  docs/deploy.md lays out a host; `postgresql-serve` (optional) is one `mailfeed serve`
  on PostgreSQL, to tell the database from the extra worker.

Absolute figures depend on the machine and its load (printed with them); the web
ratios are against a baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import questions  # noqa: E402
from seed import Seeded, Size, check, checkout  # noqa: E402
from serving import (  # noqa: E402
    MAILFEED,
    compare_web,
    env_for,
    load,
    quantile,
    sink,
    started,
    stop,
    sustained_intake,
    web_cases,
)

from tests.conftest import free_port  # noqa: E402

LAYOUTS = {
    "sqlite-serve": ("sqlite", [["serve"]]),
    "postgresql-roles": ("postgresql", [["smtp"], ["worker"], ["worker"], ["sender"]]),
    "postgresql-serve": ("postgresql", [["serve"]]),
}


def web(big: Seeded, small: Seeded, tmp: Path, seconds: float) -> dict[str, Any]:
    """The web figures of one database kind (see the module's docstring)."""
    servers, ports = [], []
    for db in (big, small):
        port = free_port()
        data = tmp / f"web-{port}"
        data.mkdir()
        env = env_for(
            data,
            MAILFEED_DATABASE_URL=db.url,
            MAILFEED_WEB_LISTEN=f"127.0.0.1:{port}",
            MAILFEED_WEB_WORKERS="2",
            MAILFEED_WEB_THREADS="4",
        )
        servers.append(started([str(MAILFEED), "web"], env, port))
        ports.append(port)
    try:
        results = compare_web(
            ports[0],
            web_cases(big.url),
            seconds,
            tmp,
            {"threads_in_db": big.counts["thread"], "posts_in_db": big.counts["post"]},
        )
        load(ports[1], ["/"], 1.0)  # warm up the small archive's server
        feeds: list[list[float]] = [[], []]
        spent = [0.0, 0.0]
        for _ in range(8):
            for side, port in enumerate(ports):
                rps, latencies, _failed = load(port, ["/"], seconds / 8)
                feeds[side] += latencies
                spent[side] += len(latencies) / rps if rps else 0.0
    finally:
        stop(*servers)
    figures: dict[str, Any] = {
        r.name: {"ours": r.ours, "baseline": r.baseline, "ratio": r.ratio, **r.extra}
        for r in results
    }
    big_feed, small_feed = sorted(feeds[0]), sorted(feeds[1])
    figures["feed_growth"] = {
        "threads": [big.counts["thread"], small.counts["thread"]],
        "req_s": [len(big_feed) / spent[0], len(small_feed) / spent[1]],
        "p50_ms": [1000 * quantile(big_feed, 0.5), 1000 * quantile(small_feed, 0.5)],
        "p99_ms": [1000 * quantile(big_feed, 0.99), 1000 * quantile(small_feed, 0.99)],
        # p50 at the big archive over p50 at the small one: issue 12 asks for <= 1.5
        "p50_growth": quantile(big_feed, 0.5) / max(quantile(small_feed, 0.5), 1e-9),
        "target": 1.5,
    }
    return figures


def intake(layout: str, db: Seeded, tmp: Path, mails: int, limit: float) -> dict[str, Any]:
    """Sustained intake through `layout`'s processes into the seeded archive."""
    _kind, roles = LAYOUTS[layout]
    data = tmp / f"intake-{layout}"
    data.mkdir()
    port, relay_port = free_port(), free_port()
    relay = sink(relay_port, tmp / f"links-{layout}.mbox")
    env = env_for(
        data,
        MAILFEED_SMTP_LISTEN=f"127.0.0.1:{port}",
        MAILFEED_DATABASE_URL=db.url,
        MAILFEED_WEB_LISTEN=f"127.0.0.1:{free_port()}",
        MAILFEED_RELAY=f"127.0.0.1:{relay_port}",
    )
    procs = [started([str(MAILFEED), *role], env) for role in roles]
    try:
        from tests.gateway_support import wait_port

        wait_port(port)
        figures = sustained_intake(port, db.url, list(questions(mails)), limit)
    finally:
        stop(*procs)
        relay.communicate(b"", timeout=30)
    return {"processes": [" ".join(r) for r in roles], **figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=10, help="per thread, on average")
    parser.add_argument("--small", type=int, default=1000, help="the feed's comparison size")
    parser.add_argument("--mails", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=16.0, help="web load per page kind")
    parser.add_argument("--layouts", default="sqlite-serve,postgresql-roles")
    parser.add_argument("--only", choices=("web", "intake"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    import logging

    logging.disable(logging.WARNING)
    layouts = args.layouts.split(",")
    report: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_before": os.getloadavg(),
        },
        "size": {"threads": args.threads, "posts_per_thread": args.posts, "mails": args.mails},
        "seeding_s": {},
        "web": {},
        "intake": {},
    }
    tmp = Path(tempfile.mkdtemp(prefix="mailfeed-scale-"))
    try:
        done_web: set[str] = set()
        for layout in layouts:
            kind = LAYOUTS[layout][0]
            started_at = time.perf_counter()
            big = checkout(kind, Size(args.threads, args.posts), tmp)
            if big.seconds:
                report["seeding_s"][kind] = big.seconds
            print(
                f"{layout}: archive ready in {time.perf_counter() - started_at:.0f} s {big.counts}",
                file=sys.stderr,
                flush=True,
            )
            try:
                report.setdefault("counts", {})[kind] = big.counts
                report.setdefault("verified", {})[kind] = check(big.url, tmp)
                if args.only != "intake" and kind not in done_web:
                    small = checkout(kind, Size(args.small, args.posts), tmp)
                    try:
                        report["web"][kind] = web(big, small, tmp, args.seconds)
                    finally:
                        small.drop()
                    done_web.add(kind)
                    print(f"{layout}: web done", file=sys.stderr, flush=True)
                if args.only != "web":
                    report["intake"][layout] = intake(layout, big, tmp, args.mails, 1800.0)
                    print(f"{layout}: intake done", file=sys.stderr, flush=True)
                if args.json:  # as it goes: a run cut short keeps what it measured
                    args.json.write_text(json.dumps(report, indent=2, default=str))
            finally:
                big.drop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report["machine"]["load_after"] = os.getloadavg()
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))


def print_report(report: dict[str, Any]) -> None:
    print(f"\nScale ({report['size']}, load {report['machine']['load_before']})")
    for kind, pages in report["web"].items():
        for name, r in pages.items():
            if name == "feed_growth":
                print(
                    f"{kind:10} feed {r['threads'][0]} vs {r['threads'][1]} threads: "
                    f"p50 {r['p50_ms'][0]:.0f} vs {r['p50_ms'][1]:.0f} ms "
                    f"(x{r['p50_growth']:.2f}), {r['req_s'][0]:.1f} vs {r['req_s'][1]:.1f} req/s"
                )
            else:
                print(
                    f"{kind:10} {name:11} {r['ours']:7.1f} req/s vs {r['baseline']:7.1f} "
                    f"(x{r['ratio']:.2f}) p50 {r['p50_ms']:.0f} ms p99 {r['p99_ms']:.0f} ms "
                    f"errors {r['errors']}"
                )
    for layout, r in report["intake"].items():
        print(
            f"{layout:17} acked {r['acked_per_s']:.1f}/s, visible {r['visible']}/{r['mails']} "
            f"at {r['visible_per_s']:.1f}/s (all in {r['all_visible_s']:.0f} s), "
            f"ack->visible p50 {r['p50_visible_s']:.1f} s p99 {r['p99_visible_s']:.1f} s, "
            f"links {r['link_replies_sent']}/{r['link_replies_queued']} "
            f"at {r['links_per_s']:.1f}/s"
        )


if __name__ == "__main__":
    main()
