"""No redirect leaves the site: `next=` in the forms of the OWASP redirect cheat sheet.

Each hostile `next` goes to the real app over HTTP (waitress, raw Location header as a
browser gets it) and through a real magic-link sign-in; every one lands on `/`, and a
CR/LF is a safe redirect, not a 500.
"""

# ruff: noqa: F811 - pytest fixtures imported from web_support arrive as parameters
from __future__ import annotations

import http.client

import pytest
from flask import Flask
from flask.testing import FlaskClient
from web_support import (  # noqa: F401 - fixtures
    DOMAIN,
    WaitressServer,
    app,
    client,
    csrf_from,
    latest_mail,
    link_in,
    web_db,
    web_settings,
)

from mailfeed.publisher.db import Database

# As sent on the wire (already percent-encoded where the cheat sheet encodes).
HOSTILE = [
    "//evil.example/x",
    "///evil.example/x",
    "////evil.example",
    "/%09/evil.example/x",
    "/%0d%0a/x",
    "%0d%0aLocation:%20https://evil.example",
    "/%5Cevil.example",
    "/%5C%5Cevil.example",
    "%5C%5Cevil.example",
    "%5C/evil.example",
    "/%2F/evil.example",
    "https:evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "%20//evil.example",
    "%09//evil.example",
    "/%0a/evil.example",
    "//evil%E3%80%82example",
    "/%00//evil.example",
    "evil.example",
    "@evil.example",
    "//%2F%2Fevil.example",
    "data:text/html,hi",
    "/%E3%80%80/evil.example%0d",
]
LOCAL = ["/", "/t/12-fraga", "/search?q=nyckel&page=2", "/t/1#p3", "/people/4"]


def location(server: WaitressServer, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    finally:
        conn.close()


def test_language_switch_never_redirects_off_site_over_http(app: Flask) -> None:
    with WaitressServer(app) as server:
        for hostile in HOSTILE:
            status, where = location(server, f"/lang/sv?next={hostile}")
            assert (status, where) == (302, "/"), hostile
        for local in LOCAL:
            status, where = location(
                server, f"/lang/sv?next={local.replace('&', '%26')}".replace("#", "%23")
            )
            assert (status, where) == (302, local), local


@pytest.mark.parametrize(
    "hostile",
    [
        "/%09/evil.example/x",
        "/%5Cevil.example",
        "https:evil.example",
        "/%0d%0a/x",
        "//evil.example",
    ],
)
def test_a_magic_link_sign_in_ends_on_the_site(
    client: FlaskClient, web_db: Database, hostile: str
) -> None:
    page = client.get(f"/login?next={hostile}").get_data(as_text=True)
    assert 'name="next" value="/"' in page
    # Even posted straight to the form (no page in between), `next` is checked again.
    from urllib.parse import unquote

    response = client.post(
        "/login",
        data={"email": f"anna@{DOMAIN}", "next": unquote(hostile), "csrf_token": csrf_from(page)},
    )
    assert response.status_code == 200
    path = link_in(latest_mail(web_db, f"anna@{DOMAIN}"), "http://feed.test")
    path = path[len("http://feed.test") :]
    confirm = client.get(path)
    done = client.post(path, data={"csrf_token": csrf_from(confirm.get_data(as_text=True))})
    assert (done.status_code, done.headers["Location"]) == (302, "/")


def test_a_magic_link_keeps_a_local_next(client: FlaskClient, web_db: Database) -> None:
    page = client.get("/login?next=/t/7-nycklar").get_data(as_text=True)
    client.post(
        "/login",
        data={"email": f"bo@{DOMAIN}", "next": "/t/7-nycklar", "csrf_token": csrf_from(page)},
    )
    path = link_in(latest_mail(web_db, f"bo@{DOMAIN}"), "http://feed.test")[
        len("http://feed.test") :
    ]
    confirm = client.get(path)
    done = client.post(path, data={"csrf_token": csrf_from(confirm.get_data(as_text=True))})
    assert done.headers["Location"] == "/t/7-nycklar"
