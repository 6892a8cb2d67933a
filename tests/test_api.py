"""The JSON API contract: exact fields, UTC times with Z, keyset pages, errors as JSON.

Story: a script signed in as Bo pages through 7 threads three at a time and never sees
a thread twice or misses one, even when two threads share the same last activity.
"""

# ruff: noqa: F811 - pytest fixtures imported from web_support arrive as parameters
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from web_support import (  # noqa: F401 - fixtures
    DOMAIN,
    T0,
    add_thread,
    app,
    client,
    sign_in,
    web_db,
    web_settings,
)

from mailfeed.publisher.db import Database

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
def signed_in(client: FlaskClient, web_db: Database) -> FlaskClient:
    sign_in(client, web_db, f"bo@{DOMAIN}")
    return client


def test_thread_list_fields_exactly(signed_in: FlaskClient, web_db: Database) -> None:
    tid = add_thread(
        web_db,
        "Var är VPN-guiden?",
        [
            (f"anna@{DOMAIN}", "Anna Berg", "Var hittar jag guiden?"),
            (f"johan@{DOMAIN}", "Johan", "På intranätet."),
        ],
    )
    data = signed_in.get("/api/threads").get_json()
    assert set(data) == {"threads", "next"} and data["next"] is None
    (thread,) = data["threads"]
    assert set(thread) == {
        "id",
        "subject",
        "url",
        "kind",
        "posts",
        "created",
        "last_activity",
        "invited",
        "event",
    }
    assert (thread["kind"], thread["invited"], thread["event"]) == ("question", [], None)
    assert thread["id"] == tid
    assert thread["subject"] == "Var är VPN-guiden?"
    assert thread["url"] == f"http://feed.test/t/{tid}-var-r-vpn-guiden"
    assert thread["posts"] == 2
    assert thread["created"] == "2026-11-02T08:00:00Z"
    assert thread["last_activity"] == "2026-11-02T08:02:00Z"
    assert ISO_Z.match(thread["created"]) and ISO_Z.match(thread["last_activity"])


def test_one_thread_with_posts_oldest_first(signed_in: FlaskClient, web_db: Database) -> None:
    tid = add_thread(
        web_db,
        "Kaffemaskinen",
        [
            (f"anna@{DOMAIN}", "Anna Berg", "Den läcker igen."),
            (f"johan@{DOMAIN}", None, "Jag ringer servicen."),
        ],
        date_text="2026-11-02T09:00:00+01:00",
    )
    data = signed_in.get(f"/api/threads/{tid}").get_json()
    assert set(data) == {"id", "subject", "url", "kind", "invited", "praised", "event", "posts"}
    assert data["url"] == f"http://feed.test/t/{tid}-kaffemaskinen"
    first, second = data["posts"]
    assert set(first) == {"id", "author", "date", "body"}
    assert first["author"] == {"name": "Anna Berg", "email": f"anna@{DOMAIN}"}
    assert first["date"] == "2026-11-02T09:00:00+01:00"  # as written in the mail
    assert first["body"] == "Den läcker igen."
    assert second["author"] == {"name": None, "email": f"johan@{DOMAIN}"}
    assert second["date"] == "2026-11-02T08:01:00Z"  # no written date: UTC
    assert first["id"] < second["id"]


def test_unknown_thread_is_404_json(signed_in: FlaskClient) -> None:
    response = signed_in.get("/api/threads/999")
    assert response.status_code == 404
    assert response.get_json() == {"error": "no such thread"}


def test_keyset_pages_cover_every_thread_once(signed_in: FlaskClient, web_db: Database) -> None:
    ids = [
        add_thread(
            web_db,
            f"Tråd {n}",
            [(f"anna@{DOMAIN}", "Anna", f"text {n}")],
            when=T0 + timedelta(hours=n // 2),
        )  # pairs share a last_activity
        for n in range(7)
    ]
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        query = "/api/threads?limit=3" + (f"&before={cursor}" if cursor else "")
        data = signed_in.get(query).get_json()
        seen += [t["id"] for t in data["threads"]]
        pages += 1
        cursor = data["next"]
        if cursor is None:
            break
    assert pages == 3
    # Newest activity first; equal times by id, descending.
    assert seen == sorted(ids, key=lambda i: (ids.index(i) // 2, i), reverse=True)


def test_limit_default_max_and_errors(signed_in: FlaskClient, web_db: Database) -> None:
    for n in range(3):
        add_thread(web_db, f"T{n}", [(f"anna@{DOMAIN}", "Anna", "x")], when=T0 + timedelta(days=n))
    assert len(signed_in.get("/api/threads?limit=5000").get_json()["threads"]) == 3
    for bad in ("limit=abc", "limit=0", "before=not-a-cursor"):
        response = signed_in.get(f"/api/threads?{bad}")
        assert response.status_code == 400 and "error" in response.get_json()


def test_default_limit_is_fifty(signed_in: FlaskClient, web_db: Database) -> None:
    for n in range(51):
        add_thread(
            web_db, f"T{n}", [(f"anna@{DOMAIN}", "Anna", "x")], when=T0 + timedelta(minutes=n * 10)
        )
    data = signed_in.get("/api/threads").get_json()
    assert len(data["threads"]) == 50 and data["next"] is not None
    assert len(signed_in.get(f"/api/threads?before={data['next']}").get_json()["threads"]) == 1


def test_search_parameter_filters_threads(signed_in: FlaskClient, web_db: Database) -> None:
    vpn = add_thread(web_db, "VPN strular", [(f"anna@{DOMAIN}", "Anna", "Klienten kopplar ner.")])
    add_thread(web_db, "Lunch fredag", [(f"bo@{DOMAIN}", "Bo", "Pizza?")])
    found = signed_in.get("/api/threads?q=klienten").get_json()["threads"]
    assert [t["id"] for t in found] == [vpn]
    assert signed_in.get("/api/threads?q=vpn").get_json()["threads"][0]["id"] == vpn
    assert signed_in.get("/api/threads?q=sushi").get_json()["threads"] == []


def test_openapi_document_describes_the_real_fields(
    signed_in: FlaskClient, web_db: Database
) -> None:
    tid = add_thread(web_db, "Doc", [(f"anna@{DOMAIN}", "Anna", "x")])
    spec = signed_in.get("/api").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/threads", "/api/threads/{id}"} <= set(spec["paths"])
    schemas = spec["components"]["schemas"]
    listed = signed_in.get("/api/threads").get_json()["threads"][0]
    assert set(schemas["ThreadSummary"]["required"]) == set(listed)
    one = signed_in.get(f"/api/threads/{tid}").get_json()
    assert set(schemas["Thread"]["required"]) == set(one)
    assert set(schemas["Post"]["required"]) == set(one["posts"][0])
