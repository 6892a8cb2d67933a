"""SQLAlchemy 2.0 typed models.  Portable SQL only: SQLite by default, PostgreSQL at scale.

Times are stored as naive UTC; a post also keeps its date as written in the mail
(`date_text`), since the writer's wall-clock time is part of what they wrote.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Person(Base):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))
    internal: Mapped[bool] = mapped_column(Boolean, default=True)
    ambassador: Mapped[bool] = mapped_column(Boolean, default=False)  # marked by moderators
    digest_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)  # weekly digest
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def display(self) -> str:
        return self.name or self.email


class Thread(Base):
    __tablename__ = "thread"
    __table_args__ = (
        # The feed's order and keyset cursor: one seek for any page depth.
        Index("ix_thread_activity_id", "last_activity", "id"),
        Index("ix_thread_asker_id", "asker_id"),  # the "mine" filter's count
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(500))
    slug: Mapped[str] = mapped_column(String(120), default="")
    kind: Mapped[str] = mapped_column(String(16), default="discussion")  # question/discussion/kudos
    state: Mapped[str] = mapped_column(String(16), default="open")  # open/answered
    origin: Mapped[str] = mapped_column(String(16), default="cc")  # cc/forward/monitor/web/import
    language: Mapped[str] = mapped_column(String(8), default="en")
    asker_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_activity: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # how the talk lived in mail before it moved
    mail_first: Mapped[datetime | None] = mapped_column(DateTime)
    mail_last: Mapped[datetime | None] = mapped_column(DateTime)
    mail_messages: Mapped[int] = mapped_column(Integer, default=0)
    mail_people: Mapped[int] = mapped_column(Integer, default=0)
    thread_index: Mapped[str | None] = mapped_column(String(64), index=True)  # Outlook conversation
    answer_post_id: Mapped[int | None] = mapped_column(Integer)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)

    asker: Mapped[Person | None] = relationship()
    posts: Mapped[list[Post]] = relationship(
        back_populates="thread", order_by="Post.position", cascade="all, delete-orphan"
    )

    @property
    def path(self) -> str:
        return f"/t/{self.id}-{self.slug}" if self.slug else f"/t/{self.id}"


class Post(Base):
    __tablename__ = "post"
    __table_args__ = (Index("ix_post_thread_position", "thread_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    author_name: Mapped[str | None] = mapped_column(String(200))  # as written, if no person
    date: Mapped[datetime] = mapped_column(DateTime, default=utcnow)  # UTC, for ordering
    date_text: Mapped[str | None] = mapped_column(String(40))  # ISO as written in the mail
    body: Mapped[str] = mapped_column(Text, default="")
    trimmed: Mapped[str] = mapped_column(Text, default="")  # signature, banners: kept, expandable
    source: Mapped[str] = mapped_column(String(8), default="mail")  # mail/web
    kind: Mapped[str] = mapped_column(String(16), default="post")  # post/kudos
    position: Mapped[int] = mapped_column(Integer, default=0)
    fingerprint: Mapped[str] = mapped_column(String(64), default="", index=True)
    mail_id: Mapped[int | None] = mapped_column(ForeignKey("mail_message.id"))
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    thread: Mapped[Thread] = relationship(back_populates="posts")
    author: Mapped[Person | None] = relationship()

    @property
    def author_display(self) -> str:
        if self.author is not None:
            return self.author.display
        return self.author_name or "?"


class MailMessage(Base):
    """Every mail the gateway accepted, with the decision taken and why."""

    __tablename__ = "mail_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(998), unique=True)  # or "sha256:<hash>"
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    raw_path: Mapped[str] = mapped_column(String(500))
    received: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    source: Mapped[str] = mapped_column(String(16), default="smtp")  # smtp/imap/import/cli
    mail_from: Mapped[str] = mapped_column(String(320), default="")  # envelope sender
    rcpts: Mapped[str] = mapped_column(Text, default="")  # envelope recipients, comma list
    sender: Mapped[str] = mapped_column(String(320), default="")  # From: address
    subject: Mapped[str] = mapped_column(String(500), default="")
    action: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id"), index=True)


class FeedStats(Base):
    """Feed counters per shard, kept by triggers on `thread` (publisher.counters)."""

    __tablename__ = "feed_stats"

    shard: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    threads: Mapped[int] = mapped_column(Integer, default=0)
    questions: Mapped[int] = mapped_column(Integer, default=0)
    unanswered: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    kudos: Mapped[int] = mapped_column(Integer, default=0)
    discussions: Mapped[int] = mapped_column(Integer, default=0)


class ThreadFeatures(Base):
    """A thread's text features for the similar-thread lookup, derived once (publisher.related)."""

    __tablename__ = "thread_features"

    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"),
                                           primary_key=True, autoincrement=False)
    features: Mapped[str] = mapped_column(Text)  # JSON: feature -> count


class RawMail(Base):
    """A mail's bytes, for `MAILFEED_RAW_STORE=database` (publisher.rawstore)."""

    __tablename__ = "raw_mail"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256, hex
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class MessageRef(Base):
    """Message-ID -> thread (and post): how later replies find their thread."""

    __tablename__ = "message_ref"

    message_id: Mapped[str] = mapped_column(String(998), primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"))


class Like(Base):
    __tablename__ = "post_like"
    __table_args__ = (UniqueConstraint("post_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Mention(Base):
    __tablename__ = "mention"
    __table_args__ = (UniqueConstraint("post_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    seen: Mapped[bool] = mapped_column(Boolean, default=False)


class View(Base):
    __tablename__ = "thread_view"
    __table_args__ = (UniqueConstraint("thread_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class OutboundMail(Base):
    """A mail the gateway will send; the idempotency key makes a restart never send twice."""

    __tablename__ = "outbound_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(500), unique=True)
    purpose: Mapped[str] = mapped_column(String(32))  # link/reject/suggest/signin/notify/...
    recipient: Mapped[str] = mapped_column(String(320))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id"))
    message_id: Mapped[str] = mapped_column(String(998))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    # queued / sent / failed / bounced
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A sender's lease on the row while it talks to the relay (publisher.claims).
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)


class SigninToken(Base):
    """A magic-link token that was used: links are single-use, so a replay finds its row."""

    __tablename__ = "signin_token"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    used_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Subscription(Base):
    """Whether a person hears of web replies in a thread by mail: `on` (opted in) or `muted`.

    No row means the default: the asker hears, nobody else does."""

    __tablename__ = "thread_subscription"
    __table_args__ = (UniqueConstraint("thread_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    state: Mapped[str] = mapped_column(String(8))  # on / muted
    updated: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AddressBounce(Base):
    """Hard bounces (DSNs with a 5.x.x status) of mail we sent to an address.

    Kept per address, not on `Person`: the link mail goes to everyone on a CC line, and a
    bounce must not make a person of an address that never wrote."""

    __tablename__ = "address_bounce"

    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    bounces: Mapped[int] = mapped_column(Integer, default=0)
    last_bounce: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
