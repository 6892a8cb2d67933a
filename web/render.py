"""Turning stored text into safe HTML: mail text, Markdown replies, search snippets.

Mail bodies are text (the parsers converted any HTML): they are escaped and only URLs
become links.  Web replies are Markdown rendered with raw HTML disabled and then cleaned
by nh3 anyway, so a renderer bug cannot become an XSS.  Nothing else produces markup.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from mailfeed.publisher.fts_sqlite import MARK_END, MARK_START

# Schemes we link; anything else (javascript:, data:) stays text.
_URL = re.compile(r"\b(?:https?://|mailto:)[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}»”’"
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_ALLOWED_TAGS = {
    "a",
    "p",
    "br",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
}


def _link(url: str) -> str:
    href = escape(url)
    return f'<a href="{href}" rel="nofollow noopener noreferrer">{href}</a>'


def mail_text(text: str | None) -> Markup:
    """Plain mail text as HTML: escaped, with http(s)/mailto URLs as links."""
    source = text or ""
    out: list[str] = []
    pos = 0
    for match in _URL.finditer(source):
        url = match.group(0)
        stripped = url.rstrip(_TRAILING)
        out.append(str(escape(source[pos : match.start()])))
        out.append(_link(stripped))
        out.append(str(escape(url[len(stripped) :])))
        pos = match.end()
    out.append(str(escape(source[pos:])))
    return Markup("".join(out))


def markdown(text: str | None) -> Markup:
    """A web reply's Markdown as sanitized HTML (raw HTML off, then nh3 on the result)."""
    html = _markdown.render(text or "")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean)


def post_body(body: str, source: str) -> Markup:
    return markdown(body) if source == "web" else mail_text(body)


def marked(snippet: str | None) -> Markup:
    """A search snippet with its match markers as <mark>, everything else escaped."""
    escaped = str(escape(snippet or ""))
    return Markup(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def plain_snippet(snippet: str | None) -> str:
    return (snippet or "").replace(MARK_START, "").replace(MARK_END, "")


def iso_utc(moment: datetime | None) -> str | None:
    """Naive-UTC datetime -> ISO 8601 with a Z, the API's time format."""
    if moment is None:
        return None
    return moment.replace(microsecond=0).isoformat() + "Z"


# Avatar backgrounds: ten hues, each dark enough for white initials at >= 4.5:1 (WCAG AA);
# tests/test_people.py checks every one.
AVATAR_COLOURS = (
    "#1d4ed8",
    "#047857",
    "#b91c1c",
    "#7c3aed",
    "#a21caf",
    "#0f766e",
    "#9a3412",
    "#4338ca",
    "#be123c",
    "#3f6212",
)


def avatar(name: str | None, email: str | None) -> tuple[str, int]:
    """Initials and a colour index for a person, the same for an address everywhere.

    The colour comes from the address (a name can be spelt two ways; the address is the
    person), through a stable hash: Python's hash() changes per process."""
    key = (email or name or "?").strip().lower()
    index = int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) % len(AVATAR_COLOURS)
    words = [w for w in re.split(r"[\s._-]+", name or (email or "?").partition("@")[0]) if w]
    letters = (words[0][0] + words[-1][0]) if len(words) > 1 else (words[0][:1] if words else "?")
    return letters.upper(), index


_MARKUP_NOISE = re.compile(r"[*_`#>\[\]]+|\(https?://[^)]*\)")


def excerpt(text: str | None, width: int = 200) -> str:
    """The first ~`width` characters of a post as one line of plain text (for cards)."""
    flat = " ".join(_MARKUP_NOISE.sub("", text or "").split())
    if len(flat) <= width:
        return flat
    cut = flat[:width].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"
