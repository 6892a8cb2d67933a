"""Hostile mail through the real path: raw bytes -> parser -> publisher -> the pages.

Story: someone at firma.se forwards a phishing mail with an HTML body full of scripts
and a display name made of markup; the thread appears, and nothing of it runs.
"""

# ruff: noqa: F811 - pytest fixtures imported from web_support arrive as parameters
from __future__ import annotations

from email.message import EmailMessage

from flask.testing import FlaskClient
from web_support import (  # noqa: F401 - fixtures
    DOMAIN,
    app,
    client,
    sign_in,
    web_db,
    web_settings,
)

from mailfeed.parsers.mail import parse_mail
from mailfeed.parsers.policy import PolicyContext
from mailfeed.publisher.db import Database
from mailfeed.publisher.publish import Envelope, process
from mailfeed.publisher.site import Site

HTML = """<html><body>
<p>Vet någon hur man kopplar VPN?</p>
<script>alert('mail')</script>
<img src=x onerror="alert('img')">
<a href="javascript:alert('link')">klicka här</a>
<iframe src="https://evil.example/"></iframe>
<svg onload="alert('svg')"></svg>
</body></html>"""


def hostile_mail() -> bytes:
    message = EmailMessage()
    message["From"] = f'"<script>alert(1)</script> Eve" <eve@{DOMAIN}>'
    message["To"] = f"feed@{DOMAIN}"
    message["Subject"] = "<img src=x onerror=alert(2)> VPN?"
    message["Message-ID"] = f"<xss-1@{DOMAIN}>"
    message["Date"] = "Mon, 02 Nov 2026 09:00:00 +0100"
    message.set_content("Vet någon hur man kopplar VPN? <script>alert('text')</script>")
    message.add_alternative(HTML, subtype="html")
    return message.as_bytes()


def test_hostile_html_mail_never_runs_on_any_page(client: FlaskClient, web_db: Database) -> None:
    site = Site(
        base_url="http://feed.test",
        gateway_address=f"feed@{DOMAIN}",
        policy=PolicyContext(gateway_addresses=(f"feed@{DOMAIN}",), allowed_domains=(DOMAIN,)),
    )
    with web_db.session() as session:
        outcome = process(
            session,
            site,
            parse_mail(hostile_mail()),
            Envelope(mail_from=f"eve@{DOMAIN}", rcpts=(f"feed@{DOMAIN}",)),
        )
    assert outcome.thread_id is not None, outcome.decision
    sign_in(client, web_db, f"bo@{DOMAIN}")
    thread_url = client.get(f"/t/{outcome.thread_id}").headers["Location"]
    pages = {
        path: client.get(path).get_data(as_text=True)
        for path in (
            "/",
            thread_url,
            "/search?q=vpn",
            "/feed.atom",
            f"/t/{outcome.thread_id}.atom",
            "/me",
        )
    }
    # The hostile text did arrive, as text: the test would notice if it turned into markup.
    assert "&lt;img src=x onerror=alert(2)&gt; VPN?" in pages["/"]
    assert "&lt;script&gt;alert(&#39;text&#39;)&lt;/script&gt;" in pages[thread_url]
    own_script = '<script src="/static/app.js" defer></script>'
    for path, page in pages.items():
        page = page.replace(own_script, "")
        for active in ("<script", "<img", "<iframe", "<svg", '<a href="javascript:'):
            assert active not in page, (path, active)
