"""Helpers for tests that send mail: point the app at a test relay, queue a message."""

from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox


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
