"""General rules behind the sixth round of bare-body cases (tests/data/bodies/r6_*),
each tested with other wording than the case and with a negative case."""

from __future__ import annotations

from parsers.mail import parse_text


def _chain(text: str) -> list[dict]:  # type: ignore[type-arg]
    return [m.to_json() for m in parse_text(text).chain]


def test_czech_and_slovak_attributions() -> None:
    text = ("Díky, podívám se.\n\nDne 3. 2. 2027 v 14:05 Petra Dvořáková napsala:\n\n"
            "> Posílám podklady.\n")
    parsed = parse_text(text)
    assert parsed.new_text.strip() == "Díky, podívám se."
    first = _chain(text)[0]
    assert first["from"]["name"] == "Petra Dvořáková"
    assert first["date"] == "2027-02-03T14:05:00"

    sk = ("Súhlasím.\n\nDňa 5. 3. 2027 o 8:00 Peter Horváth <peter@x.sk> napísal(a):\n\n"
          "> Stretneme sa v piatok?\n")
    first = _chain(sk)[0]
    assert first["from"] == {"name": "Peter Horváth", "email": "peter@x.sk"}


def test_czech_verb_in_prose_is_no_attribution() -> None:
    text = "Jan napsal(a) dopis a poslal ho včera.\nTo je vše.\n"
    parsed = parse_text(text)
    assert len(parsed.chain) == 1
    assert "Jan napsal(a) dopis" in (parsed.new_text or "")


def test_gender_suffix_is_not_the_author() -> None:
    for verb in ("написал(а)", "napisał(a)", "napsal(a)"):
        text = (f"OK.\n\n2 дек. 2026 г., в 18:40, Olga <olga@example.org> {verb}:\n\n"
                "> Текст письма.\n")
        first = _chain(text)[0]
        assert first["from"] == {"name": "Olga", "email": "olga@example.org"}, verb


def test_name_after_verb_still_read() -> None:
    # Swedish-style names after the verb are still the author, not the suffix.
    text = "Ja.\n\nDen 2 dec. 2026 kl. 18:40 skrev Olga Berg <olga@example.org>:\n\n> Hej\n"
    assert _chain(text)[0]["from"] == {"name": "Olga Berg", "email": "olga@example.org"}
