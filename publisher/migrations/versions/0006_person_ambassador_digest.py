"""person.ambassador and person.digest_opt_out: marked ambassadors, and the weekly digest's opt-out

Revision ID: person_ambassador_digest
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "person_ambassador_digest"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(
            sa.Column("ambassador", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("digest_opt_out", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_column("digest_opt_out")
        batch.drop_column("ambassador")
