"""The raw store the gateway writes to, chosen by `MAILFEED_RAW_STORE` (files | database).

The stores themselves live in `publisher.rawstore`, where the web app reads them too.
"""

from __future__ import annotations

from mailfeed.publisher.db import Database
from mailfeed.publisher.rawstore import RawStore, open_store
from mailfeed.settings import Settings


def raw_store(settings: Settings, db: Database) -> RawStore:
    return open_store(settings.raw_store, settings.raw_dir, db)
