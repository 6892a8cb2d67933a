"""Whether the feed pays off, on a seeded month whose figures are counted by hand.

The month (tests/stats_seed.py): Anna's question lived five days in mail among Anna,
Berit and Cecilia (David got the link mail too); on the feed Elin — never on the mail —
answered in 30 minutes.  Berit's question lived two days in mail with David, who answered
on the feed in two hours.  Berit's second question got no reply; Cecilia praised; Gustav
started a discussion that Hanna replied to.
"""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner
from db_support import database  # noqa: F401  (SQLite and PostgreSQL)
from flask.testing import FlaskClient
from sqlalchemy import select
from stats_seed import NOW, address, seed_month
from web_support import MODERATOR, app, client, sign_in, web_db, web_settings  # noqa: F401

from mailfeed.cli import main
from mailfeed.publisher.db import Database
from mailfeed.publisher.models import Invitation, Person, Praise, Thread
from mailfeed.publisher.outcomes import Period, build_report, parse_since, thread_outcome
from mailfeed.settings import Settings


def test_the_month_in_figures(database: Database) -> None:  # noqa: F811
    with database.session() as session:
        seed_month(session)
        report = build_report(session, Period(None, NOW))
    p = report.participation
    # creators: Anna, Berit, Cecilia, Gustav; engaged (others who replied or liked): Elin,
    # David, Hanna, Fredrik; only read: Ida; quiet: Jonas.
    assert (p.people, p.creators, p.engagers, p.readers, p.quiet) == (10, 4, 4, 1, 1)
    assert p.share(p.creators) == 0.4
    # mail: 5 and 2 days -> median 3.5 days; feed: 30 min and 2 h -> median 75 min.
    assert report.mail_median == 3.5 * 86400 and report.feed_median == 75 * 60
    # beyond the mail: Elin, Fredrik, Gustav, Hanna read Anna's question; Ida read Berit's.
    assert report.reach_beyond_mail == 5 and report.answerers_beyond_mail == 1
    assert (report.questions, report.answered, report.unanswered_after_day) == (3, 2, 1)
    assert report.came_back_by_mail == 1
    # Week 45: Anna and Berit asked; Cecilia, Elin, David replied and Fredrik liked; Gustav,
    # Hanna and Ida only read.  Week 46: Berit asked.  Week 47: Cecilia and Gustav started
    # threads, Hanna replied and Anna liked.
    assert report.participation_weeks == [
        ("2026-W45", 2, 4, 3),
        ("2026-W46", 1, 0, 0),
        ("2026-W47", 2, 2, 0),
    ]
    assert [(w, {k: v for k, v in c.items() if v}) for w, c in report.weekly] == [
        ("2026-W45", {"question": 2}),
        ("2026-W46", {"question": 1}),
        ("2026-W47", {"praise": 1, "discussion": 1}),
    ]
    assert dict(report.readers_per_thread)["0"] == 3
    assert dict(report.readers_per_thread)["1–5"] == 2
    assert [label for label, mail, feed in report.answer_buckets() if mail or feed] == [
        "< 1 h",
        "1–4 h",
        "1–3 d",
        "3–7 d",
    ]
    # David: 1 answer (3) + 1 reply + 1 moved (2) = 6; Elin: 3 + 1 + 1 like = 5;
    # Cecilia: 1 like + 1 moved (2) = 3; Hanna: 1 reply.  The top three are suggested.
    top = report.ambassadors[""]
    assert [(c.name, c.score) for c in top] == [
        ("David Berg", 6),
        ("Elin Berg", 5),
        ("Cecilia Berg", 3),
    ]


def test_a_shorter_period_counts_only_what_happened_in_it(database: Database) -> None:  # noqa: F811
    with database.session() as session:
        seed_month(session)
        report = build_report(session, parse_since("10d", NOW))
    p = report.participation
    assert (p.creators, p.engagers, p.readers) == (1, 1, 0)  # Gustav started, Hanna replied
    assert report.mail_spans == [] and report.feed_median is None
    assert [w for w, _ in report.weekly] == ["2026-W47"]


def test_since_is_validated() -> None:
    assert parse_since("all", NOW).since is None
    assert parse_since("2w", NOW).since == NOW.replace(day=16)
    for bad in ("30", "d", "-3d", "1y", "99999d"):
        try:
            parse_since(bad, NOW)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} accepted")


def test_the_moved_thread_panel_counts_before_and_after(database: Database) -> None:  # noqa: F811
    with database.session() as session:
        seed_month(session)
        thread = session.scalar(select(Thread).where(Thread.subject == "Nyckeln"))
        assert thread is not None
        outcome = thread_outcome(session, thread)
    assert outcome.mail_span is not None and outcome.mail_span.days == 5
    assert outcome.to_answer is not None and outcome.to_answer.total_seconds() == 1800
    assert (outcome.readers, outcome.repliers, outcome.likes, outcome.answerers_beyond_mail) == (
        5,
        1,
        1,
        1,
    )


def test_mailfeed_stats_json(web_settings: Settings, web_db: Database) -> None:  # noqa: F811
    with web_db.session() as session:
        seed_month(session)
    result = CliRunner().invoke(
        main,
        ["stats", "--since", "all", "--json"],
        env={
            "MAILFEED_DATA_DIR": str(web_settings.data_dir),
            "MAILFEED_DATABASE_URL": web_settings.db_url,
            "MAILFEED_SECRET_KEY": "x",
        },
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["participation"]["creators"] == 4 and data["participation"]["people"] == 10
    assert data["participation"]["shares"]["readers"] == 0.1
    assert data["mail_vs_feed"] == {
        "mail": 302400.0,
        "feed": 4500.0,
        "mail_questions": 2,
        "feed_answers": 2,
    }
    assert [a["email"] for a in data["ambassadors"][""]] == [
        address("David"),
        address("Elin"),
        address("Cecilia"),
    ]
    bad = CliRunner().invoke(
        main,
        ["stats", "--since", "soon"],
        env={"MAILFEED_DATA_DIR": str(web_settings.data_dir), "MAILFEED_SECRET_KEY": "x"},
    )
    assert bad.exit_code == 2 and "30d" in bad.output


def test_the_dashboard_shows_charts_tables_and_csv(client: FlaskClient, web_db: Database) -> None:  # noqa: F811
    with web_db.session() as session:
        seed_month(session)
        session.add(Person(email=MODERATOR, name="Moderator"))
    sign_in(client, web_db, address("Ida"))
    page = client.get("/stats?since=all").get_data(as_text=True)
    assert page.count('<svg class="chart"') == 5
    assert 'id="beyond-mail">5<' in page and 'id="answerers-beyond">1<' in page
    assert "Mark as ambassador" not in page  # only moderators mark
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/stats.csv?chart=participation&since=all").get_data(as_text=True)
            )
        )
    )
    assert rows[1:] == [
        ["creators", "4", "0.3636"],
        ["engagers", "4", "0.3636"],
        ["readers", "1", "0.0909"],
        ["quiet", "2", "0.1818"],
    ]
    assert client.get("/stats.csv?chart=nope").status_code == 400
    assert client.get("/stats?since=forever").status_code == 400


def test_the_thread_page_shows_the_move_and_read_by_to_its_author(
    client: FlaskClient, web_db: Database
) -> None:  # noqa: F811
    with web_db.session() as session:
        seed_month(session)
        thread = session.scalar(select(Thread).where(Thread.subject == "Nyckeln"))
        assert thread is not None
        path = f"/t/{thread.id}-{thread.slug}"
    sign_in(client, web_db, address("Anna"))
    page = client.get(path).get_data(as_text=True)
    assert "first reply after 30 minutes" in page and "Answered after 30 minutes" in page
    assert "1 of the repliers was never on the mail" in page  # singular for 1
    assert 'id="read-by">Read by 5<' in page  # Anna's own view was already counted


def test_a_moderator_marks_an_ambassador_shown_on_the_profile(
    client: FlaskClient, web_db: Database
) -> None:  # noqa: F811
    with web_db.session() as session:
        people = seed_month(session)
        david_id = people["David"].id
    sign_in(client, web_db, MODERATOR)
    page = client.get("/stats?since=all").get_data(as_text=True)
    assert page.count("Mark as ambassador") == 3
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        f"/stats/ambassador/{david_id}?since=all", data={"csrf_token": token, "on": "1"}
    )
    assert response.status_code == 302
    assert 'badge-ambassador">Ambassador' in client.get(f"/people/{david_id}").get_data(
        as_text=True
    )
    assert client.post(f"/stats/ambassador/{david_id}", data={"on": "1"}).status_code in (
        400,
        403,
    )  # no CSRF token: refused


def test_only_moderators_mark_ambassadors(client: FlaskClient, web_db: Database) -> None:  # noqa: F811
    with web_db.session() as session:
        people = seed_month(session)
        david_id = people["David"].id
    sign_in(client, web_db, address("Ida"))
    page = client.get("/stats").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert (
        client.post(
            f"/stats/ambassador/{david_id}", data={"csrf_token": token, "on": "1"}
        ).status_code
        == 403
    )


def test_departments_split_participation_and_ambassadors(database: Database) -> None:  # noqa: F811
    with database.session() as session:
        people = seed_month(session)
        for name in ("Anna", "Berit", "Cecilia"):
            people[name].department = "Ekonomi"
        for name in ("David", "Elin", "Fredrik"):
            people[name].department = "IT"
        whole = build_report(session, Period(None, NOW))
        it = build_report(session, Period(None, NOW), department="IT")
    assert {d: [c.name for c in cs] for d, cs in whole.ambassadors.items()} == {
        "": ["Hanna Berg"],
        "Ekonomi": ["Cecilia Berg"],
        "IT": ["David Berg", "Elin Berg"],
    }
    p = it.participation  # IT started nothing; all three replied or liked
    assert (p.people, p.creators, p.engagers, p.readers) == (3, 0, 3, 0)
    assert list(it.ambassadors) == ["IT"]


def test_praising_and_answering_an_invitation_count_as_taking_part(database: Database) -> None:  # noqa: F811
    with database.session() as session:
        people = seed_month(session)
        t4 = session.scalar(select(Thread).where(Thread.subject == "Tack!"))
        assert t4 is not None
        session.add(
            Praise(
                thread_id=t4.id,
                recipient_id=people["Cecilia"].id,
                giver_id=people["Jonas"].id,
                created=t4.created,
            )
        )
        session.add(
            Invitation(
                thread_id=t4.id,
                person_id=people["Ida"].id,
                status="accepted",
                created=t4.created,
                responded=t4.created,
            )
        )
        p = build_report(session, Period(None, NOW)).participation
    assert (p.creators, p.engagers, p.readers, p.quiet) == (4, 6, 0, 0)
