"""Thread titles and RFC 5256 base subjects across the languages our users' clients write."""

from __future__ import annotations

import pytest

from mailfeed.parsers.subjects import base_subject, is_forward_subject, normalize_subject


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        ("SV: Var finns nycklarna?", "Var finns nycklarna?"),
        ("VB: SV: Re: Parkering", "Parkering"),
        ("Re[2]: AW: Druckerkontingent", "Druckerkontingent"),
        ("WG: Antw: Schlüssel", "Schlüssel"),
        ("TR: RE: Réunion", "Réunion"),
        ("RV: Re: Reunión", "Reunión"),
        ("Vs: Sv: Lounas", "Lounas"),
        ("Odp: Fwd: Spotkanie", "Spotkanie"),
        ("[it-support] Re: Skrivaren", "Skrivaren"),
        ("Fwd: Kaffe (fwd)", "Kaffe"),
        ("Fråga: vem äger skrivaren?", "Fråga: vem äger skrivaren?"),
        ("", ""),
    ],
)
def test_titles_lose_prefixes_and_list_tags(raw: str, title: str) -> None:
    assert normalize_subject(raw) == title


@pytest.mark.parametrize(
    ("raw", "forward"),
    [
        ("VB: Nycklar", True),
        ("Fwd: Keys", True),
        ("WG: Schlüssel", True),
        ("TR: Clés", True),
        ("SV: Nycklar", False),
        ("Re: Fwd: Keys", False),
        ("Nycklar", False),
    ],
)
def test_forward_prefixes(raw: str, forward: bool) -> None:
    assert is_forward_subject(raw) is forward


def test_base_subject_follows_rfc_5256() -> None:
    # RFC 5256 §2.1: blobs, "re:"/"fwd:" prefixes, "(fwd)" trailers and "[fwd: …]"
    assert base_subject("Re: [list] Re: Hello  world (fwd)") == "hello world"
    assert base_subject("[fwd: Re: Hello]") == "hello"
    assert base_subject("[only a blob]") == "[only a blob]"
    assert base_subject("SV: Hej") == base_subject("Hej")
