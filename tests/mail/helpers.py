"""Helpers for tests that send mail: point the app at a test relay, queue a message."""

import time

from sqlalchemy import func, select

from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox
from vendorrisk.mail.models import OutboxMessage


def use_relay(app, monkeypatch, port: int) -> None:
    """Send this test's mail to 127.0.0.1:`port` (both Flask-Mail's state and the config)."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setattr(app.extensions["mail"], "server", "127.0.0.1")
    monkeypatch.setattr(app.extensions["mail"], "port", port)
    monkeypatch.setattr(app.extensions["mail"], "suppress", False)


def queue_message(to: str = "someone@vendor.example", subject: str = "A message", **context):
    """Queue a message without a secret link and flush it."""
    context.setdefault("user_name", "Someone")
    context.setdefault("expires_minutes", 60)
    message = outbox.queue("password_reset", to, subject, **context)
    db.session.flush()
    return message


def outbox_count() -> int:
    """Return how many messages the outbox holds."""
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def received_by(server, address):
    """Return the messages the relay received for one address."""
    return [m for m in server.messages if m["To"] == address]


def settle(server, expected: int) -> None:
    """Wait until the relay holds `expected` messages (delivery is synchronous; this is a guard)."""
    server.wait_for(lambda _m: len(server.messages) >= expected, timeout=5)
    time.sleep(0.1)
