"""A person's page: what they asked, answered and praised, and where they were mentioned."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from publisher import people as people_queries
from publisher.activity import person_activity
from web.state import current_user, db_session

bp = Blueprint("people", __name__)


@bp.get("/people/<path:email>")
def person(email: str) -> str:
    session = db_session()
    found = people_queries.find(session, email)
    if found is None:
        abort(404)
    user = current_user()
    activity = person_activity(session, found.id)
    return render_template(
        "web/people/person.html",
        person=found,
        activity=activity,
        show_email=bool(user and not user.guest),
        own_page=bool(user and user.email == found.email),
    )
