"""Attachments from the raw mail: listed under their post, downloaded safely.

Story: Anna mailed the floor plan (PNG), the booking form (PDF) and, unknowingly, an SVG
and an HTML file with script in them.  Readers see the picture in place and can download
everything; nothing she attached can run as a page of the feed.
"""

# ruff: noqa: F811 - pytest fixtures imported from web_support arrive as parameters
from __future__ import annotations

import base64
from email.message import EmailMessage

from flask.testing import FlaskClient
from web_support import (  # noqa: F401 - fixtures
    DOMAIN,
    add_thread,
    app,
    attach_raw_mail,
    client,
    sign_in,
    web_db,
    web_settings,
)

from mailfeed.publisher.db import Database
from mailfeed.settings import Settings, build_web_config
from mailfeed.web import create_app
from mailfeed.web.attachments import LISTINGS

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'


def raw_mail() -> bytes:
    message = EmailMessage()
    message["From"] = f"Anna Berg <anna@{DOMAIN}>"
    message["To"] = f"feed@{DOMAIN}"
    message["Subject"] = "Planritning"
    message.set_content("Här är ritningen och blanketten.")
    message.add_attachment(PNG, maintype="image", subtype="png", filename="plan 3.png")
    message.add_attachment(
        b"%PDF-1.4 fake", maintype="application", subtype="pdf", filename="../../bokning.pdf"
    )
    message.add_attachment(SVG, maintype="image", subtype="svg+xml", filename="logo.svg")
    message.add_attachment(
        b"<script>alert(3)</script>", maintype="text", subtype="html", filename="sida.html"
    )
    return message.as_bytes()


def thread_with_mail(db: Database, settings: Settings) -> tuple[int, int]:
    tid = add_thread(db, "Planritning", [(f"anna@{DOMAIN}", "Anna Berg", "Här är ritningen.")])
    return tid, attach_raw_mail(db, settings, tid, raw_mail())


def test_attachments_listed_and_served_safely(
    client: FlaskClient, web_db: Database, web_settings: Settings
) -> None:
    tid, mail_id = thread_with_mail(web_db, web_settings)
    base = f"/t/{tid}/mail/{mail_id}/part"
    assert client.get(f"{base}/1").status_code == 302  # signed-in readers only
    sign_in(client, web_db, f"bo@{DOMAIN}")
    page = client.get(f"/t/{tid}-planritning").get_data(as_text=True)
    for name in ("plan 3.png", "bokning.pdf", "logo.svg", "sida.html"):
        assert name in page
    assert f'<img src="{base}/1?inline=1" alt="plan 3.png"' in page
    assert f'<img src="{base}/3?inline=1"' not in page  # SVG is never shown in place

    image = client.get(f"{base}/1?inline=1")
    assert image.data == PNG and image.mimetype == "image/png"
    assert image.headers["Content-Disposition"].startswith("inline")
    assert "sandbox" in image.headers["Content-Security-Policy"]
    image.close()
    pdf = client.get(f"{base}/2")
    assert pdf.headers["Content-Disposition"] == "attachment; filename=bokning.pdf"
    pdf.close()
    for index in (3, 4):  # script-bearing files: downloads, sandboxed, never inline
        hostile = client.get(f"{base}/{index}?inline=1")
        assert hostile.headers["Content-Disposition"].startswith("attachment")
        assert "sandbox" in hostile.headers["Content-Security-Policy"]
        assert hostile.headers["X-Content-Type-Options"] == "nosniff"
        hostile.close()
    assert client.get(f"{base}/0").status_code == 404  # the text body is no attachment
    assert client.get(f"{base}/9").status_code == 404
    other = add_thread(web_db, "Annat", [(f"bo@{DOMAIN}", "Bo", "x")])
    assert client.get(f"/t/{other}/mail/{mail_id}/part/1").status_code == 404


def test_a_mail_is_parsed_once_for_its_attachments_however_often_its_thread_is_read(
    web_db: Database, web_settings: Settings
) -> None:
    """The listing is kept per raw mail: re-rendering the page (the page cache off, so
    every view renders) parses nothing again."""
    tid, _mail_id = thread_with_mail(web_db, web_settings)
    app = create_app(build_web_config(web_settings.with_overrides(page_cache_mb=0)), web_db)
    client = app.test_client()
    sign_in(client, web_db, f"bo@{DOMAIN}")
    for _ in range(3):
        assert "bokning.pdf" in client.get(f"/t/{tid}-planritning").get_data(as_text=True)
    assert app.extensions[LISTINGS].parsed == 1
