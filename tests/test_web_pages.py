"""The pages people read: feed with filters and counts, a thread, search, Atom, admin.

Story: Anna's VPN question moved from mail after five days; Bo signs in, finds it by
searching, reads it (emails visible to him), and the feed stays at a fixed number of
queries however many threads it shows.
"""

# ruff: noqa: F811 - pytest fixtures imported from web_support arrive as parameters
from __future__ import annotations

from datetime import timedelta
from typing import Any
from xml.etree import ElementTree

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event
from web_support import (  # noqa: F401 - fixtures
    DOMAIN,
    MODERATOR,
    T0,
    add_thread,
    app,
    client,
    sign_in,
    web_db,
    web_settings,
)

from mailfeed.publisher.db import Database
from mailfeed.publisher.models import MailMessage
from mailfeed.settings import Settings

ANNA = (
    f"anna@{DOMAIN}",
    "Anna Berg",
    "Hur kopplar jag upp VPN hemifrån? Guide: https://intra.firma.se/vpn?a=1&b=2.",
)
JOHAN = (f"johan@{DOMAIN}", "Johan Ek", "Starta klienten och välj Stockholm.")


@pytest.fixture
def vpn(web_db: Database) -> int:
    return add_thread(
        web_db,
        "VPN hemifrån",
        [ANNA, JOHAN],
        trimmed="--\nAnna Berg\nIT-avdelningen",
        date_text="2026-11-02T09:00:00+01:00",
    )


@pytest.fixture
def bo(client: FlaskClient, web_db: Database) -> FlaskClient:
    sign_in(client, web_db, f"bo@{DOMAIN}")
    return client


def text(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.get_data(as_text=True))


def test_thread_page_shows_posts_as_written(bo: FlaskClient, vpn: int) -> None:
    page = text(bo.get(f"/t/{vpn}-vpn-hemifr-n"))
    assert "VPN hemifrån" in page and "Anna Berg" in page and "Johan Ek" in page
    assert f"anna@{DOMAIN}" not in page  # names, not addresses (those are on the profile)
    # The instant in UTC for machines; the date as the mail wrote it kept in the title.
    assert '<time datetime="2026-11-02T08:00:00Z" title="' in page
    assert "in the mail: 2026-11-02T09:00:00+01:00" in page
    bo.set_cookie("tz", "Europe/Stockholm")
    swedish = text(bo.get(f"/t/{vpn}-vpn-hemifr-n", headers={"Accept-Language": "sv"}))
    assert "mån 2 nov. 2026 09:00 · i mejlet: 2026-11-02T09:00:00+01:00" in swedish
    link = '<a href="https://intra.firma.se/vpn?a=1&amp;b=2" rel="nofollow noopener noreferrer">'
    assert link in page
    assert '<details class="trimmed">' in page and "IT-avdelningen" in page
    assert "Moved from mail" in page and "Lived in mail for 5 days" in page
    assert page.index("Hur kopplar") < page.index("Starta klienten")


def test_short_and_wrong_slug_urls_redirect(bo: FlaskClient, vpn: int) -> None:
    for path in (f"/t/{vpn}", f"/t/{vpn}-old-title"):
        response = bo.get(path)
        assert response.status_code == 301
        assert response.headers["Location"].endswith(f"/t/{vpn}-vpn-hemifr-n")
    assert bo.get("/t/999").status_code == 404


HOSTILE = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">klick</a>',
    "<iframe src=//evil.example></iframe>",
]


# What would run if it reached the page as markup.
ACTIVE = ("<script>alert", "<img src=x", "<svg onload", "<iframe", '<a href="javascript:')


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_mail_text_is_escaped_everywhere(
    bo: FlaskClient, web_db: Database, payload: str
) -> None:
    author = (f"eve@{DOMAIN}", f"Eve {payload}", f"Hej {payload} slut")
    tid = add_thread(web_db, f"Ämne {payload}", [author], trimmed=payload)
    for path in ("/", f"/t/{tid}", "/search?q=slut"):
        response = bo.get(path, follow_redirects=True)
        page = text(response)
        for needle in ACTIVE:
            assert needle not in page, (path, needle)
    atom = text(bo.get("/feed.atom"))
    assert "<script>" not in atom and "<img" not in atom


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_web_reply_is_sanitized(bo: FlaskClient, vpn: int, payload: str) -> None:
    from web_support import csrf_from

    page = text(bo.get(f"/t/{vpn}-vpn-hemifr-n"))
    bo.post(
        f"/t/{vpn}/reply",
        data={"body": f"**ok** {payload} [x](javascript:alert(1))", "csrf_token": csrf_from(page)},
    )
    page = text(bo.get(f"/t/{vpn}-vpn-hemifr-n"))
    assert "<strong>ok</strong>" in page
    for needle in ACTIVE:
        assert needle not in page


def test_pages_need_a_fixed_number_of_queries(bo: FlaskClient, web_db: Database) -> None:
    def count(path: str) -> int:
        statements: list[str] = []

        def record(*args: Any) -> None:
            statements.append(args[2])

        event.listen(web_db.engine, "before_cursor_execute", record)
        try:
            text(bo.get(path))
        finally:
            event.remove(web_db.engine, "before_cursor_execute", record)
        return len(statements)

    first = add_thread(web_db, "Första", [ANNA, JOHAN])
    small_feed, small_thread = count("/"), count(bo.get(f"/t/{first}").headers["Location"])
    for n in range(25):
        add_thread(
            web_db,
            f"Tråd {n}",
            [ANNA, JOHAN, (f"p{n}@{DOMAIN}", f"P {n}", "svar")],
            when=T0 + timedelta(hours=n),
        )
    many = [(f"x{n}@{DOMAIN}", f"X {n}", f"inlägg {n}") for n in range(30)]
    big = add_thread(web_db, "Lång", many)
    assert count("/") == small_feed
    assert count(bo.get(f"/t/{big}").headers["Location"]) == small_thread


def test_feed_filters_and_counts(bo: FlaskClient, web_db: Database) -> None:
    add_thread(web_db, "Öppen fråga", [ANNA], kind="question")
    answered = add_thread(web_db, "Löst fråga", [ANNA, JOHAN], kind="question")
    add_thread(web_db, "Tack Johan!", [(f"bo@{DOMAIN}", "Bo", "Bra jobbat")], kind="praise")
    add_thread(web_db, "Fika?", [JOHAN], kind="discussion")
    with web_db.session() as session:
        from mailfeed.publisher.models import Thread

        thread = session.get(Thread, answered)
        assert thread is not None
        thread.state = "answered"
    page = text(bo.get("/"))
    for label, number in (
        ("All", 4),
        ("Questions", 2),
        ("Unanswered", 1),
        ("Answered", 1),
        ("Praise", 1),
        ("Discussions", 1),
        ("Mine", 1),
    ):
        assert f'{label} <span class="count">{number}</span>' in page, label
    unanswered = text(bo.get("/?filter=unanswered"))
    assert "Öppen fråga" in unanswered and "Löst fråga" not in unanswered
    mine = text(bo.get("/?filter=mine"))
    assert "Tack Johan!" in mine and "Fika?" not in mine
    assert bo.get("/?filter=bogus").status_code == 400


def test_feed_pages_by_cursor(bo: FlaskClient, web_db: Database) -> None:
    for n in range(35):
        add_thread(web_db, f"Ämne nummer {n:02d}", [ANNA], when=T0 + timedelta(hours=n))
    first = text(bo.get("/"))
    assert "Ämne nummer 34" in first and "Ämne nummer 04" not in first
    import re

    older = re.search(r'rel="next" href="([^"]+)"', first)
    assert older
    second = text(bo.get(older.group(1).replace("&amp;", "&")))
    assert "Ämne nummer 04" in second and "Ämne nummer 34" not in second


def test_search_ranks_and_highlights(bo: FlaskClient, web_db: Database, vpn: int) -> None:
    add_thread(web_db, "Skrivaren", [(f"bo@{DOMAIN}", "Bo", "Skrivaren på plan 3 är trasig.")])
    page = text(bo.get("/search?q=klienten"))
    assert "<mark>klienten</mark>" in page and "Skrivaren" not in page
    title_hit = text(bo.get("/search?q=vpn"))
    assert "<mark>VPN</mark> hemifrån" in title_hit
    assert "No thread has all of these words." in text(bo.get("/search?q=zebra"))
    # Operators of FTS5 in user input are just words, never syntax errors.
    assert bo.get('/search?q="NEAR(a b" OR -x*').status_code == 200


def test_atom_feed_is_valid_and_filtered(bo: FlaskClient, web_db: Database, vpn: int) -> None:
    add_thread(web_db, "Fika?", [JOHAN], kind="discussion")
    response = bo.get("/feed.atom?filter=questions")
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert titles == ["VPN hemifrån"]
    thread_feed = ElementTree.fromstring(bo.get(f"/t/{vpn}.atom").data)
    assert len(thread_feed.findall("a:entry", ns)) == 2


def test_language_follows_cookie_then_accept_language(bo: FlaskClient, vpn: int) -> None:
    assert "Frågor" in text(bo.get("/", headers={"Accept-Language": "sv-SE,sv;q=0.9"}))
    assert "Questions" in text(bo.get("/", headers={"Accept-Language": "en-GB"}))
    bo.get("/lang/sv?next=/")
    page = text(bo.get("/", headers={"Accept-Language": "en-GB"}))
    assert '<html lang="sv">' in page and "Frågor" in page


def test_admin_lists_recent_mail_for_moderators(
    client: FlaskClient, web_db: Database, web_settings: Settings
) -> None:
    raw = web_settings.data_dir / "raw" / "m1.eml"
    raw.parent.mkdir(parents=True)
    raw.write_bytes(b"From: anna@firma.se\r\nSubject: Hej\r\n\r\n<script>x</script>\r\n")
    with web_db.session() as session:
        session.add(
            MailMessage(
                message_id="m1@firma.se",
                content_hash="h",
                raw_path="raw/m1.eml",
                sender="anna@firma.se",
                subject="Hej <b>",
                action="ignore",
                reason="auto-reply (RFC 3834)",
            )
        )
        session.add(
            MailMessage(
                message_id="m2@firma.se",
                content_hash="h2",
                raw_path="../../etc/passwd",
                sender="x@firma.se",
                subject="trick",
                action="reject",
                reason="r",
            )
        )
    sign_in(client, web_db, f"bo@{DOMAIN}")
    assert client.get("/admin").status_code == 403
    assert client.get("/admin/mail/1.eml").status_code == 403
    sign_in(client, web_db, MODERATOR)
    page = text(client.get("/admin"))
    assert "Hej &lt;b&gt;" in page and "auto-reply (RFC 3834)" in page and "ignore" in page
    download = client.get("/admin/mail/1.eml")
    assert download.status_code == 200 and download.data.endswith(b"<script>x</script>\r\n")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.mimetype == "message/rfc822"
    download.close()
    assert client.get("/admin/mail/2.eml").status_code == 404  # outside the data dir


def test_person_page_lists_what_they_asked(bo: FlaskClient, vpn: int) -> None:
    page = text(bo.get(f"/t/{vpn}-vpn-hemifr-n"))
    import re

    link = re.search(r'href="(/people/\d+)">Anna Berg', page)
    assert link
    person = text(bo.get(link.group(1)))
    assert "Anna Berg" in person and "VPN hemifrån" in person
