"""Sign-in unlock links: the way out for an account's owner when strangers have used up the
account's allowance of failed sign-ins from unknown browsers (see vendorrisk.accounts.throttle).

The owner is e-mailed a one-time link (1 hour) when the lock is hit, at most once an hour. Using
it marks the owner's browser as known for that account, so it may sign in (password and second
factor as always) while strangers stay locked out. Only the link's SHA-256 is stored.
"""

from datetime import datetime, timedelta
from typing import cast

from flask import current_app
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm.attributes import set_committed_value

from vendorrisk.accounts.models import SignInUnlock, User
from vendorrisk.accounts.services import user_by_email
from vendorrisk.audit import services as audit
from vendorrisk.core import links
from vendorrisk.core.timeutil import format_local, utcnow
from vendorrisk.core.urls import external_url
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox

UNLOCK_PURPOSE = "unlock"


def _token(row: SignInUnlock) -> str:
    return links.derive_token(UNLOCK_PURPOSE, row.id, row.nonce)


def _usable(row: SignInUnlock) -> bool:
    return row.used_at is None and row.expires_at > utcnow() and row.user.active


def account_locked(email: str, locked_until: datetime | None, failures: int) -> None:
    """Tell the owner of a locked account (if there is one) how to get in: at most one link an
    hour, each good for an hour. Unknown and disabled addresses get nothing, and the page the
    requester sees is the same either way."""
    user = user_by_email(email)
    if user is None or not user.active:
        return
    ttl: timedelta = current_app.config["SIGN_IN_UNLOCK_TTL"]
    recent = db.session.scalar(
        select(SignInUnlock.id).where(
            SignInUnlock.user_id == user.id, SignInUnlock.created_at > utcnow() - ttl
        )
    )
    if recent is not None:
        return
    row = SignInUnlock(
        user_id=user.id,
        nonce=links.new_nonce(),
        token_hash=links.new_nonce(),  # replaced below once the row has an id
        expires_at=utcnow() + ttl,
    )
    db.session.add(row)
    db.session.flush()
    row.token_hash = links.token_hash(_token(row))
    sign_in_locked_email(user, row, locked_until, failures)
    audit.record(
        "login.locked",
        "user",
        user.id,
        outcome="denied",
        details={"failures": failures, "scope": "unknown browsers"},
        actor_type="anonymous",
    )


def sign_in_locked_email(
    user: User, row: SignInUnlock, locked_until: datetime | None, failures: int
) -> None:
    """Queue the message that tells an owner their account is locked, with the unlock link."""
    ttl: timedelta = current_app.config["SIGN_IN_UNLOCK_TTL"]
    outbox.queue(
        "sign_in_locked",
        user.email,
        "Sign-in to your VendorRisk account is locked for new browsers",
        link=(UNLOCK_PURPOSE, str(row.id)),
        related=("user", user.id),
        user_name=user.name,
        failures=failures,
        locked_until=format_local(locked_until, user.timezone) if locked_until else None,
        expires_minutes=int(ttl.total_seconds() // 60),
    )


def unlock_link(ref: str) -> str | None:
    """Derive the unlock link of a stored row, if it can still be used (outbox resolver)."""
    row = db.session.get(SignInUnlock, int(ref))
    if row is None or not _usable(row):
        return None
    return external_url("accounts.unlock_browser", token=_token(row))


def valid_unlock_token(token: str) -> SignInUnlock | None:
    """Return the unlock row for a token that is unused and unexpired."""
    if not links.looks_like_token(token):
        return None
    row = db.session.scalar(
        select(SignInUnlock).where(SignInUnlock.token_hash == links.token_hash(token))
    )
    if row is None or not _usable(row):
        return None
    return row


def use_unlock(row: SignInUnlock) -> User | None:
    """Spend an unlock link, once; the caller marks the browser as known for the account.

    None when another request spent it first."""
    now = utcnow()
    spent = db.session.execute(
        update(SignInUnlock)
        .where(SignInUnlock.id == row.id, SignInUnlock.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if not cast(CursorResult, spent).rowcount:
        return None
    set_committed_value(row, "used_at", now)
    audit.record("login.unlocked", "user", row.user_id, actor_type="anonymous")
    return row.user
