"""Erasing a person (GDPR art. 17): their words, their address and their traces go.

What is erased: the person row; the bodies of their posts (the posts stay as "(erased)"
so the threads others wrote in keep their shape); their likes, mentions, views and used
sign-in tokens; mail queued to them; and the raw mails they sent (file deleted, record
kept without the address).  What is not: other people's raw mails that quote them — those
are others' records; `Erasure.quoted_in` names them for the operator to review.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from mailfeed.publisher import rawstore
from mailfeed.publisher.models import (
    Like,
    MailMessage,
    Mention,
    OutboundMail,
    Person,
    Post,
    SigninToken,
    Thread,
    View,
)

ERASED = "(erased)"


@dataclass
class Erasure:
    address: str
    posts: int = 0
    mails: int = 0
    outbound: int = 0
    files: list[Path] = field(default_factory=list)  # raw files to delete after commit
    quoted_in: list[int] = field(default_factory=list)  # mail_message ids to review


def erase_person(session: Session, address: str) -> Erasure:
    """Erase everything of `address` in the database; the caller deletes `files` after
    committing (a rollback must not leave records pointing at deleted files)."""
    address = address.strip().lower()
    result = Erasure(address)
    person = session.scalar(select(Person).where(Person.email == address))
    if person is not None:
        posts = list(session.scalars(select(Post).where(Post.author_id == person.id)))
        for post in posts:
            post.body, post.trimmed, post.author_id, post.author_name = "", "", None, ERASED
            post.hidden = True
        result.posts = len(posts)
        for model in (Like, Mention, View):
            session.execute(delete(model).where(model.person_id == person.id))
        session.execute(update(Thread).where(Thread.asker_id == person.id).values(asker_id=None))
        session.flush()
        session.delete(person)
    session.execute(delete(SigninToken).where(SigninToken.email == address))
    queued = list(session.scalars(select(OutboundMail).where(OutboundMail.recipient == address)))
    for row in queued:
        session.delete(row)
    result.outbound = len(queued)
    for mail in session.scalars(select(MailMessage).where(MailMessage.sender == address)):
        gone = rawstore.forget(session, mail.raw_path)
        if gone is not None:
            result.files.append(gone)
        mail.sender, mail.mail_from, mail.raw_path = ERASED, "", ""
        result.mails += 1
    return result
