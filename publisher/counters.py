"""Feed counters kept up to date by the database, so a feed page never counts the archive.

The per-filter counts shown on every feed page were a full scan of `thread` per request
(145 ms at 100k threads).  Now triggers on `thread` keep them in `feed_stats` for every
write, whoever makes it (the worker publishing, a moderator hiding, an answer marked on
the web), and a page reads a few rows.  The counts are spread over `SHARDS` rows by thread
id, so two workers publishing at once on PostgreSQL rarely wait for the same row; a read
sums them.  Only the filters that are the same for everyone live here; "mine" and
"mentions" are per person and counted through their indexes (`publisher.feed`).

Must not: hold any other state; `rebuild` recomputes everything from `thread`.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

SHARDS = 16
# column -> condition on a thread row (`{r}` is NEW or OLD), matching feed.filter_condition.
COUNTERS = {
    "threads": "NOT {r}.hidden",
    "questions": "NOT {r}.hidden AND {r}.kind = 'question'",
    "unanswered": "NOT {r}.hidden AND {r}.kind = 'question' AND {r}.state <> 'answered'",
    "answered": "NOT {r}.hidden AND {r}.state = 'answered'",
    "praise": "NOT {r}.hidden AND {r}.kind = 'praise'",
    "discussions": "NOT {r}.hidden AND {r}.kind = 'discussion'",
    "events": "NOT {r}.hidden AND {r}.kind = 'event'",
    "ideas": "NOT {r}.hidden AND {r}.kind = 'idea'",
    "news": "NOT {r}.hidden AND {r}.kind = 'news'",
}
WATCHED = "kind, state, hidden"


def _delta(row: str, sign: str) -> str:
    return ", ".join(
        f"{name} = {name} {sign} (CASE WHEN {cond.format(r=row)} THEN 1 ELSE 0 END)"
        for name, cond in COUNTERS.items()
    )


def _shard(row: str) -> str:
    return f"{row}.id % {SHARDS}"


def install(connection: Connection) -> None:
    """The triggers, then the counts of the rows already there."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            text(f"""
CREATE OR REPLACE FUNCTION feed_stats_maintain() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE feed_stats SET {_delta("OLD", "-")} WHERE shard = {_shard("OLD")};
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE feed_stats SET {_delta("NEW", "+")} WHERE shard = {_shard("NEW")};
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""")
        )
        connection.execute(text("DROP TRIGGER IF EXISTS feed_stats_trigger ON thread"))
        connection.execute(
            text(
                f"CREATE TRIGGER feed_stats_trigger AFTER INSERT OR DELETE OR UPDATE OF {WATCHED} "
                "ON thread FOR EACH ROW EXECUTE FUNCTION feed_stats_maintain()"
            )
        )
    else:
        for name, when, body in (
            (
                "ai",
                "AFTER INSERT",
                f"UPDATE feed_stats SET {_delta('new', '+')} WHERE shard = {_shard('new')};",
            ),
            (
                "ad",
                "AFTER DELETE",
                f"UPDATE feed_stats SET {_delta('old', '-')} WHERE shard = {_shard('old')};",
            ),
            (
                "au",
                f"AFTER UPDATE OF {WATCHED}",
                f"UPDATE feed_stats SET {_delta('old', '-')} WHERE shard = {_shard('old')}; "
                f"UPDATE feed_stats SET {_delta('new', '+')} WHERE shard = {_shard('new')};",
            ),
        ):
            connection.execute(text(f"DROP TRIGGER IF EXISTS feed_stats_{name}"))
            connection.execute(
                text(f"CREATE TRIGGER feed_stats_{name} {when} ON thread BEGIN {body} END")
            )
    rebuild(connection)


def uninstall(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("DROP TRIGGER IF EXISTS feed_stats_trigger ON thread"))
        connection.execute(text("DROP FUNCTION IF EXISTS feed_stats_maintain()"))
    else:
        for name in ("ai", "ad", "au"):
            connection.execute(text(f"DROP TRIGGER IF EXISTS feed_stats_{name}"))


def rebuild(connection: Connection) -> None:
    """Recount from `thread` (after a bulk load with triggers off, or to check)."""
    sums = ", ".join(
        f"coalesce(sum(CASE WHEN {cond.format(r='thread')} THEN 1 ELSE 0 END), 0)"
        for cond in COUNTERS.values()
    )
    names = ", ".join(COUNTERS)
    connection.execute(text("DELETE FROM feed_stats"))
    connection.execute(
        text(
            f"INSERT INTO feed_stats (shard, {names}) SELECT s.shard, {sums} FROM "
            f"({_shards_sql()}) AS s LEFT JOIN thread ON thread.id % {SHARDS} = s.shard "
            "GROUP BY s.shard"
        )
    )


def _shards_sql() -> str:
    return " UNION ALL ".join(f"SELECT {i} AS shard" for i in range(SHARDS))


def read(connection: Connection) -> dict[str, int]:
    """The counts for everyone, summed over the shards."""
    row = connection.execute(
        text(
            "SELECT "
            + ", ".join(f"coalesce(sum({name}), 0)" for name in COUNTERS)
            + " FROM feed_stats"
        )
    ).one()
    return {name: int(value) for name, value in zip(COUNTERS, row, strict=True)}
