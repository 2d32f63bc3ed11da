"""Signing in and out: credentials, server-side sessions, fixation, replay and timeouts."""

from datetime import timedelta

from sqlalchemy import func, select

from tests.accounts.helpers import SESSION_COOKIE, live_session, sessions_of, signed_in
from tests.conftest import PASSWORD, make_user
from vendorrisk.accounts.models import User, UserSession
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db


def test_sign_in_opens_the_home_page_and_sign_out_ends_it(client, auth):
    user = auth.login("manager", name="Robin Manager")
    home = client.get("/")
    assert home.status_code == 200
    assert "Welcome, Robin Manager" in home.text

    response = auth.logout()
    assert response.status_code == 302 and response.location.endswith("/login")
    assert "You are signed out." in client.get("/login").text
    assert not signed_in(client)
    assert all(row.revoked_at is not None for row in sessions_of(user))


def test_the_email_address_is_matched_whatever_its_case(client):
    user = make_user("manager", email="casey.case@firm.example")
    response = client.post(
        "/login", data={"email": "  Casey.CASE@Firm.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert live_session(user)


def test_a_wrong_password_shows_a_message_beside_the_field_and_changes_nothing(client):
    user = make_user("manager")
    before = user.password_hash
    response = client.post("/login", data={"email": user.email, "password": "not-the-password"})

    assert response.status_code == 200
    assert (
        '<div class="invalid-feedback" id="password-error">'
        "The e-mail address or the password is not correct.</div>"
    ) in response.text
    assert 'aria-invalid="true"' in response.text
    assert sessions_of(user) == []
    assert db.session.get(User, user.id).password_hash == before
    assert not signed_in(client)


def test_an_unknown_account_gets_the_same_message_as_a_wrong_password(client):
    response = client.post(
        "/login", data={"email": "nobody@firm.example", "password": "whatever-it-is"}
    )
    assert response.status_code == 200
    assert "The e-mail address or the password is not correct." in response.text


def test_a_disabled_user_cannot_sign_in_even_with_the_right_password(client):
    user = make_user("manager", active=False)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "The e-mail address or the password is not correct." in response.text
    assert sessions_of(user) == []
    assert not signed_in(client)


def test_each_sign_in_gets_a_new_session_id(app, client, auth):
    user = auth.login("manager")
    with client.session_transaction() as sess:
        first = sess["sid"]
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": PASSWORD})
    with other.session_transaction() as sess:
        second = sess["sid"]
    assert first != second
    assert len([row for row in sessions_of(user) if row.revoked_at is None]) == 2


def test_the_session_id_is_stored_only_as_a_hash(client, auth):
    user = auth.login("manager")
    with client.session_transaction() as sess:
        sid = sess["sid"]
    row = live_session(user)
    assert sid not in row.sid_hash and row.sid_hash != sid
    assert len(row.sid_hash) == 64


def test_a_copied_cookie_works_until_sign_out(app, client, auth):
    """The replay test above would pass vacuously if copying cookies never worked."""
    auth.login("manager")
    copy = app.test_client()
    copy.set_cookie(SESSION_COOKIE, client.get_cookie(SESSION_COOKIE).value, domain="localhost")
    assert copy.get("/").status_code == 200


def test_reading_pages_keeps_the_session_alive(client, auth):
    """The idle timer restarts on every page, including pages that change nothing."""
    user = auth.login("manager")
    row = live_session(user)
    row.last_seen_at = utcnow() - timedelta(minutes=20)
    db.session.flush()

    assert client.get("/profile").status_code == 200

    row = live_session(user)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)


def test_a_sign_in_returns_to_the_page_asked_for_but_never_off_site(client):
    user = make_user("manager")
    response = client.post("/login?next=/profile", data={"email": user.email, "password": PASSWORD})
    assert response.location.endswith("/profile")

    other = make_user("manager")
    client.post("/logout")
    response = client.post(
        "/login?next=//evil.example/x", data={"email": other.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert "evil.example" not in response.location


def test_signing_in_opens_exactly_one_session_row(client):
    user = make_user("manager")
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    count = db.session.scalar(
        select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    )
    assert count == 1
