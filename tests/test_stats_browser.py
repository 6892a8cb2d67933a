"""/stats in Chromium: the four charts are drawn and visible, in English and Swedish, on a
desktop and a phone; screenshots go to docs/screenshots/ for the README."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, free_port, require_tool
from stats_seed import seed_month
from web_support import WaitressServer, make_settings

from mailfeed.publisher.db import Database
from mailfeed.settings import build_web_config
from mailfeed.web import create_app

SHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def server(data_dir: Path) -> Iterator[WaitressServer]:
    port = free_port()
    # Open access with demo rights: the guest sees the moderator's view (mark ambassadors).
    settings = make_settings(data_dir, base_url=f"http://127.0.0.1:{port}", auth="open", demo=True)
    db = Database(settings.db_url)
    db.upgrade()
    with db.session() as session:
        seed_month(session)
    with WaitressServer(create_app(build_web_config(settings), db), port=port) as running:
        yield running
    db.dispose()


@pytest.mark.parametrize(
    ("locale", "width", "shot"),
    [("en-GB", 1280, "stats.png"), ("sv-SE", 390, "stats-sv-phone.png")],
)
def test_charts_are_drawn(server: WaitressServer, locale: str, width: int, shot: str) -> None:
    require_tool(CHROMIUM)
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(locale=locale, viewport={"width": width, "height": 900})
            page.goto(server.url + "/stats?since=all")
            charts = page.locator("svg.chart")
            expect(charts).to_have_count(5)
            for i in range(5):
                box = charts.nth(i).bounding_box()
                assert box is not None and box["width"] > 280 and box["height"] > 60
                assert box["width"] <= width  # no sideways scroll on a phone
            # bars are really there: one rect per kind and week with threads (4), and the
            # pyramid's four layers
            assert page.locator("#weekly svg rect").count() == 4
            assert page.locator("#participation svg rect").count() == 4
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.get_by_role(
                "button",
                name="Mark as ambassador" if locale == "en-GB" else "Markera som ambassadör",
            ).first.click()
            expect(page.locator(".badge-ambassador")).to_have_count(1)
            page.screenshot(path=str(SHOTS / shot), full_page=True)
        finally:
            browser.close()
