"""Fixtures for the fault tests: the portal's small questionnaire, scratch databases that a
test may commit to (and servers or subprocesses share), and relays that fail in set ways."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.engine import make_url

from tests.conftest import BACKEND, CSRFClient, test_config
from tests.portal.conftest import (  # noqa: F401 - fixtures
    assignment,
    campaign,
    owner,
    recipient,
    relay,
    uploads,
    vendor,
    vendor_client,
    version,
)
from tests.support.load import drop_postgres_database, fresh_postgres_database
from tests.support.smtp import SMTPServer, _Collector, free_port


@pytest.fixture
def scratch_url(database_url, tmp_path):
    """An empty database of this run's backend, apart from the run's shared one."""
    if BACKEND != "postgresql":
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    name = f"{make_url(database_url).database}_faults_{os.getpid()}"
    url = fresh_postgres_database(database_url, name)
    yield url
    drop_postgres_database(url)


_made_apps: list = []


def migrated_app(url: str, **config):
    """Return an app on `url` with the test configuration, its database migrated (its
    connections are closed after the test)."""
    from flask_migrate import upgrade

    from vendorrisk import create_app

    app = create_app(test_config(url, **config))
    app.test_client_class = CSRFClient
    with app.app_context():
        upgrade(revision="heads")
    _made_apps.append(app)
    return app


@pytest.fixture(autouse=True)
def _close_made_apps():
    yield
    from vendorrisk.extensions import db

    while _made_apps:
        with _made_apps.pop().app_context():
            db.session.remove()
            db.engine.dispose()


class SilentRelay:
    """A TCP server that accepts connections and never says a word (a hung SMTP relay).

    `connected` is set once a client is in; `hang_up()` closes the held connections, the only
    way, short of the client's own timeout, that a client waiting on this relay gets an
    answer."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connected = threading.Event()
        self.held: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self._lock:
                self.held.append(conn)
            self.connected.set()

    def hang_up(self) -> None:
        with self._lock:
            held, self.held = self.held, []
        for conn in held:
            conn.close()

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        except OSError:
            pass
        self.sock.close()
        self.hang_up()


@pytest.fixture
def silent_relay():
    server = SilentRelay()
    yield server
    server.close()


class _StallAfter(_Collector):
    """Accept `after` messages, then take the next one in and never answer for it."""

    def __init__(self, after: int):
        super().__init__()
        self.after = after
        self.stalled = threading.Event()
        self.released = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.lock:
            stall = len(self.messages) == self.after and not self.stalled.is_set()
        if not stall:
            return await super().handle_DATA(server, session, envelope)
        # The relay has the message, but its "250" never reaches the sender.
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        self.stalled.set()
        while not self.released.is_set():
            await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"


class StallingRelay(SMTPServer):
    """A real SMTP server that hangs on its (after + 1)th message."""

    def __init__(self, after: int):  # noqa: D107 - not SMTPServer's: that makes a controller
        self.port = free_port()
        self.handler = _StallAfter(after)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def stop(self) -> None:
        self.handler.released.set()
        time.sleep(0.2)  # let the held message's handler finish before the loop closes
        super().stop()
