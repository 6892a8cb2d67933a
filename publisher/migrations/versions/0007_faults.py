"""faults: link replies a mail was capped at, a session generation per person, and a
full-text index that reads the first 64 KB of each post

Revision ID: faults
Revises: person_ambassador_digest
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mailfeed.publisher import fts_postgres, fts_sqlite

revision = "faults"
down_revision = "person_ambassador_digest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("thread") as batch:
        batch.add_column(sa.Column("links_unsent", sa.Integer(), nullable=False,
                                   server_default="0"))
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("session_generation", sa.Integer(), nullable=False,
                                   server_default="0"))
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":  # the index again, over the cut text
        fts_sqlite.uninstall(bind)
        fts_sqlite.install(bind)
    elif bind.dialect.name == "postgresql":
        fts_postgres.uninstall(bind)
        fts_postgres.install(bind)


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_column("session_generation")
    with op.batch_alter_table("thread") as batch:
        batch.drop_column("links_unsent")
