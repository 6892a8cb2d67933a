"""thread_subscription: who hears of web replies by mail (opted in, or muted)

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "thread_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["thread_id"], ["thread.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("thread_id", "person_id"),
    )
    op.create_index("ix_thread_subscription_thread_id", "thread_subscription", ["thread_id"])


def downgrade() -> None:
    op.drop_index("ix_thread_subscription_thread_id", table_name="thread_subscription")
    op.drop_table("thread_subscription")
