"""Problem details (RFC 9457) for every error the API answers; never HTML, never a traceback."""

import logging

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import HTTPException

from vendorrisk.core.errors import MESSAGES
from vendorrisk.extensions import db

log = logging.getLogger(__name__)

PROBLEM_TYPE = "https://vendorrisk.invalid/problems/"
TITLES = {
    401: "Authentication required",
    422: "The request has invalid fields",
    **{code: title for code, (title, _) in MESSAGES.items() if code != 401},
}


class ApiProblem(Exception):
    """An error the API answers as application/problem+json."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        errors: dict[str, str] | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.errors = errors
        self.title = title
        self.headers = headers or {}


def problem_response(
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    errors: dict[str, str] | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
):
    """Build a problem+json response."""
    body: dict = {
        "type": PROBLEM_TYPE + kind if kind else "about:blank",
        "title": title or TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    response.headers.update(headers or {})
    return response


def validation_error(errors: dict[str, str]) -> ApiProblem:
    """Return the 422 problem naming each bad field."""
    return ApiProblem(
        422, "Some fields are missing or invalid; see `errors`.", kind="validation", errors=errors
    )


def handle_problem(exc: ApiProblem):
    """Answer an ApiProblem."""
    if exc.status >= 500:
        db.session.rollback()
    return problem_response(
        exc.status,
        exc.detail,
        kind=exc.kind,
        errors=exc.errors,
        title=exc.title,
        headers=exc.headers,
    )


def handle_http(exc: HTTPException):
    """Answer an HTTP error raised by an API view (e.g. a guarded getter's 404)."""
    code = exc.code or 500
    title, hint = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    if code == 404:
        hint = "No such resource (unknown id or slug)."
    response = problem_response(code, hint, title=title)
    if code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def handle_unexpected(exc: Exception):
    """Log an unexpected error and answer a problem with no detail of it."""
    if isinstance(exc, HTTPException):
        return handle_http(exc)
    log.exception("unhandled API error on %s %s", request.method, request.path)
    db.session.rollback()
    return problem_response(500, MESSAGES[500][1])


def init_blueprint(bp: Blueprint) -> None:
    """Register the problem handlers on the API blueprint."""
    bp.register_error_handler(ApiProblem, handle_problem)
    bp.register_error_handler(HTTPException, handle_http)
    bp.register_error_handler(Exception, handle_unexpected)
