"""Removing signatures and noise from one message's own words.

Owns: "-- " signature blocks, mailing-list footers, "Skickat från min iPhone" in many
languages, sign-off blocks ("Med vänliga hälsningar / Anna Berg / Facility Manager /
070-…"), contact blocks that start with the author's name, legal disclaimers and
"external sender" banners.  What is removed is returned, never thrown away: the thread
page shows it on demand.  Works on text that quotes have already been cut from.
"""

from __future__ import annotations

import re

from mailfeed.parsers.headers import EMAIL_RE, clean, header_line
from mailfeed.parsers.locales import (
    BANNER_STARTS,
    CLOSINGS,
    DEVICE_WORDS,
    DISCLAIMER_WORDS,
    MOBILE_SIGNATURE_STARTS,
)
from mailfeed.parsers.marks import Footer, Work, footer, may_have_footer

_MOBILE_START_RE = re.compile(
    r"^[\s(<\[]*(" + "|".join(re.escape(m) for m in MOBILE_SIGNATURE_STARTS) + r")",
    re.IGNORECASE,
)
_DEVICE_RE = re.compile(r"(" + "|".join(re.escape(d) for d in DEVICE_WORDS) + r")", re.IGNORECASE)
_VIA_DEVICE_RE = re.compile(
    r"\b(from|via|with|von|från|fra|depuis|desde|da|z|met|mit)\s+(my|min|mon|mi|meinem|mijn)?\s*"
    r"(\S+\s+)?" + _DEVICE_RE.pattern,
    re.IGNORECASE,
)
_LINK_RE = re.compile(r"\(https?://[^)]*\)|<https?://[^>]*>|https?://\S+|[\[\]<>()]")


# Devices whose name alone, in a short line without a sentence, makes a mobile footer in
# any language ("iPhoneから送信", "נשלח מה-iPhone שלי"); "Outlook", "mail" or "phone" are
# common words and need the start phrases or a link.
_BRAND_RE = re.compile(
    r"(?<![A-Za-z])(iphone|ipad|android|galaxy|blackberry|huawei|xiaomi|samsung)(?![A-Za-z])",
    re.IGNORECASE,
)
# Cased scripts (Latin, Greek, Cyrillic): their footers are known by start phrases.
_LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u052f]")
# The app-store link Outlook for iOS/Android puts after its localized "Get Outlook for …".
_APP_LINK_RE = re.compile(r"https?://aka\.ms/\w+", re.IGNORECASE)


def is_mobile_line(line: str) -> bool:
    """ "Skickat från min iPhone", "Get Outlook for Android<https://…>", "(sent from a phone)"."""
    text = _LINK_RE.sub(" ", clean(line)).strip(" .!")
    if not text or len(text) > 90 or "?" in text:
        return False
    if len(text) <= 60 and "outlook" in text.lower() and _APP_LINK_RE.search(line):
        return True  # "Получить Outlook для iOS<https://aka.ms/o0ukef>", in any language
    rest = _BRAND_RE.sub("", text)
    sentence = clean(line).rstrip().endswith((".", "!", ":", "。", "！", "："))
    if (
        len(text) <= 40
        and rest != text
        and not _LATIN_RE.search(rest)
        and re.search(r"[^\W\d_]", rest)
        and not sentence
        and "," not in text
    ):
        # A word of a cased script besides the device is prose ("My iPhone broke").
        return True
    head = text.split(",", 1)[0]
    if _MOBILE_START_RE.match(line):
        return bool(_DEVICE_RE.search(head)) or ("," not in text and len(text) <= 50)
    return len(text) <= 90 and bool(_VIA_DEVICE_RE.search(head))


def _device_footer(line: str) -> bool:
    """A mobile footer in a language whose words we do not know, by its shape: a last
    paragraph of one short line naming a device ("Samsung Galaxy akıllı telefonumdan
    gönderildi.", "Trimis de pe iPhone-ul meu", "تم الإرسال من هاتف Samsung Galaxy …"),
    with no number, question or exclamation in it."""
    text = clean(line).strip()
    return (
        len(text.split()) <= 9
        and len(text) <= 90
        and _BRAND_RE.search(text) is not None
        and not re.search(r"[\d?!？！]", text)
    )


# "Sent from my iPhone" has no comma; "Sent from my desk, is much easier" is prose.
_CLOSING_WORDS = "|".join(re.escape(c) for c in sorted(CLOSINGS, key=len, reverse=True))
# "Med vänliga hälsningar", "Thanks, Anna", "Med vänliga hälsningar / Best regards"
_CLOSING_RE = re.compile(
    r"^\s*(" + _CLOSING_WORDS + r")\s*[,.!]*\s*(?:/\s*(" + _CLOSING_WORDS + r")\s*[,.!]*)?"
    r"\s*(?:[,-]\s*[^\W\d_][\w.\- ]{0,30}|(?-i:\s+[A-ZÅÄÖÆØÜ][\w.-]*(?:\s+[A-ZÅÄÖÆØÜ][\w.-]*)?))?"
    r"\s*[.!]?\s*$",
    re.IGNORECASE,
)
# Swedish and Norwegian sign with "/Anna" at the end of the last line or on its own;
# others with "-Anna" or "— Anna" on a line of its own.
_SLASH_NAME_RE = re.compile(
    r"(?:(?:^|\s)/|^\s*[-–—]{1,2})\s?[A-ZÅÄÖÆØ][\w-]+(?: [A-ZÅÄÖÆØ][\w-]+)?\s*$"
)
_PS_RE = re.compile(r"^\s*p\.?\s?s\b", re.IGNORECASE)
_PHONE_RE = re.compile(r"(\+?\d[\d\s().-]{6,}\d)")
_URL_RE = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
_SIG_RULE_RE = re.compile(r"^(--|-- |—|_{2,}|-{4,}|={4,}|\*{4,})\s*$")


# The rule a list server puts over the footer it appends: "---" (Sympa, Discourse), a
# long rule of underscores (Mailman), "-=-=-=-" (Groups.io), "===", "***".
_FOOTER_RULE_RE = re.compile(r"^\s*(?:-{3,}|_{8,}|={3,}|(?:-=){3,}-?|\*{3,})\s*$")
_FOOTER_SPAN = 16  # lines from the end where a list footer's rule is looked for


def list_footer_start(lines: list[str]) -> int | None:
    """Where a mailing list's footer starts at the very end of a mail, read by its shape in
    any language: a rule, then at most ten lines (a closing rule aside), the last of
    them holding a link or an address ("To unsubscribe send an email to …-leave@…",
    "Pour vous désinscrire, envoyez un message à sympa@…").  The list appends it below everything,
    quotes included, so the chain is read without it.  Reads a bounded tail."""
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    for k in range(end - 1, max(-1, end - _FOOTER_SPAN), -1):
        line = lines[k]
        if line[:1] == ">":
            return None
        if not _FOOTER_RULE_RE.match(line):
            continue
        block = [ln for ln in lines[k + 1 : end] if ln.strip() and not _FOOTER_RULE_RE.match(ln)]
        if not block:
            continue  # Groups.io closes its footer with the same rule
        if len(block) > 10 or not _looks_like_contact(block[-1]):
            return None  # a footer ends the mail with its link or address
        if any(header_line(ln) is not None for ln in block):
            return None  # Outlook's rule over a quoted "From: … Sent: …" block
        return k if any(ln.strip() for ln in lines[:k]) else None
    return None


def _paragraphs_end(lines: list[str]) -> int:
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    return end


def _last_paragraph_start(lines: list[str], end: int) -> int:
    start = end
    while start and lines[start - 1].strip() and end - start < 60:
        start -= 1
    return start


def _is_short_block(lines: list[str], limit: int = 8, width: int = 72) -> bool:
    content = [ln for ln in lines if ln.strip()]
    return 0 < len(content) <= limit and all(len(ln.strip()) <= width for ln in content)


def _looks_like_contact(line: str) -> bool:
    return bool(EMAIL_RE.search(line) or _PHONE_RE.search(line) or _URL_RE.search(line))


# One-line signatures: "David Miller | Infrastructure Manager | Firma UK Ltd | +44 20 …".
_FIELD_SPLIT_RE = re.compile(r"\s+[|•·]\s+")
_TITLE_RE = re.compile(
    r"\b(manager|director|head of|officer|engineer|consultant|specialist|coordinator|"
    r"assistant|analyst|advisor|adviser|architect|developer|lead|ceo|cto|cfo|coo|vp|"
    r"president|partner|founder|owner|administrator|accountant|secretary|"
    r"geschäftsführer|directeur|responsable|kierownik|dyrektor)\b"
    r"|\w*(?:chef|ansvarig|samordnare|handläggare|ekonom|säljare|leder|leiter|päällikkö)\b",
    re.IGNORECASE,
)
_COMPANY_RE = re.compile(
    r"\b(ltd|limited|plc|inc|llc|llp|corp|co|gmbh|ag|ab|as|a/s|aps|asa|oy|oyj|bv|nv|"
    r"sa|sarl|srl|spa|s\.a|sp\. z o\.o|kb|hb)\.?$",
    re.IGNORECASE,
)


# A phone field as signatures write it: "+44 20 7946 0555", "070-123 45 67", "Tel: …";
# not a figure like "1 200 000".
_LABELLED_PHONE_RE = re.compile(
    r"^(?:(?:tel|phone|mob|mobile|cell|direct|fax|telefon|mobil|puh|[tmpd])\.?:?\s*)?"
    r"(?:\+|0|\(0?)\d[\d\s().-]{6,}\d$",
    re.IGNORECASE,
)


def _is_contact_row(line: str) -> bool:
    """A signature squeezed onto one line: three or more short fields between "|" (or "•"),
    at least one of them a phone, address or URL, or two a job title and a company name.
    A table row of figures or options ("Q1 | Q2 | Q3") is not one."""
    fields = [f.strip() for f in _FIELD_SPLIT_RE.split(line.strip()) if f.strip()]
    if len(fields) < 3 or len(line.strip()) > 200 or "?" in line:
        return False
    if any(len(f) > 60 or f.endswith(".") and not _COMPANY_RE.search(f) for f in fields):
        return False
    contacts = sum(
        bool(EMAIL_RE.search(f) or _URL_RE.search(f) or _LABELLED_PHONE_RE.match(f)) for f in fields
    )
    titles = sum(bool(_TITLE_RE.search(f)) for f in fields)
    companies = sum(bool(_COMPANY_RE.search(f)) for f in fields)
    return (
        contacts >= 1
        and (titles + companies >= 1 or contacts >= 2)
        or (titles >= 1 and companies >= 1)
    )


def _name_words(author_name: str | None) -> list[str]:
    if not author_name:
        return []
    name = author_name
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first} {last}"
    words = [w.casefold() for w in re.findall(r"[^\W\d_]{2,}", name)]
    # Chinese and Korean write a name without a space, family name first: "林志明" signs
    # "志明".  (A word of a script without case and of three letters or more.)
    return words + [w[1:] for w in words if len(w) >= 3 and w.lower() == w.upper()]


def _cut_point(lines: list[str], author_name: str | None) -> int | None:
    """Index of the first line of trailing noise, or None when the end is clean."""
    end = _paragraphs_end(lines)
    if end == 0:
        return None
    # Only the tail can be a signature; long paragraphs are looked at by their end.
    start = max(_last_paragraph_start(lines, end), end - 40)
    paragraph = [clean(ln) for ln in lines[start:end]]
    text = " ".join(ln.strip() for ln in paragraph).casefold()
    has_text_before = any(ln.strip() for ln in lines[:start])
    # Mobile signatures: trailing lines that are all like "Skickat från min iPhone".
    mobile = None
    for k in range(end - 1, -1, -1):
        if lines[k].strip() and not is_mobile_line(lines[k]):
            break
        if lines[k].strip():
            mobile = k
    if mobile is not None:
        return mobile if any(ln.strip() for ln in lines[:mobile]) else None
    if has_text_before and len(paragraph) == 1 and _device_footer(paragraph[0]):
        return start
    if not has_text_before and start == _last_paragraph_start(lines, end):
        return _closing_in(lines, end)
    hits = sum(word in text for word in DISCLAIMER_WORDS)
    if hits >= 2 or (hits and len(text) > 200):
        return start
    closing = _closing_in(lines, end)
    if closing is not None:
        return closing
    # A block that starts with the author's name: "Anna Berg / Facility Manager / 070-…"
    # The first line must be the name itself, not a sentence that starts with it
    # ("Anna will send the key tomorrow." stays).
    words = _name_words(author_name)
    first = paragraph[0].strip().casefold()
    first_words = re.findall(r"[^\W\d_]+", first)
    is_name_line = (
        # in a script without case, the name and one word after it ("陳怡君 敬上",
        # "정하은 드림": "respectfully")
        len(first_words) == 2
        and first_words[0] in words
        and first_words[0].upper() == first_words[0]
    ) or (
        bool(first_words)
        and len(first_words) <= 4
        # initials count as name words; a lone CJK character ("月", "日") is no initial
        and sum(w in words or len(w) == 1 and w.lower() != w.upper() for w in first_words) * 2
        > len(first_words)
    )
    if words and _is_short_block(paragraph, 8, 60) and is_name_line and len(paragraph) > 1:
        return start
    if (
        _is_short_block(paragraph, 6, 60)
        and len(paragraph) >= 2
        and sum(_looks_like_contact(ln) for ln in paragraph) >= 2
    ):
        return start
    if len(paragraph) <= 3 and all(_is_contact_row(ln) for ln in paragraph):
        return start
    # A sign-off in any language: a short line (a closing word we may not know, such as
    # "Köszönöm:" or "Sveiki,") over one of the author's names, after the message.
    if (
        words
        and len(paragraph) == 2
        and paragraph[1].strip(" -.,").casefold() in words
        and len(paragraph[0].split()) <= 3
        and not paragraph[0].rstrip().endswith(("?", "."))
        and has_text_before
    ):
        return start
    # The same over the author's name and a few lines of title, company or phone ("Cu
    # stimă, / Alina Dumitrescu / Departament Vânzări", "감사합니다. / 정하은 드림 / IT지원팀").
    if words and has_text_before and _closing_over_name(paragraph, words):
        return start
    if author_name is None and has_text_before and _signed_by_shape(paragraph):
        return start
    # A closing line left last ("Saygılarımla,"): a comma after a short line says that a
    # name followed, which an earlier cut took.
    if (
        has_text_before
        and len(paragraph) == 1
        and _short_closing(first)
        and len(first.split()) <= 3
        and first.rstrip().endswith((",", "，", "،"))
    ):
        return start
    # A last line of capitalised words that shares a word with the author's name: an
    # organisation signing differently from its address ("Адміністрація БЦ «Ринок»" for
    # "Бізнес-центр «Ринок»").
    if (
        words
        and has_text_before
        and len(paragraph) == 1
        and len(first_words) >= 2
        and any(w in words for w in first_words)
        and _is_name_line(paragraph[0].strip().translate(_QUOTE_MARKS))
    ):
        return start
    # A lone name line as the last paragraph ("Anna") after a closing paragraph.
    if (
        words
        and len(paragraph) == 1
        and (
            first.strip(" -.") in words + [" ".join(words)] or is_name_line and len(first_words) > 1
        )
    ):
        return start  # "Anna", "Т. Егорова": the author's names and initials only
    return None


_QUOTE_MARKS = str.maketrans(dict.fromkeys('«»"“”„', ""))


def _is_name_line(line: str) -> bool:
    """One to three words that read as a person's name in any script: capitalised words in
    cased scripts ("Zsófia", "Rūta Kazlauskienė", "Елена Мороз"), or a short run of
    letters in scripts without case ("李娜", "鈴木", "ليلى")."""
    words = line.strip().split()
    if not 1 <= len(words) <= 3 or any(not re.fullmatch(r"[^\W\d_][\w'’.-]*", w) for w in words):
        return False
    cased = [w for w in words if w[0].lower() != w[0].upper()]
    if cased:
        return len(cased) == len(words) and all(w[0].isupper() for w in words)
    return len(words) > 1 and len(line) <= 30 or len(words[0]) <= 6  # "سارة العلي", "李娜"


def _closing_over_name(paragraph: list[str], words: list[str]) -> bool:
    """A short closing line, a line naming the author, then at most four short lines."""
    lines = [clean(ln).strip() for ln in paragraph if ln.strip()]
    if not 3 <= len(lines) <= 6 or not _short_closing(lines[0]):
        return False
    named = re.findall(r"[^\W\d_]+", lines[1].casefold())
    return (
        bool(named)
        and len(named) <= 4
        and named[0] in words
        and all(_title_row(ln) for ln in lines[2:])
    )


def _short_closing(line: str) -> bool:
    return len(line.split()) <= 4 and len(line) <= 40 and not line.endswith(("?", "？"))


def _title_row(line: str) -> bool:
    """A title, department, company or phone line under a name: short, no question, no
    postscript, no sentence of many words."""
    return (
        len(line) <= 60
        and "?" not in line
        and not _PS_RE.match(line)
        and not (len(line.split()) > 5 and _SENTENCE_END_RE.search(line))
    )


# A sentence ends in a word and a full stop; "A.Ş.", "d.o.o." and "Inc." end company names.
_SENTENCE_END_RE = re.compile(r"(?<![\w.])[^\W\d_A-Z]{4,}\.$")


def _signed_by_shape(paragraph: list[str]) -> bool:
    """A sign-off whose writer we do not know, read by its shape in any language: a last
    paragraph of a name line, under at most one short closing line ("Üdv,", "Salam,",
    "謝謝！", "よろしくお願いします。") and over at most four short lines of title,
    company or phone ("Nabava | Jadran Interijeri d.o.o.")."""
    lines = [ln.strip() for ln in paragraph if ln.strip()]
    if not 1 <= len(lines) <= 6:
        return False
    for at in range(min(2, len(lines))):
        if not _is_name_line(lines[at]):
            continue
        above, below = lines[:at], lines[at + 1 :]
        if not all(_short_closing(ln) for ln in above):
            continue
        if len(below) > 4 or not all(_title_row(ln) for ln in below):
            continue
        if not above and len(below) > 1 and not any(_looks_like_contact(ln) for ln in below):
            continue  # a name over several lines needs a closing line or a phone, a site
        if not above and not below and len(lines[at].split()) < 2:
            continue  # a lone word could be an answer ("Ja", "Gerne"); a full name is not
        return True
    return False


_INITIAL_RE = re.compile(r"^[^\W\d_]\.$")


def _is_sentence(line: str) -> bool:
    """Whether a line after a closing word is words of the message, not a name or title.

    A name ("Kasia", "Bob", "Anna B.") has no sentence punctuation other than an initial's
    dot; "Nej." and "Ja!" are one-word answers; "I'll be there at five." is a sentence.
    """
    text = line.strip()
    if "?" in text:
        return True
    if not text.endswith((".", "!")):
        return False
    words = text.split()
    return not _INITIAL_RE.match(words[-1])


def _closing_in(lines: list[str], end: int) -> int | None:
    """The sign-off line ("Mit freundlichen Grüßen") opening the trailing block, if any.

    Everything after it must be a short block: name, title, company, address, phone.
    """
    content: list[int] = []  # the last twelve non-blank lines, read from the end
    for k in range(end - 1, -1, -1):
        if len(content) == 12:
            break
        if lines[k].strip():
            content.append(k)
    for k in reversed(content):
        if not _CLOSING_RE.match(clean(lines[k])):
            continue
        after = [ln for ln in lines[k + 1 : end] if ln.strip()]
        if len(after) > 10 or any(len(ln.strip()) > 90 for ln in after):
            continue
        if any(_PS_RE.match(ln) for ln in after):
            return None  # "Hälsningar, Anna / PS. …": a postscript is new text
        if after and _is_sentence(clean(after[0])):
            continue  # "Tack! / Nej." or "Thanks! / I'll be there at five.": an answer

        if not any(ln.strip() for ln in lines[:k]):
            return None  # the message is only a sign-off; keep it
        return k
    return None


def _banner_end(lines: list[str]) -> int:
    """Lines of an external-sender banner at the top, or 0."""
    begin = 0
    while begin < len(lines) and not lines[begin].strip():
        begin += 1
    if begin == len(lines):
        return 0
    first = clean(lines[begin]).strip().casefold().lstrip("*[ ")
    if not first.startswith(tuple(b.lstrip("[") for b in BANNER_STARTS)):
        return 0
    end = begin
    while end < len(lines) and lines[end].strip() and end - begin < 8:
        end += 1
    return end


_SHORT_RULE_RE = re.compile(r"^\s*(?:[-—–]{1,}|_{3,}|={3,}|\*{3,})\s*$")


def _notification_end(lines: list[str], footers: list[Footer | None]) -> int | None:
    """Where a notification's digest history or footer starts (its rule line included).

    `footers` are the lines' footer marks; one pass, with the non-blank lines after each
    line counted from the end rather than re-counted per line."""
    remaining = sum(1 for line in lines if line.strip())
    above = -1  # the last non-blank line before k
    for k, line in enumerate(lines):
        if not line.strip():
            continue
        remaining -= 1
        foot = footers[k]
        if foot in (Footer.NOTICE, Footer.DIGEST):
            ruled = above >= 0 and _SHORT_RULE_RE.match(lines[above]) is not None
            digest = ruled and foot is Footer.DIGEST
            notice = foot is Footer.NOTICE and remaining <= 8
            if digest or notice:
                start = above if ruled else k
                if any(ln.strip() for ln in lines[:start]):
                    return start
        above = k
    return None


def strip_signature(
    body: str, author_name: str | None = None, work: Work | None = None
) -> tuple[str, str]:
    """(own words, removed noise) of one message."""
    lines = body.split("\n")
    # one pass over every line, when a footer's words occur at all; the rest is tails
    footed = may_have_footer(body)
    footers: list[Footer | None] = (
        [footer(line) for line in lines] if footed else [None] * len(lines)
    )
    if work is not None:
        work.passes += 1
        work.lines += len(lines)
        work.chars += sum(min(len(line), 120) for line in lines)
    # Below a "reply above this line" marker is the notification being answered: elided
    # history, not the writer's words.
    above = (
        next((k for k, foot in enumerate(footers) if foot is Footer.REPLY_ABOVE), None)
        if footed
        else None
    )
    history = ""
    if above is not None and any(line.strip() for line in lines[:above]):
        history = "\n".join(lines[above:]).strip()
        lines = lines[:above]
        footers = footers[:above]
    notice = _notification_end(lines, footers) if footed and any(footers) else None
    if notice is not None:
        history = "\n".join(lines[notice:] + ([history] if history else [])).strip()
        lines = lines[:notice]
    footer_at = list_footer_start(lines)
    if footer_at is not None:
        history = "\n".join(lines[footer_at:] + ([history] if history else [])).strip()
        lines = lines[:footer_at]
    top = _banner_end(lines)
    banner = "\n".join(lines[:top]).strip()
    lines = lines[top:]
    tail: list[str] = []  # removed pieces, last one first
    # "-- " starts a signature (RFC 3676 §4.3); a rule of underscores starts a list footer.
    # Only the tail can hold a signature; this also keeps 10 MB bodies fast.
    for k in range(max(0, len(lines) - 80), len(lines)):
        line = lines[k]
        if (
            _SIG_RULE_RE.match(line)
            and any(ln.strip() for ln in lines[:k])
            and (line.rstrip() == "--" or _is_short_block(lines[k + 1 :], 20, 72))
        ):
            tail.append("\n".join(lines[k:]).strip())
            lines = lines[:k]
            break
    for _ in range(6):
        cut = _cut_point(lines, author_name)
        if cut is None:
            break
        tail.append("\n".join(lines[cut:]).strip())
        lines = lines[:cut]
    end = _paragraphs_end(lines)
    slash = _SLASH_NAME_RE.search(lines[end - 1]) if end else None
    if slash and any(ln.strip() for ln in lines[: end - 1] + [lines[end - 1][: slash.start()]]):
        tail.append(slash.group(0).strip())
        lines = lines[: end - 1] + [lines[end - 1][: slash.start()].rstrip()]
    removed = [_tidy(r) for r in (banner, *reversed(tail), history)]
    return _tidy("\n".join(lines)), "\n\n".join(r for r in removed if r)


def _tidy(text: str) -> str:
    """Each line's trailing blanks and the text's surrounding blank lines removed."""
    return "\n".join([ln.rstrip() for ln in text.split("\n")]).strip()
