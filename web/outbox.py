"""The local mail catcher: outbound mail the gateway queued, newest first, readable here.

Open without sign-in only when there is no relay (the mail goes nowhere else) and the
request comes straight from this machine — that is how a local demo user reads their
sign-in link.  Everyone else needs to be a moderator.  Mail HTML is never rendered: a
message shows its headers and its text (an HTML-only part is converted to text).
"""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import cast

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from inscriptis import get_text
from sqlalchemy import select
from werkzeug.wrappers import Response

from mailfeed.publisher import outbox as outbox_queue
from mailfeed.publisher.models import OutboundMail
from mailfeed.web.security import truly_local
from mailfeed.web.state import db_session, settings

bp = Blueprint("outbox", __name__, url_prefix="/outbox")

SHOWN_HEADERS = (
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Auto-Submitted",
)


LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def local_catcher() -> bool:
    """No relay, and the request really comes from a browser on this machine.

    A reverse proxy on this machine also connects from loopback, so a request that names
    the site by a public host, carries any forwarding header, or arrives under SSO header
    auth (which implies a proxy) is not treated as local.
    """
    cfg = settings()
    if not cfg.local_outbox or cfg.auth.startswith("header:") or not truly_local():
        return False
    # The Host alone proves nothing (a proxy on this machine may send 127.0.0.1), but a
    # public name in it does prove the request came through one.
    host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
    return host.strip("[]").lower() in LOCAL_NAMES


def _check_access() -> Response | None:
    if local_catcher():
        return None
    user = g.get("user")
    if user is None:
        return redirect(url_for("auth.login", next=request.path))
    if not user.moderator:
        abort(403)
    return None


def _parse(raw: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(raw)


def subject_of(row: OutboundMail) -> str:
    return str(_parse(row.raw).get("Subject", ""))


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    if part is not None:
        return str(cast(EmailMessage, part).get_content())
    html = message.get_body(preferencelist=("html",))
    if html is not None:
        return str(get_text(cast(EmailMessage, html).get_content()))
    return ""


@bp.get("")
def index() -> Response | str:
    refused = _check_access()
    if refused is not None:
        return refused
    rows = outbox_queue.recent(db_session(), limit=200)
    return render_template("web/outbox/list.html", rows=[(row, subject_of(row)) for row in rows])


@bp.get("/<int:mail_id>")
def message(mail_id: int) -> Response | str:
    refused = _check_access()
    if refused is not None:
        return refused
    row = db_session().scalar(select(OutboundMail).where(OutboundMail.id == mail_id))
    if row is None:
        abort(404)
    parsed = _parse(row.raw)
    headers = [(name, str(parsed[name])) for name in SHOWN_HEADERS if parsed[name] is not None]
    return render_template(
        "web/outbox/message.html", row=row, headers=headers, text=text_of(parsed)
    )
