"""Single use of magic sign-in links: a used token's nonce is stored, a replay finds it.

The token itself (signature, expiry) is the web layer's; this module only answers
"has this nonce been used?" and marks it used, atomically via the primary key, and counts
recent link mails so nobody can use the form to flood a colleague's inbox.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mailfeed.publisher.models import OutboundMail, SigninToken


def was_used(session: Session, nonce: str) -> bool:
    return session.scalar(select(SigninToken.nonce).where(SigninToken.nonce == nonce)) is not None


def consume(session: Session, nonce: str, email: str) -> bool:
    """Mark the nonce used and commit; False when it already was (also under a race)."""
    if was_used(session, nonce):
        return False
    session.add(SigninToken(nonce=nonce, email=email.lower()))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def recent_requests(session: Session, email: str, since: datetime) -> int:
    """How many sign-in mails were queued for this address since `since` (rate limit)."""
    stmt = select(func.count(OutboundMail.id)).where(
        OutboundMail.purpose == "signin",
        OutboundMail.recipient == email.lower(),
        OutboundMail.created >= since,
    )
    return int(session.scalar(stmt) or 0)
