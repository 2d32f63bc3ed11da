"""No stranger can lock anyone out: wrong passwords typed from anywhere lock an account only for
browsers it does not know (after LOGIN_ACCOUNT_FAILURE_LIMIT, 100 a day), the owner's own
browsers keep working, and the owner is e-mailed a one-time link that lets a new browser in."""

import time
from datetime import timedelta
from urllib.parse import urlsplit

import pyotp
import pytest
from sqlalchemy import func, select

from tests.accounts.helpers import LOGIN_LIMIT, assert_limited, login_from
from tests.conftest import PASSWORD, links_in, make_user
from tests.mail.helpers import use_relay
from vendorrisk.accounts import throttle
from vendorrisk.accounts.models import SignInUnlock
from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox
from vendorrisk.mail.models import OutboxMessage

LOCKED_PAGE = "Sign-in to this account is paused in this browser"
ACCOUNT_LIMIT = 3  # lowered from 100 a day so each test types few (slow, argon2) passwords


@pytest.fixture
def small_account_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_FAILURE_LIMIT", f"{ACCOUNT_LIMIT} per day")


def _strangers_fail(app, email: str, times: int, first_ip: int = 1) -> None:
    """Wrong passwords from fresh browsers, each at an address of its own (no per-address
    limit gets in the way: this is a spread-out attack)."""
    for n in range(times):
        response = login_from(
            app.test_client(), email, "wrong-password", ip=f"203.0.113.{first_ip + n}"
        )
        assert response.status_code == 200, response.status_code


def _sign_in(client, user, ip="198.51.100.77", step=0):
    """Sign in with the right password (and the code `step` periods ahead, since a code is good
    once); return the last response."""
    response = login_from(client, user.email, PASSWORD, ip=ip)
    if response.status_code == 302 and "/login/code" in response.location:
        response = client.post(
            "/login/code",
            data={"code": pyotp.TOTP(user.totp_secret).at(time.time() + 30 * step)},
            environ_base={"REMOTE_ADDR": ip},
        )
    return response


def _known_browser(app, user):
    """A browser the owner signed in with once, then signed out of."""
    browser = app.test_client()
    assert _sign_in(browser, user).status_code == 302
    assert browser.get_cookie(throttle.COOKIE) is not None
    browser.post("/logout", data={})
    return browser


def _unlock_messages(user) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.recipient == user.email, OutboxMessage.template == "sign_in_locked")
    )


def test_ten_wrong_passwords_from_anywhere_no_longer_lock_the_account(app, db_session):
    """What the issue saw: ten failures from ten addresses locked the account for everyone."""
    user = make_user("manager")
    _strangers_fail(app, user.email, LOGIN_LIMIT)
    assert _sign_in(app.test_client(), user, ip="198.51.100.200").status_code == 302


def test_strangers_cannot_lock_the_administrator_out_of_a_browser_used_before(
    app, db_session, small_account_limit
):
    admin = make_user("admin")
    owner = _known_browser(app, admin)
    _strangers_fail(app, admin.email, ACCOUNT_LIMIT)

    stranger = login_from(app.test_client(), admin.email, PASSWORD, ip="203.0.113.99")
    assert stranger.status_code == 429 and LOCKED_PAGE in stranger.text
    response = _sign_in(owner, admin, step=1)
    assert response.status_code == 302 and "/login" not in response.location
    assert owner.get("/").status_code == 200


def test_the_owner_is_mailed_a_one_time_link_that_lets_a_new_browser_sign_in(
    app, db_session, small_account_limit, monkeypatch, smtp_server
):
    user = make_user("manager", name="Lee Locked")
    _strangers_fail(app, user.email, ACCOUNT_LIMIT)
    new_browser = app.test_client()
    refused = login_from(new_browser, user.email, PASSWORD, ip="198.51.100.5")
    assert refused.status_code == 429 and LOCKED_PAGE in refused.text

    use_relay(app, monkeypatch, smtp_server.port)
    assert outbox.send_pending().sent == 1
    message = smtp_server.wait_for(lambda m: m["To"] == user.email)
    text = smtp_server.text_of(message)
    assert "Hello Lee Locked" in text and f"{ACCOUNT_LIMIT} times" in text
    (link,) = [li for li in links_in(text) if "/login/unlock/" in li]
    path = urlsplit(link).path

    # Opening the link (a mail scanner does) changes nothing.
    assert new_browser.get(path).status_code == 200
    assert new_browser.get(path).status_code == 200
    assert login_from(new_browser, user.email, PASSWORD, ip="198.51.100.5").status_code == 429

    response = new_browser.post(path, data={})
    assert response.status_code == 302 and response.location.endswith("/login")
    assert "This browser can now sign in" in new_browser.get("/login").text
    assert _sign_in(new_browser, user, ip="198.51.100.5").status_code == 302
    assert new_browser.get("/").status_code == 200

    # Once only, and only for the browser that used it.
    assert app.test_client().post(path, data={}).status_code == 410
    elsewhere = login_from(app.test_client(), user.email, PASSWORD, ip="198.51.100.6")
    assert elsewhere.status_code == 429
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.object_id == str(user.id), AuditEntry.action.like("login.%"))
        .order_by(AuditEntry.id)
    ).all()
    assert "login.locked" in actions and "login.unlocked" in actions


def test_the_unlock_mail_goes_out_at_most_once_an_hour(app, db_session, small_account_limit):
    user = make_user("manager")
    _strangers_fail(app, user.email, ACCOUNT_LIMIT)
    for n in range(3):
        login_from(app.test_client(), user.email, "wrong-password", ip=f"192.0.2.{n + 1}")
    assert _unlock_messages(user) == 1

    row = db.session.scalar(select(SignInUnlock).where(SignInUnlock.user_id == user.id))
    row.created_at -= timedelta(minutes=61)
    db.session.flush()
    login_from(app.test_client(), user.email, "wrong-password", ip="192.0.2.50")
    assert _unlock_messages(user) == 2


def test_an_unknown_address_gets_the_same_page_and_no_mail(app, db_session, small_account_limit):
    before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    _strangers_fail(app, "nobody-here@firm.example", ACCOUNT_LIMIT)
    response = login_from(app.test_client(), "nobody-here@firm.example", PASSWORD, ip="192.0.2.9")
    assert response.status_code == 429 and LOCKED_PAGE in response.text
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == before


def test_a_known_browser_is_still_limited_to_ten_failures_in_15_minutes(app, db_session):
    """A stolen known-browser cookie gives no more guesses than the per-address limit."""
    user = make_user("manager")
    browser = _known_browser(app, user)
    for n in range(LOGIN_LIMIT):
        response = login_from(browser, user.email, "wrong-password", ip=f"203.0.113.{n + 1}")
        assert response.status_code == 200
    assert_limited(login_from(browser, user.email, PASSWORD, ip="203.0.113.99"))
    # Its failures went to its own counter: unknown browsers are not locked by them.
    assert throttle.lock_state(user.email).failures == 0
    assert _sign_in(app.test_client(), user, ip="198.51.100.9").status_code == 302


def test_a_forged_or_another_accounts_cookie_does_not_lift_the_lock(
    app, db_session, small_account_limit
):
    user = make_user("manager")
    other = make_user("manager")
    _strangers_fail(app, user.email, ACCOUNT_LIMIT)

    foreign = _known_browser(app, other)  # known, but to another account
    assert login_from(foreign, user.email, PASSWORD, ip="198.51.100.31").status_code == 429

    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer("not-the-key", salt="known-browser").dumps(
        {"b": "0" * 32, "a": [throttle.account_hash(user.email)]}
    )
    forger = app.test_client()
    forger.set_cookie(throttle.COOKIE, forged, domain="localhost")
    assert login_from(forger, user.email, PASSWORD, ip="198.51.100.32").status_code == 429


def test_the_lock_counts_one_account_whatever_the_case_of_the_address(
    app, db_session, small_account_limit
):
    user = make_user("manager", email="limit.case@firm.example")
    _strangers_fail(app, "LIMIT.Case@firm.example", ACCOUNT_LIMIT)
    response = login_from(app.test_client(), user.email, PASSWORD, ip="198.51.100.41")
    assert response.status_code == 429 and LOCKED_PAGE in response.text


def test_an_administrator_sees_the_lock_on_the_users_page(app, client, auth, small_account_limit):
    user = make_user("manager")
    auth.login("admin")
    assert 'data-testid="sign-in-lock"' not in client.get(f"/admin/users/{user.id}").text
    _strangers_fail(app, user.email, ACCOUNT_LIMIT)

    page = client.get(f"/admin/users/{user.id}").text
    assert 'data-testid="sign-in-lock"' in page
    assert "Sign-in from unknown browsers is locked until" in page
    assert f"{ACCOUNT_LIMIT} of {ACCOUNT_LIMIT}" in page


def test_a_stale_or_made_up_unlock_link_gets_the_410_page(app, db_session, small_account_limit):
    from vendorrisk.core import links
    from vendorrisk.core.timeutil import utcnow

    user = make_user("manager")
    _strangers_fail(app, user.email, ACCOUNT_LIMIT)
    login_from(app.test_client(), user.email, PASSWORD, ip="198.51.100.51")
    row = db.session.scalar(select(SignInUnlock).where(SignInUnlock.user_id == user.id))
    path = f"/login/unlock/{links.derive_token('unlock', row.id, row.nonce)}"
    assert app.test_client().get(path).status_code == 200
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert app.test_client().get(path).status_code == 410
    assert app.test_client().post(path, data={}).status_code == 410
    assert app.test_client().get("/login/unlock/" + "A" * 43).status_code == 410


def test_the_default_numbers_are_those_documented():
    """docs/operations.md states these; change both together."""
    from vendorrisk.config import Config

    assert Config.LOGIN_FAILURE_LIMIT == "10 per 15 minutes"
    assert Config.LOGIN_ACCOUNT_FAILURE_LIMIT == "100 per day"
    assert Config.SIGN_IN_UNLOCK_TTL == timedelta(hours=1)
    assert Config.KNOWN_BROWSER_TTL == timedelta(days=180)


def test_with_redis_every_worker_sees_the_same_counters(tmp_path):
    """With a shared store (REDIS_URL) a lock set through one worker holds in every other: the
    counter is in Redis, and a fresh connection to it (as another worker has) reads it."""
    import shutil
    import socket
    import subprocess

    from flask_migrate import upgrade
    from limits import parse
    from limits.storage import storage_from_string
    from limits.strategies import FixedWindowRateLimiter

    from tests.conftest import CSRFClient
    from tests.conftest import test_config as config_for
    from vendorrisk import create_app
    from vendorrisk.extensions import limiter

    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    redis_process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    # The extension object is shared by every app in this process: give the session's app its
    # own store back afterwards.
    previous = (limiter._storage, limiter._limiter)
    try:
        other_worker = FixedWindowRateLimiter(storage_from_string(url))
        for _ in range(50):
            if other_worker.storage.check():
                break
            time.sleep(0.1)
        app = create_app(
            config_for(
                f"sqlite:///{tmp_path / 'redis-limits.db'}",
                RATELIMIT_STORAGE_URI=url,
                LOGIN_ACCOUNT_FAILURE_LIMIT=f"{ACCOUNT_LIMIT} per day",
            )
        )
        app.test_client_class = CSRFClient
        with app.app_context():
            upgrade(revision="heads")
            email = make_user("manager").email
            db.session.commit()
            _strangers_fail(app, email, ACCOUNT_LIMIT)
            response = login_from(app.test_client(), email, PASSWORD, ip="198.51.100.61")
            assert response.status_code == 429 and LOCKED_PAGE in response.text
            key = ["login-account:" + throttle.account_hash(email), throttle.ACCOUNT_SCOPE]
            item = parse(f"{ACCOUNT_LIMIT} per day")
            assert other_worker.get_window_stats(item, *key).remaining == 0
            assert not other_worker.test(item, *key)
            db.session.remove()
            db.engine.dispose()
    finally:
        limiter._storage, limiter._limiter = previous
        redis_process.terminate()
        redis_process.wait(10)
