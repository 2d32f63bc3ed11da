"""Every registered route is in the permission table, and the table is what the app enforces."""

import re

import pytest

from vendorrisk.permissions import EXPORT_REQUESTS, PERMISSIONS, ROLES, is_public

ANONYMOUS = None


def _routes(app):
    for rule in app.url_map.iter_rules():
        path = re.sub(
            r"<(?:[^:>]+:)?([^>]+)>", lambda m: "1" if "int" in m.group(0) else "x", rule.rule
        )
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, path


def test_every_route_is_in_the_permission_table(app):
    """A route nobody listed would be refused for everyone; listing it is a decision."""
    missing = sorted({endpoint for endpoint, _, _ in _routes(app)} - set(PERMISSIONS))
    assert missing == []


def test_the_table_names_no_route_that_does_not_exist(app):
    """A stale entry would hide a renamed route from the walk."""
    registered = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(set(PERMISSIONS) - registered) == []


@pytest.mark.parametrize("role", [ANONYMOUS, *ROLES])
def test_route_walk_matches_the_table(app, db_session, role):
    """Each role (and no login) gets in exactly where the table says, on every route."""
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


SELF_SERVICE = {
    "accounts.logout",
    "accounts.change_password",
    "accounts.totp_setup",
    "accounts.totp_disable",
    "accounts.profile",
    "accounts.token_create",
    "accounts.token_revoke",
}


def test_compliance_officers_change_nothing(app):
    """Compliance officers read and export; no state-changing route outside their own
    account and asking for a report to be built is open to them."""
    writable = set()
    for rule in app.url_map.iter_rules():
        if (
            rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
            and rule.endpoint not in SELF_SERVICE | EXPORT_REQUESTS
        ):
            if not is_public(rule.endpoint) and "compliance" in PERMISSIONS[rule.endpoint]:
                writable.add(rule.endpoint)
    assert writable == set()


def test_only_admins_manage_users_and_the_outbox():
    for endpoint in ("accounts.users", "accounts.user_new", "accounts.user_edit", "mail.outbox"):
        assert PERMISSIONS[endpoint] == frozenset({"admin"})


def test_a_manager_is_refused_the_user_admin_page(client, auth):
    auth.login("manager")
    assert client.get("/admin/users").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/audit/")
    assert response.status_code == 302 and "/login" in response.location
