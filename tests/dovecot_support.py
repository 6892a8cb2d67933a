"""A real Dovecot IMAP server for tests: private config, loopback port, Maildir in a temp dir.

Owns starting, killing and restarting that server and delivering mail into its Maildir the way
an MDA would.  It must not touch the machine's own Dovecot config or services: everything
lives under one temp dir that the fixture removes, and the process group it started is killed
in the finalizer.  See ../shared/PEERS.md for the config this follows.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import free_port, require_tool
from imapclient import IMAPClient

USER = "feed"
PASSWORD = "s3cret pass/word"  # a space and a slash, so the URL must be percent-encoded

CONFIG = """\
base_dir = {tmp}/run
state_dir = {tmp}/state
log_path = {tmp}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl}
{capability}
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{tmp}/mail/%u/Maildir
first_valid_uid = {uid}
first_valid_gid = {gid}
default_login_user = {login_user}
default_internal_user = {login_user}
default_internal_group = {login_group}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {tmp}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={tmp}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
  }}
}}
service anvil {{
  chroot =
}}
"""


class Dovecot:
    """One private Dovecot instance; `start`, `kill`, `restart` keep the same port and mail."""

    def __init__(self, tmp: Path, *, tls: bool = False, capability: str = "") -> None:
        self.tmp = tmp
        self.port = free_port()
        # With tls: STARTTLS on `port` and implicit TLS on `imaps_port`, with a certificate
        # for 127.0.0.1 made here; `cafile` is what a client must trust.
        self.imaps_port = free_port() if tls else 0
        self.cafile = tmp / "cert.pem"
        ssl_conf = "ssl = no"
        if tls:
            _make_certificate(self.cafile, tmp / "key.pem")
            ssl_conf = f"ssl = yes\nssl_cert = <{self.cafile}\nssl_key = <{tmp / 'key.pem'}"
        self.user = USER
        self.password = PASSWORD
        self.proc: subprocess.Popen[bytes] | None = None
        # Dovecot refuses to run mail processes as root; as root we hand the mail to nobody,
        # as an ordinary user the mail simply stays ours.
        if os.geteuid() == 0:
            self.uid, self.gid = 65534, 65534
            login_user, login_group = "nobody", "nogroup"
        else:
            self.uid, self.gid = os.geteuid(), os.getegid()
            login_user = _name_of_uid(self.uid)
            login_group = _name_of_gid(self.gid)
        for sub in ("run", "state", "mail"):
            (tmp / sub).mkdir(parents=True, exist_ok=True)
        (tmp / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        self.config = tmp / "dovecot.conf"
        self.config.write_text(
            CONFIG.format(
                tmp=tmp,
                port=self.port,
                imaps_port=self.imaps_port,
                ssl=ssl_conf,
                capability=f"imap_capability = {capability}" if capability else "",
                uid=self.uid,
                gid=self.gid,
                login_user=login_user,
                login_group=login_group,
            )
        )
        self.maildir = tmp / "mail" / USER / "Maildir"
        for sub in ("cur", "new", "tmp"):
            (self.maildir / sub).mkdir(parents=True, exist_ok=True)
        self._chown_mail()

    # -- process control ------------------------------------------------
    def start(self, timeout: float = 10.0) -> None:
        dovecot = require_tool("dovecot")
        self.proc = subprocess.Popen(
            [dovecot, "-F", "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            # Its own process group, so the finalizer can kill master and children together.
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                raise RuntimeError(f"dovecot exited: {err}\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    if s.recv(64).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not listen within {timeout}s\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL the whole process group: the server vanishes mid-conversation."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)
        if self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None
        # The master is gone, but its children notice that a moment later; wait for the
        # port to be free so the restart can bind it again.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                with socket.socket() as s:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind(("127.0.0.1", self.port))
                return
            except OSError:
                time.sleep(0.05)

    def restart(self) -> None:
        self.kill()
        self.start()

    def log(self) -> str:
        path = self.tmp / "dovecot.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    # -- mail -----------------------------------------------------------
    @property
    def url(self) -> str:
        return (
            f"imap://{quote(self.user, safe='')}:{quote(self.password, safe='')}"
            f"@127.0.0.1:{self.port}/INBOX?tls=none"
        )

    def deliver(self, raw: bytes, folder: str = "") -> Path:
        """Drop a mail into the Maildir (tmp -> new), as an MDA does."""
        box = self.maildir if not folder else self.maildir / f".{folder}"
        name = f"{time.time():.6f}.{uuid.uuid4().hex}.mailfeedtest"
        tmp = box / "tmp" / name
        tmp.write_bytes(raw)
        os.chown(tmp, self.uid, self.gid)
        target = box / "new" / name
        os.rename(tmp, target)
        return target

    def client(self) -> IMAPClient:
        c = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        c.login(self.user, self.password)
        return c

    def _chown_mail(self) -> None:
        # Dovecot's mail processes run as uid 65534 and must own the whole mail tree.
        root = self.tmp / "mail"
        for dirpath, _dirs, files in os.walk(root):
            os.chown(dirpath, self.uid, self.gid)
            for f in files:
                os.chown(os.path.join(dirpath, f), self.uid, self.gid)


def _make_certificate(cert: Path, key: Path) -> None:
    openssl = require_tool("openssl")
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )


def _name_of_uid(uid: int) -> str:
    return pwd.getpwuid(uid).pw_name


def _name_of_gid(gid: int) -> str:
    return grp.getgrgid(gid).gr_name


def _running(*, tls: bool = False, capability: str = "") -> Iterator[Dovecot]:
    require_tool("dovecot")
    # Not pytest's tmp_path: its parents are mode 0700 root, which uid 65534 cannot traverse.
    tmp = Path(tempfile.mkdtemp(prefix="mailfeed-dovecot-"))
    os.chmod(tmp, 0o755)
    try:
        server = Dovecot(tmp, tls=tls, capability=capability)
        server.start()
        try:
            yield server
        finally:
            server.kill()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    """A fresh plain-text Dovecot per test (it starts in well under a second), killed after."""
    yield from _running(tls=False)


@pytest.fixture
def dovecot_tls() -> Iterator[Dovecot]:
    """The same with a test certificate: STARTTLS on `port`, implicit TLS on `imaps_port`."""
    yield from _running(tls=True)


@pytest.fixture
def dovecot_imap4rev1() -> Iterator[Dovecot]:
    """A server that advertises plain IMAP4rev1 only: no IDLE, MOVE, UIDPLUS or NAMESPACE."""
    yield from _running(capability="IMAP4rev1")
