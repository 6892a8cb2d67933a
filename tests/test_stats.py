"""/stats tells the story in numbers: five days in mail, minutes on the feed."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from web_support import DOMAIN, add_thread, app, client, sign_in, web_db, web_settings  # noqa: F401

from mailfeed.publisher.db import Database
from mailfeed.publisher.models import Post, Thread
from mailfeed.publisher.stats import collect


def test_stats_count_what_moved_and_how_fast_it_was_answered(
    client: FlaskClient, web_db: Database
) -> None:
    anna, erik = f"anna@{DOMAIN}", f"erik@{DOMAIN}"
    answered = add_thread(web_db, "Var finns nyckeln?", [(anna, "Anna Berg", "Vet någon?")])
    add_thread(web_db, "Julbordet", [(anna, "Anna Berg", "Vem bokar?")])
    add_thread(web_db, "Tack Lena!", [(erik, "Erik Ek", "Stort tack!")], kind="praise")
    with web_db.session() as s:
        thread = s.get(Thread, answered)
        reply = Post(
            thread=thread,
            author=thread.asker,
            body="Receptionen har den.",
            source="web",
            position=1,
            created=thread.created + timedelta(minutes=5),
        )
        s.add(reply)
        s.flush()
        thread.answer_post_id, thread.state = reply.id, "answered"
    with web_db.session() as s:
        stats = collect(s)
    assert (stats.threads, stats.from_mail, stats.questions, stats.answered) == (3, 3, 2, 1)
    assert stats.median_mail_life == timedelta(days=5)  # add_thread's mail phase
    assert stats.median_to_answer == timedelta(minutes=5)
    assert stats.web_posts == 1 and stats.top_answerers == [("Anna Berg", 1)]

    assert client.get("/stats").status_code == 302  # signed in only, like every page
    sign_in(client, web_db, erik)
    page = client.get("/stats").get_data(as_text=True)
    assert 'id="answered">1 / 2 (50 %)' in page
    assert 'id="to-answer">5 minutes' in page and 'id="mail-life">5 days' in page
