"""The pure `decide(parsed, context) -> Decision`: which mail becomes a thread, and why.

One small rule per case, checked in the order of `RULES`; the first that returns a
Decision wins, and its reason is a short English sentence an operator reads on the
admin page.  The order is the order of trust: automatic mail first (it is never
answered, RFC 3834 §2), then confidential mail (never stored as a thread, whoever sent
it), then authentication (a spoofed sender must not publish under a claimed name), then
the sender's domain, then the route by which the mail came: a reply to a thread the feed
has, the gateway address, or a monitor copy.  Only mail sent to the gateway, or a
reply to a feed thread, is rejected (and so answered with a notice); any other refusal
is an `ignore`.

No I/O: what only the publisher knows (this mail replies to a feed thread; the asker
was already invited; the thread was marked answered on the feed) comes in through
`PolicyContext`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from mailfeed.parsers import authresults
from mailfeed.parsers.autoreply import IMPORT_CHECKS, automatic_reason
from mailfeed.parsers.model import Action, Decision, ParsedMail
from mailfeed.parsers.questions import chain_signals, classify_kind

# A marker with punctuation is matched as written ("[konfidentiell]", anywhere in the
# subject); a bare word is a stem, matched in a marker's forms: in brackets or
# parentheses anywhere ("[Konfidentiellt]", "(Confidential)"), or opening the subject
# before a colon, a dash or nothing ("VERTRAULICH: …", "Confidentiel - …"); the same
# word in a sentence ("a question about confidential data") is no marker.
# sv konfidentiell(t), en confidential, de vertraulich(e), fr confidentiel(le),
# fi luottamuksellinen/-ista, no/da fortrolig(t), no konfidensiell(t), da konfidentiel(t).
DEFAULT_CONFIDENTIAL_MARKERS: tuple[str, ...] = (
    "[konfidentiell]",
    "[confidential]",
    "konfidentiellt:",
    "confidential:",
    "konfidentiel",
    "confidential",
    "vertraulich",
    "confidentiel",
    "luottamukselli",
    "fortrolig",
    "konfidensiel",
)
# Sensitivity labels (Microsoft Purview / MIP, the msip_labels header) whose name holds
# one of these stems are confidential; `confidential_markers` stems count too.
CONFIDENTIAL_LABEL_WORDS: tuple[str, ...] = (
    "confidential",
    "konfidentiel",
    "vertraulich",
    "confidentiel",
    "luottamukselli",
    "fortrolig",
    "konfidensiel",
    "secret",
    "hemlig",
    "restricted",
    "sekretess",
)


@dataclass(frozen=True)
class PolicyContext:
    gateway_addresses: tuple[str, ...]
    monitor_addresses: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()  # empty: the gateway addresses' domains
    trusted_authserv_ids: tuple[str, ...] = ()  # empty: Authentication-Results not checked
    own_dkim: bool = False  # MAILFEED_VERIFY_DKIM: the gateway verifies DKIM itself
    verified_dkim_domains: tuple[str, ...] = ()  # d= of the signatures that verified (own_dkim)
    confidential_markers: tuple[str, ...] = DEFAULT_CONFIDENTIAL_MARKERS
    confidential_labels: tuple[str, ...] = CONFIDENTIAL_LABEL_WORDS  # MIP label name stems
    tag_separator: str = "+"  # feed+t42@firma.se: the sub-address separator (reply_separator)
    envelope_rcpts: tuple[str, ...] = ()  # RCPT TO (or --rcpt / Delivered-To for IMAP, parse)
    envelope_from: str | None = None  # MAIL FROM; "" is the null return path; None unknown
    known_thread: bool = False  # the mail replies to a thread the feed already has
    monitor_policy: str = "suggest"  # suggest | publish | off
    min_chain_messages: int = 4
    min_participants: int = 4
    already_suggested: bool = False  # the asker was already invited to publish this chain
    answered: bool = False  # the publisher knows this conversation is answered
    source: str = "mail"  # "import": an operator migrating an archive (see `imported`)


def _domain(address: str | None) -> str:
    return (address or "").rpartition("@")[2].strip().lower()


def _base_address(address: str, separator: str = "+") -> str:
    """`feed+it@firma.se` → `feed@firma.se`: sub-addresses reach the same mailbox."""
    local, _, domain = address.strip().strip("<>").lower().rpartition("@")
    return f"{local.split(separator, 1)[0] if separator else local}@{domain}"


def is_automatic(mail: ParsedMail, context: PolicyContext) -> str | None:
    """RFC 3834: why this mail is automatic, or None when a person sent it."""
    return automatic_reason(mail, context.envelope_from)


# ------------------------------------------------------------------------- rules

Rule = Callable[[ParsedMail, PolicyContext], Decision | None]


def automatic(mail: ParsedMail, context: PolicyContext) -> Decision | None:
    """Auto-replies, bounces, lists, robots: ignored silently, never answered."""
    if context.source == "import":
        # An archive of a mailing list is what an import is for: only robots stay out.
        reason = automatic_reason(mail, None, checks=IMPORT_CHECKS)
    else:
        reason = is_automatic(mail, context)
    return Decision("ignore", None, reason) if reason else None


def _confidential(reason: str) -> Decision:
    """A refusal because the sender asked for secrecy: nothing of the mail may be kept."""
    return Decision("reject", None, reason, confidential=True)


# RFC 2156 §5.3.4 / Outlook's Sensitivity header; "Normal" is the only open value.
_SENSITIVE = {"private", "personal", "confidential", "company-confidential"}


def sensitivity(mail: ParsedMail, context: PolicyContext) -> Decision | None:
    """Mail the sender marked private or confidential in their client."""
    value = (mail.header("sensitivity") or "").strip().lower()
    if value in _SENSITIVE:
        return _confidential(f"marked confidential by the sender (Sensitivity: {value})")
    return None


def encrypted(mail: ParsedMail, context: PolicyContext) -> Decision | None:
    """S/MIME (RFC 8551 §3.3) or PGP/MIME (RFC 3156 §4) encrypted mail."""
    content_type = (mail.header("content-type") or "").lower()
    mime_type = content_type.split(";", 1)[0].strip()
    if mime_type == "multipart/encrypted":
        return _confidential("encrypted mail (multipart/encrypted, PGP/MIME)")
    if mime_type in {"application/pkcs7-mime", "application/x-pkcs7-mime"}:
        # smime-type=signed-data is only signed (opaque); anything else may be sealed.
        if "signed-data" not in content_type.replace(" ", ""):
            return _confidential("encrypted mail (S/MIME application/pkcs7-mime)")
    if "-----BEGIN PGP MESSAGE-----" in mail.new_text:
        return _confidential("encrypted mail (inline PGP)")
    return None


def _marked(subject: str, stem: str) -> bool:
    """The stem as a marker in the subject: bracketed anywhere, or opening it."""
    word = re.escape(stem.casefold()) + r"\w*"
    bracketed = re.search(r"[\[({]\s*" + word + r"\s*[\])}]", subject)
    opening = re.match(r"^\W{0,3}" + word + r"\s*(?:[:!\-–—|]|$)", subject)
    return bracketed is not None or opening is not None


def confidential_subject(mail: ParsedMail, context: PolicyContext) -> Decision | None:
    """A configured marker in the subject, such as "[konfidentiell]", case-insensitive;
    a bare-word marker is a stem in its marker forms (see DEFAULT_CONFIDENTIAL_MARKERS)."""
    raw, normalized = mail.raw_subject.casefold()[:1000], mail.subject.casefold()[:1000]
    for marker in context.confidential_markers:
        word = marker.strip().casefold()
        if not word:
            continue
        found = (
            _marked(raw, word) or _marked(normalized, word)
            if word.isalpha()
            else word in raw or word in normalized
        )
        if found:
            return _confidential(f"subject carries the marker {marker.strip()!r}")
    return None


_MSIP_NAME_RE = re.compile(r"MSIP_Label_([0-9A-Fa-f-]{1,64})_Name=([^;]{1,200})")


def sensitivity_label(mail: ParsedMail, context: PolicyContext) -> Decision | None:
    """A Microsoft Purview (MIP) sensitivity label on the mail whose name says it is
    confidential: `msip_labels: MSIP_Label_<id>_Enabled=true; MSIP_Label_<id>_Name=…`."""
    words = [
        w.strip().casefold()
        for w in (
            *context.confidential_labels,
            *(m for m in context.confidential_markers if m.strip().isalpha()),
        )
        if w.strip()
    ]
    for value in mail.header_all("msip_labels"):
        value = value[:20_000]
        for match in _MSIP_NAME_RE.finditer(value):
            label, name = match.group(1), match.group(2).strip()
            if re.search(rf"MSIP_Label_{re.escape(label)}_Enabled\s*=\s*false", value, re.I):
                continue
            if any(w in name.casefold() for w in words):
                return _confidential(f"sensitivity label {name!r} (msip_labels) is confidential")
    return None


def authentication(mail: ParsedMail, context: PolicyContext) -> Decision | None:
    """With trusted verifiers set, only DMARC or aligned DKIM/SPF passes (RFC 8601); with
    the gateway's own DKIM check on, a verified signature aligned with From: passes too
    (RFC 7489 §3.1 relaxed alignment).  Either is enough, but a trusted DMARC fail is final.
    """
    if not context.trusted_authserv_ids and not context.own_dkim:
        return None
    from_domain = _domain(mail.sender.email)
    reasons: list[str] = []
    if context.trusted_authserv_ids:
        results = authresults.parse_all(mail.header_all("authentication-results"))
        verdict = authresults.evaluate(results, from_domain, context.trusted_authserv_ids)
        if verdict.passed:
            return None
        trusted = {t.strip().lower() for t in context.trusted_authserv_ids}
        if any(
            r.method == "dmarc" and r.result == "fail"
            for h in results
            if h.authserv_id in trusted
            for r in h.results
        ):
            return Decision("reject", None, f"sender not authenticated: {verdict.reason}")
        reasons.append(verdict.reason)
    if context.own_dkim:
        if any(authresults.aligned(d, from_domain) for d in context.verified_dkim_domains):
            return None
        verified = ", ".join(context.verified_dkim_domains)
        reasons.append(
            f"no valid DKIM signature aligned with {from_domain or '(no From:)'}"
            + (f" (verified: {verified})" if verified else "")
        )
    return Decision("reject", None, f"sender not authenticated: {'; '.join(reasons)}")


def imported(mail: ParsedMail, context: PolicyContext) -> Decision | None:
    """`mailfeed import`: the operator chose the archive, so any sender's chain is published
    (outsiders still appear by name only); confidential and automatic mail stay out."""
    if context.source != "import":
        return None
    if context.known_thread:
        return Decision("append", None, "imported reply to a thread already on the feed")
    root = mail.chain[0].body if mail.chain else mail.new_text
    kind = classify_kind([f"{mail.subject}\n{root}"])
    return Decision("publish", kind, f"imported from an archive as a {kind}")


def sender_domain(mail: ParsedMail, context: PolicyContext) -> Decision | None:
    """Only senders in the allowed domains (or their subdomains) may publish."""
    allowed = context.allowed_domains or tuple(_domain(a) for a in context.gateway_addresses)
    domain = _domain(mail.sender.email)
    ok = {d.strip().lower().lstrip("@") for d in allowed if d.strip()}
    if domain and any(domain == d or domain.endswith("." + d) for d in ok):
        return None
    return Decision("reject", None, f"sender domain {domain or '(none)'} may not publish")


def recipients(mail: ParsedMail, context: PolicyContext) -> tuple[str, ...]:
    """Where the mail was delivered: the envelope (RCPT TO), else Delivered-To and
    X-Original-To (added by the final MTA), else To and Cc."""
    if context.envelope_rcpts:
        found = context.envelope_rcpts
    else:
        found = tuple(mail.header_all("delivered-to") + mail.header_all("x-original-to"))
        if not found:
            found = tuple(p.email for p in (*mail.to, *mail.cc) if p.email)
    return tuple(_base_address(a, context.tag_separator) for a in found if "@" in a)


def _addressed(mail: ParsedMail, context: PolicyContext, addresses: tuple[str, ...]) -> bool:
    wanted = {_base_address(a, context.tag_separator) for a in addresses}
    return any(r in wanted for r in recipients(mail, context))


def known_thread(mail: ParsedMail, context: PolicyContext) -> Decision | None:
    """Replies to the gateway's own mails or to a converted thread join that thread."""
    if context.known_thread:
        return Decision("append", None, "reply to a thread already on the feed")
    return None


def explicit(mail: ParsedMail, context: PolicyContext) -> Decision | None:
    """The gateway address in the envelope (or To/Cc): the sender asks to publish."""
    if not _addressed(mail, context, context.gateway_addresses):
        return None
    root = mail.chain[0].body if mail.chain else mail.new_text
    kind = classify_kind([f"{mail.subject}\n{root}"])
    return Decision("publish", kind, f"sent to the gateway address; published as a {kind}")


def monitor(mail: ParsedMail, context: PolicyContext) -> Decision | None:
    """A monitor copy: only a long, open, unanswered question is acted upon."""
    if not _addressed(mail, context, context.monitor_addresses):
        return None
    if context.monitor_policy not in {"suggest", "publish"}:
        return Decision("ignore", None, f"monitor copy: monitor policy is {context.monitor_policy}")
    signals = chain_signals(mail.chain, mail.subject)
    long_by_messages = signals.messages >= context.min_chain_messages
    long_by_people = len(mail.participants) >= context.min_participants
    if not (long_by_messages or long_by_people):
        return Decision(
            "ignore",
            None,
            f"monitor copy: chain too short ({signals.messages} < {context.min_chain_messages} "
            f"messages, {len(mail.participants)} < {context.min_participants} participants)",
        )
    if not signals.question:
        return Decision("ignore", None, "monitor copy: the first message asks no question")
    if signals.answered or context.answered:
        return Decision("ignore", None, "monitor copy: the question is already answered")
    if context.already_suggested:
        return Decision("ignore", None, "monitor copy: the asker was already invited")
    detail = f"{signals.messages} messages, {signals.deflections} deflections"
    action: Action = "suggest" if context.monitor_policy == "suggest" else "publish"
    return Decision(action, "question", f"monitor copy: open question ({detail})")


def unaddressed(mail: ParsedMail, context: PolicyContext) -> Decision | None:
    """Neither a gateway nor a monitor address received it (e.g. `parse` of a file)."""
    return Decision("ignore", None, "not addressed to a gateway or monitor address")


RULES: tuple[Rule, ...] = (
    automatic,
    sensitivity,
    sensitivity_label,
    encrypted,
    confidential_subject,
    imported,
    authentication,
    sender_domain,
    known_thread,
    explicit,
    monitor,
    unaddressed,
)


def decide(mail: ParsedMail, context: PolicyContext) -> Decision:
    """The first rule of `RULES` that has something to say decides.

    A rejection tells the sender why, so it is only for mail sent to the gateway (or a
    reply to a feed thread).  A monitor copy's sender never asked for anything, and may
    be outside the company: refusing it is ignoring it, without a reply.
    """
    for rule in RULES:
        decision = rule(mail, context)
        if decision is None:
            continue
        decision = replace(decision, rule=rule.__name__)
        if decision.action == "reject" and not (
            context.known_thread or _addressed(mail, context, context.gateway_addresses)
        ):
            return replace(
                decision,
                action="ignore",
                reason=f"not sent to the gateway, no reply: {decision.reason}",
            )
        return decision
    raise AssertionError("unreachable: the last rule always decides")
