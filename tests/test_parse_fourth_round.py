"""Client behaviours exposed by the fourth (bare-body) round, each in other words.

Every rule has a positive case written with other names, dates and wording than the
fixture in `tests/data/bodies/`, and a negative case that must not trigger it.
"""

from __future__ import annotations

import pytest

from mailfeed.parsers.headers import parse_date
from mailfeed.parsers.mail import parse_mail, parse_text

# --- abbreviated month names with a dot (Gmail / CLDR short forms) -----------------------

@pytest.mark.parametrize(("written", "iso"), [
    # Finnish: "<stem>k." for every month, "klo", time with a dot
    ("ma 2. helmik. 2025 klo 17.05", "2025-02-02T17:05:00"),
    ("pe 13. kesäk. 2025 klo 8.30", "2025-06-13T08:30:00"),
    ("la 6. jouluk. 2025 klo 23.59", "2025-12-06T23:59:00"),
    ("su 1. syysk. 2024 klo 0.01", "2024-09-01T00:01:00"),
    # Russian: "февр.", "сент.", "нояб.", "г." and "в" before the time
    ("пт, 7 февр. 2025 г. в 17:05", "2025-02-07T17:05:00"),
    ("Вс, 1 сент. 2024 г. в 8:00", "2024-09-01T08:00:00"),
    ("ср, 5 нояб. 2025 г. в 23:40", "2025-11-05T23:40:00"),
    ("чт, 15 мая 2025 г. в 10:00", "2025-05-15T10:00:00"),
    # negative: a word that merely starts like a month stem is no month
    ("Elokuvat alkavat klo 9.12 ja 2025 oli hyvä vuosi", None),
    ("сентиментальный 2025 в 10:00", None),
])
def test_short_month_names_with_a_dot(written: str, iso: str | None) -> None:
    assert parse_date(written) == iso


@pytest.mark.parametrize(("line", "name", "email", "date"), [
    ("pe 13. kesäk. 2025 klo 8.30 Liisa Korhonen <liisa@yritys.fi> kirjoitti:",
     "Liisa Korhonen", "liisa@yritys.fi", "2025-06-13T08:30:00"),
    ("Вс, 1 сент. 2024 г. в 8:00, Мария Соколова <maria@pochta.ru> написала:",
     "Мария Соколова", "maria@pochta.ru", "2024-09-01T08:00:00"),
])
def test_short_month_attributions(line: str, name: str, email: str, date: str) -> None:
    mail = parse_text(f"Kiitos / Спасибо.\n\n{line}\n\n> Vanha teksti.\n")
    assert mail.new_text == "Kiitos / Спасибо."
    (earlier, _reply) = mail.chain
    assert (earlier.author.name, earlier.author.email, earlier.date) == (name, email, date)
    assert earlier.body == "Vanha teksti."


# --- closings in Russian and other languages open a sign-off block ----------------------

@pytest.mark.parametrize(("body", "kept"), [
    ("Документы во вложении.\n\nС наилучшими пожеланиями,\nДмитрий Орлов\nЮрист",
     "Документы во вложении."),
    ("Надсилаю рахунок.\n\nЗ повагою,\nОксана Шевченко\nМенеджер з продажу",
     "Надсилаю рахунок."),
    ("Segue o contrato em anexo.\n\nAtenciosamente,\nJoão Pereira\nAnalista financeiro",
     "Segue o contrato em anexo."),
])
def test_foreign_closing_starts_a_signature(body: str, kept: str) -> None:
    mail = parse_text(body + "\n")
    assert mail.new_text == kept


def test_foreign_closing_followed_by_a_sentence_is_kept() -> None:
    # negative: after "Спасибо!" comes a sentence of the message, not a name or title
    body = "Получил отчёт.\n\nСпасибо!\nЗавтра пришлю замечания по второму разделу.\n"
    mail = parse_text(body)
    assert mail.new_text == body.strip()


# --- Gmail's verbless CJK attribution: date, time, name, address, colon ------------------

@pytest.mark.parametrize(("line", "name", "email", "date"), [
    ("2025年3月5日(水) 17:40 佐藤 健 <ken.sato@kaisha.co.jp>:",
     "佐藤 健", "ken.sato@kaisha.co.jp", "2025-03-05T17:40:00"),
    ("2025年3月5日（水） 17:40 佐藤 健 <ken.sato@kaisha.co.jp>:",
     "佐藤 健", "ken.sato@kaisha.co.jp", "2025-03-05T17:40:00"),
    ("2025年3月5日(水) 17:40 佐藤 健 <ken.sato@kaisha.co.jp> wrote:",
     "佐藤 健", "ken.sato@kaisha.co.jp", "2025-03-05T17:40:00"),
    ("2025年3月5日周三 下午5:40 王伟 <wang.wei@gongsi.cn>：",
     "王伟", "wang.wei@gongsi.cn", "2025-03-05T17:40:00"),
])
def test_cjk_dated_name_attribution(line: str, name: str, email: str, date: str) -> None:
    mail = parse_text(f"了解です。\n\n{line}\n\n> 古いテキスト。\n")
    assert mail.new_text == "了解です。"
    (earlier, _reply) = mail.chain
    assert (earlier.author.name, earlier.author.email, earlier.date) == (name, email, date)
    assert earlier.body == "古いテキスト。"


@pytest.mark.parametrize("text", [
    "よろしくお願いします。\n\n2025年3月5日の議題:\n\n- 予算\n- 日程\n",
    "議題です。\n\n2025年3月5日(水) 10:00 定例会議:\n- 予算\n- 日程\n",
])
def test_cjk_dated_heading_is_not_an_attribution(text: str) -> None:
    # negative: a dated heading with no address and no quote below stays in the text
    mail = parse_text(text)
    assert len(mail.chain) == 1
    assert mail.new_text == text.strip()


# --- Thunderbird's 8-dash "Original Message" above a Subject-first table is a forward ----

_MOZ_BODY = (
    "{cover}\n\n"
    "{marker}\n"
    "Subject: Offsite agenda\n"
    "Date: Mon, 2 Mar 2026 16:45:00 +0200\n"
    "From: Sofia Lind <sofia.lind@kontor.fi>\n"
    "To: Team <team@kontor.fi>\n\n"
    "The offsite moves to Espoo; buses leave at eight.\n"
)


@pytest.mark.parametrize("marker", [
    "-------- Original Message --------",
    "-------- Originalnachricht --------",
    "-------- Ursprungligt meddelande --------",
])
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
