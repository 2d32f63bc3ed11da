"""Failed sign-ins are limited per account and per client address (10 per 15 minutes)."""

from tests.accounts.helpers import wrong_code
from tests.conftest import PASSWORD, make_user
from vendorrisk.extensions import db

LIMIT = 10


def _post(client, email, password, ip="198.51.100.1"):
    return client.post(
        "/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip}
    )


def _assert_limited(response):
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert "Wait a few minutes, then try again." in response.text


def test_ten_wrong_passwords_for_one_account_lock_it_even_from_other_addresses(client):
    user = make_user("manager")
    for n in range(LIMIT):
        response = _post(client, user.email, "wrong-password", ip=f"203.0.113.{n + 1}")
        assert response.status_code == 200

    _assert_limited(_post(client, user.email, PASSWORD, ip="203.0.113.99"))


def test_the_account_limit_ignores_the_case_of_the_address(client):
    user = make_user("manager", email="limit.case@firm.example")
    for n in range(LIMIT):
        _post(client, "LIMIT.Case@firm.example", "wrong-password", ip=f"203.0.113.{n + 1}")
    _assert_limited(_post(client, user.email, PASSWORD, ip="203.0.113.99"))


def test_a_locked_account_does_not_lock_other_accounts_from_other_addresses(client):
    locked = make_user("manager")
    other = make_user("manager")
    for n in range(LIMIT):
        _post(client, locked.email, "wrong-password", ip=f"203.0.113.{n + 1}")

    response = _post(client, other.email, PASSWORD, ip="203.0.113.200")
    assert response.status_code == 302


def test_ten_failures_from_one_address_block_that_address_for_every_account(app, client):
    for n in range(LIMIT):
        response = _post(client, f"guess{n}@firm.example", "wrong-password", ip="192.0.2.7")
        assert response.status_code == 200

    user = make_user("manager")
    _assert_limited(_post(client, user.email, PASSWORD, ip="192.0.2.7"))
    # Someone else, elsewhere, is not affected.
    assert _post(app.test_client(), user.email, PASSWORD, ip="192.0.2.8").status_code == 302


def test_nine_failures_still_allow_a_sign_in(client):
    user = make_user("manager")
    for _ in range(LIMIT - 1):
        _post(client, user.email, "wrong-password")
    assert _post(client, user.email, PASSWORD).status_code == 302


def test_successful_sign_ins_do_not_count_towards_the_limit(client):
    user = make_user("manager")
    # Were they counted, the eleventh would already be refused.
    for _ in range(LIMIT + 1):
        assert _post(client, user.email, PASSWORD).status_code == 302
        assert client.post("/logout", data={}).status_code == 302


def test_a_form_that_fails_validation_is_not_a_failed_sign_in(client):
    user = make_user("manager")
    for _ in range(LIMIT + 1):
        assert _post(client, user.email, "").status_code == 200
    assert _post(client, user.email, PASSWORD).status_code == 302


def test_wrong_second_factor_codes_are_limited_too(client):
    user = make_user("compliance", mfa=True)
    bad = wrong_code(user.totp_secret)
    for _ in range(LIMIT):
        response = _post(client, user.email, PASSWORD)
        assert "/login/code" in response.location
        response = client.post(
            "/login/code", data={"code": bad}, environ_base={"REMOTE_ADDR": "198.51.100.1"}
        )
        assert response.status_code == 200
    response = client.post(
        "/login/code", data={"code": bad}, environ_base={"REMOTE_ADDR": "198.51.100.1"}
    )
    _assert_limited(response)


def test_wrong_codes_for_one_account_are_limited_even_from_many_addresses(app, db_session):
    """Someone with the password cannot spread second-factor guesses over many addresses."""
    user = make_user("compliance", mfa=True)
    bad = wrong_code(user.totp_secret)
    for n in range(LIMIT):
        attacker = app.test_client()
        ip = f"203.0.113.{n + 1}"
        _post(attacker, user.email, PASSWORD, ip=ip)
        response = attacker.post(
            "/login/code", data={"code": bad}, environ_base={"REMOTE_ADDR": ip}
        )
        assert response.status_code == 200

    attacker = app.test_client()
    _post(attacker, user.email, PASSWORD, ip="203.0.113.99")
    response = attacker.post(
        "/login/code", data={"code": bad}, environ_base={"REMOTE_ADDR": "203.0.113.99"}
    )
    _assert_limited(response)


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
