"""person directory: title, department, manager and time zone on a person

Revision ID: person_directory
Revises: feed_praise_events_news
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "person_directory"
down_revision = "feed_praise_events_news"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("title", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("department", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("manager_email", sa.String(length=320), nullable=True))
        batch.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))
    op.create_index("ix_person_department", "person", ["department"])


def downgrade() -> None:
    op.drop_index("ix_person_department", table_name="person")
    with op.batch_alter_table("person") as batch:
        batch.drop_column("timezone")
        batch.drop_column("manager_email")
        batch.drop_column("department")
        batch.drop_column("title")
