"""Security headers, trusted proxies, the request guard and token redaction in logs."""

import logging
import re

from flask import Flask, Request, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from vendorrisk.audit import services as audit
from vendorrisk.extensions import db, login_manager
from vendorrisk.permissions import ALLOWED_BEFORE_MFA, PERMISSIONS, allowed, is_public

CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'; img-src 'self' data:"
)
# Downloads are files, never pages: nothing in them may run or load anything. base-uri and
# frame-ancestors do not fall back to default-src, so they are named (SECURITY.md 16).
DOWNLOAD_CSP = (
    "default-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; sandbox"
)

# Paths whose last segment is a secret token; logs show them with the token replaced.
_TOKEN_IN_PATH = re.compile(
    r"(/(?:p|password/reset|login/unlock|advisories/feed)/)[A-Za-z0-9_-]{20,}"
)


class RedactTokens(logging.Filter):
    """Replace link tokens in log records (request lines of the development server)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _TOKEN_IN_PATH.sub(r"\1[redacted]", record.msg)
        if record.args:
            record.args = tuple(
                _TOKEN_IN_PATH.sub(r"\1[redacted]", a) if isinstance(a, str) else a
                for a in (record.args if isinstance(record.args, tuple) else (record.args,))
            )
        return True


def redact(text: str) -> str:
    """Return text with link tokens in paths replaced."""
    return _TOKEN_IN_PATH.sub(r"\1[redacted]", text)


def set_headers(response):
    """Add the security headers every response carries."""
    headers = response.headers
    if headers.get("Content-Disposition", "").lower().startswith("attachment"):
        # Every download (reports, evidence, exports) gets the sandbox, whichever view sent it.
        headers["Content-Security-Policy"] = DOWNLOAD_CSP
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "strict-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if current_app.config.get("HSTS"):
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    if (request.endpoint and not is_public(request.endpoint)) or request.path.startswith("/p/"):
        headers["Cache-Control"] = "no-store"
    return response


# Bodies other than file uploads (url-encoded forms, JSON): the longest real one, an advisory
# with a 50,000-character body, is far below this. Werkzeug decodes a url-encoded body whole,
# percent-escape by percent-escape, so 20 MiB of "%5B" would cost many seconds of CPU.
MAX_NON_UPLOAD_BYTES = 1024 * 1024


class BoundedRequest(Request):
    """A request whose body, unless it is a multipart upload, is at most MAX_NON_UPLOAD_BYTES
    (in force before any hook reads the form, the CSRF check included). A view's own limit,
    set on the request, still wins."""

    @property
    def max_content_length(self) -> int | None:
        limit = super().max_content_length
        if self._max_content_length is not None or self.mimetype == "multipart/form-data":
            return limit
        return MAX_NON_UPLOAD_BYTES if limit is None else min(limit, MAX_NON_UPLOAD_BYTES)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def guard():
    """Apply the permission table to every request before its view runs."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no route: the 404 handler answers
    if endpoint.startswith("api."):
        # The API authenticates by bearer token, never by the session cookie, and applies the
        # same table itself (vendorrisk.api.auth).
        return None
    if endpoint not in PERMISSIONS:
        abort(403)  # fail closed for a route someone forgot to list
    if is_public(endpoint):
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.mfa_required and not current_user.mfa_enabled:
        if endpoint not in ALLOWED_BEFORE_MFA:
            flash("Your role requires two-step sign-in. Set it up to continue.", "warning")
            return redirect(url_for("accounts.totp_setup"))
    if not allowed(current_user.role, endpoint):
        audit.record(
            "access.denied",
            "endpoint",
            endpoint,
            outcome="denied",
            details={"method": request.method},
        )
        db.session.commit()
        abort(403)
    return None


def init_app(app: Flask) -> None:
    """Install the proxy fix, the guard, the headers and the log filter."""
    count = app.config["TRUSTED_PROXY_COUNT"]
    if count:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )
    app.request_class = BoundedRequest
    app.before_request(guard)
    app.after_request(set_headers)
    logging.getLogger("werkzeug").addFilter(RedactTokens())
