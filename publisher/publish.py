"""Parsed mail -> feed thread and posts: decide with history, create or merge, queue replies.

Idempotent by construction: a mail is known by its Message-ID (or, without one, the hash
of its bytes); the `mail_message` row, the thread, its posts and the queued replies are
written in one transaction, so a crash either leaves none of them or all of them, and a
second delivery of the same mail changes nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailfeed.parsers import authresults
from mailfeed.parsers.model import ChainMessage, Decision, ParsedMail
from mailfeed.parsers.policy import decide
from mailfeed.publisher import (
    claims,
    outbox,
    outgoing,
    people,
    praise,
    related,
    replyaddr,
    suggest,
)
from mailfeed.publisher.models import MailMessage, MessageRef, OutboundMail, Post, Thread, utcnow
from mailfeed.publisher.site import Site


@dataclass(frozen=True)
class Envelope:
    """How the mail reached us (SMTP envelope, IMAP, import), and where its bytes are kept."""

    mail_from: str | None = None  # None when unknown (IMAP, import)
    rcpts: tuple[str, ...] = ()
    source: str = "smtp"
    raw_path: str = ""
    dkim_domains: tuple[str, ...] = ()  # d= of the DKIM signatures the gateway verified


@dataclass(frozen=True)
class Outcome:
    decision: Decision
    thread_id: int | None
    duplicate: bool
    new_posts: int


def mail_key(parsed: ParsedMail) -> str:
    return parsed.message_id or f"sha256:{parsed.content_hash}"


def slugify(text: str, limit: int = 60) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", folded).strip("-").lower()
    return slug[:limit].rstrip("-")


def conversation_key(thread_index: str | None) -> str | None:
    """Outlook's Thread-Index: the first 22 bytes name the conversation (MS-OXOMSG 2.2.1.3)."""
    if not thread_index:
        return None
    try:
        raw = base64.b64decode(thread_index.strip() + "==", validate=False)
    except (binascii.Error, ValueError):
        return None
    return raw[:22].hex() if len(raw) >= 22 else None


def fingerprint(message: ChainMessage) -> str:
    """Who wrote what: the same quoted message in a later, longer copy of the chain matches."""
    who = (message.author.email or message.author.name or "").strip().lower()
    words = re.sub(r"\W+", " ", message.body.lower()).strip()
    return hashlib.sha256(f"{who}|{words[:2000]}".encode()).hexdigest()


def parse_iso(text: str | None) -> datetime | None:
    """A chain date as written -> naive UTC for ordering (a date without offset stays as is)."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


# References kept per mail, nearest first.  Threads need the last few; 300,000 of them
# made one query the database refuses ("too many SQL variables") for ever.
MAX_REFERENCES = 100


def _references(parsed: ParsedMail) -> tuple[str, ...]:
    return parsed.references[-MAX_REFERENCES:]


def find_thread(
    session: Session, parsed: ParsedMail, site: Site | None = None, rcpts: tuple[str, ...] = ()
) -> Thread | None:
    """The thread this mail continues: by its per-thread reply address, by Message-ID
    references, then by Outlook's conversation.

    The mail's own Message-ID counts too: a reply that arrived first (an archive import,
    a slow relay) already named it in its References."""
    if site is not None:
        for address in rcpts:
            thread_id = replyaddr.thread_for(site, address)
            if thread_id is not None and (thread := session.get(Thread, thread_id)) is not None:
                return thread
    ids = [i for i in [parsed.in_reply_to, *reversed(_references(parsed)), parsed.message_id] if i]
    if ids:
        refs = {
            r.message_id: r.thread_id
            for r in session.scalars(select(MessageRef).where(MessageRef.message_id.in_(ids)))
        }
        for message_id in ids:  # nearest ancestor first
            if message_id in refs:
                return session.get(Thread, refs[message_id])
    key = conversation_key(parsed.thread_index)
    if key:
        thread = session.scalar(select(Thread).where(Thread.thread_index == key))
        if thread is not None:
            return thread
    return None


def find_by_root(session: Session, parsed: ParsedMail) -> Thread | None:
    """A later copy of a chain we already published, found by its first message's words.

    Words alone are no proof: "Vet någon?" asked twice about two things are two
    threads.  So the copy must carry the thread's subject and quote the first message
    (a chain of two or more); a lone message matches only its own Message-ID."""
    chain = parsed.chain
    if not chain or not chain[0].body.strip():
        return None
    post = session.scalar(
        select(Post).where(Post.fingerprint == fingerprint(chain[0]), Post.position == 0)
    )
    if (
        post is None
        or post.thread.subject.casefold() != (parsed.subject or "(no subject)").casefold()
    ):
        return None
    if len(chain) < 2:
        first = session.get(MailMessage, post.mail_id) if post.mail_id is not None else None
        if first is None or first.message_id != mail_key(parsed):
            return None
    return post.thread


def _author(session: Session, site: Site, message: ChainMessage) -> tuple[int | None, str | None]:
    email, name = message.author.email, message.author.name
    if email and site.is_internal(email):
        return people.get_or_create(session, email, name).id, name
    if email or name:
        # Only internal people appear on the feed; outsiders by name only, or redacted.
        shown = "(external)" if site.external_people == "redact" else (name or "(external)")
        return None, shown
    return None, None


def _alias_of(thread: Thread, message: ChainMessage) -> int | None:
    """A participant of `thread` whose name the writer carries, from another address of
    theirs (anna@ for anna.berg@): only asked when the mail was authenticated."""
    name = (message.author.name or "").strip().casefold()
    if not name or not message.author.email:
        return None
    for post in thread.posts:
        person = post.author
        if (
            person is not None
            and person.email != message.author.email
            and (person.name or "").strip().casefold() == name
        ):
            return person.id
    return None


def _add_posts(
    session: Session,
    site: Site,
    thread: Thread,
    parsed: ParsedMail,
    mail: MailMessage,
    authenticated: bool = False,
) -> int:
    existing = {p.fingerprint for p in thread.posts}
    position = max((p.position for p in thread.posts), default=-1) + 1
    fallback = parse_iso(parsed.date) or utcnow()
    added = 0
    for message in parsed.chain:
        if site.is_gateway(message.author.email) or not message.body.strip():
            continue  # our own link mail quoted back to us, or an empty shell
        fp = fingerprint(message)
        if fp in existing:
            continue
        author_id, author_name = _author(session, site, message)
        if authenticated and message is parsed.chain[-1]:
            # Replies from an alias count as the participant only when the mail is
            # authenticated: otherwise anyone could write under a colleague's name.
            author_id = _alias_of(thread, message) or author_id
        post = Post(
            thread=thread,
            author_id=author_id,
            author_name=author_name,
            date=parse_iso(message.date) or fallback,
            date_text=message.date,
            body=message.body,
            trimmed=message.trimmed,
            source="mail",
            position=position,
            fingerprint=fp,
            mail_id=mail.id,
        )
        session.add(post)
        existing.add(fp)
        position += 1
        added += 1
    if added:
        session.flush()
        thread.last_activity = max(thread.last_activity, utcnow())
    return added


def _mail_stats(thread: Thread, parsed: ParsedMail, site: Site) -> None:
    dates = [d for d in (parse_iso(m.date) for m in parsed.chain) if d]
    if dates:
        thread.mail_first = min([*dates, thread.mail_first] if thread.mail_first else dates)
        thread.mail_last = max([*dates, thread.mail_last] if thread.mail_last else dates)
    thread.mail_messages = max(thread.mail_messages, len(parsed.chain))
    humans = [p for p in parsed.participants if not site.is_gateway(p)]
    thread.mail_people = max(thread.mail_people, len(humans))


def _new_thread(
    session: Session, site: Site, parsed: ParsedMail, decision: Decision, origin: str
) -> Thread:
    root = parsed.chain[0] if parsed.chain else None
    asker_id = None
    if root is not None and root.author.email and site.is_internal(root.author.email):
        asker_id = people.get_or_create(session, root.author.email, root.author.name).id
    thread = Thread(
        subject=parsed.subject or "(no subject)",
        slug=slugify(parsed.subject),
        kind=decision.kind or "discussion",
        origin=origin,
        language=parsed.language,
        asker_id=asker_id,
        thread_index=conversation_key(parsed.thread_index),
        posts=[],  # known to have none: nothing to load when the posts are added
    )
    session.add(thread)
    session.flush()
    return thread


def _remember_ids(session: Session, thread: Thread, ids: list[str]) -> None:
    known = set(
        session.scalars(select(MessageRef.message_id).where(MessageRef.message_id.in_(ids)))
    )
    for message_id in dict.fromkeys(ids):
        if message_id and message_id not in known:
            session.add(MessageRef(message_id=message_id, thread_id=thread.id))


def _link_recipients(site: Site, parsed: ParsedMail) -> list[tuple[str, str | None]]:
    names: dict[str, str | None] = {
        m.author.email: m.author.name for m in parsed.chain if m.author.email
    }
    for person in (parsed.sender, *parsed.to, *parsed.cc):
        if person.email:
            names.setdefault(person.email, person.name)
    out = []
    for address in dict.fromkeys([parsed.sender.email or "", *parsed.participants]):
        if address and site.is_internal(address) and not site.is_gateway(address):
            out.append((address, names.get(address)))
    return out


def _queue_links(session: Session, site: Site, thread: Thread, parsed: ParsedMail) -> list[str]:
    """Queue the link for whoever on the mail has not had it; the Message-IDs queued."""
    recipients = _link_recipients(site, parsed)
    keys = {address: f"link:{thread.id}:{address}" for address, _ in recipients}
    sent = set(
        session.scalars(
            select(OutboundMail.idempotency_key).where(
                OutboundMail.idempotency_key.in_(list(keys.values()))
            )
        )
    )
    todo = [(a, n) for a, n in recipients if keys[a] not in sent]
    if len(todo) > site.max_link_replies:
        # One mail naming thousands must not make us mail thousands: the first ones (the
        # writers of the chain, then the headers' order) get the link; the page tells
        # how many did not.
        thread.links_unsent += len(todo) - site.max_link_replies
        todo = todo[: site.max_link_replies]
    if not todo:
        return []  # everyone on this copy already has the link: compose nothing
    url = site.base_url + thread.path
    # "4 posts from 3 people": the people who wrote them, not everyone the mail went to.
    writers = {p.author_id if p.author_id is not None else p.author_name for p in thread.posts}
    similar = []
    if thread.kind == "question":
        similar = [
            {"subject": t.subject, "url": site.base_url + t.path}
            for t in related.similar_answered(session, thread)
        ]
    mail = outgoing.render_for(
        site,
        "link",
        thread.language,
        url=url,
        subject=thread.subject,
        posts=len(thread.posts),
        people=max(len(writers), 1),
        similar=similar,
    )
    message_ids = {a: outgoing.message_id_for(site.gateway_domain, keys[a]) for a, _ in todo}
    # One body for everyone: composed and serialised once, To and Message-ID per person.
    wire = outgoing.compose_each(
        [(address, name, message_ids[address]) for address, name in todo],
        sender=site.gateway_address,
        sender_name=site.name,
        subject=mail.subject,
        body=mail.body,
        in_reply_to=parsed.message_id,
        references=parsed.references,
        date=datetime.now(UTC),
        extra_headers=[("Reply-To", replyaddr.reply_address(site, thread.id))],
    )
    outbox.enqueue_many(
        session,
        [
            {
                "idempotency_key": keys[address],
                "purpose": "link",
                "recipient": address.lower(),
                "thread_id": thread.id,
                "message_id": message_ids[address],
                "raw": wire[address],
            }
            for address, _name in todo
        ],
    )
    return list(message_ids.values())


def _rejection_kind(decision: Decision) -> str:
    """The reject mail explains a confidential refusal in the sender's words
    (templates/mail/reject.txt); any other rule is explained by the operator's reason."""
    return "confidential" if decision.confidential else decision.rule


def notice_recipient(site: Site, parsed: ParsedMail, envelope: Envelope) -> tuple[str | None, str]:
    """Where a rejection notice may go, or None and why not.

    Only to the envelope sender, and only when the mail proved it came from that
    address's domain (a trusted verifier's pass, or our own DKIM check): otherwise anyone
    could make the gateway mail their text to any address (backscatter)."""
    address = (envelope.mail_from or "").strip().lower()
    if not address or "@" not in address:
        return None, "no notice: no envelope sender"
    if site.is_gateway(address):
        return None, "no notice: the envelope sender is the gateway"
    domain = address.rpartition("@")[2]
    if domain in {d.lower() for d in envelope.dkim_domains} or any(
        authresults.aligned(d, domain) for d in envelope.dkim_domains
    ):
        return address, ""
    if site.policy.trusted_authserv_ids:
        verdict = authresults.evaluate(
            authresults.parse_all(parsed.header_all("authentication-results")),
            domain,
            site.policy.trusted_authserv_ids,
        )
        if verdict.passed:
            return address, ""
        return None, f"no notice: {domain} not authenticated ({verdict.reason})"
    return None, f"no notice: nothing authenticates {domain} (no trusted verifier set)"


def _queue_rejection(
    session: Session,
    site: Site,
    parsed: ParsedMail,
    decision: Decision,
    envelope: Envelope,
    mail: MailMessage,
    today: str,
) -> None:
    address, why_not = notice_recipient(site, parsed, envelope)
    if address is None:
        mail.reason = f"{mail.reason}; {why_not}"[:2000]
        return
    reason_code = hashlib.sha256(decision.reason.encode()).hexdigest()[:12]
    name = parsed.sender.name if parsed.sender.email == address else None
    outgoing.queue_mail(
        session,
        site,
        template="reject",
        language=parsed.language,
        key=f"reject:{address}:{reason_code}:{today}",  # once per sender, reason and day
        recipient=address,
        recipient_name=name,
        in_reply_to=parsed.message_id,
        references=parsed.references,
        subject=parsed.subject,
        why=_rejection_kind(decision),
        domain=address.rpartition("@")[2],
        reason=decision.reason,
    )


def decide_for(
    session: Session,
    site: Site,
    parsed: ParsedMail,
    envelope: Envelope,
) -> tuple[Decision, Thread | None]:
    """The decision the gateway takes for this mail now, and the thread it continues."""
    thread = find_thread(session, parsed, site, envelope.rcpts)
    suggested = (
        bool(parsed.chain)
        and session.scalar(
            select(OutboundMail.id).where(
                OutboundMail.idempotency_key == suggest_key(parsed.chain[0])
            )
        )
        is not None
    )
    context = replace(
        site.policy,
        envelope_rcpts=envelope.rcpts,
        envelope_from=envelope.mail_from,
        known_thread=thread is not None,
        already_suggested=suggested,
        verified_dkim_domains=envelope.dkim_domains,
        source="import" if envelope.source == "import" else "mail",
    )
    return decide(parsed, context), thread


def suggest_key(root: ChainMessage) -> str:
    """One invitation per conversation, however many monitor copies of it arrive."""
    return f"suggest:{fingerprint(root)}"


def _flags(parsed: ParsedMail) -> list[str]:
    """What an operator should know beside the decision: a display name disguised as an
    address ("vd@firma.se" <attacker@…>) is shown as a name, and flagged here."""
    return [d for d in parsed.defects if d.startswith("display name looks like an address")]


def seen_before(session: Session, parsed: ParsedMail) -> Outcome | None:
    """The outcome on record when this mail (by Message-ID or hash) was handled already."""
    key = mail_key(parsed)
    # Another instance may hold the same mail (two MX hosts): wait for it, then see its row.
    claims.claim_mail(session, claims.mail_claim_keys(parsed, key))
    seen = session.scalar(select(MailMessage).where(MailMessage.message_id == key))
    if seen is None:
        return None
    decision = Decision(seen.action, seen.kind, seen.reason)  # type: ignore[arg-type]
    return Outcome(decision, seen.thread_id, duplicate=True, new_posts=0)


def process(session: Session, site: Site, parsed: ParsedMail, envelope: Envelope) -> Outcome:
    """Decide and record in one step (the gateway's intake runs the steps itself, so that
    it can forget a confidential mail's words between deciding and recording)."""
    seen = seen_before(session, parsed)
    if seen is not None:
        return seen
    decision, thread = decide_for(session, site, parsed, envelope)
    return record(session, site, parsed, envelope, decision, thread)


def mail_record(
    parsed: ParsedMail,
    envelope: Envelope,
    *,
    action: str,
    reason: str,
    kind: str | None = None,
    thread_id: int | None = None,
) -> MailMessage:
    """The audit row of one mail, the same for every path that takes mail in."""
    return MailMessage(
        message_id=mail_key(parsed),
        content_hash=parsed.content_hash,
        raw_path=envelope.raw_path,
        source=envelope.source,
        mail_from=envelope.mail_from or "",
        rcpts=",".join(envelope.rcpts),
        sender=parsed.sender.email or "",
        subject=parsed.subject[:500],
        action=action,
        kind=kind,
        reason=reason,
        thread_id=thread_id,
    )


def record(
    session: Session,
    site: Site,
    parsed: ParsedMail,
    envelope: Envelope,
    decision: Decision,
    thread: Thread | None,
) -> Outcome:
    """Write what `decision` (from `decide_for`) means: the mail's record, the thread and
    its posts, the replies to queue.  The caller commits."""
    mail = mail_record(
        parsed,
        envelope,
        action=decision.action,
        kind=decision.kind,
        reason="; ".join([decision.reason, *_flags(parsed)]),
    )
    session.add(mail)
    session.flush()

    added = 0
    if decision.action in {"publish", "append"}:
        # A monitor copy published by policy (MAILFEED_MONITOR_POLICY=publish) is marked so.
        source = "monitor" if decision.rule == "monitor" else envelope.source
        thread, added = publish_into(session, site, parsed, decision, mail, thread, source)
    elif decision.action == "reject" and envelope.source not in {"import", "demo"}:
        _queue_rejection(
            session, site, parsed, decision, envelope, mail, datetime.now(UTC).date().isoformat()
        )
    elif decision.action == "suggest" and envelope.source not in {"import", "demo"}:
        suggest.queue_invitation(session, site, parsed, mail, suggest_key(parsed.chain[0]))
    return Outcome(decision, thread.id if thread else None, duplicate=False, new_posts=added)


def publish_into(
    session: Session,
    site: Site,
    parsed: ParsedMail,
    decision: Decision,
    mail: MailMessage,
    thread: Thread | None,
    source: str,
) -> tuple[Thread | None, int]:
    """Create the thread (or continue `thread`, or a thread with the same first message)
    with the chain's new messages, and send the link to whoever on it has not had it."""
    if thread is None:
        thread = find_by_root(session, parsed)
    created = thread is None
    if thread is None:
        origin = {"import": "import", "monitor": "monitor"}.get(
            source, "forward" if parsed.is_forward else "cc"
        )
        thread = _new_thread(session, site, parsed, decision, origin)
    checked = bool(site.policy.trusted_authserv_ids or site.policy.own_dkim)
    # With a verifier configured, a mail that got this far passed the policy's check.
    added = _add_posts(
        session,
        site,
        thread,
        parsed,
        mail,
        authenticated=checked and source not in {"import", "demo"},
    )
    if created and not added:
        # Nothing with words of its own (an empty forward): keep the record, no shell thread.
        session.delete(thread)
        session.flush()
        return None, 0
    _mail_stats(thread, parsed, site)
    if created and thread.kind == "praise" and source not in {"import", "demo"}:
        praise.from_mail(session, site, thread, parsed)
    if source in {"import", "demo"} and thread.mail_last is not None:
        # An archive's threads lived then, not now: the feed orders them by their own time.
        if created:
            thread.created = thread.mail_first or thread.mail_last
        thread.last_activity = max((p.date for p in thread.posts), default=thread.mail_last)
    ids = [i for i in [parsed.message_id, *_references(parsed)] if i]
    mail.thread_id = thread.id
    if source not in {"import", "demo"}:
        # Whoever is new on the thread gets the link, once: the outbox key sees to that.
        # A reply to a link mail names its Message-ID, so the thread remembers those too.
        ids += _queue_links(session, site, thread, parsed)
    _remember_ids(session, thread, ids)
    return thread, added
