"""`/metrics` for Prometheus: queue depths and ages, outbound states, what the feed holds.

No sign-in (a scraper has no session), so the endpoint guards itself: with
`MAILFEED_METRICS_TOKEN` set, a request must carry `Authorization: Bearer <token>`;
without one, only the addresses in `MAILFEED_TRUSTED_PROXIES` (default: loopback) may
scrape.  A reverse proxy on this machine also connects from loopback, which is why a set
token replaces the address rule instead of adding to it.
"""

from __future__ import annotations

import hmac
import time

from flask import Blueprint, abort, request
from werkzeug.wrappers import Response

from mailfeed.publisher import metrics as metric_queries
from mailfeed.publisher.metrics import Metric
from mailfeed.web.security import peer_address
from mailfeed.web.spoolview import SpoolView, current_spool
from mailfeed.web.state import db_session, settings

bp = Blueprint("metrics", __name__)


def allowed() -> bool:
    cfg = settings()
    if cfg.metrics_token:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), cfg.metrics_token.encode()
        )
    return peer_address() in cfg.trusted_proxies


def spool_metrics(spool: SpoolView, now: float) -> list[Metric]:
    oldest = next(iter(spool.pending()), None)
    return [
        Metric.single(
            "mailfeed_spool_pending", "Acknowledged mails waiting for the worker.", spool.depth()
        ),
        Metric.single(
            "mailfeed_spool_oldest_age_seconds",
            "Age of the oldest waiting mail (0 when none).",
            max(now - oldest.received, 0.0) if oldest is not None else 0.0,
        ),
        Metric.single(
            "mailfeed_spool_quarantined",
            "Mails that failed processing and wait for an operator.",
            sum(1 for _ in spool.quarantined()),
        ),
    ]


@bp.get("/metrics")
def scrape() -> Response:
    if not allowed():
        abort(403)
    spool = current_spool()
    found = spool_metrics(spool, time.time()) if spool is not None else []
    found += metric_queries.database_metrics(db_session())
    return Response(
        metric_queries.render(found),
        content_type=metric_queries.CONTENT_TYPE,
        headers={"Cache-Control": "no-store"},
    )
