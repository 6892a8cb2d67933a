"""scale-out: outbound leases (several senders claim rows, none sends twice); raw_mail
(MAILFEED_RAW_STORE=database: one record of each mail without a shared disk); feed_stats
counters kept by triggers; the (last_activity, id) and asker indexes; thread_features

Revision ID: scale_out
Revises: person_directory
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mailfeed.publisher import counters

revision = "scale_out"
down_revision = "person_directory"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_thread_activity_id", "thread", ["last_activity", "id"])
    op.create_index("ix_thread_asker_id", "thread", ["asker_id"])
    op.create_table(
        "feed_stats",
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False, server_default="0")
          for name in counters.COUNTERS],
        sa.PrimaryKeyConstraint("shard"),
    )
    counters.install(op.get_bind())
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
    counters.uninstall(op.get_bind())
    op.drop_table("feed_stats")
    op.drop_index("ix_thread_asker_id", "thread")
    op.drop_index("ix_thread_activity_id", "thread")
    op.drop_table("raw_mail")
    with op.batch_alter_table("outbound_mail") as batch:
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
