"""Screenshots for the README: feed, thread, search, people, profile and an error page,
at 1280 px and 390 px, in English and Swedish, taken in Chromium from the seeded office.

Saved to docs/screenshots/<page>-<lang>-<width>.png (committed; the README shows them).
The test fails when a page does not render what it should before its picture is taken.
"""

from __future__ import annotations

import struct
from typing import Any

from conftest import ROOT
from look_support import DOMAIN, office, person_id, signed_in_page  # noqa: F401

SHOTS = ROOT / "docs" / "screenshots"


def _png_width(data: bytes) -> int:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int(struct.unpack(">I", data[16:20])[0])


def test_screenshots(office: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    server, db, ids = office
    maria_id = person_id(db, "maria.holm")
    pages = {
        "feed": ("/", "article.card"),
        "thread": (f"/t/{ids['nycklar']}-nycklar", "aside.solved"),
        "search": ("/search?q=julbord+glutenfritt", "article.card mark"),
        "people": ("/people", "ul.people li"),
        "profile": (f"/people/{maria_id}", "header.profile"),
        "error": ("/t/99999", "section.error-page"),
    }
    SHOTS.mkdir(parents=True, exist_ok=True)
    taken = []
    with signed_in_page(
        server.url,
        f"anna.berg@{DOMAIN}",
        locale="sv-SE",
        timezone_id="Europe/Stockholm",
        viewport={"width": 1280, "height": 860},
    ) as page:
        for lang in ("en", "sv"):
            page.goto(f"{server.url}/lang/{lang}?next=/")
            for width, height in ((1280, 860), (390, 844)):
                page.set_viewport_size({"width": width, "height": height})
                for name, (path, ready) in pages.items():
                    page.goto(server.url + path)
                    expect(page.locator(ready).first).to_be_visible()
                    expect(page.locator("html")).to_have_attribute("lang", lang)
                    target = SHOTS / f"{name}-{lang}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    assert _png_width(target.read_bytes()) == width
                    taken.append(target.name)
    assert len(taken) == 24
