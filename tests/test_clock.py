"""Times as readers see them: relative when recent, in their zone, CLDR words in sv/en;
and the zone chosen on one's profile wins over the browser's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from web_support import (  # noqa: F401
    DOMAIN,
    add_thread,
    app,
    client,
    csrf_from,
    sign_in,
    web_db,
    web_settings,
)

from mailfeed.publisher.db import Database
from mailfeed.web.clock import relative, time_tag

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)  # a Friday
STHLM = ZoneInfo("Europe/Stockholm")


@pytest.mark.parametrize(("ago", "lang", "expected"), [
    (timedelta(seconds=20), "en", "just now"),
    (timedelta(seconds=20), "sv", "nyss"),
    (timedelta(minutes=1), "en", "1 min ago"),
    (timedelta(minutes=42), "sv", "för 42 minuter sedan"),
    (timedelta(hours=3), "en", "3 hr ago"),
    (timedelta(hours=3), "sv", "för 3 timmar sedan"),
    (timedelta(hours=1), "sv", "för 1 timme sedan"),
    (timedelta(hours=25), "en", "yesterday 15:00"),  # 14:00 UTC is 15:00 in Stockholm
    (timedelta(hours=25), "sv", "i går 15:00"),
    (timedelta(days=3), "en", "Tue 16:00"),
    (timedelta(days=3), "sv", "tis 16:00"),
    (timedelta(days=30), "en", "4 Nov 16:00"),
    (timedelta(days=400), "sv", "30 okt. 2025"),
])
def test_relative(ago: timedelta, lang: str, expected: str) -> None:
    assert relative(NOW - ago, NOW, STHLM, lang) == expected


def test_zone_decides_the_day() -> None:
    # 23:30 UTC on Thursday is already Friday in Stockholm: "today", not "yesterday".
    late = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)
    assert relative(late, NOW, STHLM, "en") == "16 hr ago"  # 15.5 h, rounded
    assert relative(late, NOW, ZoneInfo("America/New_York"), "en") == "yesterday 18:30"


def test_time_tag_keeps_the_instant_and_the_written_offset() -> None:
    tag = str(time_tag(datetime(2026, 12, 4, 13, 45), STHLM, "en",
                       written="2026-12-04T13:45:00+00:00", now=NOW))
    assert tag.startswith('<time datetime="2026-12-04T13:45:00Z" title="Friday, 4 December 2026')
    assert ("14:45:00 Central European Standard Time · in the mail: "
            "2026-12-04T13:45:00+00:00") in tag
    assert tag.endswith(">1 hr ago</time>")


def test_profile_zone_overrides_the_browser(client: FlaskClient, web_db: Database) -> None:  # noqa: F811
    thread = add_thread(web_db, "Nycklar", [(f"anna@{DOMAIN}", "Anna Berg", "Var?")])
    sign_in(client, web_db, f"anna@{DOMAIN}")
    client.set_cookie("tz", "Europe/Stockholm")
    path = f"/t/{thread}-nycklar"
    assert "Central European" in client.get(path).get_data(as_text=True)
    profile = client.get("/me", follow_redirects=True).get_data(as_text=True)
    assert "Automatic (this browser): Europe/Stockholm" in profile
    token = csrf_from(profile)
    assert client.post("/me/timezone", data={"csrf_token": token,
                                             "timezone": "Mars/Olympus"}).status_code == 400
    client.post("/me/timezone", data={"csrf_token": token, "timezone": "Asia/Tokyo"})
    assert "Japan Standard Time" in client.get(path).get_data(as_text=True)
    client.post("/me/timezone", data={"csrf_token": token, "timezone": ""})
    assert "Central European" in client.get(path).get_data(as_text=True)
