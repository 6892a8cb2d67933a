"""page freshness: a content version the database raises on every write to what pages show
(page caches key on it); on PostgreSQL the search documents stored as tsvector columns

Revision ID: page_freshness
Revises: scale_out

Self-contained (no live code imported): the watched tables and the documents as of this
revision.  `publisher.freshness` reads the version; `publisher.fts_postgres` queries the
stored documents.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Connection, text

revision = "page_freshness"
down_revision = "scale_out"
branch_labels = None
depends_on = None

SHARDS = 16
# Every table a page (feed, thread, search, the header) reads from, as of this revision.
WATCHED = (
    "person",
    "thread",
    "post",
    "mail_message",
    "post_like",
    "mention",
    "thread_view",
    "thread_subscription",
    "praise",
    "invitation",
    "event",
    "notification",
    "notification_setting",
    "upload",
    "news_item",
    "news_source",
)
# Tables a page reads only some columns of, which change far more often than those do:
# link mails (a thread's outcome counts who was on the mail), not their delivery state.
PARTLY_WATCHED = {"outbound_mail": "recipient, thread_id, purpose"}
# Once per transaction (a transaction-local setting remembers it, undone with a rolled
# back savepoint like the update itself): any raise makes the version differ.  It takes
# the first shard row no other transaction holds, so concurrent writers never wait on
# each other here and cannot deadlock against the feed counters' rows; only when all are
# held does it queue on one.
PG_BUMP = f"""
CREATE OR REPLACE FUNCTION content_version_bump() RETURNS trigger AS $$
DECLARE
  start integer := (txid_current() % {SHARDS})::integer;
  picked integer;
BEGIN
  IF current_setting('mailfeed.version_raised', true) = 'yes' THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('mailfeed.version_raised', 'yes', true);
  SELECT shard INTO picked FROM content_version
    ORDER BY (shard + {SHARDS} - start) % {SHARDS}
    LIMIT 1 FOR UPDATE SKIP LOCKED;
  UPDATE content_version SET n = n + 1 WHERE shard = coalesce(picked, start);
  RETURN NULL;
END $$ LANGUAGE plpgsql"""

LIMIT = 65536
POST_TEXT = f"left(body, {LIMIT}) || ' ' || left(trimmed, {LIMIT})"
POST_DOC = f"to_tsvector('swedish', {POST_TEXT}) || to_tsvector('english', {POST_TEXT})"
SUBJECT_DOC = "to_tsvector('swedish', subject) || to_tsvector('english', subject)"
OLD_POST_DOC = (
    "(to_tsvector('swedish', left(post.body, 65536) || ' ' || left(post.trimmed, 65536))"
    " || to_tsvector('english', left(post.body, 65536) || ' ' || "
    "left(post.trimmed, 65536)))"
)
OLD_SUBJECT_DOC = (
    "(to_tsvector('swedish', thread.subject) || to_tsvector('english', thread.subject))"
)


def _updates() -> list[tuple[str, str]]:
    """Each watched table with the UPDATE that raises the version on it."""
    return [(table, "UPDATE") for table in WATCHED] + [
        (table, f"UPDATE OF {columns}") for table, columns in PARTLY_WATCHED.items()
    ]


def install_triggers(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text(PG_BUMP))
        for table, update in _updates():
            connection.execute(text(f"DROP TRIGGER IF EXISTS content_version_bump ON {table}"))
            connection.execute(
                text(
                    f"CREATE TRIGGER content_version_bump AFTER INSERT OR {update} OR DELETE "
                    f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                    "EXECUTE FUNCTION content_version_bump()"
                )
            )
        return
    # SQLite has one writer at a time: one row, row-level triggers.
    for table, update in _updates():
        for suffix, when in (("ai", "INSERT"), ("au", update), ("ad", "DELETE")):
            connection.execute(
                text(
                    f"CREATE TRIGGER IF NOT EXISTS content_version_{table}_{suffix} "
                    f"AFTER {when} ON {table} BEGIN "
                    "UPDATE content_version SET n = n + 1 WHERE shard = 0; END"
                )
            )


def uninstall_triggers(connection: Connection) -> None:
    for table, _update in _updates():
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"DROP TRIGGER IF EXISTS content_version_bump ON {table}"))
        else:
            for suffix in ("ai", "au", "ad"):
                connection.execute(text(f"DROP TRIGGER IF EXISTS content_version_{table}_{suffix}"))
    if connection.dialect.name == "postgresql":
        connection.execute(text("DROP FUNCTION IF EXISTS content_version_bump()"))


def upgrade() -> None:
    op.create_table(
        "content_version",
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("shard"),
    )
    bind = op.get_bind()
    bind.execute(
        text(
            "INSERT INTO content_version (shard, n) VALUES "
            + ", ".join(f"({i}, 0)" for i in range(SHARDS))
        )
    )
    install_triggers(bind)
    if bind.dialect.name == "postgresql":
        # The analysed documents, stored: ranking reads them instead of analysing every
        # matching post's text twice (sv and en) per search.
        bind.execute(text("DROP INDEX IF EXISTS ix_post_fts"))
        bind.execute(text("DROP INDEX IF EXISTS ix_thread_fts"))
        bind.execute(
            text(
                f"ALTER TABLE post ADD COLUMN search_doc tsvector GENERATED ALWAYS AS ({POST_DOC}) STORED"
            )
        )
        bind.execute(
            text(
                "ALTER TABLE thread ADD COLUMN search_doc tsvector "
                f"GENERATED ALWAYS AS ({SUBJECT_DOC}) STORED"
            )
        )
        bind.execute(text("CREATE INDEX ix_post_search_doc ON post USING gin (search_doc)"))
        bind.execute(text("CREATE INDEX ix_thread_search_doc ON thread USING gin (search_doc)"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(text("DROP INDEX IF EXISTS ix_post_search_doc"))
        bind.execute(text("DROP INDEX IF EXISTS ix_thread_search_doc"))
        bind.execute(text("ALTER TABLE post DROP COLUMN IF EXISTS search_doc"))
        bind.execute(text("ALTER TABLE thread DROP COLUMN IF EXISTS search_doc"))
        bind.execute(
            text(f"CREATE INDEX IF NOT EXISTS ix_post_fts ON post USING gin ({OLD_POST_DOC})")
        )
        bind.execute(
            text(
                f"CREATE INDEX IF NOT EXISTS ix_thread_fts ON thread USING gin ({OLD_SUBJECT_DOC})"
            )
        )
    uninstall_triggers(bind)
    op.drop_table("content_version")
