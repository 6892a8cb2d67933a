"""Starting things on the feed, in headless Chromium against the app under waitress.

Story: Anna signs in (magic link from the local outbox), asks where the projector is and
invites Johan and Bo by name (chips, with a warning for a name that matches nobody),
praises Johan with a badge, invites everyone to the Christmas lunch and answers Going,
then likes and comments on an intranet news item.  The screenshots are the README's:
docs/screenshots/{compose,praise,event,news}.png at 1280 px and compose-phone.png at 390.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, free_port, require_tool
from web_support import DOMAIN, WaitressServer, add_thread, make_settings

from mailfeed.publisher import news
from mailfeed.publisher.db import Database
from mailfeed.settings import build_web_config
from mailfeed.web import create_app

SHOTS = ROOT / "docs" / "screenshots"
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
            (f"anna@{DOMAIN}", "Anna Berg", "Klienten kopplar ner efter en minut."),
            (f"johan@{DOMAIN}", "Johan Ek", "Uppdatera klienten till 5.2."),
            (f"bo@{DOMAIN}", "Bo Ling", "Det hjälpte för mig också."),
        ],
    )
    with db.session() as session:
        news.record(
            session,
            "https://intra.firma.se/feed",
            news.NewsEntry(
                "urn:intra:kaffe",
                "Nytt kaffe i källaren",
                "https://intra.firma.se/nyheter/kaffe",
                "Från och med måndag bjuder vi på nybryggt kaffe i källarens nya kafé. "
                "Välkomna mellan 8 och 16!",
                None,
                "Intranätet",
            ),
            "sv",
        )
    with WaitressServer(create_app(build_web_config(settings), db), port=port) as running:
        yield running
    db.dispose()


def pick(page, field: str, typed: str, name: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    box = page.locator(f"#f-{field}")
    box.press_sequentially(typed)
    option = page.locator(f"#suggest-{field} li", has_text=name)
    expect(option).to_be_visible()
    option.click()
    expect(page.locator(f".people-field[data-people={field}] .chip", has_text=name)).to_be_visible()


def test_ask_praise_invite_answer_and_comment_on_news(server: WaitressServer) -> None:
    require_tool(CHROMIUM)
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(
                locale="en-GB",
                viewport={"width": 1280, "height": 900},
                timezone_id="Europe/Stockholm",
            )
            page.goto(server.url + "/login")
            page.get_by_label("Your work address").fill(f"anna@{DOMAIN}")
            page.get_by_role("button", name="Send me a sign-in link").click()
            page.get_by_role("link", name="Read it in the local outbox").click()
            page.get_by_role("link", name="Your sign-in link for the feed").click()
            page.locator("a[href*='/login/confirm/']").click()
            page.get_by_role("button", name="Sign in").click()

            # Ask, inviting two people by name.
            page.get_by_role("link", name="New post").click()
            expect(page.get_by_role("heading", name="New post")).to_be_visible()
            expect(page.locator("fieldset[data-kinds=event]")).to_be_hidden()
            page.get_by_label("Title").fill("Var finns projektorn till stora rummet?")
            page.get_by_label("Text (Markdown)").fill(
                "Den brukar stå i **skåpet** vid receptionen, men nu är den borta.\n\n"
                "- Har någon lånat den?\n- Finns det en reserv?"
            )
            expect(page.locator(".preview strong")).to_have_text("skåpet")
            pick(page, "invite", "Joh", "Johan Ek")
            pick(page, "invite", "Bo", "Bo Ling")
            page.locator("#f-mention").press_sequentially("Zlatan")
            page.locator("#f-mention").press("Enter")
            expect(page.locator(".people-field[data-people=mention] .warn")).to_have_text(
                "Nobody is called “Zlatan”."
            )
            page.locator("#f-mention").fill("")
            page.screenshot(path=str(SHOTS / "compose.png"), full_page=True)
            page.get_by_role("button", name="Publish").click()
            expect(page.get_by_role("heading", name="Var finns projektorn")).to_be_visible()
            invited = page.locator(".invited-panel")
            expect(invited).to_contain_text("Invited (2)")
            expect(invited).to_contain_text("Johan Ek")
            expect(invited).to_contain_text("Bo Ling")

            # Praise Johan with a badge.
            page.get_by_role("link", name="New post").click()
            page.get_by_text("Praise a colleague").click()
            expect(page.locator("fieldset[data-kinds=praise]")).to_be_visible()
            page.get_by_label("Title").fill("Tack Johan för VPN-hjälpen!")
            page.get_by_label("Text (Markdown)").fill(
                "Johan tog sig tid en fredagkväll och fick igång VPN:en för hela ekonomi. "
                "Stort tack!"
            )
            pick(page, "praise", "Joh", "Johan Ek")
            page.get_by_label("Badge").select_option("teamwork")
            page.get_by_role("button", name="Publish").click()
            panel = page.locator(".praise-panel")
            expect(panel).to_contain_text("Johan Ek")
            expect(panel).to_contain_text("Teamwork")
            page.screenshot(path=str(SHOTS / "praise.png"), full_page=True)

            # An event with real invitations; Anna answers Going.
            page.get_by_role("link", name="New post").click()
            page.get_by_text("Invite to an activity").click()
            page.get_by_label("Title").fill("Jullunch på Tre Bröder")
            page.get_by_label("Text (Markdown)").fill(
                "Vi har bokat långbordet. Säg till om du har **allergier**!"
            )
            page.get_by_label("Starts").fill("2026-12-18T11:30")
            page.get_by_label("Ends").fill("2026-12-18T13:30")
            page.get_by_label("Place").fill("Tre Bröder, Storgatan 1")
            pick(page, "invite", "Joh", "Johan Ek")
            pick(page, "invite", "Bo", "Bo Ling")
            page.set_viewport_size({"width": 390, "height": 844})
            expect(page.locator("#f-mention")).to_be_visible()
            page.wait_for_timeout(300)  # let the narrow layout paint before the full-page shot
            page.screenshot(path=str(SHOTS / "compose-phone.png"), full_page=True)
            page.set_viewport_size({"width": 1280, "height": 900})
            page.get_by_role("button", name="Publish").click()
            event = page.locator(".event-panel")
            # typed as 11:30 in Stockholm, stored as 10:30 UTC, shown in the reader's zone again
            expect(event).to_contain_text("18 Dec 2026 11:30")
            expect(event).to_contain_text("Going (0)")
            event.get_by_role("button", name="Going", exact=True).click()
            expect(page.locator(".event-panel .going")).to_contain_text("Going (1)")
            expect(page.locator(".event-panel .going")).to_contain_text("Anna Berg")
            expect(event.get_by_role("button", name="Going", exact=True)).to_have_attribute(
                "aria-pressed", "true"
            )
            page.screenshot(path=str(SHOTS / "event.png"), full_page=True)

            # Intranet news: like it and comment.
            page.goto(server.url + "/?filter=news")
            page.get_by_role("link", name="Nytt kaffe i källaren").click()
            original = page.get_by_role("link", name=re.compile("Read the original"))
            expect(original).to_have_attribute("href", "https://intra.firma.se/nyheter/kaffe")
            first = page.locator("section.post").first
            first.get_by_role("button", name="Like").click()
            expect(first.locator(".like-count")).to_have_text("1")
            page.get_by_label("Your reply (Markdown)").fill("Äntligen! Blir det havremjölk?")
            page.get_by_role("button", name="Post reply").click()
            expect(page.locator("section.post")).to_have_count(2)
            expect(page.locator("section.post").nth(1)).to_contain_text("havremjölk")
            page.screenshot(path=str(SHOTS / "news.png"), full_page=True)

            page.goto(server.url + "/notifications")
            expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
        finally:
            browser.close()
