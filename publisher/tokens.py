"""Personal API tokens for integrations and bots (`Authorization: Bearer <token>`).

Only a token's SHA-256 is stored: the table names who holds tokens, never a usable one.
A token is shown once, when `mailfeed token create` makes it; revoking marks it, so an
old token answers 401 rather than "unknown" — the same to the caller.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mailfeed.publisher import people
from mailfeed.publisher.models import ApiToken, Person, utcnow

PREFIX = "mft_"  # recognisable in a leaked config file or a secret scanner


def digest(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def create(session: Session, email: str) -> str:
    """A new token for the person with this address (created if unknown); shown once."""
    person = people.get_or_create(session, email)
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(person_id=person.id, token_hash=digest(token)))
    session.flush()
    return token


def holder(session: Session, token: str) -> Person | None:
    """Whose token this is, if it exists and is not revoked."""
    if not token.startswith(PREFIX):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if row is None or row.revoked is not None:
        return None
    return row.person


def revoke(session: Session, token: str) -> bool:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if row is None or row.revoked is not None:
        return False
    row.revoked = utcnow()
    session.flush()
    return True


def revoke_all(session: Session, email: str) -> int:
    person = people.find(session, email)
    if person is None:
        return 0
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.person_id == person.id, ApiToken.revoked.is_(None))
        .values(revoked=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)
