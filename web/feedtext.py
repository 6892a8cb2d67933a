"""The words of what people start on the feed (issue 9), from the one catalogue.

Codes the database and the publisher use (kinds to start, badges, RSVP statuses, notice
kinds, mail choices, `starting.Invalid` codes) mapped to English msgids; lazy_gettext
translates them when a page or an API answer shows them, in that request's language.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext

from mailfeed.publisher import starting

COMPOSE_LABELS = {
    "question": lazy_gettext("Ask a question"),
    "discussion": lazy_gettext("Start a discussion"),
    "praise": lazy_gettext("Praise a colleague"),
    "event": lazy_gettext("Invite to an activity"),
    "idea": lazy_gettext("Share an idea"),
}
BADGE_LABELS = {
    "helpful": lazy_gettext("Helpful"),
    "teamwork": lazy_gettext("Teamwork"),
    "customer-hero": lazy_gettext("Customer hero"),
    "problem-solver": lazy_gettext("Problem solver"),
    "mentor": lazy_gettext("Mentor"),
    "above-and-beyond": lazy_gettext("Above and beyond"),
}
STATUS_LABELS = {
    "accepted": lazy_gettext("Going"),
    "declined": lazy_gettext("Not going"),
    "tentative": lazy_gettext("Maybe"),
    "needs-action": lazy_gettext("Not answered"),
}
NOTICE_LABELS = {
    "mention": lazy_gettext("%(actor)s mentioned you in"),
    "invitation": lazy_gettext("%(actor)s invited you to"),
    "reply": lazy_gettext("%(actor)s replied in"),
    "answer": lazy_gettext("An answer was marked in"),
    "praise": lazy_gettext("%(actor)s praised you in"),
}
MAIL_CHOICE_LABELS = {
    "each": lazy_gettext("For each one"),
    "daily": lazy_gettext("A daily digest"),
    "never": lazy_gettext("Never"),
}
ERRORS = {
    "error_unknown_kind": lazy_gettext(
        "“%(kind)s” is not a kind of post. Choose question, discussion, praise, event or idea."
    ),
    "error_empty_subject": lazy_gettext("Give your post a title."),
    "error_long_subject": lazy_gettext("The title is too long (at most 300 characters)."),
    "error_empty_body": lazy_gettext("Write something: the text is empty."),
    "error_long_body": lazy_gettext("The text is too long (at most 20,000 characters)."),
    "error_address": lazy_gettext("“%(address)s” is not an e-mail address."),
    "error_outside": lazy_gettext(
        "%(address)s is outside the organisation: only colleagues can be invited, mentioned "
        "or praised."
    ),
    "error_too_many_people": lazy_gettext("Too many people (at most 200)."),
    "error_department": lazy_gettext("There is no department called “%(department)s”."),
    "error_praise_nobody": lazy_gettext("Say whom you praise."),
    "error_badge": lazy_gettext("Unknown badge."),
    "error_event_time": lazy_gettext("Give the event a start and an end time."),
    "error_event_order": lazy_gettext("The event ends before it starts."),
    "error_too_many_files": lazy_gettext("Too many attachments (at most 10)."),
    "error_big_file": lazy_gettext("%(name)s is too big (at most 8 MB)."),
    "error_json": lazy_gettext("The request body must be a JSON object."),
    "error_field": lazy_gettext("“%(field)s” has the wrong type."),
}


def error_text(code: str, **values: str) -> str:
    """A refusal in the request's language (`starting.Invalid` codes, and a few more)."""
    text = str(ERRORS[code])
    return text % values if values else text


def invalid_text(exc: starting.Invalid) -> str:
    return error_text(exc.code, **exc.values)


def _label(table: dict[str, Any]) -> Any:
    return lambda code, **values: (
        (str(table[code]) % values if values else table[code]) if code in table else code
    )


def template_globals() -> dict[str, Any]:
    return {
        "compose_label": _label(COMPOSE_LABELS),
        "badge_label": _label(BADGE_LABELS),
        "status_label": _label(STATUS_LABELS),
        "notice_label": _label(NOTICE_LABELS),
        "mail_choice_label": _label(MAIL_CHOICE_LABELS),
    }
