"""scale-out: outbound leases (several senders claim rows, none sends twice); raw_mail
(MAILFEED_RAW_STORE=database: one record of each mail without a shared disk); feed_stats
counters kept by triggers; the (last_activity, id) and asker indexes; thread_features

Revision ID: scale_out
Revises: person_directory
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Connection, text

revision = "scale_out"
down_revision = "person_directory"
branch_labels = None
depends_on = None

# The feed counters' triggers as of this revision, inlined: a migration records what the
# schema became then, and `publisher/counters.py` may change later.
SHARDS = 16
# column -> condition on a thread row (`{r}` is NEW or OLD), as `publisher.counters` had
# them at this revision (a later filter needs its own migration).
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


def install_counters(connection: Connection) -> None:
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
    _recount(connection)


def uninstall_counters(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("DROP TRIGGER IF EXISTS feed_stats_trigger ON thread"))
        connection.execute(text("DROP FUNCTION IF EXISTS feed_stats_maintain()"))
    else:
        for name in ("ai", "ad", "au"):
            connection.execute(text(f"DROP TRIGGER IF EXISTS feed_stats_{name}"))


def _recount(connection: Connection) -> None:
    """The counts of the threads already there."""
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


def upgrade() -> None:
    op.create_index("ix_thread_activity_id", "thread", ["last_activity", "id"])
    op.create_index("ix_thread_asker_id", "thread", ["asker_id"])
    op.create_table(
        "feed_stats",
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False, server_default="0") for name in COUNTERS],
        sa.PrimaryKeyConstraint("shard"),
    )
    install_counters(op.get_bind())
    op.create_table(
        "thread_features",
        sa.Column("thread_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("features", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["thread_id"], ["thread.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("thread_id"),
    )
    op.create_table(
        "raw_mail",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("digest"),
    )
    with op.batch_alter_table("outbound_mail") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("claimed_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.drop_table("thread_features")
    uninstall_counters(op.get_bind())
    op.drop_table("feed_stats")
    op.drop_index("ix_thread_asker_id", "thread")
    op.drop_index("ix_thread_activity_id", "thread")
    op.drop_table("raw_mail")
    with op.batch_alter_table("outbound_mail") as batch:
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
