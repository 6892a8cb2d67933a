"""SMTP intake throughput: Mailfeed's listener (spool + fsync) against a bare aiosmtpd sink.

Not a test: prints mails/s for both, run in the same process on the same machine, and
the ratio, so the number means something on any machine.  `make bench` runs it.
"""

from __future__ import annotations

import smtplib
import sys
import tempfile
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mailfeed.gateway.smtp import GatewayHandler, SMTPListener, address_matcher  # noqa: E402
from mailfeed.gateway.spool import Spool  # noqa: E402
from mailfeed.settings import load_settings  # noqa: E402
from tests.conftest import free_port  # noqa: E402

MAIL = (
    b"From: Anna Berg <anna.berg@firma.se>\r\nTo: feed@firma.se\r\nSubject: Fr\xc3\xa5ga\r\n"
    b"Message-ID: <bench@firma.se>\r\n\r\n" + b"Vet n\xc3\xa5gon hur man bokar rummet?\r\n" * 400
)
CLIENTS, PER_CLIENT = 8, 150


class CountingSink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.count += 1
        return "250 OK"


def blast(port: int) -> float:
    def client() -> None:
        with smtplib.SMTP("127.0.0.1", port) as s:
            for _ in range(PER_CLIENT):
                s.sendmail("anna.berg@firma.se", ["feed@firma.se"], MAIL)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return CLIENTS * PER_CLIENT / (time.perf_counter() - start)


def main() -> None:
    port = free_port()
    sink = Controller(CountingSink(), hostname="127.0.0.1", port=port)
    sink.start()
    baseline = blast(port)
    sink.stop()

    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        settings = load_settings(
            {
                "MAILFEED_DATA_DIR": tmp,
                "MAILFEED_SMTP_LISTEN": f"127.0.0.1:{port}",
                "MAILFEED_GATEWAY_ADDRESSES": "feed@firma.se",
            }
        )
        spool = Spool(Path(tmp) / "spool")
        listener = SMTPListener(
            settings, GatewayHandler(spool, address_matcher(settings), max_queue=10**9)
        )
        listener.start()
        ours = blast(port)
        listener.stop()
        assert spool.depth() == CLIENTS * PER_CLIENT

    print(f"mail size {len(MAIL)} bytes, {CLIENTS} clients x {PER_CLIENT} mails")
    print(f"bare aiosmtpd sink        {baseline:8.0f} mails/s")
    print(f"mailfeed listener + spool {ours:8.0f} mails/s   ratio {ours / baseline:.2f}")


if __name__ == "__main__":
    main()
