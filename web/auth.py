"""Sign-in: magic links by mail (signed, single-use, 15 minutes), logout, language choice.

Mail scanners open links, so GET on a link only shows a confirm page with one button;
the POST from that button signs in.  A token is `{"e": address, "n": nonce, "t": issued}`
signed with the secret key; the nonce is stored when used (`publisher.signin`).
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

from mailfeed.publisher import outgoing, people, signin
from mailfeed.publisher.models import utcnow
from mailfeed.web import i18n
from mailfeed.web.config import WebConfig
from mailfeed.web.security import safe_next, truly_local
from mailfeed.web.state import current_user, db_session, settings, viewer_person

bp = Blueprint("auth", __name__)

LINK_LIFETIME = 15 * 60
MAX_LINKS_PER_WINDOW = 5  # per address and LINK_LIFETIME: enough for typos, not for flooding
SALT = "mailfeed-signin-v1"


def _serializer(cfg: WebConfig) -> URLSafeSerializer:
    return URLSafeSerializer(cfg.secret_key, salt=SALT)


def make_token(cfg: WebConfig, email: str, *, issued: float | None = None) -> tuple[str, str]:
    """A signed sign-in token and its nonce; `issued` defaults to now."""
    nonce = secrets.token_urlsafe(18)
    stamp = int(issued if issued is not None else time.time())
    token = _serializer(cfg).dumps({"e": email.lower(), "n": nonce, "t": stamp})
    return token, nonce


def read_token(cfg: WebConfig, token: str, *, now: float | None = None) -> tuple[str, str] | str:
    """(email, nonce) of a valid unexpired token, or the name of what is wrong with it."""
    try:
        data: Any = _serializer(cfg).loads(token)
        email, nonce, issued = str(data["e"]), str(data["n"]), int(data["t"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return "invalid"
    current = time.time() if now is None else now
    if current - issued > LINK_LIFETIME or issued - current > 60:
        return "expired"
    return email, nonce


def allowed_address(cfg: WebConfig, address: str) -> bool:
    local, at, domain = address.rpartition("@")
    return bool(local and at) and domain.lower() in cfg.publish_domains


def _render(template: str, status: int = 200, **values: Any) -> Response:
    response = make_response(render_template(template, **values), status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    cfg = settings()
    if cfg.auth.startswith("header:"):
        return _render("web/auth/login.html", 200, sso=True)
    next_path = safe_next(request.values.get("next"))
    if request.method == "GET":
        return _render("web/auth/login.html", next_path=next_path)
    address = (request.form.get("email") or "").strip().lower()
    if not allowed_address(cfg, address):
        return _render("web/auth/login.html", 400, next_path=next_path, error=True, email=address)
    window_start = utcnow() - timedelta(seconds=LINK_LIFETIME)
    if signin.recent_requests(db_session(), address, window_start) >= MAX_LINKS_PER_WINDOW:
        # Same page as success: the form must not tell who has asked for links.
        return _render("web/auth/sent.html", local_catcher=False)
    token, nonce = make_token(cfg, address)
    link = cfg.public_url + url_for("auth.confirm", token=token)
    lang = i18n.choose_language(cfg.default_language)
    outgoing.queue_mail(
        db_session(),
        cfg.site,
        template="signin",
        language=lang,
        recipient=address,
        key=f"signin:{nonce}",
        email=address,
        link=link,
    )
    db_session().commit()
    session["next"] = next_path
    local_catcher = cfg.local_outbox and truly_local()
    return _render("web/auth/sent.html", local_catcher=local_catcher)


@bp.route("/login/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str) -> Response:
    cfg = settings()
    result = read_token(cfg, token)
    if isinstance(result, str):
        return _render("web/auth/problem.html", 400, problem=result)
    email, nonce = result
    if signin.was_used(db_session(), nonce):
        return _render("web/auth/problem.html", 400, problem="used")
    if request.method == "GET":
        return _render("web/auth/confirm.html", email=email, token=token)
    if not signin.consume(db_session(), nonce, email):
        return _render("web/auth/problem.html", 400, problem="used")
    target = safe_next(session.get("next"))
    session.clear()  # a fresh session on sign-in: nothing from before carries over
    session.permanent = True
    session["email"] = email
    session["gen"] = people.session_generation(db_session(), email)
    return redirect(target)


@bp.post("/logout")
def logout() -> Response:
    """End the session on the server too: a copy of the cookie stops working."""
    user = current_user()
    if user is not None and not user.guest and session.get("email") == user.email:
        people.end_sessions(db_session(), user.email)
        db_session().commit()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.get("/lang/<code>")
def language(code: str) -> Response:
    """Remember the UI language in a cookie (no sign-in needed), and for a signed-in
    person also on their row, so the mail we send them speaks it too."""
    response = redirect(safe_next(request.args.get("next")))
    if code in i18n.LANGUAGES:
        response.set_cookie("lang", code, max_age=365 * 86400, samesite="Lax", httponly=True)
        user = current_user()
        if user is not None and not user.guest:
            person = viewer_person(create=True)
            assert person is not None
            person.language = code
            db_session().commit()
    return response
