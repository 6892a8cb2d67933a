"""full-text index: FTS5 tables and triggers on SQLite, GIN expression indexes on PostgreSQL

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

from alembic import op

from mailfeed.publisher import fts_postgres, fts_sqlite

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        fts_sqlite.install(bind)
    elif bind.dialect.name == "postgresql":
        fts_postgres.install(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        fts_sqlite.uninstall(bind)
    elif bind.dialect.name == "postgresql":
        fts_postgres.uninstall(bind)
