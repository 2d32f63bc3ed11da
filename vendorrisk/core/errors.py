"""Error pages: plain, friendly and free of detail; JSON problems under /api/."""

import logging

from flask import Flask, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from vendorrisk.core.storage import human_size
from vendorrisk.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("The request could not be understood", "Go back, check the form and try again."),
    403: ("You do not have access to this page", "Ask an administrator if you need it."),
    404: ("Not found", "The page or item does not exist, or the link is not valid."),
    405: ("Not allowed", "This action cannot be done this way."),
    410: ("This link is no longer valid", "Ask the sender for a new link."),
    413: (
        "The file is too large",
        "Files may be at most 20 MiB. Compress or split the file and try again.",
    ),
    409: (
        "Someone else changed this at the same moment",
        "Nothing saved before is lost. Go back, reload the page, check it and try again.",
    ),
    429: ("Too many attempts", "Wait a few minutes, then try again."),
    500: ("Something went wrong on our side", "Nothing you saved is lost. Try again shortly."),
}


def _render(code: int, description: str | None = None):
    title, hint = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    if code == 413 and request.mimetype != "multipart/form-data" and request.max_content_length:
        limit = human_size(request.max_content_length)
        hint = f"A form or JSON body may be at most {limit}. Send less text at once."
    elif code == 413 and current_app.config.get("MAX_CONTENT_LENGTH"):
        limit = human_size(current_app.config["MAX_CONTENT_LENGTH"])
        hint = f"Files may be at most {limit}. Compress or split the file and try again."
    if request.path.startswith("/api/"):
        body = {"type": "about:blank", "title": title, "status": code, "detail": hint}
        response = jsonify(body)
        response.status_code = code
        response.mimetype = "application/problem+json"
        return response
    return render_template("core/error.html", code=code, title=title, hint=hint), code


def handle_http(exc: HTTPException):
    """Answer an HTTP error with the plain page for its code (a 405 says what is allowed), or
    with the page the error carries (e.g. a rate limit's own explanation)."""
    if exc.response is not None:
        return exc.response
    response = current_app.make_response(_render(exc.code or 500))
    allowed = getattr(exc, "valid_methods", None)
    if exc.code == 405 and allowed:
        response.headers["Allow"] = ", ".join(allowed)
    return response


def handle_csrf(exc: CSRFError):
    """Answer a missing or stale CSRF token without a bare 400."""
    return _render(400)


def handle_conflict(exc: Exception):
    """Answer a write that lost a race (unique key, stale version) with a 409, not a 500."""
    db.session.rollback()
    log.info("write conflict on %s %s: %s", request.method, request.path, type(exc).__name__)
    return _render(409)


def handle_unexpected(exc: Exception):
    """Log an unexpected error and answer with a page that shows no detail."""
    if isinstance(exc, HTTPException):
        return handle_http(exc)
    log.exception("unhandled error on %s %s", request.method, request.path)
    db.session.rollback()
    return _render(InternalServerError.code)


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(IntegrityError, handle_conflict)
    app.register_error_handler(StaleDataError, handle_conflict)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(Exception, handle_unexpected)
