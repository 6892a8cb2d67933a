"""Structure first, words second (issue 10): boundaries and footers known by their shape
in languages whose words the tables do not hold.  Each rule with a case it must read and
a case it must leave alone."""

from __future__ import annotations

import pytest

from mailfeed.parsers.mail import parse_text
from mailfeed.parsers.marks import Shape, classify
from mailfeed.parsers.signatures import is_mobile_line, strip_signature


def test_a_header_block_in_an_unknown_language_is_read_by_its_shape() -> None:
    # Albanian labels, which no table lists: an address, a date, an address, a subject.
    text = (
        "Po, e kam rregulluar.\n\n"
        "Nga: Arben Hoxha <arben@shembull.al>\nDërguar: 24.11.2026 09:12\n"
        "Për: Elira Berisha <elira@shembull.al>\nTema: Printeri\n\n"
        "Printeri në katin e dytë nuk punon. Kush mund ta rregullojë?\n"
    )
    mail = parse_text(text)
    assert [m.author.email for m in mail.chain] == ["arben@shembull.al", None]
    assert mail.chain[0].date == "2026-11-24T09:12:00"
    assert mail.chain[0].subject == "Printeri"
    assert mail.new_text == "Po, e kam rregulluar."


def test_label_lines_in_prose_are_no_header_block() -> None:
    text = (
        "Plan för veckan:\n\nMåndag: städning\nTisdag: möte kl 10:00\n"
        "Onsdag: inventering\n\nHör av er om något är oklart.\n"
    )
    mail = parse_text(text)
    assert len(mail.chain) == 1 and "Onsdag: inventering" in mail.new_text


def test_an_attribution_without_a_known_verb_is_read_by_its_shape() -> None:
    text = (
        "Rendben, köszönöm!\n\n"
        "Kovács Péter <peter.kovacs@dunapart.hu> ezt írta "
        "(időpont: 2026. nov. 24., K, 9:12):\n\n"
        "> Átnéznéd a tervezetet csütörtökig?\n"
    )
    mail = parse_text(text)
    assert [(m.author.name, m.author.email) for m in mail.chain] == [
        ("Kovács Péter", "peter.kovacs@dunapart.hu"),
        (None, None),
    ]
    assert mail.chain[0].body == "Átnéznéd a tervezetet csütörtökig?"


def test_lower_case_words_before_a_name_are_not_the_name() -> None:
    text = (
        "Σύμφωνοι.\n\nΣτις Τρί 24 Νοε 2026 στις 9:12 π.μ., ο/η Νίκος Παπαδόπουλος "
        "<nikos@aigaio.gr> έγραψε:\n\n> Πότε είναι η συνάντηση;\n"
    )
    mail = parse_text(text)
    assert mail.chain[0].author.name == "Νίκος Παπαδόπουλος"


def test_a_colon_line_with_an_address_but_no_quote_below_is_prose() -> None:
    text = "Skicka frågan till anna@firma.se senast 10:00, så här:\n\nVad kostar det?\n"
    mail = parse_text(text)
    assert len(mail.chain) == 1


@pytest.mark.parametrize(
    "line",
    [
        "iPhoneから送信",
        "נשלח מה-iPhone שלי",
        "从我的iPhone发送",
        "Получить Outlook для iOS<https://aka.ms/o0ukef>",
        "Získat Outlook pro Android<https://aka.ms/AAb9ysg>",
    ],
)
def test_mobile_footers_in_any_language(line: str) -> None:
    assert is_mobile_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "My iPhone broke",
        "Купил iPhone",
        "iPhoneが壊れました。",
        "Outlook crashed again",
        "iPhone",
    ],
)
def test_a_device_named_in_a_sentence_is_no_footer(line: str) -> None:
    assert not is_mobile_line(line)


def test_a_short_line_over_the_authors_name_is_a_sign_off() -> None:
    kept, removed = strip_signature(
        "Elveszett a kártyám. Hogyan kaphatok újat?\n\nKöszönöm:\nAnikó", "Nagy Anikó"
    )
    assert kept == "Elveszett a kártyám. Hogyan kaphatok újat?" and "Anikó" in removed
    kept, _ = strip_signature("Kan du ta det?\n\nTack:\nnej, jag kan inte.", "Nagy Anikó")
    assert "nej, jag kan inte." in kept


def test_initials_and_surname_alone_are_a_signature() -> None:
    kept, removed = strip_signature(
        "Совещание переносится на среду.\n\nТ. Егорова", "Татьяна Егорова"
    )
    assert kept == "Совещание переносится на среду." and removed == "Т. Егорова"


def test_a_dash_framed_title_over_a_header_block_is_its_separator() -> None:
    lines = [
        "Odpověď níže.",
        "",
        "-------- Původní zpráva --------",
        "Od: Jan Novák <jan@firma.cz>",
        "Datum: 24.11.2026 9:12",
        "Komu: Eva <eva@firma.cz>",
        "Předmět: Klíče",
        "",
        "Kde jsou klíče?",
    ]
    marks = classify(lines)
    assert marks[2].separator == "framed" and marks[3].shape is Shape.CUE
    mail = parse_text("\n".join(lines))
    assert mail.chain[0].author.email == "jan@firma.cz" and mail.chain[0].body == "Kde jsou klíče?"
