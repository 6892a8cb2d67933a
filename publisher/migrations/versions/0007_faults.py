"""faults: link replies a mail was capped at, a session generation per person, and a
full-text index that reads the first 64 KB of each post

Revision ID: faults
Revises: person_ambassador_digest

Self-contained on purpose (like 0003): the index statements are those of this revision,
not whatever `publisher.fts_*` says later.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# SQLite: the index reads the first 64 KB of each post through the post_search view.
SQLITE_INDEX = (
    "CREATE VIEW IF NOT EXISTS post_search AS SELECT id, substr(body, 1, 65536) AS body, substr(trimmed, 1, 65536) AS trimmed FROM post",
    "CREATE VIRTUAL TABLE IF NOT EXISTS post_fts USING fts5(body, trimmed, content='post_search', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER IF NOT EXISTS post_fts_ai AFTER INSERT ON post BEGIN INSERT INTO post_fts(rowid, body, trimmed) VALUES (new.id, substr(new.body, 1, 65536), substr(new.trimmed, 1, 65536)); END",
    "CREATE TRIGGER IF NOT EXISTS post_fts_ad AFTER DELETE ON post BEGIN INSERT INTO post_fts(post_fts, rowid, body, trimmed) VALUES ('delete', old.id, substr(old.body, 1, 65536), substr(old.trimmed, 1, 65536)); END",
    "CREATE TRIGGER IF NOT EXISTS post_fts_au AFTER UPDATE OF body, trimmed ON post BEGIN INSERT INTO post_fts(post_fts, rowid, body, trimmed) VALUES ('delete', old.id, substr(old.body, 1, 65536), substr(old.trimmed, 1, 65536)); INSERT INTO post_fts(rowid, body, trimmed) VALUES (new.id, substr(new.body, 1, 65536), substr(new.trimmed, 1, 65536)); END",
    "CREATE VIRTUAL TABLE IF NOT EXISTS thread_fts USING fts5(subject, content='thread', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER IF NOT EXISTS thread_fts_ai AFTER INSERT ON thread BEGIN INSERT INTO thread_fts(rowid, subject) VALUES (new.id, new.subject); END",
    "CREATE TRIGGER IF NOT EXISTS thread_fts_ad AFTER DELETE ON thread BEGIN INSERT INTO thread_fts(thread_fts, rowid, subject) VALUES ('delete', old.id, old.subject); END",
    "CREATE TRIGGER IF NOT EXISTS thread_fts_au AFTER UPDATE OF subject ON thread BEGIN INSERT INTO thread_fts(thread_fts, rowid, subject) VALUES ('delete', old.id, old.subject); INSERT INTO thread_fts(rowid, subject) VALUES (new.id, new.subject); END",
)
SQLITE_OLD = ("post_fts", "thread_fts")
POST_DOC = (
    "(to_tsvector('swedish', left(post.body, 65536) || ' ' || left(post.trimmed, 65536))"
    " || to_tsvector('english', left(post.body, 65536) || ' ' || "
    "left(post.trimmed, 65536)))"
)
SUBJECT_DOC = "(to_tsvector('swedish', thread.subject) || to_tsvector('english', thread.subject))"

revision = "faults"
down_revision = "person_ambassador_digest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("thread") as batch:
        batch.add_column(
            sa.Column("links_unsent", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("person") as batch:
        batch.add_column(
            sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0")
        )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":  # the index again, over the cut text
        for fts in SQLITE_OLD:
            for suffix in ("ai", "ad", "au"):
                bind.execute(sa.text(f"DROP TRIGGER IF EXISTS {fts}_{suffix}"))
            bind.execute(sa.text(f"DROP TABLE IF EXISTS {fts}"))
        bind.execute(sa.text("DROP VIEW IF EXISTS post_search"))
        for statement in SQLITE_INDEX:
            bind.execute(sa.text(statement))
        for fts in SQLITE_OLD:
            bind.execute(sa.text(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')"))
    elif bind.dialect.name == "postgresql":
        bind.execute(sa.text("DROP INDEX IF EXISTS ix_post_fts"))
        bind.execute(sa.text("DROP INDEX IF EXISTS ix_thread_fts"))
        bind.execute(
            sa.text(f"CREATE INDEX IF NOT EXISTS ix_post_fts ON post USING gin ({POST_DOC})")
        )
        bind.execute(
            sa.text(f"CREATE INDEX IF NOT EXISTS ix_thread_fts ON thread USING gin ({SUBJECT_DOC})")
        )


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_column("session_generation")
    with op.batch_alter_table("thread") as batch:
        batch.drop_column("links_unsent")
