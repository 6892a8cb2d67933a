"""People: the directory import, /people, profiles, names instead of addresses, avatars.

Story: HR exports the directory as CSV; the operator imports it (twice — nothing changes
the second time; a file with a bad line changes nothing at all).  Anna then finds Johan
under "Ekonomi", opens his profile, and sees names — not addresses — on the feed.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from db_support import database  # noqa: F401
from flask.testing import FlaskClient
from look_support import contrast
from sqlalchemy import select
from web_support import DOMAIN, add_thread, app, client, sign_in, web_db, web_settings  # noqa: F401

from mailfeed.publisher.db import Database
from mailfeed.publisher.directory import find_people, import_directory
from mailfeed.publisher.models import Person
from mailfeed.web.render import AVATAR_COLOURS, avatar
from tests.gateway_support import mailfeed_command

CSV = (
    "email,name,title,department,manager\n"
    f"anna@{DOMAIN},Anna Berg,Controller,Ekonomi,lena@{DOMAIN}\n"
    f"johan@{DOMAIN},Johan Ek,IT-tekniker,IT,lena@{DOMAIN}\n"
    f"Lena@{DOMAIN},Lena Holm,Ekonomichef,Ekonomi,\n"
)


def run_import(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    env = {
        **os.environ,
        "MAILFEED_DATA_DIR": str(tmp_path / "data"),
        "MAILFEED_GATEWAY_ADDRESSES": f"feed@{DOMAIN}",
    }
    return subprocess.run(
        [*mailfeed_command(), "people", "import", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_import_is_idempotent_and_reports_changes(tmp_path: Path) -> None:
    first = run_import(tmp_path, CSV)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().endswith("3 added, 0 updated, 0 unchanged")
    again = run_import(tmp_path, CSV)
    assert again.stdout.strip() == "0 added, 0 updated, 3 unchanged"
    changed = run_import(tmp_path, CSV.replace("IT-tekniker,IT", "IT-chef,IT"))
    assert f"updated johan@{DOMAIN}: title" in changed.stdout
    assert changed.stdout.strip().endswith("0 added, 1 updated, 2 unchanged")


def test_cli_bad_rows_named_by_line_and_nothing_imported(tmp_path: Path) -> None:
    bad = CSV + "not-an-address,Bo Ling,,,\n" + f"anna@{DOMAIN},Anna B,,,\n"
    done = run_import(tmp_path, bad)
    assert done.returncode != 0
    assert "line 5: not an e-mail address: 'not-an-address'" in done.stderr
    assert f"line 6: anna@{DOMAIN} already on line 2" in done.stderr
    assert "nothing was imported" in done.stderr
    ok = run_import(tmp_path, CSV)  # the good rows were not half-imported before
    assert ok.stdout.strip().endswith("3 added, 0 updated, 0 unchanged"), ok.stdout


def test_import_fills_existing_people_and_finds_them(database: Database) -> None:  # noqa: F811
    with database.session() as session:
        session.add(Person(email=f"anna@{DOMAIN}", name=None))
    with database.session() as session:
        report = import_directory(session, CSV)
        assert (report.added, report.updated, report.unchanged) == (2, 1, 0)
    with database.session() as session:
        anna = session.scalar(select(Person).where(Person.email == f"anna@{DOMAIN}"))
        assert anna is not None and anna.name == "Anna Berg"
        assert anna.manager_email == f"lena@{DOMAIN}" and anna.department == "Ekonomi"
        assert [p.name for p in find_people(session, "", "Ekonomi")] == ["Anna Berg", "Lena Holm"]
        assert [p.name for p in find_people(session, "tekniker")] == ["Johan Ek"]
        assert [p.name for p in find_people(session, "holm ekonomichef")] == ["Lena Holm"]
        assert find_people(session, "nobody-by-that-name") == []


def test_header_row_checked(database: Database) -> None:  # noqa: F811
    with database.session() as session:
        report = import_directory(session, "mail,name\nx@y.se,X\n")
        assert report.errors == [
            "line 1: the header lacks the column(s) email "
            "(expected email, name, title, department, manager)"
        ]


def test_avatar_colours_readable_and_stable() -> None:
    assert len(AVATAR_COLOURS) == 10
    white = (255, 255, 255)
    rgb = [tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in AVATAR_COLOURS]
    assert min(contrast(c, white) for c in rgb) >= 4.5  # type: ignore[arg-type]
    # The colour follows the address, however the name is written.
    assert avatar("Anna Berg", "anna@firma.se")[1] == avatar("Anna B.", "Anna@Firma.se ")[1]
    assert avatar("Anna Berg", "anna@firma.se")[0] == "AB"
    assert avatar(None, "johan.ek@firma.se")[0] == "JE"
    spread = {avatar(None, f"p{i}@firma.se")[1] for i in range(60)}
    assert len(spread) >= 8  # the colours are used, not one for all


def test_directory_profile_and_names(app, client: FlaskClient, web_db: Database) -> None:  # noqa: F811
    with web_db.session() as session:
        import_directory(session, CSV)
    add_thread(
        web_db,
        "Reseräkning i nya systemet?",
        [
            (f"anna@{DOMAIN}", "Anna Berg", "Var hittar jag reseräkningen?"),
            (f"johan@{DOMAIN}", "Johan Ek", "Under Ekonomi > Resor."),
        ],
    )
    sign_in(client, web_db, f"anna@{DOMAIN}")
    home = client.get("/").get_data(as_text=True)
    assert 'class="who"' in home and "Anna Berg" in home.split('class="who"')[1][:600]
    page = client.get("/people?department=Ekonomi").get_data(as_text=True)
    assert "Anna Berg" in page and "Lena Holm" in page and "Johan Ek" not in page
    assert "Controller" in page
    found = client.get("/people?q=tekniker").get_data(as_text=True)
    assert "Johan Ek" in found and "Lena Holm" not in found
    empty = client.get("/people?q=zzzz").get_data(as_text=True)
    assert "Nobody found." in empty and 'href="/people"' in empty
    with web_db.session() as session:
        johan = session.scalar(select(Person).where(Person.email == f"johan@{DOMAIN}"))
        assert johan is not None
        johan_id = johan.id
    profile = client.get(f"/people/{johan_id}").get_data(as_text=True)
    assert "IT-tekniker" in profile and f"johan@{DOMAIN}" in profile
    assert "Reports to" in profile and "Lena Holm" in profile
    assert 'id="praise-h"' in profile
    thread = client.get("/t/1").headers["Location"]
    html = client.get(thread).get_data(as_text=True)
    assert "Johan Ek" in html and f"johan@{DOMAIN}" not in html  # names, not addresses
    assert 'class="avatar' in html
