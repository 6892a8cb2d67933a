"""The write API with personal tokens, a browser session and the SSO header.

Story: a bot holds Anna's token (from `mailfeed token create`).  It asks a question
inviting Johan and Bo, praises Johan, creates an event, replies and likes; Johan's
profile counts his praise.  Bad input is refused with a JSON error in the caller's
language and nothing is stored; a wrong or revoked token gets 401.
"""

# ruff: noqa: F811 - pytest fixtures imported from web_support arrive as parameters
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from db_support import database  # noqa: F401 - fixture
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from web_support import (  # noqa: F401 - fixtures
    DOMAIN,
    app,
    client,
    csrf_from,
    make_settings,
    sign_in,
    web_db,
    web_settings,
)

from mailfeed.cli import main
from mailfeed.publisher.db import Database
from mailfeed.publisher.models import ApiToken, Invitation, OutboundMail, Praise, Thread
from mailfeed.settings import build_web_config
from mailfeed.web import create_app

ANNA, JOHAN, BO = f"anna@{DOMAIN}", f"johan@{DOMAIN}", f"bo@{DOMAIN}"


def cli(data_dir: Path, *args: str) -> Any:
    env = {
        "MAILFEED_DATA_DIR": str(data_dir),
        "MAILFEED_GATEWAY_ADDRESSES": f"feed@{DOMAIN}",
        "MAILFEED_SECRET_KEY": "test-secret-key",
    }
    return CliRunner().invoke(main, list(args), env=env)


@pytest.fixture
def token(data_dir: Path, web_db: Database) -> str:
    result = cli(data_dir, "token", "create", ANNA)
    assert result.exit_code == 0, result.output
    return result.output.strip()


def bearer(value: str, lang: str = "en") -> dict[str, str]:
    return {"Authorization": f"Bearer {value}", "Accept-Language": lang}


def test_token_create_stores_only_a_hash_and_refuses_outsiders(
    data_dir: Path, web_db: Database, token: str
) -> None:
    assert token.startswith("mft_") and len(token) > 40
    with web_db.session() as session:
        [row] = session.scalars(select(ApiToken)).all()
        assert row.token_hash != token and token not in row.token_hash
    outsider = cli(data_dir, "token", "create", "kim@partner.example")
    assert outsider.exit_code != 0 and "not an address in the organisation" in outsider.output


def test_the_whole_flow_with_a_token(client: FlaskClient, web_db: Database, token: str) -> None:
    whole_flow(client, web_db, token)


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_the_whole_flow_on_postgresql(database: Database, data_dir: Path) -> None:  # noqa: F811
    from mailfeed.publisher import tokens

    assert database.engine.dialect.name == "postgresql"
    with database.session() as session:
        token = tokens.create(session, ANNA)
    app = create_app(build_web_config(make_settings(data_dir)), database)
    whole_flow(app.test_client(), database, token)


def whole_flow(client: FlaskClient, web_db: Database, token: str) -> None:
    made = client.post(
        "/api/threads",
        headers=bearer(token),
        json={
            "kind": "question",
            "subject": "Var finns projektorn?",
            "body": "Någon som vet?",
            "invite": [JOHAN, BO],
        },
    )
    assert made.status_code == 201, made.get_json()
    question = made.get_json()
    assert set(question) == {"id", "url"}
    assert question["url"].startswith("http://feed.test/t/")
    one = client.get(f"/api/threads/{question['id']}", headers=bearer(token)).get_json()
    assert one["kind"] == "question" and one["event"] is None
    assert sorted(p["email"] for p in one["invited"]) == [BO, JOHAN]

    praised = client.post(
        "/api/threads",
        headers=bearer(token),
        json={
            "kind": "praise",
            "subject": "Tack Johan",
            "body": "För hjälpen!",
            "praise": [JOHAN],
            "badge": "helpful",
        },
    )
    assert praised.status_code == 201
    person = client.get(f"/api/people/{JOHAN}", headers=bearer(token)).get_json()
    assert person["email"] == JOHAN and person["praise_received"] == 1
    assert person["department"] is None and person["invitations"] == 1
    assert client.get(f"/api/people/{ANNA}", headers=bearer(token)).get_json()["praise_given"] == 1

    event = client.post(
        "/api/threads",
        headers=bearer(token),
        json={
            "kind": "event",
            "subject": "Jullunch",
            "body": "Välkomna",
            "invite": [JOHAN, BO],
            "event": {
                "starts": "2026-12-18T11:30:00Z",
                "ends": "2026-12-18T13:00:00+00:00",
                "place": "Tre Bröder",
            },
        },
    )
    assert event.status_code == 201, event.get_json()
    listed = {
        t["id"]: t for t in client.get("/api/threads", headers=bearer(token)).get_json()["threads"]
    }
    shown = listed[event.get_json()["id"]]
    assert shown["kind"] == "event"
    assert shown["event"]["starts"] == "2026-12-18T11:30:00Z"
    assert shown["event"]["ends"] == "2026-12-18T13:00:00Z"
    assert shown["event"]["place"] == "Tre Bröder"
    assert sorted((a["email"], a["status"]) for a in shown["event"]["attendees"]) == [
        (BO, "needs-action"),
        (JOHAN, "needs-action"),
    ]
    with web_db.session() as session:
        assert (
            session.scalar(
                select(func.count(OutboundMail.id)).where(OutboundMail.purpose == "event")
            )
            == 2
        )

    reply = client.post(
        f"/api/threads/{question['id']}/posts",
        headers=bearer(token),
        json={"body": "Den står i rum 4."},
    )
    assert reply.status_code == 201
    post_id = reply.get_json()["id"]
    assert client.post(f"/api/posts/{post_id}/like", headers=bearer(token)).status_code == 201
    again = client.post(f"/api/posts/{post_id}/like", headers=bearer(token))
    assert again.status_code == 200 and again.get_json()["likes"] == 1
    assert client.post("/api/posts/9999/like", headers=bearer(token)).status_code == 404


@pytest.mark.parametrize(
    "payload, english, swedish",
    [
        (
            {"kind": "poll", "subject": "S", "body": "B"},
            "is not a kind of post",
            "är ingen sorts inlägg",
        ),
        ({"kind": "question", "subject": "S", "body": "  "}, "the text is empty", "texten är tom"),
        ({"kind": "question", "subject": "S", "body": "x" * 20_001}, "too long", "för lång"),
        (
            {"kind": "question", "subject": "S", "body": "B", "invite": ["kim@partner.example"]},
            "outside the organisation",
            "utanför organisationen",
        ),
        (
            {
                "kind": "event",
                "subject": "S",
                "body": "B",
                "event": {"starts": "2026-12-18T13:00Z", "ends": "2026-12-18T12:00Z"},
            },
            "ends before it starts",
            "slutar innan den börjar",
        ),
        ({"kind": "event", "subject": "S", "body": "B"}, "start and an end", "start- och en slut"),
        ({"kind": "praise", "subject": "S", "body": "B"}, "whom you praise", "vem du berömmer"),
        ({"kind": "question", "subject": "S", "body": 5}, "wrong type", "fel typ"),
        ([1, 2], "must be a JSON object", "måste vara ett JSON-objekt"),
    ],
)
def test_bad_input_is_refused_in_the_callers_language_and_nothing_is_stored(
    client: FlaskClient, web_db: Database, token: str, payload: Any, english: str, swedish: str
) -> None:
    for lang, expected in (("en", english), ("sv", swedish)):
        response = client.post("/api/threads", headers=bearer(token, lang), json=payload)
        assert response.status_code == 400
        assert expected in response.get_json()["error"], response.get_json()
    with web_db.session() as session:
        for model in (Thread, Invitation, Praise, OutboundMail):
            assert session.scalar(select(func.count()).select_from(model)) == 0, model


def test_empty_reply_through_the_api_is_refused(
    client: FlaskClient, web_db: Database, token: str
) -> None:
    made = client.post(
        "/api/threads",
        headers=bearer(token),
        json={"kind": "idea", "subject": "Idé", "body": "Fler växter"},
    ).get_json()
    response = client.post(
        f"/api/threads/{made['id']}/posts", headers=bearer(token), json={"body": ""}
    )
    assert response.status_code == 400 and "empty" in response.get_json()["error"]


def test_wrong_and_revoked_tokens_get_401(
    client: FlaskClient, data_dir: Path, web_db: Database, token: str
) -> None:
    body = {"kind": "idea", "subject": "S", "body": "B"}
    assert client.post("/api/threads", headers=bearer("mft_wrong"), json=body).status_code == 401
    assert client.get("/api/threads", headers=bearer("mft_wrong")).status_code == 401
    # A wrong token is 401 even with a signed-in session beside it.
    sign_in(client, web_db, BO)
    assert client.get("/api/threads", headers=bearer("nonsense")).status_code == 401
    assert cli(data_dir, "token", "revoke", token).exit_code == 0
    assert client.get("/api/threads", headers=bearer(token)).status_code == 401
    second = cli(data_dir, "token", "create", ANNA).output.strip()
    third = cli(data_dir, "token", "create", ANNA).output.strip()
    assert client.get("/api/threads", headers=bearer(second)).status_code == 200
    result = cli(data_dir, "token", "revoke", "--all", ANNA)
    assert result.exit_code == 0 and "revoked 2 token(s)" in result.output
    for value in (second, third):
        assert client.get("/api/threads", headers=bearer(value)).status_code == 401
    assert cli(data_dir, "token", "revoke", second).exit_code != 0


def test_a_browser_session_writes_with_its_csrf_token(
    client: FlaskClient, web_db: Database
) -> None:
    sign_in(client, web_db, ANNA)
    body = {"kind": "idea", "subject": "Idé", "body": "Fler växter"}
    assert client.post("/api/threads", json=body).status_code == 400  # no CSRF token
    csrf = csrf_from(client.get("/").get_data(as_text=True))
    made = client.post("/api/threads", json=body, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201


def test_behind_the_sso_header(data_dir: Path, web_db: Database) -> None:
    settings = make_settings(data_dir, auth="header:X-Remote-User")
    sso: Flask = create_app(build_web_config(settings), web_db)
    browser = sso.test_client()
    who = {"X-Remote-User": ANNA}
    csrf = csrf_from(browser.get("/", headers=who).get_data(as_text=True))
    made = browser.post(
        "/api/threads",
        json={"kind": "idea", "subject": "S", "body": "B"},
        headers={**who, "X-CSRF-Token": csrf},
    )
    assert made.status_code == 201
    assert (
        browser.post(
            "/api/threads",
            json={"kind": "idea", "subject": "S", "body": "B"},
            headers={"X-CSRF-Token": csrf},
        ).status_code
        == 401
    )


def test_guests_read_but_do_not_write(data_dir: Path, web_db: Database) -> None:
    open_config = build_web_config(make_settings(data_dir, auth="open"))
    open_app = create_app(open_config, web_db).test_client()
    csrf = csrf_from(open_app.get("/login").get_data(as_text=True))
    response = open_app.post(
        "/api/threads",
        json={"kind": "idea", "subject": "S", "body": "B"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 403
    assert open_app.get(f"/api/people/{ANNA}").status_code == 403


def test_an_event_invites_a_whole_department(
    client: FlaskClient, web_db: Database, token: str
) -> None:
    """Issue 9: invitees are people, or a whole department from the people directory;
    each gets the calendar invitation, and an unknown department is refused."""
    from mailfeed.publisher.models import Person

    with web_db.session() as session:
        for address, department in ((JOHAN, "IT"), (BO, "IT"), (f"lena@{DOMAIN}", "HR")):
            session.add(
                Person(email=address, name=address.split("@")[0].title(), department=department)
            )
    made = client.post(
        "/api/threads",
        headers=bearer(token),
        json={
            "kind": "event",
            "subject": "IT-fika",
            "body": "Välkomna",
            "invite_departments": ["IT"],
            "event": {"starts": "2026-12-18T13:00:00Z", "ends": "2026-12-18T14:00:00Z"},
        },
    )
    assert made.status_code == 201, made.get_json()
    shown = client.get(f"/api/threads/{made.get_json()['id']}", headers=bearer(token)).get_json()
    assert sorted(a["email"] for a in shown["event"]["attendees"]) == [BO, JOHAN]
    with web_db.session() as session:
        assert set(
            session.scalars(select(OutboundMail.recipient).where(OutboundMail.purpose == "event"))
        ) == {BO, JOHAN}
    refused = client.post(
        "/api/threads",
        headers=bearer(token, "sv"),
        json={
            "kind": "event",
            "subject": "Fika",
            "body": "Kom",
            "invite_departments": ["Ekonomi"],
            "event": {"starts": "2026-12-18T13:00:00Z", "ends": "2026-12-18T14:00:00Z"},
        },
    )
    assert refused.status_code == 400
    assert "Ekonomi" in refused.get_json()["error"] and "avdelning" in refused.get_json()["error"]
    with web_db.session() as session:
        assert (
            session.scalar(select(func.count()).select_from(Thread).where(Thread.subject == "Fika"))
            == 0
        )
