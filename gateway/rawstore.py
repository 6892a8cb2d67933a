"""The raw store the gateway writes to, chosen by `MAILFEED_RAW_STORE` (files | database).

The stores themselves live in `publisher.rawstore`, where the web app reads them too.
"""

from __future__ import annotations

from mailfeed.gateway.config import GatewayConfig
from mailfeed.publisher.db import Database
from mailfeed.publisher.rawstore import RawStore, open_store

__all__ = ["RawStore", "raw_store"]


def raw_store(config: GatewayConfig, db: Database) -> RawStore:
    return open_store(config.raw_store, config.raw_dir, db)
