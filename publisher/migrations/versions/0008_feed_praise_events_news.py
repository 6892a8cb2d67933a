"""feed: kinds (kudos -> praise), praise, invitations, events, notifications, uploads,
API tokens, news

Revision ID: feed_praise_events_news
Revises: faults
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "feed_praise_events_news"
down_revision = "faults"
branch_labels = None
depends_on = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def upgrade() -> None:
    # Today's `kudos` is the feed's `praise`: same meaning, the name users see in Viva/Workplace.
    op.execute("UPDATE thread SET kind = 'praise' WHERE kind = 'kudos'")
    op.execute("UPDATE post SET kind = 'praise' WHERE kind = 'kudos'")
    op.execute("UPDATE mail_message SET kind = 'praise' WHERE kind = 'kudos'")
    op.create_table(
        "praise",
        _id(),
        sa.Column("thread_id", sa.Integer(), sa.ForeignKey("thread.id"), nullable=False),
        sa.Column("recipient_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("giver_id", sa.Integer(), sa.ForeignKey("person.id")),
        sa.Column("badge", sa.String(32)),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("thread_id", "recipient_id"),
    )
    for column in ("thread_id", "recipient_id", "giver_id"):
        op.create_index(f"ix_praise_{column}", "praise", [column])
    op.create_table(
        "invitation",
        _id(),
        sa.Column("thread_id", sa.Integer(), sa.ForeignKey("thread.id"), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("inviter_id", sa.Integer(), sa.ForeignKey("person.id")),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("responded", sa.DateTime()),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("thread_id", "person_id"),
    )
    op.create_index("ix_invitation_thread_id", "invitation", ["thread_id"])
    op.create_index("ix_invitation_person_id", "invitation", ["person_id"])
    op.create_table(
        "event",
        _id(),
        sa.Column("thread_id", sa.Integer(), sa.ForeignKey("thread.id"), nullable=False),
        sa.Column("starts", sa.DateTime(), nullable=False),
        sa.Column("ends", sa.DateTime(), nullable=False),
        sa.Column("place", sa.String(300), nullable=False),
        sa.Column("uid", sa.String(255), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("thread_id"),
        sa.UniqueConstraint("uid"),
    )
    op.create_table(
        "notification",
        _id(),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("thread_id", sa.Integer(), sa.ForeignKey("thread.id"), nullable=False),
        sa.Column("post_id", sa.Integer(), sa.ForeignKey("post.id")),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("person.id")),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("seen", sa.Boolean(), nullable=False),
        sa.Column("mailed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_notification_person_seen", "notification", ["person_id", "seen"])
    op.create_index("ix_notification_thread_id", "notification", ["thread_id"])
    op.create_index("ix_notification_created", "notification", ["created"])
    op.create_table(
        "notification_setting",
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("mail", sa.String(8), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
    )
    op.create_table(
        "upload",
        _id(),
        sa.Column("post_id", sa.Integer(), sa.ForeignKey("post.id"), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_upload_post_id", "upload", ["post_id"])
    op.create_table(
        "api_token",
        _id(),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("revoked", sa.DateTime()),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_api_token_person_id", "api_token", ["person_id"])
    op.create_table(
        "news_source",
        sa.Column("url", sa.String(1000), nullable=False),
        sa.Column("etag", sa.String(300)),
        sa.Column("modified", sa.String(100)),
        sa.Column("checked", sa.DateTime()),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("url"),
    )
    op.create_table(
        "news_item",
        _id(),
        sa.Column("source", sa.String(1000), nullable=False),
        sa.Column("entry_id", sa.String(1000), nullable=False),
        sa.Column("link", sa.String(2000), nullable=False),
        sa.Column("thread_id", sa.Integer(), sa.ForeignKey("thread.id"), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "entry_id"),
    )
    op.create_index("ix_news_item_thread_id", "news_item", ["thread_id"])


def downgrade() -> None:
    for table in (
        "news_item",
        "news_source",
        "api_token",
        "upload",
        "notification_setting",
        "notification",
        "event",
        "invitation",
        "praise",
    ):
        op.drop_table(table)
    op.execute("UPDATE post SET kind = 'kudos' WHERE kind = 'praise'")
    op.execute("UPDATE thread SET kind = 'kudos' WHERE kind = 'praise'")
    op.execute("UPDATE mail_message SET kind = 'kudos' WHERE kind = 'praise'")
