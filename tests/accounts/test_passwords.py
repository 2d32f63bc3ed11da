"""Password policy, changing a password and how passwords are stored."""

import pytest
from sqlalchemy import select

from tests.accounts.helpers import WEAK
from tests.conftest import PASSWORD, make_user
from vendorrisk.accounts.models import User, UserSession
from vendorrisk.accounts.passwords import policy_problem, verify_password
from vendorrisk.extensions import db

NEW_PASSWORD = "Correct-horse-staple-2031"


def test_the_policy_refuses_the_local_part_of_the_email_address():
    assert (
        policy_problem("Jordan.Smith", "jordan.smith@firm.example")
        == "Do not use your e-mail name as your password."
    )


def test_verifying_against_no_hash_or_a_broken_hash_is_false():
    assert verify_password(None, "anything") is False
    assert verify_password("not-a-hash", "anything") is False


def _change(client, current, new, confirm=None):
    return client.post(
        "/profile/password",
        data={"current_password": current, "password": new, "confirm": confirm or new},
    )


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_a_weak_new_password_is_refused_with_a_message_beside_the_field(
    client, auth, password, message
):
    user = auth.login("manager")
    before = user.password_hash
    response = _change(client, PASSWORD, password)
    assert response.status_code == 400
    assert f'id="password-error">{message}</div>' in response.text
    db.session.refresh(user)
    assert user.password_hash == before


def test_a_new_password_equal_to_the_email_name_is_refused(client, auth):
    auth.login("manager", email="pat.doe@firm.example")
    response = _change(client, PASSWORD, "pat.doe")
    # Too short first; a longer local part meets the e-mail rule instead.
    assert "Use at least 8 characters." in response.text
    auth.logout()
    auth.login("manager", email="patricia.doe@firm.example")
    response = _change(client, PASSWORD, "patricia.doe")
    assert "Do not use your e-mail name as your password." in response.text


def test_changing_the_password_requires_the_current_one(client, auth):
    user = auth.login("manager")
    before = user.password_hash
    response = _change(client, "not-the-current-one", NEW_PASSWORD)
    assert response.status_code == 400
    assert 'id="current_password-error">The current password is not correct.</div>' in response.text
    db.session.refresh(user)
    assert user.password_hash == before


def test_the_repeated_password_must_match(client, auth):
    auth.login("manager")
    response = _change(client, PASSWORD, NEW_PASSWORD, confirm=NEW_PASSWORD + "!")
    assert "The passwords do not match." in response.text


def test_a_changed_password_is_stored_as_argon2id_and_works_at_the_next_sign_in(client, auth):
    user = auth.login("manager")
    response = _change(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302 and response.location.endswith("/profile")
    assert "Your password is changed." in client.get("/profile").text

    db.session.refresh(user)
    assert user.password_hash.startswith("$argon2id$")
    auth.logout()
    old = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert old.status_code == 200
    new = client.post("/login", data={"email": user.email, "password": NEW_PASSWORD})
    assert new.status_code == 302


def test_changing_the_password_signs_out_other_browsers_but_not_this_one(app, client, auth):
    user = auth.login("manager")
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": PASSWORD})
    assert other.get("/").status_code == 200

    _change(client, PASSWORD, NEW_PASSWORD)

    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
    db.session.expire_all()
    live = db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    ).all()
    assert len(live) == 1


def test_users_made_by_the_fixtures_have_argon2id_hashes(db_session):
    user = make_user("compliance")
    assert db.session.get(User, user.id).password_hash.startswith("$argon2id$")
