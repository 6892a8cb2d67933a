"""scale-out: outbound leases (several senders claim rows, none sends twice); raw_mail
(MAILFEED_RAW_STORE=database: one record of each mail without a shared disk)

Revision ID: 0006_scale_out
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_scale_out"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
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
    op.drop_table("raw_mail")
    with op.batch_alter_table("outbound_mail") as batch:
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
