"""Fixtures and helpers for the web tests: a real app on real SQLite, real sign-in.

Import the fixtures into a test module with
`from web_support import app, client, web_db, web_settings  # noqa: F401`.
Nothing here fakes a part: sign-in goes through /login, the queued mail and its link;
`WaitressServer` serves the app on a loopback port for HTTP and browser tests.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from conftest import free_port
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from waitress.server import create_server

from mailfeed.publisher.db import Database
from mailfeed.publisher.models import MailMessage, OutboundMail, Person, Post, Thread
from mailfeed.settings import Settings, build_web_config
from mailfeed.web import create_app

DOMAIN = "firma.se"
MODERATOR = f"moderator@{DOMAIN}"
T0 = datetime(2026, 11, 2, 8, 0, 0)


def make_settings(data_dir: Path, **changes: Any) -> Settings:
    base = Settings(
        data_dir=data_dir,
        secret_key="test-secret-key",
        gateway_addresses=(f"feed@{DOMAIN}",),
        base_url="http://feed.test",
        moderators=(MODERATOR,),
        default_language="en",
    )
    return base.with_overrides(**changes)


@pytest.fixture
def web_settings(data_dir: Path) -> Settings:
    return make_settings(data_dir)


@pytest.fixture
def web_db(web_settings: Settings) -> Iterator[Database]:
    db = Database(web_settings.db_url)
    db.upgrade()
    yield db
    db.dispose()


@pytest.fixture
def app(web_settings: Settings, web_db: Database) -> Flask:
    return create_app(build_web_config(web_settings), web_db)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def add_thread(
    db: Database,
    subject: str,
    posts: list[tuple[str, str | None, str]],
    *,
    kind: str = "question",
    when: datetime = T0,
    origin: str = "cc",
    trimmed: str = "",
    date_text: str | None = None,
) -> int:
    """A thread as the mail publisher leaves it: posts (email, name, body), oldest first."""
    with db.session() as session:
        people: dict[str, Person] = {}
        for email, name, _body in posts:
            if email not in people:
                found = session.scalar(select(Person).where(Person.email == email))
                people[email] = found or Person(email=email, name=name)
        slug = re.sub(r"[^a-z0-9]+", "-", subject.lower()).strip("-")[:60]
        thread = Thread(
            subject=subject,
            slug=slug,
            kind=kind,
            origin=origin,
            asker=people[posts[0][0]],
            created=when,
            last_activity=when + timedelta(minutes=len(posts)),
            mail_first=when - timedelta(days=5),
            mail_last=when,
            mail_messages=len(posts),
            mail_people=len(people),
        )
        for i, (email, _name, body) in enumerate(posts):
            thread.posts.append(
                Post(
                    author=people[email],
                    body=body,
                    position=i,
                    date=when + timedelta(minutes=i),
                    date_text=date_text if i == 0 else None,
                    trimmed=trimmed if i == 0 else "",
                )
            )
        session.add(thread)
        session.flush()
        return thread.id


def attach_raw_mail(
    db: Database, settings: Settings, thread_id: int, raw: bytes, post_id: int = 1
) -> int:
    """Store `raw` as the gateway does (a file under the data dir, a mail_message row) and
    make it the source of a post; returns the mail's id."""
    path = settings.data_dir / "raw" / f"{thread_id}-{post_id}.eml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    with db.session() as session:
        mail = MailMessage(
            message_id=f"{thread_id}.{post_id}@{DOMAIN}",
            content_hash="test",
            raw_path=str(path),
            action="publish",
            thread_id=thread_id,
        )
        session.add(mail)
        session.flush()
        post = session.get(Post, post_id)
        assert post is not None
        post.mail_id = mail.id
        return mail.id


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


def latest_mail(db: Database, recipient: str) -> Any:
    with db.session() as session:
        row = session.scalar(
            select(OutboundMail)
            .where(OutboundMail.recipient == recipient)
            .order_by(OutboundMail.id.desc())
        )
        assert row is not None, f"no mail queued for {recipient}"
        return message_from_bytes(row.raw, policy=policy.default)


def link_in(message: Any, base: str) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(re.escape(base) + r"/\S+", text)
    assert match, text
    return match.group(0)


def request_link(client: FlaskClient, db: Database, email: str, base: str) -> str:
    """Ask for a sign-in link through the form; return the path of the link mailed."""
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": email, "csrf_token": csrf_from(page)})
    assert response.status_code == 200, response.get_data(as_text=True)
    return link_in(latest_mail(db, email.lower()), base)[len(base) :]


def sign_in(client: FlaskClient, db: Database, email: str, base: str = "http://feed.test") -> None:
    path = request_link(client, db, email, base)
    confirm = client.get(path)
    response = client.post(path, data={"csrf_token": csrf_from(confirm.get_data(as_text=True))})
    assert response.status_code == 302, response.get_data(as_text=True)


class WaitressServer:
    """The app under waitress on a free loopback port, in a thread, for one test."""

    def __init__(self, app: Flask, port: int | None = None) -> None:
        self.port = port or free_port()
        self.server = create_server(app, host="127.0.0.1", port=self.port, threads=4)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> WaitressServer:
        self.thread.start()
        time.sleep(0.05)
        return self

    def __exit__(self, *_exc: object) -> None:
        # Channels must be closed by the loop's own thread (closing a socket under its
        # select() raises EBADF there), so hand it the job; the loop ends when none remain.
        self.server.trigger.pull_trigger(self._close_channels)
        self.thread.join(timeout=10)
        self.server.task_dispatcher.shutdown()

    def _close_channels(self) -> None:
        for channel in list(self.server._map.values()):
            channel.close()
