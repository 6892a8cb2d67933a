"""Starting things on the feed: the composer at /new, praise, invitations, mentions and
the notifications they make.

Story: Anna asks a question and invites Johan and Bo, who see the invitation in the app
and by mail in their own language; she praises Johan with a badge; a draft with a
mistake comes back with everything she typed and the reason in her language.
"""

# ruff: noqa: F811 - pytest fixtures imported from web_support arrive as parameters
from __future__ import annotations

import re
from datetime import datetime
from email import message_from_bytes, policy

from flask.testing import FlaskClient
from sqlalchemy import func, select
from web_support import (  # noqa: F401 - fixtures
    DOMAIN,
    add_thread,
    app,
    client,
    csrf_from,
    sign_in,
    web_db,
    web_settings,
)

from mailfeed.publisher.db import Database
from mailfeed.publisher.models import (
    Invitation,
    Notification,
    OutboundMail,
    Person,
    Post,
    Praise,
    Thread,
    Upload,
)

ANNA = f"anna@{DOMAIN}"
JOHAN = f"johan@{DOMAIN}"
BO = f"bo@{DOMAIN}"


def people(db: Database) -> None:
    add_thread(db, "Gammal tråd", [(JOHAN, "Johan Ek", "Hej"), (BO, "Bo Ling", "Hej själv")])
    with db.session() as session:
        bo = session.scalar(select(Person).where(Person.email == BO))
        assert bo is not None
        bo.language = "sv"


def compose(client: FlaskClient, **fields: object) -> tuple[int, str, str]:
    page = client.get("/new").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), **fields}
    response = client.post("/new", data=data, content_type="multipart/form-data")
    return (
        response.status_code,
        response.headers.get("Location", ""),
        response.get_data(as_text=True),
    )


def mails_to(db: Database, address: str) -> list[tuple[str, str]]:
    with db.session() as session:
        rows = session.scalars(
            select(OutboundMail).where(OutboundMail.recipient == address).order_by(OutboundMail.id)
        ).all()
        out = []
        for row in rows:
            message = message_from_bytes(row.raw, policy=policy.default)
            out.append((str(message["Subject"]), row.purpose))
        return out


def test_every_page_has_the_new_post_button(client: FlaskClient, web_db: Database) -> None:
    sign_in(client, web_db, ANNA)
    page = client.get("/").get_data(as_text=True)
    assert 'class="new-post" href="/new"' in page
    client.get("/lang/sv")
    assert "Nytt inlägg" in client.get("/").get_data(as_text=True)


def test_a_question_inviting_two_people_notifies_them(
    client: FlaskClient, web_db: Database
) -> None:
    people(web_db)
    sign_in(client, web_db, ANNA)
    status, location, _ = compose(
        client,
        kind="question",
        subject="Var finns projektorn?",
        body="Någon som vet var **projektorn** är?",
        invite=f"{JOHAN}, {BO}",
    )
    assert status == 303 and re.fullmatch(r"/t/\d+-var-finns-projektorn", location)
    page = client.get(location).get_data(as_text=True)
    assert "Invited (2)" in page and "Johan Ek" in page and "Bo Ling" in page
    assert "<strong>projektorn</strong>" in page
    with web_db.session() as session:
        thread = session.scalar(select(Thread).where(Thread.subject == "Var finns projektorn?"))
        assert thread is not None and thread.kind == "question" and thread.origin == "web"
        invited = session.scalars(
            select(Person.email).join(Invitation, Invitation.person_id == Person.id)
        ).all()
        assert sorted(invited) == [BO, JOHAN]
    assert ("Anna invited you: Var finns projektorn?", "notice-invitation") in [
        (s.replace(ANNA, "Anna"), p) for s, p in mails_to(web_db, JOHAN)
    ]
    # Bo reads Swedish: his mail is in Swedish.
    assert any(s.endswith("bjöd in dig: Var finns projektorn?") for s, _ in mails_to(web_db, BO))
    sign_in(client, web_db, JOHAN)
    assert 'Notifications <span class="count">1</span>' in client.get("/").get_data(as_text=True)
    notices = client.get("/notifications").get_data(as_text=True)
    assert "invited you to" in notices and "Var finns projektorn?" in notices
    assert 'Notifications <span class="count">' not in client.get("/").get_data(as_text=True)


def test_praise_with_badge_shows_on_profiles_and_tells_the_recipient(
    client: FlaskClient, web_db: Database
) -> None:
    people(web_db)
    sign_in(client, web_db, ANNA)
    status, location, _ = compose(
        client,
        kind="praise",
        subject="Tack Johan!",
        body="Johan räddade kundmötet.",
        praise=JOHAN,
        badge="customer-hero",
    )
    assert status == 303
    page = client.get(location).get_data(as_text=True)
    assert "Praised" in page and "Customer hero" in page
    with web_db.session() as session:
        row = session.scalar(select(Praise))
        assert row is not None and row.badge == "customer-hero"
        assert row.recipient.email == JOHAN and row.giver is not None
        johan_id, anna_id = row.recipient_id, row.giver_id
        assert session.scalar(select(Post.kind)) is not None
    johan = client.get(f"/people/{johan_id}").get_data(as_text=True)
    assert re.search(r"Praise received <span class=\"count\">1</span>", johan)
    anna = client.get(f"/people/{anna_id}").get_data(as_text=True)
    assert re.search(r"Praise given <span class=\"count\">1</span>", anna)
    assert any("praised you" in s for s, _ in mails_to(web_db, JOHAN))


def test_a_refused_draft_keeps_everything_typed_and_says_why_in_swedish(
    client: FlaskClient, web_db: Database
) -> None:
    people(web_db)
    sign_in(client, web_db, ANNA)
    client.get("/lang/sv")
    status, _, page = compose(
        client,
        kind="event",
        subject="Julbord",
        body="Välkomna!",
        starts="2026-12-18T18:00",
        ends="2026-12-18T17:00",
        place="Matsalen",
        invite=JOHAN,
    )
    assert status == 400
    assert "Aktiviteten slutar innan den börjar." in page
    assert 'value="Julbord"' in page and "Välkomna!" in page and 'value="Matsalen"' in page
    assert 'value="2026-12-18T18:00"' in page and "Johan Ek" in page  # the chip keeps his name
    status, _, page = compose(
        client, kind="question", subject="Fråga", body="Hej?", invite="kim@partner.example"
    )
    assert status == 400 and "kim@partner.example finns utanför organisationen" in page
    status, _, page = compose(client, kind="poll", subject="Fråga", body="Hej?")
    assert status == 400 and "”poll” är ingen sorts inlägg" in page
    status, _, page = compose(client, kind="question", subject="Fråga", body="   ")
    assert status == 400 and "texten är tom" in page
    status, _, page = compose(client, kind="question", subject="Fråga", body="x" * 20_001)
    assert status == 400 and "för lång" in page
    with web_db.session() as session:
        assert session.scalar(select(func.count(Thread.id))) == 1  # only the old one
        assert session.scalar(select(func.count(Invitation.id))) == 0


def test_attachments_are_stored_served_and_shown(client: FlaskClient, web_db: Database) -> None:
    import io

    sign_in(client, web_db, ANNA)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    status, location, _ = compose(
        client,
        kind="idea",
        subject="Ny logga?",
        body="Se bilden.",
        files=[
            (io.BytesIO(png), "logga.png", "image/png"),
            (io.BytesIO(b"a;b\n1;2\n"), "siffror.csv", "text/csv"),
        ],
    )
    assert status == 303
    page = client.get(location).get_data(as_text=True)
    images = re.findall(r'<img src="(/uploads/\d+/logga.png)"', page)
    assert len(images) == 1 and "siffror.csv" in page
    served = client.get(images[0])
    assert served.status_code == 200 and served.data == png
    assert served.headers["Content-Type"] == "image/png"
    csv = client.get(re.search(r'href="(/uploads/\d+/siffror.csv)"', page)[1])  # type: ignore[index]
    assert csv.headers["Content-Disposition"].startswith("attachment")
    with web_db.session() as session:
        assert session.scalar(select(func.count(Upload.id))) == 2


def test_mentions_chosen_as_chips_and_written_as_at_names_notify_once(
    client: FlaskClient, web_db: Database
) -> None:
    people(web_db)
    sign_in(client, web_db, ANNA)
    status, location, _ = compose(
        client,
        kind="discussion",
        subject="Fika",
        body="Fika kl 15? @Bo Ling och @johan",
        mention=BO,
    )
    assert status == 303
    with web_db.session() as session:
        notified = session.execute(
            select(Person.email, Notification.kind).join(
                Notification, Notification.person_id == Person.id
            )
        ).all()
        assert sorted(notified) == [(BO, "mention"), (JOHAN, "mention")]


def test_people_on_the_thread_come_first_in_suggestions(
    client: FlaskClient, web_db: Database
) -> None:
    thread = add_thread(web_db, "Lunch", [(f"bertil@{DOMAIN}", "Bertil", "Pizza?")])
    add_thread(web_db, "Annat", [(f"berit@{DOMAIN}", "Berit", "Hej")])
    add_thread(web_db, "Tredje", [(f"bengt@{DOMAIN}", "Bengt", "Hej")])
    sign_in(client, web_db, ANNA)
    plain = client.get("/api/people?q=be").get_json()["people"]
    assert [p["name"] for p in plain][:1] == ["Bengt"]
    first = client.get(f"/api/people?q=be&thread={thread}").get_json()["people"]
    assert first[0]["name"] == "Bertil"
    assert client.get("/api/people?q=zz").get_json()["people"] == []


MORNING = datetime(2026, 12, 1, 7, 0)


def test_notification_mail_preference_daily_and_never(
    client: FlaskClient, web_db: Database, web_settings: object
) -> None:
    from mailfeed.publisher import notifications
    from mailfeed.settings import build_site

    people(web_db)
    sign_in(client, web_db, JOHAN)
    page = client.get("/settings").get_data(as_text=True)
    client.post("/settings", data={"csrf_token": csrf_from(page), "mail": "daily"})
    assert 'value="daily" checked' in client.get("/settings").get_data(as_text=True)
    assert (
        client.post("/settings", data={"csrf_token": csrf_from(page), "mail": "hourly"}).status_code
        == 400
    )
    sign_in(client, web_db, ANNA)
    compose(client, kind="question", subject="A?", body="a", invite=JOHAN)
    compose(client, kind="question", subject="B?", body="b", invite=JOHAN)
    assert mails_to(web_db, JOHAN) == [m for m in mails_to(web_db, JOHAN) if m[1] == "signin"]
    site = build_site(web_settings)  # type: ignore[arg-type]
    with web_db.session() as session:
        assert notifications.send_digests(session, site, datetime(2026, 12, 1, 5, 0)) == 0
        assert notifications.send_digests(session, site, MORNING) == 1
        assert notifications.send_digests(session, site, MORNING) == 0  # once a day
    digests = [m for m in mails_to(web_db, JOHAN) if m[1] == "notice-digest"]
    assert len(digests) == 1
    with web_db.session() as session:
        row = session.scalar(select(OutboundMail).where(OutboundMail.purpose == "notice-digest"))
        assert row is not None
        text = message_from_bytes(row.raw, policy=policy.default).get_content()
        assert "A?" in text and "B?" in text
    sign_in(client, web_db, BO)
    page = client.get("/settings").get_data(as_text=True)
    client.post("/settings", data={"csrf_token": csrf_from(page), "mail": "never"})
    sign_in(client, web_db, ANNA)
    compose(client, kind="question", subject="C?", body="c", invite=BO)
    assert [m for m in mails_to(web_db, BO) if m[1] != "signin"] == []
    with web_db.session() as session:
        assert notifications.send_digests(session, site, MORNING) == 0
        bo_notices = session.scalar(
            select(func.count(Notification.id))
            .join(Person, Person.id == Notification.person_id)
            .where(Person.email == BO)
        )
        assert bo_notices == 1  # still seen in the app


def test_an_event_from_the_composer_and_its_going_buttons(
    client: FlaskClient, web_db: Database
) -> None:
    people(web_db)
    sign_in(client, web_db, ANNA)
    status, location, _ = compose(
        client,
        kind="event",
        subject="Jullunch",
        body="Välkomna!",
        starts="2026-12-18T12:30",
        ends="2026-12-18T14:00",
        tz_offset="-60",
        place="Tre Bröder",
        invite=f"{JOHAN},{BO}",
    )
    assert status == 303
    page = client.get(location).get_data(as_text=True)
    assert "18 Dec 2026 11:30" in page and "Tre Bröder" in page  # 12:30 in UTC+1
    assert "Going (0)" in page
    # Shown in the reader's zone, like every time on the pages (issue 16): 12:30 in Stockholm.
    client.set_cookie("tz", "Europe/Stockholm", domain="localhost")
    assert "18 Dec 2026 12:30" in client.get(location).get_data(as_text=True)
    client.delete_cookie("tz", domain="localhost")
    with web_db.session() as session:
        assert {
            o.recipient
            for o in session.scalars(select(OutboundMail).where(OutboundMail.purpose == "event"))
        } == {JOHAN, BO}
    thread_id = int(re.search(r"/t/(\d+)", location)[1])  # type: ignore[index]
    sign_in(client, web_db, JOHAN)
    page = client.get(location).get_data(as_text=True)
    response = client.post(
        f"/t/{thread_id}/rsvp", data={"csrf_token": csrf_from(page), "status": "accepted"}
    )
    assert response.status_code == 303
    page = client.get(location).get_data(as_text=True)
    assert re.search(r"Going \(1\):</strong>\s*<a class=\"person-chip\"[^>]*>Johan Ek", page)
    assert 'value="accepted" aria-pressed="true"' in page
    sign_in(client, web_db, BO)
    page = client.get(location).get_data(as_text=True)
    client.post(f"/t/{thread_id}/rsvp", data={"csrf_token": csrf_from(page), "status": "declined"})
    assert (
        client.post(
            f"/t/{thread_id}/rsvp", data={"csrf_token": csrf_from(page), "status": "bogus"}
        ).status_code
        == 400
    )
    with web_db.session() as session:
        answers = dict(
            session.execute(
                select(Person.email, Invitation.status).join(
                    Invitation, Invitation.person_id == Person.id
                )
            ).all()
        )
        assert answers == {JOHAN: "accepted", BO: "declined"}


def test_a_news_thread_links_to_the_original_and_takes_comments_and_likes(
    client: FlaskClient, web_db: Database
) -> None:
    from mailfeed.publisher import news

    with web_db.session() as session:
        thread = news.record(
            session,
            "https://intra/feed",
            news.NewsEntry(
                "urn:1",
                "Nytt kaffe",
                "https://intra.firma.se/kaffe",
                "Gratis kaffe.",
                None,
                "Intranätet",
            ),
            "sv",
        )
        assert thread is not None
        path, post_id = thread.path, thread.posts[0].id
    sign_in(client, web_db, ANNA)
    page = client.get(path).get_data(as_text=True)
    assert 'href="https://intra.firma.se/kaffe"' in page and "Read the original" in page
    assert "News" in page and "Moved from mail" not in page
    csrf = csrf_from(page)
    assert client.post(f"/p/{post_id}/like", data={"csrf_token": csrf}).status_code == 302
    reply = client.post(
        path.split("-")[0] + "/reply", data={"csrf_token": csrf, "body": "Äntligen!"}
    )
    assert reply.status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "Äntligen!" in page and '<span class="like-count">1</span>' in page


def test_the_organiser_changes_and_cancels_an_event_and_invitees_are_mailed(
    client: FlaskClient, web_db: Database
) -> None:
    from icalendar import Calendar

    people(web_db)
    sign_in(client, web_db, ANNA)
    _, location, _ = compose(
        client,
        kind="event",
        subject="Fika",
        body="Kom!",
        starts="2026-12-01T14:00",
        ends="2026-12-01T15:00",
        invite=JOHAN,
    )
    thread_id = int(re.search(r"/t/(\d+)", location)[1])  # type: ignore[index]
    csrf = csrf_from(client.get(location).get_data(as_text=True))
    bad = client.post(
        f"/t/{thread_id}/event",
        data={"csrf_token": csrf, "starts": "2026-12-01T15:00", "ends": "2026-12-01T14:00"},
    )
    assert bad.status_code == 400 and "ends before it starts" in bad.get_data(as_text=True)
    moved = client.post(
        f"/t/{thread_id}/event",
        data={
            "csrf_token": csrf,
            "starts": "2026-12-01T15:00",
            "ends": "2026-12-01T16:00",
            "place": "Köket",
            "tz_offset": "0",
        },
    )
    assert moved.status_code == 303
    sign_in(client, web_db, JOHAN)
    page = client.get(location).get_data(as_text=True)
    assert (
        client.post(
            f"/t/{thread_id}/event/cancel", data={"csrf_token": csrf_from(page)}
        ).status_code
        == 403
    )
    sign_in(client, web_db, ANNA)
    page = client.get(location).get_data(as_text=True)
    assert (
        client.post(
            f"/t/{thread_id}/event/cancel", data={"csrf_token": csrf_from(page)}
        ).status_code
        == 303
    )
    assert "Cancelled" in client.get(location).get_data(as_text=True)
    with web_db.session() as session:
        rows = session.scalars(
            select(OutboundMail).where(OutboundMail.purpose == "event").order_by(OutboundMail.id)
        ).all()
        seen = []
        for row in rows:
            message = message_from_bytes(row.raw, policy=policy.default)
            part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
            cal = Calendar.from_ical(part.get_payload(decode=True))
            [vevent] = cal.walk("VEVENT")
            seen.append((row.recipient, str(cal["method"]), int(vevent["sequence"])))
    assert seen == [(JOHAN, "REQUEST", 0), (JOHAN, "REQUEST", 1), (JOHAN, "CANCEL", 2)]
    page = client.get(location).get_data(as_text=True)
    assert (
        client.post(
            f"/t/{thread_id}/rsvp", data={"csrf_token": csrf_from(page), "status": "accepted"}
        ).status_code
        == 409
    )


def test_a_thread_page_costs_the_same_queries_for_two_or_twenty_invited(
    client: FlaskClient, web_db: Database
) -> None:
    from sqlalchemy import event

    sign_in(client, web_db, ANNA)
    counts = []
    for size in (2, 20):
        invite = ", ".join(f"p{size}-{n}@{DOMAIN}" for n in range(size))
        _, location, _ = compose(
            client, kind="praise", subject=f"Tack {size}", body="Tack!", praise=BO, invite=invite
        )
        client.get(location)  # the first view records it; count a steady-state view
        statements: list[str] = []

        def count(*args: object, sink: list[str] = statements) -> None:
            sink.append(str(args[2]))

        event.listen(web_db.engine, "before_cursor_execute", count)
        try:
            page = client.get(location).get_data(as_text=True)
        finally:
            event.remove(web_db.engine, "before_cursor_execute", count)
        assert f"Invited ({size}):" in page
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_the_composer_invites_a_department(client: FlaskClient, web_db: Database) -> None:
    people(web_db)
    with web_db.session() as session:
        for person in session.scalars(select(Person).where(Person.email.in_([JOHAN, BO]))):
            person.department = "Ekonomi"
    sign_in(client, web_db, ANNA)
    assert 'name="invite_department"' in client.get("/new").get_data(as_text=True)
    status, location, _ = compose(
        client,
        kind="question",
        subject="Bokslutet",
        body="Vem kan hjälpa?",
        invite_department="Ekonomi",
    )
    assert status == 303
    page = client.get(location).get_data(as_text=True)
    assert "Johan Ek" in page and "Bo Ling" in page
    assert [s for s, _ in mails_to(web_db, BO)]  # told, in their language
