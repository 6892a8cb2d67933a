"""Boundaries in a body (parsers/quotes.py): attribution lines in their forms and
languages, header blocks, separators and markers."""

from __future__ import annotations

import pytest

from mailfeed.parsers.mail import parse_mail, parse_text

_MOZ_BODY = (
    "{cover}\n\n"
    "{marker}\n"
    "Subject: Offsite agenda\n"
    "Date: Mon, 2 Mar 2026 16:45:00 +0200\n"
    "From: Sofia Lind <sofia.lind@kontor.fi>\n"
    "To: Team <team@kontor.fi>\n\n"
    "The offsite moves to Espoo; buses leave at eight.\n"
)


def _chain(text: str) -> list[dict]:  # type: ignore[type-arg]
    return [m.to_json() for m in parse_text(text).chain]


ATTRIBUTIONS = [
    # (line, name, email, date)
    (
        "Den tis 24 nov. 2026 kl 09:12 skrev Anna Berg <anna@firma.se>:",
        "Anna Berg",
        "anna@firma.se",
        "2026-11-24T09:12:00",
    ),
    (
        "ons 4 dec. 2024 kl. 20:42 skrev Anna Berg <anna@firma.se>:",
        "Anna Berg",
        "anna@firma.se",
        "2024-12-04T20:42:00",
    ),
    (
        "24 nov. 2026 kl. 09:12 skrev Anna Berg <anna@firma.se>:",
        "Anna Berg",
        "anna@firma.se",
        "2026-11-24T09:12:00",
    ),
    ("Den 2026-11-24 kl. 09:12, skrev Anna Berg:", "Anna Berg", None, "2026-11-24T09:12:00"),
    (
        "On Nov 24, 2026, at 09:12, Anna Berg <anna@firma.se> wrote:",
        "Anna Berg",
        "anna@firma.se",
        "2026-11-24T09:12:00",
    ),
    (
        "On 04/19/2011 07:10 AM, Roman Tkachenko wrote:",
        "Roman Tkachenko",
        None,
        "2011-04-19T07:10:00",
    ),
    (
        "Den 15. jun. 2016 kl. 20.42 skrev Jeff Atwood <info@discourse.org>:",
        "Jeff Atwood",
        "info@discourse.org",
        "2016-06-15T20:42:00",
    ),
    (
        "tir. 24. nov. 2026 kl. 09:12 skrev Lars Hansen <lars@x.dk>:",
        "Lars Hansen",
        "lars@x.dk",
        "2026-11-24T09:12:00",
    ),
    (
        "ti 24.11.2026 klo 9.12 Anna Berg (anna@firma.se) kirjoitti:",
        "Anna Berg",
        "anna@firma.se",
        "2026-11-24T09:12:00",
    ),
    (
        "Am Di., 24. Nov. 2026 um 09:12 Uhr schrieb Anna Berg <anna@firma.se>:",
        "Anna Berg",
        "anna@firma.se",
        "2026-11-24T09:12:00",
    ),
    (
        "Le mar. 24 nov. 2026 à 09:12, Anna Berg <anna@firma.se> a écrit :",
        "Anna Berg",
        "anna@firma.se",
        "2026-11-24T09:12:00",
    ),
    (
        "El 11/07/2012 06:13 p.m., Manuel Mendez escribió:",
        "Manuel Mendez",
        None,
        "2012-07-11T18:13:00",
    ),
    (
        "Op 17 feb. 2015 om 11:48 heeft Piet Jansen <piet@x.nl> het volgende geschreven:",
        "Piet Jansen",
        "piet@x.nl",
        "2015-02-17T11:48:00",
    ),
    (
        "Il giorno mar 24 nov 2026 alle ore 09:12 Anna Rossi <anna@x.it> ha scritto:",
        "Anna Rossi",
        "anna@x.it",
        "2026-11-24T09:12:00",
    ),
    (
        "W dniu 28 listopada 2012 14:32 użytkownik Jan Kowalski <jan@x.pl> napisał:",
        "Jan Kowalski",
        "jan@x.pl",
        "2012-11-28T14:32:00",
    ),
    (
        "Em ter., 24 de nov. de 2026 às 09:12, Ana Silva <ana@x.pt> escreveu:",
        "Ana Silva",
        "ana@x.pt",
        "2026-11-24T09:12:00",
    ),
    (
        "On 11-Apr-2011, at 6:54 PM, Roman Tkachenko <romant@example.com> wrote:",
        "Roman Tkachenko",
        "romant@example.com",
        "2011-04-11T18:54:00",
    ),
    ("bob@x.com wrote on 04/03/2012 05:00:00 PM:", None, "bob@x.com", "2012-04-03T17:00:00"),
    ("12.04.2012 13:32, Иван Иванов пишет:", "Иван Иванов", None, "2012-04-12T13:32:00"),
    (
        "在 2012年4月3日，下午4:55，Bob <bob@x.com> 写道：",
        "Bob",
        "bob@x.com",
        "2012-04-03T16:55:00",
    ),
    (
        "2014-10-17 11:28 GMT+03:00 Postmaster <postmaster@example.org>:",
        "Postmaster",
        "postmaster@example.org",
        "2014-10-17T11:28:00+03:00",
    ),
]


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


def _mail(body: str, to: str = "Karin Holm <karin.holm@bolag.se>") -> bytes:
    return (
        "From: Per Nord <per.nord@bolag.se>\n"
        f"To: {to}\n"
        "Cc: feed@bolag.se\n"
        "Subject: Re: Lokalbokning\n"
        "Date: Wed, 02 Dec 2026 14:05:00 +0100\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n\n" + body
    ).encode()


@pytest.mark.parametrize(
    ("line", "name", "email", "date"),
    [
        (
            "pe 13. kesäk. 2025 klo 8.30 Liisa Korhonen <liisa@yritys.fi> kirjoitti:",
            "Liisa Korhonen",
            "liisa@yritys.fi",
            "2025-06-13T08:30:00",
        ),
        (
            "Вс, 1 сент. 2024 г. в 8:00, Мария Соколова <maria@pochta.ru> написала:",
            "Мария Соколова",
            "maria@pochta.ru",
            "2024-09-01T08:00:00",
        ),
    ],
)
def test_short_month_attributions(line: str, name: str, email: str, date: str) -> None:
    mail = parse_text(f"Kiitos / Спасибо.\n\n{line}\n\n> Vanha teksti.\n")
    assert mail.new_text == "Kiitos / Спасибо."
    (earlier, _reply) = mail.chain
    assert (earlier.author.name, earlier.author.email, earlier.date) == (name, email, date)
    assert earlier.body == "Vanha teksti."


@pytest.mark.parametrize(
    ("line", "name", "email", "date"),
    [
        (
            "2025年3月5日(水) 17:40 佐藤 健 <ken.sato@kaisha.co.jp>:",
            "佐藤 健",
            "ken.sato@kaisha.co.jp",
            "2025-03-05T17:40:00",
        ),
        (
            "2025年3月5日（水） 17:40 佐藤 健 <ken.sato@kaisha.co.jp>:",
            "佐藤 健",
            "ken.sato@kaisha.co.jp",
            "2025-03-05T17:40:00",
        ),
        (
            "2025年3月5日(水) 17:40 佐藤 健 <ken.sato@kaisha.co.jp> wrote:",
            "佐藤 健",
            "ken.sato@kaisha.co.jp",
            "2025-03-05T17:40:00",
        ),
        (
            "2025年3月5日周三 下午5:40 王伟 <wang.wei@gongsi.cn>：",
            "王伟",
            "wang.wei@gongsi.cn",
            "2025-03-05T17:40:00",
        ),
    ],
)
def test_cjk_dated_name_attribution(line: str, name: str, email: str, date: str) -> None:
    mail = parse_text(f"了解です。\n\n{line}\n\n> 古いテキスト。\n")
    assert mail.new_text == "了解です。"
    (earlier, _reply) = mail.chain
    assert (earlier.author.name, earlier.author.email, earlier.date) == (name, email, date)
    assert earlier.body == "古いテキスト。"


@pytest.mark.parametrize(
    "text",
    [
        "よろしくお願いします。\n\n2025年3月5日の議題:\n\n- 予算\n- 日程\n",
        "議題です。\n\n2025年3月5日(水) 10:00 定例会議:\n- 予算\n- 日程\n",
    ],
)
def test_cjk_dated_heading_is_not_an_attribution(text: str) -> None:
    # negative: a dated heading with no address and no quote below stays in the text
    mail = parse_text(text)
    assert len(mail.chain) == 1
    assert mail.new_text == text.strip()


@pytest.mark.parametrize(
    "marker",
    [
        "-------- Original Message --------",
        "-------- Originalnachricht --------",
        "-------- Ursprungligt meddelande --------",
    ],
)
def test_thunderbird_inline_forward(marker: str) -> None:
    mail = parse_text(_MOZ_BODY.format(cover="FYI, see below.", marker=marker))
    assert mail.is_forward
    assert mail.note == "FYI, see below."
    (forwarded,) = mail.chain
    assert forwarded.author.email == "sofia.lind@kontor.fi"
    assert forwarded.date == "2026-03-02T16:45:00+02:00"
    assert forwarded.body == "The offsite moves to Espoo; buses leave at eight."


def test_outlook_five_dash_original_message_stays_a_reply() -> None:
    # negative: Outlook's 5-dash reply marker, even above a Subject-first block
    text = _MOZ_BODY.format(cover="Works for me.", marker="-----Original Message-----")
    mail = parse_text(text)
    assert not mail.is_forward
    assert mail.new_text == "Works for me."
    assert len(mail.chain) == 2


def test_thunderbird_marker_under_a_reply_subject_is_a_reply() -> None:
    # negative: Thunderbird can be set to quote replies under the same marker; the mail's
    # own "Re:" subject then says it is a reply
    body = _MOZ_BODY.format(cover="Works for me.", marker="-------- Original Message --------")
    raw = (
        "From: Mikko Aalto <mikko.aalto@kontor.fi>\r\n"
        "To: Sofia Lind <sofia.lind@kontor.fi>\r\n"
        "Subject: Re: Offsite agenda\r\n"
        "Date: Mon, 2 Mar 2026 17:00:00 +0200\r\n"
        "Message-ID: <moz-reply@kontor.fi>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body.replace("\n", "\r\n")
    ).encode("utf-8")
    mail = parse_mail(raw)
    assert not mail.is_forward
    assert mail.new_text == "Works for me."
    assert [m.author.email for m in mail.chain] == ["sofia.lind@kontor.fi", "mikko.aalto@kontor.fi"]


@pytest.mark.parametrize(
    ("line", "name", "email", "date"),
    [
        ("ב-3.2.2026 14:05, Noam Cohen כתב/ה:", "Noam Cohen", None, "2026-02-03T14:05:00"),
        (
            "בתאריך יום ה׳, 5 במרץ 2026 ב-8:40 מאת Rina Adler <rina@example.co.il>:",
            "Rina Adler",
            "rina@example.co.il",
            "2026-03-05T08:40:00",
        ),
        (
            "في الخميس، 5 مارس 2026 8:40 ص كتب Omar Haddad <omar@example.ae>:",
            "Omar Haddad",
            "omar@example.ae",
            "2026-03-05T08:40:00",
        ),
    ],
)
def test_rtl_attributions(line: str, name: str, email: str | None, date: str) -> None:
    parsed = parse_text(f"תודה.\n\n{line}\n> שאלה קצרה\n> ועוד שורה\n")
    quoted = parsed.chain[0]
    assert (quoted.author.name, quoted.author.email, quoted.date) == (name, email, date)
    assert quoted.body == "שאלה קצרה\nועוד שורה"
    assert parsed.chain[-1].body.strip() == "תודה."


def test_rtl_prose_with_the_verb_is_no_attribution() -> None:
    text = "דנה כתב מכתב ארוך אתמול:\nהוא היה טוב.\n"
    parsed = parse_text(text)
    assert len(parsed.chain) == 1
    assert parsed.chain[0].body.strip() == text.strip()


def test_czech_and_slovak_attributions() -> None:
    text = (
        "Díky, podívám se.\n\nDne 3. 2. 2027 v 14:05 Petra Dvořáková napsala:\n\n"
        "> Posílám podklady.\n"
    )
    parsed = parse_text(text)
    assert parsed.new_text.strip() == "Díky, podívám se."
    first = _chain(text)[0]
    assert first["from"]["name"] == "Petra Dvořáková"
    assert first["date"] == "2027-02-03T14:05:00"

    sk = (
        "Súhlasím.\n\nDňa 5. 3. 2027 o 8:00 Peter Horváth <peter@x.sk> napísal(a):\n\n"
        "> Stretneme sa v piatok?\n"
    )
    first = _chain(sk)[0]
    assert first["from"] == {"name": "Peter Horváth", "email": "peter@x.sk"}


def test_czech_verb_in_prose_is_no_attribution() -> None:
    text = "Jan napsal(a) dopis a poslal ho včera.\nTo je vše.\n"
    parsed = parse_text(text)
    assert len(parsed.chain) == 1
    assert "Jan napsal(a) dopis" in (parsed.new_text or "")


def test_gender_suffix_is_not_the_author() -> None:
    for verb in ("написал(а)", "napisał(a)", "napsal(a)"):
        text = (
            f"OK.\n\n2 дек. 2026 г., в 18:40, Olga <olga@example.org> {verb}:\n\n> Текст письма.\n"
        )
        first = _chain(text)[0]
        assert first["from"] == {"name": "Olga", "email": "olga@example.org"}, verb


def test_name_after_verb_still_read() -> None:
    # Swedish-style names after the verb are still the author, not the suffix.
    text = "Ja.\n\nDen 2 dec. 2026 kl. 18:40 skrev Olga Berg <olga@example.org>:\n\n> Hej\n"
    assert _chain(text)[0]["from"] == {"name": "Olga Berg", "email": "olga@example.org"}


def test_marker_with_dash_look_alikes() -> None:
    for dash in ("\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212"):
        rule = dash * 5
        text = (
            f"Done.\n\n{rule} Original Message {rule}\nOn Monday, December 7, 2026 "
            "10:00 AM, Bo Ek <bo@example.com> wrote:\n\n> Can you check?\n"
        )
        parsed = parse_text(text)
        assert parsed.new_text.strip() == "Done.", repr(dash)
        assert parsed.chain[0].to_json()["from"]["email"] == "bo@example.com"


def test_dashes_in_prose_are_no_marker() -> None:
    text = "The original message \u2010 as I said \u2010 was fine.\nSee you.\n"
    parsed = parse_text(text)
    assert len(parsed.chain) == 1
    assert "original message" in (parsed.new_text or "")


def test_notes_header_block_flattened_onto_one_line_is_a_boundary() -> None:
    from mailfeed.parsers.mail import parse_text

    text = (
        "Ola,\n\nthe keys are with the caretaker.\n\nSara\n\n"
        "From: Ola Ås/Bolag@Bolag To: Sara Ek/Bolag@Bolag, Cc: Per Holm/Bolag@Bolag "
        "Date: 2026-03-02 14:10 Subject: Keys to the archive\n\n"
        "Sara,\n\nwho has the keys to the archive?\n\nOla\n"
    )
    mail = parse_text(text)
    assert len(mail.chain) == 2
    earlier = mail.chain[0]
    assert earlier.author.name == "Ola Ås"
    assert earlier.date == "2026-03-02T14:10:00"
    assert earlier.subject == "Keys to the archive"
    assert earlier.body.startswith("Sara,\n\nwho has the keys to the archive?")
    assert mail.chain[1].body.startswith("Ola,\n\nthe keys are with the caretaker.")


def test_prose_starting_with_from_is_not_a_flattened_header_block() -> None:
    from mailfeed.parsers.quotes import unflatten_header_lines

    for line in (
        "From: my side it is fine, to: be honest. Date: tomorrow Subject: none",
        "From: Sara To: Ola, the date: is not set yet Subject: later",
        "From: Ola Ås To: Sara Ek Subject: Keys",
    ):
        assert unflatten_header_lines([line]) == [line], line


@pytest.mark.parametrize(
    ("line", "name", "email", "date"), ATTRIBUTIONS, ids=[a[0][:32] for a in ATTRIBUTIONS]
)
def test_attribution(line: str, name: str | None, email: str | None, date: str) -> None:
    mail = parse_text(f"Svar här.\n\n{line}\n\n> Gammal text.\n")
    assert mail.new_text == "Svar här."
    earlier, reply = mail.chain
    assert (earlier.author.name, earlier.author.email, earlier.date) == (name, email, date)
    assert earlier.body == "Gammal text."
    assert reply.body == "Svar här."


@pytest.mark.parametrize("block", BLOCKS, ids=[b.split(":")[0][-12:] for b in BLOCKS])
def test_outlook_header_block(block: str) -> None:
    mail = parse_text(f"Svar här.\n\n{block}\n\nGammal text.\n")
    assert mail.new_text == "Svar här."
    earlier = mail.chain[0]
    assert earlier.author.email == "anna@x.se"
    assert earlier.date == "2026-11-24T09:12:00"
    assert earlier.body == "Gammal text."


@pytest.mark.parametrize(
    ("line", "name", "email", "date"),
    [
        (
            '>>> "Karin Holm" <karin.holm@bolag.se> 12/2/2026 1:47 PM >>>',
            "Karin Holm",
            "karin.holm@bolag.se",
            "2026-12-02T13:47:00",
        ),
        (">>> Karin Holm 2026-12-02 13:47 >>>", "Karin Holm", None, "2026-12-02T13:47:00"),
        (
            ">>> Karin Holm<karin.holm@bolag.se> 02.12.2026 13:47 >>>",
            "Karin Holm",
            "karin.holm@bolag.se",
            "2026-12-02T13:47:00",
        ),
    ],
)
def test_groupwise_attribution(line: str, name: str, email: str | None, date: str) -> None:
    parsed = parse_text(f"Stora salen är ledig.\n\n{line}\nÄr stora salen ledig på fredag?\n")
    assert [m.body for m in parsed.chain] == [
        "Är stora salen ledig på fredag?",
        "Stora salen är ledig.",
    ]
    assert (parsed.chain[0].author.name, parsed.chain[0].author.email) == (name, email)
    assert parsed.chain[0].date == date


def test_quoted_lines_starting_with_three_marks_stay_quotes() -> None:
    parsed = parse_text("Ja.\n\n>>> so nested it shows three marks\n>>> and no date >>>\n")
    assert parsed.chain[-1].body == "Ja."
    assert "so nested" in parsed.chain[0].body and parsed.chain[0].author.name is None


@pytest.mark.parametrize(
    ("line", "date"),
    [
        (
            "* Karin Holm <karin.holm@bolag.se> [2026-12-02 13:47 +0100]:",
            "2026-12-02T13:47:00+01:00",
        ),
        ("* Karin Holm <karin.holm@bolag.se> [261202 13:47]:", "2026-12-02T13:47:00"),
        ("Karin Holm <karin.holm@bolag.se> [2026-12-02 13:47]:", "2026-12-02T13:47:00"),
    ],
)
def test_mutt_bracketed_date_attribution(line: str, date: str) -> None:
    parsed = parse_text(f"{line}\n> Är stora salen ledig?\n\nJa, hela dagen.\n")
    assert [m.body for m in parsed.chain] == ["Är stora salen ledig?", "Ja, hela dagen."]
    assert parsed.chain[0].author.email == "karin.holm@bolag.se"
    assert parsed.chain[0].date == date


def test_a_bracketed_note_before_prose_is_no_attribution() -> None:
    parsed = parse_text("Agenda [draft 2026-12-02]:\n- budget\n- lokaler\n")
    assert len(parsed.chain) == 1


@pytest.mark.parametrize(
    "line",
    [
        "On Wednesday, December 2, 2026, 1:47 PM, Karin Holm<karin.holm@bolag.se> wrote:",
        "On Wed, Dec 2, 2026 at 13:47, Karin Holm<karin.holm@bolag.se> wrote:",
        "Den ons 2 dec. 2026 kl. 13:47 skrev Karin Holm<karin.holm@bolag.se>:",
    ],
)
def test_yahoo_android_attribution_run_on_with_the_quote(line: str) -> None:
    raw = _mail(
        "Jag tar fredagen.\n\nSent from Yahoo Mail for iPhone\n \n"
        f"  {line}   Hej,\nVem kan ta fredagen?\nKarin\n  \n"
    )
    parsed = parse_mail(raw)
    assert [(m.author.name, m.author.email) for m in parsed.chain] == [
        ("Karin Holm", "karin.holm@bolag.se"),
        ("Per Nord", "per.nord@bolag.se"),
    ]
    assert parsed.chain[0].date == "2026-12-02T13:47:00"
    assert parsed.chain[0].body.split() == ["Hej,", "Vem", "kan", "ta", "fredagen?", "Karin"]
    assert parsed.chain[1].body == "Jag tar fredagen."


@pytest.mark.parametrize(
    "text",
    [
        "On Monday Bob wrote: the budget is fine.\nLet us meet at 10:00.\n",
        "On 24 Nov 2026 at 9:12 the backup job wrote: disk full.\nI have cleaned it.\n",
    ],
)
def test_prose_with_wrote_and_a_colon_is_no_attribution(text: str) -> None:
    parsed = parse_text(text)
    assert len(parsed.chain) == 1 and parsed.chain[-1].body == text.strip()


def test_the_bat_you_wrote_is_the_recipient() -> None:
    raw = _mail(
        "Hello Karin,\n\nWednesday, December 2, 2026, 1:47:05 PM, you wrote:\n\n"
        "KH> Is the large room free on Friday?\n\nKH> Karin\n\n"
        "Yes, all day.\n\n-- \nBest regards,\n Per\n"
    )
    parsed = parse_mail(raw)
    first, reply = parsed.chain
    assert (first.author.name, first.author.email) == ("Karin Holm", "karin.holm@bolag.se")
    assert first.date == "2026-12-02T13:47:05"
    assert reply.body == "Hello Karin,\n\nYes, all day."


def test_you_wrote_with_several_recipients_names_nobody() -> None:
    raw = _mail(
        "Wednesday, December 2, 2026, 1:47:05 PM, you wrote:\n\n"
        "> Is the large room free on Friday?\n\nYes, all day.\n",
        to="Karin Holm <karin.holm@bolag.se>, Eva Ek <eva.ek@bolag.se>",
    )
    first = parse_mail(raw).chain[0]
    assert (first.author.name, first.author.email) == (None, None)


# The author of an attribution is the name right before the address (or the verb), without
# the attribution's own words around it, whatever the language: the trailing run of
# capitalised words in cased scripts, the last two words in scripts without case.
@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Dne 5. 3. 2026 v 8:40 odesílatel Jan Novák <jan@example.cz> napsal:", "Jan Novák"),
        ("Wiadomość wysłana przez Ewa Nowak <ewa@example.pl> dnia 05.03.2026 08:40:", "Ewa Nowak"),
        ("On 5 Mar 2026 at 08:40, Maria de la Cruz <maria@example.es> wrote:", "Maria de la Cruz"),
        ("في 5 مارس 2026 8:40 ص أرسل المستخدم سامي يوسف <sami@example.ae>:", "سامي يوسف"),
    ],
)
def test_attribution_name_without_the_words_around_it(line: str, name: str) -> None:
    parsed = parse_text(f"Ok.\n\n{line}\n> Kan du?\n")
    assert parsed.chain[0].author.name == name


@pytest.mark.parametrize(
    ("text", "email", "body"),
    [
        # Apple Mail quotes the attribution together with the mail it introduces
        (
            "Sure, Thursday works.\n\n"
            "> Kirjoitti Liisa Virtanen <liisa@example.fi> 5.3.2026 klo 8.40:\n"
            ">\n"
            "> Could we move the meeting?\n",
            "liisa@example.fi",
            "Could we move the meeting?",
        ),
        # Yahoo Mail's plain text indents the earlier message instead of quoting it
        (
            "Sure.\n\n"
            "  Per, 5 Mar 2026 08:40 tarihinde Ece Ak <ece@example.com.tr> şöyle dedi:\n"
            "   Can you send the invoice?\n",
            "ece@example.com.tr",
            "Can you send the invoice?",
        ),
    ],
)
def test_attribution_by_shape_over_a_quoted_or_indented_mail(
    text: str, email: str, body: str
) -> None:
    """An address, a clock time and a colon, in a language whose verb we need not know."""
    parsed = parse_text(text)
    assert [m.author.email for m in parsed.chain] == [email, None]
    assert parsed.chain[0].body.strip() == body
    assert parsed.chain[0].date == "2026-03-05T08:40:00"


def test_prose_naming_an_address_and_a_time_above_text_is_no_attribution() -> None:
    text = "Thanks!\n\nPlease write to Liisa <liisa@example.fi> before 8:40:\nthe room is free.\n"
    parsed = parse_text(text)
    assert len(parsed.chain) == 1


# A quoted mail (a quote that opens with a header block) with the writer's words below
# it: the words below are the writer's, above or below, in any language.
@pytest.mark.parametrize(
    "heading",
    ["Begin forwarded message:", "Välitetty viesti alkaa:", "Пересланное письмо:", ""],
)
def test_quoted_forward_with_the_forwarders_words_below(heading: str) -> None:
    text = (
        "Linnea, have a look.\n\n"
        + (f"{heading}\n\n" if heading else "")
        + "> From: Depot North <depot@example.fi>\n"
        "> Subject: Pallets\n"
        "> Date: 5 March 2026 at 08:40:00 EET\n"
        "> To: Shop <shop@example.fi>\n"
        ">\n"
        "> The pallets come on Friday.\n\n"
        "Can you be there at seven?\n"
    )
    parsed = parse_text(text)
    quoted = parsed.chain[0]
    assert (quoted.author.email, quoted.body.strip()) == (
        "depot@example.fi",
        "The pallets come on Friday.",
    )
    own = "Linnea, have a look.\n\nCan you be there at seven?"
    if heading:  # a heading over the quoted mail makes it a forward
        assert parsed.is_forward and parsed.note is not None
        assert " ".join(parsed.note.split()) == " ".join(own.split())
    else:
        assert " ".join(parsed.new_text.split()) == " ".join(own.split())


def test_short_quotes_between_answers_stay_context() -> None:
    text = "> Friday?\nYes.\n\n> Seven?\nEight.\n"
    parsed = parse_text(text)
    assert len(parsed.chain) == 1


def test_forward_closed_by_a_rule_with_the_forwarders_words_after() -> None:
    text = (
        "Sanna, this came in.\n\n"
        "-------- Videresendt melding --------\n"
        "From: Depot North <depot@example.no>\n"
        "Date: Thu, 5 Mar 2026 08:40:00 +0100\n"
        "Subject: Pallets\n\n"
        "The pallets come on Friday.\n\n"
        "-------- Slutt på videresendt melding --------\n\n"
        "Can you be there at seven?\n"
    )
    parsed = parse_text(text)
    assert parsed.is_forward and parsed.note is not None
    assert " ".join(parsed.note.split()) == "Sanna, this came in. Can you be there at seven?"
    assert parsed.chain[0].body.strip() == "The pallets come on Friday."


def test_a_reply_block_keeps_the_earlier_mails_footer() -> None:
    """Only a forward opened by a framed marker is closed by a rule: an Outlook block's
    earlier message keeps what stands under its own rule."""
    text = (
        "Thanks.\n\n"
        "From: Depot North <depot@example.no>\n"
        "Sent: Thursday, March 5, 2026 8:40 AM\n"
        "To: Shop <shop@example.no>\n"
        "Subject: Pallets\n\n"
        "The pallets come on Friday.\n\n"
        "________________________________\n"
        "Depot North, Harbour Road 1\n"
    )
    parsed = parse_text(text)
    assert parsed.chain[-1].body.strip() == "Thanks."


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("05.03.2026 08:40, Liis Tamm kirjutas:", "Liis Tamm"),
        ("Dne 5. 3. 26 v 8:40 Jan Novák napsal(a):", "Jan Novák"),
        ("Στις 5/3/2026 8:40 π.μ., ο/η Νίκος Ρήγας έγραψε:", "Νίκος Ρήγας"),
    ],
)
def test_name_only_attribution_by_shape(line: str, name: str) -> None:
    """A date and a clock time, a capitalised name, a verb we need not know, a colon,
    and a quote right below: an attribution in any cased script."""
    parsed = parse_text(f"Ok.\n\n{line}\n> Kas saad?\n")
    assert (parsed.chain[0].author.name, parsed.chain[0].date) == (name, "2026-03-05T08:40:00")


def test_a_dated_line_without_a_name_above_a_quote_is_no_attribution() -> None:
    parsed = parse_text("Ok.\n\n05.03.2026 08:40, as agreed:\n> Kas saad?\n")
    assert parsed.chain[0].author.name is None


# A list server's footer below everything, quotes included, in any language: a rule and
# a short block ending in a link or an address.  It belongs to no message of the chain.
@pytest.mark.parametrize(
    "footer",
    [
        "---\nDu får detta för att du är med i listan.\nAvsluta: https://lists.example.se/u/1",
        "________________________________\nKerho-lista\nEroa: kerho-leave@lists.example.fi",
        "-=-=-=-=-=-=-\nLinks: https://groups.example/g/club\n-=-=-=-=-=-=-",
    ],
)
def test_list_footer_under_the_quote_is_no_ones(footer: str) -> None:
    text = (
        "Tuesday is fine.\n\n"
        "On 5 Mar 2026 at 08:40, Liisa Virtanen <liisa@example.fi> wrote:\n"
        "> When do we meet?\n" + footer + "\n"
    )
    parsed = parse_text(text)
    assert [m.body.strip() for m in parsed.chain] == ["When do we meet?", "Tuesday is fine."]


def test_a_footer_shown_as_an_example_mid_text_stays() -> None:
    text = (
        "The footer will look like this:\n\n---\nclub mailing list\nclub@lists.example.org\n\n"
        "Use its link to leave.\n\nThanks,\nJean\n"
    )
    parsed = parse_text(text)
    assert "club@lists.example.org" in parsed.chain[0].body


def test_header_block_by_shape_with_notes_canonical_names() -> None:
    """Lotus Notes names people "Name/Org/Domain@Domain", in labels of any language."""
    text = (
        "Godkänt.\n\n"
        "Lähettäjä:\tLiisa Virtanen/Helsinki/FIRMA@FIRMA\n"
        "Vastaanottaja:\tAnna Berg/Stockholm/FIRMA@FIRMA\n"
        "Päivämäärä:\t2026-03-05 08:40\n"
        "Aihe:\tBudget\n\n"
        "Kan du godkänna budgeten?\n"
    )
    parsed = parse_text(text)
    assert parsed.chain[0].author.name == "Liisa Virtanen"
    assert parsed.chain[0].date == "2026-03-05T08:40:00"
    assert parsed.chain[0].body.strip() == "Kan du godkänna budgeten?"
