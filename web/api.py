"""The JSON API: thread list (keyset pages, optional search) and one thread with posts.

Behind the same sign-in as the pages (the gate answers 401 JSON).  The contract — field
names, ISO-8601 UTC times with a Z, the opaque `before` cursor — is described by the
OpenAPI document served at /api, and tests check both against each other.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from werkzeug.wrappers import Response

from mailfeed.publisher import feed as feed_queries
from mailfeed.publisher import reactions
from mailfeed.publisher import search as search_queries
from mailfeed.publisher.models import Post
from mailfeed.web.openapi import document
from mailfeed.web.render import iso_utc
from mailfeed.web.state import db_session, settings

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
    return jsonify(
        {
            "threads": [
                {
                    "id": card.id,
                    "subject": card.subject,
                    "url": base + card.path,
                    "posts": card.posts,
                    "created": iso_utc(card.created),
                    "last_activity": iso_utc(card.last_activity),
                }
                for card in page.cards
            ],
            "next": page.next,
        }
    )


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
    found = feed_queries.get_thread(db_session(), thread_id)
    if found is None:
        return _error(404, "no such thread")
    return jsonify(
        {
            "id": found.id,
            "subject": found.subject,
            "url": settings().public_url + found.path,
            "posts": [_post_json(p) for p in feed_queries.visible_posts(found)],
        }
    )


@bp.get("/people")
def people() -> Response:
    """Mention autocomplete: known people by address or name prefix."""
    found = reactions.suggest_people(db_session(), request.args.get("q", ""))
    return jsonify({"people": [{"name": p.name, "email": p.email} for p in found]})


@bp.errorhandler(404)
def not_found(_exc: Exception) -> Response:
    return _error(404, "not found")
