"""The spool as the web app sees it: a Protocol the gateway's `Spool` satisfies.

The web ring may not import the gateway (nor the composition root), yet the admin page
lists quarantined mail and /metrics reports the queue.  So `mailfeed serve` hands its
spool to `create_app(..., spool=...)`, and the web ring relies on this shape alone.
Without a spool (an app built on its own) the spool parts are simply absent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, cast

from flask import current_app


class SpoolEntryView(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def mail_from(self) -> str: ...
    @property
    def received(self) -> float: ...
    @property
    def error(self) -> str: ...
    @property
    def attempts(self) -> int: ...


class SpoolView(Protocol):
    def depth(self) -> int: ...
    def pending(self) -> Iterator[SpoolEntryView]: ...
    def quarantined(self) -> Iterator[SpoolEntryView]: ...
    def retry(self, entry_id: str) -> bool: ...


EXTENSION = "mailfeed_spool"


def current_spool() -> SpoolView | None:
    return cast(SpoolView | None, current_app.extensions.get(EXTENSION))
