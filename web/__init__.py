"""The web feed: `create_app(config, db)` builds the Flask app with its blueprints.

Pages and the JSON API read and write through `publisher/` only.  Every request passes
the sign-in gate (`web.security.gate`) and, when it changes something, the CSRF check.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request
from werkzeug.wrappers import Response

from mailfeed.publisher.db import Database
from mailfeed.web import (
    attachments,
    cards,
    errors,
    i18n,
    pagecache,
    render,
    security,
    spoolview,
    state,
)
from mailfeed.web.config import WebConfig
from mailfeed.web.spoolview import SpoolView

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"


def create_app(config: WebConfig, db: Database, spool: SpoolView | None = None) -> Flask:
    """The app for this configuration on an open (and upgraded) database.

    `spool` is the gateway's spool (`mailfeed serve` passes it): the admin page and
    /metrics read it through `web.spoolview`."""
    app = Flask(
        __name__,
        template_folder=str(TEMPLATES),
        static_folder=str(Path(__file__).parent / "static"),
    )
    app.config.update(
        SECRET_KEY=config.secret_key,
        SESSION_COOKIE_NAME="mailfeed_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.public_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=30 * 24 * 3600,
        MAX_CONTENT_LENGTH=1024 * 1024,  # the composer raises it for its attachments
    )
    # keep the documented field order; `sort_keys` is DefaultJSONProvider's, not the base's
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["mailfeed_config"] = config
    app.session_interface = security.SessionCookies()
    app.wsgi_app = security.TrustedProxyFix(  # type: ignore[method-assign]
        app.wsgi_app, config.trusted_proxies
    )
    app.extensions["mailfeed_db"] = db
    app.extensions[attachments.LISTINGS] = attachments.Listings()
    if spool is not None:
        app.extensions[spoolview.EXTENSION] = spool
    app.teardown_appcontext(state.close_session)
    app.before_request(security.gate)
    app.before_request(security.check_csrf)
    _register_template_helpers(app, config)
    pagecache.install(app, config.page_cache_bytes)
    _register_blueprints(app)
    errors.install(app)

    @app.get("/favicon.ico")
    def favicon() -> Response:
        response = app.send_static_file("favicon.ico")
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response

    @app.get("/healthz")
    def healthz() -> tuple[str, int, dict[str, str]]:
        return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}

    @app.after_request
    def _headers(response: Response) -> Response:
        # Defence in depth behind escaping: no inline scripts from anywhere, no framing.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    return app


def _register_template_helpers(app: Flask, config: WebConfig) -> None:
    i18n.install(app, config.default_language)
    app.jinja_env.globals.update(
        avatar_of=render.avatar,
        card_html=cards.card_html,
        excerpt=render.excerpt,
        csrf_token=security.csrf_token,
        atom_url=security.atom_url,
        current_user=state.current_user,
        settings=config.template_values(),  # public values only, never the secret key
        iso_utc=render.iso_utc,
        request_path=lambda: request.full_path if request.query_string else request.path,
    )
    app.jinja_env.filters.update(
        mail_text=render.mail_text,
        markdown=render.markdown,
        post_body=render.post_body,
        marked=render.marked,
        masked=_masked,
    )


def _masked(label: str | None) -> str:
    """A name for display; an address shrinks to its local part for open-mode guests."""
    text = label or "?"
    user = state.current_user()
    if "@" in text and (user is None or user.guest):
        return text.partition("@")[0]
    return text


def _register_blueprints(app: Flask) -> None:
    from mailfeed.web import (
        admin,
        api,
        auth,
        compose,
        digest,
        events,
        feed,
        metrics,
        mute,
        outbox,
        people,
        search,
        stats,
        suggest,
        threads,
    )

    app.jinja_env.globals["unseen_count"] = people.unseen_count
    app.jinja_env.globals["viewer_name"] = people.viewer_name
    app.before_request_funcs.setdefault(None, []).insert(0, compose.room_for_attachments)
    for module in (
        feed,
        threads,
        search,
        auth,
        api,
        admin,
        outbox,
        people,
        suggest,
        metrics,
        mute,
        stats,
        digest,
        compose,
        events,
    ):
        app.register_blueprint(module.bp)
