"""The one message catalogue: every word a page or a mail shows, in Swedish and English.

The catalogue is the gettext `.po` files under `templates/locale/<lang>/LC_MESSAGES/`;
msgids are the English text.  They are read with Babel when first needed and kept in
memory, so there is no compiled `.mo` file to forget and no build step at run time.
Pages reach the same translations through Flask-Babel (`web/i18n.py`); mail renders its
one template per mail here, in the recipient's language.  `make messages` re-extracts the
msgids from the templates and the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LOCALE_DIR = TEMPLATES / "locale"
DOMAIN = "messages"
LANGUAGES = ("sv", "en")
# The languages whose readers read Swedish more easily than English.
_READ_AS_SWEDISH = frozenset({"sv", "no", "nb", "nn", "da"})


def language_for(language: str | None, default: str = "sv") -> str:
    """The catalogue language for a mail's or person's language guess: sv or en."""
    wanted = (language or default or "en").lower().replace("_", "-").partition("-")[0]
    return "sv" if wanted in _READ_AS_SWEDISH else "en"


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> Translations:
    """The catalogue for `language` (sv or en), read once from its .po file."""
    if language not in LANGUAGES:
        raise ValueError(f"no catalogue for language {language!r}")
    with po_path(language).open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries stay out, as with msgfmt
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    body: str


@cache
def _mail_environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=False,  # text/plain mail: nothing is rendered as HTML
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    return env


def render_mail(template: str, language: str, **values: Any) -> RenderedMail:
    """Render `templates/mail/<template>.txt` in `language`: its first line is
    `Subject: …`, the rest is the plain-text body."""
    rendered = (
        _mail_environment(language_for(language))
        .get_template(f"mail/{template}.txt")
        .render(**values)
    )
    first, _, body = rendered.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"mail template {template}.txt must start with 'Subject:'")
    return RenderedMail(subject=first.removeprefix("Subject:").strip(), body=body.lstrip("\n"))
