"""Small helpers shared by the account tests."""

import time

import pyotp


def wrong_code(secret: str) -> str:
    """Return a six-digit code that is not valid for this secret now (nor two steps either side)."""
    totp = pyotp.TOTP(secret)
    now = time.time()
    valid = {totp.at(now + offset) for offset in (-60, -30, 0, 30, 60)}
    return next(
        c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c not in valid
    )
