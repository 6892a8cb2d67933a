"""Web replies by mail: who hears of them, the mails themselves, and muting by a signed link.

By default only the asker hears of a web reply; anyone else in the thread opts in, and
anyone muted hears nothing more (one click, RFC 8058).  The mail comes from "<author>
via Mailfeed" at the gateway address, threaded under the last mail of the thread that
this person has from us or wrote (RFC 5322 §3.6.4), with Reply-To the thread's reply
address, so a reply by mail lands in the thread.  List-* headers (RFC 2369, RFC 2919)
let the mail client offer "unsubscribe".  The writer of the reply is never mailed.
"""

from __future__ import annotations

import hmac
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailfeed.publisher import bounces, outgoing, replyaddr
from mailfeed.publisher.models import (
    MailMessage,
    MessageRef,
    OutboundMail,
    Person,
    Post,
    Subscription,
    Thread,
    utcnow,
)
from mailfeed.publisher.site import Site

ON, MUTED = "on", "muted"
_TOKEN = re.compile(r"^t(?P<thread>\d{1,12})\.p(?P<person>\d{1,12})\.(?P<mac>[a-z2-7]{16})$")
MUTE_TAG = "mute."  # feed+mute.t42.p7.<mac>@firma.se: the mailto: way to mute


def _mac(site: Site, thread_id: int, person_id: int) -> str:
    return replyaddr.sign(site, f"mute:{thread_id}:{person_id}", 16)


def mute_token(site: Site, thread_id: int, person_id: int) -> str:
    """Names one person in one thread; it never expires (an old mail's link must work)."""
    return f"t{thread_id}.p{person_id}.{_mac(site, thread_id, person_id)}"


def read_mute_token(site: Site, token: str) -> tuple[int, int] | None:
    """(thread id, person id) for a genuine token, else None."""
    match = _TOKEN.match(token.strip().lower())
    if match is None:
        return None
    thread_id, person_id = int(match["thread"]), int(match["person"])
    if not hmac.compare_digest(match["mac"], _mac(site, thread_id, person_id)):
        return None
    return thread_id, person_id


def mute_address(site: Site, token: str) -> str:
    return replyaddr.tagged(site, MUTE_TAG + token)


def token_in_address(site: Site, address: str) -> str | None:
    """The mute token a mail to `mute_address` carries, or None for any other address."""
    tag = replyaddr.tag_of(site, address) or ""
    return tag[len(MUTE_TAG) :] if tag.startswith(MUTE_TAG) else None


def state_of(session: Session, thread_id: int, person_id: int) -> str | None:
    return session.scalar(
        select(Subscription.state).where(
            Subscription.thread_id == thread_id, Subscription.person_id == person_id
        )
    )


def set_state(session: Session, thread_id: int, person_id: int, state: str) -> None:
    if state not in (ON, MUTED):
        raise ValueError(f"unknown subscription state {state!r}")
    row = session.scalar(
        select(Subscription).where(
            Subscription.thread_id == thread_id, Subscription.person_id == person_id
        )
    )
    if row is None:
        session.add(Subscription(thread_id=thread_id, person_id=person_id, state=state))
    else:
        row.state, row.updated = state, utcnow()
    session.flush()


def hears(session: Session, thread: Thread, person_id: int) -> bool:
    state = state_of(session, thread.id, person_id)
    return state == ON or (state is None and person_id == thread.asker_id)


def recipients(session: Session, thread: Thread, author: Person) -> list[Person]:
    """Who is mailed a web reply: the asker unless muted, and whoever opted in; internal
    people only, never the writer, never an address that keeps bouncing."""
    states = {
        row.person_id: row.state
        for row in session.scalars(select(Subscription).where(Subscription.thread_id == thread.id))
    }
    ids = {pid for pid, state in states.items() if state == ON}
    if thread.asker_id is not None and states.get(thread.asker_id) != MUTED:
        ids.add(thread.asker_id)
    ids.discard(author.id)
    if not ids:
        return []
    people = list(session.scalars(select(Person).where(Person.id.in_(ids)).order_by(Person.id)))
    dead = bounces.failing(session, (p.email for p in people))
    return [p for p in people if p.internal and p.email not in dead]


def _threading(session: Session, thread: Thread, address: str) -> tuple[str | None, list[str]]:
    """The mail to answer (the last one this person got from us in this thread, else the
    thread's last mail) and the References leading to it."""
    mails = [
        m
        for m in session.scalars(
            select(MailMessage.message_id)
            .where(MailMessage.thread_id == thread.id)
            .order_by(MailMessage.received, MailMessage.id)
        )
        if not m.startswith("sha256:")
    ]
    ours = session.scalar(
        select(OutboundMail.message_id)
        .where(
            OutboundMail.thread_id == thread.id,
            OutboundMail.recipient == address.lower(),
            OutboundMail.message_id != "",
        )
        .order_by(OutboundMail.id.desc())
        .limit(1)
    )
    parent = ours or (mails[-1] if mails else None)
    references = list(dict.fromkeys(m for m in (mails[:1] + mails[-1:]) if m))
    return parent, references


def queue_reply_mails(
    session: Session, site: Site, thread: Thread, post: Post, author: Person
) -> list[OutboundMail]:
    """Queue one mail per recipient for this web reply (key: thread, post, recipient)."""
    queued = []
    url = site.base_url + thread.path
    for person in recipients(session, thread, author):
        key = f"comment:{thread.id}:{post.id}:{person.id}"
        token = mute_token(site, thread.id, person.id)
        mute_url = f"{site.base_url}/mute/{token}"
        parent, references = _threading(session, thread, person.email)
        # Sent because someone wrote, not in answer to a mail: auto-generated (RFC 3834 §5).
        row = outgoing.queue_mail(
            session,
            site,
            template="comment",
            language=thread.language,
            key=key,
            recipient=person.email,
            recipient_name=person.name,
            sender_name=f"{author.display} via {site.name}",
            in_reply_to=parent,
            references=references,
            thread_id=thread.id,
            author=author.display,
            subject=thread.subject,
            body=post.body,
            url=f"{url}#p{post.id}",
            mute_url=mute_url,
            asker=person.id == thread.asker_id,
            extra_headers=[
                ("Reply-To", replyaddr.reply_address(site, thread.id)),
                ("List-Id", f"<thread-{thread.id}.{site.gateway_domain}>"),  # RFC 2919
                ("List-Archive", f"<{url}>"),  # RFC 2369 §3.6
                (
                    "List-Unsubscribe",
                    f"<{mute_url}>, <mailto:{mute_address(site, token)}?subject=mute>",
                ),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),  # RFC 8058 §3.1
            ],
        )
        if session.get(MessageRef, row.message_id) is None:
            session.add(MessageRef(message_id=row.message_id, thread_id=thread.id, post_id=post.id))
        queued.append(row)
    session.flush()
    return queued
