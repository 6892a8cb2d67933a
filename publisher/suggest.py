"""Invitations to move a long mail question to the feed (monitor copies), and their answers.

The asker gets one mail with a signed, expiring link.  Opening the link only shows the
thread as it would appear: mail scanners (Safe Links and the like) open every link in a
mail, so publishing takes a button press (a POST).  "Not this one" is remembered too.
"""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from mailfeed.parsers.mail import parse_mail
from mailfeed.parsers.model import Decision, ParsedMail
from mailfeed.publisher import outgoing, rawstore
from mailfeed.publisher.models import MailMessage, Thread
from mailfeed.publisher.site import Site

SALT = "mailfeed-suggestion"
MAX_AGE = 14 * 24 * 3600  # two weeks: a question older than that has moved on


class InvalidInvitation(Exception):
    """The link is forged, expired or names no mail we have.

    `problem` says which (expired, invalid, gone, empty); the page words it for the reader."""

    def __init__(self, problem: str, detail: str) -> None:
        super().__init__(detail)
        self.problem = problem


def _serializer(site: Site) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(site.secret_key, salt=SALT)


def make_token(site: Site, mail_id: int) -> str:
    return _serializer(site).dumps({"mail": mail_id})


def read_token(site: Site, token: str) -> int:
    try:
        data = _serializer(site).loads(token, max_age=MAX_AGE)
    except SignatureExpired as exc:
        raise InvalidInvitation("expired", "this link has expired") from exc
    except BadSignature as exc:
        raise InvalidInvitation("invalid", "this link is not valid") from exc
    return int(data["mail"])


def queue_invitation(
    session: Session, site: Site, parsed: ParsedMail, mail: MailMessage, key: str
) -> None:
    """Mail the asker (the chain's first author) once, if they are one of us."""
    root = parsed.chain[0]
    asker = root.author.email
    if not asker or not site.is_internal(asker) or site.is_gateway(asker):
        return
    token = make_token(site, mail.id)
    humans = [p for p in parsed.participants if not site.is_gateway(p)]
    outgoing.queue_mail(
        session,
        site,
        template="suggest",
        language=parsed.language,
        key=key,
        recipient=asker,
        recipient_name=root.author.name,
        in_reply_to=parsed.message_id,
        references=parsed.references,
        subject=parsed.subject,
        messages=len(parsed.chain),
        people=len(humans),
        publish_url=f"{site.base_url}/suggest/{token}",
        decline_url=f"{site.base_url}/suggest/{token}/decline",
    )


def load(session: Session, site: Site, token: str) -> tuple[MailMessage, ParsedMail]:
    """The invited mail and what it says, for the preview page."""
    mail = session.get(MailMessage, read_token(site, token))
    raw = rawstore.load(session, mail.raw_path) if mail is not None else None
    if mail is None or raw is None:
        raise InvalidInvitation("gone", "the mail behind this link is gone")
    return mail, parse_mail(raw)


def accept(session: Session, site: Site, token: str) -> Thread:
    """The asker pressed "publish": the chain becomes a thread (once)."""
    from mailfeed.publisher.publish import publish_into  # publish imports this module

    mail, parsed = load(session, site, token)
    if mail.thread_id is not None:
        thread = session.get(Thread, mail.thread_id)
        if thread is not None:
            return thread
    decision = Decision("publish", "question", "published by the asker from an invitation")
    thread, _added = publish_into(session, site, parsed, decision, mail, None, "monitor")
    if thread is None:
        raise InvalidInvitation("empty", "this mail has nothing to publish")
    mail.action, mail.kind, mail.reason = decision.action, decision.kind, decision.reason
    return thread


def decline(session: Session, site: Site, token: str) -> None:
    """ "Not this one": recorded, so the operator sees it and nothing is asked again."""
    mail, _parsed = load(session, site, token)
    if mail.thread_id is None:
        mail.action, mail.reason = "ignore", "the asker declined the invitation"
