"""The raw mail behind one interface, in files or in the database (MAILFEED_RAW_STORE).

Instances on two hosts without a shared disk keep one record of each mail in the
database; the web app's "original mail", attachments and admin download read it from
whichever store kept it.
"""

# ruff: noqa: F811 - pytest fixtures arrive as parameters
from __future__ import annotations

import smtplib
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from web_support import DOMAIN, MODERATOR, add_thread, make_settings, sign_in

from mailfeed.cli import main
from mailfeed.gateway.intake import Arrival, take_in
from mailfeed.publisher import rawstore
from mailfeed.publisher.models import MailMessage, Post
from mailfeed.settings import build_site, build_web_config
from mailfeed.web import create_app
from tests.db_support import database  # noqa: F401 - fixture
from tests.gateway_support import gateway_factory  # noqa: F401 - fixture
from tests.test_intake import SECRET_WORDS, salary_mail
from tests.test_web_attachments import PNG, raw_mail

RAW = (
    b"From: Anna <anna@firma.se>\r\nSubject: Hemligt?\r\nMessage-ID: <r1@firma.se>\r\n\r\n"
    b"Orden i brevet.\r\n"
)


@pytest.mark.parametrize("kind", rawstore.KINDS)
def test_keep_load_redact_forget(kind: str, database, tmp_path: Path) -> None:
    store = rawstore.open_store(kind, tmp_path / "raw", database)
    locator = store.keep(RAW)
    assert store.keep(RAW) == locator  # kept once, by content
    assert locator.startswith("db:") == (kind == "database")
    files = list((tmp_path / "raw").rglob("*.eml"))
    assert len(files) == (1 if kind == "files" else 0)
    with database.session() as session:
        assert rawstore.load(session, locator, tmp_path) == RAW
    store.redact(locator, "confidential")
    with database.session() as session:
        kept = rawstore.load(session, locator, tmp_path)
        assert kept is not None and b"Subject: Hemligt?" in kept and b"Orden" not in kept
        gone = rawstore.forget(session, locator)
    if gone is not None:
        gone.unlink()
    with database.session() as session:
        assert rawstore.load(session, locator, tmp_path) is None


def test_a_locator_outside_the_data_dir_is_not_read(database, tmp_path: Path) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-outside.eml"
    outside.write_bytes(RAW)
    try:
        with database.session() as session:
            assert rawstore.load(session, str(outside), tmp_path / "data") is None
            assert rawstore.load(session, "../" + outside.name, tmp_path) is None
    finally:
        outside.unlink()


def test_the_web_reads_mail_kept_in_the_database(database, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, raw_store="database")
    raw_dir = settings.data_dir / "raw"
    store = rawstore.open_store("database", raw_dir, database)
    tid = add_thread(database, "Planritning", [(f"anna@{DOMAIN}", "Anna Berg", "Ritningen.")])
    raw = raw_mail()
    with database.session() as session:
        mail = MailMessage(
            message_id=f"plan@{DOMAIN}",
            content_hash="x",
            raw_path=store.keep(raw),
            action="publish",
            thread_id=tid,
        )
        session.add(mail)
        session.flush()
        post = session.get(Post, 1)
        assert post is not None
        post.mail_id, mail_id = mail.id, mail.id
    assert not raw_dir.exists() or not list(raw_dir.rglob("*.eml"))
    client = create_app(build_web_config(settings), database).test_client()
    sign_in(client, database, MODERATOR)
    assert "plan 3.png" in client.get(f"/t/{tid}", follow_redirects=True).get_data(as_text=True)
    assert client.get(f"/t/{tid}/mail/{mail_id}/part/1").data == PNG
    assert client.get(f"/t/{tid}/mail/{mail_id}.eml").data == raw
    assert client.get(f"/admin/mail/{mail_id}.eml").data == raw


def test_a_gateway_keeps_raw_mail_in_the_database_when_told(gateway_factory) -> None:
    gw = gateway_factory({"MAILFEED_RAW_STORE": "database"})
    with smtplib.SMTP("127.0.0.1", gw.smtp_port, timeout=30) as client:
        client.sendmail(
            f"anna@{DOMAIN}",
            [f"feed@{DOMAIN}"],
            RAW.replace(b"Hemligt?", b"Var finns nyckeln?") + b"Vet nagon?\r\n",
        )
    threads = gw.wait_until(lambda: gw.api("/api/threads")["threads"], timeout=20)
    assert threads and not list((gw.data_dir / "raw").rglob("*.eml"))
    with sqlite3.connect(gw.data_dir / "mailfeed.sqlite3") as db:
        (locator,) = db.execute("select raw_path from mail_message").fetchone()
        (data,) = db.execute("select data from raw_mail").fetchone()
    assert locator.startswith("db:") and b"Var finns nyckeln?" in data


@pytest.mark.parametrize("subject", ["[Konfidentiell] Lönerevision", "Lönerevision"])
def test_intake_into_the_database_store_forgets_a_confidential_mail(
    subject: str, database, tmp_path: Path
) -> None:
    """The redaction is written in the intake's own transaction: on SQLite that
    transaction holds the write lock already (publisher.claims), so a second connection
    could not write it."""
    settings = make_settings(tmp_path, gateway_addresses=("feed@firma.se",))
    store = rawstore.open_store("database", settings.data_dir / "raw", database)
    raw = salary_mail(subject=subject)
    with database.session() as session:
        taken = take_in(
            raw,
            Arrival(source="smtp", rcpts=("feed@firma.se",), mail_from="anna.berg@firma.se"),
            site=build_site(settings),
            session=session,
            raw_store=store,
        )
    assert taken.raw_path is not None and taken.raw_path.startswith("db:")
    with database.session() as session:
        kept = rawstore.load(session, taken.raw_path)
    assert kept is not None and b"Message-ID: <lon-1@firma.se>" in kept
    confidential = subject.startswith("[Konfidentiell]")
    assert taken.outcome.decision.action == ("reject" if confidential else "publish")
    assert all((w in kept) is not confidential for w in SECRET_WORDS)


def test_an_import_into_sqlite_keeps_raw_mail_in_the_database(tmp_path: Path) -> None:
    """The import's batch transaction holds SQLite's write lock from its first mail on;
    each mail's bytes are kept in that transaction, not by a second connection."""
    archive = tmp_path / "archive"
    archive.mkdir()
    first = salary_mail(subject="Lönerevision", message_id="a")
    mails = [
        first,
        salary_mail(subject="Lönerevision igen", message_id="b"),
        first.replace(b"Anna\n", b"Anna (sent again)\n"),
    ]  # known id, other bytes
    for i, raw in enumerate(mails):
        (archive / f"{i}.eml").write_bytes(raw)
    data_dir = tmp_path / "data"
    result = CliRunner().invoke(
        main,
        ["import", str(archive)],
        env={
            "MAILFEED_DATA_DIR": str(data_dir),
            "MAILFEED_GATEWAY_ADDRESSES": "feed@firma.se",
            "MAILFEED_RAW_STORE": "database",
        },
    )
    assert result.exit_code == 0, result.output
    with sqlite3.connect(data_dir / "mailfeed.sqlite3") as db:
        locators = [r for (r,) in db.execute("select raw_path from mail_message")]
        kept = [d for (d,) in db.execute("select data from raw_mail order by data")]
    assert len(locators) == 2 and all(loc.startswith("db:") for loc in locators)
    assert sorted(kept) == sorted(mails[:2])  # the unrecorded copy is not kept
    assert not list((data_dir / "raw").rglob("*.eml"))
