"""The app under a real WSGI server (waitress) on a loopback port, spoken to over HTTP.

Story: a local demo user opens the feed, is sent to /login, asks for a link, reads it in
the local outbox (no relay, loopback), confirms, and reads the thread and the API.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from conftest import free_port
from web_support import DOMAIN, WaitressServer, add_thread, csrf_from, make_settings

from mailfeed.publisher.db import Database
from mailfeed.settings import build_web_config
from mailfeed.web import create_app


class Browser:
    """urllib with a cookie jar: just enough of a browser to sign in over HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> tuple[int, str, str]:
        try:
            with self.opener.open(self.base + path, timeout=10) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.geturl(), error.read().decode()

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, data=body, timeout=10) as response:
            return response.status, response.geturl(), response.read().decode()


@pytest.fixture
def served(data_dir: Path):  # type: ignore[no-untyped-def]
    port = free_port()
    settings = make_settings(data_dir, base_url=f"http://127.0.0.1:{port}")
    db = Database(settings.db_url)
    db.upgrade()
    add_thread(db, "Parkeringen i vinter", [(f"anna@{DOMAIN}", "Anna", "Plogas den?")])
    with WaitressServer(create_app(build_web_config(settings), db), port=port) as server:
        yield server
    db.dispose()


def test_sign_in_through_the_local_outbox_over_http(served: WaitressServer) -> None:
    browser = Browser(served.url)
    assert browser.get("/healthz")[2] == "ok"
    status, url, page = browser.get("/")
    assert status == 200 and "/login" in url and "Parkeringen" not in page
    assert browser.get("/api/threads")[0] == 401

    form = {"email": f"bo@{DOMAIN}", "csrf_token": csrf_from(page)}
    status, _, sent = browser.post("/login", form)
    assert status == 200 and "/outbox" in sent
    listing = browser.get("/outbox")[2]
    message_path = re.search(r'href="(/outbox/\d+)"', listing)
    assert message_path
    mail = browser.get(message_path.group(1))[2]
    link = re.search(r'href="(http://127\.0\.0\.1:\d+/login/confirm/[^"]+)"', mail)
    assert link
    confirm_path = link.group(1)[len(served.url) :]
    confirm_page = browser.get(confirm_path)[2]
    status, url, feed = browser.post(confirm_path, {"csrf_token": csrf_from(confirm_page)})
    assert status == 200 and url.rstrip("/") == served.url and "Parkeringen i vinter" in feed

    status, _, body = browser.get("/api/threads")
    threads = json.loads(body)["threads"]
    assert status == 200 and threads[0]["url"].startswith(served.url + "/t/")
