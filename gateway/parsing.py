"""Parsing off the serving threads: one child process, with a CPU budget per mail.

`parse_mail` is pure Python that holds the interpreter lock for as long as it runs; a
hostile mail (a megabyte of letters without a space) must not stop the SMTP listener,
the web pages or the outbound sender that share the process.  So the worker hands the
raw bytes to a child process and waits on a pipe, which releases the lock.

The child runs each mail under a CPU-time limit (RLIMIT_CPU, enforced by the kernel:
SIGXCPU ends the child).  A mail over it raises `ParseRefused` with the reason, and the
worker quarantines it at once — the same mail would only exceed it again.  `close()`
kills the child, so SIGTERM never waits for a parse to end.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from mailfeed.parsers.mail import parse_mail
from mailfeed.parsers.model import ParsedMail

ParseFunc = Callable[[bytes], ParsedMail]
POLL = 0.2  # seconds between looks at `closed` while a parse runs


def parse_all(raws: list[bytes]) -> list[ParsedMail]:
    """Parse a chunk of mails; what `mailfeed import` hands its parsing processes (this
    module imports only the parsers, so a spawned child starts quickly)."""
    return [parse_mail(raw) for raw in raws]


class ParseRefused(Exception):
    """This mail cannot be parsed within the bounds: quarantine it, never retry it."""


class ParseStopped(Exception):
    """The service is stopping: the mail stays in the spool for the next start."""


def _orphan_watch(parent: int) -> None:
    """End the child when the gateway is gone (kill -9): nobody waits for its parse."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _child(conn: Connection, target: ParseFunc, cpu_seconds: int, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_orphan_watch, args=(parent,), daemon=True).start()
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    while True:
        try:
            raw = conn.recv_bytes()
        except (EOFError, OSError):
            return
        usage = resource.getrusage(resource.RUSAGE_SELF)
        limit = math.ceil(usage.ru_utime + usage.ru_stime) + cpu_seconds
        if hard == resource.RLIM_INFINITY or limit <= hard:
            resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))
        try:
            result: tuple[str, Any] = ("ok", target(raw))
        except Exception as exc:  # noqa: BLE001 - the parent quarantines with the reason
            result = ("error", f"{type(exc).__name__}: {exc}"[:500])
        try:
            conn.send(result)
        except (EOFError, OSError):
            return


class ParseProcess:
    """A parse child started on first use and again after it was killed."""

    def __init__(self, cpu_seconds: int = 30, target: ParseFunc = parse_mail) -> None:
        self.cpu_seconds = max(1, cpu_seconds)
        # A child blocked rather than busy (swapping, stopped) is cut off too.
        self.wall_seconds = 4 * self.cpu_seconds + 30
        self.target = target
        self._context = multiprocessing.get_context("spawn")  # never fork a threaded process
        self._proc: BaseProcess | None = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()
        self.closed = threading.Event()

    def _start(self) -> tuple[BaseProcess, Connection]:
        if self._proc is not None and self._conn is not None and self._proc.is_alive():
            return self._proc, self._conn
        parent, child = self._context.Pipe()
        proc = self._context.Process(
            target=_child,
            args=(child, self.target, self.cpu_seconds, os.getpid()),
            name="mailfeed-parse",
            daemon=True,
        )
        proc.start()
        child.close()
        self._proc, self._conn = proc, parent
        return proc, parent

    def _kill(self) -> int | None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if conn is not None:
            conn.close()
        if proc is None:
            return None
        if proc.is_alive():
            proc.kill()
        proc.join(timeout=5)
        return proc.exitcode

    def parse(self, raw: bytes) -> ParsedMail:
        with self._lock:
            if self.closed.is_set():
                raise ParseStopped("stopping")
            proc, conn = self._start()
            conn.send_bytes(raw)
            waited = 0.0
            while not conn.poll(POLL):
                waited += POLL
                if self.closed.is_set():
                    self._kill()
                    raise ParseStopped("stopping")
                if not proc.is_alive() and not conn.poll():
                    break
                if waited >= self.wall_seconds:
                    self._kill()
                    raise ParseRefused(f"parsing took over {self.wall_seconds} s")
            try:
                status, value = conn.recv()
            except (EOFError, OSError):
                code = self._kill()
                if self.closed.is_set():
                    raise ParseStopped("stopping") from None
                if code == -signal.SIGXCPU:
                    raise ParseRefused(
                        f"parsing used over {self.cpu_seconds} s of CPU time"
                    ) from None
                raise ParseRefused(f"the parser process ended (exit code {code})") from None
            if status != "ok":
                raise ParseRefused(f"the parser failed: {value}")
            assert isinstance(value, ParsedMail)
            return value

    def close(self) -> None:
        """Stop now: a parse in progress is abandoned (its mail stays spooled)."""
        self.closed.set()
        if self._lock.acquire(timeout=POLL * 3):
            try:
                self._kill()
            finally:
                self._lock.release()
        # Otherwise a parse holds the lock; it sees `closed` within POLL and kills the child.
