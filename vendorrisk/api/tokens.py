"""Creating, finding and revoking personal API tokens (the secret is shown once, never kept)."""

import hashlib
import secrets
from datetime import timedelta
from typing import cast

from flask import current_app
from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from vendorrisk.accounts.models import User
from vendorrisk.api.models import ApiToken
from vendorrisk.audit import services as audit
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db

PREFIX = "vrk_"
MAX_NAME = 100


class TokenError(ValueError):
    """A refused token operation, with a message fit to show the user beside `field`."""

    def __init__(self, message: str, field: str = "name"):
        super().__init__(message)
        self.field = field


def token_hash(secret: str) -> str:
    """Return the SHA-256 (hex) under which a token is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def lifetime_problem(days: int | None) -> str | None:
    """Say what is wrong with a token lifetime in days, or None when it is allowed."""
    longest = current_app.config["API_TOKEN_MAX_DAYS"]
    if days is None or not 1 <= days <= longest:
        return f"A token lasts from 1 to {longest} days."
    return None


def create_token(user: User, name: str, expires_days: int | None = None) -> tuple[ApiToken, str]:
    """Create a token for a user; return the row and the secret (shown once).

    It expires after `expires_days` (API_TOKEN_DAYS, 90 by default, when not given).
    """
    name = " ".join((name or "").split())
    if not name:
        raise TokenError("Give the token a name, e.g. the script that will use it.")
    if len(name) > MAX_NAME:
        raise TokenError(f"The name is at most {MAX_NAME} characters.")
    if expires_days is None:
        expires_days = current_app.config["API_TOKEN_DAYS"]
    problem = lifetime_problem(expires_days)
    if problem:
        raise TokenError(problem, "expires_days")
    secret = PREFIX + secrets.token_urlsafe(32)  # 32 random bytes
    now = utcnow()
    row = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=token_hash(secret),
        created_at=now,
        expires_at=now + timedelta(days=expires_days),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "api_token.created",
        "api_token",
        row.id,
        actor_id=user.id,
        details={"expires_days": expires_days},
    )
    return row, secret


def token_for_secret(secret: str) -> ApiToken | None:
    """Return the token row matching a presented secret, revoked or not."""
    if not secret or len(secret) > 200:
        return None
    return db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(secret)))


def touch(row: ApiToken) -> bool:
    """Record that a token was used now, writing only when the stored time is over a minute
    old (API_TOKEN_TOUCH_SECONDS): a script calling many times a second costs one write a
    minute. Return whether a write was made."""
    now = utcnow()
    stale = now - timedelta(seconds=current_app.config["API_TOKEN_TOUCH_SECONDS"])
    if row.last_used_at is not None and row.last_used_at > stale:
        return False
    # Conditional, so concurrent calls with one token write once between them.
    result = db.session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == row.id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= stale),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    written = cast(CursorResult, result).rowcount
    if written:
        set_committed_value(row, "last_used_at", now)
    return bool(written)


def user_tokens(user: User) -> list[ApiToken]:
    """Return a user's tokens, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )


def get_user_token(user: User, token_id: int) -> ApiToken | None:
    """Return one of the user's own tokens (never another user's)."""
    row = db.session.get(ApiToken, token_id)
    return row if row is not None and row.user_id == user.id else None


def revoke_token(row: ApiToken, actor: User) -> bool:
    """Revoke a token; False if it already was."""
    if row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    db.session.flush()
    audit.record("api_token.revoked", "api_token", row.id, actor_id=actor.id)
    return True


def revoke_all(user: User, reason: str, actor_type: str | None = None) -> list[ApiToken]:
    """Revoke every token of a user that still works (account recovery); each is audited with
    the reason. Return the tokens revoked."""
    now = utcnow()
    rows = list(
        db.session.scalars(
            select(ApiToken)
            .where(
                ApiToken.user_id == user.id,
                ApiToken.revoked_at.is_(None),
                ApiToken.expires_at > now,
            )
            .order_by(ApiToken.id)
        )
    )
    for row in rows:
        row.revoked_at = now
        audit.record(
            "api_token.revoked",
            "api_token",
            row.id,
            details={"reason": reason},
            actor_id=None if actor_type else user.id,
            actor_type=actor_type,
        )
    db.session.flush()
    return rows
