"""One intake for every path: SMTP (through the worker), `mailfeed import` and `mailfeed parse`.

Anna marks a mail about Sofia's salary `[Konfidentiell]` and sends it to the gateway by
mistake.  Whichever way it arrives, none of its words may stay under the data dir — not in
the raw store, not in SQLite.  And what `mailfeed parse` says about the README's demo mail
is what `serve --demo` does with it.
"""

from __future__ import annotations

import json
import smtplib
import sqlite3
import subprocess
from email.message import EmailMessage
from pathlib import Path

from click.testing import CliRunner

from mailfeed.cli import main
from mailfeed.gateway.smtp import GatewayHandler, SenderRate, SMTPListener, address_matcher
from mailfeed.gateway.spool import Spool
from mailfeed.gateway.worker import Worker
from mailfeed.publisher.db import Database
from mailfeed.settings import Settings, build_gateway_config
from tests.conftest import DATA, free_port
from tests.gateway_support import gateway_factory, mailfeed_command  # noqa: F401 - fixture

SECRET_WORDS = (b"SILVERGRAN", b"48300")
DEMO_MAIL = DATA / "e2e" / "outlook_sv_five_days.eml"


def salary_mail(subject: str = "[Konfidentiell] Lönerevision", message_id: str = "lon-1") -> bytes:
    msg = EmailMessage()
    msg["From"] = "Anna Berg <anna.berg@firma.se>"
    msg["To"] = "feed@firma.se"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{message_id}@firma.se>"
    msg["Date"] = "Mon, 23 Nov 2026 09:12:00 +0100"
    msg.set_content(
        "Hej!\n\nSofia får 48300 kronor i månaden från januari. "
        "Kodordet för pärmen är SILVERGRAN.\n\nAnna\n"
    )
    return msg.as_bytes()


def files_with(data_dir: Path, words: tuple[bytes, ...]) -> list[str]:
    """Every file under `data_dir` (raw store, spool, outbox, SQLite and its journal)
    that holds one of `words`."""
    return sorted(
        str(p.relative_to(data_dir))
        for p in data_dir.rglob("*")
        if p.is_file() and any(w in p.read_bytes() for w in words)
    )


def settings_for(data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir, gateway_addresses=("feed@firma.se",), secret_key="test-secret"
    )


def deliver_by_smtp(data_dir: Path, raw: bytes) -> str:
    """Through a real SMTP listener and the worker; returns the decision's action."""
    config = build_gateway_config(
        settings_for(data_dir).with_overrides(smtp_listen=f"127.0.0.1:{free_port()}")
    )
    db = Database(settings_for(data_dir).db_url)
    db.upgrade()
    spool = Spool(config.spool_dir)
    listener = SMTPListener(
        config, GatewayHandler(spool, address_matcher(config), max_queue=100, rate=SenderRate(0))
    )
    listener.start()
    try:
        with smtplib.SMTP(listener.hostname, listener.port, timeout=30) as client:
            client.sendmail("anna.berg@firma.se", ["feed@firma.se"], raw)
    finally:
        listener.stop()
    assert Worker(config, db, spool).run_once() == 1
    db.dispose()
    with sqlite3.connect(data_dir / "mailfeed.sqlite3") as conn:
        (action,) = conn.execute("SELECT action FROM mail_message").fetchone()
    return str(action)


def test_a_confidential_mail_by_smtp_leaves_no_word_in_the_data_dir(tmp_path: Path) -> None:
    assert all(w in salary_mail() for w in SECRET_WORDS)
    data_dir = tmp_path / "data"
    assert deliver_by_smtp(data_dir, salary_mail()) == "reject"
    assert files_with(data_dir, SECRET_WORDS) == []
    # the audit record stays: the raw file keeps the header section and why
    (kept,) = (data_dir / "raw").rglob("*.eml")
    assert b"[Konfidentiell]" in kept.read_bytes() and b"body not kept" in kept.read_bytes()


def test_an_open_mail_by_smtp_keeps_its_words(tmp_path: Path) -> None:
    """The check above can fail: an ordinary mail's words are on disk after intake."""
    data_dir = tmp_path / "data"
    assert deliver_by_smtp(data_dir, salary_mail(subject="Lönerevision")) == "publish"
    assert any(name.startswith("raw/") for name in files_with(data_dir, SECRET_WORDS))


def import_folder(tmp_path: Path, *mails: bytes) -> Path:
    archive = tmp_path / "archive"
    archive.mkdir()
    for i, raw in enumerate(mails):
        (archive / f"{i}.eml").write_bytes(raw)
    data_dir = tmp_path / "data"
    result = CliRunner().invoke(
        main,
        ["import", str(archive)],
        env={"MAILFEED_DATA_DIR": str(data_dir), "MAILFEED_GATEWAY_ADDRESSES": "feed@firma.se"},
    )
    assert result.exit_code == 0, result.output
    return data_dir


def test_a_confidential_mail_by_import_leaves_no_word_in_the_data_dir(tmp_path: Path) -> None:
    data_dir = import_folder(tmp_path, salary_mail())
    assert files_with(data_dir, SECRET_WORDS) == []
    with sqlite3.connect(data_dir / "mailfeed.sqlite3") as conn:
        assert conn.execute("SELECT action FROM mail_message").fetchall() == [("reject",)]


def test_a_second_copy_with_other_bytes_leaves_no_word(tmp_path: Path) -> None:
    """The same Message-ID again, re-encoded by a relay: not recorded, so not kept."""
    first = salary_mail()
    again = first.replace(b"Anna\n", b"Anna (sent again)\n")
    data_dir = import_folder(tmp_path, first, again)
    assert files_with(data_dir, SECRET_WORDS) == []


def parse_json(tmp_path: Path, *args: str) -> dict[str, object]:
    env = {"MAILFEED_DATA_DIR": str(tmp_path / "parse-data"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [*mailfeed_command(), "parse", "--json", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=tmp_path,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_parse_agrees_with_serve_demo_about_the_readme_mail(
    tmp_path: Path, gateway_factory
) -> None:
    # As the README says: `serve --demo`, then swaks --to feed@localhost with the chain.
    gw = gateway_factory({"MAILFEED_GATEWAY_ADDRESSES": "feed@localhost"}, "--demo")
    with smtplib.SMTP("127.0.0.1", gw.smtp_port, timeout=30) as client:
        client.sendmail("johan.lind@firma.se", ["feed@localhost"], DEMO_MAIL.read_bytes())

    def served() -> tuple[str, str | None, str] | None:
        with sqlite3.connect(gw.data_dir / "mailfeed.sqlite3") as conn:
            row = conn.execute(
                "SELECT action, kind, reason FROM mail_message WHERE message_id"
                " LIKE 'DB9PR07MB7771A0C5B2E8F1A0D3C4E5F6A7B8@%'"
            ).fetchone()
        return tuple(row) if row else None  # type: ignore[return-value]

    action, kind, reason = gw.wait_until(served, timeout=20)
    assert action == "publish"
    for args in (("--demo", "--rcpt", "feed@localhost"), ("--demo",)):
        decision = parse_json(tmp_path, *args, str(DEMO_MAIL))["decision"]
        assert decision == {"action": action, "kind": kind, "reason": reason}, args
