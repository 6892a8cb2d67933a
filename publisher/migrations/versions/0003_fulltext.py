"""full-text index: FTS5 tables and triggers on SQLite, GIN expression indexes on PostgreSQL

Revision ID: 0003
Revises: 0002

Self-contained on purpose: a migration is a record of what the schema became at this
revision, so it must not import live code (`publisher.fts_*` may change; this may not).
The PostgreSQL expressions are the ones `publisher.fts_postgres` queries with; a change
there needs a new migration that rebuilds these indexes.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# (index table, content table, columns) as of this revision.
SQLITE_TABLES = (
    ("post_fts", "post", ("body", "trimmed")),
    ("thread_fts", "thread", ("subject",)),
)
POST_DOC = (
    "(to_tsvector('swedish', post.body || ' ' || post.trimmed) || "
    "to_tsvector('english', post.body || ' ' || post.trimmed))"
)
SUBJECT_DOC = "(to_tsvector('swedish', thread.subject) || to_tsvector('english', thread.subject))"


def _sqlite_ddl(fts: str, table: str, cols: tuple[str, ...]) -> list[str]:
    col_list = ", ".join(cols)
    new_vals = ", ".join(f"new.{c}" for c in cols)
    old_vals = ", ".join(f"old.{c}" for c in cols)
    delete = f"INSERT INTO {fts}({fts}, rowid, {col_list}) VALUES ('delete', old.id, {old_vals});"
    insert = f"INSERT INTO {fts}(rowid, {col_list}) VALUES (new.id, {new_vals});"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({col_list}, "
        f"content='{table}', content_rowid='id', tokenize='porter unicode61')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF {col_list} ON {table} "
        f"BEGIN {delete} {insert} END",
    ]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for fts, table, cols in SQLITE_TABLES:
            for statement in _sqlite_ddl(fts, table, cols):
                bind.execute(text(statement))
            bind.execute(text(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')"))
    elif bind.dialect.name == "postgresql":
        bind.execute(text(f"CREATE INDEX IF NOT EXISTS ix_post_fts ON post USING gin ({POST_DOC})"))
        bind.execute(
            text(f"CREATE INDEX IF NOT EXISTS ix_thread_fts ON thread USING gin ({SUBJECT_DOC})")
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for fts, _table, _cols in SQLITE_TABLES:
            for suffix in ("ai", "ad", "au"):
                bind.execute(text(f"DROP TRIGGER IF EXISTS {fts}_{suffix}"))
            bind.execute(text(f"DROP TABLE IF EXISTS {fts}"))
    elif bind.dialect.name == "postgresql":
        bind.execute(text("DROP INDEX IF EXISTS ix_post_fts"))
        bind.execute(text("DROP INDEX IF EXISTS ix_thread_fts"))
