"""person.ambassador: moderators mark the colleagues who help others move to the feed

Revision ID: person_ambassador
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "person_ambassador"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("ambassador", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_column("ambassador")
