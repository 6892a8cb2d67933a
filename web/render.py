"""Turning stored text into safe HTML: mail text, Markdown replies, search snippets.

Mail bodies are text (the parsers converted any HTML): they are escaped and only URLs
become links.  Web replies are Markdown rendered with raw HTML disabled and then cleaned
by nh3 anyway, so a renderer bug cannot become an XSS.  Nothing else produces markup.
"""

from __future__ import annotations

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
    "a", "p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr",
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
