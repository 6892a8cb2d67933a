"""address_bounce: hard bounces per address, so a dead address stops getting mail

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "address_bounce",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("bounces", sa.Integer(), nullable=False),
        sa.Column("last_bounce", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("email"),
    )


def downgrade() -> None:
    op.drop_table("address_bounce")
