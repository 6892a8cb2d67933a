"""The feed in a real browser: headless Chromium against the app under waitress.

Story: Anna asked about the VPN in mail; it moved to the feed.  She signs in with a
magic link read from the local outbox, finds the thread by searching, likes Johan's
answer, replies mentioning Bo (with autocomplete), marks Johan's post as the answer,
and switches to Swedish.  Screenshots of each page go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, free_port, require_tool
from web_support import DOMAIN, WaitressServer, add_thread, make_settings

from mailfeed.publisher.db import Database
from mailfeed.settings import build_web_config
from mailfeed.web import create_app

SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def server(data_dir: Path) -> Iterator[WaitressServer]:
    port = free_port()
    settings = make_settings(data_dir, base_url=f"http://127.0.0.1:{port}")
    db = Database(settings.db_url)
    db.upgrade()
    add_thread(
        db,
        "VPN hemifrån fungerar inte",
        [
            (f"anna@{DOMAIN}", "Anna Berg", "Klienten kopplar ner efter en minut. Någon som vet?"),
            (
                f"johan@{DOMAIN}",
                "Johan Ek",
                "Uppdatera klienten till 5.2, se https://intra.firma.se/vpn",
            ),
        ],
        trimmed="--\nAnna Berg\nEkonomi",
    )
    add_thread(
        db, "Tack för julfesten!", [(f"bo@{DOMAIN}", "Bo Ling", "Vilken kväll.")], kind="praise"
    )
    with WaitressServer(create_app(build_web_config(settings), db), port=port) as running:
        yield running
    db.dispose()


def test_sign_in_search_like_reply_mention_answer(server: WaitressServer) -> None:
    require_tool(CHROMIUM)
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(locale="en-GB", viewport={"width": 1000, "height": 900})
            page.goto(server.url + "/")
            expect(page).to_have_url(re.compile(r"/login"))
            page.get_by_label("Your work address").fill(f"anna@{DOMAIN}")
            page.screenshot(path=str(SHOTS / "login.png"))
            page.get_by_role("button", name="Send me a sign-in link").click()
            page.get_by_role("link", name="Read it in the local outbox").click()
            page.get_by_role("link", name="Your sign-in link for the feed").click()
            page.locator("a[href*='/login/confirm/']").click()
            page.get_by_role("button", name="Sign in").click()

            expect(page.get_by_role("heading", name="VPN hemifrån fungerar inte")).to_be_visible()
            page.screenshot(path=str(SHOTS / "feed.png"), full_page=True)
            page.get_by_role("link", name=re.compile("^Praise")).click()
            expect(page.get_by_role("heading", name="Tack för julfesten!")).to_be_visible()
            expect(page.get_by_role("heading", name="VPN hemifrån fungerar inte")).to_have_count(0)

            page.get_by_role("searchbox", name="Search threads").first.fill("uppdatera")
            page.get_by_role("button", name="Search").first.click()
            expect(page.locator("mark").first).to_have_text(re.compile("uppdatera", re.IGNORECASE))
            page.screenshot(path=str(SHOTS / "search.png"), full_page=True)
            page.get_by_role("link", name="VPN hemifrån fungerar inte").click()

            johan = page.locator("section.post").nth(1)
            johan.get_by_role("button", name="Like").click()
            expect(johan.locator(".like-count")).to_have_text("1")
            page.locator("details.trimmed summary").click()
            expect(page.get_by_text("Ekonomi")).to_be_visible()

            box = page.get_by_label("Your reply (Markdown)")
            box.press_sequentially("Tack! Det hjälpte. @bo")
            expect(page.get_by_role("option", name=re.compile("Bo Ling"))).to_be_visible()
            box.press("ArrowDown")  # the keyboard picks a suggestion, no mouse needed
            box.press("Enter")
            box.press_sequentially("ska vi uppdatera alla?")
            page.get_by_role("button", name="Post reply").click()
            expect(page.locator("section.post")).to_have_count(3)
            expect(page.locator("p.mentioned")).to_contain_text("Bo Ling")

            johan.get_by_role("button", name="Mark as answer").click()
            expect(page.locator("section.post.is-answer")).to_contain_text("Uppdatera klienten")
            page.screenshot(path=str(SHOTS / "thread.png"), full_page=True)

            page.get_by_role("link", name="SV").click()
            expect(page.locator("html")).to_have_attribute("lang", "sv")
            expect(page.get_by_role("button", name="Skicka svar")).to_be_visible()
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=str(SHOTS / "thread-sv-phone.png"), full_page=True)
        finally:
            browser.close()
