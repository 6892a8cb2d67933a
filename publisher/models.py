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

# What a thread is: what people start on the feed, and what mail becomes.
KINDS = ("question", "discussion", "praise", "event", "idea", "news")


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
    # From the directory import (`mailfeed people import`); the zone is an IANA name the
    # person chose on their profile, else the browser's is used.
    title: Mapped[str | None] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(200), index=True)
    manager_email: Mapped[str | None] = mapped_column(String(320))
    timezone: Mapped[str | None] = mapped_column(String(64))
    # Raised at logout: a session cookie carries the generation it was signed in under.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

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
    kind: Mapped[str] = mapped_column(String(16), default="discussion")  # KINDS
    state: Mapped[str] = mapped_column(String(16), default="open")  # open/answered
    origin: Mapped[str] = mapped_column(String(16), default="cc")  # cc/forward/…/web/news
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
    # Link replies not mailed because one mail named more people than MAILFEED_MAX_LINK_REPLIES.
    links_unsent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

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
    kind: Mapped[str] = mapped_column(String(16), default="post")  # post/praise
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
    praise: Mapped[int] = mapped_column(Integer, default=0)
    discussions: Mapped[int] = mapped_column(Integer, default=0)
    events: Mapped[int] = mapped_column(Integer, default=0)
    ideas: Mapped[int] = mapped_column(Integer, default=0)
    news: Mapped[int] = mapped_column(Integer, default=0)


class ThreadFeatures(Base):
    """A thread's text features for the similar-thread lookup, derived once (publisher.related)."""

    __tablename__ = "thread_features"

    thread_id: Mapped[int] = mapped_column(
        ForeignKey("thread.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
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


# --------------------------------------------------------------- started on the feed (issue 9)


class Praise(Base):
    """One recipient of a praise thread, with the badge the giver chose (or none)."""

    __tablename__ = "praise"
    __table_args__ = (UniqueConstraint("thread_id", "recipient_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    giver_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    badge: Mapped[str | None] = mapped_column(String(32))
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    thread: Mapped[Thread] = relationship()
    recipient: Mapped[Person] = relationship(foreign_keys=[recipient_id])
    giver: Mapped[Person | None] = relationship(foreign_keys=[giver_id])


class Invitation(Base):
    """Someone asked into a thread (to answer, to come): for an event, also their answer.

    `status` follows iCalendar's PARTSTAT (RFC 5545 §3.2.12), lower case."""

    __tablename__ = "invitation"
    __table_args__ = (UniqueConstraint("thread_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    inviter_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    status: Mapped[str] = mapped_column(String(16), default="needs-action")
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    responded: Mapped[datetime | None] = mapped_column(DateTime)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])


class Event(Base):
    """An event thread's calendar data; `uid` and `sequence` as in its iCalendar VEVENT."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id"), unique=True)
    starts: Mapped[datetime] = mapped_column(DateTime)  # naive UTC
    ends: Mapped[datetime] = mapped_column(DateTime)
    place: Mapped[str] = mapped_column(String(300), default="")
    uid: Mapped[str] = mapped_column(String(255), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)

    thread: Mapped[Thread] = relationship()


class Notification(Base):
    """Something a person should see: mention, invitation, reply, answer, praise."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_person_seen", "person_id", "seen"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    kind: Mapped[str] = mapped_column(String(16))
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    seen: Mapped[bool] = mapped_column(Boolean, default=False)
    mailed: Mapped[bool] = mapped_column(Boolean, default=False)  # sent, or never will be

    thread: Mapped[Thread] = relationship()
    actor: Mapped[Person | None] = relationship(foreign_keys=[actor_id])


class NotificationSetting(Base):
    """How a person wants notifications by mail: each | daily | never (no row: each)."""

    __tablename__ = "notification_setting"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    mail: Mapped[str] = mapped_column(String(8), default="each")
    updated: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Upload(Base):
    """A file attached to a web post: kept in the database, so every instance serves it."""

    __tablename__ = "upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ApiToken(Base):
    """A personal API token; only its SHA-256 is kept, so the table leaks nothing usable."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked: Mapped[datetime | None] = mapped_column(DateTime)

    person: Mapped[Person] = relationship()


class NewsSource(Base):
    """A polled news feed and its validators for conditional GET (RFC 9110 §13.1)."""

    __tablename__ = "news_source"

    url: Mapped[str] = mapped_column(String(1000), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(300))
    modified: Mapped[str | None] = mapped_column(String(100))
    checked: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")


class NewsItem(Base):
    """One feed entry that became a `news` thread: the unique key makes it exactly once."""

    __tablename__ = "news_item"
    __table_args__ = (UniqueConstraint("source", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(1000))
    entry_id: Mapped[str] = mapped_column(String(1000))
    link: Mapped[str] = mapped_column(String(2000), default="")
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id"), index=True)
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
