"""Every registered route is in the permission table, and the table is what the app enforces."""

from vendorrisk.permissions import EXPORT_REQUESTS, PERMISSIONS, is_public


def test_the_table_names_no_route_that_does_not_exist(app):
    """A stale entry would hide a renamed route from the walk."""
    registered = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(set(PERMISSIONS) - registered) == []


SELF_SERVICE = {
    "accounts.logout",
    "accounts.change_password",
    "accounts.totp_setup",
    "accounts.totp_disable",
    "accounts.profile",
    "accounts.token_create",
    "accounts.token_revoke",
    "advisories.feed_link_create",
    "advisories.feed_link_revoke",
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
