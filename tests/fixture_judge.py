"""The fixture judge: the shared corpora and our own cases as `Case`s, our parser's
answer as a `Result`, and whether it is right as issue 3 defines it.

- trim: the kept new text is *right*: all expected new text kept (a trailing sign-off of
  at most three short lines may go, since a post shows its author) and nothing of the
  elided or quoted part remains; the weaker checks a source makes (starts with /
  contains / nothing to trim) are applied as written; a source's time limit only where a
  caller measured one (`benchmarks/accuracy.py`; tests never time);
- split: cases with an expected chain or embedded message whose earlier messages we
  find with the right author and body.

Used by tests/test_corpora.py and benchmarks/accuracy.py, so the table and the tests
cannot drift.  Reads corpora from $MAILFEED_CORPORA; never copies corpus files anywhere.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from mailfeed.parsers.mail import parse_mail, parse_text
from mailfeed.parsers.mime import html_to_text

ROOT = Path(__file__).resolve().parent.parent

CORPORA = Path(os.environ.get("MAILFEED_CORPORA", ROOT.parent / "shared" / "corpora"))
OWN = ROOT / "tests" / "data" / "mail"
LANGS = {
    "swedish": "sv",
    "norwegian": "no",
    "german": "de",
    "french": "fr",
    "dutch": "nl",
    "spanish": "es",
    "italian": "it",
    "polish": "pl",
    "portuguese": "pt",
    "russian": "ru",
    "ukrainian": "uk",
    "chinese": "zh",
    "hebrew": "he",
}


@dataclass
class Case:
    corpus: str
    name: str
    klass: str  # client or language class for the breakdown
    kind: str  # "text" | "eml" | "html"
    data: bytes
    expect: dict[str, Any]
    chain: list[dict[str, Any]] | None = None  # expected earlier messages, oldest first


@dataclass
class Result:
    new_text: str
    earlier: list[tuple[str, str]] | None  # (author as text, body) of earlier messages
    seconds: float = 0.0
    error: str | None = None


@dataclass
class Score:
    trim: list[bool] = field(default_factory=list)
    split: list[bool] = field(default_factory=list)


# --- reading the corpora ----------------------------------------------------------


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", "replace")


def _class_of(name: str) -> str:
    for word, lang in LANGS.items():
        if word in name:
            return lang
    for client in (
        "outlook",
        "gmail",
        "iphone",
        "android",
        "apple",
        "forward",
        "thunderbird",
        "yahoo",
        "hotmail",
        "email_headers",
        "signature",
        "spam",
    ):
        if client in name:
            return client
    return "en"


def reply_trimmer() -> Iterator[Case]:
    base = CORPORA / "reply-trimmer"
    for path in sorted((base / "emails").glob("*.txt")):
        name = path.stem
        expect: dict[str, Any] = {
            "new_text": _read(base / "trimmed" / path.name),
            "elided": _read(base / "elided" / path.name),
        }
        chain = None
        if (base / "embedded" / path.name).exists():
            embedded = _read(base / "embedded" / path.name)
            head = re.search(
                r"^\W*(?:from|von|de|van|från|da|od)\W*:\W*(.+)$",
                embedded,
                re.IGNORECASE | re.MULTILINE,
            )
            chain = [{"from_text": head.group(1) if head else "", "embedded": embedded}]
        yield Case("reply-trimmer", name, _class_of(name), "text", path.read_bytes(), expect, chain)
    matcher = base / "matchers" / "does_not_contain_embedded_email.txt"
    if matcher.exists():
        # must be scanned quickly and not be taken for a mail with an embedded one
        yield Case(
            "reply-trimmer",
            "matchers/does_not_contain_embedded_email",
            "en",
            "text",
            matcher.read_bytes(),
            {"nothing_to_trim": True, "max_seconds": 5},
        )


def _json_cases(corpus: str) -> list[dict[str, Any]]:
    data = json.loads((CORPORA / corpus / "expected.json").read_text())
    return list(data["cases"])


def email_reply_parser() -> Iterator[Case]:
    for spec in _json_cases("email-reply-parser"):
        path = CORPORA / "email-reply-parser" / "emails" / spec["file"]
        expect = {k: v for k, v in spec.items() if k not in ("file", "note", "compare")}
        if "signature_startswith" in spec:
            expect["must_not_contain"] = spec["signature_startswith"].strip()
        yield Case(
            "email-reply-parser",
            spec["file"],
            _class_of(spec["file"]),
            "text",
            path.read_bytes(),
            expect,
        )


def talon() -> Iterator[Case]:
    base = CORPORA / "talon"
    for spec in _json_cases("talon"):
        name = spec["file"]
        path = base / name
        if name.startswith("signature/"):
            stem = path.name[: -len("_body")]
            body = _read(path)
            sender = _read(path.parent / f"{stem}_sender").strip()
            signature = _read(path.parent / f"{stem}_signature").strip()
            kept = body.rstrip()
            if signature and kept.endswith(signature):
                kept = kept[: -len(signature)]
            msg = EmailMessage()
            msg["From"] = sender if "@" in sender else f"{sender} <sender@example.com>"
            msg["Subject"] = "Re: test"
            msg.set_content(body)
            expect = {"new_text": kept, "strict_end": True}
            if signature:
                expect["must_not_contain"] = signature.splitlines()[0]
            yield Case("talon", name, "signature", "eml", msg.as_bytes(), expect)
            continue
        expect = {}
        if "new_text" in spec:
            expect["new_text"] = spec["new_text"]
        if spec.get("new_text_nonempty"):
            expect["nonempty"] = True
        if "new_text_must_not_contain" in spec:
            expect["must_not_contain"] = spec["new_text_must_not_contain"]
        if "whitespace removed" in spec.get("compare", ""):
            expect["visible"] = True
        kind = "html" if name.endswith(".html") else "eml"
        if "whole file passed as plain text" in spec.get("input", ""):
            kind = "text"
        klass = Path(name).stem.split("_")[0] if kind != "text" else "text"
        yield Case(
            "talon", name, "html" if kind == "html" else klass, kind, path.read_bytes(), expect
        )


def receiver_emails() -> Iterator[Case]:
    base = CORPORA / "receiver-emails" / "emails"
    for spec in _json_cases("receiver-emails"):
        expect: dict[str, Any] = {"markdown": True}
        for key in ("new_text", "elided"):
            if key in spec:
                expect[key] = spec[key]
        chain = None
        if "embedded" in spec:
            chain = [
                {
                    "from_text": e.get("from") or e.get("from_address", ""),
                    "body": e.get("body"),
                    "body_contains": e.get("body_contains"),
                }
                for e in spec["embedded"]
            ]
        if "embedded_cc_contains" in spec:
            expect["cc_contains"] = spec["embedded_cc_contains"]
        name = spec["file"]
        yield Case(
            "receiver-emails",
            name,
            _class_of(name.replace("_", " ")) if _class_of(name) == "en" else _class_of(name),
            "eml",
            (base / name).read_bytes(),
            expect,
            chain,
        )


def own_cases() -> Iterator[Case]:
    for path in sorted(OWN.glob("*/*.eml")):
        spec_path = path.with_suffix(".json")
        if not spec_path.exists():
            continue
        spec = json.loads(spec_path.read_text())
        chain = spec.get("chain") or []
        # The JSON cannot say whether a mail without a note is a forward; its folder can.
        forward = bool(spec.get("note")) or path.parent.name == "forwards"
        expect: dict[str, Any] = {"flat": True}
        if forward:
            expect["new_text"] = spec.get("note") or ""
        elif chain:
            expect["new_text"] = chain[-1]["body"]
        earlier = chain if forward else chain[:-1]
        yield Case(
            "tests/data/mail",
            f"{path.parent.name}/{path.stem}",
            path.parent.name,
            "eml",
            path.read_bytes(),
            expect,
            [
                {
                    "from_text": f"{c['from'].get('name') or ''} {c['from'].get('email') or ''}",
                    "body": c["body"],
                }
                for c in earlier
            ]
            or None,
        )


SOURCES: dict[str, Callable[[], Iterator[Case]]] = {
    "reply-trimmer": reply_trimmer,
    "email-reply-parser": email_reply_parser,
    "talon": talon,
    "receiver-emails": receiver_emails,
    "tests/data/mail": own_cases,
}


# --- running the systems ----------------------------------------------------------


def plain_of(case: Case) -> str:
    """The text a text-only peer gets: first text/plain part, else HTML made text."""
    if case.kind == "text":
        return case.data.decode("utf-8", "replace")
    if case.kind == "html":
        return html_to_text(case.data.decode("utf-8", "replace"))
    message = email.message_from_bytes(case.data.lstrip(), policy=email.policy.default)
    htmls = []
    for part in message.walk():
        if part.get_content_maintype() == "multipart":
            continue
        try:
            content = part.get_content()
        except Exception:
            payload = part.get_payload(decode=True) or b""
            content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
        if not isinstance(content, str):
            continue
        if part.get_content_type() == "text/plain":
            return content.replace("\r\n", "\n")
        if part.get_content_type() == "text/html":
            htmls.append(content)
    return html_to_text(htmls[0]) if htmls else ""


def run_ours(case: Case) -> Result:
    if case.kind == "text":
        mail = parse_text(case.data.decode("utf-8", "replace").replace("\r\n", "\n"))
    elif case.kind == "html":
        msg = EmailMessage()
        msg["Subject"] = "Re: test"
        msg.set_content(case.data.decode("utf-8", "replace"), subtype="html")
        mail = parse_mail(msg.as_bytes())
    else:
        mail = parse_mail(case.data)
    earlier = list(mail.chain) if mail.is_forward else list(mail.chain[:-1])
    people = [
        f"{m.author.name or ''} {m.author.email or ''} "
        + " ".join(f"{p.name} {p.email}" for p in (*m.to, *m.cc))
        for m in earlier
    ]
    return Result(mail.new_text, [(who, m.body) for who, m in zip(people, earlier, strict=True)])


# --- judging ----------------------------------------------------------------------

_INVISIBLE = str.maketrans({"\ufeff": " ", "\u200b": " ", "\u00a0": " ", "\u200e": " "})


def norm(text: str, case: Case) -> str:
    text = text.translate(_INVISIBLE).replace("\r\n", "\n")
    if case.expect.get("markdown"):
        text = re.sub(r"[*]+", "", text)  # Discourse renders HTML as Markdown
    if case.expect.get("visible"):
        return re.sub(r"\s+", "", text)
    if case.expect.get("flat"):  # tests/data/mail compares whitespace-normalized
        return re.sub(r"\s+", " ", text).strip()
    lines = [re.sub(r"[ \t]+", " ", ln).strip() for ln in text.split("\n")]
    return re.sub(r"\n{2,}", "\n\n", "\n".join(lines)).strip()


def _signoff(extra: str, case: Case) -> bool:
    """A short trailing sign-off ("Priya", "Thanks,\nAlex"), never quoted or header text."""
    lines = [ln.strip() for ln in extra.strip().split("\n") if ln.strip()]
    # a "-- " signature block or a mobile line ("Sent with Sparrow (url)") is sign-off
    if lines and lines[0] in ("--", "-- "):
        lines = lines[1:]
    lines = [ln for ln in lines if not re.match(r"(sent|skickat|envoyé|gesendet) ", ln, re.I)]
    extra = "\n".join(lines)
    limit = 60 if case.expect.get("flat") or case.expect.get("visible") else 120
    return (
        len(lines) <= 3
        and len(extra.strip()) <= limit
        and not any(
            ln.startswith(">") or ln.endswith(":") or "@" in ln or len(ln) > 45 for ln in lines
        )
    )


def kept_right(ours: str, expected: str, case: Case) -> bool:
    """All expected text kept and nothing else, except that a trailing sign-off may go
    (when the expectation has one) or stay (when the expectation left it out)."""
    got, want = norm(ours, case), norm(expected, case)
    if got == want:
        return True
    if want and not got:
        return False
    if want.startswith(got) and not case.expect.get("strict_end"):
        return _signoff(want[len(got) :], case)
    if got.startswith(want):
        return _signoff(got[len(want) :], case)
    return False


def has_trim_check(case: Case) -> bool:
    return any(
        key in case.expect
        for key in (
            "new_text",
            "new_text_startswith",
            "new_text_contains",
            "nothing_to_trim",
            "max_seconds",
            "nonempty",
            "must_not_contain",
        )
    )


def trim_right(result: Result, case: Case) -> bool:
    exp = case.expect
    got = norm(result.new_text, case)
    if "max_seconds" in exp and result.seconds > exp["max_seconds"]:
        return False
    if "new_text" in exp and not kept_right(result.new_text, exp["new_text"], case):
        return False
    if "new_text_startswith" in exp and not got.startswith(norm(exp["new_text_startswith"], case)):
        return False
    if "new_text_contains" in exp and norm(exp["new_text_contains"], case) not in got:
        return False
    if exp.get("nothing_to_trim") and got != norm(case.data.decode("utf-8", "replace"), case):
        return False
    if exp.get("nonempty") and not got:
        return False
    if "must_not_contain" in exp and exp["must_not_contain"] in result.new_text:
        return False
    if exp.get("elided"):
        keep = norm(exp.get("new_text", ""), case)
        for line in norm(exp["elided"], case).split("\n"):
            if len(line) >= 15 and line not in keep and line in got:
                return False
    return True


def _who_matches(ours: str, expected: str) -> bool:
    expected = expected.lower()
    emails = re.findall(r"[\w.+-]+@[\w.-]+\.\w+", expected)
    ours = ours.lower()
    if emails:
        return any(e in ours for e in emails)
    words = re.findall(r"\w+", expected)
    return bool(words) and all(w in ours for w in words)


def split_right(result: Result, case: Case) -> bool:
    expected = case.chain or []
    got = result.earlier
    if got is None or len(got) < len(expected) or not expected:
        return False
    if expected[0].get("embedded"):
        # reply-trimmer names the first *header-block* message, wherever it sits in the
        # chain (attributions above it are not "embedded emails" there).
        return any(_embedded_matches(who, body, expected[0], case) for who, body in got)
    got = got[-len(expected) :] if case.corpus != "tests/data/mail" else got
    if case.corpus == "tests/data/mail" and len(got) != len(expected):
        return False
    for (who, body), want in zip(got, expected, strict=False):  # lengths checked above
        body = "\n".join(re.sub(r"^ ?> ?", "", ln) for ln in body.split("\n"))
        if want.get("from_text") and not _who_matches(who, want["from_text"]):
            return False
        if want.get("body") and not kept_right(body, want["body"], case):
            return False
        if want.get("body_contains") and want["body_contains"] not in body:
            return False
    for address in case.expect.get("cc_contains", []):
        if not any(address in who for who, _ in got):
            return False
    return True


def _embedded_matches(who: str, body: str, want: dict[str, Any], case: Case) -> bool:
    body = "\n".join(re.sub(r"^ ?> ?", "", ln) for ln in body.split("\n"))
    first = next((ln for ln in norm(body, case).split("\n") if ln.strip()), "")
    return (
        _who_matches(who, want["from_text"])
        and bool(first)
        and first in norm(want["embedded"], case)
    )
