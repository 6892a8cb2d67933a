"""IMAP intake: a mailbox the gateway watches, as an alternative to receiving mail over SMTP.

Owns `MAILFEED_IMAP_URL` parsing, the IMAP session (IDLE, or polling when the server has no
IDLE; reconnecting with capped exponential backoff), a small state file in the data dir
(UIDVALIDITY, the last handled UID, hashes of recently spooled Message-IDs) and moving handled
mail to `Mailfeed/Done`.

It must not parse or publish mail (the worker does that from the spool), and it must never move
a mail out of the watched folder before `Spool.put` has returned: the spool is the durable
record, the mailbox is only the way in.  Mail the spool cannot take stays where it is and is
tried again later.

URL forms (user and password are percent-decoded):
  imaps://user:pass@host:993/INBOX     implicit TLS (default port 993)
  imap://user:pass@host:143/INBOX      STARTTLS when the server offers it (default port 143)
Query options: `tls=implicit|starttls|auto|none` (`starttls` requires it; `none` never uses TLS,
meant for a loopback test server), `done=Mailfeed/Done` (the folder handled mail moves to).
Folder names use `/` as the separator; it is translated to the server's own delimiter.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from imapclient import DELETED, IMAPClient
from imapclient.exceptions import IMAPClientError

from mailfeed.gateway.spool import Spool

if TYPE_CHECKING:
    from mailfeed.gateway.config import GatewayConfig

log = logging.getLogger(__name__)

TLS_MODES = ("implicit", "starttls", "auto", "none")
DEFAULT_DONE_FOLDER = "Mailfeed/Done"
# Enough to bridge a UIDVALIDITY reset or a crash between spooling and moving, small enough
# that rewriting the state file after every mail stays cheap (~20 bytes per entry).
SEEN_LIMIT = 2000

# What "the server went away" looks like through imapclient: socket and TLS errors are
# OSError, protocol-level aborts and NO/BAD replies are imaplib.IMAP4.error.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (OSError, IMAPClientError, EOFError)


@dataclass(frozen=True)
class ImapTarget:
    """Where to read mail from, as parsed from `MAILFEED_IMAP_URL`."""

    host: str
    port: int
    username: str
    password: str = field(repr=False)
    folder: str = "INBOX"
    tls: str = "auto"
    done_folder: str = DEFAULT_DONE_FOLDER

    @property
    def key(self) -> str:
        """Stable name for this mailbox's state; changing the URL's mailbox starts afresh."""
        ident = f"{self.host}:{self.port}/{self.username}/{self.folder}"
        return hashlib.sha256(ident.encode()).hexdigest()[:12]


def parse_imap_url(url: str) -> ImapTarget:
    """`imap[s]://user:pass@host[:port]/FOLDER[?tls=…&done=…]` -> ImapTarget (pure)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("imap", "imaps"):
        raise ValueError(f"IMAP URL must start with imap:// or imaps://, not {scheme!r}://")
    if not parts.hostname:
        raise ValueError("IMAP URL has no host")
    if parts.username is None or parts.password is None:
        raise ValueError("IMAP URL needs user:password@ before the host")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    tls = query.pop("tls", "implicit" if scheme == "imaps" else "auto").lower()
    if tls not in TLS_MODES:
        raise ValueError(f"IMAP URL: tls must be one of {', '.join(TLS_MODES)}")
    if scheme == "imaps" and tls != "implicit":
        raise ValueError("imaps:// always uses implicit TLS; use imap:// with ?tls=…")
    done = query.pop("done", DEFAULT_DONE_FOLDER).strip("/")
    if query:
        raise ValueError(f"IMAP URL: unknown option(s) {', '.join(sorted(query))}")
    try:
        port = parts.port
    except ValueError as exc:  # urlsplit raises on a non-numeric or out-of-range port
        raise ValueError(f"IMAP URL: bad port ({exc})") from None
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return ImapTarget(
        host=parts.hostname,
        port=port or (993 if scheme == "imaps" else 143),
        username=unquote(parts.username),
        password=unquote(parts.password),
        folder=folder,
        tls=tls,
        done_folder=done or DEFAULT_DONE_FOLDER,
    )


def describe_mail(raw: bytes) -> tuple[str, str, tuple[str, ...]]:
    """(dedupe key, log-safe Message-ID hash, envelope recipients) from a raw mail.

    Only the header block is read, leniently: a mail that is not RFC 5322 at all still gets a
    key (from its content) and goes to the spool raw; judging it is the worker's job.
    """
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
        message_id = str(headers.get("Message-ID", "") or "").strip()
        # Delivered-To / X-Original-To carry the envelope recipient the MDA saw; they are the
        # closest thing to RCPT TO that a mailbox keeps.
        values = [
            str(v)
            for name in ("Delivered-To", "X-Original-To")
            for v in (headers.get_all(name) or [])
        ]
    except Exception:  # noqa: BLE001 - a header parser crash must not block intake
        message_id, values = "", []
    rcpts: list[str] = []
    for _name, addr in getaddresses(values):
        addr = addr.strip()
        if addr and addr.lower() not in (r.lower() for r in rcpts):
            rcpts.append(addr)
    if message_id:
        digest = hashlib.sha256(message_id.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        return f"m:{digest}", digest[:12], tuple(rcpts)
    digest = hashlib.sha256(raw).hexdigest()[:16]
    return f"c:{digest}", f"none/{digest[:8]}", tuple(rcpts)


@dataclass
class ImapState:
    """What survives a restart: the mailbox generation, how far we got, what we spooled."""

    uidvalidity: int = 0
    last_uid: int = 0
    seen: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> ImapState:
        try:
            data: dict[str, Any] = json.loads(path.read_text())
        except FileNotFoundError:
            return cls()
        return cls(
            uidvalidity=int(data.get("uidvalidity", 0)),
            last_uid=int(data.get("last_uid", 0)),
            seen=[str(s) for s in data.get("seen", [])],
        )

    def save(self, path: Path) -> None:
        """Write atomically (tmp + fsync + rename + dir fsync): a crash leaves old or new."""
        data = json.dumps(
            {
                "uidvalidity": self.uidvalidity,
                "last_uid": self.last_uid,
                "seen": self.seen[-SEEN_LIMIT:],
            }
        ).encode()
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)

    def remember(self, key: str) -> None:
        self.seen.append(key)
        if len(self.seen) > SEEN_LIMIT:
            del self.seen[: len(self.seen) - SEEN_LIMIT]


class ImapPoller:
    """Watches one IMAP folder and hands every new mail to the spool, exactly once.

    Use `start()`/`stop()` for the long-running thread, or `run_once()` for a single pass
    (tests, CLI).  Do not call `run_once()` while the thread runs: they share the state file.
    """

    def __init__(
        self,
        url: str,
        state_dir: Path,
        spool: Spool,
        *,
        use_idle: bool = True,
        poll_interval: float = 60.0,
        idle_renew: float = 240.0,
        retry_interval: float = 30.0,
        backoff_initial: float = 1.0,
        backoff_max: float = 300.0,
        timeout: float = 30.0,
        batch_size: int = 50,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.target = parse_imap_url(url)
        self.spool = spool
        self.state_path = state_dir / f"imap-state-{self.target.key}.json"
        state_dir.mkdir(parents=True, exist_ok=True)
        self.state = ImapState.load(self.state_path)
        self.use_idle = use_idle
        self.poll_interval = poll_interval
        # RFC 2177 §3: re-issue IDLE at least every 29 minutes; NAT boxes forget sooner.
        self.idle_renew = idle_renew
        self.retry_interval = retry_interval
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.timeout = timeout
        self.batch_size = batch_size
        self.ssl_context = ssl_context or ssl.create_default_context()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._retry_at: float | None = None  # set while the spool refuses mail
        self._done_name = ""  # the Done folder's name on this server, found at connect
        # How long one wait inside IDLE lasts: the bound on how late stop() is noticed.
        self._tick = 0.25

    @classmethod
    def from_settings(cls, config: GatewayConfig, spool: Spool, **options: Any) -> ImapPoller:
        if not config.imap_url:
            raise ValueError("MAILFEED_IMAP_URL is not set")
        return cls(config.imap_url, config.data_dir, spool, **options)

    # -- lifecycle ----------------------------------------------------------
    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="mailfeed-imap", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to finish and wait for it; IDLE is left within a fraction of a second."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if not self._thread.is_alive():  # else is_alive() must keep telling the truth
                self._thread = None

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def run_once(self) -> int:
        """Connect, spool and move everything new, disconnect.  Returns how many were spooled."""
        client = self._connect()
        try:
            return self._drain(client)
        finally:
            _logout(client)

    # -- the thread -----------------------------------------------------------
    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            client: IMAPClient | None = None
            try:
                client = self._connect()
                while not self._stop.is_set():
                    self._drain(client, interruptible=True)
                    failures = 0  # a full pass worked: the next outage starts from a short wait
                    self._wait_for_mail(client)
            except CONNECTION_ERRORS as exc:
                if self._stop.is_set():
                    break
                delay = self._backoff(failures)
                failures += 1
                log.warning(
                    "imap: %s:%d unavailable (%s: %s); retrying in %.1fs",
                    self.target.host,
                    self.target.port,
                    type(exc).__name__,
                    exc,
                    delay,
                )
                self._stop.wait(delay)
            except Exception:
                # A bug must not silently end intake: log it, back off, try again.
                delay = self._backoff(failures)
                failures += 1
                log.exception("imap: unexpected error; retrying in %.1fs", delay)
                self._stop.wait(delay)
            finally:
                if client is not None:
                    _logout(client)

    def _backoff(self, failures: int) -> float:
        delay = min(self.backoff_max, self.backoff_initial * (2 ** min(failures, 30)))
        # Jitter, so many gateways behind one restarted server do not reconnect in lockstep.
        return float(delay * random.uniform(0.8, 1.0))

    # -- the session ------------------------------------------------------------
    def _connect(self) -> IMAPClient:
        t = self.target
        client = IMAPClient(
            t.host,
            port=t.port,
            ssl=(t.tls == "implicit"),
            ssl_context=self.ssl_context,
            timeout=self.timeout,
        )
        try:
            if t.tls in ("starttls", "auto"):
                if client.has_capability("STARTTLS"):
                    client.starttls(self.ssl_context)
                elif t.tls == "starttls":
                    raise IMAPClientError("server does not offer STARTTLS (tls=starttls)")
                elif t.host not in ("127.0.0.1", "::1", "localhost"):
                    log.warning(
                        "imap: %s offers no STARTTLS; logging in without TLS "
                        "(add ?tls=starttls to refuse that)",
                        t.host,
                    )
            client.login(t.username, t.password)
            self._done_name = self._ensure_folder(client, t.done_folder, personal=True)
            info = client.select_folder(self._server_name(client, t.folder, personal=False))
            self._check_uidvalidity(int(info[b"UIDVALIDITY"]))
        except BaseException:
            _logout(client)
            raise
        return client

    def _check_uidvalidity(self, uidvalidity: int) -> None:
        state = self.state
        if state.uidvalidity == uidvalidity:
            return
        if state.uidvalidity:
            # RFC 3501 §2.3.1.1: old UIDs mean nothing now.  Handled mail was moved out of the
            # folder, so start from the beginning; the seen-set catches any that came back.
            log.warning(
                "imap: UIDVALIDITY changed (%d -> %d); rescanning the folder",
                state.uidvalidity,
                uidvalidity,
            )
        state.uidvalidity = uidvalidity
        state.last_uid = 0
        state.save(self.state_path)

    def _drain(self, client: IMAPClient, *, interruptible: bool = False) -> int:
        """Process until a pass finds nothing new and the server reports nothing new.

        The server announces mail that arrives meanwhile in its replies to our FETCH or MOVE,
        where imapclient drops it, and IDLE will not announce it again.  NOOP makes the server
        look at the mailbox (Dovecot's SEARCH does not), so end every pass with one; mail that
        lands between the last NOOP and IDLE is only seen at the server's next check (Dovecot:
        mailbox_idle_check_interval, 30 s) -- late, never lost.
        """
        spooled = 0
        while not (interruptible and self._stop.is_set()):
            before = self.state.last_uid
            spooled += self._process(client, interruptible=interruptible)
            if self._retry_at is not None:
                break
            _text, responses = client.noop()
            announced = any(
                isinstance(r, tuple) and len(r) > 1 and r[1] in (b"EXISTS", b"RECENT")
                for r in responses
            )
            if self.state.last_uid == before and not announced:
                break
        return spooled

    def _process(self, client: IMAPClient, *, interruptible: bool = False) -> int:
        """Spool every unhandled mail in the selected folder, then move it to Done."""
        if self._retry_at is not None and time.monotonic() < self._retry_at:
            return 0
        self._retry_at = None
        uids = sorted(int(u) for u in client.search(["NOT", "DELETED"]))
        # At or below last_uid means spooled before but not moved (a crash or a lost
        # connection between the two steps): finish the move, do not spool again.
        self._move(client, [u for u in uids if u <= self.state.last_uid])
        spooled = 0
        new = [u for u in uids if u > self.state.last_uid]
        for start in range(0, len(new), self.batch_size):
            if interruptible and self._stop.is_set():
                break  # a long backlog must not hold up stop(); the rest waits for next time
            chunk = new[start : start + self.batch_size]
            fetched = client.fetch(chunk, ["BODY.PEEK[]"])
            handled: list[int] = []
            try:
                for uid in chunk:
                    item = fetched.get(uid)
                    if item is None or b"BODY[]" not in item:
                        continue  # expunged by someone else meanwhile
                    outcome = self._hand_over(uid, bytes(item[b"BODY[]"]))
                    if outcome == "refused":
                        return spooled  # later mail waits behind it, keeping UIDs in order
                    spooled += outcome == "spooled"
                    handled.append(uid)
            finally:
                self._move(client, handled)
        return spooled

    def _hand_over(self, uid: int, raw: bytes) -> str:
        """Spool one mail and record it: "spooled", "duplicate", or "refused" (try later)."""
        key, mid_hash, rcpts = describe_mail(raw)
        state = self.state
        outcome = "duplicate" if key in state.seen else "spooled"
        if outcome == "spooled":
            try:
                entry_id = self.spool.put(raw, mail_from="", rcpts=rcpts, source="imap")
            except OSError as exc:
                self._retry_at = time.monotonic() + self.retry_interval
                log.error(
                    "imap: spool refused uid %d (message-id %s): %s; it stays in %s",
                    uid,
                    mid_hash,
                    exc.strerror or exc,
                    self.target.folder,
                )
                return "refused"
            log.info("imap: spooled uid %d (message-id %s) as %s", uid, mid_hash, entry_id)
            state.remember(key)
        else:
            log.info("imap: uid %d (message-id %s) already spooled; moving it only", uid, mid_hash)
        state.last_uid = uid
        state.save(self.state_path)
        return outcome

    def _move(self, client: IMAPClient, uids: Sequence[int]) -> None:
        if not uids:
            return
        if client.has_capability("MOVE"):
            client.move(uids, self._done_name)  # RFC 6851
            return
        client.copy(uids, self._done_name)
        client.add_flags(uids, [DELETED], silent=True)
        if client.has_capability("UIDPLUS"):
            client.uid_expunge(uids)  # RFC 4315: expunge only ours
        elif set(client.search(["DELETED"])) <= set(uids):
            client.expunge()  # RFC 3501: expunges every \Deleted mail, so only when all are ours
        else:
            # Someone else's \Deleted mail is waiting for their own EXPUNGE; not ours to
            # destroy.  Ours stay flagged: the NOT DELETED search already skips them.
            log.info("imap: no UIDPLUS and foreign \\Deleted mail; leaving %d flagged", len(uids))

    def _wait_for_mail(self, client: IMAPClient) -> None:
        """Return when there may be new mail, a retry is due, or stop() was called."""
        if self.use_idle and client.has_capability("IDLE"):
            self._idle(client)
            return
        deadline = time.monotonic() + self.poll_interval
        if self._retry_at is not None:
            deadline = min(deadline, self._retry_at)
        self._stop.wait(max(0.0, deadline - time.monotonic()))
        if not self._stop.is_set():
            client.noop()  # lets the server report new mail, and notices a dead connection

    def _idle(self, client: IMAPClient) -> None:
        client.idle()
        started = time.monotonic()
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                if now - started >= self.idle_renew:
                    break
                if self._retry_at is not None and now >= self._retry_at:
                    break
                responses = client.idle_check(timeout=self._tick)
                if responses:
                    break  # EXISTS, or anything else: a pass over the folder is cheap
                if time.monotonic() - now < self._tick / 2:
                    # Woken early with nothing parsed: imapclient swallows EOF here, so
                    # leave IDLE and let DONE reveal whether the connection is still alive.
                    break
        finally:
            client.idle_done()

    # -- folders ------------------------------------------------------------------
    def _server_name(self, client: IMAPClient, name: str, *, personal: bool) -> str:
        """Translate `a/b` to the server's delimiter (and personal namespace prefix)."""
        if name.upper() == "INBOX":
            return "INBOX"
        prefix, delimiter = "", "/"
        if client.has_capability("NAMESPACE"):
            spaces = client.namespace().personal or ()
            if spaces:
                prefix, delimiter = spaces[0][0], spaces[0][1] or "/"
        else:
            listed = client.list_folders("", "")
            if listed and listed[0][1]:
                delim = listed[0][1]
                delimiter = delim.decode() if isinstance(delim, bytes) else str(delim)
        server = delimiter.join(part for part in name.split("/") if part)
        if personal and prefix and not server.startswith(prefix):
            server = prefix + server
        return server

    def _ensure_folder(self, client: IMAPClient, name: str, *, personal: bool) -> str:
        server = self._server_name(client, name, personal=personal)
        if not client.folder_exists(server):
            try:
                client.create_folder(server)  # RFC 3501 §6.3.3: creates parents as needed
            except IMAPClientError:
                if not client.folder_exists(server):  # lost a race with another client
                    raise
            try:
                client.subscribe_folder(server)  # so people can see it in their mail client
            except IMAPClientError:
                pass
        return server


def _logout(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # noqa: BLE001 - the connection may already be gone; that is fine
        try:
            client.shutdown()
        except Exception:  # noqa: BLE001
            pass
