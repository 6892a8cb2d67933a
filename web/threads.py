"""One thread: its page, its Atom feed, and what readers do there (reply, like, answer)."""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from typing import cast

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
)
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from mailfeed.parsers.mime import read_mime
from mailfeed.publisher import (
    events,
    invitations,
    notifications,
    outcomes,
    outgoing,
    praise,
    reactions,
    starting,
    subscriptions,
)
from mailfeed.publisher import feed as feed_queries
from mailfeed.publisher.models import MailMessage, NewsItem, Person, Post, Thread, Upload
from mailfeed.web import feedtext
from mailfeed.web.admin import raw_mail
from mailfeed.web.attachments import LISTINGS, Attachment, Listings, read_attachment
from mailfeed.web.pagecache import cached
from mailfeed.web.render import iso_utc, markdown
from mailfeed.web.state import (
    current_user,
    db_session,
    is_moderator,
    settings,
    site,
    viewer_person,
)

bp = Blueprint("threads", __name__)


def _thread_or_404(session: Session, thread_id: int) -> Thread:
    thread = feed_queries.get_thread(session, thread_id)
    if thread is None:
        abort(404)
    return thread


def _post_or_404(session: Session, post_id: int) -> Post:
    post = session.get(Post, post_id)
    if post is None or post.hidden or post.thread.hidden:
        abort(404)
    return post


@bp.get("/t/<int:thread_id>")
def short(thread_id: int) -> Response:
    thread = _thread_or_404(db_session(), thread_id)
    return redirect(thread.path, 301)


@bp.get("/t/<int:thread_id>-<slug>")
@cached
def show(thread_id: int, slug: str) -> Response | str:
    session = db_session()
    thread = _thread_or_404(session, thread_id)
    if slug != thread.slug:
        return redirect(thread.path, 301)
    return _page(session, thread)


def _page(session: Session, thread: Thread, *, draft: str = "", error: str | None = None) -> str:
    """The thread page; after a refused reply, with the draft kept and the error beside it."""
    posts = feed_queries.visible_posts(thread)
    post_ids = [p.id for p in posts]
    person = viewer_person(create=False)
    likes, liked = feed_queries.like_summary(session, post_ids, person.id if person else None)
    mentions = feed_queries.mentioned_people(session, post_ids)
    user = current_user()
    if person is not None and user is not None and not user.guest:
        feed_queries.record_view(session, thread.id, person.id)
        session.commit()
    attachments = _attachments_by_post(session, posts)
    moderator = is_moderator()
    can_answer = thread.kind == "question" and reactions.may_mark_answer(
        thread, person, moderator=moderator
    )
    participant = moderator or reactions.is_participant(session, thread, person)
    # Whether this reader gets the thread's web replies by mail (the asker does by default).
    by_mail = None
    if participant and person is not None and user is not None and not user.guest:
        by_mail = subscriptions.hears(session, thread, person.id)
    answer = next((p for p in posts if p.id == thread.answer_post_id), None)
    removed = _removed_post(session, thread, person, moderator)
    event = events.for_thread(session, thread.id)
    invited = invitations.for_thread(session, thread.id)
    mine = next(
        (i.status for i in invited if person is not None and i.person_id == person.id), None
    )
    # Before and after the move, and "read by N" — the quiet 90 % made visible to authors.
    outcome = outcomes.thread_outcome(session, thread)
    return render_template(
        "web/threads/thread.html",
        thread=thread,
        outcome=outcome,
        event=event,
        invited=invited,
        my_status=mine,
        praised=praise.for_thread(session, thread.id),
        uploads=_uploads_by_post(session, post_ids),
        news_link=_news_link(session, thread),
        by_mail=by_mail,
        posts=posts,
        answer=answer,
        likes=likes,
        liked=liked,
        mentions=mentions,
        attachments=attachments,
        can_answer=can_answer,
        moderator=moderator,
        viewer_id=person.id if person else None,
        participant=participant,
        removed=removed,
        was_answer=request.args.get("answer") == "1",
        draft=draft,
        error=error,
    )


def _removed_post(
    session: Session, thread: Thread, person: Person | None, moderator: bool
) -> Post | None:
    """The post just removed (`?removed=`), when this reader may still undo it."""
    try:
        post_id = int(request.args.get("removed", ""))
    except ValueError:
        return None
    post = session.get(Post, post_id)
    if post is None or post.thread_id != thread.id or not post.hidden:
        return None
    return post if reactions.may_hide_post(post, person, moderator=moderator) else None


@dataclass(frozen=True)
class UploadRef:
    id: int
    filename: str
    content_type: str
    size: int


def _uploads_by_post(session: Session, post_ids: list[int]) -> dict[int, list[UploadRef]]:
    """Files attached in the composer (metadata only; the bytes load when served)."""
    if not post_ids:
        return {}
    found: dict[int, list[UploadRef]] = {}
    stmt = (
        select(Upload.id, Upload.post_id, Upload.filename, Upload.content_type, Upload.size)
        .where(Upload.post_id.in_(post_ids))
        .order_by(Upload.id)
    )
    for row in session.execute(stmt):
        found.setdefault(row.post_id, []).append(
            UploadRef(row.id, row.filename, row.content_type, row.size)
        )
    return found


def _news_link(session: Session, thread: Thread) -> str | None:
    if thread.kind != "news":
        return None
    return session.scalar(select(NewsItem.link).where(NewsItem.thread_id == thread.id))


def _attachments_by_post(session: Session, posts: list[Post]) -> dict[int, list[Attachment]]:
    """Each mail's attachments, shown under the newest post that came from that mail."""
    last_post: dict[int, int] = {}
    for post in posts:
        if post.mail_id is not None:
            last_post[post.mail_id] = post.id
    if not last_post:
        return {}
    mails = session.execute(
        select(MailMessage.id, MailMessage.raw_path).where(MailMessage.id.in_(list(last_post)))
    )
    listings = cast(Listings, current_app.extensions[LISTINGS])
    result: dict[int, list[Attachment]] = {}
    for mail_id, locator in mails:
        if not locator:
            continue  # erased
        found = listings.of(locator, functools.partial(raw_mail, settings(), locator))
        if found:
            result[last_post[mail_id]] = found
    return result


@bp.get("/t/<int:thread_id>/mail/<int:mail_id>/part/<int:index>")
def attachment(thread_id: int, mail_id: int, index: int) -> Response:
    """One attachment of a mail in this thread: a download, or a raster image in place."""
    session = db_session()
    thread = _thread_or_404(session, thread_id)
    mail = session.get(MailMessage, mail_id)
    raw = raw_mail(settings(), mail.raw_path) if mail and mail.thread_id == thread.id else None
    found = read_attachment(raw, index) if raw is not None else None
    if found is None:
        abort(404)
    part, data = found
    inline = request.args.get("inline") == "1" and part.inline_image
    response = send_file(
        io.BytesIO(data),
        mimetype=part.content_type or "application/octet-stream",
        as_attachment=not inline,
        download_name=part.filename,
    )
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.post("/t/<int:thread_id>/reply")
def reply(thread_id: int) -> Response:
    session = db_session()
    thread = _thread_or_404(session, thread_id)
    person = viewer_person(create=True)
    assert person is not None  # the gate guarantees a user
    body = request.form.get("body", "")
    try:
        post = starting.reply(
            session, site(), thread, person, body, praise_post=request.form.get("praise") == "1"
        )
    except starting.Invalid as exc:
        # Keep what was typed (whitespace and all) and say what is wrong beside it, in the
        # reader's language: a refused reply is not a dead end.
        return make_response(
            _page(session, thread, draft=body, error=feedtext.invalid_text(exc)), 400
        )
    session.commit()
    return redirect(f"{thread.path}#p{post.id}")


@bp.post("/p/<int:post_id>/like")
def like(post_id: int) -> Response:
    session = db_session()
    post = _post_or_404(session, post_id)
    person = viewer_person(create=True)
    assert person is not None
    now_liked = reactions.toggle_like(session, post, person)
    session.commit()
    if request.accept_mimetypes.best == "application/json":
        count, _ = feed_queries.like_summary(session, [post.id], None)
        return jsonify({"liked": now_liked, "likes": count.get(post.id, 0)})
    return redirect(f"{post.thread.path}#p{post.id}")


@bp.post("/p/<int:post_id>/answer")
def answer(post_id: int) -> Response:
    session = db_session()
    post = _post_or_404(session, post_id)
    thread = post.thread
    person = viewer_person(create=False)
    try:
        reactions.mark_answer(session, thread, post, person, moderator=is_moderator())
    except reactions.NotAllowed:
        abort(403)
    cfg = settings()
    link = f"{cfg.public_url}{thread.path}#p{post.id}"
    for target in reactions.thread_participants(session, thread):
        if person is not None and target.id == person.id:
            continue  # whoever marked it knows
        notifications.notify_person(
            session, site(), target, "answer", thread, actor=person, post=post, mail=False
        )
        outgoing.queue_mail(
            session,
            site(),
            template="answered",
            language=target.language or thread.language,
            recipient=target.email,
            key=f"answered:{thread.id}:{post.id}:{target.id}",
            thread_id=thread.id,
            author=post.author_display,
            subject=thread.subject,
            excerpt=post.body[:500],
            link=link,
        )
    session.commit()
    return redirect(f"{thread.path}#p{post.id}")


@bp.post("/p/<int:post_id>/hide")
def hide_post(post_id: int) -> Response:
    """Remove a post; the thread page then offers to undo it (nothing is lost: hidden)."""
    session = db_session()
    post = _post_or_404(session, post_id)
    was_answer = post.thread.answer_post_id == post.id
    try:
        reactions.hide_post(session, post, viewer_person(), moderator=is_moderator())
    except reactions.NotAllowed:
        abort(403)
    session.commit()
    return redirect(f"{post.thread.path}?removed={post.id}&answer={int(was_answer)}#removed")


@bp.post("/p/<int:post_id>/restore")
def restore_post(post_id: int) -> Response:
    session = db_session()
    post = session.get(Post, post_id)
    if post is None or post.thread.hidden:
        abort(404)
    try:
        reactions.restore_post(
            session,
            post,
            viewer_person(),
            moderator=is_moderator(),
            was_answer=request.form.get("answer") == "1",
        )
    except reactions.NotAllowed:
        abort(403)
    session.commit()
    return redirect(f"{post.thread.path}#p{post.id}")


@bp.post("/t/<int:thread_id>/hide")
def hide_thread(thread_id: int) -> Response:
    session = db_session()
    thread = _thread_or_404(session, thread_id)
    try:
        reactions.hide_thread(session, thread, moderator=is_moderator())
    except reactions.NotAllowed:
        abort(403)
    session.commit()
    return redirect(f"/?hidden_thread={thread.id}")


@bp.post("/t/<int:thread_id>/restore")
def restore_thread(thread_id: int) -> Response:
    session = db_session()
    thread = session.get(Thread, thread_id)
    if thread is None:
        abort(404)
    try:
        reactions.restore_thread(session, thread, moderator=is_moderator())
    except reactions.NotAllowed:
        abort(403)
    session.commit()
    return redirect(thread.path)


def _original_raw(thread_id: int, mail_id: int) -> bytes:
    """The raw mail of a mail in this thread (from whichever raw store kept it), for the
    thread's participants and moderators."""
    session = db_session()
    thread = _thread_or_404(session, thread_id)
    if not is_moderator() and not reactions.is_participant(session, thread, viewer_person()):
        abort(403)
    mail = session.get(MailMessage, mail_id)
    raw = raw_mail(settings(), mail.raw_path) if mail and mail.thread_id == thread.id else None
    if raw is None:
        abort(404)
    return raw


SHOWN_HEADERS = ("From", "To", "Cc", "Date", "Subject", "Message-ID")


@bp.get("/t/<int:thread_id>/mail/<int:mail_id>")
def original_view(thread_id: int, mail_id: int) -> str:
    """The original mail, readable: its main headers and its text (HTML read as text,
    so nothing the sender wrote runs or loads here), with a link to download it."""
    mime = read_mime(_original_raw(thread_id, mail_id))
    values = {name.lower(): value for name, value in reversed(mime.headers)}  # first wins
    headers = [(name, values[name.lower()]) for name in SHOWN_HEADERS if name.lower() in values]
    thread = _thread_or_404(db_session(), thread_id)
    return render_template(
        "web/threads/original.html",
        thread=thread,
        mail_id=mail_id,
        headers=headers,
        text=mime.text,
        was_html=mime.html,
    )


@bp.get("/t/<int:thread_id>/mail/<int:mail_id>.eml")
def original(thread_id: int, mail_id: int) -> Response:
    """The original mail as a file, as it arrived."""
    raw = _original_raw(thread_id, mail_id)
    return send_file(
        io.BytesIO(raw),
        mimetype="message/rfc822",
        as_attachment=True,
        download_name=f"mail-{mail_id}.eml",
    )


@bp.get("/t/<int:thread_id>.atom")
def atom(thread_id: int) -> Response:
    thread = _thread_or_404(db_session(), thread_id)
    cfg = settings()
    posts = feed_queries.visible_posts(thread)
    body = render_template(
        "web/threads/atom.xml",
        thread=thread,
        posts=posts,
        base=cfg.public_url,
        updated=iso_utc(thread.last_activity),
    )
    response = make_response(body)
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    return response


@bp.post("/preview")
def preview() -> Response:
    """Markdown preview for the reply box (progressive enhancement)."""
    return jsonify({"html": str(markdown(request.form.get("body", "")))})
