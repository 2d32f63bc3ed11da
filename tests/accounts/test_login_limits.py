"""Failed sign-ins are limited per client address (10 per 15 minutes) and per account; the
per-account lock and its way out are in test_sign_in_lock.py."""

from tests.accounts.helpers import LOGIN_LIMIT, assert_limited, login_from, wrong_code
from tests.conftest import PASSWORD, make_user
from vendorrisk.extensions import db


def test_a_locked_account_does_not_lock_other_accounts_from_other_addresses(client):
    locked = make_user("manager")
    other = make_user("manager")
    for n in range(LOGIN_LIMIT):
        login_from(client, locked.email, "wrong-password", ip=f"203.0.113.{n + 1}")

    response = login_from(client, other.email, PASSWORD, ip="203.0.113.200")
    assert response.status_code == 302


def test_nine_failures_still_allow_a_sign_in(client):
    user = make_user("manager")
    for _ in range(LOGIN_LIMIT - 1):
        login_from(client, user.email, "wrong-password")
    assert login_from(client, user.email, PASSWORD).status_code == 302


def test_successful_sign_ins_do_not_count_towards_the_limit(client):
    user = make_user("manager")
    # Were they counted, the eleventh would already be refused.
    for _ in range(LOGIN_LIMIT + 1):
        assert login_from(client, user.email, PASSWORD).status_code == 302
        assert client.post("/logout", data={}).status_code == 302


def test_a_form_that_fails_validation_is_not_a_failed_sign_in(client):
    user = make_user("manager")
    for _ in range(LOGIN_LIMIT + 1):
        assert login_from(client, user.email, "").status_code == 200
    assert login_from(client, user.email, PASSWORD).status_code == 302


def test_wrong_second_factor_codes_are_limited_too(client):
    user = make_user("compliance", mfa=True)
    bad = wrong_code(user.totp_secret)
    for _ in range(LOGIN_LIMIT):
        response = login_from(client, user.email, PASSWORD)
        assert "/login/code" in response.location
        response = client.post(
            "/login/code", data={"code": bad}, environ_base={"REMOTE_ADDR": "198.51.100.1"}
        )
        assert response.status_code == 200
    response = client.post(
        "/login/code", data={"code": bad}, environ_base={"REMOTE_ADDR": "198.51.100.1"}
    )
    assert_limited(response)


def test_wrong_codes_for_one_account_are_limited_even_from_many_addresses(app, db_session):
    """Someone with the password cannot spread second-factor guesses over many addresses."""
    user = make_user("compliance", mfa=True)
    bad = wrong_code(user.totp_secret)
    for n in range(LOGIN_LIMIT):
        attacker = app.test_client()
        ip = f"203.0.113.{n + 1}"
        login_from(attacker, user.email, PASSWORD, ip=ip)
        response = attacker.post(
            "/login/code", data={"code": bad}, environ_base={"REMOTE_ADDR": ip}
        )
        assert response.status_code == 200

    attacker = app.test_client()
    login_from(attacker, user.email, PASSWORD, ip="203.0.113.99")
    response = attacker.post(
        "/login/code", data={"code": bad}, environ_base={"REMOTE_ADDR": "203.0.113.99"}
    )
    assert_limited(response)


def test_reset_requests_for_one_address_are_limited_whatever_the_ip(app, client):
    """One mailbox cannot be flooded with reset links from many addresses."""
    from vendorrisk.mail.models import OutboxMessage

    user = make_user("manager")
    db.session.flush()
    statuses = []
    for i in range(5):
        statuses.append(
            client.post(
                "/password/forgot",
                data={"email": user.email},
                environ_base={"REMOTE_ADDR": f"198.51.100.{i + 1}"},
            ).status_code
        )
    assert statuses[:3] == [302, 302, 302]
    assert statuses[3:] == [429, 429]
    db.session.expire_all()
    assert db.session.query(OutboxMessage).filter_by(recipient=user.email).count() == 3
