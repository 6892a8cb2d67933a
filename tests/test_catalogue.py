"""The message catalogue is complete: every word the code and templates ask for is in it.

The msgids are extracted from the sources the way `make messages` does (Babel's extractors
over the rings and `templates/`, driven by babel.cfg), then compared with both .po files:
each must be there, not fuzzy, and Swedish must have a translation with the same
placeholders.  And a mail has no words outside the catalogue: rendered in Swedish and in
English, no line of prose comes out the same.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from mailfeed.publisher import catalogue

ROOT = Path(__file__).resolve().parent.parent
# The same keywords as `make messages` (Makefile): Babel's defaults plus Flask-Babel's lazy ones.
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "lazy_pgettext": ((1, "c"), 2)}
MAIL_TEMPLATES = sorted(p.stem for p in (ROOT / "templates" / "mail").glob("*.txt"))


def _key(context: str | None, message_id: str | tuple[str, ...]) -> tuple[str | None, str]:
    singular = message_id[0] if isinstance(message_id, tuple) else message_id
    return context, singular


def used_messages() -> dict[tuple[str | None, str], tuple[str, ...]]:
    """(context, msgid) -> all its msgid forms, for every message the sources use."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[tuple[str | None, str], tuple[str, ...]] = {}
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        forms = message if isinstance(message, tuple) else (message,)
        found[_key(context, message)] = tuple(f for f in forms if f)
    return found


def load(language: str) -> Catalog:
    with catalogue.po_path(language).open("rb") as source:
        return read_po(source, locale=language)


def test_extraction_sees_the_templates_the_mail_and_the_code() -> None:
    used = used_messages()
    # One of each kind of source, so a broken babel.cfg cannot pass by finding nothing.
    assert (None, "Skip to content") in used  # templates/web/base.html
    assert (None, "Re: %(subject)s") in used  # templates/mail/*.txt
    assert (None, "Mentioning me") in used  # web/i18n.py (lazy_gettext)
    assert (None, "yesterday %(time)s") in used  # publisher/timewords.py
    assert ("thread state", "Answered") in used and (None, "Answered") in used
    assert used[(None, "%(num)d person")] == ("%(num)d person", "%(num)d people")


@pytest.mark.parametrize("language", catalogue.LANGUAGES)
def test_every_message_used_is_in_the_catalogue(language: str) -> None:
    po = load(language)
    have = {_key(m.context, m.id): m for m in po if m.id}
    used = used_messages()
    missing = sorted(str(k) for k in used if k not in have)
    assert not missing, f"not in {language}/messages.po (run `make messages`): {missing}"
    fuzzy = sorted(str(k) for k, m in have.items() if m.fuzzy)
    assert not fuzzy, f"fuzzy in {language}/messages.po, check the translation: {fuzzy}"
    unused = sorted(str(k) for k in have if k not in used)
    assert not unused, f"no longer used, in {language}/messages.po (run `make messages`): {unused}"
    for key, forms in used.items():
        entry = have[key]
        assert (entry.id if isinstance(entry.id, tuple) else (entry.id,)) == forms, key


def test_every_swedish_message_is_translated_with_the_same_placeholders() -> None:
    po = load("sv")
    assert po.num_plurals == 2
    for message in po:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(s.strip() for s in strings), f"untranslated: {message.id!r}"
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(re.findall(r"%\(\w+\)[sd]", " ".join(ids)))
        for text in strings:
            assert set(re.findall(r"%\(\w+\)[sd]", text)) == wanted, message.id
    # Babel's own checks (python-format and plural forms) find nothing either.
    assert [(m.id, errors) for m, errors in po.check()] == []


SAMPLE = {
    "subject": "Q-SUBJECT",
    "site_name": "Q-SITE",
    "gateway": "q-gateway@firma.se",
    "public_url": "https://q-feed.firma.se",
    "author": "Q-AUTHOR",
    "excerpt": "Q-EXCERPT",
    "link": "https://q-link",
    "email": "q@firma.se",
    "body": "Q-BODY",
    "url": "https://q-url",
    "mute_url": "https://q-mute",
    "asker": True,
    "posts": 4,
    "people": 3,
    "similar": [{"subject": "Q-SIMILAR", "url": "https://q-similar"}],
    "why": "",
    "domain": "q-domain.example",
    "reason": "Q-REASON",
    "messages": 4,
    "publish_url": "https://q-publish",
    "decline_url": "https://q-decline",
    "name": "Q-NAME",
    "week": "Q-WEEK",
    "base": "https://q-base",
    "unsubscribe": "https://q-off",
    "waiting": [{"subject": "Q-WAITING", "path": "/t/1"}],
    "could_move": [{"subject": "Q-MOVE"}],
    "events": [({"subject": "Q-EVENT", "path": "/t/4"}, "Q-WHEN")],
    "answered": [{"subject": "Q-ANSWERED", "path": "/t/2"}],
    "praise": [{"subject": "Q-PRAISE", "path": "/t/3"}],
    # issue 9: notices, the daily notices digest, event invitations
    "kind": "mention",
    "actor": "Q-ACTOR",
    "settings_url": "https://q-settings",
    "items": [
        {"kind": "invitation", "actor": "Q-ACTOR", "subject": "Q-ITEM", "link": "https://q-i"}
    ],
    "method": "REQUEST",
    "starts": "Q-STARTS",
    "ends": "Q-ENDS",
    "place": "Q-PLACE",
}
_VALUES = re.compile(r"Q-[A-Z]+|\S*q[-.@][\w.@/:-]*|\b\d+\b")


@pytest.mark.parametrize("template", MAIL_TEMPLATES)
def test_a_mail_has_no_words_outside_the_catalogue(template: str) -> None:
    sv = catalogue.render_mail(template, "sv", **SAMPLE)
    en = catalogue.render_mail(template, "en", **SAMPLE)
    assert sv.subject != en.subject or sv.subject.strip() == "Q-SUBJECT"
    for line in set(sv.body.splitlines()) & set(en.body.splitlines()):
        words = _VALUES.sub("", line)
        assert not re.search(r"[^\W\d_]{2,}", words), f"{template}: same in both: {line!r}"


def test_mail_language_follows_the_recipient_with_one_rule() -> None:
    assert [catalogue.language_for(x) for x in ("sv", "sv-SE", "nb", "da", "de", "en-GB")] == [
        "sv",
        "sv",
        "sv",
        "sv",
        "en",
        "en",
    ]
    assert catalogue.language_for(None, "sv") == "sv" and catalogue.language_for("", "en") == "en"
