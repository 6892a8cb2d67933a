"""From `250` to the feed: how fast acknowledged mail becomes visible threads.

Not a test.  Starts `mailfeed serve` (SQLite, local outbox) as a user would, sends N
questions with 4 SMTP clients, and polls the JSON API until all N threads are visible.
The baseline, in the same run, is the same N mails into a bare aiosmtpd sink: the ratio
says what parsing, publishing and composing the link replies cost on top of intake.
"""

from __future__ import annotations

import json
import os
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import free_port  # noqa: E402
from tests.gateway_support import mailfeed_command, wait_port  # noqa: E402

N, CLIENTS = 400, 4


def mail(i: int) -> bytes:
    return (
        f"From: Person {i % 50} <person{i % 50}@firma.se>\r\nTo: feed@firma.se\r\n"
        f"Cc: Kollega <kollega{i % 7}@firma.se>\r\nSubject: Fraga {i}: var finns nyckeln?\r\n"
        f"Message-ID: <bench.{i}@firma.se>\r\nDate: Tue, 24 Nov 2026 09:00:00 +0100\r\n\r\n"
        f"Hej!\r\n\r\nVet nagon var nyckeln till rum {i} finns?\r\n\r\nMvh\r\nPerson\r\n"
    ).encode()


def blast(port: int) -> float:
    chunks = [list(range(c, N, CLIENTS)) for c in range(CLIENTS)]

    def client(ids: list[int]) -> None:
        with smtplib.SMTP("127.0.0.1", port) as s:
            for i in ids:
                s.sendmail(f"person{i % 50}@firma.se", ["feed@firma.se"], mail(i))

    threads = [threading.Thread(target=client, args=(c,)) for c in chunks]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


class Sink:
    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        return "250 OK"


def main() -> None:
    port = free_port()
    sink = Controller(Sink(), hostname="127.0.0.1", port=port)
    sink.start()
    bare = blast(port)
    sink.stop()

    with tempfile.TemporaryDirectory() as tmp:
        smtp, web = free_port(), free_port()
        env = {
            **os.environ,
            "MAILFEED_DATA_DIR": tmp,
            "MAILFEED_AUTH": "open",
            "MAILFEED_SMTP_LISTEN": f"127.0.0.1:{smtp}",
            "MAILFEED_WEB_LISTEN": f"127.0.0.1:{web}",
            "MAILFEED_GATEWAY_ADDRESSES": "feed@firma.se",
            "MAILFEED_RATE_LIMIT": "0",
        }
        proc = subprocess.Popen(
            [*mailfeed_command(), "serve"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_port(smtp)
            wait_port(web)
            start = time.perf_counter()
            acked = blast(smtp)
            while True:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{web}/api/threads?limit=1000"
                ) as response:
                    if len(json.loads(response.read())["threads"]) >= N:
                        break
                time.sleep(0.05)
            visible = time.perf_counter() - start
        finally:
            proc.terminate()
            proc.wait()

    print(f"{N} questions, {CLIENTS} SMTP clients")
    print(f"bare aiosmtpd sink, all acknowledged    {bare:6.2f} s  {N / bare:7.0f} mails/s")
    print(f"mailfeed, all acknowledged              {acked:6.2f} s  {N / acked:7.0f} mails/s")
    print(
        f"mailfeed, all visible on the feed       {visible:6.2f} s  {N / visible:7.0f} mails/s"
        f"   ratio to the bare sink {bare / visible:.2f}"
    )


if __name__ == "__main__":
    main()
