"""Sign-in and access: nothing of the feed without sign-in, magic links, SSO header, CSRF.

Story: Anna at firma.se asks for a link, a mail scanner opens it first (nothing happens),
she confirms and reads the feed; the link never works again and expires after 15 minutes.
"""

# ruff: noqa: F811 - pytest fixtures imported from web_support arrive as parameters
from __future__ import annotations

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from web_support import (  # noqa: F401 - fixtures
    DOMAIN,
    MODERATOR,
    add_thread,
    app,
    client,
    csrf_from,
    latest_mail,
    request_link,
    sign_in,
    web_db,
    web_settings,
)

from mailfeed.publisher.db import Database
from mailfeed.settings import Settings, build_web_config
from mailfeed.web import create_app
from mailfeed.web.auth import make_token

SECRET_SUBJECT = "Hemlig budget för Q3"
PAGES = [
    "/",
    "/?filter=questions",
    "/search?q=siffrorna",
    "/t/1-hemlig-budget-f-r-q3",
    "/t/1",
    "/people/1",
    "/me",
    "/admin",
    "/admin/mail/1.eml",
    "/no/such/page",
]
MACHINE = [
    "/api",
    "/api/threads",
    "/api/threads/1",
    "/api/people?q=a",
    "/feed.atom",
    "/feed.atom?filter=unanswered",
    "/t/1.atom",
]


@pytest.fixture
def thread(web_db: Database) -> int:
    return add_thread(web_db, SECRET_SUBJECT, [(f"anna@{DOMAIN}", "Anna", "Siffrorna är 4711")])


@pytest.mark.parametrize("path", PAGES)
def test_pages_redirect_to_login_without_content(
    client: FlaskClient, thread: int, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    body = response.get_data(as_text=True)
    assert SECRET_SUBJECT not in body and "4711" not in body


@pytest.mark.parametrize("path", MACHINE)
def test_api_and_atom_answer_401_json(client: FlaskClient, thread: int, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.get_json() == {"error": "sign-in required"}


@pytest.mark.parametrize("path", ["/t/1/reply", "/p/1/like", "/p/1/answer", "/preview"])
def test_actions_refused_without_sign_in(client: FlaskClient, thread: int, path: str) -> None:
    assert client.post(path, data={"body": "x"}).status_code == 302


def test_public_routes_are_only_login_healthz_and_static(client: FlaskClient) -> None:
    assert client.get("/healthz").get_data(as_text=True) == "ok"
    assert client.get("/login").status_code == 200
    static = client.get("/static/app.css")
    assert static.status_code == 200
    static.close()


def test_magic_link_signs_in_once_after_confirmation(
    client: FlaskClient, web_db: Database, thread: int
) -> None:
    path = request_link(client, web_db, f"Anna@{DOMAIN}", "http://feed.test")
    mail = latest_mail(web_db, f"anna@{DOMAIN}")
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["From"].addresses[0].addr_spec == f"feed@{DOMAIN}"  # one From for all mail

    # A mail scanner fetches the link: a confirm page, and still no access.
    scanner = client.application.test_client()
    confirm = scanner.get(path)
    assert confirm.status_code == 200 and "anna@firma.se" in confirm.get_data(as_text=True)
    assert scanner.get("/").status_code == 302

    page = client.get(path)
    response = client.post(path, data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 302
    assert SECRET_SUBJECT in client.get("/").get_data(as_text=True)

    # Single use: the same link is dead now, for anyone.
    again = scanner.get(path)
    assert again.status_code == 400 and "already used" in again.get_data(as_text=True)


def test_link_expires_after_fifteen_minutes(
    client: FlaskClient, web_settings: Settings, thread: int
) -> None:
    token, _nonce = make_token(web_settings, f"anna@{DOMAIN}", issued=time.time() - 16 * 60)
    response = client.get(f"/login/confirm/{token}")
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    fresh, _ = make_token(web_settings, f"anna@{DOMAIN}", issued=time.time() - 14 * 60)
    assert client.get(f"/login/confirm/{fresh}").status_code == 200


def test_forged_token_is_refused(client: FlaskClient, data_dir) -> None:  # type: ignore[no-untyped-def]
    other = Settings(data_dir=data_dir, secret_key="someone-elses-key")
    token, _ = make_token(other, f"anna@{DOMAIN}")
    response = client.get(f"/login/confirm/{token}")
    assert response.status_code == 400 and "Invalid link" in response.get_data(as_text=True)


def test_only_allowed_domains_get_a_link(client: FlaskClient, web_db: Database) -> None:
    page = client.get("/login").get_data(as_text=True)
    form = {"email": "eve@evil.example", "csrf_token": csrf_from(page)}
    response = client.post("/login", data=form)
    assert response.status_code == 400
    with pytest.raises(AssertionError, match="no mail queued"):
        latest_mail(web_db, "eve@evil.example")


def test_login_without_csrf_token_is_rejected(client: FlaskClient, web_db: Database) -> None:
    client.get("/login")
    response = client.post("/login", data={"email": f"anna@{DOMAIN}"})
    assert response.status_code == 400
    response = client.post("/login", data={"email": f"anna@{DOMAIN}", "csrf_token": "guess"})
    assert response.status_code == 400
    with pytest.raises(AssertionError, match="no mail queued"):
        latest_mail(web_db, f"anna@{DOMAIN}")


def test_signed_in_post_without_csrf_is_rejected(
    client: FlaskClient, web_db: Database, thread: int
) -> None:
    sign_in(client, web_db, f"bo@{DOMAIN}")
    assert client.post(f"/t/{thread}/reply", data={"body": "hej"}).status_code == 400
    api = client.get(f"/api/threads/{thread}").get_json()
    assert len(api["posts"]) == 1


def test_logout_ends_the_session(client: FlaskClient, web_db: Database, thread: int) -> None:
    sign_in(client, web_db, f"bo@{DOMAIN}")
    page = client.get("/").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_from(page)}).status_code == 302
    assert client.get("/").status_code == 302


def test_session_cookie_flags(data_dir, web_db: Database) -> None:  # type: ignore[no-untyped-def]
    from web_support import make_settings

    app = create_app(
        build_web_config(make_settings(data_dir, base_url="https://feed.firma.se")), web_db
    )
    client = app.test_client()
    response = client.get("/login")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def client_at(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _header_app(data_dir, web_db: Database) -> Flask:  # type: ignore[no-untyped-def]
    from web_support import make_settings

    cfg = make_settings(data_dir, auth="header:X-Remote-User", trusted_proxies=("10.0.0.1",))
    return create_app(build_web_config(cfg), web_db)


def test_header_auth_trusts_only_configured_proxies(
    data_dir,
    web_db: Database,
    thread: int,  # type: ignore[no-untyped-def]
) -> None:
    app = _header_app(data_dir, web_db)
    via_proxy = client_at(app, "10.0.0.1")
    direct = client_at(app, "10.0.0.99")
    header = {"X-Remote-User": f"anna@{DOMAIN}"}
    assert SECRET_SUBJECT in via_proxy.get("/", headers=header).get_data(as_text=True)
    assert via_proxy.get("/api/threads", headers=header).status_code == 200
    for response in (
        direct.get("/", headers=header),
        direct.get("/api/threads", headers=header),
        via_proxy.get("/"),
    ):
        assert response.status_code == 401
        assert "budget" not in response.get_data(as_text=True).lower()


def test_open_mode_guest_reads_without_sign_in_but_sees_no_addresses(
    data_dir,
    web_db: Database,
    thread: int,  # type: ignore[no-untyped-def]
) -> None:
    from web_support import make_settings

    app = create_app(build_web_config(make_settings(data_dir, auth="open")), web_db)
    client = app.test_client()
    page = client.get(f"/t/{thread}-hemlig-budget-f-r-q3").get_data(as_text=True)
    assert "Siffrorna" in page and f"anna@{DOMAIN}" not in page
    nameless = add_thread(web_db, "Utan namn", [(f"okand@{DOMAIN}", None, "Hej")])
    page = client.get(f"/t/{nameless}-utan-namn").get_data(as_text=True)
    assert "okand" in page and f"okand@{DOMAIN}" not in page
    assert client.get("/api/threads").status_code == 200
    assert client.get("/admin").status_code == 403  # guests moderate only in --demo


def test_outbox_open_only_on_loopback_without_relay(
    data_dir,
    web_db: Database,
    thread: int,  # type: ignore[no-untyped-def]
) -> None:
    from web_support import make_settings

    local = create_app(build_web_config(make_settings(data_dir)), web_db)
    request_link(local.test_client(), web_db, f"anna@{DOMAIN}", "http://feed.test")
    loopback = client_at(local, "127.0.0.1")
    listing = loopback.get("/outbox").get_data(as_text=True)
    assert "Your sign-in link" in listing
    assert "/login/confirm/" in loopback.get("/outbox/1").get_data(as_text=True)

    remote = client_at(local, "192.0.2.7")
    assert remote.get("/outbox").status_code == 302
    proxied = loopback.get("/outbox", headers={"X-Forwarded-For": "192.0.2.7"})
    assert proxied.status_code == 302
    # A local reverse proxy that strips forwarding headers still names the public host.
    assert loopback.get("/outbox", headers={"Host": "feed.firma.se"}).status_code == 302
    assert loopback.get("/outbox", headers={"Host": "[::1]:8080"}).status_code == 200

    relayed_config = build_web_config(make_settings(data_dir, relay="smtp.firma.se:25"))
    relayed = create_app(relayed_config, web_db).test_client()
    assert relayed.get("/outbox").status_code == 302
    sign_in(relayed, web_db, f"bo@{DOMAIN}")
    assert relayed.get("/outbox").status_code == 403
    sign_in(relayed, web_db, MODERATOR)
    assert "Your sign-in link" in relayed.get("/outbox").get_data(as_text=True)


def test_next_never_leaves_the_site(client: FlaskClient, web_db: Database) -> None:
    page = client.get("/login?next=//evil.example/x").get_data(as_text=True)
    assert 'name="next" value="/"' in page
    response = client.get("/lang/sv?next=https://evil.example/")
    assert response.headers["Location"] == "/"


def test_link_requests_are_rate_limited(client: FlaskClient, web_db: Database) -> None:
    from sqlalchemy import func, select

    from mailfeed.publisher.models import OutboundMail

    for _ in range(7):
        page = client.get("/login").get_data(as_text=True)
        form = {"email": f"anna@{DOMAIN}", "csrf_token": csrf_from(page)}
        assert client.post("/login", data=form).status_code == 200
    with web_db.session() as session:
        queued = session.scalar(select(func.count(OutboundMail.id)))
    assert queued == 5


def test_feed_token_reads_atom_only(
    client: FlaskClient, web_db: Database, web_settings: Settings, thread: int
) -> None:
    import re

    sign_in(client, web_db, f"anna@{DOMAIN}")
    page = client.get("/").get_data(as_text=True)
    link = re.search(r'href="(/feed\.atom\?token=[^"]+)"', page)
    assert link
    reader = client.application.test_client()  # a feed reader: no cookies, only the URL
    atom = reader.get(link.group(1).replace("&amp;", "&"))
    assert atom.status_code == 200 and SECRET_SUBJECT in atom.get_data(as_text=True)
    token = link.group(1).split("token=")[1]
    mine = reader.get(f"/feed.atom?filter=mine&token={token}").get_data(as_text=True)
    assert SECRET_SUBJECT in mine  # the token carries who Anna is
    for path in ("/", "/api/threads", f"/t/{thread}-hemlig-budget-f-r-q3"):
        response = reader.get(f"{path}?token={token}")
        assert response.status_code in (302, 401) and "4711" not in response.get_data(as_text=True)
    from mailfeed.web.security import feed_token

    forged = feed_token(web_settings.with_overrides(secret_key="other"), f"anna@{DOMAIN}")
    assert reader.get(f"/feed.atom?token={forged}").status_code == 401


def test_chosen_language_also_speaks_in_mail(
    client: FlaskClient, web_db: Database, thread: int
) -> None:
    sign_in(client, web_db, f"anna@{DOMAIN}")
    client.get("/lang/sv?next=/")
    sign_in(client, web_db, f"bo@{DOMAIN}")
    path = f"/t/{thread}-hemlig-budget-f-r-q3"
    page = client.get(path).get_data(as_text=True)
    client.post(
        f"/t/{thread}/reply", data={"body": f"@anna@{DOMAIN} titta", "csrf_token": csrf_from(page)}
    )
    assert "nämnde dig" in str(latest_mail(web_db, f"anna@{DOMAIN}")["Subject"])
