"""Fixtures for the outbox tests: a relay the app sends to, or none at all."""

import pytest

from tests.mail.helpers import use_relay


@pytest.fixture
def relay(app, monkeypatch, smtp_server):
    """A real SMTP server the app's sender is pointed at."""
    use_relay(app, monkeypatch, smtp_server.port)
    return smtp_server


@pytest.fixture
def no_relay(app, monkeypatch):
    """Mail settings that point at a port where nothing listens."""
    use_relay(app, monkeypatch, 1)
