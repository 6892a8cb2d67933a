"""The weekly digest's signed opt-out link (RFC 8058 one-click), like the mute link.

The token in every digest names one person and is signed, so it is the capability: no
sign-in and no CSRF token.  GET only shows a button (mail scanners open every link);
POST opts out, or with `action=resume` opts back in.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from mailfeed.publisher.digest import read_digest_token
from mailfeed.publisher.models import Person
from mailfeed.web.state import db_session, site

bp = Blueprint("digest", __name__)


def _person(token: str) -> Person:
    person_id = read_digest_token(site(), token)
    person = db_session().get(Person, person_id) if person_id is not None else None
    if person is None:
        abort(404)
    return person


@bp.get("/digest/<token>")
def confirm(token: str) -> str:
    person = _person(token)
    return render_template(
        "web/digest/confirm.html", token=token, off=person.digest_opt_out, done=False
    )


@bp.post("/digest/<token>")
def apply(token: str) -> str:
    person = _person(token)
    person.digest_opt_out = request.form.get("action") != "resume"
    db_session().commit()
    return render_template(
        "web/digest/confirm.html", token=token, off=person.digest_opt_out, done=True
    )
