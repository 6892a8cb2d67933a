"""One outgoing-mail module: every mail the gateway sends is composed by `publisher.outgoing`.

One language rule, one template loader with the subject in the template, stable
Message-IDs from the idempotency key, and Auto-Submitted chosen by what caused the mail.
"""

from __future__ import annotations

import ast
from email import message_from_bytes, policy

import pytest
from sqlalchemy import func, select

from mailfeed.parsers.policy import PolicyContext
from mailfeed.publisher.db import Database
from mailfeed.publisher.models import OutboundMail
from mailfeed.publisher.outgoing import ANSWERS, mail_language, queue_mail, render_mail
from mailfeed.publisher.site import Site
from tests.conftest import ROOT
from tests.db_support import database  # noqa: F401 - fixture

SITE = Site(
    base_url="https://feed.firma.se",
    gateway_address="feed@firma.se",
    policy=PolicyContext(gateway_addresses=("feed@firma.se",)),
    secret_key="k",
)
VALUES = {  # every value a mail template may ask for
    "subject": "Nyckel till förrådet?",
    "url": "https://feed.firma.se/t/1",
    "posts": 1,
    "people": 1,
    "similar": [{"subject": "Förrådet", "url": "https://feed.firma.se/t/2"}],
    "site_name": "Mailfeed",
    "gateway": "feed@firma.se",
    "public_url": "https://feed.firma.se",
    "reason": "r",
    "advice": "a",
    "messages": 4,
    "publish_url": "u",
    "decline_url": "d",
    "author": "Anna Berg",
    "body": "Hej",
    "mute_url": "m",
    "asker": True,
    "email": "a@firma.se",
    "link": "https://feed.firma.se/login/x",
    "excerpt": "Hej",
    "why": "confidential",
    "domain": "firma.se",
}
SITE_VALUES = {"site_name", "gateway", "public_url"}  # queue_mail adds these from the Site
LINK = {k: v for k, v in VALUES.items() if k not in SITE_VALUES}
TEMPLATES = ["answered", "comment", "link", "mention", "reject", "signin", "suggest"]


@pytest.mark.parametrize(
    ("language", "default", "expected"),
    [
        ("sv", "en", "sv"),
        ("no", "en", "sv"),
        ("da", "en", "sv"),
        ("nb-NO", "en", "sv"),
        ("en", "sv", "en"),
        ("de", "sv", "en"),
        (None, "sv", "sv"),
        (None, "en", "en"),
        ("", "en", "en"),
    ],
)
def test_one_language_rule(language: str | None, default: str, expected: str) -> None:
    assert mail_language(language, default) == expected


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_template_has_its_subject_in_both_languages(template: str, lang: str) -> None:
    rendered = render_mail(template, lang, **VALUES)
    assert rendered.subject and "\n" not in rendered.subject
    assert rendered.body.strip() and not rendered.body.startswith("Subject:")


def test_queued_once_with_a_stable_id_and_the_right_auto_submitted(database: Database) -> None:
    with database.session() as session:
        first = queue_mail(
            session,
            SITE,
            template="link",
            language="sv",
            key="link:1:a",
            recipient="anna.berg@firma.se",
            in_reply_to="orig@firma.se",
            **LINK,
        )
        again = queue_mail(
            session,
            SITE,
            template="link",
            language="sv",
            key="link:1:a",
            recipient="anna.berg@firma.se",
            **LINK,
        )
        signin = queue_mail(
            session,
            SITE,
            template="signin",
            language="en",
            key="signin:n",
            recipient="anna.berg@firma.se",
            email="anna.berg@firma.se",
            link="https://feed.firma.se/login/x",
        )
        assert first.id == again.id
        assert session.scalar(select(func.count()).select_from(OutboundMail)) == 2
        link = message_from_bytes(first.raw, policy=policy.default)
        sign = message_from_bytes(signin.raw, policy=policy.default)
    assert link["Subject"] == "SV: Nyckel till förrådet?"
    assert link["Message-ID"] == f"<{first.message_id}>" and first.message_id.endswith("@firma.se")
    assert link["Auto-Submitted"] == "auto-replied" and link["In-Reply-To"] == "<orig@firma.se>"
    assert sign["Auto-Submitted"] == "auto-generated"
    assert sign["Subject"] == "Your sign-in link for the feed"
    for mail in (link, sign):
        assert mail["X-Auto-Response-Suppress"] == "All"
        assert str(mail["From"]) == "Mailfeed <feed@firma.se>"
    assert "link" in ANSWERS and "signin" not in ANSWERS


def test_only_the_catalogue_loads_mail_templates() -> None:
    """Mail text comes from one loader (the catalogue's, used by `publisher.outgoing`); a
    second Jinja environment would drift again."""
    loaders = []
    modules = [
        p
        for ring in ("gateway", "parsers", "publisher", "web")
        for p in sorted((ROOT / ring).rglob("*.py"))
    ]
    for path in [*modules, *sorted((ROOT / "mailfeed").glob("*.py"))]:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "jinja2":
                loaders.append(str(path.relative_to(ROOT)))
    assert loaders == ["publisher/catalogue.py"]
