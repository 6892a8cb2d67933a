"""A small, lived-in feed for the browser tests and the README screenshots.

A Swedish office: a directory of eight people, a question answered on the feed, a
Christmas-dinner discussion, praise, an open VPN question from this morning.  Times are
relative to `now`, so "3 hr ago" and "yesterday" show as they would on a real day.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import free_port, require_tool
from web_support import DOMAIN, WaitressServer, make_settings

from mailfeed.publisher.db import Database
from mailfeed.publisher.directory import import_directory
from mailfeed.publisher.models import Like, Person, Post, Praise, Thread
from mailfeed.settings import build_web_config
from mailfeed.web import create_app

CHROMIUM = "/usr/bin/chromium"
DIRECTORY = (
    "email,name,title,department,manager\n"
    + "\n".join(
        f"{local}@{DOMAIN},{name},{title},{dept},{manager}"
        for local, name, title, dept, manager in [
            ("anna.berg", "Anna Berg", "Controller", "Ekonomi", f"lena.holm@{DOMAIN}"),
            ("lena.holm", "Lena Holm", "Ekonomichef", "Ekonomi", ""),
            ("johan.ek", "Johan Ek", "IT-tekniker", "IT", f"erik.sandberg@{DOMAIN}"),
            ("erik.sandberg", "Erik Sandberg", "IT-chef", "IT", ""),
            ("maria.holm", "Maria Holm", "Redovisningsekonom", "Ekonomi", f"lena.holm@{DOMAIN}"),
            ("omar.said", "Omar Said", "Kock", "Restaurang", ""),
            ("bo.ling", "Bo Ling", "Fastighetsskötare", "Fastighet", ""),
            ("sara.nilsson", "Sara Nilsson", "HR-partner", "HR", ""),
        ]
    )
    + "\n"
)


def person_id(db: Database, local: str) -> int:
    """The id of a directory person by the local part of their address."""
    with db.session() as session:
        return _person(session, local).id


def contrast(one: tuple[int, int, int], other: tuple[int, int, int]) -> float:
    """The WCAG 2 contrast ratio of two sRGB colours (1 to 21)."""

    def luminance(colour: tuple[int, int, int]) -> float:
        def channel(c: int) -> float:
            v = c / 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        r, g, b = colour
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)

    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _person(session: object, local: str) -> Person:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    found = session.scalar(select(Person).where(Person.email == f"{local}@{DOMAIN}"))
    assert found is not None
    return found


def seed(db: Database, now: datetime | None = None) -> dict[str, int]:
    """The office's feed; returns thread ids by name."""
    now = (now or datetime.now(UTC)).replace(tzinfo=None, microsecond=0)
    ids: dict[str, int] = {}
    with db.session() as s:
        import_directory(s, DIRECTORY)
        s.flush()

        def thread(
            key: str, subject: str, kind: str, asker: str, posts: list[tuple], origin: str = "cc"
        ) -> Thread:
            t = Thread(
                subject=subject,
                slug=key,
                kind=kind,
                origin=origin,
                asker=_person(s, asker),
                language="sv",
            )
            for i, (who, when, body, written) in enumerate(posts):
                t.posts.append(
                    Post(
                        author=_person(s, who),
                        date=when,
                        date_text=written,
                        body=body,
                        position=i,
                        source="mail" if written else "web",
                    )
                )
            dates = [p[1] for p in posts]
            t.created, t.last_activity = min(dates), max(dates)
            if origin != "web":
                t.mail_first, t.mail_last = min(dates), max(dates)
                t.mail_messages, t.mail_people = len(posts), len({p[0] for p in posts})
            s.add(t)
            s.flush()
            ids[key] = t.id
            return t

        d = now - timedelta(days=2)
        base = d.replace(hour=8, minute=12)
        keys = thread(
            "nycklar",
            "Nycklarna till förrådet på plan 3?",
            "question",
            "anna.berg",
            [
                (
                    "anna.berg",
                    base,
                    "Hej! Vet någon var nycklarna till förrådet på plan 3 finns? "
                    "Vi behöver hämta pärmarna från 2019 inför revisionen.",
                    (base + timedelta(hours=1)).isoformat() + "+01:00",
                ),
                (
                    "maria.holm",
                    base + timedelta(hours=1),
                    "Senast jag såg dem låg de i receptionen, men det var före sommaren.",
                    (base + timedelta(hours=2)).isoformat() + "+01:00",
                ),
                # The chain put Bo's mail (written 14:33 in London) before Johan's (15:08 in
                # Stockholm, i.e. 14:08 UTC): by instant Johan's comes first.
                (
                    "bo.ling",
                    base + timedelta(hours=6, minutes=33),
                    "Bekräftar — jag lade tillbaka dem där i fredags.",
                    (base + timedelta(hours=6, minutes=33)).isoformat() + "+00:00",
                ),
                (
                    "johan.ek",
                    base + timedelta(hours=6, minutes=8),
                    "Nyckelskåpet vid IT-supporten, krok 14. Kvittera i listan bredvid så vet vi "
                    "vem som har dem.",
                    (base + timedelta(hours=7, minutes=8)).isoformat() + "+01:00",
                ),
            ],
        )
        keys.answer_post_id = keys.posts[3].id
        keys.state = "answered"
        j = now - timedelta(hours=3, minutes=10)
        thread(
            "julbord",
            "Julbordet 12 december – anmälan och specialkost",
            "discussion",
            "sara.nilsson",
            [
                (
                    "sara.nilsson",
                    j - timedelta(days=1),
                    "Nu är det dags att anmäla sig till julbordet på Kajen! Sista dag är fredag.",
                    None,
                ),
                (
                    "anna.berg",
                    j - timedelta(hours=20),
                    "Kommer det finnas vegetariska alternativ i år?",
                    None,
                ),
                (
                    "omar.said",
                    j,
                    "Ja, och allt på buffén är glutenfritt i år. Säg till om "
                    "andra allergier så ordnar vi det.",
                    None,
                ),
            ],
            origin="web",
        )
        thanks = thread(
            "tack",
            "Tack Maria för hjälpen med bokslutet!",
            "praise",
            "lena.holm",
            [
                (
                    "lena.holm",
                    now - timedelta(days=1, hours=2),
                    "Maria satt kvar sent tre kvällar "
                    "i rad så att bokslutet blev klart i tid. Stort tack!",
                    None,
                ),
            ],
            origin="web",
        )
        s.add(
            Praise(
                thread_id=thanks.id,
                recipient_id=_person(s, "maria.holm").id,
                giver_id=_person(s, "lena.holm").id,
                badge="above-and-beyond",
            )
        )
        v = now - timedelta(minutes=42)
        thread(
            "vpn",
            "VPN kopplar ner hemifrån efter en minut",
            "question",
            "erik.sandberg",
            [
                (
                    "erik.sandberg",
                    v,
                    "Flera på Ekonomi säger att VPN-klienten kopplar ner efter "
                    "ungefär en minut hemifrån. Någon mer som ser det?",
                    None,
                ),
            ],
            origin="web",
        )
        old = now - timedelta(days=40)
        thread(
            "resor",
            "Ny rutin för reseräkningar från januari",
            "discussion",
            "lena.holm",
            [
                (
                    "lena.holm",
                    old,
                    "Från januari lämnas alla reseräkningar i det nya systemet. "
                    "Kvitton fotograferas i appen.",
                    None,
                ),
                ("maria.holm", old + timedelta(hours=3), "Gäller det även milersättning?", None),
            ],
            origin="web",
        )
        for post_index, who in ((3, "anna.berg"), (3, "maria.holm"), (3, "lena.holm")):
            s.add(Like(post_id=keys.posts[post_index].id, person_id=_person(s, who).id))
    return ids


@pytest.fixture
def office(data_dir: Path) -> Iterator[tuple[WaitressServer, Database, dict[str, int]]]:
    port = free_port()
    settings = make_settings(data_dir, base_url=f"http://127.0.0.1:{port}")
    db = Database(settings.db_url)
    db.upgrade()
    ids = seed(db)
    with WaitressServer(create_app(build_web_config(settings), db), port=port) as running:
        yield running, db, ids
    db.dispose()


@contextmanager
def signed_in_page(base: str, email: str, **options: Any) -> Iterator[Any]:
    """A Chromium page (context `options`: locale, timezone_id, viewport, …) signed in as
    `email` through the real magic link, read in the local outbox as a person would."""
    require_tool(CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_context(**options).new_page()
            page.goto(base + "/login")
            page.locator("#email").fill(email)
            page.locator("form.login button[type=submit]").click()
            page.locator("a[href*='/outbox']").first.click()
            page.locator("a[href*='/outbox/']").first.click()
            page.locator("a[href*='/login/confirm/']").click()
            page.locator("main form button[type=submit]").click()
            page.wait_for_url(base + "/")
            yield page
        finally:
            browser.close()
