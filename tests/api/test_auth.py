"""Bearer tokens: who gets in, who does not, and what the audit log records."""

import hashlib

from sqlalchemy import select

from tests.api.conftest import assert_problem
from tests.conftest import PASSWORD, make_user
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
    secret = result.stdout.strip()
    assert api.get("/vendors", secret).status_code == 200
    assert runner.invoke(args=["users", "token", "--email", "nobody@x.example"]).exit_code == 1


def test_an_admin_without_two_step_sign_in_is_refused(api, db_session):
    user = make_user("admin")
    user.totp_enabled_at = None
    db.session.flush()
    body = assert_problem(api.get("/vendors", api.token(user=user)), 403)
    assert body["type"].endswith("mfa-required")


# --- recovering an account cuts tokens off; tokens expire; last use is kept cheaply ----------


def _reset_through_the_link(app, client, monkeypatch, smtp_server, user, password):
    """Ask for a reset, follow the e-mailed link and set a new password."""
    from urllib.parse import urlsplit

    from tests.conftest import links_in
    from tests.mail.helpers import use_relay
    from vendorrisk.mail import services as outbox

    client.post("/password/forgot", data={"email": user.email})
    use_relay(app, monkeypatch, smtp_server.port)
    outbox.send_pending()
    message = smtp_server.wait_for(lambda m: "/password/reset/" in smtp_server.text_of(m))
    link = next(li for li in links_in(smtp_server.text_of(message)) if "/password/reset/" in li)
    response = client.post(urlsplit(link).path, data={"password": password, "confirm": password})
    assert response.status_code == 302


def _revocation_mail(app, monkeypatch, smtp_server, user):
    from tests.mail.helpers import use_relay
    from vendorrisk.mail import services as outbox

    use_relay(app, monkeypatch, smtp_server.port)
    outbox.send_pending()
    return smtp_server.wait_for(
        lambda m: m["To"] == user.email and "API tokens" in m["Subject"], timeout=5
    )


NEW_PASSWORD = "Fresh-lilac-meadow-2040"


def test_a_password_reset_revokes_every_api_token_audits_it_and_tells_the_user(
    app, client, api, monkeypatch, smtp_server
):
    """Whoever reset the password cuts off a token an attacker made with the old one."""
    user = make_user("manager")
    _, script = create_token(user, "Nightly sync")
    _, attacker = create_token(user, "Innocent-looking")
    gone, old = create_token(user, "Retired long ago")
    revoke_token(gone, user)
    assert api.get("/vendors", attacker).status_code == 200

    _reset_through_the_link(app, client, monkeypatch, smtp_server, user, NEW_PASSWORD)

    for secret in (script, attacker, old):
        body = assert_problem(api.get("/vendors", secret), 401)
        assert body["type"].endswith("revoked-token")
    revoked = [e for e in _actions("api_token.revoked") if e.details.get("reason")]
    assert len(revoked) == 2
    assert {e.details["reason"] for e in revoked} == {"password.reset"}
    mail = _revocation_mail(app, monkeypatch, smtp_server, user)
    text = smtp_server.text_of(mail)
    assert "- Nightly sync" in text and "- Innocent-looking" in text
    assert "Retired long ago" not in text  # it was not working anyway
    assert "reset through an e-mailed link" in text
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "<li>Nightly sync</li>" in html


def test_changing_the_password_revokes_the_api_tokens_too(
    app, client, auth, api, monkeypatch, smtp_server
):
    user = auth.login("compliance")
    _, secret = create_token(user, "Reporting")
    assert api.get("/vendors", secret).status_code == 200
    response = client.post(
        "/profile/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert_problem(api.get("/vendors", secret), 401)
    (entry,) = _actions("api_token.revoked")
    assert entry.details == {"reason": "password.changed"} and entry.actor_id == user.id
    assert "- Reporting" in smtp_server.text_of(
        _revocation_mail(app, monkeypatch, smtp_server, user)
    )


def test_a_recovery_without_tokens_sends_no_token_mail(client, auth, db_session):
    from vendorrisk.mail.models import OutboxMessage

    auth.login("manager")
    response = client.post(
        "/profile/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert (
        db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.template == "api_tokens_revoked")
        )
        is None
    )


def test_a_token_expires_after_90_days_by_default_and_is_then_refused(api, db_session):
    from datetime import timedelta

    from vendorrisk.core.timeutil import utcnow

    user = make_user("manager")
    row, secret = create_token(user, "ci")
    assert row.expires_at - row.created_at == timedelta(days=90)
    assert api.get("/vendors", secret).status_code == 200
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    body = assert_problem(api.get("/vendors", secret), 401)
    assert body["type"].endswith("expired-token") and "expired" in body["detail"]


def test_the_cli_sets_the_expiry_in_days_and_refuses_one_out_of_range(runner, db_session):
    from datetime import timedelta

    user = make_user("manager")
    result = runner.invoke(args=["users", "token", "--email", user.email, "--expires-days", "7"])
    assert result.exit_code == 0, result.output
    row = token_for_secret(result.stdout.strip())
    assert row.expires_at - row.created_at == timedelta(days=7)
    assert "Expires " in result.stderr
    for days in ("0", "366", "-5"):
        bad = runner.invoke(args=["users", "token", "--email", user.email, "--expires-days", days])
        assert bad.exit_code == 1 and "A token lasts from 1 to 365 days." in bad.output, days


def test_the_profile_shows_expiry_and_last_use_and_takes_a_lifetime(client, auth, api):
    auth.login("manager")
    response = client.post("/profile/tokens", data={"name": "Short", "expires_days": "30"})
    assert response.status_code == 200
    secret = response.text.split('data-testid="new-api-token">')[1].split("<")[0]
    row = token_for_secret(secret)
    assert (row.expires_at - row.created_at).days == 30
    page = client.get("/profile").text
    assert f'data-testid="api-token-expires">{row.expires_at:%Y-%m-%d %H:%M} UTC<' in page
    assert 'data-testid="api-token-last-used">Never<' in page
    api.get("/vendors", secret)
    db.session.expire_all()
    used = token_for_secret(secret).last_used_at
    assert (
        f'data-testid="api-token-last-used">{used:%Y-%m-%d %H:%M} UTC<'
        in client.get("/profile").text
    )

    refused = client.post("/profile/tokens", data={"name": "Forever", "expires_days": "3650"})
    assert refused.status_code == 400
    assert 'id="expires_days-error">A token lasts from 1 to 365 days.</div>' in refused.text
    assert db.session.scalar(select(ApiToken).where(ApiToken.name == "Forever")) is None


def test_last_use_is_written_at_most_once_a_minute_per_token(app, api, db_session):
    """Many calls in a row cost one write; a call after a minute writes again."""
    from datetime import timedelta

    from sqlalchemy import event

    from vendorrisk.core.timeutil import utcnow

    user = make_user("compliance")
    row, secret = create_token(user, "busy script")
    writes = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("UPDATE API_TOKENS"):
            writes.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(5):
            assert api.get("/products", secret).status_code == 200
        assert len(writes) == 1
        db.session.expire_all()
        row = db.session.get(ApiToken, row.id)
        row.last_used_at = utcnow() - timedelta(seconds=61)
        db.session.flush()
        writes.clear()
        api.get("/products", secret)
        api.get("/products", secret)
        assert len(writes) == 1
    finally:
        event.remove(engine, "before_cursor_execute", count)
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at > utcnow() - timedelta(seconds=60)
