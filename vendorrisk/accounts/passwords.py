"""Password hashing (argon2id) and the password policy."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
MAX_LENGTH = 128

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    # Verified against when the e-mail is unknown, so timing does not reveal which accounts exist.
    # Made on first use: an argon2 hash costs every command and worker start otherwise.
    return _hasher.hash("not-a-real-password-for-timing")


@cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against its hash (constant work when there is no hash)."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def policy_problem(password: str, email: str | None = None) -> str | None:
    """Return why a password is not acceptable, or None when it is."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    if lowered in _common_passwords():
        return "This password is among the most commonly used ones; choose another."
    if email and lowered == email.lower().split("@")[0]:
        return "Do not use your e-mail name as your password."
    return None
