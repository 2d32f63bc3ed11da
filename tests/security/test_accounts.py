"""SECURITY.md items 8-13: staff accounts.

Password storage and policy, a second factor, server-side sessions with timeouts, sign-in
limits, one permission table walked route by route, and trusted proxies only.
"""

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from tests.accounts.helpers import (
    LOGIN_LIMIT,
    SESSION_COOKIE,
    WEAK,
    admin_without_totp,
    assert_limited,
    live_session,
    login_from,
    sign_in_password_only,
    signed_in,
)
from tests.conftest import PASSWORD, CSRFClient, make_user
from tests.conftest import test_config as config_for
from vendorrisk import create_app
from vendorrisk.accounts.models import PasswordResetToken
from vendorrisk.accounts.passwords import hash_password, policy_problem, verify_password
from vendorrisk.audit.models import AuditEntry
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.mail.models import OutboxMessage
from vendorrisk.permissions import PERMISSIONS, ROLES, allowed, is_public


def test_item_08_passwords_are_stored_as_argon2id_hashes():
    """Item 8: "Passwords: argon2id (argon2-cffi) ..." """
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD + "x")


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_item_08_the_policy_explains_why_a_weak_password_is_refused(password, message):
    """Item 8: "8 to 128 characters; the most common passwords are rejected." """
    assert policy_problem(password, "someone@firm.example") == message


@pytest.mark.parametrize(
    "password", ["8charsOK", "y" * 128, "Correct-horse-staple-2031", "ünïcødé-pässwörd"]
)
def test_item_08_the_policy_accepts_8_to_128_characters_that_are_not_common(password):
    """Item 8: "8 to 128 characters" are accepted when not common."""
    assert policy_problem(password, "someone@firm.example") is None


def test_item_08_a_reset_link_lasts_one_hour(client):
    """Item 8: "reset by an e-mailed one-time link that expires in 1 hour." """
    user = make_user("manager")
    assert client.post("/password/forgot", data={"email": user.email}).status_code == 302
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == user.email))
    row = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    assert row.expires_at - row.created_at == pytest.approx(
        timedelta(hours=1), abs=timedelta(seconds=5)
    )


@pytest.mark.parametrize("path", ["/", "/admin/users", "/admin/outbox/", "/audit/", "/profile"])
def test_item_09_an_admin_without_totp_is_sent_to_set_it_up_before_any_other_page(client, path):
    """Item 9: "TOTP second factor ... that ... admins must use." """
    admin = admin_without_totp()
    assert sign_in_password_only(client, admin).status_code == 302

    response = client.get(path)
    assert response.status_code == 302
    assert response.location.endswith("/profile/mfa")


def test_item_09_an_admin_cannot_turn_totp_off(client, auth):
    """Item 9: admins must keep their second factor."""
    admin = auth.login("admin")
    client.post("/profile/mfa/disable", data={"password": PASSWORD})
    assert "Administrators must keep a second factor." in client.get("/profile").text
    db.session.refresh(admin)
    assert admin.mfa_enabled


def test_item_09_any_user_can_turn_on_an_rfc_6238_second_factor(client, auth):
    """Item 9: "TOTP second factor (RFC 6238, e.g. pyotp) that any user can enable." """
    user = auth.login("compliance")
    assert not user.mfa_enabled
    assert client.get("/profile/mfa").status_code == 200
    with client.session_transaction() as sess:
        secret = sess["totp_setup_secret"]
    totp = pyotp.TOTP(secret)  # RFC 6238 defaults: SHA-1, 6 digits, 30-second steps
    assert (totp.digits, totp.interval) == (6, 30) and len(secret) >= 32
    assert client.post("/profile/mfa", data={"code": totp.now()}).status_code == 302
    db.session.refresh(user)
    assert user.mfa_enabled and user.totp_secret == secret
    auth.logout()
    response = sign_in_password_only(client, user)
    assert response.status_code == 302 and "/login/code" in response.location


def test_item_09_a_user_with_totp_is_not_signed_in_by_the_password_alone(client):
    """Item 9: a user with TOTP is not signed in by the password alone."""
    user = make_user("manager", mfa=True)
    response = sign_in_password_only(client, user)
    assert response.status_code == 302 and "/login/code" in response.location

    home = client.get("/")
    assert (
        home.status_code == 302 and "/login" in home.location and "/login/code" not in home.location
    )


def test_item_10_signing_in_replaces_the_session_so_a_planted_session_id_is_not_kept(client):
    """Item 10: "Session rotated at login."

    Session fixation: whatever the browser carried before sign-in is discarded."""
    user = make_user("manager")
    client.get("/login")
    with client.session_transaction() as sess:
        sess["sid"] = "attacker-chosen-session-id"
        sess["planted"] = "by someone else"
    cookie_before = client.get_cookie(SESSION_COOKIE).value

    client.post("/login", data={"email": user.email, "password": PASSWORD})

    assert client.get_cookie(SESSION_COOKIE).value != cookie_before
    with client.session_transaction() as sess:
        assert sess["sid"] != "attacker-chosen-session-id"
        assert "planted" not in sess
    assert live_session(user)


def test_item_10_a_copied_cookie_is_useless_after_sign_out(app, client, auth):
    """Item 10: "logout invalidates it on the server side."

    Server-side invalidation: replaying the cookie saved before logout gets the login page."""
    auth.login("manager")
    stolen = client.get_cookie(SESSION_COOKIE).value
    assert signed_in(client)

    auth.logout()

    thief = app.test_client()
    thief.set_cookie(SESSION_COOKIE, stolen, domain="localhost")
    response = thief.get("/")
    assert response.status_code == 302 and "/login" in response.location
    assert thief.get("/profile").status_code == 302


@pytest.mark.parametrize(
    ("idle", "age", "still_open"),
    [
        (timedelta(minutes=29), timedelta(minutes=29), True),
        (timedelta(minutes=31), timedelta(minutes=31), False),
        (timedelta(seconds=5), timedelta(hours=11, minutes=59), True),
        (timedelta(seconds=5), timedelta(hours=12, minutes=1), False),  # even if in use
    ],
    ids=["idle-29-min", "idle-31-min", "age-11h59", "age-12h01"],
)
def test_item_10_a_session_ends_after_30_idle_minutes_or_12_hours(
    client, auth, idle, age, still_open
):
    """Item 10: "30 minutes idle and 12 hours absolute." """
    user = auth.login("manager")
    row = live_session(user)
    row.created_at = utcnow() - age
    row.last_seen_at = utcnow() - idle
    db.session.flush()
    assert signed_in(client) is still_open


def test_item_10_session_cookie_is_httponly_and_samesite_lax(client):
    """Item 10: "cookies `HttpOnly`, `SameSite=Lax`." """
    user = make_user("manager")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    header = next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith(SESSION_COOKIE + "=")
    )
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header


def test_item_10_session_cookie_is_secure_in_production(tmp_path):
    """Item 10: cookies "`Secure` in production." """
    from vendorrisk.config import build_config

    production = build_config(
        tmp_path, {"ENV_NAME": "production", "SECRET_KEY": "s", "LINK_KEY": "k"}
    )
    development = build_config(tmp_path, {"ENV_NAME": "development"})
    assert production["SESSION_COOKIE_SECURE"] is True
    assert development["SESSION_COOKIE_SECURE"] is False


def test_item_11_failures_for_one_account_are_limited_from_every_address_but_not_for_its_owner(
    app, db_session, monkeypatch
):
    """Item 11: "Login failures limited per account ..."

    Failures spread over many addresses use up the account's allowance (100 a day; 11 here, so
    the test types few passwords): then unknown browsers are refused even the right password,
    while the browser the owner signed in with before is not locked out by a stranger."""
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_FAILURE_LIMIT", "11 per day")
    user = make_user("manager")
    owner = app.test_client()
    assert login_from(owner, user.email, PASSWORD, ip="198.51.100.9").status_code == 302
    owner.post("/logout", data={})
    for n in range(11):
        stranger = app.test_client()
        response = login_from(stranger, user.email, "wrong-password", ip=f"203.0.113.{n + 1}")
        assert response.status_code == 200

    refused = login_from(app.test_client(), user.email, PASSWORD, ip="203.0.113.99")
    assert refused.status_code == 429
    assert login_from(owner, user.email, PASSWORD, ip="198.51.100.9").status_code == 302


def test_item_11_ten_failures_from_one_address_block_that_address_for_every_account(app, client):
    """Item 11: "Login failures limited ... per IP." """
    for n in range(LOGIN_LIMIT):
        response = login_from(client, f"guess{n}@firm.example", "wrong-password", ip="192.0.2.7")
        assert response.status_code == 200

    user = make_user("manager")
    assert_limited(login_from(client, user.email, PASSWORD, ip="192.0.2.7"))
    # Someone else, elsewhere, is not affected.
    assert login_from(app.test_client(), user.email, PASSWORD, ip="192.0.2.8").status_code == 302


ANONYMOUS = None


def _routes(app):
    for rule in app.url_map.iter_rules():
        path = re.sub(
            r"<(?:[^:>]+:)?([^>]+)>", lambda m: "1" if "int" in m.group(0) else "x", rule.rule
        )
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, path


def test_item_12_every_route_is_in_the_permission_table(app):
    """Item 12: "Who may do what is one permission table in code."

    A route nobody listed would be refused for everyone; listing it is a decision."""
    missing = sorted({endpoint for endpoint, _, _ in _routes(app)} - set(PERMISSIONS))
    assert missing == []


@pytest.mark.parametrize("role", [ANONYMOUS, *ROLES])
def test_item_12_route_walk_matches_the_table(app, db_session, role):
    """Item 12: "a test walks every registered route with every role and with no login and
    checks it against the table."

    Each role (and no login) gets in exactly where the table says, on every route."""
    from tests.conftest import AuthActions
    from vendorrisk.api.tokens import create_token

    client = app.test_client()
    user = AuthActions(client).login(role) if role else None
    problems = []
    for endpoint, method, path in _routes(app):
        if endpoint in {"accounts.logout"}:
            continue  # walking it would end the session under test
        headers = None
        if user is not None and path.startswith("/api/"):
            # The API ignores the session: it is walked with a fresh token of the same user
            # (walking the profile's revoke route may have revoked an earlier one).
            headers = {"Authorization": "Bearer " + create_token(user, "walk")[1]}
        response = client.open(
            path,
            method=method,
            data={} if method == "POST" else None,
            headers=headers,
        )
        allowed_roles = PERMISSIONS[endpoint]
        if is_public(endpoint):
            expected_allowed = True
        elif role is None:
            expected_allowed = False
        else:
            expected_allowed = role in allowed_roles
        denied = (
            response.status_code == 403
            or (
                response.status_code == 401 and path.startswith("/api/")  # no or refused token
            )
            or (
                response.status_code == 302
                and "/login" in (response.location or "")
                and not is_public(endpoint)
            )
        )
        if expected_allowed and denied:
            problems.append(f"{role} refused {method} {path} ({endpoint})")
        if not expected_allowed and not denied:
            problems.append(f"{role} allowed {method} {path} ({endpoint}): {response.status_code}")
    assert problems == []


PUBLIC_BY_NAME = {
    "static",
    "bootstrap.static",
    "core.healthz",
    "accounts.login",
    "accounts.login_totp",
    "accounts.unlock_browser",
    "accounts.forgot_password",
    "accounts.reset_password",
    "advisories.feed_by_link",
    "api.openapi",
}


def test_item_12_public_routes_are_listed_in_the_table_by_name(app):
    """Item 12: "Public routes are listed in that table by name (login, password reset,
    portal, health check, advisory feed)." """
    public = {endpoint for endpoint in PERMISSIONS if is_public(endpoint)}
    portal = {
        rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("portal.")
    }
    assert portal and public == PUBLIC_BY_NAME | portal
    assert all(allowed(None, endpoint) for endpoint in public)
    assert not allowed(None, "core.index") and not allowed("admin", "no.such.endpoint")


def _login_ip(application, headers) -> str:
    user = make_user("manager")
    with application.app_context():
        response = application.test_client().post(
            "/login", data={"email": user.email, "password": PASSWORD}, headers=headers
        )
    assert response.status_code == 302
    db.session.expire_all()
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "login", AuditEntry.actor_id == user.id)
    )
    return entry.ip


def test_item_13_x_forwarded_for_is_ignored_without_trusted_proxies(app, db_session):
    """Item 13: "a spoofed header is ignored otherwise." """
    assert app.config["TRUSTED_PROXY_COUNT"] == 0
    assert _login_ip(app, {"X-Forwarded-For": "203.0.113.7"}) == "127.0.0.1"


def test_item_13_x_forwarded_for_is_honoured_with_one_trusted_proxy(database_url, db_session):
    """Item 13: "the client address comes from `X-Forwarded-For` only for a configured number
    of trusted proxies (Werkzeug's ProxyFix)." """
    behind_proxy = create_app(config_for(database_url, TRUSTED_PROXY_COUNT=1))
    behind_proxy.test_client_class = CSRFClient
    assert _login_ip(behind_proxy, {"X-Forwarded-For": "203.0.113.7"}) == "203.0.113.7"


def test_item_13_with_one_trusted_proxy_only_the_last_hop_counts(database_url, db_session):
    """Item 13: only the configured number of trusted hops count.

    A client that sends its own X-Forwarded-For cannot choose the address recorded."""
    behind_proxy = create_app(config_for(database_url, TRUSTED_PROXY_COUNT=1))
    behind_proxy.test_client_class = CSRFClient
    spoofed = {"X-Forwarded-For": "10.9.9.9, 203.0.113.8"}
    assert _login_ip(behind_proxy, spoofed) == "203.0.113.8"
