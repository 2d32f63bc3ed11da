"""Bearer tokens: who gets in, who does not, and what the audit log records."""

import hashlib

from sqlalchemy import select

from tests.api.conftest import assert_problem
from tests.conftest import make_user
from vendorrisk.accounts import services as accounts
from vendorrisk.api.models import ApiToken
from vendorrisk.api.tokens import create_token, revoke_token, token_for_secret
from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db


def _actions(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_no_token_is_a_401_problem_with_a_bearer_challenge(api):
    response = api.get("/vendors")
    body = assert_problem(response, 401)
    assert "Bearer" in response.headers["WWW-Authenticate"]
    assert body["type"].endswith("no-token")


def test_an_unknown_token_is_refused(api):
    assert_problem(api.get("/vendors", "vrk_not-a-real-token"), 401)
    assert_problem(api.get("/vendors", headers={"Authorization": "Basic abc"}), 401)


def test_a_valid_token_reads(api):
    assert api.get("/vendors", api.token("compliance")).status_code == 200


def test_the_token_is_stored_only_as_its_sha256(db_session):
    user = make_user("manager")
    row, secret = create_token(user, "ci")
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {row.token_hash, row.name}
    assert len(secret) >= 43  # 32 random bytes, URL-safe base64, plus the prefix


def test_a_revoked_token_is_refused(api, db_session):
    user = make_user("manager")
    row, secret = create_token(user, "ci")
    revoke_token(row, user)
    body = assert_problem(api.get("/vendors", secret), 401)
    assert "revoked" in body["detail"]


def test_a_disabled_users_token_is_refused(api, db_session):
    user = make_user("manager")
    secret = api.token(user=user)
    accounts.update_user(user, name=user.name, role=user.role, active=False, actor=None)
    db.session.flush()
    body = assert_problem(api.get("/vendors", secret), 401)
    assert "disabled" in body["detail"]


def test_each_call_uses_the_users_current_role(api, db_session):
    """A manager demoted to compliance officer can no longer write with an old token."""
    user = make_user("manager")
    secret = api.token(user=user)
    accounts.update_user(user, name=user.name, role="compliance", active=True, actor=None)
    db.session.flush()
    response = api.post(
        "/vendors", secret, json={"name": "Acme", "criticality": "high", "data_access": "internal"}
    )
    assert_problem(response, 403)
    assert api.get("/vendors", secret).status_code == 200


def test_compliance_tokens_are_read_only_and_the_refusal_is_audited(api, db_session):
    secret = api.token("compliance")
    assert_problem(api.post("/vendors", secret, json={"name": "Acme"}), 403)
    assert_problem(api.patch("/vendors/1", secret, json={"name": "Acme"}), 403)
    assert_problem(api.post("/campaigns", secret, json={}), 403)
    denied = _actions("access.denied")
    assert {e.object_id for e in denied} >= {"api.vendors_create", "api.campaigns_create"}


def test_csrf_is_not_required_for_api_writes(app, api):
    """The test client adds CSRF tokens only to form posts: a JSON post carries none."""
    assert app.config.get("WTF_CSRF_ENABLED", True)
    response = api.post(
        "/vendors",
        api.token("manager"),
        json={"name": "No Csrf Ltd", "criticality": "low", "data_access": "none"},
    )
    assert response.status_code == 201, response.get_data(as_text=True)


def test_creation_write_use_and_revocation_are_audited(api, db_session):
    user = make_user("manager")
    row, secret = create_token(user, "ci")
    assert [e.object_id for e in _actions("api_token.created")] == [str(row.id)]
    api.get("/vendors", secret)
    assert _actions("api_token.used") == []  # reads are not each logged
    api.post(
        "/vendors", secret, json={"name": "Audited", "criticality": "low", "data_access": "none"}
    )
    used = _actions("api_token.used")
    assert len(used) == 1 and used[0].actor_id == user.id
    assert used[0].details["endpoint"] == "api.vendors_create"
    created = _actions("vendor.created")
    assert created and created[-1].actor_id == user.id
    revoke_token(row, user)
    assert [e.object_id for e in _actions("api_token.revoked")] == [str(row.id)]


def test_last_used_is_recorded(api, db_session):
    user = make_user("compliance")
    row, secret = create_token(user, "ci")
    assert row.last_used_at is None
    api.get("/products", secret)
    db.session.expire_all()
    assert token_for_secret(secret).last_used_at is not None


def test_tokens_are_created_and_revoked_on_the_profile_page(client, auth, api, db_session):
    user = auth.login("compliance")
    response = client.post("/profile/tokens", data={"name": "Reporting script"})
    assert response.status_code == 200
    secret = response.text.split('data-testid="new-api-token">')[1].split("<")[0]
    assert api.get("/vendors", secret).status_code == 200
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.name == "Reporting script"
    assert secret not in client.get("/profile").text  # shown once
    assert client.post(f"/profile/tokens/{row.id}/revoke", data={}).status_code == 302
    assert_problem(api.get("/vendors", secret), 401)


def test_a_token_needs_a_name_on_the_profile_page(client, auth):
    auth.login("manager")
    assert client.post("/profile/tokens", data={"name": ""}).status_code == 400


def test_nobody_revokes_another_users_token(client, auth, db_session):
    other = make_user("manager")
    row, _ = create_token(other, "theirs")
    auth.login("admin")
    assert client.post(f"/profile/tokens/{row.id}/revoke", data={}).status_code == 404
    assert row.revoked_at is None


def test_the_cli_prints_a_new_token(runner, api, db_session):
    user = make_user("manager")
    result = runner.invoke(args=["users", "token", "--email", user.email, "--name", "ci"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert api.get("/vendors", secret).status_code == 200
    assert runner.invoke(args=["users", "token", "--email", "nobody@x.example"]).exit_code == 1


def test_an_admin_without_two_step_sign_in_is_refused(api, db_session):
    user = make_user("admin")
    user.totp_enabled_at = None
    db.session.flush()
    body = assert_problem(api.get("/vendors", api.token(user=user)), 403)
    assert body["type"].endswith("mfa-required")
