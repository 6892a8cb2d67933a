"""Reading values in a body (parsers/headers.py): dates as written, in many languages."""

from __future__ import annotations

import pytest

from mailfeed.parsers.headers import parse_date


@pytest.mark.parametrize(
    ("written", "iso"),
    [
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
    ],
)
def test_short_month_names_with_a_dot(written: str, iso: str | None) -> None:
    assert parse_date(written) == iso


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("Mon, 1 Dec 2016 00:13:37 +0100", "2016-12-01T00:13:37+01:00"),
        ("18. November 2026 um 09:30:12 MEZ", "2026-11-18T09:30:12+01:00"),
        ("19.11.26 16:10 (GMT+01:00)", "2026-11-19T16:10:00+01:00"),
        ("11/10/2026 10:00 AM", "2026-11-10T10:00:00"),
        ("Tue, Jan 01, 2019 at 12:00 PM", "2019-01-01T12:00:00"),
        ("not a date", None),
    ],
)
def test_dates_keep_their_wall_clock(written: str, iso: str | None) -> None:
    assert parse_date(written) == iso


# Month names, weekdays and a.m./p.m. words come from CLDR for every locale, so a date
# in a language no one typed a table for still reads.  Written here in our own words:
@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("sobota, 7. března 2026 14:30", "2026-03-07T14:30:00"),  # Czech genitive
        ("Πέμπτη, 5 Μαρτίου 2026 11:05 μ.μ.", "2026-03-05T23:05:00"),  # Greek, p.m.
        ("5 Mar 2026 Per 08:40", "2026-03-05T08:40:00"),  # Turkish: "Per" is Thursday
        ("2026년 3월 5일 (목) 오전 11:05", "2026-03-05T11:05:00"),  # Korean marks, a.m. first
        ("2026. 3. 5. 오후 1:05", "2026-03-05T13:05:00"),  # year first, dotted
        ("2026年3月5日 下午1:05", "2026-03-05T13:05:00"),
        ("5. kovo 2026, 10:20", "2026-03-05T10:20:00"),  # Lithuanian genitive
        ("5. mars 2026 kl. 10:20", "2026-03-05T10:20:00"),
        ("5 martie 2026, 1:05 p.m.", "2026-03-05T13:05:00"),  # Romanian
        ("czw., 5 mar 2026 o 09:15", "2026-03-05T09:15:00"),  # Polish short forms
        ("Th 5, 5 thg 3, 2026 lúc 09:15", "2026-03-05T09:15:00"),  # Vietnamese: word + number
    ],
)
def test_dates_in_any_cldr_locale(written: str, iso: str) -> None:
    assert parse_date(written) == iso


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        # "Ana" is a p.m. word in one locale, but after the time it names the writer
        ("Em 05/03/2026 09:15, Ana escreveu:", "2026-03-05T09:15:00"),
        ("5 Mar 2026 09:15 Ana wrote", "2026-03-05T09:15:00"),
        # "em" (Portuguese "in") before a time is no meridiem either
        ("em 05/03/2026 09:15", "2026-03-05T09:15:00"),
    ],
)
def test_meridiem_words_are_read_only_where_locales_write_them(written: str, iso: str) -> None:
    assert parse_date(written) == iso


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("5. března 2026 v 9:02:00 SEČ", "2026-03-05T09:02:00+01:00"),  # Czech CET
        ("5 de março de 2026 09:12:00 BRT", "2026-03-05T09:12:00-03:00"),
        ("2026年3月5日 9:12:00 JST", "2026-03-05T09:12:00+09:00"),
        ("5. März 2026 um 09:12:00 MESZ", "2026-03-05T09:12:00+02:00"),
        ("Thu, Mar 5, 2026 at 9:12 AM CDT", "2026-03-05T09:12:00-05:00"),
    ],
)
def test_short_zone_names_of_any_locale(written: str, iso: str) -> None:
    assert parse_date(written) == iso
