"""What readers do to a thread: reply, like, @-mention, mark an answer.

The web layer calls these with the signed-in person; rules about who may do what (only
the asker or a moderator marks an answer) live here so the API and the pages agree.
Composing notification mail is the caller's job: this module only records and reports
who must be told.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from mailfeed.publisher import subscriptions
from mailfeed.publisher.models import Invitation, Like, Mention, Person, Post, Thread, utcnow
from mailfeed.publisher.site import Site

# `@anna@firma.se` or `@anna` (a known local part); not inside a word or an address.
_MENTION = re.compile(r"(?<![\w.@])@([\w.+-]+@[\w-]+(?:\.[\w-]+)+|[\w][\w.+-]*)")
MAX_BODY = 20_000


class NotAllowed(Exception):
    """The person may not do this (the view answers 403)."""


def reply(
    session: Session,
    thread: Thread,
    author: Person,
    body: str,
    *,
    now: datetime | None = None,
    praise: bool = False,
    site: Site | None = None,
) -> tuple[Post, list[Person]]:
    """Append a web post (Markdown source) and record its mentions.

    Returns the post and the people newly mentioned, whom the caller notifies.  A post is
    praise when the writer says so or the whole thread is praise.  With the `site`, the
    thread's mail subscribers are mailed the post (`publisher.subscriptions`), in the
    same transaction as the post itself.
    """
    text = body.strip()
    if not text:
        raise ValueError("empty reply")
    if len(text) > MAX_BODY:
        raise ValueError("reply too long")
    when = now or utcnow()
    last = session.scalar(select(func.max(Post.position)).where(Post.thread_id == thread.id))
    kind = "praise" if praise or thread.kind == "praise" else "post"
    post = Post(
        thread_id=thread.id,
        author_id=author.id,
        date=when,
        body=text,
        source="web",
        kind=kind,
        position=(last if last is not None else -1) + 1,
    )
    session.add(post)
    thread.last_activity = when
    session.flush()
    if site is not None:
        subscriptions.queue_reply_mails(session, site, thread, post, author)
    return post, record_mentions(session, post, exclude=author)


def mentioned_in(session: Session, text: str) -> list[Person]:
    """Known people the text names with @; unknown or ambiguous names are left as text."""
    found: list[Person] = []
    for token in dict.fromkeys(m.group(1).rstrip(".").lower() for m in _MENTION.finditer(text)):
        if "@" in token:
            person = session.scalar(select(Person).where(Person.email == token))
        else:
            matches = list(
                session.scalars(select(Person).where(Person.email.like(f"{token}@%")).limit(2))
            )
            person = matches[0] if len(matches) == 1 else None
        if person is not None and person not in found:
            found.append(person)
    return found


def record_mentions(session: Session, post: Post, *, exclude: Person | None = None) -> list[Person]:
    people = [p for p in mentioned_in(session, post.body) if exclude is None or p.id != exclude.id]
    for person in people:
        session.add(Mention(post_id=post.id, person_id=person.id))
    session.flush()
    return people


def add_mention(session: Session, post: Post, person: Person) -> None:
    """A mention chosen in the composer (a name chip), not written as @address."""
    session.add(Mention(post_id=post.id, person_id=person.id))
    session.flush()


def toggle_like(session: Session, post: Post, person: Person) -> bool:
    """Like the post, or take the like back; returns whether it is liked now."""
    existing = session.scalar(
        select(Like).where(Like.post_id == post.id, Like.person_id == person.id)
    )
    if existing is not None:
        session.delete(existing)
        session.flush()
        return False
    session.add(Like(post_id=post.id, person_id=person.id))
    session.flush()
    return True


def may_mark_answer(thread: Thread, person: Person | None, *, moderator: bool) -> bool:
    if moderator:
        return True
    return person is not None and thread.asker_id is not None and thread.asker_id == person.id


def mark_answer(
    session: Session, thread: Thread, post: Post, person: Person | None, *, moderator: bool
) -> None:
    """Close the question with this post as its answer (asker or moderator only)."""
    if post.thread_id != thread.id:
        raise ValueError("post is not in this thread")
    if not may_mark_answer(thread, person, moderator=moderator):
        raise NotAllowed("only the asker or a moderator marks the answer")
    thread.state = "answered"
    thread.answer_post_id = post.id
    thread.last_activity = utcnow()
    session.flush()


def may_hide_post(post: Post, person: Person | None, *, moderator: bool) -> bool:
    """Moderators hide anything; everyone may remove their own post."""
    return moderator or (person is not None and post.author_id == person.id)


def hide_post(session: Session, post: Post, person: Person | None, *, moderator: bool) -> None:
    """Take a post off the feed.  Hidden, not deleted: the raw mail stays the record."""
    if not may_hide_post(post, person, moderator=moderator):
        raise NotAllowed("only the author or a moderator removes a post")
    post.hidden = True
    thread = post.thread
    if thread.answer_post_id == post.id:
        thread.answer_post_id = None
        thread.state = "open"
    session.flush()


def hide_thread(session: Session, thread: Thread, *, moderator: bool) -> None:
    if not moderator:
        raise NotAllowed("only moderators hide threads")
    thread.hidden = True
    session.flush()


def is_participant(session: Session, thread: Thread, person: Person | None) -> bool:
    if person is None:
        return False
    return any(p.id == person.id for p in thread_participants(session, thread))


def thread_participants(session: Session, thread: Thread) -> list[Person]:
    """The asker and everyone who wrote in the thread: who hears that it was answered."""
    stmt = select(Person).where(
        or_(
            Person.id == thread.asker_id,
            Person.id.in_(select(Post.author_id).where(Post.thread_id == thread.id)),
        )
    )
    return list(session.scalars(stmt.order_by(Person.id)))


def suggest_people(
    session: Session, prefix: str, limit: int = 8, thread_id: int | None = None
) -> list[Person]:
    """Known people whose address or name (or a word of it) starts with `prefix` (mention
    autocomplete); with `thread_id`, the thread's asker, writers and invited come first."""
    word = prefix.strip().lstrip("@").lower()
    if not word:
        return []
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    matches = or_(
        Person.email.like(f"{escaped}%", escape="\\"),
        func.lower(Person.name).like(f"{escaped}%", escape="\\"),
        func.lower(Person.name).like(f"% {escaped}%", escape="\\"),
    )
    first: list[Person] = []
    if thread_id is not None:
        on_thread = or_(
            Person.id.in_(select(Thread.asker_id).where(Thread.id == thread_id)),
            Person.id.in_(select(Post.author_id).where(Post.thread_id == thread_id)),
            Person.id.in_(select(Invitation.person_id).where(Invitation.thread_id == thread_id)),
        )
        first = list(
            session.scalars(
                select(Person).where(matches, on_thread).order_by(Person.email).limit(limit)
            )
        )
    rest = select(Person).where(matches).order_by(Person.email).limit(limit)
    if first:
        rest = rest.where(Person.id.not_in([p.id for p in first]))
    return (first + list(session.scalars(rest)))[:limit]


def restore_post(
    session: Session, post: Post, person: Person | None, *, moderator: bool, was_answer: bool
) -> None:
    """Undo `hide_post`: whoever could remove the post may bring it back, and an accepted
    answer becomes the answer again if no other was chosen meanwhile."""
    if not may_hide_post(post, person, moderator=moderator):
        raise NotAllowed("only the author or a moderator restores a post")
    post.hidden = False
    thread = post.thread
    if was_answer and thread.answer_post_id is None:
        thread.answer_post_id = post.id
        thread.state = "answered"
    session.flush()


def restore_thread(session: Session, thread: Thread, *, moderator: bool) -> None:
    if not moderator:
        raise NotAllowed("only moderators restore threads")
    thread.hidden = False
    session.flush()
