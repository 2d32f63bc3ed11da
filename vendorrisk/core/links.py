"""Secret links that are derived when a message is sent and never stored.

A link token is an HMAC of (purpose, row id, nonce) under LINK_KEY. The database keeps the nonce
and the token's SHA-256 only, so neither the database, the outbox nor a backup holds a usable link.
Changing the nonce retires every earlier link for that row.
"""

import base64
import hashlib
import hmac
import re
import secrets

from flask import current_app

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def new_nonce() -> str:
    """Return a fresh random nonce for a link row."""
    return secrets.token_hex(16)


def derive_token(purpose: str, ref: int | str, nonce: str) -> str:
    """Derive the 256-bit URL-safe token for a link row."""
    key = current_app.config["LINK_KEY"].encode()
    mac = hmac.new(key, f"{purpose}:{ref}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    """Return the SHA-256 hex digest under which a token is looked up."""
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(value: str) -> bool:
    """Tell whether a string has the shape of a link token (cheap pre-check before a look-up)."""
    return bool(TOKEN_PATTERN.fullmatch(value or ""))
