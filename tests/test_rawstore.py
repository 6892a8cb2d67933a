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
from web_support import DOMAIN, MODERATOR, add_thread, make_settings, sign_in

from mailfeed.publisher import rawstore
from mailfeed.publisher.models import MailMessage, Post
from mailfeed.web import create_app
from tests.db_support import database  # noqa: F401 - fixture
from tests.gateway_support import gateway_factory  # noqa: F401 - fixture
from tests.test_web_attachments import PNG, raw_mail

RAW = (b"From: Anna <anna@firma.se>\r\nSubject: Hemligt?\r\nMessage-ID: <r1@firma.se>\r\n\r\n"
       b"Orden i brevet.\r\n")


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
    store = rawstore.open_store("database", settings.raw_dir, database)
    tid = add_thread(database, "Planritning", [(f"anna@{DOMAIN}", "Anna Berg", "Ritningen.")])
    raw = raw_mail()
    with database.session() as session:
        mail = MailMessage(message_id=f"plan@{DOMAIN}", content_hash="x",
                           raw_path=store.keep(raw), action="publish", thread_id=tid)
        session.add(mail)
        session.flush()
        post = session.get(Post, 1)
        assert post is not None
        post.mail_id, mail_id = mail.id, mail.id
    assert not settings.raw_dir.exists() or not list(settings.raw_dir.rglob("*.eml"))
    client = create_app(settings, database).test_client()
    sign_in(client, database, MODERATOR)
    assert "plan 3.png" in client.get(f"/t/{tid}", follow_redirects=True).get_data(as_text=True)
    assert client.get(f"/t/{tid}/mail/{mail_id}/part/1").data == PNG
    assert client.get(f"/t/{tid}/mail/{mail_id}.eml").data == raw
    assert client.get(f"/admin/mail/{mail_id}.eml").data == raw


def test_a_gateway_keeps_raw_mail_in_the_database_when_told(gateway_factory) -> None:
    gw = gateway_factory({"MAILFEED_RAW_STORE": "database"})
    with smtplib.SMTP("127.0.0.1", gw.smtp_port, timeout=30) as client:
        client.sendmail(f"anna@{DOMAIN}", [f"feed@{DOMAIN}"],
                        RAW.replace(b"Hemligt?", b"Var finns nyckeln?") + b"Vet nagon?\r\n")
    threads = gw.wait_until(lambda: gw.api("/api/threads")["threads"], timeout=20)
    assert threads and not list((gw.data_dir / "raw").rglob("*.eml"))
    with sqlite3.connect(gw.data_dir / "mailfeed.sqlite3") as db:
        (locator,) = db.execute("select raw_path from mail_message").fetchone()
        (data,) = db.execute("select data from raw_mail").fetchone()
    assert locator.startswith("db:") and b"Var finns nyckeln?" in data
