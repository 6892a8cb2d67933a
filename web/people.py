"""People: the directory at /people and a profile per person (what they asked and answered).

Addressed by id, not address: guests in open mode must not read addresses off URLs, and
the address is shown on the profile only, and only to signed-in colleagues.
"""

from __future__ import annotations

from zoneinfo import available_timezones

from flask import Blueprint, abort, redirect, render_template, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from mailfeed.publisher import notifications, praise
from mailfeed.publisher.activity import mark_mentions_seen, person_activity
from mailfeed.publisher.directory import by_email, departments, find_people
from mailfeed.publisher.models import Person
from mailfeed.web.state import current_user, db_session, viewer_person, writer

bp = Blueprint("people", __name__)

ZONES = tuple(sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/")))


@bp.get("/people")
def directory() -> str:
    session = db_session()
    query = (request.args.get("q") or "").strip()[:100]
    department = (request.args.get("department") or "").strip() or None
    return render_template(
        "web/people/directory.html",
        people=find_people(session, query, department),
        departments=departments(session),
        query=query,
        department=department,
    )


@bp.get("/people/<int:person_id>")
def person(person_id: int) -> str:
    session = db_session()
    found = session.get(Person, person_id)
    if found is None:
        abort(404)
    user = current_user()
    own_page = bool(user and not user.guest and user.email == found.email)
    manager = None
    if found.manager_email:
        manager = by_email(session, [found.manager_email]).get(found.manager_email)
    page = render_template(
        "web/people/person.html",
        person=found,
        manager=manager,
        activity=person_activity(session, found.id),
        praise_received=praise.received(session, found.id),
        praise_given=praise.given(session, found.id),
        mail_choice=notifications.mail_preference(session, found.id) if own_page else None,
        mail_choices=notifications.MAIL_CHOICES,
        show_email=bool(user and not user.guest),
        own_page=own_page,
        zones=ZONES if own_page else (),
    )
    if own_page:
        mark_mentions_seen(session, found.id)  # they have now seen their notifications
        session.commit()
    return page


@bp.post("/me/timezone")
def set_timezone() -> Response:
    """The zone times are shown in, chosen on one's profile ('' = follow the browser)."""
    user = current_user()
    if user is None or user.guest:
        abort(403)
    zone = (request.form.get("timezone") or "").strip()
    if zone and zone not in ZONES:
        abort(400, description=gettext("There is no such time zone."))
    own = viewer_person(create=True)
    assert own is not None
    own.timezone = zone or None
    db_session().commit()
    return redirect(f"/people/{own.id}")


def unseen_count() -> int:
    """For the header: the signed-in person's unread notifications (0 for guests)."""
    user = current_user()
    if user is None or user.guest:
        return 0
    person = viewer_person()
    return notifications.unseen(db_session(), person.id) if person is not None else 0


def _signed_in_person() -> Person:
    own = writer()
    if own is None:
        abort(404)
    return own


@bp.get("/notifications")
def notification_list() -> str:
    """Mentions, invitations, replies to my threads, answers and praise, newest first;
    opening the list marks them read (the count in the header goes)."""
    session = db_session()
    own = _signed_in_person()
    items = notifications.recent(session, own.id)
    unread = {n.id for n in items if not n.seen}
    page = render_template(
        "web/people/notifications.html",
        items=items,
        unread=unread,
        mail_choice=notifications.mail_preference(session, own.id),
        mail_choices=notifications.MAIL_CHOICES,
    )
    notifications.mark_seen(session, own.id)
    mark_mentions_seen(session, own.id)
    session.commit()
    return page


@bp.route("/settings", methods=["GET", "POST"])
def mail_settings() -> Response | str:
    """Per-person mail preference for notifications: each, daily digest, never."""
    session = db_session()
    own = _signed_in_person()
    if request.method == "POST":
        choice = request.form.get("mail", "")
        if choice not in notifications.MAIL_CHOICES:
            abort(400)
        notifications.set_mail_preference(session, own.id, choice)
        session.commit()
        return redirect("/settings?saved=1")
    session.commit()
    return render_template(
        "web/people/settings.html",
        mail_choice=notifications.mail_preference(session, own.id),
        mail_choices=notifications.MAIL_CHOICES,
        saved=request.args.get("saved") == "1",
    )


def viewer_name() -> str:
    """For the header: the signed-in person's name from the directory, else their address."""
    user = current_user()
    if user is None:
        return ""
    person = viewer_person()
    if person is not None and person.name:
        return person.name
    return user.display


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
