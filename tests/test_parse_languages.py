"""Attribution lines and quoted header blocks as clients write them in our languages.

Each case is a short reply above one quoted earlier message; the parser must keep only
the reply, and read the earlier message's author and date as written (no UTC).
"""

from __future__ import annotations

import pytest

from mailfeed.parsers.headers import parse_date
from mailfeed.parsers.mail import parse_text

ATTRIBUTIONS = [
    # (line, name, email, date)
    ("Den tis 24 nov. 2026 kl 09:12 skrev Anna Berg <anna@firma.se>:",
     "Anna Berg", "anna@firma.se", "2026-11-24T09:12:00"),
    ("ons 4 dec. 2024 kl. 20:42 skrev Anna Berg <anna@firma.se>:",
     "Anna Berg", "anna@firma.se", "2024-12-04T20:42:00"),
    ("24 nov. 2026 kl. 09:12 skrev Anna Berg <anna@firma.se>:",
     "Anna Berg", "anna@firma.se", "2026-11-24T09:12:00"),
    ("Den 2026-11-24 kl. 09:12, skrev Anna Berg:", "Anna Berg", None, "2026-11-24T09:12:00"),
    ("On Nov 24, 2026, at 09:12, Anna Berg <anna@firma.se> wrote:",
     "Anna Berg", "anna@firma.se", "2026-11-24T09:12:00"),
    ("On 04/19/2011 07:10 AM, Roman Tkachenko wrote:", "Roman Tkachenko", None,
     "2011-04-19T07:10:00"),
    ("Den 15. jun. 2016 kl. 20.42 skrev Jeff Atwood <info@discourse.org>:",
     "Jeff Atwood", "info@discourse.org", "2016-06-15T20:42:00"),
    ("tir. 24. nov. 2026 kl. 09:12 skrev Lars Hansen <lars@x.dk>:",
     "Lars Hansen", "lars@x.dk", "2026-11-24T09:12:00"),
    ("ti 24.11.2026 klo 9.12 Anna Berg (anna@firma.se) kirjoitti:",
     "Anna Berg", "anna@firma.se", "2026-11-24T09:12:00"),
    ("Am Di., 24. Nov. 2026 um 09:12 Uhr schrieb Anna Berg <anna@firma.se>:",
     "Anna Berg", "anna@firma.se", "2026-11-24T09:12:00"),
    ("Le mar. 24 nov. 2026 à 09:12, Anna Berg <anna@firma.se> a écrit :",
     "Anna Berg", "anna@firma.se", "2026-11-24T09:12:00"),
    ("El 11/07/2012 06:13 p.m., Manuel Mendez escribió:", "Manuel Mendez", None,
     "2012-07-11T18:13:00"),
    ("Op 17 feb. 2015 om 11:48 heeft Piet Jansen <piet@x.nl> het volgende geschreven:",
     "Piet Jansen", "piet@x.nl", "2015-02-17T11:48:00"),
    ("Il giorno mar 24 nov 2026 alle ore 09:12 Anna Rossi <anna@x.it> ha scritto:",
     "Anna Rossi", "anna@x.it", "2026-11-24T09:12:00"),
    ("W dniu 28 listopada 2012 14:32 użytkownik Jan Kowalski <jan@x.pl> napisał:",
     "Jan Kowalski", "jan@x.pl", "2012-11-28T14:32:00"),
    ("Em ter., 24 de nov. de 2026 às 09:12, Ana Silva <ana@x.pt> escreveu:",
     "Ana Silva", "ana@x.pt", "2026-11-24T09:12:00"),
    ("On 11-Apr-2011, at 6:54 PM, Roman Tkachenko <romant@example.com> wrote:",
     "Roman Tkachenko", "romant@example.com", "2011-04-11T18:54:00"),
    ("bob@x.com wrote on 04/03/2012 05:00:00 PM:", None, "bob@x.com", "2012-04-03T17:00:00"),
    ("12.04.2012 13:32, Иван Иванов пишет:", "Иван Иванов", None, "2012-04-12T13:32:00"),
    ("在 2012年4月3日，下午4:55，Bob <bob@x.com> 写道：", "Bob", "bob@x.com",
     "2012-04-03T16:55:00"),
    ("2014-10-17 11:28 GMT+03:00 Postmaster <postmaster@example.org>:",
     "Postmaster", "postmaster@example.org", "2014-10-17T11:28:00+03:00"),
]


@pytest.mark.parametrize(("line", "name", "email", "date"), ATTRIBUTIONS,
                         ids=[a[0][:32] for a in ATTRIBUTIONS])
def test_attribution(line: str, name: str | None, email: str | None, date: str) -> None:
    mail = parse_text(f"Svar här.\n\n{line}\n\n> Gammal text.\n")
    assert mail.new_text == "Svar här."
    earlier, reply = mail.chain
    assert (earlier.author.name, earlier.author.email, earlier.date) == (name, email, date)
    assert earlier.body == "Gammal text."
    assert reply.body == "Svar här."


BLOCKS = [
    "Från: Anna Berg <anna@x.se>\nSkickat: den 24 november 2026 09:12\nTill: Bo\nÄmne: Hej",
    "-----Ursprungligt meddelande-----\nFrån: Anna Berg [mailto:anna@x.se]\n"
    "Skickat: tisdag den 24 november 2026 09:12\nTill: Bo Ek\nKopia: Cilla\nÄmne: Hej",
    "From: Anna Berg <anna@x.se>\nSent: Tuesday, November 24, 2026 9:12 AM\nTo: Bo\nSubject: Hi",
    "Von: Anna Berg <anna@x.se>\nGesendet: Dienstag, 24. November 2026 09:12\nAn: Bo\n"
    "Betreff: Hallo",
    "De : Anna Berg <anna@x.se>\nEnvoyé : mardi 24 novembre 2026 09:12\nÀ : Bo\nObjet : Salut",
    "De: Anna Berg <anna@x.se>\nEnviado el: martes, 24 de noviembre de 2026 9:12\nPara: Bo\n"
    "Asunto: Hola",
    "Van: Anna Berg <anna@x.se>\nVerzonden: dinsdag 24 november 2026 09:12\nAan: Bo\n"
    "Onderwerp: Hoi",
    "Da: Anna Berg <anna@x.se>\nInviato: martedì 24 novembre 2026 09:12\nA: Bo\nOggetto: Ciao",
    "Od: Anna Berg <anna@x.se>\nWysłano: wtorek, 24 listopada 2026 09:12\nDo: Bo\nTemat: Cześć",
    "Fra: Anna Berg <anna@x.se>\nSendt: 24. november 2026 09:12\nTil: Bo\nEmne: Hej",
    "Lähettäjä: Anna Berg <anna@x.se>\nLähetetty: tiistai 24. marraskuuta 2026 9.12\n"
    "Vastaanottaja: Bo\nAihe: Hei",
    "________________________________\n*From:* Anna Berg <anna@x.se>\n"
    "*Sent:* 24 November 2026 09:12\n*To:* Bo\n*Subject:* Hi",
]


@pytest.mark.parametrize("block", BLOCKS, ids=[b.split(":")[0][-12:] for b in BLOCKS])
def test_outlook_header_block(block: str) -> None:
    mail = parse_text(f"Svar här.\n\n{block}\n\nGammal text.\n")
    assert mail.new_text == "Svar här."
    earlier = mail.chain[0]
    assert earlier.author.email == "anna@x.se"
    assert earlier.date == "2026-11-24T09:12:00"
    assert earlier.body == "Gammal text."


@pytest.mark.parametrize(("written", "iso"), [
    ("Mon, 1 Dec 2016 00:13:37 +0100", "2016-12-01T00:13:37+01:00"),
    ("18. November 2026 um 09:30:12 MEZ", "2026-11-18T09:30:12+01:00"),
    ("19.11.26 16:10 (GMT+01:00)", "2026-11-19T16:10:00+01:00"),
    ("11/10/2026 10:00 AM", "2026-11-10T10:00:00"),
    ("Tue, Jan 01, 2019 at 12:00 PM", "2019-01-01T12:00:00"),
    ("not a date", None),
])
def test_dates_keep_their_wall_clock(written: str, iso: str | None) -> None:
    assert parse_date(written) == iso
