"""How an error is written to the log: its class and message, never a mail's words.

A database error's own text carries the SQL statement and its parameters (a post body,
an address), so only the driver's message is kept; addresses lose their local part
(an SMTP reply often names the recipient); any message is cut short.
"""

from __future__ import annotations

import re

from sqlalchemy.exc import StatementError

MAX_MESSAGE = 300
_ADDRESS = re.compile(r"[^\s<>()\[\]\"',;:@]+@(?=[\w-]+(?:\.[\w-]+)+)")


def describe(exc: BaseException) -> str:
    """`ClassName: message`, short, without SQL parameters."""
    if isinstance(exc, StatementError) and exc.orig is not None:
        inner: BaseException = exc.orig
        text = f"{type(exc).__name__} ({type(inner).__name__}): {inner}"
    else:
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return redact(text)


def redact(text: str) -> str:
    """One line, addresses without their local part, at most MAX_MESSAGE characters."""
    text = _ADDRESS.sub("…@", " ".join(text.split()))
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"
