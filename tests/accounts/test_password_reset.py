"""Password reset by e-mail, end to end through a real SMTP server."""

import base64
import hashlib
import hmac
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, text

from tests.conftest import PASSWORD, links_in, make_user
from tests.mail.helpers import use_relay
from vendorrisk.accounts.models import PasswordResetToken, User
from vendorrisk.audit.models import AuditEntry
from vendorrisk.core import links
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox
from vendorrisk.mail.models import OutboxMessage

NEW_PASSWORD = "Fresh-lilac-meadow-2040"
SAME_FLASH = "If an active account uses that address, a reset link is on its way."


def _outbox_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def _request_reset(client, email: str):
    return client.post("/password/forgot", data={"email": email})


def _deliver(app, monkeypatch, smtp_server, user: User):
    """Run the outbox sender against the test relay and return the reset link received."""
    use_relay(app, monkeypatch, smtp_server.port)
    report = outbox.send_pending()
    assert report.sent >= 1, report
    message = smtp_server.wait_for(lambda m: m["To"] == user.email)
    found = [link for link in links_in(smtp_server.text_of(message)) if "/password/reset/" in link]
    assert len(found) == 1, smtp_server.text_of(message)
    return found[0], message


@pytest.fixture
def reset_link(app, client, monkeypatch, smtp_server):
    """Request a reset for a new manager and return (user, link path)."""
    user = make_user("manager")
    assert _request_reset(client, user.email).status_code == 302
    link, _ = _deliver(app, monkeypatch, smtp_server, user)
    return user, urlsplit(link).path


def test_a_reset_requested_by_email_lets_the_user_sign_in_with_a_new_password(
    app, client, monkeypatch, smtp_server
):
    user = make_user("manager", name="Riley Reset")
    response = _request_reset(client, user.email)
    assert response.status_code == 302 and response.location.endswith("/login")
    assert SAME_FLASH in client.get("/login").text

    link, message = _deliver(app, monkeypatch, smtp_server, user)

    assert link.startswith("http://vendorrisk.test/password/reset/")
    assert message["Subject"] == "Reset your VendorRisk password"
    assert "Hello Riley Reset" in smtp_server.text_of(message)
    assert "expires in 60 minutes" in smtp_server.text_of(message)
    path = urlsplit(link).path
    form = client.get(path)
    assert form.status_code == 200
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.location.endswith("/login")
    assert "Your password is changed. Sign in with the new one." in client.get("/login").text

    old = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert old.status_code == 200
    new = client.post("/login", data={"email": user.email, "password": NEW_PASSWORD})
    assert new.status_code == 302
    assert client.get("/").status_code == 200
    db.session.refresh(user)
    assert user.password_hash.startswith("$argon2id$")


def test_the_stored_message_and_token_row_hold_no_usable_link(
    app, client, monkeypatch, smtp_server
):
    """The outbox keeps a placeholder; the token row keeps a hash that needs LINK_KEY to match."""
    user = make_user("manager")
    _request_reset(client, user.email)
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == user.email))
    row = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    assert message.link_marker.startswith(outbox.LINK_MARKER_PREFIX)
    assert message.link_marker in message.body_text
    assert message.link_marker in message.body_html
    assert "/password/reset/" not in message.body_text + message.body_html
    assert (message.link_purpose, message.link_ref) == ("reset", str(row.id))

    link, _ = _deliver(app, monkeypatch, smtp_server, user)
    token = link.rsplit("/", 1)[1]
    assert len(base64.urlsafe_b64decode(token + "=")) == 32  # 256 bits

    # The hash is what the link is looked up by ...
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    # ... but no value in the database reproduces it, alone or as an HMAC key.
    db.session.expire_all()
    stored = _all_stored_text()
    assert token not in "\n".join(stored)
    candidates = set(stored) | {f"reset:{row.id}:{row.nonce}", row.nonce, str(row.id)}
    for value in candidates:
        assert hashlib.sha256(value.encode()).hexdigest() != row.token_hash
        mac = hmac.new(value.encode(), f"reset:{row.id}:{row.nonce}".encode(), hashlib.sha256)
        guess = base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()
        assert hashlib.sha256(guess.encode()).hexdigest() != row.token_hash
    # With the key from configuration it does (so the checks above are not vacuous).
    assert links.derive_token("reset", row.id, row.nonce) == token


def _all_stored_text() -> list[str]:
    values = []
    for table in (
        "users",
        "user_sessions",
        "password_reset_tokens",
        "outbox_messages",
        "audit_entries",
    ):
        for record in db.session.execute(text(f"SELECT * FROM {table}")):  # noqa: S608 - fixed names
            values.extend(str(v) for v in record if v is not None)
    return values


def test_opening_the_link_changes_nothing(client, reset_link):
    user, path = reset_link
    for _ in range(3):
        assert client.get(path).status_code == 200
    row = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    db.session.refresh(row)
    assert row.used_at is None


def test_a_used_reset_link_gets_the_410_page(app, client, reset_link):
    _user, path = reset_link
    client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    again = app.test_client()
    response = again.get(path)
    assert response.status_code == 410
    assert "This reset link is no longer valid" in response.text
    post = again.post(
        path, data={"password": "Another-fine-passphrase", "confirm": "Another-fine-passphrase"}
    )
    assert post.status_code == 410


def test_an_expired_reset_link_gets_the_410_page(client, reset_link):
    user, path = reset_link
    row = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()

    assert client.get(path).status_code == 410
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 410
    db.session.refresh(user)
    assert user.password_hash.startswith("$argon2id$")


@pytest.mark.parametrize("token", ["x" * 43, "short", "A" * 43])
def test_a_made_up_reset_token_gets_the_410_page(client, token):
    assert client.get(f"/password/reset/{token}").status_code == 410


def test_a_weak_new_password_is_refused_and_the_link_still_works(client, reset_link):
    user, path = reset_link
    response = client.post(path, data={"password": "password123", "confirm": "password123"})
    assert response.status_code == 200
    assert "This password is among the most commonly used ones; choose another." in response.text

    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert (
        client.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code
        == 302
    )


def test_a_new_password_equal_to_the_email_name_is_refused_at_reset(
    app, client, monkeypatch, smtp_server
):
    user = make_user("manager", email="morgan.reset@firm.example")
    _request_reset(client, user.email)
    link, _ = _deliver(app, monkeypatch, smtp_server, user)
    response = client.post(
        urlsplit(link).path, data={"password": "morgan.reset", "confirm": "morgan.reset"}
    )
    assert "Do not use your e-mail name as your password." in response.text


def test_resetting_the_password_ends_every_open_session(app, client, reset_link):
    user, path = reset_link
    elsewhere = app.test_client()
    elsewhere.post("/login", data={"email": user.email, "password": PASSWORD})
    assert elsewhere.get("/").status_code == 200

    client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert elsewhere.get("/").status_code == 302


def test_an_unknown_address_gets_the_same_answer_and_no_message(client):
    before = _outbox_count()
    response = _request_reset(client, "nobody-here@firm.example")
    assert response.status_code == 302 and response.location.endswith("/login")
    assert SAME_FLASH in client.get("/login").text
    assert _outbox_count() == before


def test_a_disabled_account_gets_the_same_answer_and_no_message(client):
    user = make_user("manager", active=False)
    before = _outbox_count()
    _request_reset(client, user.email)
    assert SAME_FLASH in client.get("/login").text
    assert _outbox_count() == before


def test_an_invalid_address_is_refused_beside_the_field(client):
    before = _outbox_count()
    response = _request_reset(client, "not an address")
    assert response.status_code == 200
    assert 'id="email-error">Invalid email address.</div>' in response.text
    assert _outbox_count() == before


def test_reset_requests_are_rate_limited_per_client_address(client):
    for i in range(5):
        assert _request_reset(client, f"nobody-{i}@firm.example").status_code == 302
    response = _request_reset(client, "nobody-else@firm.example")
    assert response.status_code == 429
    assert "Too many attempts" in response.text


def _fresh_link(app, client, monkeypatch, smtp_server, user: User) -> str:
    """Ask for a reset, deliver it, and return the path of the link that arrived."""
    before = len(smtp_server.messages)
    assert _request_reset(client, user.email).status_code == 302
    use_relay(app, monkeypatch, smtp_server.port)
    assert outbox.send_pending().sent == 1
    smtp_server.wait_for(lambda _m: len(smtp_server.messages) > before)
    body = smtp_server.text_of(smtp_server.messages[-1])
    return urlsplit(next(li for li in links_in(body) if "/password/reset/" in li)).path


def _password_is(user: User, password: str) -> bool:
    from vendorrisk.accounts.passwords import verify_password

    db.session.expire_all()
    return verify_password(db.session.get(User, user.id).password_hash, password)


def test_asking_again_retires_the_earlier_link_so_only_the_newest_sets_a_password(
    app, client, monkeypatch, smtp_server
):
    """Request two resets: the first link is dead at once, before or after the second is used."""
    user = make_user("manager")
    first = _fresh_link(app, client, monkeypatch, smtp_server, user)
    second = _fresh_link(app, client, monkeypatch, smtp_server, user)
    assert first != second

    assert client.get(first).status_code == 410
    response = client.post(first, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 410
    assert _password_is(user, PASSWORD)

    assert (
        client.post(second, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code
        == 302
    )
    other = "Another-fine-passphrase-77"
    assert client.post(first, data={"password": other, "confirm": other}).status_code == 410
    assert _password_is(user, NEW_PASSWORD)


def test_a_message_whose_link_was_retired_by_a_newer_request_is_never_sent(
    app, client, monkeypatch, smtp_server
):
    """Two requests before the sender runs: only the newer link goes out."""
    user = make_user("manager")
    _request_reset(client, user.email)
    _request_reset(client, user.email)
    use_relay(app, monkeypatch, smtp_server.port)
    report = outbox.send_pending()
    assert (report.sent, report.retrying) == (1, 1)
    newest = db.session.scalar(
        select(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id)
        .order_by(PasswordResetToken.id.desc())
    )
    sent = smtp_server.wait_for(lambda m: m["To"] == user.email)
    path = urlsplit(next(li for li in links_in(smtp_server.text_of(sent)) if "/reset/" in li)).path
    assert links.token_hash(path.rsplit("/", 1)[1]) == newest.token_hash


def test_using_a_link_retires_every_other_outstanding_link(client, db_session):
    """Two links outstanding at once (e.g. two requests racing): using one kills the other."""
    user = make_user("manager")
    rows = []
    for _ in range(2):
        row = PasswordResetToken(
            user_id=user.id,
            nonce=links.new_nonce(),
            token_hash=links.new_nonce(),
            expires_at=utcnow() + timedelta(hours=1),
        )
        db.session.add(row)
        db.session.flush()
        row.token_hash = links.token_hash(links.derive_token("reset", row.id, row.nonce))
        rows.append(row)
    db.session.flush()
    paths = [f"/password/reset/{links.derive_token('reset', r.id, r.nonce)}" for r in rows]
    assert [client.get(p).status_code for p in paths] == [200, 200]

    client.post(paths[0], data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    other = "Another-fine-passphrase-77"
    assert client.post(paths[1], data={"password": other, "confirm": other}).status_code == 410
    assert _password_is(user, NEW_PASSWORD)


def test_changing_the_password_retires_an_outstanding_reset_link(
    app, client, auth, monkeypatch, smtp_server
):
    """Whoever asked for a link with the old password in mind cannot use it after a change."""
    user = make_user("manager")
    path = _fresh_link(app, client, monkeypatch, smtp_server, user)
    owner = app.test_client()
    auth.client = owner
    auth.login(user=user)
    response = owner.post(
        "/profile/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302

    other = "Another-fine-passphrase-77"
    assert client.post(path, data={"password": other, "confirm": other}).status_code == 410
    assert _password_is(user, NEW_PASSWORD)


def test_a_reset_is_recorded_in_the_audit_log(client, reset_link):
    user, path = reset_link
    client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.object_id == str(user.id))
        .order_by(AuditEntry.id)
    ).all()
    assert actions[-2:] == ["password.reset_requested", "password.reset"]
