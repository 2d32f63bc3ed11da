"""Signing in and out: credentials, server-side sessions, fixation, replay and timeouts."""

from datetime import timedelta

from sqlalchemy import func, select

from tests.conftest import PASSWORD, make_user
from vendorrisk.accounts.models import User, UserSession
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db

COOKIE = "vr_session"


def _sessions_of(user: User) -> list[UserSession]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)
        )
    )


def _live_session(user: User) -> UserSession:
    rows = [row for row in _sessions_of(user) if row.revoked_at is None]
    assert len(rows) == 1, rows
    return rows[0]


def _signed_in(client) -> bool:
    response = client.get("/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and "/login" in response.location, response.status_code
    return False


def test_sign_in_opens_the_home_page_and_sign_out_ends_it(client, auth):
    user = auth.login("manager", name="Robin Manager")
    home = client.get("/")
    assert home.status_code == 200
    assert "Welcome, Robin Manager" in home.text

    response = auth.logout()
    assert response.status_code == 302 and response.location.endswith("/login")
    assert "You are signed out." in client.get("/login").text
    assert not _signed_in(client)
    assert all(row.revoked_at is not None for row in _sessions_of(user))


def test_the_email_address_is_matched_whatever_its_case(client):
    user = make_user("manager", email="casey.case@firm.example")
    response = client.post(
        "/login", data={"email": "  Casey.CASE@Firm.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert _live_session(user)


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
    assert _sessions_of(user) == []
    assert db.session.get(User, user.id).password_hash == before
    assert not _signed_in(client)


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
    assert _sessions_of(user) == []
    assert not _signed_in(client)


def test_signing_in_replaces_the_session_so_a_planted_session_id_is_not_kept(client):
    """Session fixation: whatever the browser carried before sign-in is discarded."""
    user = make_user("manager")
    client.get("/login")
    with client.session_transaction() as sess:
        sess["sid"] = "attacker-chosen-session-id"
        sess["planted"] = "by someone else"
    cookie_before = client.get_cookie(COOKIE).value

    client.post("/login", data={"email": user.email, "password": PASSWORD})

    assert client.get_cookie(COOKIE).value != cookie_before
    with client.session_transaction() as sess:
        assert sess["sid"] != "attacker-chosen-session-id"
        assert "planted" not in sess
    assert _live_session(user)


def test_each_sign_in_gets_a_new_session_id(app, client, auth):
    user = auth.login("manager")
    with client.session_transaction() as sess:
        first = sess["sid"]
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": PASSWORD})
    with other.session_transaction() as sess:
        second = sess["sid"]
    assert first != second
    assert len([row for row in _sessions_of(user) if row.revoked_at is None]) == 2


def test_the_session_id_is_stored_only_as_a_hash(client, auth):
    user = auth.login("manager")
    with client.session_transaction() as sess:
        sid = sess["sid"]
    row = _live_session(user)
    assert sid not in row.sid_hash and row.sid_hash != sid
    assert len(row.sid_hash) == 64


def test_a_copied_cookie_is_useless_after_sign_out(app, client, auth):
    """Server-side invalidation: replaying the cookie saved before logout gets the login page."""
    auth.login("manager")
    stolen = client.get_cookie(COOKIE).value
    assert _signed_in(client)

    auth.logout()

    thief = app.test_client()
    thief.set_cookie(COOKIE, stolen, domain="localhost")
    response = thief.get("/")
    assert response.status_code == 302 and "/login" in response.location
    assert thief.get("/profile").status_code == 302


def test_a_copied_cookie_works_until_sign_out(app, client, auth):
    """The replay test above would pass vacuously if copying cookies never worked."""
    auth.login("manager")
    copy = app.test_client()
    copy.set_cookie(COOKIE, client.get_cookie(COOKIE).value, domain="localhost")
    assert copy.get("/").status_code == 200


def test_a_session_idle_for_more_than_30_minutes_ends(client, auth):
    user = auth.login("manager")
    row = _live_session(user)
    row.last_seen_at = utcnow() - timedelta(minutes=31)
    db.session.flush()
    assert not _signed_in(client)


def test_a_session_idle_for_29_minutes_is_still_open(client, auth):
    user = auth.login("manager")
    row = _live_session(user)
    row.last_seen_at = utcnow() - timedelta(minutes=29)
    db.session.flush()
    assert _signed_in(client)


def test_reading_pages_keeps_the_session_alive(client, auth):
    """The idle timer restarts on every page, including pages that change nothing."""
    user = auth.login("manager")
    row = _live_session(user)
    row.last_seen_at = utcnow() - timedelta(minutes=20)
    db.session.flush()

    assert client.get("/profile").status_code == 200

    row = _live_session(user)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)


def test_a_session_older_than_12_hours_ends_even_if_in_use(client, auth):
    user = auth.login("manager")
    row = _live_session(user)
    row.created_at = utcnow() - timedelta(hours=12, minutes=1)
    row.last_seen_at = utcnow() - timedelta(seconds=5)
    db.session.flush()
    assert not _signed_in(client)


def test_a_session_just_under_12_hours_old_is_still_open(client, auth):
    user = auth.login("manager")
    row = _live_session(user)
    row.created_at = utcnow() - timedelta(hours=11, minutes=59)
    db.session.flush()
    assert _signed_in(client)


def test_session_cookie_is_httponly_and_samesite_lax(client):
    user = make_user("manager")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "="))
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header


def test_session_cookie_is_secure_in_production(tmp_path):
    from vendorrisk.config import build_config

    production = build_config(
        tmp_path, {"ENV_NAME": "production", "SECRET_KEY": "s", "LINK_KEY": "k"}
    )
    development = build_config(tmp_path, {"ENV_NAME": "development"})
    assert production["SESSION_COOKIE_SECURE"] is True
    assert development["SESSION_COOKIE_SECURE"] is False


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
