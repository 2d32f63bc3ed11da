"""Bearer-token authentication for /api/: the permission table applies to the token's user.

A session cookie never authenticates an API call: the request guard leaves /api/ endpoints to
this check, and the user of the request is set from the token alone (or left anonymous).
"""

from flask import g, request
from flask_login import AnonymousUserMixin

from vendorrisk.api import tokens
from vendorrisk.api.errors import ApiProblem
from vendorrisk.audit import services as audit
from vendorrisk.extensions import db
from vendorrisk.permissions import PERMISSIONS, allowed, is_public

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="vendorrisk"'}


def _unauthorized(detail: str, kind: str) -> ApiProblem:
    return ApiProblem(401, detail, kind=kind, headers=CHALLENGE)


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate():
    """Set the request's user from its bearer token and apply the permission table."""
    # Flask-Login reads g._login_user before it looks at the session: setting it here means
    # the session cookie is never consulted for an API call.
    g._login_user = AnonymousUserMixin()
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no route: the 404/405 handlers answer
    if endpoint not in PERMISSIONS:
        raise ApiProblem(403, "This endpoint is not open to anyone.", kind="forbidden")
    if is_public(endpoint):
        return None
    secret = _bearer()
    if secret is None:
        raise _unauthorized("Send an API token: `Authorization: Bearer <token>`.", "no-token")
    row = tokens.token_for_secret(secret)
    if row is None:
        raise _unauthorized("The API token is not valid.", "invalid-token")
    if row.revoked_at is not None:
        raise _unauthorized("The API token has been revoked.", "revoked-token")
    if row.expired:
        raise _unauthorized(
            "The API token has expired: create a new one on your profile page.", "expired-token"
        )
    user = row.user
    if not user.active:
        raise _unauthorized("The account this token belongs to is disabled.", "disabled-user")
    if user.mfa_required and not user.mfa_enabled:
        # The same rule as for pages: an admin must have set up two-step sign-in first.
        raise ApiProblem(
            403, "Your role requires two-step sign-in: set it up first.", kind="mfa-required"
        )
    g._login_user = user
    g.api_token = row
    if not allowed(user.role, endpoint):
        audit.record(
            "access.denied",
            "endpoint",
            endpoint,
            outcome="denied",
            details={"method": request.method, "api_token": row.id},
        )
        db.session.commit()
        raise ApiProblem(403, "Your role may not do this.", kind="forbidden")
    touched = tokens.touch(row)
    if request.method not in READ_METHODS:
        # Committed before the view runs, so an attempted write is on record even when the
        # write itself is refused.
        audit.record(
            "api_token.used",
            "api_token",
            row.id,
            details={"method": request.method, "endpoint": endpoint},
        )
    if touched or request.method not in READ_METHODS:
        db.session.commit()
    return None
