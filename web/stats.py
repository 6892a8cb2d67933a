"""`/stats`: whether the feed pays off — charts, their data tables and CSV (signed in).

Everyone signed in sees the organisation's figures; moderators also see each department's
suggested ambassadors and can mark or unmark them.  Charts are plain SVG rendered on the
server (templates/web/stats/_charts.html): no chart library, no CDN, readable without
JavaScript, and each has its data as a table beneath it.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from mailfeed.publisher import directory, outcomes
from mailfeed.publisher import stats as stats_queries
from mailfeed.publisher.models import Person
from mailfeed.web.security import require_moderator
from mailfeed.web.state import db_session, is_moderator

bp = Blueprint("stats", __name__)
CHARTS = ("weekly", "answer_time", "participation", "readers", "trend")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _report() -> outcomes.Report:
    try:
        period = outcomes.parse_since(request.args.get("since", "90d"), _now())
    except ValueError:
        abort(400)
    department = request.args.get("department") or None
    return outcomes.build_report(db_session(), period, department)


@bp.get("/stats")
def index() -> str:
    report = _report()
    return render_template(
        "web/stats/index.html",
        stats=stats_queries.collect(db_session()),
        report=report,
        kinds=outcomes.KINDS,
        departments=directory.departments(db_session()),
        moderator=is_moderator(),
        since=request.args.get("since", "90d"),
        department=report.department,
        timedelta=timedelta,
    )


def csv_rows(report: outcomes.Report, chart: str) -> list[list[object]]:
    if chart == "weekly":
        header: list[object] = ["week", *outcomes.KINDS]
        return [header, *report.weekly_rows()]
    if chart == "trend":
        return [
            ["week", "creators", "engagers", "readers"],
            *([*row] for row in report.participation_weeks),
        ]
    if chart == "answer_time":
        return [["time", "mail", "feed"], *(list(row) for row in report.answer_buckets())]
    if chart == "participation":
        p = report.participation
        return [
            ["group", "people", "share"],
            *(
                [name, count, p.share(count)]
                for name, count in (
                    ("creators", p.creators),
                    ("engagers", p.engagers),
                    ("readers", p.readers),
                    ("quiet", p.quiet),
                )
            ),
        ]
    return [["readers", "threads"], *(list(row) for row in report.readers_per_thread)]


@bp.get("/stats.csv")
def download() -> Response:
    chart = request.args.get("chart", "")
    if chart not in CHARTS:
        abort(400)
    out = io.StringIO()
    csv.writer(out).writerows(csv_rows(_report(), chart))
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="mailfeed-{chart}.csv"'},
    )


@bp.post("/stats/ambassador/<int:person_id>")
def mark_ambassador(person_id: int) -> Response:
    require_moderator()  # the CSRF token is checked before every POST
    session = db_session()
    person = session.get(Person, person_id)
    if person is None:
        abort(404)
    person.ambassador = request.form.get("on") == "1"
    session.commit()
    return redirect(url_for("stats.index", since=request.args.get("since", "90d")) + "#ambassadors")
