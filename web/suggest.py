"""Invitations from monitor copies: preview a mail chain as a thread, publish it by a button.

The signed link in the invitation is the capability, so these pages need no sign-in.
GET only shows (mail scanners such as Safe Links open every link); POST acts.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template
from werkzeug.wrappers import Response

from mailfeed.publisher import suggest
from mailfeed.web.state import db_session, site

bp = Blueprint("suggest", __name__, url_prefix="/suggest")


def _problem(error: suggest.InvalidInvitation) -> tuple[str, int]:
    return render_template("web/suggest/problem.html", problem=error.problem), 410


@bp.get("/<token>")
def preview(token: str) -> str | tuple[str, int]:
    try:
        mail, parsed = suggest.load(db_session(), site(), token)
    except suggest.InvalidInvitation as exc:
        return _problem(exc)
    return render_template("web/suggest/preview.html", token=token, mail=mail, parsed=parsed)


@bp.post("/<token>")
def publish(token: str) -> Response | tuple[str, int]:
    session = db_session()
    try:
        thread = suggest.accept(session, site(), token)
    except suggest.InvalidInvitation as exc:
        return _problem(exc)
    session.commit()
    return redirect(thread.path, code=303)


@bp.get("/<token>/decline")
def decline_page(token: str) -> str | tuple[str, int]:
    try:
        suggest.load(db_session(), site(), token)
    except suggest.InvalidInvitation as exc:
        return _problem(exc)
    return render_template("web/suggest/decline.html", token=token)


@bp.post("/<token>/decline")
def decline(token: str) -> str | tuple[str, int]:
    session = db_session()
    try:
        suggest.decline(session, site(), token)
    except suggest.InvalidInvitation as exc:
        return _problem(exc)
    session.commit()
    return render_template("web/suggest/declined.html")
