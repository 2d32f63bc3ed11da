"""Limits on failed sign-ins: password guessing stays bounded, and no stranger can lock anyone out.

Three counters, kept in the Flask-Limiter store (Redis when `REDIS_URL` is set, so every worker
and host shares them). Only failed sign-ins count:

1. per client address, whatever the account: `LOGIN_FAILURE_LIMIT` (10 per 15 minutes);
2. per account, over every browser not known to that account: `LOGIN_ACCOUNT_FAILURE_LIMIT`
   (100 per day). Once it is used up, unknown browsers cannot sign in to the account at all,
   even with the right password, until the window ends; the owner is e-mailed a one-time link
   that makes their browser known (vendorrisk.accounts.unlock);
3. per account and known browser: `LOGIN_FAILURE_LIMIT`.

A browser is known to an account once it has signed in to it (password and second factor) or
used an unlock link for it: it carries a signed cookie with a random browser id and the hashes
of those accounts. The cookie grants nothing by itself; it only decides which counter the
browser's failures go to, so the owner's browser keeps working while strangers are locked out.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Response, current_app, make_response, render_template, request
from itsdangerous import BadData, URLSafeTimedSerializer
from limits import parse
from werkzeug.wrappers import Response as BaseResponse

from vendorrisk.accounts import unlock
from vendorrisk.accounts.services import normalise_email
from vendorrisk.extensions import db, limiter

ACCOUNT_SCOPE = "login-unknown-browsers"
COOKIE = "vr_known_browser"
MAX_ACCOUNTS = 20  # accounts one browser is remembered for


def account_hash(email: str) -> str:
    """Return the hash an account is counted and remembered under (never the address itself)."""
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


def _posted_hash() -> str:
    return account_hash(request.form.get("email", ""))


def address_limit() -> str:
    """The limit per client address, and per account and known browser."""
    return current_app.config["LOGIN_FAILURE_LIMIT"]


def account_limit() -> str:
    """The limit per account over every unknown browser."""
    return current_app.config["LOGIN_ACCOUNT_FAILURE_LIMIT"]


def account_key() -> str:
    """Counter key of the posted account (unknown browsers)."""
    return "login-account:" + _posted_hash()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="known-browser")


def _read_cookie() -> dict | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    max_age = int(current_app.config["KNOWN_BROWSER_TTL"].total_seconds())
    try:
        data = _serializer().loads(raw, max_age=max_age)
    except BadData:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("b"), str):
        return None
    accounts = data.get("a")
    if not isinstance(accounts, list) or not all(isinstance(a, str) for a in accounts):
        return None
    return data


def known_browser() -> bool:
    """Tell whether this browser is known to the account whose address was posted."""
    data = _read_cookie()
    return data is not None and _posted_hash() in data["a"]


def unknown_browser() -> bool:
    """The opposite of known_browser (Flask-Limiter's exempt_when takes no arguments)."""
    return not known_browser()


def known_browser_key() -> str:
    """Counter key of the posted account in this known browser."""
    data = _read_cookie() or {}
    return f"login-known:{_posted_hash()}:{data.get('b', '')}"


def remember_browser(response: BaseResponse, email: str) -> BaseResponse:
    """Mark this browser as known to an account (after a full sign-in or an unlock link)."""
    data = _read_cookie() or {"b": secrets.token_hex(16), "a": []}
    mine = account_hash(email)
    data["a"] = [mine, *[a for a in data["a"] if a != mine]][:MAX_ACCOUNTS]
    config = current_app.config
    response.set_cookie(
        COOKIE,
        _serializer().dumps(data),
        max_age=int(config["KNOWN_BROWSER_TTL"].total_seconds()),
        httponly=True,
        secure=config["SESSION_COOKIE_SECURE"],
        samesite="Lax",
    )
    return response


@dataclass(frozen=True)
class LockState:
    """How far an account is through its allowance of failures from unknown browsers."""

    failures: int
    limit: int
    until: datetime | None

    @property
    def locked(self) -> bool:
        return self.failures >= self.limit


def lock_state(email: str) -> LockState:
    """Read an account's counter for unknown browsers from the shared store."""
    item = parse(account_limit())
    args = ["login-account:" + account_hash(email), ACCOUNT_SCOPE]
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX")
    if prefix:
        args = [prefix, *args]
    stats = limiter.limiter.get_window_stats(item, *args)
    failures = item.amount - stats.remaining
    until = datetime.fromtimestamp(stats.reset_time, UTC) if failures else None
    return LockState(failures=failures, limit=item.amount, until=until)


def on_account_lock(request_limit) -> Response:
    """Answer a sign-in refused by the per-account lock, and tell the owner how to get in."""
    until = datetime.fromtimestamp(request_limit.reset_at, UTC)
    unlock.account_locked(request.form.get("email", ""), until, request_limit.limit.amount)
    db.session.commit()
    return make_response(render_template("accounts/login_locked.html"), 429)
