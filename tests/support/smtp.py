"""A real SMTP server for tests: aiosmtpd on a free local port."""

import email
import email.policy
import socket
import threading
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Collector:
    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"


class SMTPServer:
    """Start, stop and read the messages of a local SMTP server."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.handler = _Collector()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        with self.handler.lock:
            return list(self.handler.messages)

    def wait_for(self, predicate=lambda m: True, timeout: float = 15.0) -> EmailMessage:
        """Wait until a received message matches, and return it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if predicate(message):
                    return message
            time.sleep(0.05)
        raise AssertionError(f"no matching message within {timeout}s; got {len(self.messages)}")

    @staticmethod
    def text_of(message: EmailMessage) -> str:
        """Return the plain-text body of a message."""
        part = message.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""
