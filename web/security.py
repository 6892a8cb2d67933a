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
from typing import Any, cast
from urllib.parse import quote, urlsplit

from flask import Flask, abort, g, jsonify, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from mailfeed.publisher import people, tokens
from mailfeed.web.config import WebConfig
from mailfeed.web.state import GUEST_NAME, CurrentUser, db_session, settings

PUBLIC = frozenset(
    {
        "healthz",
        "static",
        "favicon",
        "auth.login",
        "auth.confirm",
        "auth.language",
        "outbox.index",
        "outbox.message",
        "suggest.preview",
        "suggest.publish",
        "suggest.decline_page",
        "suggest.decline",
        "metrics.scrape",
        "mute.confirm",
        "mute.apply",
        "digest.confirm",
        "digest.apply",
    }
)
# POSTs whose signed URL is the capability, with no session to forge: RFC 8058's one-click
# unsubscribe comes from a mail client that has neither cookie nor CSRF token.
SIGNED_POSTS = frozenset({"mute.apply", "digest.apply"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


# Headers a proxy adds: a request that carries any of them did not come straight from a
# browser on this machine, whatever its Host says.
FORWARDING_HEADERS = (
    "Forwarded",
    "X-Forwarded-For",
    "X-Forwarded-Host",
    "X-Forwarded-Proto",
    "X-Forwarded-Port",
    "X-Real-Ip",
    "Via",
)
PEER_KEY = "mailfeed.peer"


class TrustedProxyFix:
    """Werkzeug's ProxyFix, for requests from MAILFEED_TRUSTED_PROXIES only.

    From a trusted proxy, X-Forwarded-For/-Proto/-Host say who the client is and
    whether it used https (so the session cookie is Secure behind a TLS proxy); from
    anyone else they are ignored.  The connecting address is kept for the checks that
    must know the proxy itself (`peer_address`)."""

    def __init__(self, app: Any, trusted: tuple[str, ...]) -> None:
        self.app = app
        self.fixed = ProxyFix(app, x_for=1, x_proto=1, x_host=1)
        self.trusted = frozenset(trusted)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        peer = environ.get("REMOTE_ADDR")
        environ[PEER_KEY] = peer
        if peer in self.trusted:
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)


class SessionCookies(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over https, also when a
    trusted proxy ended the TLS (not only when the base URL says https)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(super().get_cookie_secure(app) or request.is_secure)


def peer_address() -> str | None:
    """The address that connected to us (a proxy, when there is one)."""
    return cast(str | None, request.environ.get(PEER_KEY, request.remote_addr))


def truly_local() -> bool:
    """A browser on this machine, straight: loopback peer, and no proxy's headers."""
    return is_loopback(peer_address()) and not any(
        request.headers.get(name) for name in FORWARDING_HEADERS
    )


def is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


FEED_SALT = "mailfeed-atom-v1"


def feed_token(cfg: WebConfig, email: str) -> str:
    """A personal token for Atom URLs: feed readers cannot sign in, but can keep a URL.

    It reads Atom feeds only (never pages or the API) and is revoked by a new secret key.
    """
    return URLSafeSerializer(cfg.secret_key, salt=FEED_SALT).dumps(email.lower())


def _feed_reader(cfg: WebConfig) -> CurrentUser | None:
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


def _token_user(cfg: WebConfig, moderators: set[str]) -> CurrentUser | None:
    """A personal API token (`Authorization: Bearer`) on an /api request; a wrong or
    revoked one marks the request so the gate answers 401 whatever else it carries."""
    header = request.headers.get("Authorization", "")
    if (
        not header.lower().startswith("bearer ")
        or not wants_json()
        or request.path.endswith(".atom")
    ):
        return None
    person = tokens.holder(db_session(), header[7:].strip())
    if person is None:
        g.bad_token = True
        return None
    g.token_auth = True
    return CurrentUser(person.email, person.name, guest=False, moderator=person.email in moderators)


def resolve_user(cfg: WebConfig) -> CurrentUser | None:
    """The user behind this request under the configured auth mode, or None."""
    reader = _feed_reader(cfg)
    if reader is not None:
        return reader
    moderators = {m.lower() for m in cfg.moderators}
    if request.headers.get("Authorization", "").lower().startswith("bearer ") and wants_json():
        return _token_user(cfg, moderators)
    if cfg.auth.startswith("header:"):
        # An SSO proxy vouches for the address; anyone else could forge the header.
        if peer_address() not in cfg.trusted_proxies:
            return None
        address = (request.headers.get(cfg.auth.partition(":")[2].strip()) or "").strip().lower()
        if "@" not in address:
            return None
        return CurrentUser(address, None, guest=False, moderator=address in moderators)
    email = session.get("email")
    if isinstance(email, str) and email:
        # Logged out since (here or elsewhere): the cookie's generation is an old one.
        if session.get("gen") != people.session_generation(db_session(), email):
            session.clear()
        else:
            return CurrentUser(
                email, session.get("name"), guest=False, moderator=email in moderators
            )
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
    if g.get("bad_token"):
        return unauthorized()
    if request.endpoint in PUBLIC or g.user is not None:
        return None
    if wants_json() or cfg.auth.startswith("header:"):
        return unauthorized()
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login", next=target))


def csrf_token() -> str:
    placeholder = g.get("csrf_placeholder")  # a page rendered for the cache (web.pagecache)
    if placeholder is not None:
        return cast(str, placeholder)
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def check_csrf() -> None:
    """before_request: every state-changing request carries the session's token."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.endpoint in SIGNED_POSTS:
        return
    if g.get("token_auth"):
        return  # a bearer token is no ambient credential: a forged page cannot send it
    expected = session.get("csrf")
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not isinstance(expected, str) or not hmac.compare_digest(expected, sent):
        abort(
            400,
            description=gettext(
                "The form was too old or came from elsewhere; reload the page and try again."
            ),
        )


def atom_url(endpoint: str, **values: Any) -> str:
    """An Atom link that works in a feed reader: with the signed-in user's feed token."""
    user = g.get("user")
    if user is not None and not user.guest:
        values["token"] = feed_token(settings(), user.email)
    return url_for(endpoint, **values)


def safe_next(target: str | None) -> str:
    """Only a path on this site: `next` must never send anyone to another one.

    Checked on the decoded value, as a browser would read it: browsers drop tabs and
    newlines anywhere in a URL (`/%09/evil.example` is `//evil.example`), read `\\` as
    `/`, ignore leading spaces and controls, and take `https:evil.example` as a scheme.
    Anything but a plain absolute path becomes `/`; nothing here can fail (a CR/LF never
    reaches a header)."""
    if not target or len(target) > 2000:
        return "/"
    if any(ord(char) < 0x21 or ord(char) == 0x7F for char in target) or "\\" in target:
        return "/"  # controls, spaces and backslashes: no path of ours needs them raw
    if not target.startswith("/") or target.startswith("//"):
        return "/"
    # Non-ASCII letters go out percent-encoded, so the Location header is plain ASCII.
    target = quote(target, safe="/?&=#%:;@+,-._~!$'()*[]")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return "/"
    return target


def require_moderator() -> None:
    user = g.get("user")
    if user is None or not user.moderator:
        abort(403)
