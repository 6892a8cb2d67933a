"""Request-scoped access to the app's configuration, database session and signed-in user.

One database session per request, opened on first use and closed at teardown; views that
write commit explicitly, so a failed request never leaves half a change behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from flask import current_app, g
from sqlalchemy.orm import Session

from mailfeed.publisher import people
from mailfeed.publisher.db import Database
from mailfeed.publisher.models import Person
from mailfeed.publisher.site import Site
from mailfeed.web.config import WebConfig

GUEST_NAME = "Guest"


@dataclass(frozen=True)
class CurrentUser:
    """Who is asking.  A guest exists only when MAILFEED_AUTH=open and nobody signed in."""

    email: str
    name: str | None
    guest: bool
    moderator: bool

    @property
    def display(self) -> str:
        return self.name or self.email


def settings() -> WebConfig:
    """The web view of the settings (built once by the composition root)."""
    return cast(WebConfig, current_app.extensions["mailfeed_config"])


def site() -> Site:
    """The publisher's view, built once at app creation."""
    return settings().site


def database() -> Database:
    return cast(Database, current_app.extensions["mailfeed_db"])


def db_session() -> Session:
    if "db_session" not in g:
        g.db_session = database().sessions()
    return cast(Session, g.db_session)


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()  # rolls back whatever a view did not commit


def current_user() -> CurrentUser | None:
    return cast(CurrentUser | None, g.get("user"))


def is_moderator() -> bool:
    user = current_user()
    return bool(user and user.moderator)


def writer() -> Person | None:
    """The signed-in person who may write (their row created now); None for guests."""
    user = current_user()
    if user is None or user.guest:
        return None
    return viewer_person(create=True)


def viewer_person(create: bool = False) -> Person | None:
    """The signed-in user's Person row; created on first write (`create=True`)."""
    user = current_user()
    if user is None:
        return None
    session = db_session()
    if create:
        g.viewer_person = people.get_or_create(
            session, user.email, None if user.guest else user.name
        )
        return cast(Person, g.viewer_person)
    # Header, times and pages all ask: look the row up once per request.
    if "viewer_person" not in g:
        g.viewer_person = people.find(session, user.email)
    return cast(Person | None, g.viewer_person)
