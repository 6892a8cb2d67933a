"""Reacting on the web: reply in Markdown, like, @-mention, mark the answer.

Story: Anna asked; Bo answers on the web and mentions Johan, who gets a mail; Bo cannot
mark his own answer, Anna can, and the people in the thread hear it was answered.
"""

# ruff: noqa: F811 - pytest fixtures imported from web_support arrive as parameters
from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from web_support import (  # noqa: F401 - fixtures
    DOMAIN,
    MODERATOR,
    add_thread,
    app,
    attach_raw_mail,
    client,
    csrf_from,
    latest_mail,
    sign_in,
    web_db,
    web_settings,
)

from mailfeed.publisher.db import Database
from mailfeed.publisher.models import Like, Mention, OutboundMail, Person, Post, Thread

ANNA = f"anna@{DOMAIN}"
JOHAN = f"johan@{DOMAIN}"
PATH = "/t/{}-skrivaren-p-plan-3"


@pytest.fixture
def question(web_db: Database) -> int:
    return add_thread(
        web_db,
        "Skrivaren på plan 3",
        [
            (ANNA, "Anna Berg", "Skrivaren skriver bara tomma sidor. Vem vet?"),
            (JOHAN, "Johan Ek", "Inte jag."),
        ],
    )


def post_form(client: FlaskClient, page_path: str, action: str, **data: str) -> int:
    page = client.get(page_path).get_data(as_text=True)
    return client.post(action, data={"csrf_token": csrf_from(page), **data}).status_code


def test_reply_in_markdown_with_mention_notifies(
    client: FlaskClient, web_db: Database, question: int
) -> None:
    sign_in(client, web_db, f"bo@{DOMAIN}")
    status = post_form(
        client,
        PATH.format(question),
        f"/t/{question}/reply",
        body="Byt **tonern**, @johan — se också @nobody.",
    )
    assert status == 302
    page = client.get(PATH.format(question)).get_data(as_text=True)
    assert "Byt <strong>tonern</strong>" in page
    assert "Mentioned" in page and "Johan Ek" in page
    with web_db.session() as session:
        post = session.scalar(select(Post).order_by(Post.id.desc()))
        assert post is not None and post.source == "web" and post.position == 2
        mentioned = session.scalars(
            select(Person.email).join(Mention, Mention.person_id == Person.id)
        ).all()
        assert mentioned == [JOHAN]  # "@nobody" is no one we know: left as text
    mail = latest_mail(web_db, JOHAN)
    assert "mentioned you" in str(mail["Subject"])
    assert f"http://feed.test{PATH.format(question)}#p" in mail.get_content()
    api = client.get(f"/api/threads/{question}").get_json()
    assert api["posts"][-1]["author"]["email"] == f"bo@{DOMAIN}"


def test_empty_reply_is_refused(client: FlaskClient, web_db: Database, question: int) -> None:
    sign_in(client, web_db, f"bo@{DOMAIN}")
    assert post_form(client, PATH.format(question), f"/t/{question}/reply", body="   ") == 400


def test_like_toggles_and_counts(client: FlaskClient, web_db: Database, question: int) -> None:
    sign_in(client, web_db, f"bo@{DOMAIN}")
    assert post_form(client, PATH.format(question), "/p/1/like") == 302
    page = client.get(PATH.format(question)).get_data(as_text=True)
    assert 'aria-pressed="true"' in page and '<span class="like-count">1</span>' in page
    card = client.get("/").get_data(as_text=True)
    assert "1 reply" in card and "1 like" in card and "1 reader" in card
    assert post_form(client, PATH.format(question), "/p/1/like") == 302
    with web_db.session() as session:
        assert session.scalars(select(Like)).all() == []


def test_like_answers_json_for_scripts(
    client: FlaskClient, web_db: Database, question: int
) -> None:
    sign_in(client, web_db, f"bo@{DOMAIN}")
    page = client.get(PATH.format(question)).get_data(as_text=True)
    response = client.post(
        "/p/2/like", headers={"Accept": "application/json", "X-CSRF-Token": csrf_from(page)}
    )
    assert response.get_json() == {"liked": True, "likes": 1}


def test_only_asker_or_moderator_marks_the_answer(
    client: FlaskClient, web_db: Database, question: int
) -> None:
    sign_in(client, web_db, f"bo@{DOMAIN}")
    assert post_form(client, PATH.format(question), "/p/2/answer") == 403
    sign_in(client, web_db, ANNA)
    page = client.get(PATH.format(question)).get_data(as_text=True)
    assert "Mark as answer" in page
    assert post_form(client, PATH.format(question), "/p/2/answer") == 302
    with web_db.session() as session:
        thread = session.get(Thread, question)
        assert thread is not None and thread.state == "answered" and thread.answer_post_id == 2
        told = {
            r.recipient
            for r in session.scalars(select(OutboundMail).where(OutboundMail.purpose == "answered"))
        }
    assert told == {JOHAN}  # Anna marked it herself
    assert "Answered" in client.get("/?filter=answered").get_data(as_text=True)
    sign_in(client, web_db, MODERATOR)
    assert post_form(client, PATH.format(question), "/p/1/answer") == 302


def test_mention_autocomplete_lists_known_people(
    client: FlaskClient, web_db: Database, question: int
) -> None:
    sign_in(client, web_db, f"bo@{DOMAIN}")
    people = client.get("/api/people?q=jo").get_json()["people"]
    assert people == [{"name": "Johan Ek", "email": JOHAN}]
    assert client.get("/api/people?q=%25").get_json()["people"] == []


def test_notifications_on_own_page(client: FlaskClient, web_db: Database, question: int) -> None:
    sign_in(client, web_db, f"bo@{DOMAIN}")
    post_form(client, PATH.format(question), f"/t/{question}/reply", body=f"@{JOHAN} kolla")
    sign_in(client, web_db, JOHAN)
    feed = client.get("/").get_data(as_text=True)
    assert 'Notifications <span class="count">1</span>' in feed
    page = client.get("/notifications").get_data(as_text=True)
    assert "Notifications" in page and "Skrivaren på plan 3" in page
    assert 'Notifications <span class="count">' not in client.get("/").get_data(as_text=True)
    mentioning = client.get("/?filter=mentions").get_data(as_text=True)
    assert "Skrivaren på plan 3" in mentioning


def test_author_deletes_own_post_moderator_hides_any(
    client: FlaskClient, web_db: Database, question: int
) -> None:
    sign_in(client, web_db, JOHAN)
    assert post_form(client, PATH.format(question), "/p/1/hide") == 403  # Anna's post
    assert post_form(client, PATH.format(question), "/p/2/hide") == 302  # his own
    assert "Inte jag." not in client.get(PATH.format(question)).get_data(as_text=True)
    assert [p["id"] for p in client.get(f"/api/threads/{question}").get_json()["posts"]] == [1]
    assert post_form(client, PATH.format(question), f"/t/{question}/hide") == 403
    sign_in(client, web_db, MODERATOR)
    assert post_form(client, PATH.format(question), f"/t/{question}/hide") == 302
    assert client.get(PATH.format(question)).status_code == 404
    assert client.get("/api/threads").get_json()["threads"] == []


def test_reply_can_be_kudos(client: FlaskClient, web_db: Database, question: int) -> None:
    sign_in(client, web_db, f"bo@{DOMAIN}")
    post_form(
        client, PATH.format(question), f"/t/{question}/reply", body="Snyggt löst!", praise="1"
    )
    page = client.get(PATH.format(question)).get_data(as_text=True)
    assert 'class="post post-praise' in page


def test_original_mail_only_for_participants(
    client: FlaskClient,
    web_db: Database,
    web_settings,
    question: int,  # type: ignore[no-untyped-def]
) -> None:
    raw = b"From: anna@firma.se\r\nSubject: Skrivaren\r\n\r\nHej\r\n"
    mail_id = attach_raw_mail(web_db, web_settings, question, raw)
    original = f"/t/{question}/mail/{mail_id}.eml"
    sign_in(client, web_db, f"bo@{DOMAIN}")
    assert "Original mail" not in client.get(PATH.format(question)).get_data(as_text=True)
    assert client.get(original).status_code == 403
    sign_in(client, web_db, JOHAN)
    assert "Original mail" in client.get(PATH.format(question)).get_data(as_text=True)
    response = client.get(original)
    assert response.status_code == 200 and response.data.startswith(b"From: anna@firma.se")
    assert response.headers["Content-Disposition"].startswith("attachment")
    response.close()
