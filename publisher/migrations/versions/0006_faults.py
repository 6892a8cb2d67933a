"""faults: link replies a mail was capped at, and a session generation per person

Revision ID: 0006_faults
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_faults"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("thread") as batch:
        batch.add_column(sa.Column("links_unsent", sa.Integer(), nullable=False,
                                   server_default="0"))
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("session_generation", sa.Integer(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_column("session_generation")
    with op.batch_alter_table("thread") as batch:
        batch.drop_column("links_unsent")
