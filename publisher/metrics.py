"""Prometheus metrics read from the database, and the text exposition format (0.0.4).

Hand-written rather than a client library: a scrape is a handful of COUNT queries and a
few lines of text, and the registry of a client library would be module-level state.
This module only counts and formats; who may scrape is the web layer's rule, and the
spool's numbers (files on disk) come from the gateway.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from mailfeed.publisher.models import MailMessage, OutboundMail, Post, Thread, utcnow

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Always exported, also at zero: an alert on `mailfeed_outbound{state="failed"} > 0` must
# see a series before the first failure.
OUTBOUND_STATES = ("queued", "sent", "failed", "bounced")
MAIL_ACTIONS = ("publish", "append", "suggest", "ignore", "reject")


@dataclass(frozen=True)
class Metric:
    name: str
    help: str
    type: str  # gauge | counter
    samples: tuple[tuple[Mapping[str, str], float], ...]

    @classmethod
    def single(cls, name: str, help: str, value: float, type: str = "gauge") -> Metric:
        return cls(name, help, type, (({}, value),))

    @classmethod
    def by_label(
        cls, name: str, help: str, label: str, values: Mapping[str, float], type: str = "gauge"
    ) -> Metric:
        return cls(name, help, type, tuple(({label: k}, v) for k, v in values.items()))


def _label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def render(metrics: Iterable[Metric]) -> str:
    """The text exposition format 0.0.4: HELP and TYPE, then one line per sample."""
    lines: list[str] = []
    for metric in metrics:
        lines.append(f"# HELP {metric.name} {metric.help}")
        lines.append(f"# TYPE {metric.name} {metric.type}")
        for labels, value in metric.samples:
            text = ",".join(f'{k}="{_label_value(v)}"' for k, v in labels.items())
            lines.append(
                f"{metric.name}{{{text}}} {_number(value)}"
                if text
                else f"{metric.name} {_number(value)}"
            )
    return "\n".join(lines) + "\n"


def _age(now: datetime, since: datetime | None) -> float:
    return max((now - since).total_seconds(), 0.0) if since is not None else 0.0


def _counts(
    session: Session, column: InstrumentedAttribute[str], known: tuple[str, ...]
) -> dict[str, float]:
    counts: dict[str, float] = dict.fromkeys(known, 0)
    for key, count in session.execute(select(column, func.count()).group_by(column)):
        counts[str(key)] = count
    return counts


def database_metrics(session: Session, now: datetime | None = None) -> list[Metric]:
    now = now or utcnow()
    oldest_queued = session.scalar(
        select(func.min(OutboundMail.created)).where(OutboundMail.state == "queued")
    )
    return [
        Metric.by_label(
            "mailfeed_outbound",
            "Outbound mails by state.",
            "state",
            _counts(session, OutboundMail.state, OUTBOUND_STATES),
        ),
        Metric.single(
            "mailfeed_outbound_oldest_queued_age_seconds",
            "Age of the oldest outbound mail still queued (0 when none).",
            _age(now, oldest_queued),
        ),
        Metric.by_label(
            "mailfeed_mail_total",
            "Mails processed, by the decision taken.",
            "action",
            _counts(session, MailMessage.action, MAIL_ACTIONS),
            type="counter",
        ),
        Metric.single(
            "mailfeed_threads",
            "Threads on the feed.",
            session.scalar(select(func.count()).select_from(Thread)) or 0,
        ),
        Metric.single(
            "mailfeed_posts",
            "Posts on the feed.",
            session.scalar(select(func.count()).select_from(Post)) or 0,
        ),
    ]
