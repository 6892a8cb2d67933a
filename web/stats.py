"""`/stats`: what moving questions from mail to the feed achieved (signed-in readers)."""

from __future__ import annotations

from flask import Blueprint, render_template

from mailfeed.publisher import stats as stats_queries
from mailfeed.web.state import db_session

bp = Blueprint("stats", __name__)


@bp.get("/stats")
def index() -> str:
    return render_template("web/stats/index.html", stats=stats_queries.collect(db_session()))
