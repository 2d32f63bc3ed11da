"""Shared fixtures: one migrated database per run, a rolled-back transaction per test,
clients that sign in as each role, a real SMTP server, a served app and a real browser."""

import os
import re
from functools import cache

import pyotp
import pytest
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, text

from tests.support.smtp import SMTPServer
from vendorrisk import create_app
from vendorrisk.accounts.models import User
from vendorrisk.accounts.passwords import hash_password
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db, limiter

IN_CI = os.environ.get("CI", "").lower() == "true"
BACKEND = os.environ.get("VENDORRISK_TEST_BACKEND", "sqlite")
PASSWORD = "Tr0ubadour-and-horse-battery"
TEST_LINK_KEY = "test-link-key-0123456789abcdef"


def pg_url() -> str:
    """Return the PostgreSQL URL the suite runs against (psycopg 3 driver)."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def test_config(url: str, **extra) -> dict:
    """Return the configuration used by test apps."""
    config = {
        "TESTING": True,
        "ENV_NAME": "testing",
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key",
        "LINK_KEY": TEST_LINK_KEY,
        "OUTBOX_SEND_AFTER_REQUEST": False,
        "MAIL_TRANSPORT": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 1,  # nothing listens: tests that send mail point this at their server
        "MAIL_TIMEOUT": 2,
        "MAIL_SUPPRESS_SEND": False,  # Flask-Mail drops every message when TESTING otherwise
        "RATELIMIT_STORAGE_URI": "memory://",
        "EXTERNAL_BASE_URL": "http://vendorrisk.test",
    }
    config.update(extra)
    return config


test_config.__test__ = False  # a helper, not a test, wherever it is imported


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if BACKEND == "postgresql":
        url = pg_url()
        try:
            _reset_postgres(url)
        except Exception as exc:
            if IN_CI:
                pytest.fail(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {exc}")
            pytest.skip(f"PostgreSQL unreachable: {exc}")
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url):
    """One app for the run, its database migrated once."""
    from flask_migrate import upgrade

    application = create_app(test_config(database_url))
    application.test_client_class = CSRFClient
    with application.app_context():
        upgrade(revision="heads")
    yield application
    with application.app_context():
        db.engine.dispose()


class _BoundSession(FlaskSession):
    """A session that always uses the test's connection (and its outer transaction)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return self.bind


@pytest.fixture
def db_session(app):
    """Give the test a transaction that is rolled back afterwards."""
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
                "class_": _BoundSession,
            }
        )
        limiter.reset()
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()


class CSRFClient(FlaskClient):
    """A test client that adds a valid CSRF token to form posts unless told not to."""

    def open(self, *args, csrf: bool = True, **kwargs):
        method = kwargs.get("method", "GET").upper()
        data = kwargs.get("data")
        if csrf and method in {"POST", "PUT", "PATCH", "DELETE"} and isinstance(data, dict):
            if "csrf_token" not in data:
                kwargs["data"] = {**data, "csrf_token": self.csrf_token()}
        # A request run inside the test's app context would share its `g` (Flask-Login's
        # cached user, the login-failure flag) and its database session with every other
        # request and client in the test. Give each request its own, as in production.
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        """Return a signed CSRF token matching this client's session."""
        app = self.application
        with self.session_transaction() as sess:
            raw = sess.get("csrf_token")
            if raw is None:
                raw = os.urandom(20).hex()
                sess["csrf_token"] = raw
        serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
        return serializer.dumps(raw)


@pytest.fixture
def client(app, db_session):
    return app.test_client()


@pytest.fixture
def runner(app, db_session):
    return app.test_cli_runner()


@cache
def _hash(password: str) -> str:
    return hash_password(password)


_counter = {"n": 0}


def make_user(
    role: str = "manager",
    *,
    email: str | None = None,
    password: str = PASSWORD,
    mfa: bool = False,
    active: bool = True,
    name: str | None = None,
) -> User:
    """Create and flush a user (with a TOTP secret when `mfa`)."""
    _counter["n"] += 1
    email = email or f"{role}{_counter['n']}@firm.example"
    user = User(
        email=email,
        name=name or f"{role.title()} {_counter['n']}",
        role=role,
        password_hash=_hash(password),
        active=active,
    )
    if mfa or role == "admin":
        user.totp_secret = pyotp.random_base32()
        user.totp_enabled_at = utcnow()
    db.session.add(user)
    db.session.flush()
    return user


class AuthActions:
    """Sign a test client in and out as a user of a given role."""

    def __init__(self, client):
        self.client = client
        self.user: User | None = None

    def login(self, role: str = "manager", **kwargs) -> User:
        user = kwargs.pop("user", None) or make_user(role, **kwargs)
        response = self.client.post(
            "/login", data={"email": user.email, "password": kwargs.get("password", PASSWORD)}
        )
        if user.totp_secret:
            assert response.status_code == 302 and "/login/code" in response.location
            code = pyotp.TOTP(user.totp_secret).now()
            response = self.client.post("/login/code", data={"code": code})
        assert response.status_code == 302, response.text[:500]
        self.user = user
        return user

    def logout(self):
        return self.client.post("/logout", data={})  # a dict, so the CSRF token is added


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 collecting what it receives."""
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


def links_in(body: str) -> list[str]:
    """Return the http(s) links in a message body."""
    return re.findall(r"https?://[^\s\"'<>]+", body)
