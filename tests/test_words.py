"""The words people read: counts with the right plural for 0, 1 and 2 in Swedish and English,
times said the way a colleague would, and a praise thread that says "by".

Bo reads the feed in both languages; the threads have 0, 1 or 2 replies, likes and readers,
lived in mail for no time, an hour or two.  The link mail the publisher sends counts the
posts and the people who wrote them.  All through the real app, publisher and templates.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from test_publish import ANNA, ERIK, GATEWAY, JOHAN, MARIA, SITE, TO_GATEWAY, mail, msg
from web_support import DOMAIN, T0, add_thread, app, client, sign_in, web_db, web_settings  # noqa: F401

from mailfeed.parsers.model import ChainMessage
from mailfeed.parsers.model import Person as MailPerson
from mailfeed.publisher import timewords
from mailfeed.publisher.db import Database
from mailfeed.publisher.models import Like, OutboundMail, Person, Thread, View
from mailfeed.publisher.publish import process
from tests.db_support import database  # noqa: F401 - fixture

SV = {"Accept-Language": "sv"}
EN = {"Accept-Language": "en"}
# What Bo reads, per count: the mail panel's duration in hours, messages and people, and
# the card's replies and likes and readers.
EXPECTED = {
    # No likes and no readers yet say nothing, so a card shows no such count (issue 16).
    ("en", 0): ["less than a minute", "0 replies"],
    ("en", 1): ["1 hour", "1 message", "1 person", "1 reply", "1 like", "1 reader"],
    ("en", 2): ["2 hours", "2 messages", "2 people", "2 replies", "2 likes", "2 readers"],
    ("sv", 0): ["mindre än en minut", "0 svar"],
    ("sv", 1): ["1 timme", "1 meddelande", "1 person", "1 svar", "1 gillning", "1 läsare"],
    ("sv", 2): ["2 timmar", "2 meddelanden", "2 personer", "2 svar", "2 gillningar", "2 läsare"],
}
WRONG = [
    "1 hours",
    "1 timmar",
    "0 hours",
    "1 minuter",
    "1 replies",
    "1 likes",
    "1 readers",
    "1 messages",
    "1 people",
    "1 personer",
    "1 gillningar",
    "1 meddelanden",
]


def thread_with(db: Database, n: int) -> int:
    """A question with n replies, n likes and n readers that lived n hours in mail, in n
    messages among n people (at least one of each)."""
    posters = [(f"p{i}@{DOMAIN}", f"Poster {i}", f"Inlägg {i}") for i in range(n + 1)]
    thread_id = add_thread(db, f"Tråd med {n}", posters)
    with db.session() as session:
        thread = session.get(Thread, thread_id)
        assert thread is not None
        thread.mail_first, thread.mail_last = T0 - timedelta(hours=n), T0
        thread.mail_messages = thread.mail_people = max(n, 1)
        people = [Person(email=f"reader{i}@{DOMAIN}") for i in range(n)]
        session.add_all(people)
        session.flush()
        session.add_all(Like(post_id=thread.posts[0].id, person_id=p.id) for p in people)
        session.add_all(View(thread_id=thread.id, person_id=p.id) for p in people)
    return thread_id


def page(client: FlaskClient, path: str, headers: dict[str, str]) -> str:
    response = client.get(path, headers=headers, follow_redirects=True)
    assert response.status_code == 200, path
    # The words as a reader sees them: tags out, whitespace folded.
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


@pytest.mark.parametrize("language", ["en", "sv"])
@pytest.mark.parametrize("n", [0, 1, 2])
def test_counts_read_right_for_zero_one_and_two(
    client: FlaskClient, web_db: Database, language: str, n: int
) -> None:
    sign_in(client, web_db, f"bo@{DOMAIN}")
    thread_id = thread_with(web_db, n)
    headers = SV if language == "sv" else EN
    feed = page(client, "/", headers)
    thread = page(client, f"/t/{thread_id}", headers)
    duration, *rest = EXPECTED[(language, n)]
    counts = rest[-3:] if n else rest
    if not n:
        silent = ("0 likes", "0 readers") if language == "en" else ("0 gillningar", "0 läsare")
        assert not any(words in feed for words in silent)
    for words in counts:
        assert words in feed, (words, language)
    lived = "Lived in mail for" if language == "en" else "Levde i mejlen i"
    assert f"{lived} {duration}: " in thread
    if n:  # (a thread always had at least one mail and one person)
        messages, people = rest[:2]
        assert f"{lived} {duration}: {messages} " in thread
        assert (f"between {people};" if language == "en" else f"mellan {people};") in thread
    for wrong in WRONG:
        assert not re.search(rf"(?<!\d){wrong}\b", feed + thread), (wrong, language)


@pytest.mark.parametrize(
    ("language", "question", "praise"), [("en", "asked by", "by"), ("sv", "frågat av", "av")]
)
def test_a_praise_thread_says_by_and_a_question_asked_by(
    client: FlaskClient,
    web_db: Database,
    language: str,
    question: str,
    praise: str,
) -> None:
    sign_in(client, web_db, f"bo@{DOMAIN}")
    asked = add_thread(web_db, "Var är nyckeln?", [(f"anna@{DOMAIN}", "Anna Berg", "Var?")])
    kudos = add_thread(
        web_db, "Tack Johan!", [(f"lena@{DOMAIN}", "Lena Ek", "Bra jobbat")], kind="kudos"
    )
    headers = SV if language == "sv" else EN
    feed = page(client, "/", headers)
    assert f"{question} Anna Berg" in feed and f"{praise} Lena Ek" in feed
    assert f"{question} Lena Ek" not in feed
    for thread_id, who, said in ((asked, "Anna Berg", question), (kudos, "Lena Ek", praise)):
        words = page(client, f"/t/{thread_id}", headers)
        assert f"{said} {who}" in words
    assert f"{question} Lena Ek" not in words


@pytest.mark.parametrize(("language", "expected"), [("en", "3 hr ago"), ("sv", "för 3 tim sedan")])
def test_a_card_says_how_long_ago_and_the_date_on_hover(
    client: FlaskClient, web_db: Database, language: str, expected: str
) -> None:
    sign_in(client, web_db, f"bo@{DOMAIN}")
    now = datetime.now(UTC).replace(tzinfo=None)
    add_thread(
        web_db, "Nyss", [(f"anna@{DOMAIN}", "Anna", "?")], when=now - timedelta(hours=3, minutes=1)
    )  # last activity: 3 h ago
    add_thread(web_db, "Förr", [(f"anna@{DOMAIN}", "Anna", "?")], when=T0)
    headers = SV if language == "sv" else EN
    html = client.get("/", headers=headers).get_data(as_text=True)
    assert f">{expected}</time>" in html
    # 2 Nov 2026 08:01 UTC is 09:01 in Stockholm: the hover text follows the viewer's zone.
    client.set_cookie("tz", "Europe/Stockholm", domain="localhost")
    stockholm = client.get("/", headers=headers).get_data(as_text=True)
    client.set_cookie("tz", "Not/AZone", domain="localhost")
    fallback = client.get("/", headers=headers).get_data(as_text=True)
    hover = "mån 2 nov. 2026 {}" if language == "sv" else "Mon, 2 Nov 2026 {}"
    assert f'title="{hover.format("09:01")}"' in stockholm
    assert f'title="{hover.format("08:01")}"' in fallback


NOW = datetime(2026, 11, 25, 15, 0)  # a Wednesday


@pytest.mark.parametrize(
    ("moment", "en", "sv"),
    [
        (NOW - timedelta(seconds=20), "just now", "nyss"),
        (NOW - timedelta(minutes=1), "1 min ago", "för 1 min sen"),
        (NOW - timedelta(minutes=40), "40 min ago", "för 40 min sen"),
        (NOW - timedelta(hours=1), "1 hr ago", "för 1 tim sedan"),
        (NOW - timedelta(hours=3), "3 hr ago", "för 3 tim sedan"),
        (datetime(2026, 11, 24, 14, 5), "yesterday 14:05", "i går 14:05"),
        (datetime(2026, 11, 21, 9, 30), "Sat 09:30", "lör 09:30"),
        (datetime(2026, 10, 2, 9, 30), "2 Oct 09:30", "2 okt. 09:30"),
        (datetime(2025, 12, 30, 9, 30), "30 Dec 2025", "30 dec. 2025"),
        (NOW + timedelta(days=1), "26 Nov 2026 15:00", "26 nov. 2026 15:00"),
    ],
)
def test_relative_times_in_both_languages(moment: datetime, en: str, sv: str) -> None:
    assert timewords.when(moment, NOW, "en") == en
    assert timewords.when(moment, NOW, "sv") == sv


def test_yesterday_is_the_viewers_yesterday() -> None:
    late = datetime(2026, 11, 24, 23, 40)  # UTC: yesterday; Stockholm: 00:40 today
    assert timewords.when(late, NOW, "en") == "yesterday 23:40"
    assert timewords.when(late, NOW, "en", ZoneInfo("Europe/Stockholm")) == "15 hr ago"
    assert timewords.when(late, NOW, "sv", ZoneInfo("America/New_York")) == "i går 18:40"


@pytest.mark.parametrize(
    ("delta", "en", "sv"),
    [
        (timedelta(0), "less than a minute", "mindre än en minut"),
        (timedelta(minutes=1), "1 minute", "1 minut"),
        (timedelta(minutes=2), "2 minutes", "2 minuter"),
        (timedelta(hours=1), "1 hour", "1 timme"),
        (timedelta(hours=2), "2 hours", "2 timmar"),
        (timedelta(days=5), "5 days", "5 dygn"),
    ],
)
def test_durations_in_both_languages(delta: timedelta, en: str, sv: str) -> None:
    assert timewords.duration(delta, "en") == en
    assert timewords.duration(delta, "sv") == sv


def link_mails(
    database: Database, chain: list[ChainMessage], cc: tuple[MailPerson, ...], language: str
) -> dict[str, str]:
    with database.session() as s:
        process(s, SITE, mail("m1@firma.se", chain, cc=cc, language=language), TO_GATEWAY)
        return {
            o.recipient: message_from_bytes(o.raw, policy=policy.default).get_content()
            for o in s.scalars(select(OutboundMail).where(OutboundMail.purpose == "link"))
        }


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("sv", '"Vem har nyckel till förrådet?" – 4 inlägg från 3 personer.'),
        ("en", '"Vem har nyckel till förrådet?" – 4 posts from 3 people.'),
    ],
)
def test_the_link_mail_counts_the_posts_and_the_people_who_wrote_them(
    database: Database, language: str, expected: str
) -> None:  # noqa: F811
    # Anna asks and answers once more; Johan and Erik reply; Maria is only on CC.
    chain = [
        msg(ANNA, 19, "Vem har nyckeln?"),
        msg(JOHAN, 20, "Inte jag."),
        msg(ERIK, 21, "Inte jag heller."),
        msg(ANNA, 22, "Hittade den, tack!"),
    ]
    bodies = link_mails(database, chain, (MARIA, GATEWAY), language)
    assert set(bodies) == {ANNA.email, JOHAN.email, ERIK.email, MARIA.email}
    assert all(expected in body for body in bodies.values())


@pytest.mark.parametrize(
    ("language", "expected"),
    [("sv", "– 1 inlägg från 1 person."), ("en", "– 1 post from 1 person.")],
)
def test_the_link_mail_for_a_single_post_is_singular(
    database: Database, language: str, expected: str
) -> None:  # noqa: F811
    bodies = link_mails(database, [msg(ANNA, 19, "Vem har nyckeln?")], (JOHAN, GATEWAY), language)
    assert bodies and all(expected in body for body in bodies.values())
