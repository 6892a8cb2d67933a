"""The composer at /new: start a question, discussion, praise, event or idea.

Plain form posts (multipart, for attachments) that work without JavaScript; compose.js
adds the live preview, name chips for people and the warning about unknown names.  A
refused draft comes back with everything typed and the reason in the reader's language.
Also here: the files attached to web posts, served from the database.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, abort, make_response, redirect, render_template, request, send_file
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from mailfeed.publisher import directory, events, people, praise, starting
from mailfeed.publisher.models import Person, Upload
from mailfeed.web import feedtext
from mailfeed.web.state import db_session, site, writer

bp = Blueprint("compose", __name__)
MAX_REQUEST = starting.MAX_UPLOADS * starting.MAX_UPLOAD + 1024 * 1024


def room_for_attachments() -> None:
    """Runs first of all (before the CSRF check reads the form): only the composer takes
    files, every other request keeps the app's 1 MB limit."""
    if request.endpoint == "compose.new":
        request.max_content_length = MAX_REQUEST


INLINE_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def split_people(value: str | list[str] | None) -> tuple[str, ...]:
    """`a@x, b@x` (a form field) or a JSON list -> addresses, in order."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else value.replace(";", ",").split(",")
    return tuple(str(v).strip() for v in items if str(v).strip())


def parse_time(value: str | None, offset_minutes: int = 0) -> datetime | None:
    """An ISO 8601 time -> naive UTC.  A time without offset is the writer's local time,
    `offset_minutes` behind UTC (the browser's getTimezoneOffset); None if unreadable."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        return moment.astimezone(UTC).replace(tzinfo=None)
    return moment + timedelta(minutes=offset_minutes)


def form_offset(form: MultiDict[str, str]) -> int:
    """The browser's minutes behind UTC (getTimezoneOffset), within what exists on Earth."""
    try:
        return max(-14 * 60, min(14 * 60, int(form.get("tz_offset", "0") or 0)))
    except ValueError:
        return 0


def draft_from_form(form: MultiDict[str, str], files: list[starting.File]) -> starting.Draft:
    kind = form.get("kind", "question")
    times = None
    if kind == "event":
        offset = form_offset(form)
        starts, ends = parse_time(form.get("starts"), offset), parse_time(form.get("ends"), offset)
        if starts is None or ends is None:
            raise starting.Invalid("error_event_time")
        times = events.EventTimes(starts, ends, form.get("place", ""))
    return starting.Draft(
        kind=kind,
        subject=form.get("subject", ""),
        body=form.get("body", ""),
        invite=split_people(form.get("invite")),
        invite_departments=tuple(form.getlist("invite_department")),
        praise=split_people(form.get("praise")) if kind == "praise" else (),
        mentions=split_people(form.get("mention")),
        badge=(form.get("badge") or None) if kind == "praise" else None,
        event=times,
        files=tuple(files),
    )


def _files() -> list[starting.File]:
    out = []
    for item in request.files.getlist("files"):
        if not item or not item.filename:
            continue
        data = item.read(starting.MAX_UPLOAD + 1)
        out.append(starting.File(item.filename, item.mimetype or "application/octet-stream", data))
    return out


def _names(addresses: tuple[str, ...]) -> list[dict[str, str]]:
    """Chips for the re-rendered form: each address with the name we know for it."""
    session = db_session()
    out = []
    for address in addresses:
        person = people.find(session, address)
        out.append({"email": address.lower(), "name": (person.display if person else address)})
    return out


def _page(form: MultiDict[str, str] | dict[str, Any], error: str | None, status: int) -> Response:
    values = MultiDict(form)
    response = make_response(
        render_template(
            "web/compose/new.html",
            form=values,
            error=error,
            kinds=starting.STARTABLE,
            badges=praise.BADGES,
            departments=directory.departments(db_session()),
            chips={
                field: _names(split_people(values.get(field)))
                for field in ("invite", "praise", "mention")
            },
        ),
        status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _author() -> Person:
    person = writer()
    if person is None:
        abort(403)
    return person


@bp.app_context_processor
def _words() -> dict[str, object]:
    return feedtext.template_globals()


@bp.route("/new", methods=["GET", "POST"])
def new() -> Response:
    if request.method == "GET":
        _author()
        kind = request.args.get("kind", "question")
        return _page({"kind": kind if kind in starting.STARTABLE else "question"}, None, 200)
    author = _author()
    session = db_session()
    try:
        draft = draft_from_form(request.form, _files())
        thread = starting.start(session, site(), author, draft)
    except starting.Invalid as exc:
        session.rollback()
        return _page(request.form, feedtext.invalid_text(exc), 400)
    session.commit()
    return redirect(thread.path, 303)


@bp.get("/uploads/<int:upload_id>/<path:name>")
def upload(upload_id: int, name: str) -> Response:
    found = db_session().get(Upload, upload_id)
    if found is None or found.filename != name:
        abort(404)
    inline = found.content_type in INLINE_IMAGES
    response = send_file(
        io.BytesIO(found.data),
        mimetype=found.content_type,
        as_attachment=not inline,
        download_name=found.filename,
    )
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
