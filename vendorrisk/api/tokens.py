"""Creating, finding and revoking personal API tokens (the secret is shown once, never kept)."""

import hashlib
import secrets

from sqlalchemy import select

from vendorrisk.accounts.models import User
from vendorrisk.api.models import ApiToken
from vendorrisk.audit import services as audit
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db

PREFIX = "vrk_"
MAX_NAME = 100


class TokenError(ValueError):
    """A refused token operation, with a message fit to show the user."""


def token_hash(secret: str) -> str:
    """Return the SHA-256 (hex) under which a token is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for a user; return the row and the secret (shown once)."""
    name = " ".join((name or "").split())
    if not name:
        raise TokenError("Give the token a name, e.g. the script that will use it.")
    if len(name) > MAX_NAME:
        raise TokenError(f"The name is at most {MAX_NAME} characters.")
    secret = PREFIX + secrets.token_urlsafe(32)  # 32 random bytes
    row = ApiToken(user_id=user.id, name=name, token_hash=token_hash(secret))
    db.session.add(row)
    db.session.flush()
    audit.record("api_token.created", "api_token", row.id, actor_id=user.id)
    return row, secret


def token_for_secret(secret: str) -> ApiToken | None:
    """Return the token row matching a presented secret, revoked or not."""
    if not secret or len(secret) > 200:
        return None
    return db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(secret)))


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
