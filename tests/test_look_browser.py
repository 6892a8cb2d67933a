"""The feed in Chromium, as colleagues meet it: accessible (axe-core), in their own time
zone, searchable across posts, with friendly error pages and an undo after delete.

axe-core is vendored in tests/data/axe (MPL-2.0) and injected into each page; a serious
or critical violation fails the test.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from conftest import DATA
from look_support import DOMAIN, contrast, office, person_id, signed_in_page  # noqa: F401
from sqlalchemy import select

from mailfeed.publisher.models import MailMessage, Post

AXE = (DATA / "axe" / "axe.min.js").read_text(encoding="utf-8")


def _axe(page: Any) -> list[str]:
    """Serious and critical axe violations on the page, one line each."""
    page.add_script_tag(content=AXE)
    result = page.evaluate(
        "async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))"
    )
    found = json.loads(result)["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def test_axe_finds_nothing_serious(office: Any) -> None:  # noqa: F811
    server, db, ids = office
    anna_id = person_id(db, "anna.berg")
    pages = [
        "/",
        f"/t/{ids['nycklar']}-nycklar",
        "/search?q=julbord+glutenfritt",
        "/search?q=",
        "/search?q=zzzyx",
        "/people",
        f"/people/{anna_id}",
        "/people?q=nobody",
        "/?filter=mentions",
        "/t/99999",
        "/new",
    ]
    problems: dict[str, list[str]] = {}
    for width, lang in ((1280, "en-GB"), (390, "sv-SE")):
        # The CSP (rightly) refuses inline scripts; only the test's axe may pass.
        with signed_in_page(
            server.url,
            f"anna.berg@{DOMAIN}",
            locale=lang,
            bypass_csp=True,
            viewport={"width": width, "height": 900},
        ) as page:
            for path in pages:
                page.goto(server.url + path)
                found = _axe(page)
                if found:
                    problems[f"{width} {lang} {path}"] = found
    assert problems == {}, json.dumps(problems, indent=1, ensure_ascii=False)


def test_focus_ring_and_admin_tables(office: Any) -> None:  # noqa: F811
    from web_support import MODERATOR

    server, db, _ids = office
    with db.session() as s:  # long values that would push a table past the window
        for n in range(3):
            s.add(
                MailMessage(
                    message_id=f"<{'x' * 200}.{n}@{DOMAIN}>",
                    content_hash="h",
                    raw_path=f"/var/lib/mailfeed/raw/{'y' * 120}.eml",
                    sender=f"{'very.long.sender.address' * 4}@{DOMAIN}",
                    subject="Ett ämne " * 20,
                    action="ignore",
                    reason="no-question: " + "lång motivering " * 30,
                )
            )
    with signed_in_page(
        server.url, MODERATOR, locale="en-GB", viewport={"width": 1280, "height": 900}
    ) as page:
        page.keyboard.press("Tab")  # the skip link
        page.keyboard.press("Tab")  # the brand link, on the white header
        ring = page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }"
        )
        assert ring[0] == "solid" and float(ring[1].removesuffix("px")) >= 2
        colour = tuple(int(c) for c in re.findall(r"\d+", ring[2])[:3])
        assert contrast(colour, (255, 255, 255)) >= 3  # WCAG 2.4.11/1.4.11
        assert contrast(colour, (244, 245, 247)) >= 3  # and on the page background
        page.goto(server.url + "/admin")
        assert page.locator("table").count() >= 1
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 1280  # the page never scrolls sideways; a wide table scrolls inside


def test_times_in_the_browsers_zone(office: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    server, db, ids = office
    zone = ZoneInfo("America/New_York")
    with db.session() as s:
        posts = s.scalars(
            select(Post).where(Post.thread_id == ids["nycklar"]).order_by(Post.position)
        ).all()
        johan_written = posts[3].date_text
        assert johan_written
        johan_local = datetime.fromisoformat(johan_written).astimezone(zone)
    with signed_in_page(
        server.url, f"anna.berg@{DOMAIN}", locale="en-GB", timezone_id="America/New_York"
    ) as page:
        page.goto(f"{server.url}/t/{ids['nycklar']}-nycklar")
        authors = page.locator("section.post .author").all_inner_texts()
        # By instant: Johan (15:08 +01:00) before Bo (14:33 +00:00), though mailed after.
        assert authors.index("Johan Ek") < authors.index("Bo Ling")
        johan = page.locator("section.post", has_text="krok 14").locator("time")
        title = johan.get_attribute("title") or ""
        assert johan_local.strftime("%a, %-d %b %Y %H:%M") in title  # New York's clock
        utc = datetime.fromisoformat(johan_written).astimezone(ZoneInfo("UTC"))
        assert johan.get_attribute("datetime") == utc.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert f"in the mail: {johan_written}" in title
        page.goto(server.url + "/")
        vpn = page.locator("article.card", has_text="VPN kopplar ner").locator("time")
        expect(vpn).to_have_text(re.compile(r"^\d+ min ago$"))
        page.get_by_role("link", name="SV").click()
        expect(vpn).to_have_text(re.compile(r"^för \d+ min sen$"))


def test_search_finds_words_spread_over_a_thread(office: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    server, _db, ids = office
    with signed_in_page(server.url, f"anna.berg@{DOMAIN}", locale="en-GB") as page:
        box = page.get_by_role("searchbox", name="Search threads")
        expect(box).to_have_count(1)
        box.fill("julbord glutenfritt")
        box.press("Enter")
        cards = page.locator("article.card")
        expect(cards).to_have_count(1)
        expect(cards.first.get_by_role("link")).to_have_attribute(
            "href", re.compile(f"/t/{ids['julbord']}-")
        )
        expect(cards.first.locator("mark").first).to_be_visible()
        box = page.get_by_role("searchbox", name="Search threads")
        box.fill("nyckel")
        box.press("Enter")
        found = page.get_by_role("link", name="Nycklarna till förrådet på plan 3?")
        expect(found).to_be_visible()


def test_error_pages_in_both_languages(office: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    server, _db, _ids = office
    with signed_in_page(server.url, f"anna.berg@{DOMAIN}", locale="en-GB") as page:
        response = page.goto(server.url + "/t/99999")
        assert response is not None and response.status == 404
        expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
        page.get_by_role("link", name="SV").click()
        expect(page.get_by_role("heading", name="Sidan finns inte")).to_be_visible()
        response = page.goto(server.url + "/?filter=bogus")
        assert response is not None and response.status == 400
        expect(page.get_by_role("heading", name="Det där gick inte")).to_be_visible()
        page.get_by_role("link", name="Tillbaka till flödet").click()
        expect(page.locator("article.card").first).to_be_visible()


def test_delete_and_undo(office: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    server, _db, ids = office
    with signed_in_page(server.url, f"bo.ling@{DOMAIN}", locale="en-GB") as page:
        page.goto(f"{server.url}/t/{ids['nycklar']}-nycklar")
        mine = page.locator("section.post", has_text="Bekräftar")
        expect(mine.get_by_role("button", name="Delete")).to_be_hidden()  # in the ⋯ menu
        mine.get_by_label("Post actions").click()
        mine.get_by_role("button", name="Delete").click()
        expect(page.get_by_role("status")).to_contain_text("The post was removed.")
        expect(page.locator("section.post", has_text="Bekräftar")).to_have_count(0)
        page.get_by_role("button", name="Undo").click()
        expect(page.locator("section.post", has_text="Bekräftar")).to_have_count(1)
