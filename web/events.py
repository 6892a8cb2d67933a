"""An event thread's buttons: Going / Maybe / Not going, and the organiser's change or
cancellation (each mailed to the invitees as a new iMIP REQUEST or a CANCEL)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request
from werkzeug.wrappers import Response

from mailfeed.publisher import events, invitations
from mailfeed.publisher import feed as feed_queries
from mailfeed.publisher.models import Event, Thread
from mailfeed.web import feedtext
from mailfeed.web.compose import form_offset, parse_time
from mailfeed.web.state import current_user, db_session, is_moderator, site, viewer_person

bp = Blueprint("events", __name__)


def _event_or_404(thread_id: int) -> tuple[Thread, Event]:
    session = db_session()
    thread = feed_queries.get_thread(session, thread_id)
    event = events.for_thread(session, thread_id) if thread is not None else None
    if thread is None or event is None:
        abort(404)
    return thread, event


@bp.post("/t/<int:thread_id>/rsvp")
def rsvp(thread_id: int) -> Response:
    thread, event = _event_or_404(thread_id)
    user = current_user()
    status = request.form.get("status", "")
    if user is None or user.guest or status not in {"accepted", "declined", "tentative"}:
        abort(400)
    if event.cancelled:
        abort(409)
    person = viewer_person(create=True)
    assert person is not None
    invitations.answer(db_session(), thread, person, status)
    db_session().commit()
    return redirect(f"{thread.path}#event", 303)


def _organiser_only(thread: Thread) -> None:
    person = viewer_person()
    if not is_moderator() and (person is None or person.id != thread.asker_id):
        abort(403)


@bp.post("/t/<int:thread_id>/event")
def change(thread_id: int) -> Response:
    thread, event = _event_or_404(thread_id)
    _organiser_only(thread)
    offset = form_offset(request.form)
    starts = parse_time(request.form.get("starts"), offset)
    ends = parse_time(request.form.get("ends"), offset)
    if starts is None or ends is None:
        abort(400, description=feedtext.error_text("error_event_time"))
    try:
        events.update(
            db_session(),
            site(),
            event,
            events.EventTimes(starts, ends, request.form.get("place", event.place)),
        )
    except ValueError:
        abort(400, description=feedtext.error_text("error_event_order"))
    db_session().commit()
    return redirect(f"{thread.path}#event", 303)


@bp.post("/t/<int:thread_id>/event/cancel")
def cancel(thread_id: int) -> Response:
    thread, event = _event_or_404(thread_id)
    _organiser_only(thread)
    events.cancel(db_session(), site(), event)
    db_session().commit()
    return redirect(f"{thread.path}#event", 303)
