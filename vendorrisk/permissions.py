"""Who may do what: one table, read by the request guard and by templates.

Every endpoint the app registers must appear here; a test walks the URL map with every role
and with no login and checks the answers against this table.
"""

from typing import Final

ADMIN: Final = "admin"
MANAGER: Final = "manager"
COMPLIANCE: Final = "compliance"
ROLES: Final = (ADMIN, MANAGER, COMPLIANCE)
ROLE_LABELS: Final = {
    ADMIN: "Administrator",
    MANAGER: "Vendor manager",
    COMPLIANCE: "Compliance officer",
}


class _Public(frozenset):
    """Marker for endpoints anyone may open, with no login."""


PUBLIC: Final = _Public()
STAFF: Final = frozenset(ROLES)
ADMINS: Final = frozenset({ADMIN})
MANAGERS: Final = frozenset({ADMIN, MANAGER})
READERS: Final = frozenset({ADMIN, MANAGER, COMPLIANCE})
AUDITORS: Final = frozenset({ADMIN, COMPLIANCE})

PERMISSIONS: dict[str, frozenset[str]] = {
    # Public: assets, sign-in, password reset, health check.
    "static": PUBLIC,
    "bootstrap.static": PUBLIC,
    "core.healthz": PUBLIC,
    "accounts.login": PUBLIC,
    "accounts.login_totp": PUBLIC,
    "accounts.forgot_password": PUBLIC,
    "accounts.reset_password": PUBLIC,
    # Any signed-in staff member.
    "core.index": STAFF,
    "accounts.logout": STAFF,
    "accounts.profile": STAFF,
    "accounts.change_password": STAFF,
    "accounts.totp_setup": STAFF,
    "accounts.totp_disable": STAFF,
    # Administration.
    "accounts.users": ADMINS,
    "accounts.user_new": ADMINS,
    "accounts.user_edit": ADMINS,
    "mail.outbox": ADMINS,
    "mail.outbox_retry": ADMINS,
    # Audit log.
    "audit.log": AUDITORS,
    "audit.export": AUDITORS,
}

# Endpoints a signed-in user may reach before finishing a required second-factor set-up.
ALLOWED_BEFORE_MFA: Final = frozenset(
    {"accounts.totp_setup", "accounts.logout", "static", "bootstrap.static", "core.healthz"}
)


def is_public(endpoint: str) -> bool:
    """Tell whether an endpoint is open without a login."""
    return isinstance(PERMISSIONS.get(endpoint), _Public)


def allowed(role: str | None, endpoint: str) -> bool:
    """Tell whether a role may use an endpoint (unknown endpoints are refused)."""
    roles = PERMISSIONS.get(endpoint)
    if roles is None:
        return False
    if isinstance(roles, _Public):
        return True
    return role in roles
