"""Threads people start on the feed (the composer at /new and `POST /api/threads`).

One path for both, so the page and the API refuse the same things the same way: an
`Invalid` carries a code the web layer words in the reader's language, and nothing is
written before every check passed.  A mail to the gateway with no chain starts the same
kinds of thread (`publish.py`); news threads come only from news feeds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailfeed.publisher import events, invitations, notifications, people, praise, reactions
from mailfeed.publisher.models import Person, Post, Thread, Upload, utcnow
from mailfeed.publisher.publish import slugify
from mailfeed.publisher.site import Site

STARTABLE = ("question", "discussion", "praise", "event", "idea")
MAX_SUBJECT = 300
MAX_PEOPLE = 200
MAX_UPLOAD = 8 * 1024 * 1024
MAX_UPLOADS = 10
MAX_DEPARTMENT_PEOPLE = 2000  # a whole department, not the whole organisation


class Invalid(ValueError):
    """Bad input, named by `code` (an i18n key); `values` fill its placeholders."""

    def __init__(self, code: str, **values: str) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


@dataclass(frozen=True)
class File:
    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Draft:
    kind: str
    subject: str
    body: str
    invite: tuple[str, ...] = ()
    invite_departments: tuple[str, ...] = ()  # everyone in these departments is invited
    praise: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()  # chosen in the composer; @-names in the body count too
    badge: str | None = None
    event: events.EventTimes | None = None
    files: tuple[File, ...] = ()


def _addresses(site: Site, values: Sequence[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        address = value.strip().lower()
        if not address:
            continue
        local, at, _domain = address.rpartition("@")
        if not (local and at) or " " in address:
            raise Invalid("error_address", address=value.strip())
        if not site.is_internal(address):
            raise Invalid("error_outside", address=address)
        if address not in out:
            out.append(address)
    if len(out) > MAX_PEOPLE:
        raise Invalid("error_too_many_people")
    return out


def check(site: Site, draft: Draft) -> None:
    """Every rule a new thread must pass; raises `Invalid` for the first broken one."""
    if draft.kind not in STARTABLE:
        raise Invalid("error_unknown_kind", kind=draft.kind)
    if not draft.subject.strip():
        raise Invalid("error_empty_subject")
    if len(draft.subject) > MAX_SUBJECT:
        raise Invalid("error_long_subject")
    if not draft.body.strip():
        raise Invalid("error_empty_body")
    if len(draft.body) > reactions.MAX_BODY:
        raise Invalid("error_long_body")
    _addresses(site, draft.invite)
    _addresses(site, draft.mentions)
    recipients = _addresses(site, draft.praise)
    if draft.kind == "praise" and not recipients:
        raise Invalid("error_praise_nobody")
    if draft.badge and draft.badge not in praise.BADGES:
        raise Invalid("error_badge")
    if draft.kind == "event":
        if draft.event is None:
            raise Invalid("error_event_time")
        if draft.event.ends <= draft.event.starts:
            raise Invalid("error_event_order")
    if len(draft.files) > MAX_UPLOADS:
        raise Invalid("error_too_many_files")
    for item in draft.files:
        if len(item.data) > MAX_UPLOAD:
            raise Invalid("error_big_file", name=item.filename)


def department_members(session: Session, names: Sequence[str]) -> list[Person]:
    """Everyone in these departments (from the people directory); an unknown name is an
    error, so a typo never invites nobody in silence."""
    members: list[Person] = []
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        found = list(
            session.scalars(
                select(Person)
                .where(Person.department == name, Person.internal.is_(True))
                .order_by(Person.id)
            )
        )
        if not found:
            raise Invalid("error_department", department=name)
        members.extend(p for p in found if p not in members)
    if len(members) > MAX_DEPARTMENT_PEOPLE:
        raise Invalid("error_too_many_people")
    return members


def start(session: Session, site: Site, author: Person, draft: Draft) -> Thread:
    """Check the draft, then write the thread, its first post and all that follows."""
    check(site, draft)
    from_departments = department_members(session, draft.invite_departments)
    now = utcnow()
    thread = Thread(
        subject=draft.subject.strip(),
        slug=slugify(draft.subject),
        kind=draft.kind,
        origin="web",
        language=author.language or site.default_language,
        asker_id=author.id,
        created=now,
        last_activity=now,
    )
    session.add(thread)
    session.flush()
    post = Post(
        thread_id=thread.id,
        author_id=author.id,
        date=now,
        body=draft.body.strip(),
        source="web",
        kind="praise" if draft.kind == "praise" else "post",
        position=0,
    )
    session.add(post)
    session.flush()
    for item in draft.files:
        session.add(
            Upload(
                post_id=post.id,
                filename=item.filename[:255] or "file",
                content_type=item.content_type[:100] or "application/octet-stream",
                size=len(item.data),
                data=item.data,
            )
        )
    mentioned = reactions.record_mentions(session, post, exclude=author)
    for address in _addresses(site, draft.mentions):
        person = people.get_or_create(session, address)
        if person.id != author.id and person not in mentioned:
            reactions.add_mention(session, post, person)
            mentioned.append(person)
    for person in mentioned:
        notifications.notify_person(
            session, site, person, "mention", thread, actor=author, post=post
        )
    invitees = [people.get_or_create(session, a) for a in _addresses(site, draft.invite)]
    invitees += [p for p in from_departments if p not in invitees]
    invitees = [p for p in invitees if p.id != author.id]
    if draft.kind == "event" and draft.event is not None:
        events.create(session, site, thread, draft.event, invitees, author)
    else:
        invitations.invite(session, site, thread, invitees, author, post)
    if draft.kind == "praise":
        recipients = [people.get_or_create(session, a) for a in _addresses(site, draft.praise)]
        praise.give(session, site, thread, recipients, author, draft.badge or None, post)
    session.flush()
    return thread


def reply(
    session: Session,
    site: Site,
    thread: Thread,
    author: Person,
    body: str,
    *,
    praise_post: bool = False,
) -> Post:
    """A reply on the feed (the page's form or `POST /api/threads/<id>/posts`): the post,
    its mentions told, the asker told in the app (their mail comes from `subscriptions`)."""
    if not body.strip():
        raise Invalid("error_empty_body")
    if len(body.strip()) > reactions.MAX_BODY:
        raise Invalid("error_long_body")
    post, mentioned = reactions.reply(session, thread, author, body, praise=praise_post, site=site)
    for target in mentioned:
        notifications.notify_person(
            session, site, target, "mention", thread, actor=author, post=post
        )
    asker = people.find_by_id(session, thread.asker_id)
    if asker is not None and asker not in mentioned:
        notifications.notify_person(
            session, site, asker, "reply", thread, actor=author, post=post, mail=False
        )
    return post
