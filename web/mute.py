"""Mail about a thread, on and off: the signed mute link (RFC 8058 one-click) and opting in.

The mute link in every web-reply mail names one person in one thread and is signed, so it
is the capability: no sign-in, and no CSRF token (a mail client's one-click POST has
none, and there is no session to ride on).  GET only shows a button, because mail
scanners open every link; POST mutes, or with `action=resume` turns the mail back on.
Signed-in participants opt in or out of a thread's mail with `POST /t/<id>/mail`.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request
from werkzeug.wrappers import Response

from mailfeed.publisher import reactions, subscriptions
from mailfeed.publisher.models import Person, Thread
from mailfeed.web.state import current_user, db_session, is_moderator, site, viewer_person

bp = Blueprint("mute", __name__)


def _resolve(token: str) -> tuple[Thread, Person]:
    found = subscriptions.read_mute_token(site(), token)
    if found is None:
        abort(404)
    session = db_session()
    thread, person = session.get(Thread, found[0]), session.get(Person, found[1])
    if thread is None or person is None:
        abort(404)
    return thread, person


@bp.get("/mute/<token>")
def confirm(token: str) -> str:
    thread, person = _resolve(token)
    muted = not subscriptions.hears(db_session(), thread, person.id)
    return render_template("web/mute/confirm.html", token=token, thread=thread, muted=muted)


@bp.post("/mute/<token>")
def apply(token: str) -> str:
    """RFC 8058 §3.2: the body is `List-Unsubscribe=One-Click`; any POST but a resume mutes."""
    thread, person = _resolve(token)
    session = db_session()
    resume = request.form.get("action") == "resume"
    subscriptions.set_state(
        session, thread.id, person.id, subscriptions.ON if resume else subscriptions.MUTED
    )
    session.commit()
    return render_template(
        "web/mute/confirm.html", token=token, thread=thread, muted=not resume, done=True
    )


@bp.post("/t/<int:thread_id>/mail")
def follow(thread_id: int) -> Response:
    """A participant asks for the thread's web replies by mail (`state=on`), or not."""
    session = db_session()
    thread = session.get(Thread, thread_id)
    if thread is None or thread.hidden:
        abort(404)
    user = current_user()
    if user is None or user.guest:
        abort(403)  # a shared guest has no mailbox
    person = viewer_person(create=True)
    assert person is not None
    if not (is_moderator() or reactions.is_participant(session, thread, person)):
        abort(403)
    on = request.form.get("state") == subscriptions.ON
    subscriptions.set_state(
        session, thread.id, person.id, subscriptions.ON if on else subscriptions.MUTED
    )
    session.commit()
    return redirect(thread.path, code=303)
