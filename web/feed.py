"""The feed: threads by latest activity with filters and counts, as HTML and as Atom."""

from __future__ import annotations

from flask import Blueprint, abort, make_response, render_template, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from mailfeed.publisher import feed as feed_queries
from mailfeed.web.pagecache import cached
from mailfeed.web.render import iso_utc
from mailfeed.web.state import db_session, is_moderator, settings, viewer_person

bp = Blueprint("feed", __name__)

PAGE_SIZE = 30


def _filter_arg() -> str | None:
    name = request.args.get("filter") or None
    if name is not None and name not in feed_queries.FILTERS:
        abort(400, description=gettext("There is no such filter."))
    return name


@bp.get("/")
@cached
def index() -> str:
    session = db_session()
    person = viewer_person()
    person_id = person.id if person else None
    filter_name = _filter_arg()
    try:
        page = feed_queries.list_threads(
            session,
            limit=PAGE_SIZE,
            before=request.args.get("before") or None,
            filter_name=filter_name,
            person_id=person_id,
        )
    except ValueError:
        abort(400, description=gettext("That page link is broken; start from the first page."))
    counts = feed_queries.filter_counts(session, person_id)
    return render_template(
        "web/feed/index.html",
        page=page,
        counts=counts,
        filters=feed_queries.FILTERS,
        active=filter_name,
        paged=bool(request.args.get("before")),
        hidden_thread=_hidden_thread(),
    )


def _hidden_thread() -> int | None:
    """The thread a moderator just hid (`?hidden_thread=`), offered back with an undo."""
    raw = request.args.get("hidden_thread", "")
    return int(raw) if raw.isdigit() and is_moderator() else None


@bp.get("/feed.atom")
def atom() -> Response:
    session = db_session()
    person = viewer_person()
    filter_name = _filter_arg()
    page = feed_queries.list_threads(
        session, limit=50, filter_name=filter_name, person_id=person.id if person else None
    )
    cfg = settings()
    updated = page.cards[0].last_activity if page.cards else None
    body = render_template(
        "web/feed/atom.xml",
        cards=page.cards,
        base=cfg.public_url,
        feed_id=f"{cfg.public_url}/feed.atom" + (f"?filter={filter_name}" if filter_name else ""),
        updated=iso_utc(updated) or "1970-01-01T00:00:00Z",
        filter_name=filter_name,
    )
    response = make_response(body)
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    return response
