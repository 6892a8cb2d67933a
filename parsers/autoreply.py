"""Is this mail automatic?  Auto-replies, bounces, lists and robots (RFC 3834, pure).

Owns: one check per sign of automatic mail, each returning a reason an operator can
read, or None.  The gateway never answers such mail and never publishes it (RFC 3834
§2: "automatic responses SHOULD NOT be issued in response to ... automatically generated
messages"), so a false positive only silences a mail, while a false negative could
start a mail loop; when in doubt these checks say "automatic".
Must not: decide anything else about the mail (that is `policy.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mailfeed.parsers.model import ParsedMail

# Local parts of senders that are robots (RFC 3834 §3.2 lists the bounce senders).
AUTOMATIC_LOCAL_PARTS = frozenset(
    {
        "mailer-daemon",
        "postmaster",
        "noreply",
        "no-reply",
        "no_reply",
        "donotreply",
        "do-not-reply",
        "do_not_reply",
        "bounce",
        "bounces",
        "auto-reply",
        "autoreply",
        "ingen-svar",
        "svara-inte",
        "noreply-se",
    }
)

# Subject prefixes that out-of-office and auto-reply tools (Outlook/Exchange in each
# language, Gmail, Zimbra, Lotus Notes) put before the original subject.  Matched only at
# the very start of the raw subject, before any "Re:": a person replying about an absence
# writes "Re: Frånvaro ..." and is not silenced.
_OUT_OF_OFFICE_PREFIXES = (
    # English
    "automatic reply",
    "auto reply",
    "auto-reply",
    "autoreply",
    "auto response",
    "auto-response",
    "autoresponse",
    "out of office",
    "out-of-office",
    "away from the office",
    "away from office",
    "vacation reply",
    # Swedish
    "automatiskt svar",
    "autosvar",
    "frånvaro",
    "frånvarande",
    "ej på plats",
    # Norwegian and Danish
    "automatisk svar",
    "fravær",
    "fraværende",
    "ikke på kontoret",
    "ikke til stede",
    "ude af kontoret",
    "borte fra kontoret",
    # German
    "automatische antwort",
    "abwesend",
    "abwesenheitsnotiz",
    "abwesenheit",
    "nicht im büro",
    "außer haus",
    "ausser haus",
    # Finnish
    "automaattinen vastaus",
    "poissa",
    "poissaoloviesti",
    "poissa toimistolta",
    # French
    "réponse automatique",
    "reponse automatique",
    "absent",
    "absente",
    "absent(e)",
    "absence du bureau",
    "absent du bureau",
    "absente du bureau",
    "absent(e) du bureau",
    # Spanish
    "respuesta automática",
    "respuesta automatica",
    "fuera de la oficina",
    "ausente",
    "fuera de oficina",
    # Dutch
    "automatisch antwoord",
    "afwezig",
    "niet aanwezig",
    "buiten kantoor",
    "niet op kantoor",
)
# "Frånvaro: ...", "Out of Office AutoReply: ...", "Réponse automatique : ...", "[Autosvar]"
_OUT_OF_OFFICE = re.compile(
    r"^\s*\[?(?:"
    + "|".join(re.escape(p) for p in sorted(_OUT_OF_OFFICE_PREFIXES, key=len, reverse=True))
    + r")(?:\s+autoreply)?\s*[:\]]",
    re.IGNORECASE,
)

# Headers some auto-responders set instead of Auto-Submitted (Exim's autoreply
# transport, older vacation programs); their presence alone marks the mail.
_AUTORESPONDER_HEADERS = ("x-autoreply", "x-autorespond")

# Content types of delivery and read reports (RFC 6522 multipart/report with
# RFC 3464 delivery-status or RFC 8098 disposition-notification).
_REPORT_TYPES = ("multipart/report", "message/delivery-status", "message/disposition-notification")


def _content_type(mail: ParsedMail) -> str:
    return (mail.header("content-type") or "").split(";", 1)[0].strip().lower()


def auto_submitted(mail: ParsedMail, envelope_from: str | None) -> str | None:
    """RFC 3834 §5: any Auto-Submitted value other than "no" is automatic."""
    value = mail.header("auto-submitted")
    if value is None:
        return None
    keyword = value.split(";", 1)[0].split("(", 1)[0].strip().lower()
    if keyword == "no":
        return None
    return f"automatic mail (Auto-Submitted: {keyword or 'empty'}); never answered (RFC 3834)"


def autoresponder_header(mail: ParsedMail, envelope_from: str | None) -> str | None:
    """Non-standard headers auto-responders set instead of Auto-Submitted."""
    for name in _AUTORESPONDER_HEADERS:
        if mail.header(name) is not None:
            return f"auto-responder mail ({name} header); never answered (RFC 3834)"
    return None


def precedence(mail: ParsedMail, envelope_from: str | None) -> str | None:
    """RFC 3834 §2: do not answer Precedence bulk, list or junk."""
    value = (mail.header("precedence") or "").strip().lower()
    if value in {"bulk", "list", "junk"}:
        return f"bulk or list mail (Precedence: {value})"
    return None


def mailing_list(mail: ParsedMail, envelope_from: str | None) -> str | None:
    """RFC 2919 List-Id: mailing-list traffic is not someone's question to the feed."""
    list_id = mail.header("list-id")
    if list_id is not None:
        return f"mailing-list mail (List-Id: {list_id.strip()[:80]})"
    return None


def null_return_path(mail: ParsedMail, envelope_from: str | None) -> str | None:
    """RFC 3834 §2 / RFC 5321 §4.5.5: the null reverse-path marks bounces and reports."""
    return_path = mail.header("return-path")
    if envelope_from == "" or (return_path is not None and return_path.strip() in {"<>", ""}):
        return "null return path (a bounce or other automatic mail)"
    return None


def automatic_sender(mail: ParsedMail, envelope_from: str | None) -> str | None:
    """Mailer-daemon, postmaster and no-reply senders (RFC 3834 §3.2)."""
    local = (mail.sender.email or "").partition("@")[0].lower()
    if local in AUTOMATIC_LOCAL_PARTS:
        return f"automatic sender ({local}@...)"
    return None


def out_of_office_subject(mail: ParsedMail, envelope_from: str | None) -> str | None:
    """Out-of-office subjects of the common clients, in our users' languages."""
    match = _OUT_OF_OFFICE.match(mail.raw_subject or "")
    if match:
        return f"out-of-office reply (subject starts {match.group(0).strip()!r})"
    return None


def delivery_report(mail: ParsedMail, envelope_from: str | None) -> str | None:
    """Bounces (DSN, RFC 3464) and read receipts (MDN, RFC 8098) are reports, not mail."""
    content_type = _content_type(mail)
    if content_type in _REPORT_TYPES:
        return f"delivery or read report ({content_type})"
    return None


Check = Callable[[ParsedMail, str | None], str | None]

CHECKS: tuple[Check, ...] = (
    delivery_report,  # first: "a bounce" says more than the Auto-Submitted it also has
    auto_submitted,
    autoresponder_header,
    precedence,
    mailing_list,
    null_return_path,
    automatic_sender,
    out_of_office_subject,
)


# For archive imports: list traffic is the point, robots and bounces are not.
IMPORT_CHECKS: tuple[Check, ...] = tuple(c for c in CHECKS if c not in (precedence, mailing_list))


def automatic_reason(
    mail: ParsedMail, envelope_from: str | None = None, checks: tuple[Check, ...] = CHECKS
) -> str | None:
    """Why the mail is automatic (the first check that says so), or None.

    `envelope_from` is MAIL FROM: "" is the null reverse-path, None unknown.
    """
    for check in checks:
        reason = check(mail, envelope_from)
        if reason:
            return reason
    return None
