"""Small helpers shared by the account tests."""

import time

import pyotp
from sqlalchemy import select

from tests.conftest import PASSWORD, make_user
from vendorrisk.accounts.models import User, UserSession
from vendorrisk.extensions import db


def wrong_code(secret: str) -> str:
    """Return a six-digit code that is not valid for this secret now (nor two steps either side)."""
    totp = pyotp.TOTP(secret)
    now = time.time()
    valid = {totp.at(now + offset) for offset in (-60, -30, 0, 30, 60)}
    return next(
        c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c not in valid
    )


# Passwords the policy refuses, with the message it gives.
WEAK = [
    ("short7!", "Use at least 8 characters."),
    ("x" * 129, "Use at most 128 characters."),
    ("password123", "This password is among the most commonly used ones; choose another."),
    ("qwertyuiop", "This password is among the most commonly used ones; choose another."),
    ("Password123", "This password is among the most commonly used ones; choose another."),
]


def admin_without_totp() -> User:
    """Create an admin who has not set up two-step sign-in yet."""
    user = make_user("admin")
    user.totp_secret = None
    user.totp_enabled_at = None
    db.session.flush()
    return user


def sign_in_password_only(client, user):
    """Post the sign-in form with the user's password (no second step)."""
    return client.post("/login", data={"email": user.email, "password": PASSWORD})


SESSION_COOKIE = "vr_session"


def sessions_of(user: User) -> list[UserSession]:
    """Return every server-side session row of a user, read afresh."""
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)
        )
    )


def live_session(user: User) -> UserSession:
    """Return the user's one session that is not revoked."""
    rows = [row for row in sessions_of(user) if row.revoked_at is None]
    assert len(rows) == 1, rows
    return rows[0]


def signed_in(client) -> bool:
    """Tell whether the client's session still opens the home page."""
    response = client.get("/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and "/login" in response.location, response.status_code
    return False


LOGIN_LIMIT = 10


def login_from(client, email, password, ip="198.51.100.1"):
    """Post the sign-in form from a given client address."""
    return client.post(
        "/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip}
    )


def assert_limited(response):
    """Assert the response is the friendly 429 page."""
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert "Wait a few minutes, then try again." in response.text
