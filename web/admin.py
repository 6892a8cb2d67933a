"""Operators' view of the gateway: quarantined mail (with a retry button), recent mail with
the decision taken and why, the outbound queue's state per message, raw .eml.

Moderators only (and, in the loopback demo, the guest).  The raw mail is served as a
download, never displayed: it may be hostile HTML.  The spool is the gateway's, seen
through `web.spoolview` (absent when the app runs without a gateway).
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from flask import Blueprint, abort, redirect, render_template, send_file, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from mailfeed.publisher import outbox, rawstore
from mailfeed.publisher.models import MailMessage
from mailfeed.web.config import WebConfig
from mailfeed.web.security import require_moderator
from mailfeed.web.spoolview import current_spool
from mailfeed.web.state import db_session, settings

bp = Blueprint("admin", __name__, url_prefix="/admin")
SPOOL_ID = re.compile(r"[0-9]{20}-[0-9a-f]{12}")  # Spool.put's ids; nothing path-like


def raw_mail(cfg: WebConfig, raw_path: str) -> bytes | None:
    """The stored raw mail from whichever store kept it; a file only if it lies inside
    the data dir (no path tricks)."""
    return rawstore.load(db_session(), raw_path, cfg.data_dir)


@bp.get("")
def index() -> str:
    require_moderator()
    stmt = select(MailMessage).order_by(MailMessage.received.desc(), MailMessage.id.desc())
    rows = list(db_session().scalars(stmt.limit(200)))
    spool = current_spool()
    quarantined = (
        [
            {
                "id": e.id,
                "source": e.source,
                "mail_from": e.mail_from,
                "attempts": e.attempts,
                "error": (e.error.strip().splitlines() or [""])[0][:300],
                "received": datetime.fromtimestamp(e.received, UTC).replace(tzinfo=None),
            }
            for e in spool.quarantined()
        ]
        if spool is not None
        else None
    )
    return render_template(
        "web/admin/mail.html",
        rows=rows,
        quarantined=quarantined,
        outbound=outbox.recent(db_session(), 100),
    )


@bp.post("/spool/<entry_id>/retry")
def retry(entry_id: str) -> Response:
    """Put a quarantined mail back in the queue; the worker takes it on its next round."""
    require_moderator()
    spool = current_spool()
    if spool is None or not SPOOL_ID.fullmatch(entry_id) or not spool.retry(entry_id):
        abort(404)
    return redirect(url_for("admin.index") + "#quarantine")


@bp.post("/outbound/<int:row_id>/retry")
def retry_outbound(row_id: int) -> Response:
    """Queue a mail that failed for good once more (the relay is fixed, the address too)."""
    require_moderator()
    if not outbox.requeue(db_session(), [row_id]):
        abort(404)
    db_session().commit()
    return redirect(url_for("admin.index") + "#outbound")


@bp.get("/mail/<int:mail_id>.eml")
def raw(mail_id: int) -> Response:
    require_moderator()
    row = db_session().get(MailMessage, mail_id)
    raw = raw_mail(settings(), row.raw_path) if row is not None else None
    if raw is None:
        abort(404)
    return send_file(
        io.BytesIO(raw),
        mimetype="message/rfc822",
        as_attachment=True,
        download_name=f"mail-{mail_id}.eml",
    )
