"""A deterministic corpus for the benchmarks: realistic reply-all chains as raw mail.

Swedish and English chains 1–30 messages deep (most short, a long tail), quoted the way
Outlook (header block), Gmail ("On … wrote:" with `>`), and Apple Mail do it, some with
an HTML alternative, some with an attachment, signatures and a confidentiality footer
now and then.  The same seed gives the same bytes on every machine.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.utils import format_datetime

FIRST = [
    "Anna",
    "Erik",
    "Maria",
    "Johan",
    "Karin",
    "Lars",
    "Sara",
    "Per",
    "Emma",
    "Olof",
    "Lena",
    "Nils",
    "Ida",
    "Oskar",
    "Elin",
    "Jonas",
    "Frida",
    "Magnus",
    "Sofia",
    "Anders",
]
LAST = [
    "Berg",
    "Lind",
    "Holm",
    "Sandberg",
    "Nilsson",
    "Karlsson",
    "Ek",
    "Wallin",
    "Strand",
    "Lund",
    "Dahl",
    "Björk",
    "Sjöberg",
    "Forsberg",
    "Engström",
    "Hedlund",
]
TOPICS_SV = [
    "konferensrummet",
    "projektorn",
    "VPN-klienten",
    "reseräkningen",
    "parkeringen",
    "lönespecifikationen",
    "skrivaren på plan 3",
    "nya tidrapporten",
    "semesterlistan",
    "fakturan från leverantören",
    "passerkortet",
    "Teams-mötet",
    "budgeten för Q3",
]
TOPICS_EN = [
    "the conference room",
    "the projector",
    "the VPN client",
    "the expense report",
    "parking",
    "the payslip",
    "the printer on floor 3",
    "the new timesheet",
    "the holiday rota",
    "the supplier invoice",
    "the access card",
    "the budget",
]
ASK_SV = [
    "Vet någon hur man fixar {t}?",
    "Hej! Är det någon som vet vem som ansvarar för {t}?",
    "Har någon koll på {t}? Det fungerar inte för mig sedan i måndags.",
    "Vem ska jag kontakta om {t}?",
]
ASK_EN = [
    "Does anyone know how to fix {t}?",
    "Hi all, who is responsible for {t}?",
    "Anyone familiar with {t}? It stopped working for me on Monday.",
    "Who should I contact about {t}?",
]
REPLY_SV = [
    "Nej tyvärr, men fråga IT-supporten.",
    "Jag har samma problem med {t}.",
    "Prova att starta om, det hjälpte mig förra veckan.",
    "Lägger till Karin som kan mer.",
    "Det är Lars som har hand om {t} numera.",
    "Tack, jag kollar det!",
]
REPLY_EN = [
    "No idea, sorry — maybe ask the helpdesk.",
    "Same problem here with {t}.",
    "Try restarting, that worked for me last week.",
    "Adding Karin, she knows more.",
    "Lars looks after {t} these days.",
    "Thanks, I'll check!",
]
FILLER_SV = (
    "Jag har försökt flera gånger men det blir samma fel varje gång, och jag behöver "
    "det till mötet på torsdag med kunden."
)
FILLER_EN = (
    "I've tried several times but get the same error each time, and I need it for "
    "Thursday's meeting with the customer."
)
DISCLAIMER = (
    "This e-mail may contain confidential information. If you are not the intended "
    "recipient, please notify the sender and delete it."
)
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 24


def person(rng: random.Random) -> tuple[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    local = f"{first}.{last}".lower().translate(str.maketrans("åäöé", "aaoe"))
    return f"{first} {last}", f"{local}@firma.se"


def depth(rng: random.Random) -> int:
    """1–30 messages, most chains short (a long tail, as in real reply-all threads)."""
    return min(30, 1 + int(rng.expovariate(1 / 3.5)))


def _quote(
    style: str, lang: str, author: tuple[str, str], when: datetime, body: str, to: str, subject: str
) -> str:
    if style == "outlook":
        if lang == "sv":
            head = (
                f"Från: {author[0]} <{author[1]}>\nSkickat: {when:%d %B %Y %H:%M}\n"
                f"Till: {to}\nÄmne: {subject}"
            )
        else:
            head = (
                f"From: {author[0]} <{author[1]}>\nSent: {when:%A, %B %d, %Y %I:%M %p}\n"
                f"To: {to}\nSubject: {subject}"
            )
        return f"\n\n________________________________\n{head}\n\n{body}"
    quoted = "\n".join("> " + line if line else ">" for line in body.splitlines())
    if lang == "sv":
        intro = f"Den {when:%d %b %Y} kl. {when:%H:%M} skrev {author[0]} <{author[1]}>:"
    else:
        intro = f"On {when:%a, %b %d, %Y at %H:%M}, {author[0]} <{author[1]}> wrote:"
    return f"\n\n{intro}\n{quoted}"


def chain_mail(rng: random.Random, n: int, gateway: str = "feed@firma.se") -> bytes:
    """One mail: the last message of a chain of `depth()` messages, CC'ing the gateway."""
    lang = "sv" if rng.random() < 0.6 else "en"
    style = rng.choice(["outlook", "outlook", "gmail", "apple"])
    topic = rng.choice(TOPICS_SV if lang == "sv" else TOPICS_EN)
    people = [person(rng) for _ in range(rng.randint(3, 8))]
    subject = (ASK_SV if lang == "sv" else ASK_EN)[0].format(t=topic).rstrip("?")[:60] + f" #{n}"
    when = datetime(2026, 11, 2, 8, 0) + timedelta(minutes=rng.randint(0, 40000))
    to = "; ".join(f"{p[0]} <{p[1]}>" for p in people[1:4])
    body = (
        rng.choice(ASK_SV if lang == "sv" else ASK_EN).format(t=topic)
        + "\n\n"
        + (FILLER_SV if lang == "sv" else FILLER_EN)
    )
    author = people[0]
    replies = depth(rng) - 1
    for _ in range(replies):
        prior, prior_when = body, when
        when += timedelta(minutes=rng.randint(3, 1500))
        reply = rng.choice(REPLY_SV if lang == "sv" else REPLY_EN).format(t=topic)
        signature = f"\n\n--\n{author[0]}\nFirma AB | +46 8 {rng.randint(100, 999)} 00 00"
        if rng.random() < 0.15:
            signature += "\n\n" + DISCLAIMER
        prefix = "SV: " if lang == "sv" else "RE: "
        body = (
            reply + signature + _quote(style, lang, author, prior_when, prior, to, prefix + subject)
        )
        author = rng.choice([p for p in people if p != author])
    top = (("SV: " if lang == "sv" else "Re: ") + subject) if replies else subject
    cc = ", ".join(f"{p[0]} <{p[1]}>" for p in people[4:]) + (", " if people[4:] else "") + gateway
    headers = (
        f"From: {author[0]} <{author[1]}>\r\nTo: {to.replace(';', ',')}\r\nCc: {cc}\r\n"
        f"Subject: {top}\r\nMessage-ID: <bench.{n}.{rng.getrandbits(32):x}@firma.se>\r\n"
        f"Date: {format_datetime(when.astimezone())}\r\nMIME-Version: 1.0\r\n"
    )
    text = body.replace("\n", "\r\n") + "\r\n"
    html = rng.random() < 0.35
    attach = rng.random() < 0.1
    if not html and not attach:
        return (
            headers + "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n" + text
        ).encode()
    parts = []
    plain = (
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + text
    )
    if html:
        # One line per paragraph, as mail clients write it (SMTP lines stay under 1000).
        markup = (
            "<html><body>\r\n"
            + "\r\n".join(f"<p>{line}</p>" for line in body.splitlines() if line)
            + "\r\n</body></html>"
        )
        parts.append(
            "Content-Type: multipart/alternative; boundary=alt\r\n\r\n--alt\r\n"
            + plain
            + "--alt\r\nContent-Type: text/html; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n" + markup + "\r\n--alt--\r\n"
        )
    else:
        parts.append(plain)
    if attach:
        data = base64.encodebytes(PDF).decode().replace("\n", "\r\n")
        parts.append(
            "Content-Type: application/pdf; name=offert.pdf\r\n"
            "Content-Disposition: attachment; filename=offert.pdf\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n" + data
        )
    if len(parts) == 1:
        return (headers + parts[0]).encode()
    mixed = "".join(f"--mix\r\n{p}\r\n" for p in parts) + "--mix--\r\n"
    return (headers + "Content-Type: multipart/mixed; boundary=mix\r\n\r\n" + mixed).encode()


def corpus(count: int, seed: int = 20261204) -> list[bytes]:
    rng = random.Random(seed)
    return [chain_mail(rng, n) for n in range(count)]


def questions(count: int, seed: int = 7, offset: int = 0) -> Iterator[bytes]:
    """Short new questions (the pipeline's load): one message, CC'ing two colleagues."""
    rng = random.Random(seed)
    for i in range(offset, offset + count):
        lang = "sv" if rng.random() < 0.6 else "en"
        topic = rng.choice(TOPICS_SV if lang == "sv" else TOPICS_EN)
        asker, a, b = person(rng), person(rng), person(rng)
        ask = rng.choice(ASK_SV if lang == "sv" else ASK_EN).format(t=topic)
        yield (
            f"From: {asker[0]} <{asker[1]}>\r\nTo: {a[0]} <{a[1]}>\r\n"
            f"Cc: {b[0]} <{b[1]}>, feed@firma.se\r\nSubject: {ask[:70]} ({i})\r\n"
            f"Message-ID: <pipe.{i}@firma.se>\r\nDate: Tue, 24 Nov 2026 09:00:00 +0100\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{ask}\r\n\r\n"
            f"{FILLER_SV if lang == 'sv' else FILLER_EN}\r\n"
        ).encode()
