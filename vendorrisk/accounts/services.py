"""Account operations: sign-in sessions, password resets, second factor, user administration."""

import hashlib
import secrets
from datetime import datetime

import pyotp
from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from vendorrisk.accounts.models import PasswordResetToken, User, UserSession
from vendorrisk.accounts.passwords import hash_password, policy_problem, verify_password
from vendorrisk.api import tokens
from vendorrisk.api.models import ApiToken
from vendorrisk.audit import services as audit
from vendorrisk.core import links
from vendorrisk.core.timeutil import utcnow
from vendorrisk.core.urls import external_url
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox
from vendorrisk.permissions import ROLES

RESET_PURPOSE = "reset"


class AccountError(ValueError):
    """A refused account operation, with a message fit to show the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    """Return the canonical form used to store and look up staff e-mail addresses."""
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    """Find a user by e-mail address, whatever its case."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


# --- sign-in ------------------------------------------------------------------------------


def authenticate(email: str, password: str) -> User | None:
    """Check credentials; record a failed sign-in in the audit log."""
    user = user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        reason = "unknown account" if user is None else ("disabled" if ok else "wrong password")
        audit.record(
            "login.failed",
            "user",
            user.id if user else None,
            outcome="failure",
            details={"reason": reason},
            actor_type="anonymous",
        )
        return None
    return user


def _sid_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def start_session(user: User) -> str:
    """Open a server-side session for a user who has fully signed in; return its secret id."""
    sid = secrets.token_urlsafe(32)
    db.session.add(UserSession(sid_hash=_sid_hash(sid), user_id=user.id))
    audit.record("login", "user", user.id, actor_id=user.id)
    return sid


def session_user(user_id: str, sid: str | None) -> User | None:
    """Return the user of a live session, or None when it is revoked, idle or too old."""
    if not sid:
        return None
    row = db.session.scalar(select(UserSession).where(UserSession.sid_hash == _sid_hash(sid)))
    if row is None or row.revoked_at is not None or str(row.user_id) != str(user_id):
        return None
    now = utcnow()
    config = current_app.config
    if now - row.last_seen_at > config["SESSION_IDLE_TIMEOUT"]:
        return None
    if now - row.created_at > config["SESSION_ABSOLUTE_TIMEOUT"]:
        return None
    if not row.user.active:
        return None
    if (now - row.last_seen_at).total_seconds() > 60:
        row.last_seen_at = now
    return row.user


def end_session(sid: str | None, user: User | None) -> None:
    """Revoke a session on the server so its cookie is worthless."""
    if sid:
        db.session.execute(
            update(UserSession)
            .where(UserSession.sid_hash == _sid_hash(sid), UserSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    if user is not None:
        audit.record("logout", "user", user.id, actor_id=user.id)


def revoke_all_sessions(user: User, keep_sid: str | None = None) -> None:
    """End every session of a user (password change, reset, disabling), except `keep_sid`'s."""
    query = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
    )
    if keep_sid:
        query = query.where(UserSession.sid_hash != _sid_hash(keep_sid))
    db.session.execute(query.values(revoked_at=utcnow()))


# --- passwords ------------------------------------------------------------------------------


def _reset_token(row: PasswordResetToken) -> str:
    return links.derive_token(RESET_PURPOSE, row.id, row.nonce)


def _usable(row: PasswordResetToken) -> bool:
    return row.used_at is None and row.retired_at is None and row.expires_at > utcnow()


def _lock_user(user: User) -> None:
    """Serialise changes to one account's credentials (PostgreSQL row lock; SQLite writes are
    serialised by BEGIN IMMEDIATE already)."""
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())


def _retire_reset_links(user: User, keep: PasswordResetToken | None = None) -> None:
    """Retire every outstanding reset link of a user (but `keep`)."""
    query = update(PasswordResetToken).where(
        PasswordResetToken.user_id == user.id,
        PasswordResetToken.used_at.is_(None),
        PasswordResetToken.retired_at.is_(None),
    )
    if keep is not None:
        query = query.where(PasswordResetToken.id != keep.id)
    db.session.execute(query.values(retired_at=utcnow()))


def request_password_reset(email: str) -> None:
    """Queue a one-time reset link for an active account, retiring any earlier one; unknown
    addresses get nothing."""
    user = user_by_email(email)
    if user is None or not user.active:
        audit.record("password.reset_requested", outcome="unknown", actor_type="anonymous")
        return
    _lock_user(user)
    _retire_reset_links(user)
    row = PasswordResetToken(
        user_id=user.id,
        nonce=links.new_nonce(),
        token_hash=links.new_nonce(),  # replaced below once the row has an id
        expires_at=utcnow() + current_app.config["PASSWORD_RESET_TTL"],
    )
    db.session.add(row)
    db.session.flush()
    row.token_hash = links.token_hash(_reset_token(row))
    outbox.queue(
        "password_reset",
        user.email,
        "Reset your VendorRisk password",
        link=(RESET_PURPOSE, row.id),
        related=("user", user.id),
        user_name=user.name,
        expires_minutes=int(current_app.config["PASSWORD_RESET_TTL"].total_seconds() // 60),
    )
    audit.record("password.reset_requested", "user", user.id, actor_type="anonymous")


def reset_link(ref: str) -> str | None:
    """Derive the reset link of a stored token row, if it can still be used."""
    row = db.session.get(PasswordResetToken, int(ref))
    if row is None or not _usable(row):
        return None
    return external_url("accounts.reset_password", token=_reset_token(row))


def valid_reset_token(token: str) -> PasswordResetToken | None:
    """Return the reset row for a token that is unused, not retired and unexpired."""
    if not links.looks_like_token(token):
        return None
    row = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == links.token_hash(token))
    )
    if row is None or not _usable(row):
        return None
    return row


def reset_password(row: PasswordResetToken, new_password: str) -> User:
    """Set a new password through a reset link: the link and every other one are retired, and
    every session and API token of the account ends (an attacker's included)."""
    user = row.user
    _lock_user(user)
    db.session.refresh(row)
    if not _usable(row):  # used or retired by a request that held the lock before this one
        raise AccountError("This reset link is no longer valid. Ask for a new one.", "password")
    _set_password(user, new_password)
    row.used_at = utcnow()
    audit.record("password.reset", "user", user.id, actor_type="anonymous")
    _cut_off_other_access(user, "password.reset", actor_type="anonymous")
    return user


def change_password(
    user: User, current: str, new_password: str, keep_sid: str | None = None
) -> None:
    """Change a signed-in user's password after checking the current one; other sessions,
    outstanding reset links and API tokens end."""
    if not verify_password(user.password_hash, current):
        raise AccountError("The current password is not correct.", "current_password")
    _lock_user(user)
    _set_password(user, new_password)
    audit.record("password.changed", "user", user.id)
    _cut_off_other_access(user, "password.changed", keep_sid=keep_sid)


def _cut_off_other_access(
    user: User, reason: str, *, keep_sid: str | None = None, actor_type: str | None = None
) -> None:
    """After a password reset or change, end every other way into the account.

    Whoever may have had the old password could have signed in, asked for a reset link or
    created an API token; none of them survives. The user is told by e-mail which tokens went.
    """
    revoke_all_sessions(user, keep_sid=keep_sid)
    _retire_reset_links(user)
    revoked = tokens.revoke_all(user, reason, actor_type=actor_type)
    if revoked:
        tokens_revoked_email(user, revoked, reason)


def tokens_revoked_email(user: User, revoked: list[ApiToken], reason: str) -> None:
    """Tell a user that recovering their account revoked their API tokens."""
    outbox.queue(
        "api_tokens_revoked",
        user.email,
        "Your VendorRisk API tokens were revoked",
        related=("user", user.id),
        user_name=user.name,
        reset=reason == "password.reset",
        token_names=[row.name for row in revoked],
        profile_url=external_url("accounts.profile"),
    )


def _set_password(user: User, password: str) -> None:
    problem = policy_problem(password, user.email)
    if problem:
        raise AccountError(problem, "password")
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()


# --- second factor --------------------------------------------------------------------------


def new_totp_secret() -> str:
    """Return a fresh base32 TOTP secret."""
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """Return the otpauth:// URI an authenticator app scans."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="VendorRisk")


def _check_code(secret: str, code: str, last_step: int | None) -> int | None:
    code = "".join(code.split())
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = datetime.now().timestamp()
    for offset in (-1, 0, 1):
        step = int(now // totp.interval) + offset
        if secrets.compare_digest(totp.at(step * totp.interval), code):
            if last_step is not None and step <= last_step:
                return None  # a code is good once
            return step
    return None


def enable_totp(user: User, secret: str, code: str) -> None:
    """Turn on the second factor once the user proves their app produces the right codes."""
    step = _check_code(secret, code, None)
    if step is None:
        raise AccountError("That code is not correct. Check the time on your device.", "code")
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    audit.record("mfa.enabled", "user", user.id)


def verify_totp(user: User, code: str) -> bool:
    """Check a sign-in code, refusing a code that was already used."""
    if not user.totp_secret:
        return False
    step = _check_code(user.totp_secret, code, user.totp_last_step)
    if step is not None:
        # Claim the step in the database: of two sign-ins racing with one code, one wins.
        newer = or_(User.totp_last_step.is_(None), User.totp_last_step < step)
        claimed = db.session.execute(  # type: ignore[attr-defined]  # an UPDATE's CursorResult
            update(User).where(User.id == user.id, newer).values(totp_last_step=step)
        ).rowcount
        if claimed:
            set_committed_value(user, "totp_last_step", step)
            return True
    audit.record("login.mfa_failed", "user", user.id, outcome="failure", actor_type="anonymous")
    return False


def disable_totp(user: User, password: str) -> None:
    """Turn off the second factor (not allowed for roles that must use one)."""
    if user.mfa_required:
        raise AccountError("Administrators must keep a second factor.")
    if not verify_password(user.password_hash, password):
        raise AccountError("The password is not correct.", "password")
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    audit.record("mfa.disabled", "user", user.id)


# --- administration -------------------------------------------------------------------------


def create_user(email: str, name: str, role: str, password: str) -> User:
    """Create a staff account after checking the address, role and password."""
    email = normalise_email(outbox.clean_address(email))
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}; use one of {', '.join(ROLES)}.", "role")
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise AccountError("A user with this e-mail address already exists.", "email")
    problem = policy_problem(password, email)
    if problem:
        raise AccountError(problem, "password")
    user = User(email=email, name=name.strip(), role=role, password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", "user", user.id, details={"role": role})
    return user


def update_user(user: User, *, name: str, role: str, active: bool, actor: User | None) -> None:
    """Change a user's name, role or status; disabling ends their sessions."""
    if role not in ROLES:
        raise AccountError("Unknown role.", "role")
    if actor is not None and actor.id == user.id and (not active or role != user.role):
        raise AccountError("You cannot disable yourself or change your own role.", "role")
    changed = audit.changed_fields(
        user, ["name", "role", "active"], {"name": name.strip(), "role": role, "active": active}
    )
    if not changed:
        return
    if not user.active or "role" in changed:
        revoke_all_sessions(user)
    audit.record("user.updated", "user", user.id, details={"fields": changed, "role": user.role})
