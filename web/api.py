"""The JSON API: threads (list, one, start), posts, likes and people.

Behind the same sign-in as the pages (the gate answers 401 JSON), or a personal token
(`Authorization: Bearer`, `publisher.tokens`), which alone is exempt from CSRF.  The
contract — field names, ISO-8601 UTC times with a Z, the opaque `before` cursor — is
described by the OpenAPI document served at /api, and tests check both against each
other.  Refusals are `{"error": …}` in the caller's language (Accept-Language).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from mailfeed.publisher import events, invitations, praise, reactions, starting
from mailfeed.publisher import feed as feed_queries
from mailfeed.publisher import people as people_queries
from mailfeed.publisher import search as search_queries
from mailfeed.publisher.models import Event, Invitation, Like, Person, Post
from mailfeed.web import feedtext
from mailfeed.web.compose import parse_time
from mailfeed.web.openapi import document
from mailfeed.web.render import iso_utc
from mailfeed.web.state import current_user, db_session, settings, site, writer

bp = Blueprint("api", __name__, url_prefix="/api")

DEFAULT_LIMIT = 50


def _error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


@bp.get("")
def openapi() -> Response:
    return jsonify(document(settings().public_url))


@bp.get("/threads")
def threads() -> Response:
    raw_limit = request.args.get("limit", str(DEFAULT_LIMIT))
    try:
        limit = int(raw_limit)
    except ValueError:
        return _error(400, "limit must be an integer")
    if limit < 1:
        return _error(400, "limit must be at least 1")
    limit = min(limit, feed_queries.MAX_LIMIT)
    session = db_session()
    query = (request.args.get("q") or "").strip()
    within = search_queries.matching_thread_ids(session, query) if query else None
    try:
        with search_queries.time_limit(session, settings().search_timeout if query else 0):
            page = feed_queries.list_threads(
                session, limit=limit, before=request.args.get("before") or None, within=within
            )
    except ValueError:
        return _error(400, "before is not a cursor from this API")
    except search_queries.SearchTimeout:
        session.rollback()
        return _error(503, "the search took too long and was stopped; try more or rarer words")
    base = settings().public_url
    ids = [card.id for card in page.cards]
    invited = _invited(session, ids)
    found_events = _events(session, ids, invited)
    return jsonify(
        {
            "threads": [
                {
                    "id": card.id,
                    "subject": card.subject,
                    "url": base + card.path,
                    "kind": card.kind,
                    "posts": card.posts,
                    "created": iso_utc(card.created),
                    "last_activity": iso_utc(card.last_activity),
                    "invited": [_person(p) for p, _ in invited.get(card.id, [])],
                    "event": found_events.get(card.id),
                }
                for card in page.cards
            ],
            "next": page.next,
        }
    )


def _person(person: Person) -> dict[str, Any]:
    return {"email": person.email, "name": person.name}


def _invited(session: Session, thread_ids: list[int]) -> dict[int, list[tuple[Person, str]]]:
    """Everyone invited to each thread, with their answer: one query for the page."""
    found: dict[int, list[tuple[Person, str]]] = {}
    if not thread_ids:
        return found
    stmt = (
        select(Invitation, Person)
        .join(Person, Person.id == Invitation.person_id)
        .where(Invitation.thread_id.in_(thread_ids))
        .order_by(Invitation.id)
    )
    for row, person in session.execute(stmt):
        found.setdefault(row.thread_id, []).append((person, row.status))
    return found


def _events(
    session: Session, thread_ids: list[int], invited: dict[int, list[tuple[Person, str]]]
) -> dict[int, dict[str, Any]]:
    if not thread_ids:
        return {}
    stmt = select(Event).where(Event.thread_id.in_(thread_ids))
    return {
        e.thread_id: {
            "starts": iso_utc(e.starts),
            "ends": iso_utc(e.ends),
            "place": e.place,
            "cancelled": e.cancelled,
            "attendees": [
                {**_person(p), "status": status} for p, status in invited.get(e.thread_id, [])
            ],
        }
        for e in session.scalars(stmt)
    }


def _post_json(post: Post) -> dict[str, Any]:
    author = post.author
    return {
        "id": post.id,
        "author": {
            "name": (author.name if author else None) or post.author_name,
            "email": author.email if author else None,
        },
        "date": post.date_text or iso_utc(post.date),
        "body": post.body,
    }


@bp.get("/threads/<int:thread_id>")
def thread(thread_id: int) -> Response:
    session = db_session()
    found = feed_queries.get_thread(session, thread_id)
    if found is None:
        return _error(404, "no such thread")
    invited = _invited(session, [found.id])
    return jsonify(
        {
            "id": found.id,
            "subject": found.subject,
            "url": settings().public_url + found.path,
            "kind": found.kind,
            "invited": [_person(p) for p, _ in invited.get(found.id, [])],
            "praised": [
                {**_person(row.recipient), "badge": row.badge}
                for row in praise.for_thread(session, found.id)
            ],
            "event": _events(session, [found.id], invited).get(found.id),
            "posts": [_post_json(p) for p in feed_queries.visible_posts(found)],
        }
    )


def _invalid(exc: starting.Invalid) -> Response:
    return _error(400, feedtext.invalid_text(exc))


def _writer() -> Person | Response:
    """The person writing; guests (open mode) may read but not write."""
    return writer() or _error(403, "sign in to write")


def _json_object() -> dict[str, Any] | None:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else None


def _addresses(data: dict[str, Any], field: str) -> tuple[str, ...]:
    value = data.get(field) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise starting.Invalid("error_field", field=field)
    return tuple(value)


def _text(data: dict[str, Any], field: str) -> str:
    value = data.get(field, "")
    if not isinstance(value, str):
        raise starting.Invalid("error_field", field=field)
    return value


def draft_from_json(data: dict[str, Any]) -> starting.Draft:
    times = None
    raw_event = data.get("event")
    if raw_event is not None:
        if not isinstance(raw_event, dict):
            raise starting.Invalid("error_field", field="event")
        starts = parse_time(str(raw_event.get("starts") or ""))
        ends = parse_time(str(raw_event.get("ends") or ""))
        if starts is None or ends is None:
            raise starting.Invalid("error_event_time")
        times = events.EventTimes(starts, ends, _text(raw_event, "place"))
    badge = data.get("badge")
    if badge is not None and not isinstance(badge, str):
        raise starting.Invalid("error_field", field="badge")
    return starting.Draft(
        kind=_text(data, "kind"),
        subject=_text(data, "subject"),
        body=_text(data, "body"),
        invite=_addresses(data, "invite"),
        praise=_addresses(data, "praise"),
        invite_departments=_addresses(data, "invite_departments"),
        mentions=_addresses(data, "mention"),
        badge=badge or None,
        event=times,
    )


@bp.post("/threads")
def start_thread() -> Response:
    """Start a thread: `{kind, subject, body, invite?, invite_departments?, praise?, badge?,
    event?}` -> 201."""
    writer = _writer()
    if isinstance(writer, Response):
        return writer
    data = _json_object()
    if data is None:
        return _error(400, feedtext.error_text("error_json"))
    session = db_session()
    try:
        started = starting.start(session, site(), writer, draft_from_json(data))
    except starting.Invalid as exc:
        session.rollback()
        return _invalid(exc)
    session.commit()
    response = jsonify({"id": started.id, "url": settings().public_url + started.path})
    response.status_code = 201
    response.headers["Location"] = f"/api/threads/{started.id}"
    return response


@bp.post("/threads/<int:thread_id>/posts")
def add_post(thread_id: int) -> Response:
    writer = _writer()
    if isinstance(writer, Response):
        return writer
    session = db_session()
    found = feed_queries.get_thread(session, thread_id)
    if found is None:
        return _error(404, "no such thread")
    data = _json_object()
    if data is None:
        return _error(400, feedtext.error_text("error_json"))
    try:
        post = starting.reply(session, site(), found, writer, _text(data, "body"))
    except starting.Invalid as exc:
        session.rollback()
        return _invalid(exc)
    session.commit()
    response = jsonify({"id": post.id, "url": f"{settings().public_url}{found.path}#p{post.id}"})
    response.status_code = 201
    return response


@bp.post("/posts/<int:post_id>/like")
def like(post_id: int) -> Response:
    """Like a post: 201 when this made the like, 200 when it was liked already."""
    writer = _writer()
    if isinstance(writer, Response):
        return writer
    session = db_session()
    post = session.get(Post, post_id)
    if post is None or post.hidden or post.thread.hidden:
        return _error(404, "no such post")
    already = (
        session.scalar(select(Like.id).where(Like.post_id == post.id, Like.person_id == writer.id))
        is not None
    )
    if not already:
        reactions.toggle_like(session, post, writer)
        session.commit()
    count, _ = feed_queries.like_summary(session, [post.id], None)
    response = jsonify({"liked": True, "likes": count.get(post.id, 0)})
    response.status_code = 200 if already else 201
    return response


@bp.get("/people/<path:address>")
def person(address: str) -> Response:
    user = current_user()
    if user is None or user.guest:
        return _error(403, "sign in to see people")  # open mode: no addresses for guests
    session = db_session()
    found = people_queries.find(session, address)
    if found is None:
        return _error(404, "no such person")
    return jsonify(
        {
            "email": found.email,
            "name": found.name,
            # Departments arrive with the people directory (issue 16): null until then.
            "department": found.department,
            "url": f"{settings().public_url}/people/{found.id}",
            "praise_received": praise.received_count(session, found.id),
            "praise_given": praise.given_count(session, found.id),
            "invitations": len(invitations.for_person(session, found.id)),
        }
    )


@bp.get("/people")
def people() -> Response:
    """Mention autocomplete: known people by address or name prefix."""
    thread = request.args.get("thread", "")
    found = reactions.suggest_people(
        db_session(), request.args.get("q", ""), thread_id=int(thread) if thread.isdigit() else None
    )
    return jsonify({"people": [{"name": p.name, "email": p.email} for p in found]})


@bp.errorhandler(404)
def not_found(_exc: Exception) -> Response:
    return _error(404, "not found")
