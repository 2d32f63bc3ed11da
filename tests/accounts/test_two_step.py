"""Two-step sign-in (TOTP): admins must set it up, anyone may, and a code is good once."""

import time

import pyotp
import pytest

from tests.accounts.helpers import admin_without_totp, sign_in_password_only, wrong_code
from tests.conftest import PASSWORD, make_user
from vendorrisk.extensions import db


def test_an_admin_without_totp_can_still_open_the_set_up_page_and_sign_out(client):
    admin = admin_without_totp()
    sign_in_password_only(client, admin)
    page = client.get("/profile/mfa")
    assert page.status_code == 200
    assert "Set up two-step sign-in" in page.text
    assert client.post("/logout", data={}).status_code == 302


def test_an_admin_who_sets_up_totp_reaches_the_admin_pages(client):
    admin = admin_without_totp()
    sign_in_password_only(client, admin)
    client.get("/profile/mfa")
    with client.session_transaction() as sess:
        secret = sess["totp_setup_secret"]

    response = client.post("/profile/mfa", data={"code": pyotp.TOTP(secret).now()})

    assert response.status_code == 302
    assert client.get("/admin/users").status_code == 200
    db.session.refresh(admin)
    assert admin.totp_secret == secret and admin.mfa_enabled


def test_the_set_up_page_shows_the_key_and_a_qr_code_for_the_same_secret(client):
    admin = admin_without_totp()
    sign_in_password_only(client, admin)
    page = client.get("/profile/mfa").text
    with client.session_transaction() as sess:
        secret = sess["totp_setup_secret"]
    assert secret in page
    assert "<svg" in page
    # Reloading the page must not switch to a new secret the app was never shown.
    client.get("/profile/mfa")
    with client.session_transaction() as sess:
        assert sess["totp_setup_secret"] == secret


def test_a_wrong_code_at_set_up_turns_nothing_on(client):
    admin = admin_without_totp()
    sign_in_password_only(client, admin)
    client.get("/profile/mfa")
    with client.session_transaction() as sess:
        secret = sess["totp_setup_secret"]

    response = client.post("/profile/mfa", data={"code": wrong_code(secret)})

    assert response.status_code == 200
    assert "That code is not correct. Check the time on your device." in response.text
    db.session.refresh(admin)
    assert admin.totp_secret is None and not admin.mfa_enabled
    assert client.get("/admin/users").location.endswith("/profile/mfa")


def test_totp_sign_in_with_the_current_code_opens_the_session(client):
    user = make_user("manager", mfa=True, name="Tess Totp")
    sign_in_password_only(client, user)
    page = client.get("/login/code")
    assert "Enter the six-digit code" in page.text

    response = client.post("/login/code", data={"code": pyotp.TOTP(user.totp_secret).now()})

    assert response.status_code == 302
    assert "Welcome, Tess Totp" in client.get("/").text


def test_a_wrong_totp_code_is_refused_beside_the_field(client):
    user = make_user("manager", mfa=True)
    sign_in_password_only(client, user)
    response = client.post("/login/code", data={"code": wrong_code(user.totp_secret)})
    assert response.status_code == 200
    assert 'id="code-error">That code is not correct or was already used.' in response.text
    assert client.get("/").status_code == 302


def test_a_used_totp_code_cannot_be_replayed(app, client, auth):
    user = make_user("manager", mfa=True)
    code = pyotp.TOTP(user.totp_secret).now()
    sign_in_password_only(client, user)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    auth.logout()

    replay = app.test_client()
    sign_in_password_only(replay, user)
    response = replay.post("/login/code", data={"code": code})

    assert response.status_code == 200
    assert "That code is not correct or was already used." in response.text
    assert replay.get("/").status_code == 302


def test_the_code_used_at_set_up_cannot_sign_in(client):
    user = make_user("manager")
    sign_in_password_only(client, user)
    client.get("/profile/mfa")
    with client.session_transaction() as sess:
        secret = sess["totp_setup_secret"]
    code = pyotp.TOTP(secret).now()
    assert client.post("/profile/mfa", data={"code": code}).status_code == 302
    client.post("/logout", data={})

    sign_in_password_only(client, user)
    response = client.post("/login/code", data={"code": code})
    assert "That code is not correct or was already used." in response.text


def test_a_code_from_long_ago_is_refused(client):
    user = make_user("manager", mfa=True)
    old = pyotp.TOTP(user.totp_secret).at(time.time() - 300)
    if old == pyotp.TOTP(user.totp_secret).now():
        pytest.skip("the old code happens to equal the current one")
    sign_in_password_only(client, user)
    response = client.post("/login/code", data={"code": old})
    assert "That code is not correct or was already used." in response.text


def test_the_code_step_must_follow_the_password_within_five_minutes(client):
    user = make_user("manager", mfa=True)
    sign_in_password_only(client, user)
    with client.session_transaction() as sess:
        sess["mfa_pending"] = {**sess["mfa_pending"], "at": int(time.time()) - 301}

    response = client.post("/login/code", data={"code": pyotp.TOTP(user.totp_secret).now()})

    assert response.status_code == 302 and response.location.endswith("/login")
    assert "Sign in again: the sign-in took too long." in client.get("/login").text
    assert client.get("/").status_code == 302


def test_the_code_page_without_a_password_step_goes_back_to_sign_in(client):
    response = client.get("/login/code")
    assert response.status_code == 302 and response.location.endswith("/login")


def test_a_user_disabled_between_password_and_code_is_not_signed_in(client):
    user = make_user("manager", mfa=True)
    sign_in_password_only(client, user)
    user.active = False
    db.session.flush()
    response = client.post("/login/code", data={"code": pyotp.TOTP(user.totp_secret).now()})
    assert response.status_code == 302 and response.location.endswith("/login")
    assert client.get("/").status_code == 302


def test_a_manager_may_turn_totp_off_with_their_password(client, auth):
    user = auth.login("manager", mfa=True)
    response = client.post("/profile/mfa/disable", data={"password": PASSWORD})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.totp_secret is None and not user.mfa_enabled


def test_turning_totp_off_needs_the_right_password(client, auth):
    user = auth.login("manager", mfa=True)
    client.post("/profile/mfa/disable", data={"password": "not-my-password"})
    assert "The password is not correct." in client.get("/profile").text
    db.session.refresh(user)
    assert user.mfa_enabled
