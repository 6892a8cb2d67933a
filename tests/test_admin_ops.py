"""The admin page for operators: quarantined mail with a retry button, outbound states.

Story: a mail broke the worker on Monday night and sits in quarantine.  The moderator
signs in, sees it on /admin (id, source, the error's first line, when it came), presses
"Retry", and the mail is back in the queue.  Below, each outbound mail shows its state.
Anna, no moderator, sees none of it and cannot retry anything.
"""

# ruff: noqa: F811 - pytest fixtures imported from web_support arrive as parameters
from __future__ import annotations

import html
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from web_support import MODERATOR, csrf_from, make_settings, sign_in

from mailfeed.gateway.spool import Spool
from mailfeed.publisher.db import Database
from mailfeed.publisher.models import OutboundMail
from mailfeed.settings import build_web_config
from mailfeed.web import create_app

ERROR = (
    "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 3\n"
    "  second line of the traceback"
)


@pytest.fixture
def ops(data_dir: Path) -> tuple[FlaskClient, Database, Spool]:
    settings = make_settings(data_dir)
    db = Database(settings.db_url)
    db.upgrade()
    spool = Spool(data_dir / "spool")
    return create_app(build_web_config(settings), db, spool=spool).test_client(), db, spool


def quarantine_one(spool: Spool) -> str:
    entry_id = spool.put(
        b"Subject: broken\r\n\r\n\xff\xfe\r\n",
        mail_from="anna@firma.se",
        rcpts=["feed@firma.se"],
        source="imap",
    )
    entry = spool.get(entry_id)
    assert entry is not None
    spool.quarantine(entry, ERROR)
    return entry_id


def test_moderator_sees_quarantined_mail_and_retries_it(
    ops: tuple[FlaskClient, Database, Spool],
) -> None:
    client, db, spool = ops
    entry_id = quarantine_one(spool)
    sign_in(client, db, MODERATOR)

    page = client.get("/admin")
    assert page.status_code == 200
    text = html.unescape(page.get_data(as_text=True))
    assert entry_id in text and "imap" in text and "anna@firma.se" in text
    assert "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff" in text
    assert "second line of the traceback" not in text  # the first line only
    assert f'action="/admin/spool/{entry_id}/retry"' in text

    answer = client.post(f"/admin/spool/{entry_id}/retry", data={"csrf_token": csrf_from(text)})
    assert answer.status_code == 302
    assert [e.id for e in spool.pending()] == [entry_id]
    assert list(spool.quarantined()) == []
    assert "Nothing is quarantined." in client.get("/admin").get_data(as_text=True)
    # A second press (a double click) finds nothing to retry.
    again = client.post(f"/admin/spool/{entry_id}/retry", data={"csrf_token": csrf_from(text)})
    assert again.status_code == 404


def test_retry_needs_csrf_and_a_well_formed_id(ops: tuple[FlaskClient, Database, Spool]) -> None:
    client, db, spool = ops
    entry_id = quarantine_one(spool)
    sign_in(client, db, MODERATOR)
    token = csrf_from(client.get("/admin").get_data(as_text=True))
    assert client.post(f"/admin/spool/{entry_id}/retry").status_code == 400
    assert client.post("/admin/spool/..%2Fnew/retry", data={"csrf_token": token}).status_code == 404
    assert client.post("/admin/spool/x/retry", data={"csrf_token": token}).status_code == 404
    assert [e.id for e in spool.quarantined()] == [entry_id]


def test_others_neither_see_nor_retry(ops: tuple[FlaskClient, Database, Spool]) -> None:
    client, db, spool = ops
    entry_id = quarantine_one(spool)
    sign_in(client, db, "anna@firma.se")
    assert client.get("/admin").status_code == 403
    token = csrf_from(client.get("/").get_data(as_text=True))
    assert (
        client.post(f"/admin/spool/{entry_id}/retry", data={"csrf_token": token}).status_code == 403
    )
    assert [e.id for e in spool.quarantined()] == [entry_id]


def test_outbound_mail_shows_its_state(ops: tuple[FlaskClient, Database, Spool]) -> None:
    client, db, _spool = ops
    sign_in(client, db, MODERATOR)  # queues the sign-in mail itself
    with db.session() as session:
        session.add(
            OutboundMail(
                idempotency_key="k-failed",
                purpose="link",
                recipient="johan@firma.se",
                message_id="m1",
                raw=b"x",
                state="failed",
                attempts=12,
                last_error="SMTPRecipientsRefused: 550 5.1.1 no such user",
            )
        )
    text = html.unescape(client.get("/admin").get_data(as_text=True))
    outbound = text[text.index('id="outbound"') :]
    assert "johan@firma.se" in outbound and 'outbound-failed">failed' in outbound
    assert "550 5.1.1 no such user" in outbound
    assert 'outbound-queued">queued' in outbound  # the moderator's own sign-in link
