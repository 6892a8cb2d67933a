"""Who may see what: user resolution for the three auth modes, the sign-in gate, CSRF.

The gate runs before every request: without a user, pages redirect to /login and the
API and Atom answer 401 — never content.  Only the endpoints in PUBLIC pass ungated
(the outbox checks its own rule: local catcher or moderators; /metrics its own:
trusted addresses or a bearer token).
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from typing import Any

from flask import abort, g, jsonify, redirect, request, session, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

from mailfeed.settings import Settings
from mailfeed.web.state import GUEST_NAME, CurrentUser, settings

PUBLIC = frozenset(
    {"healthz", "static", "auth.login", "auth.confirm", "auth.language", "outbox.index",
     "outbox.message", "suggest.preview", "suggest.publish", "suggest.decline_page",
     "suggest.decline", "metrics.scrape", "mute.confirm", "mute.apply", "digest.confirm",
     "digest.apply"}
)
# POSTs whose signed URL is the capability, with no session to forge: RFC 8058's one-click
# unsubscribe comes from a mail client that has neither cookie nor CSRF token.
SIGNED_POSTS = frozenset({"mute.apply", "digest.apply"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


FEED_SALT = "mailfeed-atom-v1"


def feed_token(cfg: Settings, email: str) -> str:
    """A personal token for Atom URLs: feed readers cannot sign in, but can keep a URL.

    It reads Atom feeds only (never pages or the API) and is revoked by a new secret key.
    """
    return URLSafeSerializer(cfg.secret_key, salt=FEED_SALT).dumps(email.lower())


def _feed_reader(cfg: Settings) -> CurrentUser | None:
    token = request.args.get("token")
    if not token or request.method != "GET" or not request.path.endswith(".atom"):
        return None
    try:
        email = URLSafeSerializer(cfg.secret_key, salt=FEED_SALT).loads(token)
    except BadSignature:
        return None
    if not isinstance(email, str) or "@" not in email:
        return None
    return CurrentUser(email, None, guest=False, moderator=False)


def resolve_user(cfg: Settings) -> CurrentUser | None:
    """The user behind this request under the configured auth mode, or None."""
    reader = _feed_reader(cfg)
    if reader is not None:
        return reader
    moderators = {m.lower() for m in cfg.moderators}
    if cfg.auth.startswith("header:"):
        # An SSO proxy vouches for the address; anyone else could forge the header.
        if request.remote_addr not in cfg.trusted_proxies:
            return None
        address = (request.headers.get(cfg.auth.partition(":")[2].strip()) or "").strip().lower()
        if "@" not in address:
            return None
        return CurrentUser(address, None, guest=False, moderator=address in moderators)
    email = session.get("email")
    if isinstance(email, str) and email:
        return CurrentUser(email, session.get("name"), guest=False, moderator=email in moderators)
    if cfg.auth == "open":
        guest = f"guest@{cfg.gateway_domain}"
        # Moderation in open mode only for the local demo: open is not an access policy.
        return CurrentUser(guest, GUEST_NAME, guest=True, moderator=cfg.demo)
    return None


def wants_json() -> bool:
    path = request.path
    return path == "/api" or path.startswith("/api/") or path.endswith(".atom")


def unauthorized() -> Response:
    response = jsonify({"error": "sign-in required"})
    response.status_code = 401
    return response


def gate() -> Response | None:
    """before_request: resolve the user, then refuse anything non-public without one."""
    cfg = settings()
    g.user = resolve_user(cfg)
    if request.endpoint in PUBLIC or g.user is not None:
        return None
    if wants_json() or cfg.auth.startswith("header:"):
        return unauthorized()
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login", next=target))


def csrf_token() -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def check_csrf() -> None:
    """before_request: every state-changing request carries the session's token."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.endpoint in SIGNED_POSTS:
        return
    expected = session.get("csrf")
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not isinstance(expected, str) or not hmac.compare_digest(expected, sent):
        abort(400, description="CSRF token missing or wrong; reload the page and try again.")


def atom_url(endpoint: str, **values: Any) -> str:
    """An Atom link that works in a feed reader: with the signed-in user's feed token."""
    user = g.get("user")
    if user is not None and not user.guest:
        values["token"] = feed_token(settings(), user.email)
    return url_for(endpoint, **values)


def safe_next(target: str | None) -> str:
    """Only local paths: `next` must never send a signed-in user to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def require_moderator() -> None:
    user = g.get("user")
    if user is None or not user.moderator:
        abort(403)
