"""The site's own error pages: styled, in the reader's language, never a stack trace.

Pages get HTML; the API and Atom feeds (`security.wants_json`) keep their JSON errors.
A 500 is logged with its traceback for the operator and shown to the reader only as
"something went wrong".
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from mailfeed.web.security import wants_json

log = logging.getLogger(__name__)
SHOWN = (400, 403, 404, 405, 413, 500)


def _page(code: int, detail: str | None = None) -> tuple[Response | str, int]:
    if wants_json():
        response = jsonify({"error": f"http {code}"})
        return response, code
    try:
        return render_template("web/error.html", code=code, detail=detail), code
    except Exception:  # the page itself failed (say, the database is down): say it plainly
        log.exception("error page %s failed to render", code)
        return Response(f"Error {code}", code, mimetype="text/plain"), code


def install(app: Flask) -> None:
    def handle(error: HTTPException) -> tuple[Response | str, int]:
        code = error.code or 500
        # Our own aborts say what was wrong (translated where they are raised); Werkzeug's
        # stock sentence would only repeat the page's own, in English.
        own = error.description if error.description != type(error).description else None
        return _page(code if code in SHOWN else 400 if code < 500 else 500, own)

    def crashed(error: InternalServerError) -> tuple[Response | str, int]:
        original = error.original_exception or error
        log.error("request failed: %s", type(original).__name__, exc_info=original)
        return _page(500)

    for code in SHOWN:
        if code != 500:
            app.register_error_handler(code, handle)
    app.register_error_handler(InternalServerError, crashed)
