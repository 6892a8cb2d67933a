"""Operators' view of the gateway: recent mail with the decision taken and why, raw .eml.

Moderators only (and, in the loopback demo, the guest).  The raw mail is served as a
download, never displayed: it may be hostile HTML.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, render_template, send_file
from sqlalchemy import select
from werkzeug.wrappers import Response

from gateway.settings import Settings
from publisher.models import MailMessage
from web.security import require_moderator
from web.state import db_session, settings

bp = Blueprint("admin", __name__, url_prefix="/admin")


def raw_file(cfg: Settings, raw_path: str) -> Path | None:
    """The stored raw mail, only if it lies inside the data dir (no path tricks)."""
    if not raw_path:
        return None
    root = cfg.data_dir.resolve()
    candidate = Path(raw_path)
    path = (candidate if candidate.is_absolute() else root / candidate).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


@bp.get("")
def index() -> str:
    require_moderator()
    stmt = select(MailMessage).order_by(MailMessage.received.desc(), MailMessage.id.desc())
    rows = list(db_session().scalars(stmt.limit(200)))
    return render_template("web/admin/mail.html", rows=rows)


@bp.get("/mail/<int:mail_id>.eml")
def raw(mail_id: int) -> Response:
    require_moderator()
    row = db_session().get(MailMessage, mail_id)
    path = raw_file(settings(), row.raw_path) if row is not None else None
    if path is None:
        abort(404)
    return send_file(
        path, mimetype="message/rfc822", as_attachment=True, download_name=f"mail-{mail_id}.eml"
    )
