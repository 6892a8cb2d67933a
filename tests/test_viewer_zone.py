"""Times in the reader's zone: the one chosen on their profile beats the browser's (the
`tz` cookie app.js sets), which beats UTC; the mail's own date stays on hover.
(The wording of relative times is `publisher.timewords`, tested in test_words.)"""

from __future__ import annotations

from flask.testing import FlaskClient
from web_support import (  # noqa: F401
    DOMAIN,
    MODERATOR,
    add_thread,
    app,
    client,
    csrf_from,
    sign_in,
    web_db,
    web_settings,
)

from mailfeed.publisher.db import Database


def test_profile_zone_beats_the_browser_and_the_mail_date_stays(
    client: FlaskClient, web_db: Database
) -> None:  # noqa: F811
    thread = add_thread(
        web_db,
        "Nycklar",
        [(f"anna@{DOMAIN}", "Anna Berg", "Var?")],
        date_text="2026-11-02T09:00:00+01:00",
    )
    sign_in(client, web_db, f"anna@{DOMAIN}")
    path = f"/t/{thread}-nycklar"
    utc = client.get(path).get_data(as_text=True)
    assert (
        'datetime="2026-11-02T08:00:00Z" title="Mon, 2 Nov 2026 08:00 · in the mail: '
        '2026-11-02T09:00:00+01:00"' in utc
    )
    client.set_cookie("tz", "Europe/Stockholm")
    assert 'title="Mon, 2 Nov 2026 09:00 · ' in client.get(path).get_data(as_text=True)
    client.set_cookie("tz", "../../etc/passwd")  # junk: UTC again
    assert 'title="Mon, 2 Nov 2026 08:00 · ' in client.get(path).get_data(as_text=True)
    client.set_cookie("tz", "Europe/Stockholm")
    profile = client.get("/me", follow_redirects=True).get_data(as_text=True)
    assert "Automatic (this browser): Europe/Stockholm" in profile
    token = csrf_from(profile)
    refused = client.post("/me/timezone", data={"csrf_token": token, "timezone": "Mars/Olympus"})
    assert refused.status_code == 400
    client.post("/me/timezone", data={"csrf_token": token, "timezone": "Asia/Tokyo"})
    assert 'title="Mon, 2 Nov 2026 17:00 · ' in client.get(path).get_data(as_text=True)
    assert '<option value="Asia/Tokyo" selected>' in client.get(
        "/me", follow_redirects=True
    ).get_data(as_text=True)
    client.post("/me/timezone", data={"csrf_token": token, "timezone": ""})
    assert 'title="Mon, 2 Nov 2026 09:00 · ' in client.get(path).get_data(as_text=True)


def test_operator_tables_show_exact_local_times(
    client: FlaskClient,  # noqa: F811
    web_db: Database,
) -> None:  # noqa: F811
    add_thread(web_db, "Nycklar", [(f"anna@{DOMAIN}", "Anna Berg", "Var?")])
    sign_in(client, web_db, MODERATOR)
    client.get("/t/1-nycklar")  # queues nothing; the outbox has the sign-in mail
    client.set_cookie("tz", "Asia/Tokyo")
    page = client.get("/admin").get_data(as_text=True)
    assert 'title="JST (UTC+0900)"' in page


def test_an_imported_thread_moved_when_its_last_mail_came(
    client: FlaskClient, web_db: Database
) -> None:  # noqa: F811
    from mailfeed.publisher.models import Thread

    thread = add_thread(web_db, "Nycklar", [(f"anna@{DOMAIN}", "Anna Berg", "Var?")])
    with web_db.session() as session:
        row = session.get(Thread, thread)
        assert row is not None and row.mail_first is not None and row.mail_last is not None
        row.created = row.mail_first  # as an archive import leaves it: asked then
        asked, moved = row.mail_first, row.mail_last
    sign_in(client, web_db, f"anna@{DOMAIN}")
    page = client.get(f"/t/{thread}-nycklar").get_data(as_text=True)
    assert f"moved here {moved.day} {moved:%b %H:%M}." in page
    assert f"{asked.day} {asked:%b %H:%M}</time>" in page  # asked: the first mail
