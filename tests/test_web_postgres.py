"""The feed on PostgreSQL, the scale-out target: same pages, API and actions as on SQLite.

Only the SQL differs between the two, so one walk through everything that queries is
enough here; the rest of the web tests run on SQLite.
"""

# ruff: noqa: F811 - pytest fixtures imported from helper modules arrive as parameters
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from db_support import database  # noqa: F401 - fixture
from web_support import DOMAIN, T0, add_thread, csrf_from, make_settings, sign_in

from mailfeed.publisher.db import Database
from mailfeed.settings import build_web_config
from mailfeed.web import create_app


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_feed_api_search_and_actions_on_postgresql(database: Database, data_dir: Path) -> None:
    assert database.engine.dialect.name == "postgresql"
    app = create_app(build_web_config(make_settings(data_dir)), database)
    client = app.test_client()
    ids = [
        add_thread(
            database,
            f"Fråga {n} om VPN",
            [
                (f"anna@{DOMAIN}", "Anna", f"Klienten strular, variant {n}"),
                (f"johan@{DOMAIN}", "Johan", "Uppdatera klienten."),
            ],
            when=T0 + timedelta(hours=n // 2),
        )
        for n in range(5)
    ]
    sign_in(client, database, f"anna@{DOMAIN}")

    seen, cursor = [], None
    while True:
        query = "/api/threads?limit=2" + (f"&before={cursor}" if cursor else "")
        data = client.get(query).get_json()
        seen += [t["id"] for t in data["threads"]]
        cursor = data["next"]
        if cursor is None:
            break
    assert seen == sorted(ids, key=lambda i: (ids.index(i) // 2, i), reverse=True)

    feed = client.get("/").get_data(as_text=True)
    assert 'Questions <span class="count">5</span>' in feed
    assert 'Mine <span class="count">5</span>' in feed
    assert "<mark>" in client.get("/search?q=strular").get_data(as_text=True)
    assert len(client.get("/api/threads?q=variant").get_json()["threads"]) == 5

    path = client.get(f"/t/{ids[0]}").headers["Location"]
    page = client.get(path).get_data(as_text=True)
    token = csrf_from(page)
    reply = {"body": "Tack!", "csrf_token": token}
    assert client.post(f"/t/{ids[0]}/reply", data=reply).status_code == 302
    assert client.post("/p/2/like", data={"csrf_token": token}).status_code == 302
    assert client.post("/p/2/answer", data={"csrf_token": token}).status_code == 302
    answered = client.get("/?filter=answered").get_data(as_text=True)
    assert "Fråga 0 om VPN" in answered and 'Answered <span class="count">1</span>' in answered
