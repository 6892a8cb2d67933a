"""People: one row per address, created the first time anyone names them."""

from __future__ import annotations

from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mailfeed.publisher.models import Person


def get_or_create(
    session: Session, email: str, name: str | None = None, *, internal: bool = True
) -> Person:
    """The person with this address; fills in a missing name, never overwrites one."""
    address = email.strip().lower()
    # A mail names its asker as the thread's asker and as its first post's author: the
    # row found or made for this transaction is asked for once.
    known: dict[str, Person] = session.info.setdefault("people", {})
    person = known.get(address)
    if person is None or person not in session or inspect(person).deleted:
        person = session.scalar(select(Person).where(Person.email == address))
    if person is None:
        # Two workers (or instances) taking in two mails from the same new colleague at
        # once both find no row; the second insert then violates the unique address.  A
        # savepoint keeps that from failing the whole mail: take the row the other wrote.
        try:
            with session.begin_nested():
                person = Person(email=address, name=name or None, internal=internal)
                session.add(person)
                session.flush()
        except IntegrityError:
            person = session.scalar(select(Person).where(Person.email == address))
            if person is None:
                raise
    if name and not person.name:
        person.name = name
    known[address] = person
    return person


def find(session: Session, email: str) -> Person | None:
    return session.scalar(select(Person).where(Person.email == email.strip().lower()))


def session_generation(session: Session, email: str) -> int:
    """The generation a sign-in cookie for `email` must carry to be valid (0 for someone
    with no row yet)."""
    value = session.scalar(
        select(Person.session_generation).where(Person.email == email.strip().lower())
    )
    return int(value or 0)


def end_sessions(session: Session, email: str) -> None:
    """Log out everywhere: every cookie signed in under the current generation stops
    working (a cookie is signed, not stored, so the server keeps this counter instead)."""
    person = get_or_create(session, email)
    person.session_generation = (person.session_generation or 0) + 1


def find_by_id(session: Session, person_id: int | None) -> Person | None:
    return session.get(Person, person_id) if person_id is not None else None
