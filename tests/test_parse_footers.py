"""Footers of HTML-only mail: a closing, a contact table and a disclaimer all go."""

from __future__ import annotations

import pytest

from mailfeed.parsers.mail import parse_mail


@pytest.mark.parametrize(
    "disclaimer",
    [
        "Detta meddelande kan innehålla sekretessbelagd information och är bara avsett "
        "för adressaten.",
        "This message may contain confidential information intended only for the addressee.",
    ],
)
def test_html_newsletter_footer_table_and_disclaimer_go(disclaimer: str) -> None:
    html = (
        "<html><body><table><tr><td><p>Hej alla,</p><p>Kontoret är stängt den 8 december."
        "</p><p>Hälsningar<br>Kansliet</p></td></tr><tr><td><table><tr>"
        "<td>Bolaget AB<br>Storgatan 1, 111 22 Stad</td>"
        "<td>Tel 08-123 456 78<br><a href='mailto:kansli@bolag.se'>kansli@bolag.se</a></td>"
        f"</tr></table><p>{disclaimer}</p></td></tr></table></body></html>"
    )
    raw = (
        "From: Kansliet <kansli@bolag.se>\nTo: alla@bolag.se\nSubject: Stängt\n"
        "Date: Wed, 02 Dec 2026 08:00:00 +0100\nMIME-Version: 1.0\n"
        "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + html
    ).encode()
    body = parse_mail(raw).chain[-1].body
    assert body.split() == "Hej alla, Kontoret är stängt den 8 december.".split()
