"""The search page: ranked threads with their matching snippet, optionally filtered.

One search box (in the header); this page adds the scope and filters, explains what to
type when the query is empty, and what to try when nothing matched."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext

from mailfeed.publisher import feed as feed_queries
from mailfeed.publisher import search as search_queries
from mailfeed.web.pagecache import cached
from mailfeed.web.state import db_session, settings, viewer_person

bp = Blueprint("search", __name__)


@bp.get("/search")
@cached
def results() -> str | tuple[str, int]:
    query = (request.args.get("q") or "").strip()[:200]
    filter_name = request.args.get("filter") or None
    if filter_name is not None and filter_name not in feed_queries.FILTERS:
        abort(400, description=gettext("There is no such filter."))
    session = db_session()
    person = viewer_person()
    scope = request.args.get("in") or "all"
    if scope not in search_queries.SCOPES:
        abort(400, description=gettext("There is no such place to search in."))
    try:
        hits = (
            search_queries.search(
                session, query, limit=50, scope=scope, timeout=settings().search_timeout
            )
            if query
            else []
        )
    except search_queries.SearchTimeout:
        session.rollback()  # PostgreSQL ended the transaction with the statement
        page = render_template(
            "web/search/results.html",
            query=query,
            rows=[],
            hits=0,
            tips=[],
            filters=feed_queries.FILTERS,
            active=filter_name,
            scope=scope,
            scopes=search_queries.SCOPES,
            timed_out=True,
        )
        return page, 503
    cards = feed_queries.cards_for(
        session,
        [h.thread_id for h in hits],
        filter_name=filter_name,
        person_id=person.id if person else None,
    )
    # Ranked order from the search; a filtered-out or hidden thread has no card.
    rows = [(hit, cards[hit.thread_id]) for hit in hits if hit.thread_id in cards]
    tips: list[search_queries.Suggestion] = []
    if query and not hits:
        try:  # the tips are searches too, under the same limit; without them the page still helps
            tips = search_queries.suggestions(
                session, query, scope, timeout=settings().search_timeout
            )
        except search_queries.SearchTimeout:
            session.rollback()
    return render_template(
        "web/search/results.html",
        query=query,
        rows=rows,
        hits=len(hits),
        tips=tips,
        filters=feed_queries.FILTERS,
        active=filter_name,
        scope=scope,
        scopes=search_queries.SCOPES,
    )
