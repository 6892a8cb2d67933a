"""A person's page: what they asked, answered and praised, and where they were mentioned.

Addressed by id, not address: guests in open mode must not read addresses off URLs.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template
from werkzeug.wrappers import Response

from mailfeed.publisher.activity import mark_mentions_seen, person_activity, unseen_mentions
from mailfeed.publisher.models import Person
from mailfeed.web.state import current_user, db_session, viewer_person

bp = Blueprint("people", __name__)


@bp.get("/people/<int:person_id>")
def person(person_id: int) -> str:
    session = db_session()
    found = session.get(Person, person_id)
    if found is None:
        abort(404)
    user = current_user()
    own_page = bool(user and not user.guest and user.email == found.email)
    page = render_template(
        "web/people/person.html",
        person=found,
        activity=person_activity(session, found.id),
        show_email=bool(user and not user.guest),
        own_page=own_page,
    )
    if own_page:
        mark_mentions_seen(session, found.id)  # they have now seen their notifications
        session.commit()
    return page


def unseen_count() -> int:
    """For the header: the signed-in person's unseen mentions (0 for guests)."""
    user = current_user()
    if user is None or user.guest:
        return 0
    person = viewer_person()
    return unseen_mentions(db_session(), person.id) if person is not None else 0


@bp.get("/me")
def me() -> Response:
    """The signed-in user's own page (and notification list)."""
    user = current_user()
    if user is None or user.guest:
        abort(404)
    own = viewer_person(create=True)
    assert own is not None
    db_session().commit()
    return redirect(f"/people/{own.id}")
