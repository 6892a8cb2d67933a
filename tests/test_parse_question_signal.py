"""ParsedMail.is_question says what the policy will read: the subject counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailfeed.parsers.mail import parse_mail
from mailfeed.parsers.questions import chain_signals, is_question

CASES = sorted((Path(__file__).resolve().parent / "data" / "mail").glob("*/*.eml"))


def _mail(subject: str, body: str) -> bytes:
    return (
        f"From: Karin Holm <karin@bolag.se>\nTo: feed@bolag.se\nSubject: {subject}\n"
        "Date: Wed, 02 Dec 2026 08:00:00 +0100\nContent-Type: text/plain; charset=utf-8\n"
        f"Content-Transfer-Encoding: 8bit\n\n{body}\n"
    ).encode()


def test_a_question_only_in_the_subject_is_a_question() -> None:
    assert parse_mail(_mail("Vem har nyckeln till förrådet?", "Se rubriken.\n\n/Karin")).is_question


def test_a_statement_is_no_question() -> None:
    assert not parse_mail(_mail("Förrådet", "Nyckeln hänger i receptionen.\n\n/Karin")).is_question


@pytest.mark.parametrize("eml", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_agrees_with_the_policy_signal(eml: Path) -> None:
    parsed = parse_mail(eml.read_bytes())
    assert parsed.is_question is chain_signals(parsed.chain, parsed.subject).question


# Question marks of other scripts ask too: full-width, Arabic, Greek (";" and U+037E).
@pytest.mark.parametrize(
    "text",
    [
        "資料を送りました。明日の会議に来られますか？よろしくお願いします。",
        "هل يمكنك إرسال الملف اليوم؟",
        "Μπορείς να έρθεις αύριο;",
        "Μπορείς να έρθεις αύριο\u037e",
        "明日の会議に来られますか。",  # the question particle and a full stop
        "你明天能来吗。",
    ],
)
def test_questions_in_other_scripts(text: str) -> None:
    assert is_question(text)


def test_a_semicolon_after_latin_words_asks_nothing() -> None:
    assert not is_question("We meet at five; bring the keys.")
