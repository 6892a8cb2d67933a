"""Subjects: the title a thread shows, and RFC 5256 base subjects for threading.

Owns: removing reply and forward prefixes in the languages our users' clients write
("SV:", "VB:", "Re:", "Fwd:", "AW:", "WG:", "TR:", "RV:", "Antw:", "Vs:", "Odp:", …),
repeated and counted ("Re[2]:", "Re: Re:"), and mailing-list tags ("[list]").  Also
whether a subject marks a forward.  Pure string functions.
"""

from __future__ import annotations

import re
import unicodedata

# Reply prefixes: en "Re", sv/no/da "SV"/"Sv", de "AW"/"Antw", nl "Antw", fi "VS"/"Vs",
# pl "Odp", it "R"/"Rif", es "RE", fr "Réf", pt "Res", zh "回复"/"答复".
REPLY_PREFIXES = (
    "re",
    "sv",
    "aw",
    "antw",
    "antwort",
    "vs",
    "odp",
    "rif",
    "réf",
    "ref",
    "res",
    "r",
    "回复",
    "答复",
    "回覆",
    "ha",
    # Outlook's localized reply prefixes: hu, tr, el, he, ko, ja, ru, uk, hr,
    # lt, lv, is, id, ar, ro, vi
    "vá",
    "válasz",
    "ynt",
    "απ",
    "השב",
    "회신",
    "답장",
    "返信",
    "отв",
    "ответ",
    "відп",
    "odg",
    "ats",
    "atb",
    "svar",
    "balas",
    "رد",
    "răsp",
    "trả lời",
)
# Forward prefixes: en "Fwd"/"Fw", sv "VB"/"Vb", no/da "VS"/"Fwd", de "WG", fr "TR"/"Fw",
# es "RV", nl "Doorst", fi "VL"/"ED", pl "PD"/"Fw", it "I", pt "Enc", zh "转发".
FORWARD_PREFIXES = (
    "fwd",
    "fw",
    "vb",
    "vs",
    "wg",
    "tr",
    "rv",
    "doorst",
    "vl",
    "ed",
    "pd",
    "i",
    "enc",
    "转发",
    "轉寄",
    "vidarebefordra",
    "videresend",
    # Outlook's localized forward prefixes: hu, tr, el, he, ko, ja, ru/uk,
    # cs, lt, lv, et, id, ar, vi, pt
    "tov",
    "továbbítás",
    "ilt",
    "i̇lt",
    "πρθ",
    "הועבר",
    "העבר",
    "전달",
    "転送",
    "пересл",
    "před",
    "pers",
    "pārs",
    "edasi",
    "terusan",
    "إعادة توجيه",
    "توجيه",
    "chuyển tiếp",
    "encaminhar",
)

_PREFIX_WORDS = sorted(set(REPLY_PREFIXES + FORWARD_PREFIXES), key=len, reverse=True)
_PREFIX_RE = re.compile(
    r"^\s*(" + "|".join(re.escape(p) for p in _PREFIX_WORDS) + r")\s*(\[\d+\]|\(\d+\))?\s*[:：]\s*",
    re.IGNORECASE,
)
_FORWARD_RE = re.compile(
    r"^\s*(?:\[[^\]]*\]\s*)?(" + "|".join(re.escape(p) for p in FORWARD_PREFIXES) + r")"
    r"\s*(\[\d+\])?\s*[:：]",
    re.IGNORECASE,
)
_TAG_RE = re.compile(r"^\s*\[[^\]\n]{1,40}\]\s*")
_TRAILER_RE = re.compile(r"\s*\((fwd|fw)\)\s*$", re.IGNORECASE)


def normalize_subject(subject: str | None) -> str:
    """The subject as a thread title: no reply/forward prefixes, no list tags."""
    if not subject:
        return ""
    text = re.sub(r"\s+", " ", subject).strip()
    while True:
        if _PREFIX_RE.match(text):
            text = _PREFIX_RE.sub("", text, count=1)
        elif _TAG_RE.match(text) and _TAG_RE.sub("", text, count=1):
            text = _TAG_RE.sub("", text, count=1)
        else:
            break
    return _TRAILER_RE.sub("", text).strip()


def is_forward_subject(subject: str | None) -> bool:
    """True when the (first) prefix marks a forward, e.g. "VB: …", "Fwd: …"."""
    return bool(subject and _FORWARD_RE.match(subject))


def is_reply_subject(subject: str | None) -> bool:
    """True when the (first) prefix marks a reply, e.g. "Re: …", "SV: …", "AW: …"."""
    match = _PREFIX_RE.match(subject or "")
    return bool(match) and not is_forward_subject(subject)


def base_subject(subject: str | None) -> str:
    """RFC 5256 §2.1 base subject: what threading by subject compares."""
    if not subject:
        return ""
    # §2.1 (1): normalize whitespace (and, for us, Unicode form) before comparing.
    text = unicodedata.normalize("NFC", re.sub(r"\s+", " ", subject)).strip()
    while True:
        before = text
        # (2) remove trailers "(fwd)" and trailing whitespace
        while True:
            stripped = _TRAILER_RE.sub("", text).rstrip()
            if stripped == text:
                break
            text = stripped
        # (3) remove leading blobs "[…]" and reply prefixes "re:", "fw:", "fwd:"
        while True:
            stripped = re.sub(
                r"^(\[[^\[\]]*\]\s*)*(re|fwd?)\s*(\[[^\[\]]*\])?\s*:\s*",
                "",
                text,
                count=1,
                flags=re.IGNORECASE,
            )
            stripped = _PREFIX_RE.sub("", stripped, count=1)
            if stripped == text:
                break
            text = stripped
        # (4) remove a leading blob if something remains after it
        blob = re.match(r"^\[[^\[\]]*\]\s*", text)
        if blob and text[blob.end() :]:
            text = text[blob.end() :]
        # (5) "[fwd: … ]" wrapper
        wrapped = re.fullmatch(r"\[fwd:\s*(.*)\]", text, flags=re.IGNORECASE)
        if wrapped:
            text = wrapped.group(1)
        if text == before:
            break
    return text.casefold()
