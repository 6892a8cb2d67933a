"""Safe, friendly failure: the site's own error pages in the reader's language, a reply
form that keeps the draft, undo after delete, a favicon and a sign-in link for guests,
and the original mail as a readable page.
"""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient
from web_support import (  # noqa: F401
    DOMAIN,
    MODERATOR,
    add_thread,
    app,
    attach_raw_mail,
    client,
    csrf_from,
    make_settings,
    sign_in,
    web_db,
    web_settings,
)

from mailfeed.publisher.db import Database
from mailfeed.settings import Settings, build_web_config
from mailfeed.web import create_app

QUESTION = [
    (f"anna@{DOMAIN}", "Anna Berg", "Var finns nycklarna?"),
    (f"bo@{DOMAIN}", "Bo Ling", "I skåpet vid receptionen."),
]


def test_error_pages_in_both_languages(client: FlaskClient, web_db: Database) -> None:  # noqa: F811
    sign_in(client, web_db, f"anna@{DOMAIN}")
    for lang, title in (("en", "Page not found"), ("sv", "Sidan finns inte")):
        response = client.get("/t/999", headers={"Accept-Language": lang})
        html = response.get_data(as_text=True)
        assert response.status_code == 404
        assert f'<h1 id="error-h">{title}</h1>' in html and 'href="/static/app.css' in html
    bad = client.get("/?filter=nonsense", headers={"Accept-Language": "sv"})
    assert bad.status_code == 400 and "Det där gick inte" in bad.get_data(as_text=True)
    no_csrf = client.post("/t/1/hide")
    assert no_csrf.status_code == 400 and "reload the page and try again" in no_csrf.get_data(
        as_text=True
    )  # the reason, and what to do
    api = client.get("/api/threads/999")
    assert api.status_code == 404 and api.is_json  # the API keeps JSON errors


def test_forbidden_page(client: FlaskClient, web_db: Database) -> None:  # noqa: F811
    thread = add_thread(web_db, "Nycklar", QUESTION)
    sign_in(client, web_db, f"bo@{DOMAIN}")
    page = client.get(f"/t/{thread}-nycklar").get_data(as_text=True)
    response = client.post(f"/t/{thread}/hide", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 403
    assert "Not for you, this one" in response.get_data(as_text=True)


def test_blank_reply_keeps_the_draft_with_an_inline_error(
    client: FlaskClient,
    web_db: Database,  # noqa: F811
) -> None:
    thread = add_thread(web_db, "Nycklar", QUESTION)
    sign_in(client, web_db, f"bo@{DOMAIN}")
    path = f"/t/{thread}-nycklar"
    token = csrf_from(client.get(path).get_data(as_text=True))
    response = client.post(
        f"/t/{thread}/reply",
        data={"csrf_token": token, "body": "  \n  "},
        headers={"Accept-Language": "sv"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'aria-invalid="true"' in html and "texten är tom" in html
    assert '<p id="reply-error" class="error" role="alert">' in html
    assert ">  \n  </textarea>" in html  # what was typed is still there
    assert "Bad Request" not in html


def test_delete_then_undo(client: FlaskClient, web_db: Database) -> None:  # noqa: F811
    thread = add_thread(web_db, "Nycklar", QUESTION)
    sign_in(client, web_db, f"bo@{DOMAIN}")
    path = f"/t/{thread}-nycklar"
    token = csrf_from(client.get(path).get_data(as_text=True))
    gone = client.post("/p/2/hide", data={"csrf_token": token})
    assert gone.status_code == 302 and "removed=2" in gone.headers["Location"]
    page = client.get(gone.headers["Location"]).get_data(as_text=True)
    assert "I skåpet" not in page and "The post was removed." in page
    assert 'action="/p/2/restore"' in page
    back = client.post("/p/2/restore", data={"csrf_token": token, "answer": "0"})
    assert back.status_code == 302
    assert "I skåpet vid receptionen." in client.get(path).get_data(as_text=True)
    other = client.post("/p/1/restore", data={"csrf_token": token})
    assert other.status_code == 403  # only who may remove a post may bring it back


def test_moderator_hides_thread_then_undoes(data_dir: Path) -> None:
    settings = make_settings(data_dir)
    db = Database(settings.db_url)
    db.upgrade()
    thread = add_thread(db, "Nycklar", QUESTION)
    client = create_app(build_web_config(settings), db).test_client()
    sign_in(client, db, MODERATOR)
    page = client.get(f"/t/{thread}-nycklar").get_data(as_text=True)
    assert '<details class="menu">' in page  # moderation sits in the ⋯ menu
    assert page.index("Hide thread") < page.index('id="p1"')  # at the top, away from Reply
    token = csrf_from(page)
    hidden = client.post(f"/t/{thread}/hide", data={"csrf_token": token})
    feed = client.get(hidden.headers["Location"]).get_data(as_text=True)
    assert "The thread was hidden." in feed and f'action="/t/{thread}/restore"' in feed
    client.post(f"/t/{thread}/restore", data={"csrf_token": token})
    assert client.get(f"/t/{thread}-nycklar").status_code == 200
    db.dispose()


def test_favicon_without_sign_in_and_guest_sign_in_link(
    client: FlaskClient,  # noqa: F811
    data_dir: Path,
) -> None:
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO
    with client.get("/static/favicon.svg") as svg:
        assert svg.status_code == 200
    settings = make_settings(data_dir / "open", auth="open")
    (data_dir / "open").mkdir()
    db = Database(settings.db_url)
    db.upgrade()
    guest = create_app(build_web_config(settings), db).test_client()
    html = guest.get("/").get_data(as_text=True)
    assert 'href="/login?next=/"' in html and ">Sign in</a>" in html
    db.dispose()


def test_original_mail_readable_with_download(
    client: FlaskClient,
    web_db: Database,  # noqa: F811
    web_settings: Settings,
) -> None:  # noqa: F811
    thread = add_thread(web_db, "Nycklar", QUESTION)
    raw = (
        b"From: Anna Berg <anna@firma.se>\r\nTo: team@firma.se\r\nSubject: Nycklar\r\n"
        b"Date: Mon, 2 Nov 2026 09:00:00 +0100\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b"<p>Var finns <b>nycklarna</b>?</p><script>alert(1)</script>"
        b"<img src=x onerror=alert(2)>"
    )
    mail_id = attach_raw_mail(web_db, web_settings, thread, raw)
    sign_in(client, web_db, f"anna@{DOMAIN}")
    page = client.get(f"/t/{thread}-nycklar").get_data(as_text=True)
    assert f'href="/t/{thread}/mail/{mail_id}"' in page
    view = client.get(f"/t/{thread}/mail/{mail_id}")
    html = view.get_data(as_text=True)
    assert view.status_code == 200 and "Var finns nycklarna?" in html
    assert "<dt>Subject</dt><dd>Nycklar</dd>" in html.replace("\n", "")
    assert "<script>alert" not in html
    assert "onerror" not in html
    assert f'href="/t/{thread}/mail/{mail_id}.eml" download' in html
    with client.get(f"/t/{thread}/mail/{mail_id}.eml") as download:
        assert download.headers["Content-Disposition"].startswith("attachment")
