"""Personal feed links: a feed reader has no session, so each person may hold one secret link.

The secret is shown once, when made; only its SHA-256 is stored. Making a new link replaces the
old one, revoking deletes it, and a link stops working when its owner is deactivated.
"""

import hashlib
import secrets

from sqlalchemy import select

from vendorrisk.accounts.models import User
from vendorrisk.audit import services as audit
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db

from .models import FeedToken


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def feed_token_of(user: User) -> FeedToken | None:
    """Return a person's feed link record (never the secret), if they have one."""
    return db.session.scalar(select(FeedToken).where(FeedToken.user_id == user.id))


def create_feed_token(user: User) -> str:
    """Give a person a new feed link, retiring any earlier one; return its secret."""
    secret = secrets.token_urlsafe(32)
    row = feed_token_of(user)
    if row is None:
        row = FeedToken(user_id=user.id)
        db.session.add(row)
    row.token_hash, row.created_at = _digest(secret), utcnow()
    db.session.flush()
    audit.record("advisories.feed_link_created", "user", user.id, actor_id=user.id)
    return secret


def revoke_feed_token(user: User) -> bool:
    """Delete a person's feed link; tell whether there was one."""
    row = feed_token_of(user)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    audit.record("advisories.feed_link_revoked", "user", user.id, actor_id=user.id)
    return True


def user_for_feed_token(secret: str) -> User | None:
    """Return the active person a feed link belongs to, or None."""
    if not secret or len(secret) > 100:
        return None
    return db.session.scalar(
        select(User)
        .join(FeedToken, FeedToken.user_id == User.id)
        .where(FeedToken.token_hash == _digest(secret), User.active.is_(True))
    )
