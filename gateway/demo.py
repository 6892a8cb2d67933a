"""Demo threads for `mailfeed serve --demo`: realistic Swedish and English reply chains.

They go through the real pipeline (spool -> parser -> publisher) with source "demo", so
the demo shows what the gateway does with mail, and no link replies are sent for them.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from mailfeed.gateway.spool import Spool

STOCKHOLM = timezone(timedelta(hours=1))
ORG = "firma.se"


def _sv_date(d: datetime) -> str:
    months = [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ]
    days = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"]
    return f"den {days[d.weekday()]} {d.day} {months[d.month - 1]} {d.year} {d:%H:%M}"


def _en_date(d: datetime) -> str:
    return f"{d:%A, %B} {d.day}, {d.year} {d:%I:%M %p}"


def _outlook_chain(
    subject: str,
    messages: list[tuple[str, str, str]],
    gateway: str,
    start: datetime,
    swedish: bool,
    cc_extra: list[str],
) -> bytes:
    """An Outlook-desktop-style top-posted chain: newest on top, header blocks below."""
    labels = ("Från", "Skickat", "Till", "Ämne") if swedish else ("From", "Sent", "To", "Subject")
    prefix = "SV: " if swedish else "RE: "
    dates = [start + timedelta(hours=5 * i, minutes=7 * i) for i in range(len(messages))]
    body = ""
    for i, (name, _email, text) in enumerate(messages):
        if i == 0:
            body = text
            continue
        prev_name, prev_email, _ = messages[i - 1]
        to = ", ".join(n for n, _e, _t in messages[:i] if n != prev_name) or name
        when = _sv_date(dates[i - 1]) if swedish else _en_date(dates[i - 1])
        subj = (prefix if i > 1 else "") + subject
        header = (
            f"{labels[0]}: {prev_name} <{prev_email}>\n{labels[1]}: {when}\n"
            f"{labels[2]}: {to}\n{labels[3]}: {subj}\n"
        )
        body = f"{text}\n\n{header}\n{body}"
    name, email, _ = messages[-1]
    msg = EmailMessage()
    msg["From"] = formataddr((name, email))
    others = [formataddr((n, e)) for n, e, _ in messages[:-1] if e != email]
    if others:
        msg["To"] = ", ".join(dict.fromkeys(others))
        msg["Cc"] = ", ".join([gateway, *cc_extra])
    else:
        msg["To"] = ", ".join([gateway, *cc_extra])
    msg["Subject"] = (prefix if len(messages) > 1 else "") + subject
    msg["Date"] = format_datetime(dates[-1])
    digest = hashlib.sha256(f"{subject}|{email}".encode()).hexdigest()[:16]
    msg["Message-ID"] = f"<demo.{digest}@{ORG}>"
    msg.set_content(body)
    return msg.as_bytes()


DEMO_THREADS: list[tuple[str, bool, list[tuple[str, str, str]]]] = [
    (
        "Vem har nyckel till förrådet på plan 3?",
        True,
        [
            (
                "Anna Berg",
                f"anna.berg@{ORG}",
                "Hej alla,\n\nVet någon vem som har nyckel till förrådet på plan 3? Vi "
                "behöver hämta "
                "stolarna till fredagens frukostmöte.\n\nMvh\nAnna",
            ),
            (
                "Johan Lind",
                f"johan.lind@{ORG}",
                "Nej tyvärr, men fråga Erik på fastighet, han brukar veta.",
            ),
            (
                "Erik Sandberg",
                f"erik.sandberg@{ORG}",
                "Inte jag längre! Receptionen tog över nycklarna i höstas, tror jag.",
            ),
            (
                "Maria Holm",
                f"maria.holm@{ORG}",
                "Receptionen har den, men man måste kvittera ut den före kl 16.",
            ),
        ],
    ),
    (
        "Hur ansluter jag till VPN:en hemifrån?",
        True,
        [
            (
                "Sara Ek",
                f"sara.ek@{ORG}",
                "Hej!\n\nHur gör man för att ansluta till VPN:en hemifrån på en Mac? Guiden på "
                "intranätet verkar gälla Windows.\n\nTack på förhand!",
            ),
            ("Johan Lind", f"johan.lind@{ORG}", "Bra fråga, jag undrar samma sak."),
        ],
    ),
    (
        "Stort tack till Lena för flytten!",
        True,
        [
            (
                "Per Nyström",
                f"per.nystrom@{ORG}",
                "Stort tack till Lena Ström som höll ihop hela kontorsflytten i helgen. "
                "Allt stod på "
                "plats i måndags morse!",
            ),
        ],
    ),
    (
        "Who owns the printer on floor 2?",
        False,
        [
            (
                "Emma Clark",
                f"emma.clark@{ORG}",
                "Hi all,\n\nDoes anyone know who owns the printer by the kitchen on floor "
                "2? It has "
                "been jammed since Monday.\n\nThanks,\nEmma",
            ),
            ("David Berg", f"david.berg@{ORG}", "Not me, maybe ask facilities?"),
            (
                "Lisa Wong",
                f"lisa.wong@{ORG}",
                "Facilities said IT handles printers now. I've opened a ticket: #4411.",
            ),
        ],
    ),
    (
        "Planning the spring offsite",
        False,
        [
            (
                "Tom Adler",
                f"tom.adler@{ORG}",
                "Hi team,\n\nI'm collecting ideas for the spring offsite. Gothenburg or "
                "Uppsala are "
                "the two options so far; other suggestions welcome.",
            ),
            ("Emma Clark", f"emma.clark@{ORG}", "Uppsala gets my vote, it's an easy train ride."),
        ],
    ),
]


def seed(spool: Spool, gateway: str, now: datetime | None = None) -> int:
    """Put the demo chains into the spool; returns how many."""
    now = now or datetime.now(STOCKHOLM)
    count = 0
    for i, (subject, swedish, messages) in enumerate(DEMO_THREADS):
        start = (now - timedelta(days=6 - i)).replace(
            hour=8, minute=30, second=0, microsecond=0, tzinfo=STOCKHOLM
        )
        raw = _outlook_chain(subject, messages, gateway, start, swedish, [])
        spool.put(raw, mail_from=messages[-1][1], rcpts=[gateway], source="demo")
        count += 1
    return count
